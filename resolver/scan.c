/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Multi-needle, ASCII case-insensitive search.  Each needle is looked for
 * by two of its bytes (a letter ORed with 0x20, which folds it), 32
 * positions per compare with AVX2: one byte rare in the file, the other
 * only where it occurs (choose_bytes, scan-plan.c), or in a small file without a rare
 * byte both in every step (scan_avx2_pair).  The rare candidates are then
 * compared in full.  This is what lets a cold lookup in a 2 MB lease file
 * cost well under one instruction per byte instead of a full parse.
 */
#include <stdint.h>
#include <string.h>

#include "resolver/scan-plan.h"
#include "resolver/scan.h"
#include "resolver/util.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX2_PATH 1
#endif

/* A candidate at pos stands as a whole string: a '"' before it, a '"'
 * (or with dot_ends a '.') after.  Checked first: it rejects most false
 * candidates in one compare. */
static bool bounded(const char *buf, size_t len, const struct scan_needle *nd, size_t pos)
{
	if (pos == 0 || pos + nd->len >= len)
		return false;
	char after = buf[pos + nd->len];
	if (after != '"' && !(nd->dot_ends && after == '.'))
		return false;
	return buf[pos - 1] == '"';
}

/* Exact check of a candidate at pos: the boundaries, then the bytes from
 * the end, where MACs and numbered names differ. */
static bool verify(const char *buf, size_t len, const struct scan_needle *nd, size_t pos)
{
	if (!bounded(buf, len, nd, pos))
		return false;
	/* eight bytes a compare while equal as they stand, else byte by byte */
	const char *b = buf + pos;
	size_t i = nd->len;
	for (; i >= 8; i -= 8) {
		uint64_t x, y;
		memcpy(&x, b + i - 8, 8);
		memcpy(&y, nd->s + i - 8, 8);
		if (x == y)
			continue;
		for (size_t j = i - 8; j < i; j++)
			if (lc_lower(b[j]) != lc_lower(nd->s[j]))
				return false;
	}
	while (i-- > 0)
		if (b[i] != nd->s[i] && lc_lower(b[i]) != lc_lower(nd->s[i]))
			return false;
	return true;
}

static int scan_scalar(const char *buf, size_t len, size_t from, const struct scan_needle *needles,
		       size_t n, scan_hit_fn fn, void *ud)
{
	for (size_t p = from; p < len; p++) {
		unsigned char c = fold((unsigned char)buf[p]);
		for (size_t k = 0; k < n; k++) {
			const struct scan_needle *nd = &needles[k];
			if (c != fold((unsigned char)nd->s[0]) || p + nd->len > len)
				continue;
			if (fold((unsigned char)buf[p + nd->len - 1]) !=
			    fold((unsigned char)nd->s[nd->len - 1]))
				continue;
			if (verify(buf, len, nd, p)) {
				int r = fn(ud, k, p);
				if (r < 0)
					return r;
			}
		}
	}
	return 0;
}

#ifdef HAVE_AVX2_PATH
/* Report needle indices relative to the whole list when a pass looks at
 * a slice of it (one needle at a time, or a group of 32). */
struct slice_ctx {
	scan_hit_fn fn;
	void *ud;
	size_t base;
};

static int slice_hit(void *ud, size_t needle, size_t pos)
{
	const struct slice_ctx *s = ud;
	return s->fn(s->ud, s->base + needle, pos);
}

#define MAX_VEC_NEEDLES 32

