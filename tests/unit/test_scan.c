/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cold path's needle search, against a plain reference: the vector
 * paths (one needle, a few, many in groups of 32) and the scalar tail must
 * report exactly the places the definition in scan.h describes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolver/scan.h"
#include "resolver/util.h"
#include "tests/unit/unit.h"

struct hit {
	size_t needle, pos;
};

struct hits {
	struct hit *h;
	size_t n, cap;
	size_t stop_after; /* 0 = never */
};

static int collect(void *ud, size_t needle, size_t pos)
{
	struct hits *hs = ud;
	if (hs->n == hs->cap) {
		hs->cap = hs->cap ? hs->cap * 2 : 64;
		hs->h = realloc(hs->h, hs->cap * sizeof(*hs->h));
		assert_non_null(hs->h);
	}
	hs->h[hs->n++] = (struct hit){needle, pos};
	if (hs->stop_after && hs->n == hs->stop_after)
		return -42;
	return 0;
}

static int cmp_hit(const void *x, const void *y)
{
	const struct hit *a = x, *b = y;
	if (a->pos != b->pos)
		return a->pos < b->pos ? -1 : 1;
	return (a->needle > b->needle) - (a->needle < b->needle);
}

/* The definition: a '"' before, the needle (ASCII case-insensitively),
 * then a '"' (or a '.' with dot_ends). */
static void reference(const char *buf, size_t len, const struct scan_needle *nd, size_t n,
		      struct hits *out)
{
	for (size_t pos = 1; pos < len; pos++)
		for (size_t k = 0; k < n; k++) {
			if (buf[pos - 1] != '"' || pos + nd[k].len >= len)
				continue;
			char after = buf[pos + nd[k].len];
			if (after != '"' && !(nd[k].dot_ends && after == '.'))
				continue;
			size_t i = 0;
			while (i < nd[k].len && lc_lower(buf[pos + i]) == lc_lower(nd[k].s[i]))
				i++;
			if (i == nd[k].len)
				collect(out, k, pos);
		}
}

static void compare(const char *buf, size_t len, const struct scan_needle *nd, size_t n)
{
	struct hits got = {0}, want = {0};
	/* an allocation of exactly len bytes: a read past it trips ASan */
	char *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, buf, len);
	assert_int_equal(scan_find(copy, len, nd, n, collect, &got), 0);
	reference(copy, len, nd, n, &want);
	free(copy);
	if (got.n)
		qsort(got.h, got.n, sizeof(*got.h), cmp_hit);
	if (want.n)
		qsort(want.h, want.n, sizeof(*want.h), cmp_hit);
	if (got.n != want.n)
		fail_msg("len %zu, %zu needles: %zu hits, expected %zu", len, n, got.n, want.n);
	for (size_t i = 0; i < got.n; i++)
		if (got.h[i].pos != want.h[i].pos || got.h[i].needle != want.h[i].needle)
			fail_msg("len %zu, hit %zu: needle %zu at %zu, expected needle %zu at %zu",
				 len, i, got.h[i].needle, got.h[i].pos, want.h[i].needle,
				 want.h[i].pos);
	free(got.h);
	free(want.h);
}

static void test_basic(void **state)
{
	const char *buf = "[{\"domain\": \"c2\", \"macs\": [\"52:54:00:15:00:02\"]},"
			  " {\"hostname\": \"C2.lab.test\", \"x\": \"c22\", \"y\": \"xc2\"}]";
	struct scan_needle label = {"c2", 2, true};
	struct scan_needle whole = {"c2", 2, false};
	struct scan_needle mac = {"52:54:00:15:00:02", 17, false};
	struct hits h = {0};

	assert_int_equal(scan_find(buf, strlen(buf), &label, 1, collect, &h), 0);
	/* "c2" as a whole string, and "C2." starting a string; not c22, xc2 */
	assert_int_equal(h.n, 2);
	assert_int_equal(h.h[0].pos, (size_t)(strstr(buf, "\"c2\"") - buf + 1));
	assert_int_equal(h.h[1].pos, (size_t)(strstr(buf, "\"C2.") - buf + 1));
	h.n = 0;
	assert_int_equal(scan_find(buf, strlen(buf), &whole, 1, collect, &h), 0);
	assert_int_equal(h.n, 1);
	h.n = 0;
	assert_int_equal(scan_find(buf, strlen(buf), &mac, 1, collect, &h), 0);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.h[0].pos, (size_t)(strstr(buf, "52:54") - buf));
	free(h.h);
	compare(buf, strlen(buf), &label, 1);
}

