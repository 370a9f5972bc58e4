/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Cluster DNS where the rest of the host layer meets it: a guest record
 * and its leases become what is published, for the worker's events and
 * for --sync. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "host/ddns.h"
#include "host/host.h"

int ddns_guest_of(const struct lc_guest_record *rec, const struct host_lease *leases, size_t n,
		  struct ddns_guest *ret)
{
	struct lc_addr addrs[DDNS_MAX_ADDRS];
	size_t k = 0;

	for (size_t i = 0; i < n && k < DDNS_MAX_ADDRS; i++)
		addrs[k++] = leases[i].addr;
	return ddns_guest_from_record(rec, addrs, k, ret);
}

/* What the module answers for the guest: its live leases and the
 * addresses discovery found (a bridged or static NIC has only those),
 * ranked by the core's one rank function.  0 when db has no running guest
 * of that name. */
static size_t answered_addrs(const struct lc_db *db, const char *name, struct lc_addr *out,
			     size_t max)
{
	struct lc_match m;
	size_t k = 0;

	if (lc_db_lookup_name(db, name, AF_UNSPEC, &m) != LC_FOUND || !m.host->guest ||
	    !m.host->running || strcmp(m.host->name, name) != 0)
		return 0;
	for (size_t i = 0; i < m.host->n_addrs && k < max; i++)
		if (lc_match_addr(&m, i))
			out[k++] = m.host->addrs[i].addr;
	return k;
}

/* A record's guest with the addresses the module answers for it (db). */
static int guest_load(const struct lc_db *db, const struct lc_guest_record *rec,
		      struct ddns_guest *g)
{
	struct lc_addr addrs[DDNS_MAX_ADDRS];

	return ddns_guest_from_record(rec, addrs,
				      answered_addrs(db, rec->name, addrs, DDNS_MAX_ADDRS), g);
}

struct recorded_walk {
	const struct lc_paths *paths;
	const struct lc_db *db;
	struct lc_guest_record *rec;
	struct ddns_guest *all;
	size_t n, cap;
};

static int recorded_one(enum lc_record_kind kind, const char *name, void *userdata)
{
	struct recorded_walk *w = userdata;

	if (kind != LC_RECORD_GUEST ||
	    lc_guest_record_load(w->paths->runstate_dir, name, w->rec) < 0)
		return 0;
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct ddns_guest *g = realloc(w->all, cap * sizeof(*g));
		if (!g)
			return -ENOMEM;
		w->all = g;
		w->cap = cap;
	}
	/* a record that is no DNS name (no UUID, a dot) is not published */
	int one = guest_load(w->db, w->rec, &w->all[w->n]);
	if (one == -ENOMEM)
		return one;
	if (one == 0)
		w->n++;
	return 0;
}

int ddns_guests_recorded(const struct lc_paths *paths, struct ddns_guest **ret, size_t *ret_n)
{
	struct lc_db *db = NULL;
	struct recorded_walk w = {.paths = paths, .rec = malloc(sizeof(*w.rec))};
	/* one db for every guest: what the module answers, read once */
	int r = w.rec ? lc_db_load(paths, time(NULL), &db) : -ENOMEM;

	w.db = db;
	if (r == 0)
		r = lc_record_dir_foreach(paths->runstate_dir, recorded_one, &w);
	lc_db_free(db);
	free(w.rec);
	if (r == -ENOENT)
		r = 0;
	if (r < 0) {
		free(w.all);
		return r;
	}
	*ret = w.all;
	*ret_n = w.n;
	return 0;
}

int ddns_settings(const struct lc_config *cfg, struct ddns_config **ret, char *err, size_t size)
{
	struct ddns_config *c;
	int r;

	if (!cfg->dns_server)
		return -ENODATA;
	c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	r = ddns_config_from(cfg, DDNS_MACHINE_ID, c, err, size);
	if (r < 0) {
		free(c);
		return r;
	}
	*ret = c;
	return 0;
}

/* One event's update for g (built is what building it returned), the
 * spool on failure: the log line into msg, the status returned. */
