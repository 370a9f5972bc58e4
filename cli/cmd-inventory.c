/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * inventory: an Ansible dynamic inventory.  Ansible runs the script with
 * --list and reads JSON: one key per group, plus _meta.hostvars so it
 * never calls --host per host.
 */
#include "cli/cli.h"
#include "cli/json-writer.h"
#include "cli/system.h"
#include "resolver/resolver.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct group {
	char name[64];
	const struct lc_host **hosts;
	size_t n;
};

struct inventory {
	struct group *groups;
	size_t n_groups;
	const struct lc_host **ungrouped;
	size_t n_ungrouped;
};

static struct group *group_get(struct inventory *inv, const char *name)
{
	for (size_t i = 0; i < inv->n_groups; i++)
		if (strcmp(inv->groups[i].name, name) == 0)
			return &inv->groups[i];
	struct group *g = realloc(inv->groups, (inv->n_groups + 1) * sizeof(*g));
	if (!g)
		return NULL;
	inv->groups = g;
	g = &inv->groups[inv->n_groups++];
	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", name);
	return g;
}

static int push(const struct lc_host ***list, size_t *n, const struct lc_host *h)
{
	const struct lc_host **l = realloc(*list, (*n + 1) * sizeof(*l));
	if (!l)
		return -1;
	l[(*n)++] = h;
	*list = l;
	return 0;
}

static int cmp_group(const void *a, const void *b)
{
	return strcmp(((const struct group *)a)->name, ((const struct group *)b)->name);
}

static void inventory_free(struct inventory *inv)
{
	for (size_t i = 0; i < inv->n_groups; i++)
		free(inv->groups[i].hosts);
	free(inv->groups);
	free(inv->ungrouped);
}

/*
 * Check every running guest's cluster and group before printing anything:
 * Ansible would silently rename or drop a bad group, and a guest missing
 * from a play is worse than a failed inventory.
 */
static int validate(const struct lc_db *db, const char *runstate_dir)
{
	int bad = 0;
	char g[64], cl[256], gr[256], fix[512];

	for (size_t i = 0; i < lc_db_n_hosts(db); i++) {
		const struct lc_host *h = lc_db_host(db, i);
		if (!h->running)
			continue;
		/* The resolver (and the hook) leave out a group that is no
		 * valid name; find what the admin wrote, because dropping
		 * the guest into "ungrouped" unannounced must not happen. */
		cli_guest_labels(h, runstate_dir, cl, sizeof(cl), gr, sizeof(gr));
		if (gr[0] && !lc_group_valid(gr)) {
			cli_error(
			    "guest '%s': group '%s' is not a valid group name; groups are "
			    "upper-case identifiers (A-Z, 0-9, _; first a letter; at most 63). "
			    "Fix: %s",
			    h->name, gr, cli_metadata_fix(h->name, cl, gr, fix, sizeof(fix)));
			bad++;
		}
		if (cl[0] && !cli_cluster_group(cl, g, sizeof(g))) {
			cli_error(
			    "guest '%s': cluster '%s' gives no valid group name (letters, "
			    "digits, '-', '.', '_'; first a letter). Fix: rename the cluster in "
			    "the guest's libvirt-cluster metadata (virsh edit %s)",
			    h->name, cl, h->name);
			bad++;
		}
	}
	return bad;
}

