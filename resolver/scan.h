/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Find JSON string values in a file without parsing it: the cold path's
 * way to look at only the objects that can matter to one query. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct scan_needle {
	const char *s; /* ASCII; compared case-insensitively */
	size_t len;    /* 1..255 */
	bool dot_ends; /* a '.' after the needle also ends it (a name's first label) */
};

/* Called for each place where a needle stands as a whole JSON string (a
 * '"' before it, a '"' after it) or, with dot_ends, as the start of one up
 * to a '.'.  pos is the offset of the needle's first byte.  A negative
 * return stops the scan and is returned. */
typedef int (*scan_hit_fn)(void *userdata, size_t needle, size_t pos);

int scan_find(const char *buf, size_t len, const struct scan_needle *needles, size_t n,
	      scan_hit_fn fn, void *userdata);

/* scan_find over each buffer in turn (fn gets the buffer's ud): the hits
 * it gives, in the same order, for less (a pass is planned once for all
 * the small buffers). */
struct scan_buf {
	const char *buf;
	size_t len;
	void *ud;
};
int scan_find_in(const struct scan_buf *bufs, size_t n_bufs, const struct scan_needle *needles,
		 size_t n, scan_hit_fn fn);
