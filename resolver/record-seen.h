/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal to the core: a guest record's addr and dropped lines
 * (record-seen.c), for record.c; and a record parsed in place, for the db. */
#pragma once

#include <stddef.h>

#include "resolver/resolver.h"

/* lc_guest_record_parse into g itself, clearing only its names and its
 * lists' counts (the lists past their counts are left as they were), and
 * on failure g holds what was read so far: for a caller that reuses one
 * record, the db's build.  for_db: the user and host keys, which the db
 * does not use and which never make a record bad, are not read (g has
 * none); every other field and the verdict are lc_guest_record_parse's. */
int record_guest_parse_in(const char *buf, size_t len, struct lc_guest_record *g, bool for_db);

/* One line's value into list (at most max; the rest are skipped): 0, also
 * for a source this reader does not know; -EBADMSG when malformed. */
int record_seen_line(const char *v, size_t vl, struct lc_seen_addr *list, size_t *n, size_t max);
/* "KEY MAC ADDRESS SOURCE SEEN\n" for each of list, at buf + *off (size in
 * all); -ENOBUFS when it does not fit. */
int record_seen_format(char *buf, size_t size, size_t *off, const char *key,
		       const struct lc_seen_addr *list, size_t n);
