/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dns status | sync | purge --host ID: cluster DNS seen from this host.
 * status: the settings (key mode), the server's answer for the zone with
 * the key, what this host has published (from an AXFR), the conflicts and
 * the spool.  sync: what `libvirt-cluster-hook --sync` does to the zone.
 * purge: remove a dead host's names.  The work is host/ddns's; this file
 * is the command's arguments and output only.
 */
#include "cli/cli.h"
#include "resolver/resolver.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#if !defined(BUILD_HOST) || !defined(HAVE_LDNS)

static int cmd_dns(const struct cli_args *args)
{
	(void)args;
	cli_error("dns: this libvirt-cluster was built without cluster DNS (configure found no "
		  "ldns, or not the host layer's libraries)");
	return CLI_EXIT_FAILURE;
}

int cli_dns_hosts(const struct lc_paths *paths, struct cli_dns_hosts *ret)
{
	(void)paths;
	memset(ret, 0, sizeof(*ret));
	return 0;
}

const struct lc_host *cli_dns_host(const struct cli_dns_hosts *h, size_t i)
{
	(void)h;
	(void)i;
	return NULL;
}

void cli_dns_hosts_free(struct cli_dns_hosts *h)
{
	(void)h;
}

void cli_dns_doctor(const struct lc_paths *paths, cli_dns_finding_fn fn, void *userdata)
{
	struct lc_config cfg;
	if (lc_config_load(paths->config, &cfg, NULL, NULL) == 0 && cfg.dns_server)
		fn(1, "dns_server is set, but this build has no cluster DNS (no ldns)", "",
		   userdata);
	lc_config_free(&cfg);
}

#else

#include "host/ddns.h"
#include "host/host.h"

#include <dirent.h>
#include <libvirt/libvirt.h>

static int load(const struct cli_args *args, struct lc_paths *paths, struct ddns_config *c)
{
	struct lc_config cfg;
	char err[DDNS_ERR_MAX];
	int r;

	cli_lc_paths(args, paths);
	r = lc_config_load(paths->config, &cfg, NULL, NULL);
	if (r < 0) {
		cli_error("dns: %s: %s", paths->config, strerror(-r));
		return CLI_EXIT_FAILURE;
	}
	r = ddns_config_from(&cfg, DDNS_MACHINE_ID, c, err, sizeof(err));
	lc_config_free(&cfg);
	if (r == -ENODATA) {
		cli_error("dns: dns_server is not set in %s: cluster DNS is off", paths->config);
		return CLI_EXIT_FAILURE;
	}
	if (r < 0) {
		cli_error("dns: %s", err);
		return CLI_EXIT_FAILURE;
	}
	return CLI_EXIT_OK;
}

static void print_pending(const struct ddns_spool_entry *e, void *ud)
{
	unsigned *n = ud;
	printf("  pending %s %s (%u tr%s): %s\n", e->op == DDNS_OP_PUBLISH ? "publish" : "withdraw",
	       e->guest.name, e->tries, e->tries == 1 ? "y" : "ies", e->last_error);
	n[0]++;
}

static void print_conflict(const struct ddns_conflict *c, void *ud)
{
	unsigned *n = ud;
	printf("  conflict %s: the name belongs to another guest (host=%s): nothing changed\n",
	       c->name, c->owner[0] ? c->owner : "unknown");
	n[1]++;
}

/* This host's names in the zone, and how many are other hosts'. */
static bool print_published(const struct ddns_config *c)
{
	struct ddns_zone z;
	char err[DDNS_ERR_MAX], a[64];
	unsigned others = 0, ours = 0;

	if (ddns_axfr(c, c->zone, &z, err, sizeof(err)) < 0) {
		printf("  zone transfer: %s\n", err);
		return false;
	}
	for (size_t i = 0; i < z.n; i++) {
		const struct ddns_zone_entry *e = &z.entries[i];
		if (strcmp(e->host, c->host_id)) {
			others++;
			continue;
		}
		ours++;
		printf("  %s", e->owner);
		for (size_t k = 0; k < e->n_addrs; k++)
			printf(" %s", lc_addr_format(&e->addrs[k], a, sizeof(a)));
		printf("%s%s%s%s\n", e->cluster[0] ? " cluster=" : "", e->cluster,
		       e->group[0] ? " group=" : "", e->group);
	}
	printf("  %u name%s published by this host, %u by other hosts\n", ours,
	       ours == 1 ? "" : "s", others);
	ddns_zone_free(&z);
	return true;
}