static void hostvars(struct cli_json *j, const struct lc_host *h, int64_t now)
{
	char ab[64];

	cli_json_begin_object(j);
	if (h->n_addrs > 0)
		cli_json_kv_string(j, "ansible_host",
				   lc_addr_format(&h->addrs[0].addr, ab, sizeof(ab)));
	cli_json_key(j, "libvirt_cluster");
	cli_json_begin_object(j);
	cli_json_kv_string(j, "name", h->name);
	cli_json_kv_string(j, "driver", h->driver);
	cli_json_kv_string(j, "cluster", h->cluster);
	cli_json_kv_string(j, "group", h->group);
	cli_json_key(j, "addresses");
	cli_json_begin_array(j);
	for (size_t k = 0; k < h->n_addrs; k++) {
		const struct lc_host_addr *a = &h->addrs[k];
		cli_json_begin_object(j);
		cli_json_kv_string(j, "address", lc_addr_format(&a->addr, ab, sizeof(ab)));
		cli_json_kv_string(j, "network", a->network);
		cli_json_kv_string(j, "class", lc_class_name(a->klass));
		cli_json_kv_string(j, "mac", a->mac_str);
		cli_json_kv_string(j, "source", lc_source_name(a->source));
		cli_json_key(j, "expiry");
		if (a->expiry == INT64_MAX)
			cli_json_null(j);
		else
			cli_json_int(j, a->expiry);
		cli_json_end_object(j);
	}
	cli_json_end_array(j);
	cli_json_end_object(j);
	cli_json_end_object(j);
	(void)now;
}

/* The running guests: this host's (the db), then the other hosts' in the
 * cluster's zone (when dns_server is set). */
static int collect(const struct lc_db *db, const struct cli_dns_hosts *dns,
		   const struct lc_host ***ret, size_t *ret_n)
{
	const struct lc_host **l = NULL;
	size_t n = 0;

	for (size_t i = 0; i < lc_db_n_hosts(db); i++)
		if (lc_db_host(db, i)->running && push(&l, &n, lc_db_host(db, i)) < 0)
			goto oom;
	for (size_t i = 0; i < dns->n; i++)
		if (push(&l, &n, cli_dns_host(dns, i)) < 0)
			goto oom;
	*ret = l;
	*ret_n = n;
	return 0;
oom:
	free(l);
	return -1;
}

static int build(const struct lc_host *const *hosts, size_t n_hosts, struct inventory *inv)
{
	char cg[64];

	for (size_t i = 0; i < n_hosts; i++) {
		const struct lc_host *h = hosts[i];
		bool grouped = false;
		/* Hosts are listed under each group directly (no children):
		 * a group name shared by two clusters must not pull one
		 * cluster's hosts into the other. */
		if (h->cluster && cli_cluster_group(h->cluster, cg, sizeof(cg))) {
			struct group *g = group_get(inv, cg);
			if (!g || push(&g->hosts, &g->n, h) < 0)
				return -1;
			grouped = true;
		}
		if (h->group && lc_group_valid(h->group) &&
		    !(h->cluster && strcmp(h->group, cg) == 0)) {
			struct group *g = group_get(inv, h->group);
			if (!g || push(&g->hosts, &g->n, h) < 0)
				return -1;
			grouped = true;
		}
		if (!grouped && push(&inv->ungrouped, &inv->n_ungrouped, h) < 0)
			return -1;
	}
	qsort(inv->groups, inv->n_groups, sizeof(inv->groups[0]), cmp_group);
	return 0;
}

static int inventory_print(const struct cli_args *args, const struct lc_paths *paths,
			   const struct lc_db *db, const struct lc_host *const *hosts,
			   size_t n_hosts, int64_t now);

static int cmd_inventory(const struct cli_args *args)
{
	struct lc_paths paths;
	struct lc_db *db = NULL;
	int64_t now = (int64_t)time(NULL);

	cli_lc_paths(args, &paths);
	int r = lc_db_load(&paths, now, &db);
	if (r < 0) {
		cli_error("cannot read the guest sources: %s", strerror(-r));
		return CLI_EXIT_FAILURE;
	}
	if (lc_db_unavailable(db)) {
		cli_error(
		    "lease directory %s is missing or unreadable (see 'libvirt-cluster doctor')",
		    paths.lease_dir);
		lc_db_free(db);
		return CLI_EXIT_UNAVAIL;
	}

	struct cli_dns_hosts dns = {0};
	const struct lc_host **hosts = NULL;
	size_t n_hosts = 0;
	if (cli_dns_hosts(&paths, &dns) < 0 || collect(db, &dns, &hosts, &n_hosts) < 0) {
		cli_error("out of memory");
		cli_dns_hosts_free(&dns);
		lc_db_free(db);
		return CLI_EXIT_FAILURE;
	}
	r = inventory_print(args, &paths, db, hosts, n_hosts, now);
	free(hosts);
	cli_dns_hosts_free(&dns);
	lc_db_free(db);
	return r;
}

