/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ddns-drive: the host layer's cluster-DNS calls from a shell, for the lab
 * tests against a real BIND and Knot (tests/lab/test-ddns-*.sh).
 *
 *   ddns-drive [-c CONF] [-s SPOOL] [-t MS] [-C CLUSTER] [-G GROUP] CMD ...
 *     check                          load the settings (key mode, zone)
 *     probe                          doctor's question: SOA with the key
 *     publish|withdraw NAME UUID ADDR...   now, nothing spooled
 *     apply publish|withdraw NAME UUID ADDR...  now, spooled on failure
 *     spool-run [force]              deliver what the spool holds
 *     axfr ZONE                      the names that carry our TXT
 *     sync [NAME,UUID,ADDR[,ADDR...]]...   reconcile with these running guests
 *     purge HOSTID                   remove every name of that host
 *     status                         what the spool holds: pending, conflicts
 *
 * Prints "STATUS: MESSAGE" (status as ddns_status_name says), and exits 0
 * done, 2 conflict, 3 not-ours, 4 retry, 5 misconfigured, 1 other errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "host/ddns.h"

static struct ddns_config cfg;
static const char *cluster = "", *group = "";

static int guest_from(int argc, char **argv, struct ddns_guest *g)
{
	memset(g, 0, sizeof(*g));
	if (argc < 2)
		return -EINVAL;
	snprintf(g->name, sizeof(g->name), "%s", argv[0]);
	snprintf(g->cluster, sizeof(g->cluster), "%s", cluster);
	snprintf(g->group, sizeof(g->group), "%s", group);
	if (ddns_uuid_parse(argv[1], g->uuid) < 0)
		return -EINVAL;
	for (int i = 2; i < argc && g->n_addrs < DDNS_MAX_ADDRS; i++)
		if (lc_addr_parse(argv[i], strlen(argv[i]), &g->addrs[g->n_addrs++]) < 0)
			return -EINVAL;
	return 0;
}

static int report(const struct ddns_result *r)
{
	static const int codes[] = {0, 2, 3, 4, 5};
	printf("%s: %s%s\n", ddns_status_name(r->status), r->message, r->tcp ? " [tcp]" : "");
	if (r->status == DDNS_CONFLICT)
		printf("owner: %s\n", r->other_host);
	return codes[r->status];
}

static void on_spool(const struct ddns_spool_entry *e, const struct ddns_result *r, void *ud)
{
	printf("spool %s %s: ", e->op == DDNS_OP_PUBLISH ? "publish" : "withdraw", e->guest.name);
	report(r);
}

static int cmd_axfr(const char *zone)
{
	struct ddns_zone z;
	char err[DDNS_ERR_MAX], a[64];
	if (ddns_axfr(&cfg, zone, &z, err, sizeof(err)) < 0) {
		printf("error: %s\n", err);
		return 1;
	}
	for (size_t i = 0; i < z.n; i++) {
		const struct ddns_zone_entry *e = &z.entries[i];
		printf("%s host=%s cluster=%s group=%s dhcid=%s", e->owner, e->host, e->cluster,
		       e->group, e->has_dhcid ? "yes" : "no");
		for (size_t j = 0; j < e->n_addrs; j++)
			printf(" %s", lc_addr_format(&e->addrs[j], a, sizeof(a)));
		if (e->ptr[0])
			printf(" ptr=%s", e->ptr);
		printf("\n");
	}
	printf("messages %u names %zu\n", z.messages, z.n);
	ddns_zone_free(&z);
	return 0;
}

static void on_sync(const char *what, const struct ddns_result *r, void *ud)
{
	printf("sync %s: ", what);
	report(r);
}

/* "NAME,UUID,ADDR,..." into a guest. */
static int guest_csv(char *arg, struct ddns_guest *g)
{
	char *words[2 + DDNS_MAX_ADDRS], *save = NULL;
	int n = 0;
	for (char *w = strtok_r(arg, ",", &save); w && n < 2 + DDNS_MAX_ADDRS;
	     w = strtok_r(NULL, ",", &save))
		words[n++] = w;
	return guest_from(n, words, g);
}

static int cmd_sync(const char *spool, int argc, char **argv)
{
	static struct ddns_guest running[64];
	struct ddns_sync_stats st;
	char err[DDNS_ERR_MAX];
	int n = 0, r;

	for (int i = 1; !strcmp(argv[0], "sync") && i < argc && n < 64; i++)
		if (guest_csv(argv[i], &running[n++]) < 0)
			return 1;
	if (!strcmp(argv[0], "purge"))
		r = argc == 2 ? ddns_purge(&cfg, argv[1], on_sync, NULL, &st, err, sizeof(err))
			      : -EINVAL;
	else
		r = ddns_sync(&cfg, running, (size_t)n, spool, time(NULL), on_sync, NULL, &st, err,
			      sizeof(err));
	if (r < 0) {
		printf("error: %s\n", r == -EINVAL ? "usage: purge HOSTID" : err);
		return 1;
	}
	printf("removed %u published %u conflicts %u failed %u others %u\n", st.removed,
	       st.published, st.conflicts, st.failed, st.others);
	return st.failed ? 4 : 0;
}

