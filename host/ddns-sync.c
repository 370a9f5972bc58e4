/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reconcile the zone with what runs here (`libvirt-cluster-hook --sync`,
 * at boot and on the timer), and purge a dead host's names on the admin's
 * word.  Both read the zones by AXFR and change only names whose TXT names
 * the host in question, each under its own DHCID and TXT. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <unistd.h>

#include "host/ddns.h"
#include "resolver/util.h"

/* Whether guest g, as published, owns the entry. */
static bool owns(const struct ddns_config *c, const struct ddns_zone *z,
		 const struct ddns_zone_entry *e, const struct ddns_guest *g)
{
	struct ddns_set f, r;

	if (ddns_set_forward(c, g, &f) < 0 || memcmp(f.dhcid, e->dhcid, DDNS_DHCID_LEN))
		return false;
	if (!e->ptr[0])
		return lc_streq_fold(f.owner, e->owner) && !strcmp(z->zone, c->zone);
	for (size_t i = 0; i < f.n_addrs; i++)
		if (ddns_set_reverse(c, g, &f.addrs[i], &r) == 0 &&
		    lc_streq_fold(r.owner, e->owner))
			return true;
	return false;
}

bool ddns_entry_stale(const struct ddns_config *c, const struct ddns_zone *z,
		      const struct ddns_zone_entry *e, const struct ddns_guest *running, size_t n)
{
	if (strcmp(e->host, c->host_id) || !e->has_dhcid)
		return false;
	for (size_t i = 0; i < n; i++)
		if (owns(c, z, e, &running[i]))
			return false;
	return true;
}

/* Remove the entries of one zone that match: stale ones of ours (running
 * given) or every one of host (running NULL). */
static int sweep_zone(const struct ddns_config *c, const char *zone, const char *host,
		      const struct ddns_guest *running, size_t n, ddns_sync_fn fn, void *ud,
		      struct ddns_sync_stats *st, char *err, size_t errlen)
{
	struct ddns_zone z;
	int r = ddns_axfr(c, zone, &z, err, errlen);

	if (r < 0)
		return r;
	for (size_t i = 0; i < z.n; i++) {
		const struct ddns_zone_entry *e = &z.entries[i];
		struct ddns_result res;
		struct ddns_set s;
		bool doomed =
		    running ? ddns_entry_stale(c, &z, e, running, n) : !strcmp(e->host, host);
		if (!doomed) {
			st->others += strcmp(e->host, host) != 0;
			continue;
		}
		if (ddns_zone_entry_set(&z, e, &s) < 0 || ddns_remove_set(c, &s, &res) < 0)
			continue;
		if (res.status == DDNS_DONE)
			st->removed++;
		else if (res.status != DDNS_NOT_OURS)
			st->failed++;
		if (fn)
			fn(e->owner, &res, ud);
	}
	ddns_zone_free(&z);
	return 0;
}

/* The forward zone and every reverse zone. */
static int sweep(const struct ddns_config *c, const char *host, const struct ddns_guest *running,
		 size_t n, ddns_sync_fn fn, void *ud, struct ddns_sync_stats *st, char *err,
		 size_t errlen)
{
	int r = sweep_zone(c, c->zone, host, running, n, fn, ud, st, err, errlen);
	for (size_t i = 0; i < c->n_rev_zones && r == 0; i++)
		r = sweep_zone(c, c->rev_zones[i], host, running, n, fn, ud, st, err, errlen);
	return r;
}

int ddns_sync(const struct ddns_config *c, const struct ddns_guest *running, size_t n,
	      const char *spool_dir, int64_t now, ddns_sync_fn fn, void *userdata,
	      struct ddns_sync_stats *ret, char *err, size_t errlen)
{
	struct ddns_sync_stats st = {0};
	struct ddns_spool_stats sp;
	int r;

	/* what waited in the spool first: a withdraw there is older than now */
	r = ddns_spool_run(c, spool_dir, now, true, NULL, NULL, &sp);
	if (r < 0)
		return r;
	r = sweep(c, c->host_id, running, n, fn, userdata, &st, err, errlen);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		struct ddns_result res;
		char what[320];
		if (!running[i].n_addrs)
			continue;
		r = ddns_apply(c, spool_dir, DDNS_OP_PUBLISH, &running[i], now, &res);
		if (r < 0)
			return r;
		st.published += res.status == DDNS_DONE;
		st.conflicts += res.status == DDNS_CONFLICT;
		st.failed += res.status == DDNS_RETRY || res.status == DDNS_MISCONFIGURED;
		snprintf(what, sizeof(what), "%s.%s", running[i].name, c->zone);
		if (fn)
			fn(what, &res, userdata);
	}
	*ret = st;
	return 0;
}

/* Whether the zone's entry e is exactly set s: owner, DHCID, TXT, PTR
 * target and the same addresses in any order. */
