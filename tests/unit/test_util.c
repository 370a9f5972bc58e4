/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The core's helpers: safe file reading, the string map, arena, vector. */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolver/map.h"
#include "resolver/util.h"
#include "tests/unit/unit.h"

static void test_read_file(void **state)
{
	const char *dir = *state;
	char *buf = NULL, *p;
	size_t len = 0;
	struct lc_sig sig = {0};
	struct stat st;

	unit_write(dir, "f", "abc\n", 4);
	p = unit_path(dir, "f");
	assert_int_equal(lc_read_file(p, 100, &buf, &len, &sig), 0);
	assert_int_equal(len, 4);
	assert_string_equal(buf, "abc\n"); /* NUL-terminated */
	assert_int_equal(stat(p, &st), 0);
	assert_true(sig.exists);
	assert_int_equal(sig.ino, st.st_ino);
	assert_int_equal(sig.size, 4);
	free(buf);
	/* the limit is inclusive */
	assert_int_equal(lc_read_file(p, 4, &buf, &len, NULL), 0);
	free(buf);
	buf = NULL;
	assert_int_equal(lc_read_file(p, 3, &buf, &len, NULL), -EFBIG);
	assert_null(buf);
	free(p);

	/* an empty file */
	unit_write(dir, "empty", "", 0);
	p = unit_path(dir, "empty");
	assert_int_equal(lc_read_file(p, 100, &buf, &len, NULL), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);
	free(p);

	p = unit_path(dir, "missing");
	assert_int_equal(lc_read_file(p, 100, &buf, &len, NULL), -ENOENT);
	free(p);
}

/* lc_read_big: the same bytes as lc_read_file, small or large; a large
 * buffer is not malloc's (a process keeps no freed heap after a lookup). */
static void test_read_big(void **state)
{
	const char *dir = *state;
	static const size_t sizes[] = {0, 5, (64u << 10) - 3, 64u << 10, (1u << 20) + 7};
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k], len = 1, len2 = 2;
		char *data = malloc(n + 1), *buf = NULL, *ref = NULL, *p = unit_path(dir, "big");
		struct lc_sig sig, sig2;
		assert_non_null(data);
		for (size_t i = 0; i < n; i++)
			data[i] = (char)('a' + (i * 7 + k) % 26);
		unit_write(dir, "big", data, n);
		assert_int_equal(lc_read_file(p, 2u << 20, &ref, &len2, &sig2), 0);
		struct mallinfo2 before = mallinfo2();
		assert_int_equal(lc_read_big(p, 2u << 20, &buf, &len, &sig), 0);
		struct mallinfo2 after = mallinfo2();
		assert_int_equal(len, n);
		assert_int_equal(buf[n], '\0');
		assert_memory_equal(buf, ref, n + 1);
		assert_true(lc_sig_equal(&sig, &sig2));
		if (n >= (64u << 10) && !LC_UNDER_ASAN)
			assert_true(after.uordblks + after.hblkhd <=
				    before.uordblks + before.hblkhd);
		buf[0] = 'x'; /* writable */
		lc_big_free(buf);
		free(ref);
		assert_int_equal(lc_read_big(p, n ? n - 1 : 0, &buf, &len, NULL), n ? -EFBIG : 0);
		if (!n)
			lc_big_free(buf);
		free(data);
		free(p);
	}
	lc_big_free(NULL);
}

/* Small files into an arena: no allocation of their own; given back last
 * in first out, the room serves the next file; 64 KB and more are
 * mappings as with lc_read_big. */