static void on_pending(const struct ddns_spool_entry *e, void *ud)
{
	printf("pending %s %s tries %u: %s\n", e->op == DDNS_OP_PUBLISH ? "publish" : "withdraw",
	       e->guest.name, e->tries, e->last_error);
}

static void on_conflict(const struct ddns_conflict *c, void *ud)
{
	printf("conflict %s owner %s\n", c->name, c->owner[0] ? c->owner : "?");
}

static int run(const char *spool, int argc, char **argv)
{
	struct ddns_result res;
	struct ddns_guest g;
	const char *cmd = argv[0];
	int r;

	if (!strcmp(cmd, "check")) {
		printf("ok: server %s zone %s key %s host %s\n", cfg.server_text, cfg.zone,
		       cfg.key.name, cfg.host_id);
		return 0;
	}
	if (!strcmp(cmd, "probe")) {
		struct ddns_probe p;
		char xml[512];
		if (ddns_probe(&cfg, cfg.zone, &p) < 0 ||
		    ddns_forwarder_xml(&cfg, xml, sizeof(xml)) < 0)
			return 1;
		printf("%s: %s\n%s\n", p.soa ? "ok" : "fail", p.message, xml);
		return p.soa ? 0 : 5;
	}
	if (!strcmp(cmd, "status"))
		return ddns_spool_list(spool, on_pending, on_conflict, NULL) < 0;
	if (!strcmp(cmd, "sync") || !strcmp(cmd, "purge"))
		return cmd_sync(spool, argc, argv);
	if (!strcmp(cmd, "axfr") && argc == 2)
		return cmd_axfr(argv[1]);
	if (!strcmp(cmd, "spool-run")) {
		struct ddns_spool_stats st;
		bool force = argc > 1 && !strcmp(argv[1], "force");
		if (ddns_spool_run(&cfg, spool, time(NULL), force, on_spool, NULL, &st) < 0)
			return 1;
		printf("delivered %u failed %u waiting %u conflicts %u bad %u\n", st.delivered,
		       st.failed, st.waiting, st.conflicts, st.bad);
		return st.failed ? 4 : 0;
	}
	if (!strcmp(cmd, "apply") && argc >= 4) {
		enum ddns_op op = !strcmp(argv[1], "publish") ? DDNS_OP_PUBLISH : DDNS_OP_WITHDRAW;
		if (guest_from(argc - 2, argv + 2, &g) < 0)
			return 1;
		r = ddns_apply(&cfg, spool, op, &g, time(NULL), &res);
		return r < 0 ? 1 : report(&res);
	}
	if ((!strcmp(cmd, "publish") || !strcmp(cmd, "withdraw")) && argc >= 3) {
		if (guest_from(argc - 1, argv + 1, &g) < 0)
			return 1;
		r = !strcmp(cmd, "publish") ? ddns_publish(&cfg, &g, &res)
					    : ddns_withdraw(&cfg, &g, &res);
		if (r < 0) {
			printf("error: %s\n", strerror(-r));
			return 1;
		}
		return report(&res);
	}
	fprintf(stderr, "ddns-drive: unknown command or missing arguments: %s\n", cmd);
	return 1;
}

int main(int argc, char **argv)
{
	const char *conf = "/etc/libvirt-cluster.conf", *spool = ddns_spool_dir();
	struct lc_config lc;
	char err[DDNS_ERR_MAX];
	int timeout = 0, o, r;

	while ((o = getopt(argc, argv, "+c:s:t:C:G:")) != -1) {
		switch (o) {
		case 'c':
			conf = optarg;
			break;
		case 's':
			spool = optarg;
			break;
		case 't':
			timeout = atoi(optarg);
			break;
		case 'C':
			cluster = optarg;
			break;
		case 'G':
			group = optarg;
			break;
		default:
			return 1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: ddns-drive [-c CONF] [-s SPOOL] [-t MS] CMD ...\n");
		return 1;
	}
	r = lc_config_load(conf, &lc, NULL, NULL);
	if (r < 0) {
		printf("error: %s: %s\n", conf, strerror(-r));
		return 1;
	}
	r = ddns_config_from(&lc, "/etc/machine-id", &cfg, err, sizeof(err));
	lc_config_free(&lc);
	if (r < 0) {
		printf("error: %s\n", r == -ENODATA ? "dns_server is not set" : err);
		return r == -EPERM ? 5 : 1;
	}
	if (timeout > 0)
		cfg.timeout_ms = timeout;
	return run(spool, argc - optind, argv + optind);
}
