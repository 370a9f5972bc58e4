/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resolve and list: what the NSS module answers, with the reasons. */
#include "cli/cli.h"
#include "cli/json-writer.h"
#include "resolver/resolver.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static int load_db(const struct cli_args *args, struct lc_db **ret_db, int64_t *ret_now)
{
	struct lc_paths paths;
	int64_t now = (int64_t)time(NULL);

	cli_lc_paths(args, &paths);
	int r = lc_db_load(&paths, now, ret_db);
	if (r < 0) {
		cli_error("cannot read the guest sources: %s", strerror(-r));
		return CLI_EXIT_FAILURE;
	}
	if (lc_db_unavailable(*ret_db)) {
		cli_error("lease directory %s is missing or unreadable: no guest can be resolved "
			  "(is libvirt's network driver running? see 'libvirt-cluster doctor')",
			  paths.lease_dir);
		lc_db_free(*ret_db);
		*ret_db = NULL;
		return CLI_EXIT_UNAVAIL;
	}
	*ret_now = now;
	return CLI_EXIT_OK;
}

static const char *family_name(int family)
{
	return family == AF_INET6 ? "ipv6" : "ipv4";
}

static void int_or_null(struct cli_json *j, const char *key, bool null, int64_t v)
{
	cli_json_key(j, key);
	if (null)
		cli_json_null(j);
	else
		cli_json_int(j, v);
}

static void json_addr(struct cli_json *j, const struct lc_host_addr *a, size_t rank, bool last,
		      int64_t now)
{
	char ab[64];

	cli_json_begin_object(j);
	cli_json_kv_int(j, "rank", (int64_t)rank);
	cli_json_kv_string(j, "address", lc_addr_format(&a->addr, ab, sizeof(ab)));
	cli_json_kv_string(j, "family", family_name(a->addr.family));
	cli_json_kv_string(j, "network", a->network);
	cli_json_kv_string(j, "domain", a->domain);
	cli_json_kv_string(j, "bridge", a->bridge);
	cli_json_kv_string(j, "mac", a->mac_str);
	cli_json_kv_string(j, "class", lc_class_name(a->klass));
	cli_json_kv_string(j, "source", lc_source_name(a->source));
	/* a discovered address: when it was first seen, and how long ago */
	bool lease = a->source == LC_SOURCE_LEASE, forever = a->expiry == INT64_MAX;
	int_or_null(j, "seen", lease, a->seen);
	int_or_null(j, "age", lease, now > a->seen ? now - a->seen : 0);
	int_or_null(j, "expiry", forever, a->expiry);
	int_or_null(j, "expires_in", forever, a->expiry - now);
	/* The rule that put this address ahead of the next: none for the last. */
	cli_json_kv_string(j, "rule", last ? NULL : lc_rule_name(a->rule));
	cli_json_kv_string(j, "why",
			   last ? NULL : cli_rule_text(a->rule, a->prefer_index, a->nic_index));
	cli_json_kv_int(j, "prefer_index", a->prefer_index);
	cli_json_kv_int(j, "nic_index", a->nic_index);
	cli_json_end_object(j);
}

static void json_host_fields(struct cli_json *j, const struct lc_host *h)
{
	cli_json_kv_string(j, "host", h->name);
	cli_json_kv_string(j, "driver", h->driver);
	cli_json_kv_bool(j, "running", h->running);
	cli_json_kv_string(j, "cluster", h->cluster);
	cli_json_kv_string(j, "group", h->group);
	cli_json_key(j, "aliases");
	cli_json_begin_array(j);
	for (size_t i = 0; i < h->n_aliases && h->aliases[i]; i++)
		cli_json_string(j, h->aliases[i]);
	cli_json_end_array(j);
}

static const char *dash(const char *s)
{
	return s && *s ? s : "-";
}

/* The matched addresses of a lookup, in rank order. */
static size_t matched(const struct lc_match *m, size_t *idx, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < m->host->n_addrs && n < max; i++)
		if (lc_match_addr(m, i))
			idx[n++] = i;
	return n;
}

