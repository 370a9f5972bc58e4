/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal to the core: a guest record's addr and dropped lines
 * (record-seen.c), for record.c. */
#pragma once

#include <stddef.h>

#include "resolver/resolver.h"

/* One line's value into list (at most max; the rest are skipped): 0, also
 * for a source this reader does not know; -EBADMSG when malformed. */
int record_seen_line(const char *v, size_t vl, struct lc_seen_addr *list, size_t *n, size_t max);
/* "KEY MAC ADDRESS SOURCE SEEN\n" for each of list, at buf + *off (size in
 * all); -ENOBUFS when it does not fit. */
int record_seen_format(char *buf, size_t size, size_t *off, const char *key,
		       const struct lc_seen_addr *list, size_t n);