static void test_read_big_in(void **state)
{
	const char *dir = *state;
	char *p = unit_path(dir, "small"), *q = unit_path(dir, "large");
	struct lc_arena a = {0};
	char *b1, *b2, *b3;
	size_t l1, l2, l3;
	struct lc_sig sig;

	unit_write(dir, "small", "hello", 5);
	char *large = malloc(70000);
	assert_non_null(large);
	memset(large, 'z', 70000);
	unit_write(dir, "large", large, 70000);
	assert_int_equal(lc_read_big_in(p, 1u << 20, &a, &b1, &l1, &sig), 0);
	assert_int_equal(l1, 5);
	assert_string_equal(b1, "hello");
	assert_true(sig.exists);
	if (!LC_UNDER_ASAN) {
		/* an arena's buffer: left to the arena (under ASan every
		 * buffer is malloc's own, so that a read past one is caught) */
		lc_big_free(b1);
		assert_string_equal(b1, "hello");
	}
	lc_big_free_in(&a, b1, l1);
	assert_int_equal(lc_read_big_in(p, 1u << 20, &a, &b2, &l2, NULL), 0);
	if (!LC_UNDER_ASAN)
		assert_ptr_equal(b2, b1); /* the same room again */
	/* kept: the next one goes after it */
	assert_int_equal(lc_read_big_in(p, 1u << 20, &a, &b3, &l3, NULL), 0);
	assert_ptr_not_equal(b3, b2);
	assert_string_equal(b2, "hello");
	lc_big_free_in(&a, b2, l2); /* not the last: nothing */
	if (!LC_UNDER_ASAN)
		assert_string_equal(b2, "hello");
	lc_big_free_in(&a, b3, l3);
	assert_int_equal(lc_read_big_in(q, 1u << 20, &a, &b1, &l1, NULL), 0);
	assert_int_equal(l1, 70000);
	assert_int_equal(b1[69999], 'z');
	lc_big_free_in(&a, b1, l1); /* a mapping of its own: unmapped */
	assert_int_equal(lc_read_big_in(p, 4, &a, &b1, &l1, NULL), -EFBIG);
	lc_arena_free(&a);
	free(large);
	free(p);
	free(q);
}

static void test_read_refuses_non_regular(void **state)
{
	const char *dir = *state;
	char *buf = NULL, *p;
	size_t len;

	/* a FIFO is refused at once, never waited on */
	p = unit_path(dir, "fifo");
	assert_int_equal(mkfifo(p, 0644), 0);
	assert_int_equal(lc_read_file(p, 100, &buf, &len, NULL), -EINVAL);
	free(p);
	/* endless bytes behind a symlink */
	p = unit_path(dir, "zero");
	assert_int_equal(symlink("/dev/zero", p), 0);
	assert_int_equal(lc_read_file(p, 100, &buf, &len, NULL), -EINVAL);
	free(p);
	/* a directory */
	assert_int_equal(lc_read_file(dir, 100, &buf, &len, NULL), -EINVAL);
	assert_null(buf);
}

static void test_sig(void **state)
{
	const char *dir = *state;
	char *p = unit_path(dir, "s");
	struct stat st;
	struct lc_sig a, b, none = {0}, none2 = {0};

	unit_write(dir, "s", "1234", 4);
	unit_set_mtime(p, INT64_C(1795000000123456789));
	assert_int_equal(stat(p, &st), 0);
	lc_sig_from_stat(&a, &st);
	assert_int_equal(a.mtime_ns, INT64_C(1795000000123456789));
	b = a;
	assert_true(lc_sig_equal(&a, &b));
	b.mtime_ns++;
	assert_false(lc_sig_equal(&a, &b));
	b = a;
	b.ctime_ns--;
	assert_false(lc_sig_equal(&a, &b));
	b = a;
	b.size = 5;
	assert_false(lc_sig_equal(&a, &b));
	b = a;
	b.ino++;
	assert_false(lc_sig_equal(&a, &b));
	/* two missing files are the same "nothing" */
	assert_true(lc_sig_equal(&none, &none2));
	assert_false(lc_sig_equal(&none, &a));
	free(p);
}

static uint32_t map_get(const struct lc_map *m, const void *key, size_t len, bool *found)
{
	const struct lc_map_slot *s = lc_map_get(m, key, len);
	*found = s != NULL;
	return s ? s->val : 0;
}

static int map_put(struct lc_map *m, const void *key, size_t len, uint32_t val, uint32_t *ret_val)
{
	struct lc_map_slot *s;
	int r = lc_map_put(m, key, len, &s);
	if (r == 1)
		s->val = val;
	if (r >= 0 && ret_val)
		*ret_val = s->val;
	return r;
}