static void text_host(const char *query, const struct lc_match *m, int64_t now)
{
	const struct lc_host *h = m->host;
	size_t idx[256];
	size_t n = matched(m, idx, sizeof(idx) / sizeof(idx[0]));
	char ab[64], eb[64];

	if (strcasecmp(query, h->name) == 0)
		printf("%s", h->name);
	else
		printf("%s -> %s", query, h->name);
	printf(" (%s%s%s", h->driver ? h->driver : "no hook record",
	       h->running ? ", running" : ", stopped", "");
	if (h->cluster)
		printf(", cluster %s", h->cluster);
	if (h->group)
		printf(", group %s", h->group);
	printf(")\n");
	if (h->n_aliases > 0) {
		printf("  also:");
		for (size_t i = 0; i < h->n_aliases && h->aliases[i]; i++)
			printf(" %s", h->aliases[i]);
		printf("\n");
	}
	if (m->domain)
		printf("  only addresses on networks with domain %s\n", m->domain);

	int w = 0;
	for (size_t k = 0; k < n; k++) {
		int l = (int)strlen(lc_addr_format(&h->addrs[idx[k]].addr, ab, sizeof(ab)));
		if (l > w)
			w = l;
	}
	for (size_t k = 0; k < n; k++) {
		const struct lc_host_addr *a = &h->addrs[idx[k]];
		const char *why;
		if (n == 1)
			why = "only address";
		else if (k == n - 1)
			why = "last";
		else
			why = cli_rule_text(a->rule, a->prefer_index, a->nic_index);
		printf("  %zu. %-*s  %-10s %-8s  %s  %s  %s\n     %s %s\n", k + 1, w,
		       lc_addr_format(&a->addr, ab, sizeof(ab)), dash(a->network),
		       lc_class_name(a->klass), dash(a->bridge), a->mac_str,
		       cli_format_source(a, now, eb, sizeof(eb)),
		       k == n - 1 ? "rank:" : "ahead of the next:", why);
	}
}

static int cmd_resolve(const struct cli_args *args)
{
	struct lc_db *db = NULL;
	struct cli_json j;
	int64_t now;
	int rc = CLI_EXIT_OK;

	int r = load_db(args, &db, &now);
	if (r != CLI_EXIT_OK)
		return r;
	if (args->json) {
		cli_json_init(&j, stdout, true);
		cli_json_begin_array(&j);
	}
	for (int i = 0; i < args->argc; i++) {
		const char *q = args->argv[i];
		struct lc_match m;
		enum lc_lookup l = lc_db_lookup_name(db, q, args->family, &m);

		if (args->json) {
			cli_json_begin_object(&j);
			cli_json_kv_string(&j, "query", q);
			cli_json_kv_bool(&j, "found", l == LC_FOUND);
		}
		if (l == LC_FOUND) {
			if (args->json) {
				size_t idx[256];
				size_t n = matched(&m, idx, sizeof(idx) / sizeof(idx[0]));
				json_host_fields(&j, m.host);
				cli_json_kv_string(&j, "domain_filter", m.domain);
				cli_json_key(&j, "addresses");
				cli_json_begin_array(&j);
				for (size_t k = 0; k < n; k++)
					json_addr(&j, &m.host->addrs[idx[k]], k + 1, k == n - 1,
						  now);
				cli_json_end_array(&j);
			} else {
				if (i > 0)
					printf("\n");
				text_host(q, &m, now);
			}
		} else {
			const char *why =
			    l == LC_NODATA
				? "the guest is known but has no live address (no DHCP lease yet: "
				  "try 'libvirt-cluster renew')"
				: "no running guest or DHCP client by that name";
			if (l == LC_NODATA && args->family != AF_UNSPEC)
				why = args->family == AF_INET
					  ? "the guest has no live IPv4 address"
					  : "the guest has no live IPv6 address";
			if (args->json)
				cli_json_kv_string(&j, "error", why);
			else
				cli_error("%s: %s", q, why);
			rc = CLI_EXIT_NOTFOUND;
		}
		if (args->json)
			cli_json_end_object(&j);
	}
	if (args->json) {
		cli_json_end_array(&j);
		cli_json_finish(&j);
	}
	lc_db_free(db);
	return rc;
}

/* "ADDR(NETWORK)" for a lease, "ADDR(NETWORK, SOURCE, seen AGE ago)" for
 * a discovered address. */
static void addr_list(const struct lc_host *h, int64_t now, char *buf, size_t size)
{
	char ab[64], sb[64];
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < h->n_addrs && off < size; i++) {
		const struct lc_host_addr *a = &h->addrs[i];
		bool found = a->source != LC_SOURCE_LEASE;
		int w = snprintf(buf + off, size - off, "%s%s(%s%s%s)", i ? " " : "",
				 lc_addr_format(&a->addr, ab, sizeof(ab)), dash(a->network),
				 found ? ", " : "",
				 found ? cli_format_source(a, now, sb, sizeof(sb)) : "");
		if (w < 0)
			break;
		off += (size_t)w;
	}
	if (h->n_addrs == 0)
		snprintf(buf, size, "-");
}