static int report(const char *buf, size_t len, const struct scan_needle *needles, size_t n,
		  size_t pos, scan_hit_fn fn, void *ud)
{
	for (size_t k = 0; k < n; k++) {
		if (verify(buf, len, &needles[k], pos)) {
			int r = fn(ud, k, pos);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* One needle: the loop the cold path runs most in a big file (a name's
 * first label, a MAC).  The primary byte is tested alone, 64 positions a
 * step; only a step where it occurs loads and tests the secondary.  A byte that is no letter
 * needs no case folding, so each of the four combinations gets its own
 * loop and pays for no OR it does not need. */
/* Candidates in the 64 bytes at p, given the primary compares e0, e1. */
#define SCAN_HALF(p, e0, e1, FOLD_L)                                                               \
	do {                                                                                       \
		const char *qh = buf + (p);                                                        \
		uint64_t fm = (uint32_t)_mm256_movemask_epi8(e0) |                                 \
			      (uint64_t)(uint32_t)_mm256_movemask_epi8(e1) << 32;                  \
		if (!fm)                                                                           \
			break;                                                                     \
		__m256i y0 = _mm256_loadu_si256((const __m256i *)(qh + so));                       \
		__m256i y1 = _mm256_loadu_si256((const __m256i *)(qh + 32 + so));                  \
		if (FOLD_L) {                                                                      \
			y0 = _mm256_or_si256(y0, m20);                                             \
			y1 = _mm256_or_si256(y1, m20);                                             \
		}                                                                                  \
		uint64_t mask =                                                                    \
		    fm &                                                                           \
		    ((uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(y0, l)) |                    \
		     (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(y1, l)) << 32);    \
		if (apart) {                                                                       \
			if (mask && !report_block(buf, len, nd, ps, p, mask, 0, fn, ud, ret))      \
				return p;                                                          \
		} else                                                                             \
			while (mask) {                                                             \
				size_t pos = (p) + (size_t)__builtin_ctzll(mask);                  \
				mask &= mask - 1;                                                  \
				if (verify_folded(buf, len, nd, &ps->fd, pos) &&                   \
				    (*ret = fn(ud, 0, pos)) < 0)                                   \
					return p;                                                  \
			}                                                                          \
	} while (0)

/* 128 bytes a step: four loads and compares of the primary byte, one test
 * of all four; most steps end there. */
#define SCAN_ONE_LOOP(FOLD_F, FOLD_L)                                                              \
	for (; p + d + 128 <= len; p += 128) {                                                     \
		const char *q = buf + p + po;                                                      \
		__m256i x0 = _mm256_loadu_si256((const __m256i *)q);                               \
		__m256i x1 = _mm256_loadu_si256((const __m256i *)(q + 32));                        \
		__m256i x2 = _mm256_loadu_si256((const __m256i *)(q + 64));                        \
		__m256i x3 = _mm256_loadu_si256((const __m256i *)(q + 96));                        \
		if (FOLD_F) {                                                                      \
			x0 = _mm256_or_si256(x0, m20);                                             \
			x1 = _mm256_or_si256(x1, m20);                                             \
			x2 = _mm256_or_si256(x2, m20);                                             \
			x3 = _mm256_or_si256(x3, m20);                                             \
		}                                                                                  \
		__m256i e0 = _mm256_cmpeq_epi8(x0, f), e1 = _mm256_cmpeq_epi8(x1, f);              \
		__m256i e2 = _mm256_cmpeq_epi8(x2, f), e3 = _mm256_cmpeq_epi8(x3, f);              \
		__m256i any = _mm256_or_si256(_mm256_or_si256(e0, e1), _mm256_or_si256(e2, e3));   \
		if (_mm256_testz_si256(any, any))                                                  \
			continue;                                                                  \
		SCAN_HALF(p, e0, e1, FOLD_L);                                                      \
		SCAN_HALF(p + 64, e2, e3, FOLD_L);                                                 \
	}

/* verify(), eight bytes a compare: the boundaries, then from the end. */
static bool verify_folded(const char *buf, size_t len, const struct scan_needle *nd,
			  const struct folded *fd, size_t pos)
{
	if (!bounded(buf, len, nd, pos))
		return false;
	const unsigned char *b = (const unsigned char *)buf + pos;
	size_t i = nd->len;
	for (; i >= 8; i -= 8) {
		uint64_t x, y, m;
		memcpy(&x, b + i - 8, 8);
		memcpy(&y, fd->s + i - 8, 8);
		memcpy(&m, fd->mask + i - 8, 8);
		if ((x | m) != y)
			return false;
	}
	while (i-- > 0)
		if ((b[i] | fd->mask[i]) != fd->s[i])
			return false;
	return true;
}

static bool pass_verify(const char *buf, size_t len, const struct scan_needle *nd,
			const struct pass *ps, size_t pos)
{
	return ps->folded ? verify_folded(buf, len, nd, &ps->fd, pos) : verify(buf, len, nd, pos);
}

/* A pass's candidates: bit i of mask is the place base + i.  Each that
 * verifies goes to fn; false when fn stopped the scan (*ret < 0). */
static inline bool report_mask(const char *buf, size_t len, const struct scan_needle *nd,
			       const struct pass *ps, size_t base, uint64_t mask, scan_hit_fn fn,
			       void *ud, int *ret)
{
	while (mask) {
		size_t pos = base + (size_t)__builtin_ctzll(mask);
		mask &= mask - 1;
		if (pass_verify(buf, len, nd, ps, pos) && (*ret = fn(ud, 0, pos)) < 0)
			return false;
	}
	return true;
}

/* report_mask for the places from base (lo the first 64, hi the next):
 * apart, so that the loops of SCAN_ONE_FN and scan_avx2_pair keep their
 * vectors in registers (they would not all survive the calls it makes). */
__attribute__((noinline)) static bool report_block(const char *buf, size_t len,
						   const struct scan_needle *nd,
						   const struct pass *ps, size_t base, uint64_t lo,
						   uint64_t hi, scan_hit_fn fn, void *ud, int *ret)
{
	return report_mask(buf, len, nd, ps, base, lo, fn, ud, ret) &&
	       report_mask(buf, len, nd, ps, base + 64, hi, fn, ud, ret);
}

/* The rest of a pass of SCAN_ONE_FN (the bytes po and so chosen there),
 * 32 bytes a step from p: the scalar tail is then shorter than a vector
 * plus the needle, and small files are mostly tail.  Called apart from
 * SCAN_ONE_FN: in it, this loop cost the main loop a register (a reload
 * every 128 bytes). */
__attribute__((target("avx2"))) static size_t scan_avx2_tail(const char *buf, size_t len, size_t p,
							     const struct scan_needle *nd,
							     const struct pass *ps, scan_hit_fn fn,
							     void *ud, int *ret)
{
	const size_t d = nd->len - 1, po = ps->po, so = ps->so;
	const __m256i m20 = _mm256_set1_epi8(0x20), zero = _mm256_setzero_si256();
	const __m256i f = _mm256_set1_epi8((char)(nd->s[po] | (ps->ff ? 0x20 : 0)));
	const __m256i l = _mm256_set1_epi8((char)(nd->s[so] | (ps->fl ? 0x20 : 0)));
	const __m256i mf = ps->ff ? m20 : zero, ml = ps->fl ? m20 : zero;
	for (; p + d + 32 <= len; p += 32) {
		__m256i x =
		    _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(buf + p + po)), mf);
		uint32_t mask = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, f));
		if (!mask)
			continue;
		__m256i y =
		    _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(buf + p + so)), ml);
		mask &= (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(y, l));
		if (!report_mask(buf, len, nd, ps, p, mask, fn, ud, ret))
			return p;
	}
	return p;
}

