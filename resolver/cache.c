/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The per-process cache.  A warm lookup costs one stat() per source file
 * and a hash probe; nothing is re-read or re-parsed until a signature
 * (inode, size, mtime, ctime) changes.
 *
 * Timestamps are coarse: two writes within one clock tick can leave the
 * same mtime.  As git does for its index ("racy git"), a file whose
 * mtime or ctime is within RACY_NS of the moment we read it is not trusted:
 * the next lookup reads everything again, until the files have aged.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>

#include "resolver/lease.h"
#include "resolver/resolver.h"
#include "resolver/util.h"

#define RACY_NS (100 * 1000 * 1000LL)

struct tracked {
	size_t path; /* offset in the cache's path block */
	struct lc_sig sig;
};

struct lc_cache {
	struct lc_db *db;
	struct lc_paths paths;
	struct tracked *files;
	/* files[0..n_files) belong to the db; files[n_files..n_paths) hold the
	 * paths of an earlier build, kept for the next one to reuse: a reload
	 * tracks the same paths in the same order, and a compare costs less
	 * than a free and a strdup */
	size_t n_files, n_paths, cap_files;
	/* the paths, NUL-terminated one after another in one block, in the
	 * order they were tracked: one allocation, not a strdup a file */
	char *pathbuf;
	size_t pb_used, pb_cap;
	int64_t built_ns;
	bool racy;
	bool oom; /* tracking failed: never trust this db */
	/* A partial db answers for one name only (the cold path).  A full
	 * build costs about as much as 11-20 cold lookups of new names, so,
	 * as in renting skis, the process pays for cold lookups until it has
	 * spent about what a full build costs, then builds everything once:
	 * never more than about twice the best choice made in hindsight. */
	bool partial;
	char query[LC_NAME_MAX + 1];
	unsigned partial_builds;
	unsigned long builds;
	/* where files and pathbuf start: a small lab's build tracks about ten
	 * files, which then cost no allocation of their own (see grow).  Last:
	 * lc_cache_new zeroes what comes before them, not them. */
	struct tracked files0[16];
	char pathbuf0[1024];
};

#define PARTIAL_MAX 32

/*
 * How many partial builds one full build is worth, from the bytes of the
 * files the last build read.  Measured (bench/run's files, callgrind,
 * December 2026): a full build costs about 14k instructions and 11 a byte
 * (325k at N=100, 30 KB; 3.2M at N=1,000, 285 KB), a partial one the same
 * 14k and about half an instruction a byte (its scans and the objects it
 * takes: 30-39k at N=100, 108-199k at N=1,000).  So N=100 is worth a full
 * build after about 11 names, N=1,000 after 18, and the ratio stays under
 * 22 for large files (PARTIAL_MAX bounds it).  A small lab's hit parses
 * everything anyway (lc_db_whole_max); there this counts its misses.
 */
static unsigned partial_max(const struct lc_cache *c)
{
	uint64_t bytes = 0;
	for (size_t i = 0; i < c->n_files; i++)
		if (c->files[i].sig.exists && S_ISREG(c->files[i].sig.mode))
			bytes += (uint64_t)c->files[i].sig.size;
	uint64_t k = (14000 + 11 * bytes) / (14000 + bytes / 2);
	return k < 2 ? 2 : k > PARTIAL_MAX ? PARTIAL_MAX : (unsigned)k;
}

extern char **environ;

/*
 * The paths, and the environment's overrides of them.  Every lookup asks,
 * so the environment is read in one pass, a byte compare a variable (three
 * getenv() calls scanned all of it three times: more than a warm lookup in
 * a shell's environment).  As secure_getenv() does, a process the kernel
 * marked secure (AT_SECURE: setuid, setgid, file capabilities) takes no
 * override at all.
 */
