/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cold path's needle search (scan_find), against the plain definition
 * in scan.h: every place a needle stands as a whole string, and no other.
 *
 * Input: byte 0 holds the flags (bits 0-1: needles - 1; bit 2: dot_ends;
 * bit 3: repeat the text past 32 KB, where the search picks the bytes it
 * tests first from a sample of the buffer), then for each needle a length
 * byte (1..48) and its bytes, then the text.
 */
#include "fuzz/fuzz.h"
#include "resolver/scan.h"
#include "resolver/util.h"

#define MAX_NEEDLES 4
#define MAX_HITS 4096

struct hits {
	size_t n;
	size_t needle[MAX_HITS], pos[MAX_HITS];
	bool overflow;
};

static int collect(void *ud, size_t needle, size_t pos)
{
	struct hits *h = ud;
	if (h->n == MAX_HITS) {
		h->overflow = true;
		return -1;
	}
	h->needle[h->n] = needle;
	h->pos[h->n++] = pos;
	return 0;
}

static bool is_hit(const char *buf, size_t len, const struct scan_needle *nd, size_t pos)
{
	if (pos == 0 || buf[pos - 1] != '"' || pos + nd->len >= len)
		return false;
	char after = buf[pos + nd->len];
	if (after != '"' && !(nd->dot_ends && after == '.'))
		return false;
	for (size_t i = 0; i < nd->len; i++)
		if (lc_lower(buf[pos + i]) != lc_lower(nd->s[i]))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scan_needle nd[MAX_NEEDLES];
	size_t n, off = 1;

	if (size < 2)
		return 0;
	n = (size_t)(data[0] & 3) + 1;
	for (size_t k = 0; k < n; k++) {
		if (off >= size)
			return 0;
		size_t l = data[off++] % 48 + 1;
		if (off + l > size)
			return 0;
		nd[k] = (struct scan_needle){(const char *)data + off, l, (data[0] & 4) != 0};
		off += l;
	}
	size_t text = size - off, len = text;
	if ((data[0] & 8) && text)
		len = (32u << 10) + text * 7 % 4096;
	/* exactly len bytes on the heap: a read past the end is an ASan report */
	char *buf = malloc(len ? len : 1);
	if (!buf)
		abort();
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)data[off + i % text];

	static struct hits got;
	got.n = 0;
	got.overflow = false;
	int r = scan_find(buf, len, nd, n, collect, &got);
	FUZZ_CHECK(r == 0 || (r == -1 && got.overflow));
	if (r == 0) {
		/* every report is a hit, and no place is reported twice */
		unsigned char *mark = calloc(len * n + 1, 1);
		if (!mark)
			abort();
		for (size_t i = 0; i < got.n; i++) {
			FUZZ_CHECK(got.needle[i] < n && got.pos[i] < len);
			FUZZ_CHECK(is_hit(buf, len, &nd[got.needle[i]], got.pos[i]));
			FUZZ_CHECK(!mark[got.pos[i] * n + got.needle[i]]);
			mark[got.pos[i] * n + got.needle[i]] = 1;
		}
		/* and every hit is reported */
		for (size_t pos = 1; pos < len; pos++)
			for (size_t k = 0; k < n; k++)
				FUZZ_CHECK(is_hit(buf, len, &nd[k], pos) == (mark[pos * n + k] != 0));
		free(mark);
	}
	free(buf);
	return 0;
}