/* One function per way to report, apart (through report_block: in a small
 * file candidates are rare) or inline (in a big one the primary may be in
 * most halves, and a call each costs more); each keeps its loop's vectors
 * in registers. */
#define SCAN_ONE_FN(name, APART)                                                                   \
	__attribute__((target("avx2"), noinline)) static size_t name(                              \
	    const char *buf, size_t len, const struct scan_needle *nd, const struct pass *ps,      \
	    scan_hit_fn fn, void *ud, int *ret)                                                    \
	{                                                                                          \
		const size_t d = nd->len - 1, po = ps->po, so = ps->so;                            \
		const bool ff = ps->ff, fl = ps->fl, apart = APART;                                \
		const __m256i m20 = _mm256_set1_epi8(0x20);                                        \
		const __m256i f = _mm256_set1_epi8((char)(nd->s[po] | (ff ? 0x20 : 0)));           \
		const __m256i l = _mm256_set1_epi8((char)(nd->s[so] | (fl ? 0x20 : 0)));           \
		size_t p = 0;                                                                      \
                                                                                                   \
		*ret = 0;                                                                          \
		if (ff && fl)                                                                      \
			SCAN_ONE_LOOP(1, 1)                                                        \
		else if (ff)                                                                       \
			SCAN_ONE_LOOP(1, 0)                                                        \
		else if (fl)                                                                       \
			SCAN_ONE_LOOP(0, 1)                                                        \
		else                                                                               \
			SCAN_ONE_LOOP(0, 0)                                                        \
		return p;                                                                          \
	}
