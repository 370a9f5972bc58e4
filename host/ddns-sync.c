/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reconcile the zone with what runs here (`libvirt-cluster-hook --sync`,
 * at boot and on the timer), and purge a dead host's names on the admin's
 * word.  Both read the zones by AXFR and change only names whose TXT names
 * the host in question, each under its own DHCID and TXT. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