static void test_edges(void **state)
{
	struct scan_needle nd = {"ab", 2, false};
	struct hits h = {0};

	/* at the very start there is no quote before; at the very end no quote after */
	assert_int_equal(scan_find("ab\"", 3, &nd, 1, collect, &h), 0);
	assert_int_equal(scan_find("\"ab", 3, &nd, 1, collect, &h), 0);
	assert_int_equal(h.n, 0);
	assert_int_equal(scan_find("\"ab\"", 4, &nd, 1, collect, &h), 0);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.h[0].pos, 1);
	/* an empty needle matches nothing */
	struct scan_needle empty = {"", 0, false};
	h.n = 0;
	assert_int_equal(scan_find("\"\"", 2, &empty, 1, collect, &h), 0);
	assert_int_equal(h.n, 0);
	/* no needles, an empty buffer */
	assert_int_equal(scan_find("\"ab\"", 4, &nd, 0, collect, &h), 0);
	assert_int_equal(scan_find("", 0, &nd, 1, collect, &h), 0);
	assert_int_equal(h.n, 0);
	free(h.h);
	/* '@' and '`' differ only in bit 0x20, like 'A' and 'a', but are not
	 * the same character */
	struct scan_needle at = {"@x@", 3, false};
	compare("\"`x`\" \"@X@\" \"@x`\"", 17, &at, 1);
}

static void test_stop(void **state)
{
	char buf[4096];
	struct scan_needle nd[6] = {{"c2", 2, false}, {"zz", 2, false}, {"yy", 2, false},
				    {"xx", 2, false}, {"ww", 2, false}, {"vv", 2, false}};

	/* many hits; the callback stops the scan at the third */
	for (size_t i = 0; i + 5 <= sizeof(buf); i += 5)
		memcpy(buf + i, "\"c2\" ", 5);
	for (size_t n = 1; n <= 6; n += 5) {
		struct hits h = {.stop_after = 3};
		assert_int_equal(scan_find(buf, sizeof(buf) - sizeof(buf) % 5, nd, n, collect, &h),
				 -42);
		assert_int_equal(h.n, 3);
		free(h.h);
	}
}

/* xorshift: the same sequence on every run */
static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void random_case(size_t len, size_t n_needles, size_t max_needle)
{
	static const char alphabet[] = "\"\"\"..aAbB5:@`-";
	char *buf = malloc(len ? len : 1);
	struct scan_needle *nd = calloc(n_needles ? n_needles : 1, sizeof(*nd));
	char(*texts)[64] = calloc(n_needles ? n_needles : 1, 64);

	assert_non_null(buf);
	assert_non_null(nd);
	assert_non_null(texts);
	for (size_t i = 0; i < len; i++)
		buf[i] = alphabet[next() % (sizeof(alphabet) - 1)];
	for (size_t k = 0; k < n_needles; k++) {
		size_t l = 1 + next() % max_needle;
		/* from the buffer's letters but never a quote, so they can match */
		for (size_t i = 0; i < l; i++)
			texts[k][i] = "aAbB5:@`-."[next() % 10];
		nd[k] = (struct scan_needle){texts[k], l, (next() & 1) != 0};
	}
	compare(buf, len, nd, n_needles);
	free(texts);
	free(nd);
	free(buf);
}

static void test_random_against_reference(void **state)
{
	/* one needle (the label), a few (<= 4: a pass each), many (one
	 * shared pass), more than 32 (groups); every length around the
	 * vector widths so every tail is exercised */
	static const size_t counts[] = {1, 2, 4, 5, 9, 32, 33, 70};
	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++)
		for (size_t len = 0; len < 200; len++)
			random_case(len, counts[c], 1 + len % 5);
	for (int i = 0; i < 50; i++)
		random_case(4096 + (size_t)(next() % 300), 1 + (size_t)(next() % 40),
			    1 + (size_t)(next() % 20));
}