SCAN_ONE_FN(scan_avx2_one_big, false)
SCAN_ONE_FN(scan_avx2_one_small, true)

/* A file under SAMPLE_MIN_LEN, a needle with no rare byte: two adjacent
 * bytes, both tested in every step.  Every letter of "node51-dhcp" is in
 * some key of every lease and digits in every value, so one byte alone
 * passes in nearly every step.  A pair near the end ("1-", "51", "33")
 * passes a few times a file.  Only a letter is ORed: a loop per case. */
#define PAIR_EQ(q, v, FOLD)                                                                        \
	_mm256_cmpeq_epi8(FOLD ? _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(q)), m20)    \
			       : _mm256_loadu_si256((const __m256i *)(q)),                         \
			  v)
#define PAIR_STEP(q, FA, FB) _mm256_and_si256(PAIR_EQ(q, a, FA), PAIR_EQ((q) + 1, b, FB))

/* 128 positions a step, one test of all four compares (most steps end
 * there), then 32 a step, then one overlapping step: small files are
 * mostly tail.  One counter to an end computed once. */
#define SCAN_PAIR_LOOP(FA, FB)                                                                     \
	do {                                                                                       \
		for (; p < end128; p += 128) {                                                     \
			const char *q = buf + p + po;                                              \
			__m256i e0 = PAIR_STEP(q, FA, FB), e1 = PAIR_STEP(q + 32, FA, FB);         \
			__m256i e2 = PAIR_STEP(q + 64, FA, FB), e3 = PAIR_STEP(q + 96, FA, FB);    \
			__m256i any =                                                              \
			    _mm256_or_si256(_mm256_or_si256(e0, e1), _mm256_or_si256(e2, e3));     \
			if (__builtin_expect(_mm256_testz_si256(any, any), 1))                     \
				continue;                                                          \
			uint64_t lo = (uint32_t)_mm256_movemask_epi8(e0) |                         \
				      (uint64_t)(uint32_t)_mm256_movemask_epi8(e1) << 32;          \
			uint64_t hi = (uint32_t)_mm256_movemask_epi8(e2) |                         \
				      (uint64_t)(uint32_t)_mm256_movemask_epi8(e3) << 32;          \
			if (!report_block(buf, len, nd, ps, p, lo, hi, fn, ud, ret))               \
				return p;                                                          \
		}                                                                                  \
		for (; p < end32; p += 32) {                                                       \
			__m256i e = PAIR_STEP(buf + p + po, FA, FB);                               \
			if (!_mm256_testz_si256(e, e) &&                                           \
			    !report_mask(buf, len, nd, ps, p, (uint32_t)_mm256_movemask_epi8(e),   \
					 fn, ud, ret))                                             \
				return p;                                                          \
		}                                                                                  \
		if (end32 && p < end32 + 31) {                                                     \
			/* the last places: its first p - q were reported already */               \
			const size_t q = end32 - 1;                                                \
			uint32_t m =                                                               \
			    (uint32_t)_mm256_movemask_epi8(PAIR_STEP(buf + q + po, FA, FB));       \
			if (!report_mask(buf, len, nd, ps, q, m & (~0u << (p - q)), fn, ud, ret))  \
				return p;                                                          \
			p = end32 + 31;                                                            \
		}                                                                                  \
	} while (0)

/* One needle of two bytes or more in a small file (plan_pass: ps->pair,
 * po and so = po + 1 the pair); returns where the scalar tail starts. */
__attribute__((target("avx2"))) static size_t scan_avx2_pair(const char *buf, size_t len,
							     const struct scan_needle *nd,
							     const struct pass *ps, scan_hit_fn fn,
							     void *ud, int *ret)
{
	const size_t d = nd->len - 1, po = ps->po;
	const __m256i m20 = _mm256_set1_epi8(0x20);
	const __m256i a = _mm256_set1_epi8((char)(nd->s[po] | (ps->ff ? 0x20 : 0)));
	const __m256i b = _mm256_set1_epi8((char)(nd->s[po + 1] | (ps->fl ? 0x20 : 0)));
	size_t p = 0;

	/* a step of 128 (32) from p fits while p < end128 (end32) */
	const size_t end128 = len >= d + 128 ? len - d - 127 : 0;
	const size_t end32 = len >= d + 32 ? len - d - 31 : 0;

	*ret = 0;
	if (ps->ff && ps->fl)
		SCAN_PAIR_LOOP(1, 1);
	else if (ps->ff)
		SCAN_PAIR_LOOP(1, 0);
	else if (ps->fl)
		SCAN_PAIR_LOOP(0, 1);
	else
		SCAN_PAIR_LOOP(0, 0);
	return p;
}