static bool entry_is(const struct ddns_zone_entry *e, const struct ddns_set *s)
{
	if (!lc_streq_fold(e->owner, s->owner) || !e->has_dhcid ||
	    memcmp(e->dhcid, s->dhcid, DDNS_DHCID_LEN) || strcmp(e->txt, s->txt) ||
	    !lc_streq_fold(e->ptr, s->ptr) || e->n_addrs != s->n_addrs)
		return false;
	for (size_t i = 0; i < s->n_addrs; i++) {
		bool in = false;
		for (size_t k = 0; k < e->n_addrs && !in; k++)
			in = e->addrs[k].family == s->addrs[i].family &&
			     !memcmp(e->addrs[k].bytes, s->addrs[i].bytes, 16);
		if (!in)
			return false;
	}
	return true;
}

/* The guest an entry would be a set of: the first label of its name
 * (forward) or of its PTR target (reverse); -1 when none of running. */
static ssize_t entry_guest(const struct ddns_zone_entry *e, const struct ddns_guest *running,
			   size_t n)
{
	const char *fqdn = e->ptr[0] ? e->ptr : e->owner;
	size_t label = strcspn(fqdn, ".");

	for (size_t i = 0; i < n; i++)
		if (strlen(running[i].name) == label && !strncasecmp(fqdn, running[i].name, label))
			return (ssize_t)i;
	return -1;
}

/* Count, for each running guest, the entries of zone that are exactly one
 * of the sets it should have. */
static int count_current(const struct ddns_config *c, const char *zone,
			 const struct ddns_guest *running, size_t n, unsigned *found, char *err,
			 size_t errlen)
{
	struct ddns_zone z;
	int r = ddns_axfr(c, zone, &z, err, errlen);

	if (r < 0)
		return r;
	for (size_t i = 0; i < z.n; i++) {
		const struct ddns_zone_entry *e = &z.entries[i];
		ssize_t g = strcmp(e->host, c->host_id) ? -1 : entry_guest(e, running, n);
		struct ddns_set f, rs;
		if (g < 0 || ddns_set_forward(c, &running[g], &f) < 0)
			continue;
		if (!e->ptr[0]) {
			found[g] += entry_is(e, &f);
			continue;
		}
		for (size_t k = 0; k < f.n_addrs; k++)
			if (ddns_set_reverse(c, &running[g], &f.addrs[k], &rs) == 0 &&
			    entry_is(e, &rs)) {
				found[g]++;
				break;
			}
	}
	ddns_zone_free(&z);
	return 0;
}

/* How many sets the zone should hold for g: its forward one and a PTR for
 * each published address that falls in a reverse zone. */
static unsigned sets_wanted(const struct ddns_config *c, const struct ddns_guest *g)
{
	struct ddns_set f, rs;
	unsigned n = 1;

	if (ddns_set_forward(c, g, &f) < 0)
		return 0;
	for (size_t k = 0; k < f.n_addrs; k++)
		n += ddns_set_reverse(c, g, &f.addrs[k], &rs) == 0;
	return n;
}

int ddns_publish_changed(const struct ddns_config *c, const struct ddns_guest *running, size_t n,
			 const char *spool_dir, int64_t now, ddns_sync_fn fn, void *userdata,
			 struct ddns_sync_stats *ret, char *err, size_t errlen)
{
	struct ddns_sync_stats st = {0};
	unsigned *found = calloc(n ? n : 1, sizeof(*found));
	int r = found ? count_current(c, c->zone, running, n, found, err, errlen) : -ENOMEM;

	for (size_t i = 0; i < c->n_rev_zones && r == 0; i++)
		r = count_current(c, c->rev_zones[i], running, n, found, err, errlen);
	for (size_t i = 0; i < n && r == 0; i++) {
		struct ddns_result res;
		char what[320], path[4096];
		if (!running[i].n_addrs)
			continue;
		if (found[i] == sets_wanted(c, &running[i])) {
			st.current++;
			continue;
		}
		/* another guest's name: settled until --sync or the admin */
		snprintf(path, sizeof(path), "%s/%s.conflict", spool_dir, running[i].name);
		if (access(path, F_OK) == 0) {
			st.conflicts++;
			continue;
		}
		/* an update of its own waits in the spool, with its backoff */
		snprintf(path, sizeof(path), "%s/%s.ddns", spool_dir, running[i].name);
		if (access(path, F_OK) == 0)
			continue;
		r = ddns_apply(c, spool_dir, DDNS_OP_PUBLISH, &running[i], now, &res);
		if (r < 0)
			break;
		st.published += res.status == DDNS_DONE;
		st.conflicts += res.status == DDNS_CONFLICT;
		st.failed += res.status == DDNS_RETRY || res.status == DDNS_MISCONFIGURED;
		snprintf(what, sizeof(what), "%s.%s", running[i].name, c->zone);
		if (fn)
			fn(what, &res, userdata);
	}
	free(found);
	if (r == 0)
		*ret = st;
	return r;
}

int ddns_purge(const struct ddns_config *c, const char *host_id, ddns_sync_fn fn, void *userdata,
	       struct ddns_sync_stats *ret, char *err, size_t errlen)
{
	struct ddns_sync_stats st = {0};
	int r;

	if (!host_id || !*host_id)
		return -EINVAL;
	r = sweep(c, host_id, NULL, 0, fn, userdata, &st, err, errlen);
	if (r < 0)
		return r;
	*ret = st;
	return 0;
}
