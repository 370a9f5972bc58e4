/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --sync: rebuild every record from the running daemon, for hooks installed
 * after guests started, a lost /run, or a resolved started after the
 * networks.  Not a hook: it may call libvirt directly, and it prints a
 * summary on stdout.
 */
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "hooks/hook.h"
#include "host/host.h"
#ifdef HAVE_LDNS
#include "host/ddns.h"
#endif

struct names_seen {
	char **v;
	size_t n;
};

static void seen_add(struct names_seen *s, const char *name)
{
	char **nv = realloc(s->v, (s->n + 1) * sizeof(*nv));
	if (!nv)
		return;
	s->v = nv;
	s->v[s->n] = strdup(name);
	if (s->v[s->n])
		s->n++;
}

static bool seen_has(const struct names_seen *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], name))
			return true;
	return false;
}

static void seen_free(struct names_seen *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* The MACs of the guests that run now, over every driver. */
struct macs_seen {
	uint8_t (*v)[LC_MAC_LEN];
	size_t n;
};

static void macs_add(struct macs_seen *m, const struct lc_guest_record *rec)
{
	void *nv = realloc(m->v, (m->n + rec->n_nics) * sizeof(*m->v));
	if (!nv)
		return;
	m->v = nv;
	for (size_t i = 0; i < rec->n_nics; i++)
		memcpy(m->v[m->n++], rec->nics[i].mac, LC_MAC_LEN);
}

static bool macs_has(const struct macs_seen *m, const uint8_t *mac)
{
	for (size_t i = 0; i < m->n; i++)
		if (!memcmp(m->v[i], mac, LC_MAC_LEN))
			return true;
	return false;
}

/* Leftovers of a writer killed between link and rename:
 * "X.rec.tmp.PID.N" (the core's temp name: the writer's pid, then a count)
 * or an older writer's "X.rec.tmp.PID", whose PID is gone. */
unsigned hook_clean_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		const char *t = strstr(de->d_name, ".rec.tmp.");
		char *end;
		if (!t)
			continue;
		long pid = strtol(t + 9, &end, 10);
		if (*end == '.' && end[1] && !end[1 + strspn(end + 1, "0123456789")])
			end += strlen(end);
		if (*end || pid <= 0 || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static int sync_networks(struct hook_ctx *ctx, virConnectPtr conn, struct names_seen *seen,
			 unsigned *ret_resolved)
{
	virNetworkPtr *nets = NULL;
	int n = virConnectListAllNetworks(conn, &nets, VIR_CONNECT_LIST_NETWORKS_ACTIVE);
	struct sd_bus *bus = NULL;

	if (n < 0)
		return -EIO;
	if (ctx->config.resolved && host_bus_open(&bus) < 0)
		bus = NULL;
	for (int i = 0; i < n; i++) {
		char *xml = virNetworkGetXMLDesc(nets[i], 0);
		struct host_network *hn = calloc(1, sizeof(*hn));
		struct lc_net_record rec;

		if (xml && hn && host_xml_network(xml, strlen(xml), hn) == 0) {
			int ifindex = hn->bridge[0] ? (int)if_nametoindex(hn->bridge) : 0;
			hook_network_to_record(hn, ifindex, &rec);
			if (lc_net_record_write(ctx->paths.runstate_dir, &rec) == 0)
				seen_add(seen, hn->name);
			if (bus && hn->domain[0] && ifindex > 0 &&
			    host_resolved_register(bus, ifindex, hn->addrs, hn->n_addrs, hn->domain,
						   1000000u) == 0)
				(*ret_resolved)++;
		}
		free(hn);
		free(xml);
		virNetworkFree(nets[i]);
	}
	free(nets);
	host_bus_close(bus);
	return n;
}

static int sync_domains(struct hook_ctx *ctx, virConnectPtr conn, enum hook_driver drv,
			struct names_seen *seen, struct macs_seen *macs_running, unsigned *ret_dns)
{
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);

	if (n < 0)
		return -EIO;
	for (int i = 0; i < n; i++) {
		char *xml = virDomainGetXMLDesc(doms[i], 0);
		struct host_domain *d = calloc(1, sizeof(*d));
		struct lc_guest_record *rec = calloc(1, sizeof(*rec));
		struct host_lease *leases = calloc(HOST_MAX_LEASES, sizeof(*leases));

		if (xml && d && rec && leases && host_xml_domain(xml, strlen(xml), d) == 0) {
			uint8_t macs[HOST_MAX_NICS][LC_MAC_LEN];
			size_t n_leases = 0;
			unsigned added = 0, kept = 0;
			char msg[256] = "";

			hook_domain_to_record(d, drv, ctx->paths.runstate_dir, rec);
			if (lc_guest_record_write(ctx->paths.runstate_dir, rec) == 0)
				seen_add(seen, rec->name);
			macs_add(macs_running, rec);
			for (size_t k = 0; k < rec->n_nics; k++)
				memcpy(macs[k], rec->nics[k].mac, LC_MAC_LEN);
			if (host_guest_leases(&ctx->paths, (const uint8_t(*)[LC_MAC_LEN])macs,
					      rec->n_nics, leases, HOST_MAX_LEASES,
					      &n_leases) == 0 &&
			    n_leases) {
				host_dns_register(conn, rec, leases, n_leases, &added, &kept, msg,
						  sizeof(msg));
				*ret_dns += added;
			}
		}
		free(leases);
		free(rec);
		free(d);
		free(xml);
		virDomainFree(doms[i]);
	}
	free(doms);
	return n;
}

struct stale_walk {
	struct hook_ctx *ctx;
	const struct names_seen *seen; /* networks, guests */
	bool nets_ok;
	const bool *drv_ok;
	unsigned n;
};

static int drop_one(enum lc_record_kind kind, const char *name, void *userdata)
{
	struct stale_walk *w = userdata;
	const char *dir = w->ctx->paths.runstate_dir;

	if (kind == LC_RECORD_NET) {
		if (w->nets_ok && !seen_has(&w->seen[0], name) &&
		    lc_net_record_remove(dir, name) == 0)
			w->n++;
		return 0;
	}
	struct lc_guest_record *rec = malloc(sizeof(*rec));
	if (rec && lc_guest_record_load(dir, name, rec) == 0) {
		enum hook_driver drv = hook_driver_from_name(rec->driver);
		if (drv != HOOK_DRIVER_NONE && w->drv_ok[drv] && !seen_has(&w->seen[1], name) &&
		    lc_guest_record_remove(dir, name) == 0)
			w->n++;
	}
	free(rec);
	return 0;
}

/* The live leases of the guests conn has defined but not running: their
 * stopped hook never ran (a host that lost power, a libvirtd killed with
 * them), so libvirt's .macs may still list them and the module would
 * answer for them until the leases expire.  Released as the stopped hook
 * releases them; a MAC a running guest has too is left alone. */
static unsigned release_stopped(struct hook_ctx *ctx, virConnectPtr conn,
				const struct macs_seen *macs_running)
{
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_INACTIVE);
	struct host_domain *d = calloc(1, sizeof(*d));
	struct host_lease *leases = calloc(HOST_MAX_LEASES, sizeof(*leases));
	unsigned released = 0;

	for (int i = 0; i < n; i++) {
		char *xml =
		    d && leases ? virDomainGetXMLDesc(doms[i], VIR_DOMAIN_XML_INACTIVE) : NULL;
		uint8_t macs[HOST_MAX_NICS][LC_MAC_LEN];
		size_t n_macs = 0, n_leases = 0;

		if (xml && host_xml_domain(xml, strlen(xml), d) == 0)
			for (size_t k = 0; k < d->n_nics; k++)
				if (!macs_has(macs_running, d->nics[k].mac))
					memcpy(macs[n_macs++], d->nics[k].mac, LC_MAC_LEN);
		if (n_macs && host_guest_leases(&ctx->paths, (const uint8_t(*)[LC_MAC_LEN])macs,
						n_macs, leases, HOST_MAX_LEASES, &n_leases) < 0)
			n_leases = 0;
		for (size_t k = 0; k < n_leases; k++) {
			const struct host_lease *l = &leases[k];
			struct lc_dhcp6_id id;
			int r = -EINVAL;
			if (l->addr.family == AF_INET) {
				r = host_dhcp4_release_send(l->bridge, &l->addr, l->mac);
			} else if (l->has_dhcp6) {
				host_lease_dhcp6(l, &id);
				r = host_dhcp6_release_send(l->bridge, &l->addr, &id, 0);
			}
			released += r == 0;
		}
		free(xml);
		virDomainFree(doms[i]);
	}
	free(leases);
	free(d);
	free(doms);
	return released;
}

