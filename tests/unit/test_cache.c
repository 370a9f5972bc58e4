/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The per-process cache: rebuilt exactly when a source changed or a lease
 * ran out, and not otherwise.
 *
 * Time is injected.  Every test works at `base`, ten seconds after the
 * real clock, so the ctime the kernel gives our writes (which no test can
 * set) is always older than the 100 ms racy window; mtimes are set
 * explicitly with utimensat, so no test sleeps.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolver/lease.h"
#include "resolver/resolver.h"
#include "resolver/util.h"
#include "tests/unit/unit.h"

#define MS INT64_C(1000000)
#define SEC INT64_C(1000000000)

struct ct {
	char *root, *lease, *run;
	struct lc_paths paths;
	struct lc_cache *cache;
	int64_t base; /* ns */
};

static int setup(void **state)
{
	struct ct *t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	if (unit_world_new(&t->root, &t->lease, &t->run, &t->paths) < 0)
		return -1;
	t->cache = lc_cache_new();
	if (!t->cache)
		return -1;
	/* whole seconds, so lease expiries line up with it */
	t->base = (lc_now_ns() / SEC + 10) * SEC;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct ct *t = *state;
	lc_cache_free(t->cache);
	unit_world_free(t->root, t->lease, t->run);
	free(t);
	return 0;
}

static int64_t age_ns;

static int age_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	struct timespec ts[2] = {{age_ns / SEC, age_ns % SEC}, {age_ns / SEC, age_ns % SEC}};
	return utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
}