static int dns_status(const struct ddns_config *c)
{
	struct ddns_probe p;
	unsigned n[2] = {0, 0};
	bool ok;

	printf("server %s, zone %s, key %s (%s, mode ok), host id %s\n", c->server_text, c->zone,
	       c->key.name, c->key_file, c->host_id);
	ok = ddns_probe(c, c->zone, &p) == 0 && p.soa;
	printf("  %s\n", p.message);
	if (ok)
		ok = print_published(c);
	ddns_spool_list(ddns_spool_dir(), print_pending, print_conflict, n);
	printf("  %u update%s waiting in %s, %u conflict%s\n", n[0], n[0] == 1 ? "" : "s",
	       ddns_spool_dir(), n[1], n[1] == 1 ? "" : "s");
	return ok && !n[0] && !n[1] ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

static void print_result(const char *what, const struct ddns_result *r, void *ud)
{
	printf("  %s: %s: %s\n", what, ddns_status_name(r->status), r->message);
}

static int dns_sync(const struct cli_args *args, const struct lc_paths *paths,
		    const struct ddns_config *c)
{
	struct ddns_sync_stats st;
	struct lc_config cfg;
	char err[DDNS_ERR_MAX];
	int r;

	if (lc_config_load(paths->config, &cfg, NULL, NULL) < 0)
		return CLI_EXIT_FAILURE;
	r = ddns_sync_recorded(paths, &cfg, print_result, NULL, &st, err, sizeof(err));
	lc_config_free(&cfg);
	if (r < 0) {
		cli_error("dns sync: %s", err);
		return CLI_EXIT_FAILURE;
	}
	printf(
	    "%u published, %u stale name%s removed, %u conflict%s, %u failed (spooled); %u name%s "
	    "of other hosts left alone\n",
	    st.published, st.removed, st.removed == 1 ? "" : "s", st.conflicts,
	    st.conflicts == 1 ? "" : "s", st.failed, st.others, st.others == 1 ? "" : "s");
	return st.failed ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

static int dns_purge(const struct ddns_config *c, const char *host)
{
	struct ddns_sync_stats st;
	char err[DDNS_ERR_MAX];

	if (ddns_purge(c, host, print_result, NULL, &st, err, sizeof(err)) < 0) {
		cli_error("dns purge: %s", err);
		return CLI_EXIT_FAILURE;
	}
	printf("%u name%s of host %s removed, %u failed\n", st.removed, st.removed == 1 ? "" : "s",
	       host, st.failed);
	return st.failed ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

/* ---- inventory: the other hosts' guests, from the zone ----------------------- */

struct dns_host {
	struct lc_host h;
	struct lc_host_addr addrs[DDNS_MAX_ADDRS];
	char cluster[64], group[64];
};

static void fill_host(struct dns_host *d, const struct ddns_zone_entry *e)
{
	memset(d, 0, sizeof(*d));
	d->h.name = e->owner;
	d->h.driver = "dns";
	snprintf(d->cluster, sizeof(d->cluster), "%s", e->cluster);
	snprintf(d->group, sizeof(d->group), "%s", e->group);
	d->h.cluster = d->cluster[0] ? d->cluster : NULL;
	d->h.group = d->group[0] ? d->group : NULL;
	d->h.running = d->h.guest = true;
	/* the zone's order, IPv4 first: ansible_host is the first */
	for (int fam = AF_INET; fam; fam = fam == AF_INET ? AF_INET6 : 0)
		for (size_t k = 0; k < e->n_addrs; k++) {
			if (e->addrs[k].family != fam)
				continue;
			struct lc_host_addr *a = &d->addrs[d->h.n_addrs++];
			a->addr = e->addrs[k];
			a->network = a->bridge = a->mac_str = "";
			a->klass = LC_CLASS_UNKNOWN;
			a->expiry = INT64_MAX;
			a->nic_index = a->prefer_index = -1;
		}
	d->h.addrs = d->addrs;
}

int cli_dns_hosts(const struct lc_paths *paths, struct cli_dns_hosts *ret)
{
	struct cli_dns_hosts out = {0};
	struct ddns_config *c = malloc(sizeof(*c));
	struct lc_config cfg;
	char err[DDNS_ERR_MAX] = "the config cannot be read";
	int r;

	if (!c)
		return -ENOMEM;
	r = lc_config_load(paths->config, &cfg, NULL, NULL);
	if (r == 0) {
		r = ddns_config_from(&cfg, DDNS_MACHINE_ID, c, err, sizeof(err));
		lc_config_free(&cfg);
	}
	if (r == -ENODATA) { /* cluster DNS is off: this host's guests only */
		free(c);
		*ret = out;
		return 0;
	}
	struct ddns_zone *z = r == 0 ? calloc(1, sizeof(*z)) : NULL;
	if (r == 0 && !z)
		r = -ENOMEM;
	if (r == 0 && ddns_axfr(c, c->zone, z, err, sizeof(err)) < 0) {
		cli_warn("inventory: this host's guests only: %s", err);
		free(z);
		z = NULL;
	}
	if (r < 0)
		cli_warn("inventory: this host's guests only: %s", err);
	struct dns_host *all = z && z->n ? calloc(z->n, sizeof(*all)) : NULL;
	for (size_t i = 0; all && i < z->n; i++)
		/* this host's guests come from its own sources, ranked */
		if (!z->entries[i].ptr[0] && strcmp(z->entries[i].host, c->host_id) &&
		    z->entries[i].n_addrs)
			fill_host(&all[out.n++], &z->entries[i]);
	out.mem = all;
	out.zone = z;
	free(c);
	*ret = out;
	return 0;
}

const struct lc_host *cli_dns_host(const struct cli_dns_hosts *h, size_t i)
{
	return &((const struct dns_host *)h->mem)[i].h;
}

void cli_dns_hosts_free(struct cli_dns_hosts *h)
{
	if (h->zone)
		ddns_zone_free(h->zone);
	free(h->zone);
	free(h->mem);
	memset(h, 0, sizeof(*h));
}

/* ---- doctor --------------------------------------------------------------- */

static void doctor_spool_entry(const struct ddns_spool_entry *e, void *ud)
{
	void **a = ud;
	char msg[DDNS_ERR_MAX + 128];
	snprintf(msg, sizeof(msg), "an update of %s waits in the spool (%u tr%s): %s",
		 e->guest.name, e->tries, e->tries == 1 ? "y" : "ies", e->last_error);
	((cli_dns_finding_fn)a[0])(1, msg,
				   "fix what the error says; the worker and --sync retry it", a[1]);
}

static void doctor_conflict(const struct ddns_conflict *c, void *ud)
{
	void **a = ud;
	char msg[256];
	snprintf(msg, sizeof(msg),
		 "%s: the name belongs to another guest (host=%s): this host's guest is not "
		 "published",
		 c->name, c->owner[0] ? c->owner : "unknown");
	((cli_dns_finding_fn)a[0])(
	    1, msg,
	    "rename one of the two guests, or remove a dead host's names with "
	    "libvirt-cluster dns purge --host ID",
	    a[1]);
}

/* Each network this host records must forward the zone to the server,
 * or its guests cannot resolve the other hosts' guests. */
static void doctor_forwarders(const struct lc_paths *paths, const struct ddns_config *c,
			      cli_dns_finding_fn fn, void *ud)
{
	char want[300], xml[512], msg[1024];
	DIR *dp = opendir(paths->runstate_dir);
	virConnectPtr conn = dp ? host_connect("network") : NULL;
	struct dirent *de;

	snprintf(want, sizeof(want), "<forwarder domain='%s'", c->zone);
	ddns_forwarder_xml(c, xml, sizeof(xml));
	while (conn && (de = readdir(dp))) {
		size_t l = strlen(de->d_name);
		char name[256];
		if (l < 9 || strncmp(de->d_name, "net-", 4) || strcmp(de->d_name + l - 4, ".rec"))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(l - 8), de->d_name + 4);
		virNetworkPtr net = virNetworkLookupByName(conn, name);
		char *desc = net ? virNetworkGetXMLDesc(net, 0) : NULL;
		bool has = desc && strstr(desc, want);
		if (desc) {
			snprintf(
			    msg, sizeof(msg),
			    has ? "network %s forwards %s to the cluster's DNS server"
				: "network %s has no forwarder for %s: its guests cannot resolve "
				  "other hosts' guests",
			    name, c->zone);
			char fix[1024];
			snprintf(fix, sizeof(fix),
				 "virsh net-edit %s, and add inside <network> (virNetworkUpdate "
				 "cannot):\n%s",
				 name, xml);
			fn(has ? 0 : 1, msg, has ? "" : fix, ud);
		}
		free(desc);
		if (net)
			virNetworkFree(net);
	}
	if (conn)
		virConnectClose(conn);
	if (dp)
		closedir(dp);
}

void cli_dns_doctor(const struct lc_paths *paths, cli_dns_finding_fn fn, void *userdata)
{
	struct ddns_config *c = malloc(sizeof(*c));
	struct ddns_probe p;
	struct lc_config cfg;
	char err[DDNS_ERR_MAX], msg[1200];
	void *args[2] = {(void *)fn, userdata};

	if (!c || lc_config_load(paths->config, &cfg, NULL, NULL) < 0) {
		free(c);
		return;
	}
	int r = ddns_config_from(&cfg, DDNS_MACHINE_ID, c, err, sizeof(err));
	lc_config_free(&cfg);
	if (r == -ENODATA) { /* cluster DNS is off: nothing to say */
		free(c);
		return;
	}
	if (r < 0) {
		fn(1, err, r == -EPERM ? "chown root:root KEYFILE && chmod 600 KEYFILE" : "",
		   userdata);
		free(c);
		return;
	}
	snprintf(msg, sizeof(msg), "key %s in %s: mode ok (root only)", c->key.name, c->key_file);
	fn(0, msg, "", userdata);
	if (ddns_probe(c, c->zone, &p) == 0)
		fn(p.soa ? 0 : 1, p.message, "", userdata);
	for (size_t i = 0; i < c->n_rev_zones; i++)
		if (ddns_probe(c, c->rev_zones[i], &p) == 0)
			fn(p.soa ? 0 : 1, p.message, "", userdata);
	ddns_spool_list(ddns_spool_dir(), doctor_spool_entry, doctor_conflict, args);
	doctor_forwarders(paths, c, fn, userdata);
	free(c);
}

static int cmd_dns(const struct cli_args *args)
{
	const char *verb = args->argv[0];
	struct ddns_config *c;
	struct lc_paths paths;
	int r;

	if (strcmp(verb, "status") && strcmp(verb, "sync") && strcmp(verb, "purge")) {
		cli_error("dns: expected status, sync or purge --host ID, not '%s'", verb);
		return CLI_EXIT_USAGE;
	}
	if (!strcmp(verb, "purge") != !!args->host) {
		cli_error("dns: --host ID goes with purge, and purge needs it");
		return CLI_EXIT_USAGE;
	}
	c = malloc(sizeof(*c));
	if (!c)
		return CLI_EXIT_FAILURE;
	r = load(args, &paths, c);
	if (r == CLI_EXIT_OK)
		r = !strcmp(verb, "status") ? dns_status(c)
		    : !strcmp(verb, "sync") ? dns_sync(args, &paths, c)
					    : dns_purge(c, args->host);
	free(c);
	return r;
}

#endif

CLI_COMMAND(dns) = {
    .name = "dns",
    .min_args = 1,
    .max_args = 1,
    .fn = cmd_dns,
    .options = CLI_OPT_HOST | CLI_OPT_ROOT,
    .usage = "status|sync|purge",
    .help = "Cluster DNS (dns_server in libvirt-cluster.conf).\n"
	    "status: the server's answer for the zone with the key, what this host has\n"
	    "published (from an AXFR), the conflicts and the updates still spooled.\n"
	    "sync: remove this host's names no running guest owns, publish the running\n"
	    "ones (what libvirt-cluster-hook --sync does to the zone).\n"
	    "purge --host ID: remove every name of host ID (a dead host's).",
};
