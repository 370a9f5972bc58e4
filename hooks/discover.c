/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Address discovery from the hook: the worker's run after started,
 * reconnect and restore (host_discover_run with this guest's ways in), and
 * `--refresh`, one round for every guest that has a record.  An lxc
 * guest's namespace is entered through its init, found without libvirt
 * (host/lxc.c); a qemu guest's agent is asked through libvirt, which
 * only ever happens here, in the detached worker or in --refresh.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <libvirt/libvirt-qemu.h>

#include "host/discover.h"
#include "hooks/hook.h"
#include "host/host.h"
#ifdef HAVE_LDNS
#include "host/ddns.h"
#endif

#define AGENT_TIMEOUT_S 5
#define AGENT_COMMAND "{\"execute\":\"guest-network-get-interfaces\"}"

struct guest {
	const struct lc_guest_record *rec;
	const struct lc_paths *paths;
	enum hook_driver drv;
	virConnectPtr conn; /* qemu: opened on first use, unless given */
	bool own_conn, conn_failed;
	virDomainPtr dom;
	pid_t pid; /* lxc: the init seen first, and its network namespace */
	ino_t ns;
};

static pid_t g_init_pid(void *ud)
{
	struct guest *g = ud;
	pid_t pid;
	int r = host_lxc_init_pid(g->rec->name, &pid);

	if (r < 0)
		return r;
	if (!g->pid) {
		g->pid = pid;
		host_lxc_ns_ino(pid, "net", &g->ns);
	}
	return pid;
}

static virDomainPtr g_domain(struct guest *g)
{
	if (g->dom || g->conn_failed)
		return g->dom;
	if (!g->conn) {
		g->conn = host_connect(g->rec->driver);
		g->own_conn = g->conn != NULL;
	}
	if (g->conn && g->rec->uuid[0])
		g->dom = virDomainLookupByUUIDString(g->conn, g->rec->uuid);
	if (g->conn && !g->dom)
		g->dom = virDomainLookupByName(g->conn, g->rec->name);
	g->conn_failed = !g->dom;
	return g->dom;
}

static int g_agent(void *ud, char **ret)
{
	virDomainPtr dom = g_domain(ud);
	char *reply;

	if (!dom)
		return -ESRCH;
	reply = virDomainQemuAgentCommand(dom, AGENT_COMMAND, AGENT_TIMEOUT_S, 0);
	if (!reply) {
		virErrorPtr e = virGetLastError();
		/* no agent channel at all, versus one that does not answer yet */
		return e && e->code == VIR_ERR_ARGUMENT_UNSUPPORTED ? -EOPNOTSUPP : -EAGAIN;
	}
	*ret = reply;
	return 0;
}

static bool g_running(void *ud)
{
	struct guest *g = ud;
	pid_t pid;
	ino_t ns;

	if (g->drv == HOOK_DRIVER_LXC)
		/* the same init, in the same namespace: not a new guest of that name */
		return host_lxc_init_pid(g->rec->name, &pid) == 0 && (!g->pid || pid == g->pid) &&
		       host_lxc_ns_ino(pid, "net", &ns) == 0 && (!g->ns || ns == g->ns);
	virDomainPtr dom = g_domain(g);
	return dom && virDomainIsActive(dom) == 1;
}

static int g_leased(void *ud, const struct lc_guest_record *rec, bool *ret)
{
	struct guest *g = ud;
	uint8_t macs[HOST_MAX_NICS][LC_MAC_LEN];
	struct host_lease *leases = calloc(HOST_MAX_LEASES, sizeof(*leases));
	size_t n = 0;
	int r;

	if (!leases)
		return -ENOMEM;
	for (size_t i = 0; i < rec->n_nics; i++)
		memcpy(macs[i], rec->nics[i].mac, LC_MAC_LEN);
	r = host_guest_leases(g->paths, (const uint8_t(*)[LC_MAC_LEN])macs, rec->n_nics, leases,
			      HOST_MAX_LEASES, &n);
	for (size_t i = 0; r == 0 && i < n; i++)
		if (leases[i].nic_index >= 0 && (size_t)leases[i].nic_index < rec->n_nics)
			ret[leases[i].nic_index] = true;
	free(leases);
	return r;
}

static int g_dhcp(void *ud, const struct lc_guest_record *rec, bool *ret)
{
	const struct guest *g = ud;
	char br[64];

	for (size_t i = 0; i < rec->n_nics && i < HOST_MAX_NICS; i++)
		ret[i] = hook_nic_watched(g->paths, &rec->nics[i], br, sizeof(br));
	return 0;
}

static void guest_done(struct guest *g)
{
	if (g->dom)
		virDomainFree(g->dom);
	if (g->own_conn)
		virConnectClose(g->conn);
}

/* The log lines of one run: each address refused, once, then a summary. */
static void log_result(const struct lc_guest_record *rec, const struct host_discover_result *res,
		       bool quiet_when_done)
{
	for (size_t i = 0; i < res->n_new_drops; i++) {
		char a[64], m[18];
		lc_mac_format(res->drops[i].mac, m);
		hook_log(LOG_WARNING,
			 "%s %s: the guest says it has %s on NIC %s (%s); not answered: outside "
			 "that NIC's segment (see discover_prefixes in libvirt-cluster.conf(5))",
			 rec->driver, rec->name, lc_addr_format(&res->drops[i].addr, a, sizeof(a)),
			 m, lc_source_name(res->drops[i].source));
	}
	/* a guest that stopped, or whose record could not be written (a full
	 * /run): its own events already said so */
	if (res->gone)
		return;
	if (quiet_when_done && res->writes == 0 && res->n_new_drops == 0) {
		hook_debug("%s %s discovery: nothing changed", rec->driver, rec->name);
		return;
	}
	if (res->complete && res->n_found == 0) {
		hook_debug("%s %s discovery: every NIC has its lease", rec->driver, rec->name);
		return;
	}
	hook_log(res->complete ? LOG_INFO : LOG_WARNING,
		 "%s %s discovery: %zu address%s on NICs without a lease after %u round%s%s%s",
		 rec->driver, rec->name, res->n_found, res->n_found == 1 ? "" : "es", res->rounds,
		 res->rounds == 1 ? "" : "s", res->complete ? "" : "; still missing: ",
		 res->complete ? ""
		 : res->error  ? strerror(-res->error)
			       : "no address yet");
}

/* Discovery wrote new addresses: the cluster DNS gets what the module
 * answers now (a bridged or static guest has no lease, so the worker's
 * publish after the leases had nothing to send). */
static void publish_found(const struct lc_paths *paths, const struct lc_config *cfg,
			  const struct lc_guest_record *rec, const struct host_discover_result *res)
{
#ifdef HAVE_LDNS
	struct lc_guest_record *now;
	char msg[DDNS_ERR_MAX + 64];
	int st;

	if (!cfg->dns_server || res->gone || res->writes == 0 || !(now = malloc(sizeof(*now))))
		return;
	if (lc_guest_record_load(paths->runstate_dir, rec->name, now) == 0) {
		st = ddns_event_answered(paths, cfg, now, msg, sizeof(msg));
		hook_log(st == DDNS_DONE || st == DDNS_NOT_OURS ? LOG_INFO : LOG_WARNING,
			 "%s %s discovery: %s", rec->driver, rec->name, msg);
		if (st == DDNS_DONE)
			hook_dns_settle(paths, cfg, now, "discovery");
	}
	free(now);
#else
	(void)paths;
	(void)cfg;
	(void)rec;
	(void)res;
#endif
}

static int discover_one(const struct lc_paths *paths, const struct lc_config *cfg,
			const struct lc_guest_record *rec, virConnectPtr conn, unsigned timeout,
			bool refresh, struct host_discover_result *res)
{
	struct guest g = {.rec = rec, .paths = paths, .conn = conn};
	struct host_discover_guest ops = {
	    .init_pid = g_init_pid,
	    .agent = g_agent,
	    .running = g_running,
	    .leased = g_leased,
	    .dhcp = g_dhcp,
	    .ud = &g,
	};
	int r;

	g.drv = hook_driver_from_name(rec->driver);
	if (g.drv != HOOK_DRIVER_LXC && g.drv != HOOK_DRIVER_QEMU)
		return -EOPNOTSUPP;
	r = host_discover_run(paths, cfg, rec->name, rec->uuid, NULL, &ops, timeout, res);
	if (r == 0) {
		log_result(rec, res, refresh);
		publish_found(paths, cfg, rec, res);
	} else
		hook_log(LOG_WARNING, "%s %s discovery: %s", rec->driver, rec->name, strerror(-r));
	guest_done(&g);
	return r;
}

void hook_discover_guest(const struct hook_work *w)
{
	struct host_discover_result res;
	unsigned timeout =
	    (unsigned)(w->config.discover_timeout > 0 ? w->config.discover_timeout : 0);

	discover_one(&w->paths, &w->config, &w->rec, NULL, timeout, false, &res);
}

/* What --refresh carries through the records. */
struct refresh {
	struct hook_ctx *ctx;
	struct lc_guest_record *rec;
	virConnectPtr qemu; /* one connection for every qemu guest */
	bool qemu_tried;
	unsigned guests, changed;
};

static int refresh_one(enum lc_record_kind kind, const char *name, void *ud)
{
	struct refresh *rf = ud;
	struct host_discover_result res;
	bool qemu;

	if (kind != LC_RECORD_GUEST ||
	    lc_guest_record_load(rf->ctx->paths.runstate_dir, name, rf->rec) < 0)
		return 0;
	qemu = !strcmp(rf->rec->driver, "qemu");
	if (qemu && !rf->qemu_tried) {
		rf->qemu = host_connect("qemu");
		rf->qemu_tried = true;
	}
	if (discover_one(&rf->ctx->paths, &rf->ctx->config, rf->rec, qemu ? rf->qemu : NULL, 0,
			 true, &res) == 0) {
		rf->guests++;
		rf->changed += res.writes > 0;
	}
	return 0;
}

int hook_refresh(struct hook_ctx *ctx)
{
	struct refresh rf = {.ctx = ctx, .rec = malloc(sizeof(*rf.rec))};
	/* a worker's discovery killed at its rename leaves its temp file, and
	 * this (the timer's, every minute) is what runs next, not --sync */
	unsigned tmp = hook_clean_tmp(ctx->paths.runstate_dir);
	/* a record /run had no room for, or that was deleted */
	unsigned restored = hook_restore_missing(ctx);
	int r = rf.rec ? lc_record_dir_foreach(ctx->paths.runstate_dir, refresh_one, &rf) : -ENOMEM;

	free(rf.rec);
	if (rf.qemu)
		virConnectClose(rf.qemu);
	if (r < 0 && r != -ENOENT) {
		fprintf(stderr, "libvirt-cluster-hook: %s: %s\n", ctx->paths.runstate_dir,
			strerror(-r));
		return 1;
	}
	printf("refreshed %u guest%s, %u record%s rewritten, %u missing record%s written, %u temp "
	       "file%s of killed writers removed",
	       rf.guests, rf.guests == 1 ? "" : "s", rf.changed, rf.changed == 1 ? "" : "s",
	       restored, restored == 1 ? "" : "s", tmp, tmp == 1 ? "" : "s");
	unsigned sent = 0, failed = 0;
	int sr = hook_refresh_spool(ctx, &sent, &failed);
	if (sr == 0)
		printf("; cluster DNS: %u spooled update%s delivered, %u failed", sent,
		       sent == 1 ? "" : "s", failed);
	else if (sr != -ENODATA)
		printf("; cluster DNS: spool not run: %s", strerror(-sr));
	unsigned republished = 0, current = 0;
	if (sr == 0 && failed == 0 && hook_refresh_dns(ctx, &republished, &current) == 0)
		printf(", %u name%s published again, %u as they were", republished,
		       republished == 1 ? "" : "s", current);
	putchar('\n');
	return 0;
}