/* Drop records of objects the daemon no longer runs; only for drivers we
 * could ask (a record of an unreachable driver may still be right). */
static unsigned drop_stale(struct hook_ctx *ctx, const struct names_seen *seen, bool nets_ok,
			   const bool *drv_ok)
{
	struct stale_walk w = {.ctx = ctx, .seen = seen, .nets_ok = nets_ok, .drv_ok = drv_ok};

	lc_record_dir_foreach(ctx->paths.runstate_dir, drop_one, &w);
	return w.n;
}

#ifdef HAVE_LDNS
static void log_sync(const char *what, const struct ddns_result *r, void *ud)
{
	hook_log(r->status == DDNS_DONE ? LOG_INFO : LOG_WARNING, "sync: cluster DNS: %s",
		 r->message);
}

/* After the records match what libvirt runs: the zone is made to match
 * them (this host's names only). */
static void sync_cluster_dns(struct hook_ctx *ctx)
{
	struct ddns_sync_stats st;
	char err[DDNS_ERR_MAX];
	int r =
	    ddns_sync_recorded(&ctx->paths, &ctx->config, log_sync, NULL, &st, err, sizeof(err));

	if (r == -ENODATA)
		return;
	if (r < 0) {
		printf("cluster DNS: not synced: %s\n", err);
		hook_log(LOG_WARNING, "sync: cluster DNS not synced: %s", err);
		return;
	}
	printf("cluster DNS: %u published, %u stale name%s removed, %u conflict%s, %u failed "
	       "(spooled); "
	       "%u name%s of other hosts left alone\n",
	       st.published, st.removed, st.removed == 1 ? "" : "s", st.conflicts,
	       st.conflicts == 1 ? "" : "s", st.failed, st.others, st.others == 1 ? "" : "s");
}
#endif