static int event_send(const struct lc_config *cfg, enum ddns_op op, const char *name,
		      const struct ddns_guest *g, int built, char *msg, size_t size)
{
	struct ddns_config *c = NULL;
	struct ddns_result res;
	char err[DDNS_ERR_MAX];
	int r = ddns_settings(cfg, &c, err, sizeof(err));

	if (r == -ENODATA)
		return r;
	if (r < 0) {
		snprintf(msg, size, "cluster DNS: not updated: %s", err);
		return DDNS_MISCONFIGURED;
	}
	r = built;
	if (r == 0)
		r = ddns_apply(c, ddns_spool_dir(), op, g, time(NULL), &res);
	free(c);
	if (r == -ENODATA) {
		snprintf(msg, size, "cluster DNS: %s has no address to publish", name);
		return r;
	}
	if (r < 0) {
		snprintf(msg, size, "cluster DNS: %s: %s", name, strerror(-r));
		return r;
	}
	snprintf(msg, size, "cluster DNS: %s%s", res.message,
		 res.status == DDNS_RETRY || res.status == DDNS_MISCONFIGURED ? " (spooled)" : "");
	return (int)res.status;
}

int ddns_event(const struct lc_config *cfg, enum ddns_op op, const struct lc_guest_record *rec,
	       const struct host_lease *leases, size_t n, char *msg, size_t size)
{
	struct ddns_guest g;

	if (!cfg->dns_server)
		return -ENODATA;
	return event_send(cfg, op, rec->name, &g, ddns_guest_of(rec, leases, n, &g), msg, size);
}

int ddns_event_answered(const struct lc_paths *paths, const struct lc_config *cfg,
			const struct lc_guest_record *rec, char *msg, size_t size)
{
	struct ddns_guest g;
	struct lc_db *db = NULL;
	int built;

	if (!cfg->dns_server)
		return -ENODATA;
	built = lc_db_load(paths, time(NULL), &db);
	if (built == 0)
		built = guest_load(db, rec, &g);
	lc_db_free(db);
	return event_send(cfg, DDNS_OP_PUBLISH, rec->name, &g, built, msg, size);
}

void ddns_event_retry(const struct lc_config *cfg, const char *name, unsigned tries,
		      ddns_spool_fn on_result, void *userdata)
{
	struct ddns_config *c = NULL;
	struct ddns_spool_stats st;
	char err[DDNS_ERR_MAX], path[4096];

	if (ddns_settings(cfg, &c, err, sizeof(err)) < 0)
		return;
	snprintf(path, sizeof(path), "%s/%s.ddns", ddns_spool_dir(), name);
	for (unsigned i = 1; i <= tries && access(path, F_OK) == 0; i++) {
		sleep((unsigned)ddns_spool_backoff(i));
		if (ddns_spool_run(c, ddns_spool_dir(), time(NULL), false, on_result, userdata,
				   &st) < 0)
			break;
	}
	free(c);
}

/* ddns_sync (all) or ddns_publish_changed over the recorded guests. */
static int over_recorded(const struct lc_paths *paths, const struct lc_config *cfg, bool all,
			 ddns_sync_fn fn, void *userdata, struct ddns_sync_stats *ret, char *err,
			 size_t errlen)
{
	struct ddns_config *c = NULL;
	struct ddns_guest *running = NULL;
	size_t n = 0;
	int r = ddns_settings(cfg, &c, err, errlen);

	if (r < 0)
		return r;
	r = ddns_guests_recorded(paths, &running, &n);
	if (r == 0 && all)
		r = ddns_sync(c, running, n, ddns_spool_dir(), time(NULL), fn, userdata, ret, err,
			      errlen);
	else if (r == 0)
		r = ddns_publish_changed(c, running, n, ddns_spool_dir(), time(NULL), fn, userdata,
					 ret, err, errlen);
	free(running);
	free(c);
	return r;
}

int ddns_sync_recorded(const struct lc_paths *paths, const struct lc_config *cfg, ddns_sync_fn fn,
		       void *userdata, struct ddns_sync_stats *ret, char *err, size_t errlen)
{
	return over_recorded(paths, cfg, true, fn, userdata, ret, err, errlen);
}

int ddns_publish_changed_recorded(const struct lc_paths *paths, const struct lc_config *cfg,
				  ddns_sync_fn fn, void *userdata, struct ddns_sync_stats *ret,
				  char *err, size_t errlen)
{
	return over_recorded(paths, cfg, false, fn, userdata, ret, err, errlen);
}
