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

/* Leftovers of a writer killed between create and rename: "X.rec.tmp.PID"
 * whose PID is gone. */
static unsigned clean_tmp(const char *dir)
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
			struct names_seen *seen, unsigned *ret_dns)
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
			for (size_t k = 0; k < rec->n_nics; k++)
				memcpy(macs[k], rec->nics[k].mac, LC_MAC_LEN);
			if (host_leases_for_macs(ctx->paths.lease_dir,
						 (const uint8_t(*)[LC_MAC_LEN])macs, rec->n_nics,
						 leases, HOST_MAX_LEASES, &n_leases) == 0 &&
			    n_leases) {
				host_leases_rank(leases, n_leases, rec, &ctx->paths, &ctx->config);
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

/* Drop records of objects the daemon no longer runs; only for drivers we
 * could ask (a record of an unreachable driver may still be right). */
static unsigned drop_stale(struct hook_ctx *ctx, const struct names_seen *seen, bool nets_ok,
			   const bool *drv_ok)
{
	DIR *d = opendir(ctx->paths.runstate_dir);
	struct dirent *de;
	unsigned n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char name[256];
		bool guest = !strncmp(de->d_name, "guest-", 6),
		     net = !strncmp(de->d_name, "net-", 4);
		size_t pre = guest ? 6 : 4;

		if ((!guest && !net) || l < pre + 5 || strcmp(de->d_name + l - 4, ".rec") != 0 ||
		    l - pre - 4 >= sizeof(name))
			continue;
		memcpy(name, de->d_name + pre, l - pre - 4);
		name[l - pre - 4] = '\0';
		if (net && nets_ok && !seen_has(&seen[0], name)) {
			if (lc_net_record_remove(ctx->paths.runstate_dir, name) == 0)
				n++;
		} else if (guest) {
			struct lc_guest_record *rec = malloc(sizeof(*rec));
			if (rec && lc_guest_record_load(ctx->paths.runstate_dir, name, rec) == 0) {
				enum hook_driver drv = hook_driver_from_name(rec->driver);
				if (drv != HOOK_DRIVER_NONE && drv_ok[drv] &&
				    !seen_has(&seen[1], name) &&
				    lc_guest_record_remove(ctx->paths.runstate_dir, name) == 0)
					n++;
			}
			free(rec);
		}
	}
	closedir(d);
	return n;
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
	bool drv_ok[4] = {false};
	virConnectPtr conn[4] = {NULL};
	int n_nets = -1, n_guests = 0;
	unsigned resolved = 0, dns = 0, dropped, tmp;
	bool any = false;

	tmp = clean_tmp(ctx->paths.runstate_dir);
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
			int k = sync_domains(ctx, c, drv, &seen[1], &dns);
			if (k >= 0) {
				drv_ok[drv] = true;
				n_guests += k;
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
			int k = sync_domains(ctx, conn[drv], drv, &seen[1], &dns);
			if (k >= 0) {
				drv_ok[drv] = true;
				n_guests += k;
			}
		}
	}
	dropped = drop_stale(ctx, seen, n_nets >= 0, drv_ok);
	for (size_t i = 0; i < 4; i++)
		if (conn[i])
			virConnectClose(conn[i]);
	seen_free(&seen[0]);
	seen_free(&seen[1]);

	if (!any) {
		fprintf(stderr, "libvirt-cluster-hook: cannot connect to libvirt: %s\n",
			host_virt_error());
		hook_log(LOG_ERR, "sync: cannot connect to libvirt: %s", host_virt_error());
		return 1;
	}
	printf("synced %d network%s, %d guest%s; %u linked in resolved, %u DNS entr%s added, %u "
	       "stale record%s removed\n",
	       n_nets < 0 ? 0 : n_nets, n_nets == 1 ? "" : "s", n_guests, n_guests == 1 ? "" : "s",
	       resolved, dns, dns == 1 ? "y" : "ies", dropped + tmp, dropped + tmp == 1 ? "" : "s");
	hook_log(LOG_INFO, "sync: %d networks, %d guests, %u stale records removed",
		 n_nets < 0 ? 0 : n_nets, n_guests, dropped + tmp);
#ifdef HAVE_LDNS
	sync_cluster_dns(ctx);
#endif
	return 0;
}
