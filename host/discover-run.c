/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Discovery over time: a guest's addresses appear when it has booted far
 * enough (its init configured them, its agent answers, it sent a packet),
 * so the worker polls, quickly at first and then every few seconds, and
 * writes the record as soon as something is found, so the name resolves
 * as early as it can.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host/discover.h"

#define BACKOFF_FIRST_MS 200
#define BACKOFF_MAX_MS 5000
#define NETNS_TIMEOUT_MS 2000

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* One look through the driver's sources; the source's error, or 0. */
static int look(struct host_discover *d, const struct lc_guest_record *rec, const bool *base,
		const struct lc_paths *paths, const struct lc_config *cfg,
		const struct host_discover_guest *g)
{
	struct discover_nl *host = calloc(1, sizeof(*host));
	bool want[LC_RECORD_MAX_NICS] = {false}, leased[LC_RECORD_MAX_NICS] = {false};
	int r;

	if (!host)
		return -ENOMEM;
	/* a NIC that has its lease now needs nothing more */
	if (g->leased && g->leased(g->ud, rec, leased) < 0)
		memset(leased, 0, sizeof(leased));
	size_t n_want = 0;
	for (size_t i = 0; i < rec->n_nics && i < LC_RECORD_MAX_NICS; i++)
		n_want += want[i] = (!base || base[i]) && !leased[i];
	/* the host side again each time: a bridge may get its address late */
	if (discover_host_dump(host) < 0)
		memset(host, 0, sizeof(*host)); /* no host side: the configured prefixes only */
	host_discover_prepare(d, rec, want, paths->runstate_dir, cfg, host);
	/* a NIC with its lease is the lease's: what an earlier round found
	 * for it (before the lease came) goes from the record */
	for (size_t i = 0; i < d->n_nics; i++)
		d->answered[i] |= leased[i];
	r = 0;
	if (n_want == 0)
		; /* every NIC has its lease: nothing to ask the guest */
	else if (!strcmp(rec->driver, "lxc")) {
		pid_t pid = g->init_pid ? g->init_pid(g->ud) : -ENOSYS;
		r = pid > 0   ? host_discover_netns(d, pid, NETNS_TIMEOUT_MS)
		    : pid < 0 ? (int)pid
			      : -ESRCH;
	} else {
		char *reply = NULL;
		r = g->agent ? g->agent(g->ud, &reply) : -EOPNOTSUPP;
		if (r == 0)
			r = host_discover_agent(d, reply, strlen(reply));
		free(reply);
		/* no agent, or one that does not know a NIC: what the host's
		 * neighbour table says about it */
		if (!host_discover_complete(d))
			host_discover_neigh(d, host);
	}
	free(host);
	return r;
}

/* A NIC still looked for on a network that hands out leases: what was
 * found for it may be what its lease will say, or not yet be. */
static bool lease_pending(const struct host_discover *d, const struct lc_guest_record *rec,
			  const struct host_discover_guest *g)
{
	bool dhcp[LC_RECORD_MAX_NICS] = {false};

	if (!g->dhcp || g->dhcp(g->ud, rec, dhcp) < 0)
		return false;
	for (size_t i = 0; i < d->n_nics; i++)
		if (d->wanted[i] && dhcp[i])
			return true;
	return false;
}

static bool listed(const struct lc_seen_addr *l, size_t n, const struct lc_seen_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (discover_same(l[i].mac, &l[i].addr, a->mac, &a->addr))
			return true;
	return false;
}

static bool same_uuid(const struct lc_guest_record *rec, const char *uuid)
{
	return !uuid || !*uuid || !rec->uuid[0] || !strcmp(rec->uuid, uuid);
}

/* What d found, into the record on disk when that changes it. */
static int store(const struct lc_paths *paths, const char *name, const char *uuid,
		 const struct host_discover *d, const struct host_discover_guest *g,
		 struct host_discover_result *res)
{
	struct lc_guest_record *rec = malloc(sizeof(*rec));
	size_t drops = 0;
	int r;

	if (!rec)
		return -ENOMEM;
	r = lc_guest_record_load(paths->runstate_dir, name, rec);
	if (r == -ENOENT || (r == 0 && !same_uuid(rec, uuid))) {
		res->gone = true; /* stopped, or another guest of that name now */
		r = 0;
		goto out;
	}
	if (r < 0)
		goto out;
	struct lc_seen_addr before[LC_RECORD_MAX_DROPPED];
	size_t n_before = rec->n_dropped;
	memcpy(before, rec->dropped, sizeof(before));
	if (host_discover_apply(d, rec, (int64_t)time(NULL), &drops)) {
		for (size_t i = 0; i < rec->n_dropped && drops; i++)
			if (!listed(before, n_before, &rec->dropped[i]) &&
			    res->n_new_drops < LC_RECORD_MAX_DROPPED)
				res->drops[res->n_new_drops++] = rec->dropped[i];
		r = lc_guest_record_write(paths->runstate_dir, rec);
		if (r < 0)
			goto out;
		res->writes++;
		/* the guest may have stopped, and its hook removed the record,
		 * between our read and our rename: then the record must go */
		if (g->running && !g->running(g->ud)) {
			lc_guest_record_remove(paths->runstate_dir, name);
			res->gone = true;
		}
	}
	res->n_found = 0;
	for (size_t i = 0; i < rec->n_seen; i++)
		for (size_t k = 0; k < d->n_nics; k++)
			if (d->wanted[k] && !memcmp(rec->seen[i].mac, d->macs[k], LC_MAC_LEN))
				res->n_found++;
out:
	free(rec);
	return r;
}

int host_discover_run(const struct lc_paths *paths, const struct lc_config *cfg, const char *name,
		      const char *uuid, const bool *want, const struct host_discover_guest *g,
		      unsigned timeout_s, struct host_discover_result *ret)
{
	struct host_discover *d = malloc(sizeof(*d));
	struct lc_guest_record *rec = malloc(sizeof(*rec));
	struct host_discover_result res = {0};
	int64_t deadline = mono_ms() + (int64_t)timeout_s * 1000, delay = BACKOFF_FIRST_MS;
	int r = -ENOMEM;

	if (!d || !rec)
		goto out;
	for (;;) {
		r = lc_guest_record_load(paths->runstate_dir, name, rec);
		if (r == -ENOENT || (r == 0 && !same_uuid(rec, uuid))) {
			res.gone = true;
			r = 0;
			break;
		}
		if (r < 0)
			break;
		res.rounds++;
		res.error = look(d, rec, want, paths, cfg, g);
		r = store(paths, name, uuid, d, g, &res);
		res.complete = host_discover_complete(d) && !lease_pending(d, rec, g);
		if (r < 0 || res.gone || res.complete || mono_ms() + delay > deadline)
			break;
		sleep_ms(delay);
		delay = delay * 2 < BACKOFF_MAX_MS ? delay * 2 : BACKOFF_MAX_MS;
	}
	if (r == 0)
		*ret = res;
out:
	free(d);
	free(rec);
	return r;
}