/* Several needles: one pass, one mask; a candidate is then checked against
 * each needle.  Needles of one length (MACs: 17) share their second load. */
__attribute__((target("avx2"))) static size_t scan_avx2_many(const char *buf, size_t len,
							     const struct scan_needle *needles,
							     size_t n, scan_hit_fn fn, void *ud,
							     int *ret)
{
	__m256i first[MAX_VEC_NEEDLES], last[MAX_VEC_NEEDLES];
	size_t dist[MAX_VEC_NEEDLES], order[MAX_VEC_NEEDLES], maxd = 0, p = 0;
	const __m256i m20 = _mm256_set1_epi8(0x20);

	/* sort by length (insertion sort, n <= 32) so equal lengths are adjacent */
	for (size_t k = 0; k < n; k++) {
		size_t j = k;
		while (j > 0 && needles[order[j - 1]].len > needles[k].len) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = k;
	}
	for (size_t k = 0; k < n; k++) {
		const struct scan_needle *nd = &needles[order[k]];
		first[k] = _mm256_set1_epi8((char)fold((unsigned char)nd->s[0]));
		last[k] = _mm256_set1_epi8((char)fold((unsigned char)nd->s[nd->len - 1]));
		dist[k] = nd->len - 1;
		if (dist[k] > maxd)
			maxd = dist[k];
	}
	*ret = 0;
	for (; p + maxd + 32 <= len; p += 32) {
		__m256i x = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(buf + p)), m20);
		__m256i acc = _mm256_setzero_si256(), y = x;
		size_t yd = (size_t)-1;
		for (size_t k = 0; k < n; k++) {
			if (dist[k] != yd) {
				yd = dist[k];
				y = _mm256_or_si256(
				    _mm256_loadu_si256((const __m256i *)(buf + p + yd)), m20);
			}
			acc = _mm256_or_si256(acc, _mm256_and_si256(_mm256_cmpeq_epi8(x, first[k]),
								    _mm256_cmpeq_epi8(y, last[k])));
		}
		uint32_t mask = (uint32_t)_mm256_movemask_epi8(acc);
		while (mask) {
			size_t pos = p + (size_t)__builtin_ctz(mask);
			mask &= mask - 1;
			if ((*ret = report(buf, len, needles, n, pos, fn, ud)) < 0)
				return p;
		}
	}
	return p;
}

/* The last bytes of one needle's pass, too few for a vector: where its
 * first byte occurs (memchr, each case of a letter), then verify.  A byte
 * loop here cost more than the vector loop before it in a small file. */
static int scan_tail_one(const char *buf, size_t len, size_t from, const struct scan_needle *nd,
			 scan_hit_fn fn, void *ud)
{
	if (from + nd->len > len)
		return 0;
	const size_t last = len - nd->len; /* the last place the needle fits */
	const unsigned char c = (unsigned char)nd->s[0];
	const int lo = is_letter((char)c) ? (c | 0x20) : c, up = lo & ~0x20;
	const char *a = memchr(buf + from, lo, last + 1 - from);
	const char *b = lo != up ? memchr(buf + from, up, last + 1 - from) : NULL;

	while (a || b) {
		const char *at = !b || (a && a < b) ? a : b;
		size_t pos = (size_t)(at - buf);
		if (verify(buf, len, nd, pos)) {
			int r = fn(ud, 0, pos);
			if (r < 0)
				return r;
		}
		if (at == a)
			a = pos < last ? memchr(at + 1, lo, last - pos) : NULL;
		else
			b = pos < last ? memchr(at + 1, up, last - pos) : NULL;
	}
	return 0;
}