int hook_sync(struct hook_ctx *ctx)
{
	struct names_seen seen[2] = {{0}}; /* networks, guests */
	struct macs_seen macs_running = {0};
	bool drv_ok[4] = {false};
	virConnectPtr conn[4] = {NULL};
	int n_nets = -1, n_guests = 0;
	unsigned resolved = 0, dns = 0, released = 0, dropped, tmp;
	bool any = false;

	tmp = hook_clean_tmp(ctx->paths.runstate_dir);
	conn[HOOK_DRIVER_NETWORK] = host_connect("network");
	if (conn[HOOK_DRIVER_NETWORK]) {
		n_nets = sync_networks(ctx, conn[HOOK_DRIVER_NETWORK], &seen[0], &resolved);
		any = true;
	}
	if (secure_getenv("LIBVIRT_CLUSTER_HOOK_URI")) {
		/* One URI for everything: its driver is whatever it serves. */
		virConnectPtr c =
		    conn[HOOK_DRIVER_NETWORK] ? conn[HOOK_DRIVER_NETWORK] : host_connect("qemu");
		const char *t = c ? virConnectGetType(c) : NULL;
		enum hook_driver drv =
		    t && !strcasecmp(t, "LXC") ? HOOK_DRIVER_LXC : HOOK_DRIVER_QEMU;
		if (c) {
			int k = sync_domains(ctx, c, drv, &seen[1], &macs_running, &dns);
			if (k >= 0) {
				drv_ok[drv] = true;
				n_guests += k;
				released += release_stopped(ctx, c, &macs_running);
			}
			any = true;
			if (c != conn[HOOK_DRIVER_NETWORK])
				virConnectClose(c);
		}
	} else {
		for (enum hook_driver drv = HOOK_DRIVER_QEMU; drv <= HOOK_DRIVER_LXC; drv++) {
			conn[drv] = host_connect(hook_driver_name(drv));
			if (!conn[drv])
				continue;
			any = true;
			int k = sync_domains(ctx, conn[drv], drv, &seen[1], &macs_running, &dns);
			if (k >= 0) {
				drv_ok[drv] = true;
				n_guests += k;
			}
		}
		/* after every driver's running guests: a MAC may move between them */
		for (enum hook_driver drv = HOOK_DRIVER_QEMU; drv <= HOOK_DRIVER_LXC; drv++)
			if (drv_ok[drv])
				released += release_stopped(ctx, conn[drv], &macs_running);
	}
	dropped = drop_stale(ctx, seen, n_nets >= 0, drv_ok);
	for (size_t i = 0; i < 4; i++)
		if (conn[i])
			virConnectClose(conn[i]);
	seen_free(&seen[0]);
	seen_free(&seen[1]);
	free(macs_running.v);

	if (!any) {
		fprintf(stderr, "libvirt-cluster-hook: cannot connect to libvirt: %s\n",
			host_virt_error());
		hook_log(LOG_ERR, "sync: cannot connect to libvirt: %s", host_virt_error());
		return 1;
	}
	printf("synced %d network%s, %d guest%s; %u linked in resolved, %u DNS entr%s added, %u "
	       "stale record%s removed, %u lease%s of stopped guests released\n",
	       n_nets < 0 ? 0 : n_nets, n_nets == 1 ? "" : "s", n_guests, n_guests == 1 ? "" : "s",
	       resolved, dns, dns == 1 ? "y" : "ies", dropped + tmp, dropped + tmp == 1 ? "" : "s",
	       released, released == 1 ? "" : "s");
	hook_log(LOG_INFO,
		 "sync: %d networks, %d guests, %u stale records removed, %u leases of stopped "
		 "guests released",
		 n_nets < 0 ? 0 : n_nets, n_guests, dropped + tmp, released);
#ifdef HAVE_LDNS
	sync_cluster_dns(ctx);
#endif
	return 0;
}