static void test_realistic_status(void **state)
{
	/* a long .status: hostnames and MACs found wherever they sit */
	size_t cap = 1 << 20, off = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	off += (size_t)snprintf(buf, cap, "[");
	for (int i = 0; i < 3000; i++)
		off += (size_t)snprintf(
		    buf + off, cap - off,
		    "%s\n  {\n    \"ip-address\": \"10.%d.%d.%d\",\n"
		    "    \"mac-address\": \"52:54:00:%02x:%02x:%02x\",\n"
		    "    \"hostname\": \"node%d\",\n    \"expiry-time\": 1795781219\n  }",
		    i ? "," : "", i >> 16, (i >> 8) & 255, i & 255, i >> 16, (i >> 8) & 255,
		    i & 255, i);
	off += (size_t)snprintf(buf + off, cap - off, "\n]\n");
	struct scan_needle one = {"node2999", 8, true};
	struct hits h = {0};
	assert_int_equal(scan_find(buf, off, &one, 1, collect, &h), 0);
	assert_int_equal(h.n, 1);
	assert_memory_equal(buf + h.h[0].pos - 1, "\"node2999\"", 10);
	free(h.h);
	struct scan_needle macs[40];
	char texts[40][18];
	for (int k = 0; k < 40; k++) {
		int i = k * 71;
		snprintf(texts[k], sizeof(texts[k]), "52:54:00:%02X:%02X:%02X", i >> 16,
			 (i >> 8) & 255, i & 255); /* upper case: found all the same */
		macs[k] = (struct scan_needle){texts[k], 17, false};
	}
	compare(buf, off, macs, 40);
	h = (struct hits){0};
	assert_int_equal(scan_find(buf, off, macs, 40, collect, &h), 0);
	assert_int_equal(h.n, 40);
	free(h.h);
	free(buf);
}

/* t (l bytes, lower case) at buf + at, each letter in either case, a '"'
 * before it and end after it. */
static void plant(char *buf, size_t at, const char *t, size_t l, char end)
{
	buf[at - 1] = '"';
	for (size_t i = 0; i < l; i++)
		buf[at + i] = (next() & 1) && t[i] >= 'a' && t[i] <= 'z' ? (char)(t[i] - 32) : t[i];
	buf[at + l] = end;
}

/* Files of 32 KB and more: the byte tested first is chosen from a sample
 * and can be any byte of the needle.  Needles planted in random text, in
 * either case, next to near misses that differ in one byte (also by bit
 * 0x20 alone, '@' vs '`'), each found exactly where the reference says. */
static void test_sampled_choice(void **state)
{
	static const char alphabet[] = "\"\"\" ::0123456789node-abcdefxyzq@`";
	static const char *const texts[] = {
	    "node5001-dhcp",
	    "52:54:00:13:88:fb",
	    "q",
	    "zq",
	    "node7",
	    "a-very-long-guest-name-of-forty-bytes-x",
	    "n@de",
	};
	for (int round = 0; round < 40; round++) {
		size_t len = (32u << 10) + (size_t)(next() % 20000);
		char *buf = malloc(len);
		assert_non_null(buf);
		for (size_t i = 0; i < len; i++)
			buf[i] = alphabet[next() % (sizeof(alphabet) - 1)];
		const char *t = texts[round % (sizeof(texts) / sizeof(texts[0]))];
		size_t l = strlen(t);
		for (int k = 0; k < 30; k++) {
			size_t at = 1 + (size_t)(next() % (len - l - 2));
			plant(buf, at, t, l, (k % 3 == 0) ? '.' : '"');
			if (k % 4 == 1) /* a near miss */
				buf[at + (size_t)(next() % l)] ^= (k % 8 == 1) ? 0x20 : 0x01;
		}
		struct scan_needle nd[2] = {{t, l, (round & 1) != 0}, {"node7", 5, false}};
		compare(buf, len, nd, 1 + (size_t)(round % 3 == 0));
		free(buf);
	}
}

/* Files under 32 KB: a needle with a byte libvirt's text never holds is
 * looked for by that byte, any other by its last two bytes together, in
 * four loops (each of the two a letter or not), 128 then 32 positions a
 * step, then a scalar tail.  Needles planted at the very start and end of
 * buffers of every length around those steps, in either case (a long one
 * differs from the needle by case in each 8-byte chunk), among near
 * misses, in lease-like text where every byte of the pair abounds. */