void lc_paths_default(struct lc_paths *ret_paths)
{
#define ENV(name) name, sizeof(name) - 1
	static const struct {
		const char *env;
		size_t env_len;
		const char *def;
		size_t off;
	} map[] = {
	    {ENV("LIBVIRT_CLUSTER_LEASE_DIR="), LEASE_DIR, offsetof(struct lc_paths, lease_dir)},
	    {ENV("LIBVIRT_CLUSTER_RUNSTATE_DIR="), RUNSTATE_DIR,
	     offsetof(struct lc_paths, runstate_dir)},
	    {ENV("LIBVIRT_CLUSTER_CONFIG="), CONFIG_FILE, offsetof(struct lc_paths, config)},
	};
#undef ENV
	const char *v[3] = {NULL, NULL, NULL};
	bool any = false;

	for (char **e = environ; e && *e; e++) {
		/* LANG, LC_*, LD_*, LOGNAME: told apart by the second byte */
		if ((*e)[0] != 'L' || (*e)[1] != 'I' || strncmp(*e, "LIBVIRT_CLUSTER_", 16) != 0)
			continue;
		/* the three differ in the byte after the prefix: one compare */
		char c = (*e)[16];
		size_t i = c == 'L' ? 0 : c == 'R' ? 1 : 2;
		/* the first one counts, as for getenv() */
		if (!v[i] && strncmp(*e + 16, map[i].env + 16, map[i].env_len - 16) == 0) {
			v[i] = *e + map[i].env_len;
			any = true;
		}
	}
	if (any && getauxval(AT_SECURE))
		v[0] = v[1] = v[2] = NULL;
	for (size_t i = 0; i < 3; i++) {
		const char *p = v[i];
		if (!p || !*p || strlen(p) >= sizeof(ret_paths->lease_dir))
			p = map[i].def;
		strcpy((char *)ret_paths + map[i].off, p);
	}
}

struct lc_cache *lc_cache_new(void)
{
	struct lc_cache *c = malloc(sizeof(struct lc_cache));
	if (!c)
		return NULL;
	memset(c, 0, offsetof(struct lc_cache, files0));
	c->files = c->files0;
	c->cap_files = sizeof(c->files0) / sizeof(c->files0[0]);
	c->pathbuf = c->pathbuf0;
	c->pb_cap = sizeof(c->pathbuf0);
	return c;
}

/* cur, of old bytes, as size bytes: out of the cache's own first block
 * (first) into the heap, then by realloc. */
static void *grow(void *cur, void *first, size_t old, size_t size)
{
	if (cur != first)
		return realloc(cur, size);
	void *n = malloc(size);
	if (n)
		memcpy(n, cur, old);
	return n;
}

/* Forget the db's files, keeping their paths for the next build. */
static void drop_files(struct lc_cache *c)
{
	c->n_files = 0;
}

void lc_cache_free(struct lc_cache *c)
{
	if (!c)
		return;
	lc_db_free(c->db);
	if (c->pathbuf != c->pathbuf0)
		free(c->pathbuf);
	if (c->files != c->files0)
		free(c->files);
	free(c);
}

unsigned long lc_cache_builds(const struct lc_cache *c)
{
	return c->builds;
}

static void track(void *ud, const char *path, const struct lc_sig *sig)
{
	struct lc_cache *c = ud;

	if (c->n_files == c->cap_files) {
		size_t ncap = c->cap_files * 2;
		struct tracked *n =
		    grow(c->files, c->files0, c->cap_files * sizeof(*n), ncap * sizeof(*n));
		if (!n) {
			c->oom = true;
			return;
		}
		c->files = n;
		c->cap_files = ncap;
	}
	struct tracked *t = &c->files[c->n_files];
	if (c->n_files < c->n_paths && strcmp(c->pathbuf + t->path, path) != 0) {
		/* a different file from here on: the paths after it are not
		 * worth keeping either (a build tracks them in one order) */
		c->n_paths = c->n_files;
		c->pb_used = t->path;
	}
	if (c->n_files == c->n_paths) {
		size_t l = strlen(path) + 1;
		if (c->pb_used + l > c->pb_cap) {
			size_t ncap = c->pb_cap * 2;
			while (ncap < c->pb_used + l)
				ncap *= 2;
			char *nb = grow(c->pathbuf, c->pathbuf0, c->pb_used, ncap);
			if (!nb) {
				c->oom = true;
				return;
			}
			c->pathbuf = nb;
			c->pb_cap = ncap;
		}
		memcpy(c->pathbuf + c->pb_used, path, l);
		t->path = c->pb_used;
		c->pb_used += l;
		c->n_paths++;
	}
	t->sig = *sig;
	c->n_files++;
	if (sig->exists &&
	    (sig->mtime_ns > c->built_ns - RACY_NS || sig->ctime_ns > c->built_ns - RACY_NS))
		c->racy = true;
}