static void test_strmap(void **state)
{
	struct lc_map exact = {.kind = LC_MAP_STR}, fold = {.kind = LC_MAP_FOLD};
	char keys[500][16];
	uint32_t v;
	bool found;

	for (uint32_t i = 0; i < 500; i++) {
		snprintf(keys[i], sizeof(keys[i]), "Node%u", i);
		assert_int_equal(map_put(&exact, keys[i], strlen(keys[i]), i, NULL), 1);
		assert_int_equal(map_put(&fold, keys[i], strlen(keys[i]), i, NULL), 1);
	}
	assert_int_equal(exact.n, 500);
	for (uint32_t i = 0; i < 500; i++) {
		char lower[16];
		snprintf(lower, sizeof(lower), "node%u", i);
		v = map_get(&exact, keys[i], strlen(keys[i]), &found);
		assert_true(found);
		assert_int_equal(v, i);
		map_get(&exact, lower, strlen(lower), &found);
		assert_false(found);
		v = map_get(&fold, lower, strlen(lower), &found);
		assert_true(found);
		assert_int_equal(v, i);
	}
	/* present: not replaced, and the stored value comes back */
	uint32_t old = 0;
	assert_int_equal(map_put(&fold, "NODE7", 5, 999, &old), 0);
	assert_int_equal(old, 7);
	v = map_get(&fold, "node7", 5, &found);
	assert_true(found);
	assert_int_equal(v, 7);
	/* the length bounds the key */
	v = map_get(&exact, "Node12345", 6, &found);
	assert_true(found);
	assert_int_equal(v, 12);
	map_get(&exact, "Node", 4, &found);
	assert_false(found);
	lc_map_free(&exact);
	lc_map_free(&fold);
	map_get(&exact, "Node1", 5, &found);
	assert_false(found);
}

/* The same map type keyed by MAC (held in the slot) and by address. */
static void test_map_mac_addr(void **state)
{
	struct lc_map macs = {.kind = LC_MAP_MAC}, addrs = {.kind = LC_MAP_ADDR};
	static struct lc_addr a[300];
	uint8_t mac[LC_MAC_LEN] = {0x52, 0x54, 0, 0, 0, 0};
	struct lc_map_slot *s;
	bool found;

	for (uint32_t i = 0; i < 300; i++) {
		mac[4] = (uint8_t)(i >> 8);
		mac[5] = (uint8_t)i;
		assert_int_equal(lc_map_put(&macs, mac, LC_MAC_LEN, &s), 1);
		s->val = i;
		s->aux = i * 2;
		a[i].family = i % 2 ? AF_INET6 : AF_INET;
		a[i].bytes[0] = 10;
		a[i].bytes[3] = (uint8_t)i;
		a[i].bytes[2] = (uint8_t)(i >> 8);
		assert_int_equal(map_put(&addrs, &a[i], sizeof(a[i]), i, NULL), 1);
	}
	assert_int_equal(macs.n, 300);
	for (uint32_t i = 0; i < 300; i++) {
		mac[4] = (uint8_t)(i >> 8);
		mac[5] = (uint8_t)i;
		s = lc_map_get(&macs, mac, LC_MAC_LEN);
		assert_non_null(s);
		assert_int_equal(s->val, i);
		assert_int_equal(s->aux, i * 2);
		/* the key is the value, not where it was */
		struct lc_addr q = a[i];
		assert_int_equal(map_get(&addrs, &q, sizeof(q), &found), i);
		assert_true(found);
		q.family = q.family == AF_INET ? AF_INET6 : AF_INET;
		map_get(&addrs, &q, sizeof(q), &found);
		assert_false(found);
	}
	mac[0] = 0xff;
	assert_null(lc_map_get(&macs, mac, LC_MAC_LEN));
	/* reserved up front: no growth */
	struct lc_map r = {.kind = LC_MAP_FOLD};
	assert_int_equal(lc_map_reserve(&r, 100), 0);
	size_t cap = r.mask + 1;
	assert_true(cap >= 200);
	static char names[100][8];
	for (uint32_t i = 0; i < 100; i++) {
		snprintf(names[i], sizeof(names[i]), "n%u", i);
		assert_int_equal(map_put(&r, names[i], strlen(names[i]), i, NULL), 1);
	}
	assert_int_equal(r.n, 100);
	assert_int_equal(r.mask + 1, cap);
	lc_map_free(&r);
	lc_map_free(&macs);
	lc_map_free(&addrs);
}