static void test_small_files(void **state)
{
	static const char alphabet[] = "\"\"\" \n:.,0123456789abcdefnodehstm-";
	static const char *const texts[] = {
	    "node51-dhcp",
	    "52:54:00:00:00:33",
	    "node5",
	    "n5",
	    "5n",
	    "51",
	    "ab",
	    "www",
	    "k8s-worker-2",
	    "q",
	    "a",
	    "5",
	    "xq",
	    "a-very-long-guest-name-x",
	};
	for (int round = 0; round < 600; round++) {
		const char *t = texts[round % (sizeof(texts) / sizeof(texts[0]))];
		size_t l = strlen(t);
		size_t len = l + 2 + (round < 300 ? (size_t)round : (size_t)(next() % 8000));
		char *buf = malloc(len);
		assert_non_null(buf);
		for (size_t i = 0; i < len; i++)
			buf[i] = alphabet[next() % (sizeof(alphabet) - 1)];
		/* at the start, at the end, and a few in between */
		size_t at[6] = {1, len - l - 1, len - l - 1, 1, 1, 1};
		for (int k = 2; k < 6 && len > l + 2; k++)
			at[k] = 1 + (size_t)(next() % (len - l - 1));
		for (int k = 0; k < 6; k++) {
			if (at[k] + l >= len)
				continue;
			plant(buf, at[k], t, l, (k == 3) ? '.' : '"');
			if (k == 4) /* a near miss */
				buf[at[k] + (size_t)(next() % l)] ^= (next() & 1) ? 0x20 : 0x01;
		}
		struct scan_needle nd[4] = {{t, l, (round & 1) != 0},
					    {"52:54:00:00:00:33", 17, false},
					    {"node5", 5, true},
					    {"k8s-worker-2", 12, false}};
		compare(buf, len, nd, 1);
		compare(buf, len, nd, 1 + (size_t)(round % 4));
		free(buf);
	}
}

/* scan_find_in: for each buffer, exactly the hits scan_find gives it
 * alone, in the same order (the cold path takes objects in that order),
 * over small buffers (one plan for all) and big ones among them; and a
 * stop in one buffer ends the whole scan. */
static void test_find_in(void **state)
{
	static const char alphabet[] = "\"\"\" \n:.,0123456789abcdefnodehstm-";
	static const size_t sizes[] = {0, 40, 900, 5000, 40000, 1200, 33000};
	enum { NB = sizeof(sizes) / sizeof(sizes[0]) };
	(void)state;
	for (int round = 0; round < 40; round++) {
		struct scan_buf bufs[NB];
		struct hits got[NB], want[NB];
		char *mem[NB];
		struct scan_needle nd[4] = {{"node5", 5, true},
					    {"52:54:00:00:00:33", 17, false},
					    {"n5", 2, false},
					    {"www", 3, true}};
		size_t n = 1 + (size_t)(round % 4);
		for (size_t b = 0; b < NB; b++) {
			size_t len = sizes[b] + (size_t)(next() % 64);
			mem[b] = malloc(len ? len : 1); /* exactly len: ASan sees past it */
			assert_non_null(mem[b]);
			for (size_t i = 0; i < len; i++)
				mem[b][i] = alphabet[next() % (sizeof(alphabet) - 1)];
			for (int k = 0; k < 8 && len > 40; k++)
				plant(mem[b], 1 + (size_t)(next() % (len - 40)), nd[k % n].s,
				      nd[k % n].len, '"');
			got[b] = want[b] = (struct hits){0};
			bufs[b] = (struct scan_buf){mem[b], len, &got[b]};
			assert_int_equal(scan_find(mem[b], len, nd, n, collect, &want[b]), 0);
		}
		assert_int_equal(scan_find_in(bufs, NB, nd, n, collect), 0);
		for (size_t b = 0; b < NB; b++) {
			assert_int_equal(got[b].n, want[b].n);
			for (size_t i = 0; i < got[b].n; i++) {
				assert_int_equal(got[b].h[i].pos, want[b].h[i].pos);
				assert_int_equal(got[b].h[i].needle, want[b].h[i].needle);
			}
			free(got[b].h);
			free(want[b].h);
		}
		/* the third hit of buffer 3 stops it, and no later buffer is read */
		for (size_t b = 0; b < NB; b++)
			got[b] = (struct hits){.stop_after = b == 3 ? 3 : 0};
		int r = scan_find_in(bufs, NB, nd, n, collect);
		if (want[3].n >= 3) {
			assert_int_equal(r, -42);
			for (size_t b = 4; b < NB; b++)
				assert_int_equal(got[b].n, 0);
		}
		for (size_t b = 0; b < NB; b++) {
			free(got[b].h);
			free(mem[b]);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_basic),
	    cmocka_unit_test(test_edges),
	    cmocka_unit_test(test_stop),
	    cmocka_unit_test(test_random_against_reference),
	    cmocka_unit_test(test_realistic_status),
	    cmocka_unit_test(test_sampled_choice),
	    cmocka_unit_test(test_small_files),
	    cmocka_unit_test(test_find_in),
	};
	return cmocka_run_group_tests_name("scan", tests, NULL, NULL);
}