/* What the files say about the cached db. */
enum validity {
	CHANGED,   /* a new generation of files (or answers): start over */
	RACY,	   /* the same files, but read too soon after a write to trust */
	UNCHANGED, /* use it */
};

static enum validity check_files(struct lc_cache *c, const struct lc_paths *paths, int64_t now_ns)
{
	if (!c->db || c->oom)
		return CHANGED;
	if (strcmp(c->paths.lease_dir, paths->lease_dir) != 0 ||
	    strcmp(c->paths.runstate_dir, paths->runstate_dir) != 0 ||
	    strcmp(c->paths.config, paths->config) != 0)
		return CHANGED;
	/* a lease that expires needs no file change to vanish */
	if (now_ns / 1000000000 >= lc_db_next_expiry(c->db))
		return CHANGED;
	for (size_t i = 0; i < c->n_files; i++) {
		struct stat st;
		struct lc_sig sig = {0};
		if (stat(c->pathbuf + c->files[i].path, &st) == 0)
			lc_sig_from_stat(&sig, &st);
		if (!lc_sig_equal(&sig, &c->files[i].sig))
			return CHANGED;
	}
	return c->racy ? RACY : UNCHANGED;
}

int lc_cache_get_for(struct lc_cache *c, const struct lc_paths *paths, int64_t now_ns,
		     const char *name, const struct lc_db **ret_db)
{
	char q[LC_NAME_MAX + 1];

	if (!name || lc_name_normalize(name, q, sizeof(q)) < 0)
		q[0] = '\0';
	return lc_cache_get_normalized(c, paths, now_ns, q, ret_db);
}

int lc_cache_get_normalized(struct lc_cache *c, const struct lc_paths *paths, int64_t now_ns,
			    const char *q, const struct lc_db **ret_db)
{
	struct lc_db *db;
	int r;

	if (!q)
		q = "";
	enum validity v = check_files(c, paths, now_ns);
	if (v == UNCHANGED && (!c->partial || (q[0] && !strcmp(q, c->query)))) {
		*ret_db = c->db;
		return 0;
	}
	/* a racy re-read is not a new generation: it must not restart the
	 * count that decides when to build everything */
	if (v == CHANGED)
		c->partial_builds = 0;
	/* the files of the last build tell how big a full one would be; a
	 * re-read for the name the partial db answers (racy files) stays
	 * partial, whatever the budget */
	unsigned max_partial = c->partial_builds ? partial_max(c) : PARTIAL_MAX;
	bool again = c->partial && q[0] && !strcmp(q, c->query);
	lc_db_free(c->db);
	c->db = NULL;
	drop_files(c);
	c->racy = false;
	c->oom = false;
	c->built_ns = now_ns;
	c->paths = *paths;
	c->partial = q[0] && (again || c->partial_builds < max_partial);
	r = lc_db_load_normalized(paths, now_ns / 1000000000, c->partial ? q : NULL, track, c, &db);
	if (r < 0)
		return r;
	/* a small lab's hit parses everything (lc_db_whole_max): one parse
	 * then serves every later name */
	if (c->partial && lc_db_complete(db))
		c->partial = false;
	if (c->partial) {
		/* a distinct name is what counts: a racy re-read of the same
		 * one (files just written) must not spend the budget */
		if (!again)
			c->partial_builds++;
		strcpy(c->query, q);
	}
	c->db = db;
	c->builds++;
	*ret_db = db;
	return 0;
}

int lc_cache_get(struct lc_cache *c, const struct lc_paths *paths, int64_t now_ns,
		 const struct lc_db **ret_db)
{
	return lc_cache_get_for(c, paths, now_ns, NULL, ret_db);
}