/* One needle's pass over buf, as ps planned it; hits as needle k. */
static inline __attribute__((always_inline)) int scan_avx2_pass(const char *buf, size_t len,
								const struct scan_needle *nd,
								const struct pass *ps, size_t k,
								scan_hit_fn fn, void *ud)
{
	struct slice_ctx sl = {fn, ud, k};
	size_t p;
	int r;

	if (ps->pair)
		p = scan_avx2_pair(buf, len, nd, ps, slice_hit, &sl, &r);
	else if (ps->folded)
		p = scan_avx2_one_big(buf, len, nd, ps, slice_hit, &sl, &r);
	else
		p = scan_avx2_one_small(buf, len, nd, ps, slice_hit, &sl, &r);
	if (!ps->pair && r >= 0)
		p = scan_avx2_tail(buf, len, p, nd, ps, slice_hit, &sl, &r);
	if (r < 0)
		return r;
	return scan_tail_one(buf, len, p, nd, slice_hit, &sl);
}

/* a pass per needle costs ~0.25 instructions a byte; the shared pass pays
 * off only for many needles (the MACs of many records) */
#define PASS_NEEDLES_MAX 4

static int scan_avx2(const char *buf, size_t len, const struct scan_needle *needles, size_t n,
		     scan_hit_fn fn, void *ud)
{
	int r;
	if (n <= PASS_NEEDLES_MAX) {
		for (size_t k = 0; k < n; k++) {
			struct pass ps;
			plan_pass(buf, len, &needles[k], &ps);
			if ((r = scan_avx2_pass(buf, len, &needles[k], &ps, k, fn, ud)) < 0)
				return r;
		}
		return 0;
	}
	size_t p = scan_avx2_many(buf, len, needles, n, fn, ud, &r);
	if (r < 0)
		return r;
	/* the tail, too short for a vector */
	return scan_scalar(buf, len, p, needles, n, fn, ud);
}
#endif

int scan_find(const char *buf, size_t len, const struct scan_needle *needles, size_t n,
	      scan_hit_fn fn, void *userdata)
{
	for (size_t k = 0; k < n; k++)
		if (needles[k].len == 0)
			return 0;
#ifdef HAVE_AVX2_PATH
	if (lc_cpu_has_avx2()) {
		/* in groups, so any number of needles works */
		for (size_t k = 0; k < n; k += MAX_VEC_NEEDLES) {
			size_t g = n - k < MAX_VEC_NEEDLES ? n - k : MAX_VEC_NEEDLES;
			struct slice_ctx sl = {fn, userdata, k};
			int r = scan_avx2(buf, len, needles + k, g, slice_hit, &sl);
			if (r < 0)
				return r;
		}
		return 0;
	}
#endif
	return scan_scalar(buf, len, 0, needles, n, fn, userdata);
}

int scan_find_in(const struct scan_buf *bufs, size_t n_bufs, const struct scan_needle *needles,
		 size_t n, scan_hit_fn fn)
{
	int r;
#ifdef HAVE_AVX2_PATH
	/* a small buffer's plan is the needle's alone (plan_pass samples only
	 * big ones): made once for all of them, not once a buffer */
	struct pass ps[PASS_NEEDLES_MAX];
	bool planned = false;
	for (size_t k = 0; k < n; k++)
		if (needles[k].len == 0)
			return 0;
	if (n <= PASS_NEEDLES_MAX && lc_cpu_has_avx2()) {
		for (size_t f = 0; f < n_bufs; f++) {
			const struct scan_buf *b = &bufs[f];
			if (b->len >= SAMPLE_MIN_LEN) {
				if ((r = scan_avx2(b->buf, b->len, needles, n, fn, b->ud)) < 0)
					return r;
				continue;
			}
			for (size_t k = 0; !planned && k < n; k++)
				plan_pass(b->buf, b->len, &needles[k], &ps[k]);
			planned = true;
			for (size_t k = 0; k < n; k++)
				if ((r = scan_avx2_pass(b->buf, b->len, &needles[k], &ps[k], k, fn,
							b->ud)) < 0)
					return r;
		}
		return 0;
	}
#endif
	for (size_t f = 0; f < n_bufs; f++)
		if ((r = scan_find(bufs[f].buf, bufs[f].len, needles, n, fn, bufs[f].ud)) < 0)
			return r;
	return 0;
}