static void test_arena_vec(void **state)
{
	struct lc_arena a = {0};
	struct lc_vec v = {.item_size = sizeof(uint64_t)};
	char *big;

	/* many small strings and one larger than a chunk */
	for (int i = 0; i < 20000; i++) {
		char tmp[32];
		snprintf(tmp, sizeof(tmp), "name-%d", i);
		char *s = lc_arena_strdup(&a, tmp);
		assert_non_null(s);
		assert_string_equal(s, tmp);
		assert_int_equal((uintptr_t)s % 16, 0);
	}
	big = lc_arena_alloc(&a, 200000);
	assert_non_null(big);
	memset(big, 1, 200000);
	assert_string_equal(lc_arena_strndup(&a, "abcdef", 3), "abc");
	lc_arena_free(&a);
	assert_null(a.head);

	for (uint64_t i = 0; i < 1000; i++) {
		uint64_t *p = lc_vec_push(&v);
		assert_non_null(p);
		assert_int_equal(*p, 0); /* zeroed */
		*p = i * 3;
	}
	assert_int_equal(v.n, 1000);
	assert_int_equal(((uint64_t *)v.items)[999], 2997);
	lc_vec_free(&v);
	assert_int_equal(v.n, 0);
	assert_null(v.items);
}

/* Vectors and maps in an arena: there while small, then on the heap, the
 * same contents either way. */
static void test_arena_backed(void **state)
{
	struct lc_arena a = {.first = 16384};
	struct lc_vec v = {.item_size = sizeof(uint64_t), .arena = &a};
	struct lc_map m = {.kind = LC_MAP_STR, .arena = &a};
	static char names[1000][8];
	char *p, *q;

	for (uint64_t i = 0; i < 2000; i++) {
		uint64_t *x = lc_vec_push(&v);
		assert_non_null(x);
		assert_int_equal(*x, 0);
		*x = i * 7;
	}
	for (uint64_t i = 0; i < 2000; i++)
		assert_int_equal(((uint64_t *)v.items)[i], i * 7);
	lc_vec_free(&v);
	assert_null(v.items);

	for (uint32_t i = 0; i < 1000; i++) {
		snprintf(names[i], sizeof(names[i]), "k%u", i);
		assert_int_equal(map_put(&m, names[i], strlen(names[i]), i, NULL), 1);
		for (uint32_t j = 0; j <= i; j += 97) {
			bool found;
			assert_int_equal(map_get(&m, names[j], strlen(names[j]), &found), j);
			assert_true(found);
		}
	}
	lc_map_free(&m);

	/* the last allocation grows in place, another is copied */
	p = lc_arena_grow(&a, NULL, 0, 10);
	memcpy(p, "abcdefghi", 10);
	q = lc_arena_grow(&a, p, 10, 100);
	assert_ptr_equal(p, q);
	lc_arena_alloc(&a, 1);
	q = lc_arena_grow(&a, p, 100, 200);
	assert_ptr_not_equal(p, q);
	assert_string_equal(q, "abcdefghi");
	lc_arena_free(&a);
}

static bool no_tmp(const char *name, size_t len)
{
	return !lc_has_suffix(name, len, ".tmp");
}

static void test_list_dir(void **state)
{
	const char *dir = *state;
	static const char *const files[] = {"b.status", "a.conf", ".hidden", "b.tmp",
					    "\xc3\xa9", "a",	  "B.macs"};
	struct lc_arena a = {0};
	struct lc_sig sig = {0};
	char **names;
	size_t n;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unit_write(dir, files[i], "x", 1);
	/* strcmp's order, bytes unsigned; dot files left out */
	assert_int_equal(lc_list_dir(dir, &names, &n, &sig), 0);
	assert_true(sig.exists);
	assert_int_equal(n, 6);
	assert_string_equal(names[0], "B.macs");
	assert_string_equal(names[1], "a");
	assert_string_equal(names[2], "a.conf");
	assert_string_equal(names[3], "b.status");
	assert_string_equal(names[4], "b.tmp");
	assert_string_equal(names[5], "\xc3\xa9");
	lc_names_free(names, n);

	assert_int_equal(lc_list_dir_in(dir, &a, no_tmp, &names, &n, NULL), 0);
	assert_int_equal(n, 5);
	assert_string_equal(names[3], "b.status");
	assert_string_equal(names[4], "\xc3\xa9");
	lc_arena_free(&a);
	assert_int_equal(lc_list_dir_in("/nonexistent-dir", &a, NULL, &names, &n, NULL), -ENOENT);
	/* a file is no directory */
	char path[4096];
	snprintf(path, sizeof(path), "%s/a", dir);
	assert_int_equal(lc_list_dir(path, &names, &n, NULL), -ENOTDIR);
}

