/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which two bytes of a needle a pass of scan.c tests, and how: chosen from
 * a sample of a big file, from what lease text never holds in a small one.
 */
#include <stdint.h>
#include <string.h>

#include "resolver/scan-plan.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

static void fold_needle(const struct scan_needle *nd, struct folded *ret)
{
	for (size_t i = 0; i < nd->len; i++) {
		unsigned char c = (unsigned char)nd->s[i];
		ret->mask[i] = is_letter((char)c) ? 0x20 : 0;
		ret->s[i] = (unsigned char)(c | ret->mask[i]);
	}
}

/* How often byte c (letters folded) occurs in a sample of the buffer:
 * SAMPLE_SLICE bytes at the start of each quarter. */
#define SAMPLE_SLICE 256

__attribute__((target("avx2,popcnt"))) static unsigned sample_count(const char *buf, size_t len,
								    unsigned char c)
{
	const __m256i m20 = _mm256_set1_epi8(0x20), v = _mm256_set1_epi8((char)c);
	unsigned n = 0;
	for (size_t q = 0; q < 4; q++) {
		const char *p = buf + len / 4 * q;
		for (size_t i = 0; i < SAMPLE_SLICE; i += 32) {
			__m256i x =
			    _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(p + i)), m20);
			n += (unsigned)__builtin_popcount(
			    (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, v)));
		}
	}
	return n;
}

/* Which two bytes of the needle a pass tests: the primary in every step,
 * the secondary only where the primary occurs.
 *
 * The primary should be rare in this file.  In a file big enough to be
 * worth a look, it is the needle's rarest byte in a 1 KB sample (a later
 * one on a tie), among its last MAX_SAMPLED bytes: in a lab whose guests
 * are all "nodeN", the 'n' of "node7" is in every object and its '7' is
 * not.  The secondary should tell apart the strings that share the
 * primary, and names and MACs differ at their end (node7/node8,
 * ..:13:88/..:13:89): the last byte, or the one before it if the last is
 * the primary.
 *
 * A small file is not sampled (the sample would be a good part of it):
 * there the primary is the needle's last byte that lease text never holds
 * (lease_text), if it has one; else the pass tests two adjacent bytes
 * together (choose_pair, scan_avx2_pair).  A one-byte needle: its byte. */
#define MAX_SAMPLED 16

/* The bytes a lease file has outside the names in it: those of the keys
 * libvirt writes ("ip-address", "mac-address", "hostname", "client-id",
 * "expiry-time", "iaid", "server-duid", "domain", "macs"), of hex digits,
 * of the addresses and of the JSON around them.  A needle's other bytes
 * (g j k q w z, most punctuation, non-ASCII) are rare there. */
static const bool lease_text[256] = {
    [0 ... ' '] = true,	  ['"'] = true,		['-'] = true,	      ['.'] = true,
    ['0' ... ':'] = true, ['A' ... 'F'] = true, ['H' ... 'I'] = true, ['L' ... 'P'] = true,
    ['R' ... 'V'] = true, ['X' ... 'Y'] = true, ['a' ... 'f'] = true, ['h' ... 'i'] = true,
    ['l' ... 'p'] = true, ['r' ... 'v'] = true, ['x' ... 'y'] = true,
};

/* The sampled choice of a big file, above; in a small one, the needle's
 * last rare byte (false when there is none). */
static bool choose_bytes(const char *buf, size_t len, const struct scan_needle *nd,
			 size_t *ret_primary, size_t *ret_secondary)
{
	const size_t d = nd->len - 1;
	if (len < SAMPLE_MIN_LEN || d == 0) {
		/* among the last MAX_SAMPLED bytes, as in a big file */
		size_t i = nd->len, low = nd->len > MAX_SAMPLED ? nd->len - MAX_SAMPLED : 0;
		while (i-- > low && lease_text[(unsigned char)nd->s[i]])
			;
		if (i == low - 1) {
			if (d > 0)
				return false;
			i = 0;
		}
		*ret_primary = i;
		*ret_secondary = i == d && d > 0 ? d - 1 : d;
		return true;
	}
	unsigned char seen[MAX_SAMPLED];
	unsigned count[MAX_SAMPLED], best = UINT32_MAX;
	size_t n_seen = 0, p = d;
	for (size_t i = nd->len; i-- > 0 && nd->len - i <= MAX_SAMPLED;) {
		unsigned char c = fold((unsigned char)nd->s[i]);
		size_t k = 0;
		while (k < n_seen && seen[k] != c)
			k++;
		if (k == n_seen) {
			seen[n_seen] = c;
			count[n_seen++] = sample_count(buf, len, c);
		}
		if (count[k] < best) {
			best = count[k];
			p = i;
		}
	}
	*ret_primary = p;
	*ret_secondary = p == d ? d - 1 : d;
	return true;
}

/* The pair of scan_avx2_pair, by its first byte: the last two bytes, where
 * names and MACs differ; if both are letters (an OR each a step), the last
 * pair of the last MAX_SAMPLED with fewer (none if it can) and no ':' or
 * '.', common by address digits (":5" of 52:54:00).  A digit before a '-'
 * (the "1-" of "node51-dhcp") is in no key or address. */
static size_t choose_pair(const struct scan_needle *nd)
{
	const size_t last = nd->len - 2;
	const char *s = nd->s;
	if (!is_letter(s[last]) || !is_letter(s[last + 1]))
		return last;
	size_t best = last;
	int fewest = 2;
	for (size_t i = last; i-- > 0 && nd->len - i <= MAX_SAMPLED && fewest > 0;) {
		int letters = is_letter(s[i]) + is_letter(s[i + 1]);
		if (letters < fewest && s[i] != ':' && s[i] != '.' && s[i + 1] != ':' &&
		    s[i + 1] != '.') {
			fewest = letters;
			best = i;
		}
	}
	return best;
}

void plan_pass(const char *buf, size_t len, const struct scan_needle *nd, struct pass *ret)
{
	ret->pair = !choose_bytes(buf, len, nd, &ret->po, &ret->so);
	if (ret->pair) {
		ret->po = choose_pair(nd);
		ret->so = ret->po + 1;
	}
	ret->ff = is_letter(nd->s[ret->po]);
	ret->fl = is_letter(nd->s[ret->so]);
	ret->folded = len >= SAMPLE_MIN_LEN;
	if (ret->folded)
		fold_needle(nd, &ret->fd);
}

#endif
