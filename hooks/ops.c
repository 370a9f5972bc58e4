/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One handler per libvirt hook event.  Each logs at most one line, never
 * prints to stdout, and never calls the libvirt API: what needs libvirt is
 * handed to a detached worker (worker.c).
 */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "hooks/hook.h"

#define RESOLVED_TIMEOUT_USEC 300000u /* for all of a link's calls together */

struct op {
	const char *name;
	bool network;	 /* a network event, else a guest (qemu, lxc) event */
	bool start_path; /* a failure here may fail the guest start (fail_hard) */
	int (*fn)(struct hook_ctx *ctx, const struct op *op);
	int arg;
};

static const char *ev_driver(const struct hook_ctx *ctx)
{
	return hook_driver_name(ctx->args.driver);
}

/* An error of our own making (not bad input): with fail_hard, on the start
 * path, it fails the event and libvirt shows stderr to the user. */
static void op_fail(struct hook_ctx *ctx, const struct op *op, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void op_fail(struct hook_ctx *ctx, const struct op *op, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hook_log(LOG_ERR, "%s %s %s: %s", ev_driver(ctx), ctx->args.object, op->name, msg);
	if (ctx->config.fail_hard && op->start_path) {
		ctx->exit_code = 1;
		fprintf(stderr, "libvirt-cluster-hook: %s\n", msg);
	}
}

static const char *input_problem(const struct hook_ctx *ctx, int r)
{
	if (!ctx->input)
		r = ctx->input_error;
	switch (r) {
	case -EFBIG:
		return "stdin is larger than 16 MiB";
	case -ETIMEDOUT:
		return "stdin was not closed within 500 ms";
	case -ENODATA:
		return "no XML on stdin";
	case -EBADMSG:
		return "stdin is not well-formed XML (or carries a DTD)";
	case -EINVAL:
		return "stdin XML is not what this event carries";
	case -ENOMEM:
		return "out of memory";
	default:
		return "stdin unreadable";
	}
}

static void input_bad(struct hook_ctx *ctx, const struct op *op, int r, const char *what)
{
	/* Bad input never fails a guest: log and carry on. */
	hook_log(LOG_WARNING, "%s %s %s: %s; %s", ev_driver(ctx), ctx->args.object, op->name,
		 input_problem(ctx, r), what);
}

static int parse_domain(struct hook_ctx *ctx, struct host_domain *d)
{
	if (!ctx->input)
		return ctx->input_error ? ctx->input_error : -ENODATA;
	int r = host_xml_domain(ctx->input, ctx->input_len, d);
	if (r == 0 && strcmp(d->name, ctx->args.object) != 0)
		r = -EINVAL; /* XML about another guest: not for this event */
	return r;
}

static int parse_network(struct hook_ctx *ctx, struct host_network *n)
{
	if (!ctx->input)
		return ctx->input_error ? ctx->input_error : -ENODATA;
	int r = host_xml_network(ctx->input, ctx->input_len, n);
	if (r == 0 && strcmp(n->name, ctx->args.object) != 0)
		r = -EINVAL;
	return r;
}

static void fill_work(struct hook_ctx *ctx, struct hook_work *w, const struct lc_guest_record *rec,
		      const struct host_domain *d)
{
	memset(w, 0, sizeof(*w));
	w->rec = *rec;
	w->paths = ctx->paths;
	w->config = ctx->config; /* shallow: the worker is a fork, memory is its own */
	for (size_t i = 0; d && i < d->n_nics && i < HOST_MAX_NICS; i++)
		snprintf(w->guest_dev[i], sizeof(w->guest_dev[i]), "%s", d->nics[i].guest_dev);
}

/* ---- guests ------------------------------------------------------------------ */

/* The addresses discovery found for this guest stay through a rewrite of
 * its record (started after start, reconnect, restore): they are the only
 * ones a NIC without a lease has. */
static void keep_discovered(struct hook_ctx *ctx, struct lc_guest_record *rec)
{
	struct lc_guest_record *old = malloc(sizeof(*old));

	if (old && lc_guest_record_load(ctx->paths.runstate_dir, rec->name, old) == 0)
		lc_guest_record_keep_seen(rec, old);
	free(old);
}

static int op_guest_record(struct hook_ctx *ctx, const struct op *op)
{
	struct host_domain *d = calloc(1, sizeof(*d));
	struct lc_guest_record *rec = calloc(1, sizeof(*rec));
	struct hook_work *w = NULL;
	char note[256] = "", worker[64] = "";
	bool spawn = op->arg != 0;
	int r;

	if (!d || !rec) {
		op_fail(ctx, op, "out of memory");
		goto out;
	}
	r = parse_domain(ctx, d);
	if (r < 0) {
		input_bad(ctx, op, r, "no record written");
		goto out;
	}
	hook_domain_to_record(d, ctx->args.driver, ctx->paths.runstate_dir, rec);
	if (d->has_cluster && d->group[0] && !lc_group_valid(d->group)) {
		char fix[LC_LABEL_MAX + 1];
		if (lc_group_suggest(d->group, fix, sizeof(fix)) == 0)
			snprintf(note, sizeof(note),
				 "; group \"%.64s\" is invalid (must match ^[A-Z][A-Z0-9_]*$): "
				 "write group=\"%s\"; guest left ungrouped",
				 d->group, fix);
		else
			snprintf(note, sizeof(note),
				 "; group is invalid (must match ^[A-Z][A-Z0-9_]*$); guest left "
				 "ungrouped");
	}
	if (d->cluster_bad)
		snprintf(note + strlen(note), sizeof(note) - strlen(note),
			 "; cluster name is invalid (no spaces, '/' or control characters, at "
			 "most 63 bytes): ignored");

	hook_record_keep_hostkeys(ctx->paths.runstate_dir, rec);
	keep_discovered(ctx, rec);
	int wr = lc_guest_record_write(ctx->paths.runstate_dir, rec);
	/* The worker works from its own copy of the record: a full /run must
	 * not also cost the guest its DHCP renewal and its DNS entry.  Not when
	 * fail_hard is about to fail the start. */
	if (spawn && ctx->spawn_workers &&
	    (wr == 0 || !(ctx->config.fail_hard && op->start_path))) {
		w = malloc(sizeof(*w));
		if (w) {
			fill_work(ctx, w, rec, d);
			r = hook_spawn_detached(hook_worker_started, w);
		}
		snprintf(worker, sizeof(worker),
			 !w	 ? "; cannot start the lease worker: out of memory"
			 : r < 0 ? "; cannot start the lease worker: %s"
				 : "; lease worker started",
			 w && r < 0 ? strerror(-r) : "");
	}
	if (wr < 0) {
		op_fail(ctx, op, "cannot write record in %s: %s%s", ctx->paths.runstate_dir,
			strerror(-wr), worker);
		goto out;
	}
	hook_log(note[0] ? LOG_WARNING : LOG_INFO,
		 "%s %s %s: record written: %zu NIC%s%s%s%s%s%s%s", ev_driver(ctx),
		 ctx->args.object, op->name, rec->n_nics, rec->n_nics == 1 ? "" : "s",
		 rec->cluster[0] ? ", cluster " : "", rec->cluster, rec->group[0] ? ", group " : "",
		 rec->group, worker, note);
out:
	free(w);
	free(d);
	free(rec);
	return 0;
}

/* The MACs of a guest: its XML's, then any the record adds. */
static size_t collect_macs(const struct host_domain *d, const struct lc_guest_record *rec,
			   uint8_t (*macs)[LC_MAC_LEN], size_t max)
{
	size_t n = 0;
	const uint8_t *src[2 * HOST_MAX_NICS];
	size_t ns = 0;

	for (size_t i = 0; d && i < d->n_nics; i++)
		src[ns++] = d->nics[i].mac;
	for (size_t i = 0; rec && i < rec->n_nics && ns < 2 * HOST_MAX_NICS; i++)
		src[ns++] = rec->nics[i].mac;
	for (size_t i = 0; i < ns && n < max; i++) {
		bool dup = false;
		for (size_t k = 0; k < n && !dup; k++)
			dup = !memcmp(macs[k], src[i], LC_MAC_LEN);
		if (!dup)
			memcpy(macs[n++], src[i], LC_MAC_LEN);
	}
	return n;
}

/* What op_guest_release did, for its one log line. */
struct release_counts {
	size_t sent, failed, skipped6, sent6, again6;
};

/* Send a release for each lease (DHCPv4, or DHCPv6 where the lease names
 * its client and server), counting; the first failure goes to err. */
static void release_leases(const struct op *op, const struct host_lease *leases, size_t n,
			   bool have_rec, struct release_counts *c, char *err, size_t size)
{
	for (size_t i = 0; i < n; i++) {
		const char *what = "DHCPRELEASE";
		int r;
		if (leases[i].addr.family == AF_INET) {
			r = host_dhcp4_release_send(leases[i].bridge, &leases[i].addr,
						    leases[i].mac);
		} else if (!have_rec && strcmp(op->name, "release") == 0) {
			/* stopped came first, removed the record and sent the
			 * Release, which dnsmasq has not handled yet (it takes
			 * half a second); another would stall it as long again */
			c->again6++;
			continue;
		} else if (!leases[i].has_dhcp6) {
			/* no client-id, iaid or server-duid in the .status
			 * entry: nothing a Release could name */
			c->skipped6++;
			continue;
		} else {
			/* not waited for: dnsmasq answers a Release from the
			 * host only after half a second (see host/dhcp.c) */
			struct lc_dhcp6_id id;
			what = "DHCPv6 Release";
			host_lease_dhcp6(&leases[i], &id);
			r = host_dhcp6_release_send(leases[i].bridge, &leases[i].addr, &id, 0);
			if (r == 0)
				c->sent6++;
		}
		if (r < 0) {
			char a[64];
			/* the first failure tells why; the counts tell how many */
			if (c->failed++ || err[0])
				continue;
			snprintf(err, size, "; %s of %s on %s failed: %s", what,
				 lc_addr_format(&leases[i].addr, a, sizeof(a)), leases[i].bridge,
				 strerror(-r));
		} else {
			c->sent++;
		}
	}
}

static void log_release(struct hook_ctx *ctx, const struct op *op, const struct release_counts *c,
			bool have_rec, const char *worker, const char *err)
{
	char counts[64], v6note[192] = "";

	if (c->sent + c->failed)
		snprintf(counts, sizeof(counts), "%zu of %zu lease%s released", c->sent,
			 c->sent + c->failed, c->sent + c->failed == 1 ? "" : "s");
	else
		snprintf(counts, sizeof(counts), "no live lease");
	if (c->sent6)
		snprintf(v6note, sizeof(v6note), " (%zu by DHCPv6 Release, not awaited)", c->sent6);
	if (c->again6)
		snprintf(v6note + strlen(v6note), sizeof(v6note) - strlen(v6note),
			 "; %zu DHCPv6 lease%s released at stopped", c->again6,
			 c->again6 == 1 ? "" : "s");
	if (c->skipped6)
		snprintf(v6note + strlen(v6note), sizeof(v6note) - strlen(v6note),
			 "; %zu DHCPv6 lease%s without client-id/iaid/server-duid left to expire",
			 c->skipped6, c->skipped6 == 1 ? "" : "s");
	hook_log(err[0] ? LOG_WARNING : LOG_INFO, "%s %s %s: %s%s, record %s%s%s", ev_driver(ctx),
		 ctx->args.object, op->name, counts, v6note, have_rec ? "removed" : "already gone",
		 worker, err);
}

static int op_guest_release(struct hook_ctx *ctx, const struct op *op)
{
	struct host_domain *d = calloc(1, sizeof(*d));
	struct lc_guest_record *rec = calloc(1, sizeof(*rec));
	struct hook_work *w = calloc(1, sizeof(*w));
	uint8_t macs[2 * HOST_MAX_NICS][LC_MAC_LEN];
	struct host_lease *leases = calloc(HOST_MAX_LEASES, sizeof(*leases));
	struct release_counts counts = {0};
	size_t n_macs, n_leases = 0;
	bool have_rec, have_xml;
	char err[128] = "", worker[80] = "";
	int r;

	if (!d || !rec || !w || !leases) {
		op_fail(ctx, op, "out of memory");
		goto out;
	}
	have_rec = lc_guest_record_load(ctx->paths.runstate_dir, ctx->args.object, rec) == 0;
	r = parse_domain(ctx, d);
	have_xml = r == 0;
	if (!have_xml && !have_rec) {
		input_bad(ctx, op, r, "and no record: nothing to release");
		goto out;
	}
	if (!have_rec)
		/* Installed after the guest started, or the second of
		 * stopped/release: the XML still names the NICs. */
		hook_domain_to_record(d, ctx->args.driver, ctx->paths.runstate_dir, rec);
	n_macs = collect_macs(have_xml ? d : NULL, rec, macs, 2 * HOST_MAX_NICS);

	r = host_guest_leases(&ctx->paths, (const uint8_t(*)[LC_MAC_LEN])macs, n_macs, leases,
			      HOST_MAX_LEASES, &n_leases);
	if (r < 0 && r != -ENOENT)
		snprintf(err, sizeof(err), "; cannot read leases in %.60s: %.40s",
			 ctx->paths.lease_dir, strerror(-r));
	release_leases(op, leases, n_leases, have_rec, &counts, err, sizeof(err));

	r = lc_guest_record_remove(ctx->paths.runstate_dir, ctx->args.object);
	if (r < 0 && r != -ENOENT)
		snprintf(err, sizeof(err), "; cannot remove record: %s", strerror(-r));

	/* DNS entries we added live in the networks: removing them needs
	 * libvirt, so after we return. */
	/* Only with a record: without one, stopped came first and its worker
	 * does it (two would race for the same entries). */
	if (ctx->spawn_workers && have_rec && rec->n_nics) {
		fill_work(ctx, w, rec, have_xml ? d : NULL);
		r = hook_spawn_detached(hook_worker_stopped, w);
		if (r < 0)
			snprintf(worker, sizeof(worker),
				 "; cannot start the DNS cleanup worker: %s", strerror(-r));
	}
	log_release(ctx, op, &counts, have_rec, worker, err);
out:
	free(leases);
	free(w);
	free(d);
	free(rec);
	return 0;
}

static int op_nothing(struct hook_ctx *ctx, const struct op *op)
{
	hook_debug("%s %s %s: nothing to do", ev_driver(ctx), ctx->args.object, op->name);
	return 0;
}

/* ---- networks ------------------------------------------------------------------ */

struct resolved_retry {
	int ifindex;
	struct lc_addr addrs[LC_RECORD_MAX_ADDRS];
	size_t n_addrs;
	char name[256];
	char domain[256];
	bool debug;
};

/* What the detached retry is for: resolved does not know the bridge yet
 * (it learns about links from netlink, and the hook may be faster), or it
 * did not answer within the hook's budget (a busy machine). */
static bool resolved_retryable(int r)
{
	return r == -ENXIO || r == -EBUSY || r == -ETIMEDOUT;
}

/* Retry for up to 10 s, detached, with a longer budget per try. */
static void resolved_retry_worker(void *p)
{
	struct resolved_retry *rr = p;
	struct sd_bus *bus = NULL;
	int r = -ENXIO;
	uint64_t end = host_now_usec() + 10 * 1000 * 1000;

	hook_log_open(rr->debug);
	while (resolved_retryable(r) && host_now_usec() < end) {
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
		if (!bus && host_bus_open(&bus) < 0)
			continue;
		r = host_resolved_register(bus, rr->ifindex, rr->addrs, rr->n_addrs, rr->domain,
					   RESOLVED_TIMEOUT_USEC * 4);
	}
	hook_log(r < 0 ? LOG_WARNING : LOG_INFO, "network %s: resolved %s%s%s", rr->name,
		 r < 0 ? "still refuses the link: " : "now routes ~",
		 r < 0 ? strerror(-r) : rr->domain, "");
	host_bus_close(bus);
}

static void resolved_register(struct hook_ctx *ctx, const struct host_network *n, int ifindex,
			      char *msg, size_t size)
{
	struct sd_bus *bus = NULL;
	int r;

	if (!ctx->config.resolved) {
		snprintf(msg, size, "; resolved = no");
		return;
	}
	if (!n->domain[0]) {
		snprintf(msg, size, "; no <domain>: nothing to route in resolved");
		return;
	}
	if (ifindex <= 0) {
		snprintf(msg, size, "; bridge %s not found: resolved not told", n->bridge);
		return;
	}
	r = host_bus_open(&bus);
	if (r >= 0)
		r = host_resolved_register(bus, ifindex, n->addrs, n->n_addrs, n->domain,
					   RESOLVED_TIMEOUT_USEC);
	host_bus_close(bus);
	if (r >= 0) {
		snprintf(msg, size, "; resolved routes ~%.120s to %.32s", n->domain, n->bridge);
		return;
	}
	if (resolved_retryable(r) && ctx->spawn_workers) {
		struct resolved_retry *rr = calloc(1, sizeof(*rr));
		if (rr) {
			rr->ifindex = ifindex;
			memcpy(rr->addrs, n->addrs, sizeof(rr->addrs));
			rr->n_addrs = n->n_addrs;
			snprintf(rr->name, sizeof(rr->name), "%s", n->name);
			snprintf(rr->domain, sizeof(rr->domain), "%s", n->domain);
			rr->debug = ctx->config.debug;
			if (hook_spawn_detached(resolved_retry_worker, rr) == 0) {
				snprintf(msg, size,
					 r == -ETIMEDOUT
					     ? "; resolved did not answer in time for %s: retrying"
					     : "; resolved does not know %s yet: retrying",
					 n->bridge);
				free(rr);
				return;
			}
			free(rr);
		}
	}
	switch (r) {
	case -EHOSTUNREACH:
	case -ENOENT:
	case -ECONNREFUSED:
		snprintf(msg, size, "; systemd-resolved not running: skipped");
		break;
	case -ENXIO:
		snprintf(msg, size, "; resolved has no link %s (NoSuchLink): skipped", n->bridge);
		break;
	case -EBUSY:
		snprintf(msg, size, "; link %s is managed by another service (LinkBusy): skipped",
			 n->bridge);
		break;
	default:
		snprintf(msg, size, "; resolved call failed: %s", strerror(-r));
	}
}

static int op_net_started(struct hook_ctx *ctx, const struct op *op)
{
	struct host_network *n = calloc(1, sizeof(*n));
	struct lc_net_record rec;
	char msg[256] = "";
	int ifindex, r;

	if (!n) {
		op_fail(ctx, op, "out of memory");
		goto out;
	}
	r = parse_network(ctx, n);
	if (r < 0) {
		input_bad(ctx, op, r, "no record written");
		goto out;
	}
	ifindex = n->bridge[0] ? (int)if_nametoindex(n->bridge) : 0;
	hook_network_to_record(n, ifindex, &rec);
	r = lc_net_record_write(ctx->paths.runstate_dir, &rec);
	if (r < 0) {
		op_fail(ctx, op, "cannot write record in %s: %s", ctx->paths.runstate_dir,
			strerror(-r));
		goto out;
	}
	resolved_register(ctx, n, ifindex, msg, sizeof(msg));
	hook_log(LOG_INFO, "network %s %s: record written: bridge %s, %s%s%s%s", ctx->args.object,
		 op->name, rec.bridge[0] ? rec.bridge : "-", lc_class_name(rec.klass),
		 rec.domain[0] ? ", domain " : "", rec.domain, msg);
out:
	free(n);
	return 0;
}

static int op_net_stopped(struct hook_ctx *ctx, const struct op *op)
{
	struct host_network *n = calloc(1, sizeof(*n));
	struct lc_net_record rec;
	bool have_rec;
	int ifindex = 0, r;
	char msg[160] = "";

	if (!n) {
		op_fail(ctx, op, "out of memory");
		goto out;
	}
	have_rec = lc_net_record_load(ctx->paths.runstate_dir, ctx->args.object, &rec) == 0;
	if (have_rec)
		ifindex = rec.ifindex;
	else if (parse_network(ctx, n) == 0 && n->bridge[0])
		ifindex = (int)if_nametoindex(n->bridge);

	if (ctx->config.resolved && ifindex > 0) {
		struct sd_bus *bus = NULL;
		r = host_bus_open(&bus);
		if (r >= 0)
			r = host_resolved_revert(bus, ifindex, RESOLVED_TIMEOUT_USEC);
		host_bus_close(bus);
		if (r >= 0)
			snprintf(msg, sizeof(msg), "; resolved link %d reverted", ifindex);
		else if (r == -ENXIO)
			snprintf(msg, sizeof(msg), "; link already gone from resolved");
		else if (r == -EHOSTUNREACH || r == -ENOENT || r == -ECONNREFUSED)
			snprintf(msg, sizeof(msg), "; systemd-resolved not running");
		else
			snprintf(msg, sizeof(msg), "; RevertLink failed: %s", strerror(-r));
	}
	r = lc_net_record_remove(ctx->paths.runstate_dir, ctx->args.object);
	if (r < 0 && r != -ENOENT) {
		op_fail(ctx, op, "cannot remove record: %s", strerror(-r));
		goto out;
	}
	hook_log(LOG_INFO, "network %s %s: record %s%s", ctx->args.object, op->name,
		 have_rec ? "removed" : "already gone", msg);
out:
	free(n);
	return 0;
}

/* port-created / port-deleted: keep the owner's NIC list in step (hotplug). */
static int op_net_port(struct hook_ctx *ctx, const struct op *op)
{
	struct host_network *n = calloc(1, sizeof(*n));
	struct lc_guest_record *rec = calloc(1, sizeof(*rec));
	bool created = op->arg != 0, changed = false;
	char mac[18];
	size_t i;
	int r;

	if (!n || !rec) {
		op_fail(ctx, op, "out of memory");
		goto out;
	}
	r = parse_network(ctx, n);
	if (r < 0 || !n->port.present) {
		input_bad(ctx, op, r < 0 ? r : -EINVAL, "port ignored");
		goto out;
	}
	lc_mac_format(n->port.mac, mac);
	r = lc_guest_record_load(ctx->paths.runstate_dir, n->port.owner_name, rec);
	if (r < 0) {
		/* The guest's own start hook writes the record with every NIC. */
		hook_debug("network %s %s: no record for %s yet", ctx->args.object, op->name,
			   n->port.owner_name);
		goto out;
	}
	for (i = 0; i < rec->n_nics; i++)
		if (!memcmp(rec->nics[i].mac, n->port.mac, LC_MAC_LEN))
			break;
	if (created) {
		if (i == rec->n_nics) {
			if (rec->n_nics >= LC_RECORD_MAX_NICS)
				goto out;
			memset(&rec->nics[i], 0, sizeof(rec->nics[i]));
			memcpy(rec->nics[i].mac, n->port.mac, LC_MAC_LEN);
			rec->n_nics++;
			changed = true;
		}
		struct lc_nic *nic = &rec->nics[i];
		if (strcmp(nic->network, n->name) != 0 ||
		    (n->port.bridge[0] && strcmp(nic->bridge, n->port.bridge) != 0)) {
			snprintf(nic->network, sizeof(nic->network), "%s", n->name);
			if (n->port.bridge[0])
				snprintf(nic->bridge, sizeof(nic->bridge), "%s", n->port.bridge);
			changed = true;
		}
	} else if (i < rec->n_nics) {
		memmove(&rec->nics[i], &rec->nics[i + 1],
			(rec->n_nics - i - 1) * sizeof(rec->nics[0]));
		rec->n_nics--;
		changed = true;
	}
	if (!changed) {
		hook_debug("network %s %s: %s of %s already in step", ctx->args.object, op->name,
			   mac, rec->name);
		goto out;
	}
	r = lc_guest_record_write(ctx->paths.runstate_dir, rec);
	if (r < 0) {
		op_fail(ctx, op, "cannot write record of %s: %s", rec->name, strerror(-r));
		goto out;
	}
	hook_log(LOG_INFO, "network %s %s: NIC %s %s guest %s", ctx->args.object, op->name, mac,
		 created ? "added to" : "removed from", rec->name);
out:
	free(n);
	free(rec);
	return 0;
}

/* ---- dispatch ------------------------------------------------------------------ */

static const struct op ops[] = {
    /* qemu and lxc */
    {"prepare", false, true, op_guest_record, 0},
    {"start", false, true, op_guest_record, 0},
    {"started", false, true, op_guest_record, 1},
    {"reconnect", false, false, op_guest_record, 1},
    {"restore", false, true, op_guest_record, 1},
    {"attach", false, false, op_guest_record, 1},
    {"stopped", false, false, op_guest_release, 0},
    {"release", false, false, op_guest_release, 0},
    {"migrate", false, false, op_nothing, 0},
    /* network */
    {"start", true, false, op_nothing, 0},
    {"started", true, false, op_net_started, 0},
    {"updated", true, false, op_net_started, 0},
    {"stopped", true, false, op_net_stopped, 0},
    {"port-created", true, false, op_net_port, 1},
    {"port-deleted", true, false, op_net_port, 0},
};

int hook_dispatch(struct hook_ctx *ctx)
{
	const struct hook_args *a = &ctx->args;
	bool network = a->driver == HOOK_DRIVER_NETWORK;

	ctx->exit_code = 0;
	if (a->driver == HOOK_DRIVER_NONE) {
		hook_log(
		    LOG_WARNING,
		    "cannot tell the driver: call through qemu.d/, lxc.d/ or network.d/, or pass "
		    "--driver=qemu|lxc|network; nothing done");
		return 0;
	}
	if (!a->object || !a->op || !*a->object || !*a->op) {
		hook_log(LOG_WARNING,
			 "%s: missing arguments (want OBJECT OPERATION SUBOP EXTRA); "
			 "nothing done",
			 ev_driver(ctx));
		return 0;
	}
	if (!lc_record_name_valid(a->object)) {
		hook_log(LOG_WARNING, "%s: object name is not usable; nothing done",
			 ev_driver(ctx));
		return 0;
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (ops[i].network == network && strcmp(ops[i].name, a->op) == 0) {
			ops[i].fn(ctx, &ops[i]);
			return ctx->exit_code;
		}
	hook_log(LOG_NOTICE, "%s %s: unknown operation \"%.64s\"; nothing done", ev_driver(ctx),
		 a->object, a->op);
	return 0;
}