/* More names than the first getdents64 buffer holds: every one listed
 * once, in order, through the reads that follow it. */
static void test_list_dir_big(void **state)
{
	const char *dir = *state;
	struct lc_arena a = {0};
	char name[64], **names;
	size_t n;

	for (int i = 0; i < 700; i++) {
		snprintf(name, sizeof(name), "guest-with-a-long-name-%04d.status", i);
		unit_write(dir, name, "x", 1);
	}
	unit_write(dir, ".hidden", "x", 1);
	assert_int_equal(lc_list_dir_in(dir, &a, NULL, &names, &n, NULL), 0);
	assert_int_equal(n, 700);
	for (int i = 0; i < 700; i++) {
		snprintf(name, sizeof(name), "guest-with-a-long-name-%04d.status", i);
		assert_string_equal(names[i], name);
	}
	lc_arena_free(&a);
}

static void test_strings(void **state)
{
	assert_true(lc_streq_fold("Node1.LAB", "node1.lab"));
	assert_true(lc_streq_fold("", ""));
	assert_false(lc_streq_fold("node1", "node1."));
	assert_false(lc_streq_fold("node1.", "node1"));
	assert_false(lc_streq_fold("node1", "node2"));
	assert_false(lc_streq_fold("a[", "a{")); /* folded ASCII letters only */
	assert_false(lc_streq_fold("node1", "node10"));
	assert_false(lc_streq_fold("node10", "node1"));
	assert_false(lc_streq_fold("caf\xc3\xa9", "CAF\xc3\x89")); /* ASCII only */
	assert_true(lc_strneq_fold("ABCx", "abcy", 3));
	assert_false(lc_strneq_fold("ABCx", "abcy", 4));
	assert_true(lc_has_suffix("node1.lab.test", 14, ".lab.test"));
	assert_false(lc_has_suffix("test", 4, ".lab.test"));
	assert_int_equal(lc_hash_fold("Node1", 5), lc_hash_fold("nODE1", 5));
	assert_int_equal(lc_lower('Q'), 'q');
	assert_int_equal(lc_lower('['), '[');
}

/* xorshift: the same bytes on every run */
static uint64_t line_rand(void)
{
	static uint64_t x = 0x9e3779b97f4a7c15u;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

/* lc_line_start against a byte loop: from every place of buffers of
 * every length around its 32-byte steps, made of the byte, '\n' and
 * others (each in a heap block of exactly its length, for ASan). */
static void test_line_start(void **state)
{
	static const char alphabet[] = "i\n\nxd=";
	(void)state;
	for (int round = 0; round < 400; round++) {
		size_t len = round < 200 ? (size_t)round : (size_t)(line_rand() % 3000);
		char *buf = malloc(len ? len : 1);
		assert_non_null(buf);
		for (size_t i = 0; i < len; i++)
			buf[i] = alphabet[line_rand() % (sizeof(alphabet) - 1)];
		for (size_t from = 0; from <= len; from++) {
			size_t want = from;
			while (want < len &&
			       !(buf[want] == 'i' && (want == 0 || buf[want - 1] == '\n')))
				want++;
			assert_int_equal(lc_line_start(buf, len, from, 'i'), want);
		}
		free(buf);
	}
	assert_int_equal(lc_line_start("i", 1, 0, 'i'), 0);
	assert_int_equal(lc_line_start("xi", 2, 0, 'i'), 2);
	assert_int_equal(lc_line_start("x\ni", 3, 0, 'i'), 2);
	assert_int_equal(lc_line_start("i", 1, 1, 'i'), 1);
}

#define D(f) cmocka_unit_test_setup_teardown(f, unit_setup_tmpdir, unit_teardown_tmpdir)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    D(test_read_file),
	    D(test_read_big),
	    D(test_read_big_in),
	    D(test_read_refuses_non_regular),
	    D(test_sig),
	    cmocka_unit_test(test_strmap),
	    cmocka_unit_test(test_map_mac_addr),
	    cmocka_unit_test(test_arena_vec),
	    cmocka_unit_test(test_arena_backed),
	    D(test_list_dir),
	    D(test_list_dir_big),
	    cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_line_start),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