static int cmd_list(const struct cli_args *args)
{
	struct lc_db *db = NULL;
	int64_t now;
	char al[2048];

	int r = load_db(args, &db, &now);
	if (r != CLI_EXIT_OK)
		return r;
	size_t n = lc_db_n_hosts(db);
	if (args->json) {
		struct cli_json j;
		cli_json_init(&j, stdout, true);
		cli_json_begin_array(&j);
		for (size_t i = 0; i < n; i++) {
			const struct lc_host *h = lc_db_host(db, i);
			if (!h->running && !args->all)
				continue;
			cli_json_begin_object(&j);
			cli_json_kv_string(&j, "name", h->name);
			cli_json_kv_string(&j, "driver", h->driver);
			cli_json_kv_string(&j, "state", h->running ? "running" : "stopped");
			cli_json_kv_string(&j, "cluster", h->cluster);
			cli_json_kv_string(&j, "group", h->group);
			cli_json_key(&j, "aliases");
			cli_json_begin_array(&j);
			for (size_t k = 0; k < h->n_aliases && h->aliases[k]; k++)
				cli_json_string(&j, h->aliases[k]);
			cli_json_end_array(&j);
			cli_json_key(&j, "addresses");
			cli_json_begin_array(&j);
			for (size_t k = 0; k < h->n_addrs; k++)
				json_addr(&j, &h->addrs[k], k + 1, k + 1 == h->n_addrs, now);
			cli_json_end_array(&j);
			cli_json_end_object(&j);
		}
		cli_json_end_array(&j);
		cli_json_finish(&j);
		lc_db_free(db);
		return CLI_EXIT_OK;
	}

	int wn = 4, wd = 6, wc = 7, wg = 5;
	for (size_t i = 0; i < n; i++) {
		const struct lc_host *h = lc_db_host(db, i);
		if (!h->running && !args->all)
			continue;
#define WIDEN(w, s)                                                                                \
	do {                                                                                       \
		int l_ = (int)strlen(dash(s));                                                     \
		if (l_ > (w))                                                                      \
			(w) = l_;                                                                  \
	} while (0)
		WIDEN(wn, h->name);
		WIDEN(wd, h->driver);
		WIDEN(wc, h->cluster);
		WIDEN(wg, h->group);
#undef WIDEN
	}
	printf("%-*s  %-*s  %-*s  %-*s  %-7s  %s\n", wn, "NAME", wd, "DRIVER", wc, "CLUSTER", wg,
	       "GROUP", "STATE", "ADDRESSES (rank order)");
	for (size_t i = 0; i < n; i++) {
		const struct lc_host *h = lc_db_host(db, i);
		if (!h->running && !args->all)
			continue;
		addr_list(h, now, al, sizeof(al));
		printf("%-*s  %-*s  %-*s  %-*s  %-7s  %s\n", wn, h->name, wd, dash(h->driver), wc,
		       dash(h->cluster), wg, dash(h->group), h->running ? "running" : "stopped",
		       al);
	}
	lc_db_free(db);
	return CLI_EXIT_OK;
}

CLI_COMMAND(resolve) = {
    .name = "resolve",
    .min_args = 1,
    .max_args = -1,
    .fn = cmd_resolve,
    .options = CLI_OPT_JSON | CLI_OPT_FAMILY4 | CLI_OPT_FAMILY6 | CLI_OPT_ROOT,
    .usage = "NAME...",
    .help = "Show a guest's addresses in rank order, and why.\n"
	    "For each address: its network and class (external/isolated), when its\n"
	    "lease expires, and which ranking rule put it ahead of the next.  The same\n"
	    "answer, in the same order, as `getent ahosts NAME`.",
};

CLI_COMMAND(list) = {
    .name = "list",
    .min_args = 0,
    .max_args = 0,
    .fn = cmd_list,
    .options = CLI_OPT_JSON | CLI_OPT_ALL | CLI_OPT_ROOT,
    .usage = "",
    .help = "List running guests: name, driver, cluster, group, addresses.\n"
	    "With --all, stopped guests too, marked stopped.",
};