/* Set the mtime of every file and dir of the test tree (dirs last). */
static void age_all(struct ct *t, int64_t ns)
{
	age_ns = ns;
	assert_int_equal(nftw(t->root, age_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static const struct lc_db *get(struct ct *t, int64_t now_ns)
{
	const struct lc_db *db = NULL;
	assert_int_equal(lc_cache_get(t->cache, &t->paths, now_ns, &db), 0);
	assert_non_null(db);
	return db;
}

/* The addresses a name resolves to, space-separated, or a status word. */
static const char *resolve(const struct lc_db *db, const char *name)
{
	static char out[512];
	struct lc_match m;
	enum lc_lookup r = lc_db_lookup_name(db, name, AF_UNSPEC, &m);

	if (r != LC_FOUND)
		return r == LC_NODATA ? "NODATA" : r == LC_UNAVAIL ? "UNAVAIL" : "NOTFOUND";
	unit_match_addrs(&m, out, sizeof(out));
	return out;
}

/*
 * The libvirt 9.0 capture.  Its leases expire an hour after it was taken
 * (1795781219, 2026-11-27 12:06:59 UTC), and these tests run at the real
 * clock: so c1's lease on virbr-iso (the only place that names the stopped
 * c1) is rewritten to expire an hour after base, as it did when captured.
 * virbr-lab.status is rewritten by each test.
 */
static void copy_fixtures(struct ct *t)
{
	unit_copy_captures(t->lease);
	char *s;
	assert_true(asprintf(&s,
			     "[\n  {\n    \"ip-address\": \"192.168.160.55\",\n"
			     "    \"mac-address\": \"52:54:00:16:00:01\",\n"
			     "    \"hostname\": \"c1\",\n"
			     "    \"client-id\": \"01:52:54:00:16:00:01\",\n"
			     "    \"expiry-time\": %lld\n  }\n]\n",
			     (long long)(t->base / SEC + 3600)) > 0);
	unit_write(t->lease, "virbr-iso.status", s, (size_t)-1);
	free(s);
}

/* A .status for virbr-lab with c2 at 192.168.150.<c2_octet>, expiring at
 * expiry (epoch seconds). */
static char *lab_status(int c2_octet, int64_t expiry)
{
	char *s;
	assert_true(asprintf(&s,
			     "[\n  {\n    \"ip-address\": \"192.168.150.%d\",\n"
			     "    \"mac-address\": \"52:54:00:15:00:02\",\n"
			     "    \"hostname\": \"c2\",\n"
			     "    \"expiry-time\": %lld\n  }\n]\n",
			     c2_octet, (long long)expiry) > 0);
	return s;
}

/* Fixtures plus a lab .status that expires far after base, all aged. */
static void world(struct ct *t, int c2_octet)
{
	copy_fixtures(t);
	char *s = lab_status(c2_octet, t->base / SEC + 3600);
	unit_write(t->lease, "virbr-lab.status", s, (size_t)-1);
	free(s);
	age_all(t, t->base - 10 * SEC);
}

static void test_unchanged_no_rebuild(void **state)
{
	struct ct *t = *state;
	const struct lc_db *db, *again;

	assert_int_equal(lc_cache_builds(t->cache), 0);
	world(t, 11);
	db = get(t, t->base);
	assert_int_equal(lc_cache_builds(t->cache), 1);
	assert_string_equal(resolve(db, "c2"), "192.168.150.11");
	/* nothing changed, files older than 100 ms: the same snapshot */
	for (int i = 1; i <= 50; i++) {
		again = get(t, t->base + i * 100 * MS);
		assert_ptr_equal(again, db);
	}
	assert_int_equal(lc_cache_builds(t->cache), 1);
	assert_string_equal(resolve(again, "c2"), "192.168.150.11");
}

static void test_rename_over(void **state)
{
	struct ct *t = *state;
	const struct lc_db *db;

	world(t, 11);
	db = get(t, t->base);
	assert_string_equal(resolve(db, "c2"), "192.168.150.11");
	/* libvirt replaces .status by rename: a new inode */
	char *s = lab_status(21, t->base / SEC + 3600);
	unit_replace(t->lease, "virbr-lab.status", s);
	free(s);
	age_all(t, t->base - 10 * SEC);
	db = get(t, t->base + SEC);
	assert_int_equal(lc_cache_builds(t->cache), 2);
	assert_string_equal(resolve(db, "c2"), "192.168.150.21");
	get(t, t->base + 2 * SEC);
	assert_int_equal(lc_cache_builds(t->cache), 2);
}

static void test_rewrite_in_place(void **state)
{
	struct ct *t = *state;
	const struct lc_db *db;
	struct stat before, after;
	char *path;

	world(t, 11);
	path = unit_path(t->lease, "virbr-lab.status");
	db = get(t, t->base);
	assert_string_equal(resolve(db, "c2"), "192.168.150.11");
	assert_int_equal(stat(path, &before), 0);
	/* same inode, a different size, the old mtime put back */
	char *s = lab_status(123, t->base / SEC + 3600);
	unit_write(t->lease, "virbr-lab.status", s, (size_t)-1);
	free(s);
	age_all(t, t->base - 10 * SEC);
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(after.st_ino, before.st_ino);
	db = get(t, t->base + SEC);
	assert_int_equal(lc_cache_builds(t->cache), 2);
	assert_string_equal(resolve(db, "c2"), "192.168.150.123");
	free(path);
}

static void test_racy_same_size_same_mtime(void **state)
{
	struct ct *t = *state;
	const struct lc_db *db;
	struct stat before, after;
	char *path;
	int64_t mtime = t->base - 50 * MS;

	world(t, 11);
	path = unit_path(t->lease, "virbr-lab.status");
	/* written 50 ms before the build: a second write in the same clock
	 * tick would leave every stat field as it is */
	unit_set_mtime(path, mtime);
	db = get(t, t->base);
	assert_int_equal(lc_cache_builds(t->cache), 1);
	assert_string_equal(resolve(db, "c2"), "192.168.150.11");

	/* the racy rule: a build that saw so young a file is not trusted, and
	 * the next lookup reads again even though nothing changed at all */
	get(t, t->base + 1 * MS);
	assert_int_equal(lc_cache_builds(t->cache), 2);

	/* now a rewrite in place, same size, same mtime put back */
	assert_int_equal(stat(path, &before), 0);
	char *s = lab_status(12, t->base / SEC + 3600);
	unit_write(t->lease, "virbr-lab.status", s, (size_t)-1);
	free(s);
	unit_set_mtime(path, mtime);
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(after.st_ino, before.st_ino);
	assert_int_equal(after.st_size, before.st_size);
	assert_int_equal(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
	assert_int_equal(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
	db = get(t, t->base + 2 * MS);
	assert_int_equal(lc_cache_builds(t->cache), 3);
	assert_string_equal(resolve(db, "c2"), "192.168.150.12");

	/* once the file is older than 100 ms at build time, the snapshot is
	 * trusted again: one more build, then none */
	db = get(t, t->base + 200 * MS);
	assert_int_equal(lc_cache_builds(t->cache), 4);
	assert_ptr_equal(get(t, t->base + 300 * MS), db);
	assert_ptr_equal(get(t, t->base + 5 * SEC), db);
	assert_int_equal(lc_cache_builds(t->cache), 4);
	assert_string_equal(resolve(db, "c2"), "192.168.150.12");
	free(path);
}

static void test_new_file(void **state)
{
	struct ct *t = *state;
	const struct lc_db *db;

	world(t, 11);
	db = get(t, t->base);
	assert_string_equal(resolve(db, "newbie"), "NOTFOUND");
	/* a network started: its .status appears */
	unit_writef(t->lease, "virbr-new.status",
		    "[{\"ip-address\": \"192.168.180.5\", \"hostname\": \"newbie\", "
		    "\"mac-address\": \"52:54:00:18:00:05\"}]\n");
	age_all(t, t->base - 10 * SEC);
	db = get(t, t->base + SEC);
	assert_int_equal(lc_cache_builds(t->cache), 2);
	assert_string_equal(resolve(db, "newbie"), "192.168.180.5");

	/* a hook record appears in the runstate dir */
	unit_write(t->run, "guest-c2.rec",
		   "libvirt-cluster record 1\nkind guest\nname c2\ndriver lxc\ngroup WEB\n"
		   "nic 52:54:00:15:00:02 labnet virbr-lab\n",
		   (size_t)-1);
	age_all(t, t->base - 10 * SEC);
	db = get(t, t->base + 2 * SEC);
	assert_int_equal(lc_cache_builds(t->cache), 3);
	struct lc_match m;
	assert_int_equal(lc_db_lookup_name(db, "c2", AF_UNSPEC, &m), LC_FOUND);
	assert_string_equal(m.host->group, "WEB");

	/* the config file is created */
	unit_writef(t->root, "libvirt-cluster.conf", "domains = cluster.test\n");
	age_all(t, t->base - 10 * SEC);
	db = get(t, t->base + 3 * SEC);
	assert_int_equal(lc_cache_builds(t->cache), 4);
	assert_string_equal(resolve(db, "c2.cluster.test"), "192.168.150.11");
	get(t, t->base + 4 * SEC);
	assert_int_equal(lc_cache_builds(t->cache), 4);
}

static void test_removed_file(void **state)
{
	struct ct *t = *state;
	const struct lc_db *db;
	char *path;

	world(t, 11);
	db = get(t, t->base);
	assert_string_equal(resolve(db, "c2"), "192.168.150.11");
	/* the lab leases are gone: c2 and c3 are still plugged in, with no address */
	path = unit_path(t->lease, "virbr-lab.status");
	assert_int_equal(unlink(path), 0);
	free(path);
	age_all(t, t->base - 10 * SEC);
	db = get(t, t->base + SEC);
	assert_int_equal(lc_cache_builds(t->cache), 2);
	assert_string_equal(resolve(db, "c2"), "NODATA");

	/* the whole lease dir goes: unavailable */
	unit_rmrf(t->lease);
	db = get(t, t->base + 2 * SEC);
	assert_int_equal(lc_cache_builds(t->cache), 3);
	assert_true(lc_db_unavailable(db));
	assert_string_equal(resolve(db, "c2"), "UNAVAIL");
	/* and comes back */
	assert_int_equal(mkdir(t->lease, 0755), 0);
	world(t, 11);
	db = get(t, t->base + 3 * SEC);
	assert_int_equal(lc_cache_builds(t->cache), 4);
	assert_false(lc_db_unavailable(db));
	assert_string_equal(resolve(db, "c2"), "192.168.150.11");
}

static void test_expiry_without_change(void **state)
{
	struct ct *t = *state;
	const struct lc_db *db;
	int64_t expiry = t->base / SEC + 100;

	copy_fixtures(t);
	char *s = lab_status(11, expiry);
	unit_write(t->lease, "virbr-lab.status", s, (size_t)-1);
	free(s);
	age_all(t, t->base - 10 * SEC);

	db = get(t, t->base);
	assert_string_equal(resolve(db, "c2"), "192.168.150.11");
	/* up to the last nanosecond before the expiry second: no rebuild */
	assert_ptr_equal(get(t, (expiry - 1) * SEC), db);
	assert_ptr_equal(get(t, expiry * SEC - 1), db);
	assert_int_equal(lc_cache_builds(t->cache), 1);
	/* at it: rebuilt, and the lease is gone though no file changed */
	db = get(t, expiry * SEC);
	assert_int_equal(lc_cache_builds(t->cache), 2);
	assert_string_equal(resolve(db, "c2"), "NODATA");
	/* nothing left to expire: stable again */
	assert_ptr_equal(get(t, (expiry + 1000) * SEC), db);
	assert_int_equal(lc_cache_builds(t->cache), 2);
}

static void test_paths_change(void **state)
{
	struct ct *t = *state;
	const struct lc_db *db;
	struct lc_paths other = t->paths;

	world(t, 11);
	db = get(t, t->base);
	assert_string_equal(resolve(db, "c2"), "192.168.150.11");
	/* another set of paths is another world */
	snprintf(other.lease_dir, sizeof(other.lease_dir), "%s/nowhere", t->root);
	assert_int_equal(lc_cache_get(t->cache, &other, t->base + SEC, &db), 0);
	assert_int_equal(lc_cache_builds(t->cache), 2);
	assert_string_equal(resolve(db, "c2"), "UNAVAIL");
	db = get(t, t->base + 2 * SEC);
	assert_int_equal(lc_cache_builds(t->cache), 3);
	assert_string_equal(resolve(db, "c2"), "192.168.150.11");
}

static const struct lc_db *get_for(struct ct *t, int64_t now_ns, const char *name)
{
	const struct lc_db *db = NULL;
	assert_int_equal(lc_cache_get_for(t->cache, &t->paths, now_ns, name, &db), 0);
	assert_non_null(db);
	return db;
}

/* The fixtures with c2 and c3 both leased, far in the future. */
static void world_two(struct ct *t)
{
	char *s;
	copy_fixtures(t);
	assert_true(
	    asprintf(&s,
		     "[{\"ip-address\": \"192.168.150.11\", \"mac-address\": "
		     "\"52:54:00:15:00:02\", \"hostname\": \"c2\", \"expiry-time\": %lld},"
		     " {\"ip-address\": \"192.168.150.12\", \"mac-address\": "
		     "\"52:54:00:15:00:03\", \"hostname\": \"c3-host\", \"expiry-time\": %lld}]\n",
		     (long long)(t->base / SEC + 3600), (long long)(t->base / SEC + 3600)) > 0);
	unit_write(t->lease, "virbr-lab.status", s, (size_t)-1);
	free(s);
	age_all(t, t->base - 10 * SEC);
}

static void test_cold_then_full(void **state)
{
	struct ct *t = *state;
	const struct lc_db *db, *full;
	struct lc_db *ref;
	/* more different names than the cache takes before a full build (32) */
	char names[40][16];
	strcpy(names[0], "c3");
	strcpy(names[1], "c3-host");
	for (int i = 2; i < 40; i++)
		snprintf(names[i], sizeof(names[i]), "nosuch%d", i);
	int64_t now = t->base;

	world_two(t);
	assert_int_equal(lc_db_load(&t->paths, t->base / SEC, &ref), 0);
	size_t all = lc_db_n_hosts(ref);
	lc_db_free(ref);
	assert_int_equal(all, 3); /* c2, c3 running; c1 stopped */

	/* the cold path as a big lab takes it: never a whole parse for one
	 * name (test_small_lab_whole has the small lab's way) */
	lc_db_whole_max = 0;
	/* a first lookup loads only what can matter to its name */
	db = get_for(t, now, "c2");
	assert_int_equal(lc_cache_builds(t->cache), 1);
	assert_string_equal(resolve(db, "c2"), "192.168.150.11");
	assert_true(lc_db_n_hosts(db) < all);
	/* the same name again, in any spelling: no rebuild */
	assert_ptr_equal(get_for(t, now += MS, "C2."), db);
	assert_ptr_equal(get_for(t, now += MS, "c2"), db);
	assert_int_equal(lc_cache_builds(t->cache), 1);

	/* other names: a partial db each, until the process has shown it will
	 * keep asking; then one full db serves every name */
	unsigned long last = lc_cache_builds(t->cache);
	int stable = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		db = get_for(t, now += MS, names[i]);
		if (!strcmp(names[i], "c3") || !strcmp(names[i], "c3-host"))
			assert_string_equal(resolve(db, names[i]), "192.168.150.12");
		else
			assert_string_equal(resolve(db, names[i]), "NOTFOUND");
		stable = lc_cache_builds(t->cache) == last ? stable + 1 : 0;
		last = lc_cache_builds(t->cache);
	}
	assert_true(stable >= 3);
	assert_true(last <= 34);
	full = db;
	assert_int_equal(lc_db_n_hosts(full), all);
	assert_ptr_equal(get_for(t, now += MS, "c2"), full);
	assert_ptr_equal(get(t, now += MS), full);
	assert_int_equal(lc_cache_builds(t->cache), last);

	/* a change starts a new generation of files: partial again */
	char *s = lab_status(21, t->base / SEC + 3600);
	unit_replace(t->lease, "virbr-lab.status", s);
	free(s);
	age_all(t, t->base - 10 * SEC);
	db = get_for(t, now += MS, "c2");
	assert_int_equal(lc_cache_builds(t->cache), last + 1);
	assert_string_equal(resolve(db, "c2"), "192.168.150.21");
	assert_true(lc_db_n_hosts(db) < all);
	/* and a caller that needs everything gets a full db */
	db = get(t, now += MS);
	assert_int_equal(lc_cache_builds(t->cache), last + 2);
	assert_string_equal(resolve(db, "c2"), "192.168.150.21");
	assert_int_equal(lc_db_n_hosts(db), 3);
	lc_db_whole_max = LC_DB_WHOLE_MAX;
}

/*
 * In a small lab a first lookup that finds its name parses the files
 * whole: that one db then answers every other name, forward and reverse,
 * with no rebuild.  A miss (its name in no file) still parses nothing.
 */
static void test_small_lab_whole(void **state)
{
	struct ct *t = *state;
	const struct lc_db *db, *miss;
	int64_t now = t->base;

	world_two(t);
	miss = get_for(t, now, "www.example.com");
	assert_string_equal(resolve(miss, "www.example.com"), "NOTFOUND");
	assert_false(lc_db_complete(miss));
	assert_int_equal(lc_db_n_hosts(miss), 0);
	assert_int_equal(lc_cache_builds(t->cache), 1);

	db = get_for(t, now += MS, "c2");
	assert_int_equal(lc_cache_builds(t->cache), 2);
	assert_true(lc_db_complete(db));
	assert_int_equal(lc_db_n_hosts(db), 3);
	assert_string_equal(resolve(db, "c2"), "192.168.150.11");
	/* every later name, hit or miss, and a caller that needs everything */
	assert_ptr_equal(get_for(t, now += MS, "c3"), db);
	assert_string_equal(resolve(db, "c3-host"), "192.168.150.12");
	assert_ptr_equal(get_for(t, now += MS, "c3-host"), db);
	assert_ptr_equal(get_for(t, now += MS, "github.com"), db);
	assert_string_equal(resolve(db, "github.com"), "NOTFOUND");
	assert_ptr_equal(get(t, now += MS), db);
	assert_int_equal(lc_cache_builds(t->cache), 2);

	/* a change: the next hit parses whole again and sees it */
	char *s = lab_status(21, t->base / SEC + 3600);
	unit_replace(t->lease, "virbr-lab.status", s);
	free(s);
	age_all(t, t->base - 10 * SEC);
	db = get_for(t, now += MS, "c3");
	assert_int_equal(lc_cache_builds(t->cache), 3);
	assert_true(lc_db_complete(db));
	assert_ptr_equal(get_for(t, now += MS, "c2"), db);
	assert_string_equal(resolve(db, "c2"), "192.168.150.21");
}

static void test_cold_expiry(void **state)
{
	struct ct *t = *state;
	const struct lc_db *db;
	int64_t expiry = t->base / SEC + 100;

	/* a partial db goes stale at its leases' expiry like a full one */
	copy_fixtures(t);
	char *s = lab_status(11, expiry);
	unit_write(t->lease, "virbr-lab.status", s, (size_t)-1);
	free(s);
	age_all(t, t->base - 10 * SEC);
	db = get_for(t, t->base, "c2");
	assert_string_equal(resolve(db, "c2"), "192.168.150.11");
	assert_ptr_equal(get_for(t, expiry * SEC - 1, "c2"), db);
	db = get_for(t, expiry * SEC, "c2");
	assert_int_equal(lc_cache_builds(t->cache), 2);
	assert_string_equal(resolve(db, "c2"), "NODATA");
}

/*
 * A miss that found its name in no file parsed nothing, not even the
 * .conf files (only stat()ed): every file it read or skipped is still
 * tracked, so a change to any of them is seen by the next lookup, and a
 * name that appears in a file is then found.
 */
static void test_cold_miss_tracks(void **state)
{
	struct ct *t = *state;
	const struct lc_db *db;
	int64_t now = t->base;
	char *s;

	world_two(t);
	db = get_for(t, now, "c9.lab.test");
	assert_string_equal(resolve(db, "c9.lab.test"), "NOTFOUND");
	assert_int_equal(lc_db_n_hosts(db), 0);
	assert_ptr_equal(get_for(t, now += MS, "c9.lab.test"), db);
	assert_int_equal(lc_cache_builds(t->cache), 1);

	/* a .conf the miss never read, rewritten in place (the directory
	 * unchanged): the db is not trusted */
	size_t len;
	char *conf = unit_fixture("libvirt-9.0/dnsmasq/labnet.conf", &len);
	char *path = unit_path(t->lease, "labnet.conf");
	assert_true(asprintf(&s, "%s# edited\n", conf) > 0);
	unit_write(t->lease, "labnet.conf", s, (size_t)-1);
	unit_set_mtime(path, t->base - 10 * SEC);
	free(s);
	free(conf);
	free(path);
	db = get_for(t, now += MS, "c9.lab.test");
	assert_int_equal(lc_cache_builds(t->cache), 2);
	assert_string_equal(resolve(db, "c9.lab.test"), "NOTFOUND");

	/* a lease of c3 now asks for hostname c9: found, with the domain of
	 * the .conf read this time */
	assert_true(
	    asprintf(&s,
		     "[{\"ip-address\": \"192.168.150.12\", \"mac-address\": "
		     "\"52:54:00:15:00:03\", \"hostname\": \"C9\", \"expiry-time\": %lld}]\n",
		     (long long)(t->base / SEC + 3600)) > 0);
	unit_replace(t->lease, "virbr-lab.status", s);
	free(s);
	age_all(t, t->base - 10 * SEC);
	db = get_for(t, now += MS, "c9.lab.test");
	assert_int_equal(lc_cache_builds(t->cache), 3);
	assert_string_equal(resolve(db, "c9.lab.test"), "192.168.150.12");

	/* a guest only in a .macs (no lease): a miss before, NODATA after */
	db = get_for(t, now += MS, "c8");
	assert_string_equal(resolve(db, "c8"), "NOTFOUND");
	unit_replace(t->lease, "virbr-lab.macs",
		     "[{\"domain\": \"c2\", \"macs\": [\"52:54:00:15:00:02\"]},\n"
		     " {\"domain\": \"c3\", \"macs\": [\"52:54:00:15:00:03\"]},\n"
		     " {\"domain\": \"c8\", \"macs\": [\"52:54:00:15:00:08\"]}]\n");
	age_all(t, t->base - 10 * SEC);
	db = get_for(t, now += MS, "c8");
	assert_string_equal(resolve(db, "c8"), "NODATA");
}

static void test_paths_default(void **state)
{
	struct lc_paths p;
	char big[600];

	unsetenv("LIBVIRT_CLUSTER_LEASE_DIR");
	unsetenv("LIBVIRT_CLUSTER_RUNSTATE_DIR");
	unsetenv("LIBVIRT_CLUSTER_CONFIG");
	lc_paths_default(&p);
	assert_string_equal(p.lease_dir, LEASE_DIR);
	assert_string_equal(p.runstate_dir, RUNSTATE_DIR);
	assert_string_equal(p.config, CONFIG_FILE);

	setenv("LIBVIRT_CLUSTER_LEASE_DIR", "/tmp/leases", 1);
	setenv("LIBVIRT_CLUSTER_RUNSTATE_DIR", "/tmp/run", 1);
	setenv("LIBVIRT_CLUSTER_CONFIG", "", 1); /* empty: the default */
	lc_paths_default(&p);
	assert_string_equal(p.lease_dir, "/tmp/leases");
	assert_string_equal(p.runstate_dir, "/tmp/run");
	assert_string_equal(p.config, CONFIG_FILE);

	/* too long for the struct: the default, never a cut path */
	memset(big, 'x', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	setenv("LIBVIRT_CLUSTER_LEASE_DIR", big, 1);
	lc_paths_default(&p);
	assert_string_equal(p.lease_dir, LEASE_DIR);
	unsetenv("LIBVIRT_CLUSTER_LEASE_DIR");
	unsetenv("LIBVIRT_CLUSTER_RUNSTATE_DIR");
	unsetenv("LIBVIRT_CLUSTER_CONFIG");
}

static void test_free_null(void **state)
{
	lc_cache_free(NULL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_unchanged_no_rebuild),
	    T(test_rename_over),
	    T(test_rewrite_in_place),
	    T(test_racy_same_size_same_mtime),
	    T(test_new_file),
	    T(test_removed_file),
	    T(test_expiry_without_change),
	    T(test_paths_change),
	    T(test_cold_then_full),
	    T(test_small_lab_whole),
	    T(test_cold_expiry),
	    T(test_cold_miss_tracks),
	    cmocka_unit_test(test_paths_default),
	    cmocka_unit_test(test_free_null),
	};
	return cmocka_run_group_tests_name("cache", tests, NULL, NULL);
}