static int inventory_print(const struct cli_args *args, const struct lc_paths *paths,
			   const struct lc_db *db, const struct lc_host *const *hosts,
			   size_t n_hosts, int64_t now)
{
	struct cli_json j;

	if (args->host) {
		/* Ansible asks this only when _meta is missing; answer like
		 * every inventory script: the host's variables, {} if unknown. */
		const struct lc_host *found = NULL;
		for (size_t i = 0; i < n_hosts && !found; i++)
			if (strcasecmp(hosts[i]->name, args->host) == 0)
				found = hosts[i];
		if (found && validate(db, paths->runstate_dir) > 0)
			return CLI_EXIT_INVALID;
		cli_json_init(&j, stdout, true);
		if (found) {
			hostvars(&j, found, now);
		} else {
			cli_json_begin_object(&j);
			cli_json_end_object(&j);
		}
		cli_json_finish(&j);
		return CLI_EXIT_OK;
	}

	if (validate(db, paths->runstate_dir) > 0)
		return CLI_EXIT_INVALID;
	struct inventory inv = {0};
	if (build(hosts, n_hosts, &inv) < 0) {
		cli_error("out of memory");
		inventory_free(&inv);
		return CLI_EXIT_FAILURE;
	}

	cli_json_init(&j, stdout, true);
	cli_json_begin_object(&j);
	cli_json_key(&j, "_meta");
	cli_json_begin_object(&j);
	cli_json_key(&j, "hostvars");
	cli_json_begin_object(&j);
	for (size_t i = 0; i < n_hosts; i++) {
		cli_json_key(&j, hosts[i]->name);
		hostvars(&j, hosts[i], now);
	}
	cli_json_end_object(&j);
	cli_json_end_object(&j);

	cli_json_key(&j, "all");
	cli_json_begin_object(&j);
	cli_json_key(&j, "children");
	cli_json_begin_array(&j);
	cli_json_string(&j, "ungrouped");
	for (size_t i = 0; i < inv.n_groups; i++)
		cli_json_string(&j, inv.groups[i].name);
	cli_json_end_array(&j);
	cli_json_end_object(&j);

	for (size_t i = 0; i < inv.n_groups; i++) {
		cli_json_key(&j, inv.groups[i].name);
		cli_json_begin_object(&j);
		cli_json_key(&j, "hosts");
		cli_json_begin_array(&j);
		for (size_t k = 0; k < inv.groups[i].n; k++)
			cli_json_string(&j, inv.groups[i].hosts[k]->name);
		cli_json_end_array(&j);
		cli_json_end_object(&j);
	}
	cli_json_key(&j, "ungrouped");
	cli_json_begin_object(&j);
	cli_json_key(&j, "hosts");
	cli_json_begin_array(&j);
	for (size_t k = 0; k < inv.n_ungrouped; k++)
		cli_json_string(&j, inv.ungrouped[k]->name);
	cli_json_end_array(&j);
	cli_json_end_object(&j);
	cli_json_end_object(&j);
	cli_json_finish(&j);

	inventory_free(&inv);
	return CLI_EXIT_OK;
}
CLI_COMMAND(inventory) = {
    .name = "inventory",
    .min_args = 0,
    .max_args = 0,
    .fn = cmd_inventory,
    .options = CLI_OPT_LIST | CLI_OPT_HOST | CLI_OPT_ROOT,
    .usage = "",
    .help = "Ansible dynamic inventory (--list or --host NAME).\n"
	    "Groups come from each guest's cluster and group; ansible_host is its\n"
	    "first-ranked address; _meta.hostvars is filled.  Point Ansible at the\n"
	    "libvirt-cluster-inventory script: ansible -i libvirt-cluster-inventory ...",
};
