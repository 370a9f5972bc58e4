/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Out of memory never gives a wrong answer.  Every allocation of a load is
 * made to fail in turn (the 1st, the 2nd, ... until a load makes no more):
 * each load then either fails with -ENOMEM or gives exactly the db a load
 * with memory gives, for the full build, the cold path and the cache.  A
 * load that dropped a file it could not read would answer "not found" for
 * that file's guests, and the cache would keep that answer until the file
 * changed.
 *
 * malloc, calloc and realloc are replaced for the whole program (glibc
 * lets a program interpose them; libc's own strdup and opendir go through
 * them too).  Under AddressSanitizer, which owns malloc, the test skips.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "resolver/lease.h"
#include "resolver/resolver.h"
#include "resolver/util.h"
#include "tests/unit/unit.h"

#define NOW INT64_C(1795000000)

#if !LC_UNDER_ASAN
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);

static long fail_at = -1; /* the allocation to fail, counting from 1 */
static long counted;

static bool fail_now(void)
{
	return fail_at > 0 && ++counted == fail_at;
}

void *malloc(size_t size)
{
	return fail_now() ? NULL : __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	return fail_now() ? NULL : __libc_realloc(p, size);
}
#endif

struct oom {
	char *root, *lease, *run;
	struct lc_paths paths;
};

static int setup(void **state)
{
	struct oom *t = calloc(1, sizeof(*t));
	if (!t || unit_world_new(&t->root, &t->lease, &t->run, &t->paths) < 0)
		return -1;
	unit_copy_captures(t->lease);
	/* a hook record too: its reader allocates as well */
	unit_writef(t->run, "guest-c9.rec",
		    "libvirt-cluster record 1\nkind guest\nname c9\ndriver lxc\n"
		    "nic 52:54:00:15:00:09 labnet virbr-lab\n");
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct oom *t = *state;
	unit_world_free(t->root, t->lease, t->run);
	free(t);
	return 0;
}

#if !LC_UNDER_ASAN
/* Every host of db, its addresses and aliases, one line each. */
static char *describe(const struct lc_db *db)
{
	size_t cap = 1 << 16, n = 0;
	char *out = malloc(cap);
	assert_non_null(out);
	out[0] = '\0';
	for (size_t i = 0; i < lc_db_n_hosts(db); i++) {
		const struct lc_host *h = lc_db_host(db, i);
		n += (size_t)snprintf(out + n, cap - n, "%s %d:", h->name, h->running);
		for (size_t k = 0; k < h->n_addrs; k++) {
			char a[64];
			lc_addr_format(&h->addrs[k].addr, a, sizeof(a));
			n += (size_t)snprintf(out + n, cap - n, " %s", a);
		}
		for (size_t k = 0; k < h->n_aliases; k++)
			n += (size_t)snprintf(out + n, cap - n, " =%s", h->aliases[k]);
		n += (size_t)snprintf(out + n, cap - n, "\n");
		assert_true(n < cap);
	}
	return out;
}

/* Load with the k-th allocation failing, for k = 1, 2, ... until a load
 * makes fewer than k; each must fail with -ENOMEM or match want.  Returns
 * how many loads failed. */
static long sweep(const struct lc_paths *paths, const char *name, const char *want)
{
	long failed = 0;
	for (long k = 1;; k++) {
		struct lc_db *db = NULL;
		counted = 0;
		fail_at = k;
		int r = lc_db_load_tracked(paths, NOW, name, NULL, NULL, &db);
		fail_at = -1;
		if (r < 0) {
			if (r != -ENOMEM)
				fail_msg("allocation %ld failed: load gave %d, not -ENOMEM", k, r);
			assert_null(db);
			failed++;
			continue;
		}
		char *got = describe(db);
		if (strcmp(got, want) != 0)
			fail_msg("allocation %ld failed (%s) and the load succeeded, but with\n%s\n"
				 "instead of\n%s",
				 k, name ? name : "full", got, want);
		free(got);
		lc_db_free(db);
		if (counted < k)
			return failed; /* this load never reached allocation k */
	}
}
#endif

static void test_full_and_cold(void **state)
{
	(void)state;
	if (LC_UNDER_ASAN)
		skip();
#if !LC_UNDER_ASAN
	struct oom *t = *state;
	struct lc_db *db;
	assert_int_equal(lc_db_load(&t->paths, NOW, &db), 0);
	char *want = describe(db);
	lc_db_free(db);
	assert_non_null(strstr(want, "c9 "));
	/* a build allocates little: most of it comes from a few arena chunks */
	assert_true(sweep(&t->paths, NULL, want) > 5);

	/* the cold path: a guest by its domain name, by its DHCP hostname
	 * (more passes), and a name that is no guest */
	static const struct {
		const char *name, *has;
	} cold[] = {{"c2", "c2 1: 192.168.150.11"},
		    {"c3-host", "c3 1: 192.168.150.12"},
		    {"www.example.com", NULL}};
	for (size_t i = 0; i < sizeof(cold) / sizeof(cold[0]); i++) {
		assert_int_equal(lc_db_load_tracked(&t->paths, NOW, cold[i].name, NULL, NULL, &db),
				 0);
		char *w = describe(db);
		lc_db_free(db);
		if (cold[i].has)
			assert_non_null(strstr(w, cold[i].has));
		/* a miss allocates least: its needles share the scratch
		 * arena's first chunk */
		assert_true(sweep(&t->paths, cold[i].name, w) > 3);
		free(w);
	}
	free(want);
#endif
}

/* The cache: a lookup that ran out of memory is not remembered; the next
 * one, with memory, finds the guest. */
static void test_cache_forgets(void **state)
{
	(void)state;
	if (LC_UNDER_ASAN)
		skip();
#if !LC_UNDER_ASAN
	struct oom *t = *state;
	for (long k = 1;; k++) {
		struct lc_cache *c = lc_cache_new();
		const struct lc_db *db;
		struct lc_match m;
		assert_non_null(c);
		counted = 0;
		fail_at = k;
		int r = lc_cache_get_for(c, &t->paths, NOW * 1000000000, "c2", &db);
		fail_at = -1;
		if (r == 0)
			assert_int_equal(lc_db_lookup_name(db, "c2", AF_UNSPEC, &m), LC_FOUND);
		else
			assert_int_equal(r, -ENOMEM);
		long made = counted;
		assert_int_equal(lc_cache_get_for(c, &t->paths, NOW * 1000000000, "c2", &db), 0);
		assert_int_equal(lc_db_lookup_name(db, "c2", AF_UNSPEC, &m), LC_FOUND);
		lc_cache_free(c);
		if (made < k)
			break;
	}
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_full_and_cold, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cache_forgets, setup, teardown),
	};
	return cmocka_run_group_tests_name("db_oom", tests, NULL, NULL);
}
