/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * known-hosts: the known_hosts lines of a running guest, for OpenSSH's
 * KnownHostsCommand.  ssh runs it for every host it checks, so it links
 * nothing but the resolver core (it is also built alone, as
 * libexec/libvirt-cluster/known-hosts: the whole CLI loads libvirt and
 * some sixty libraries before main, tens of ms), reads only what the
 * name needs, and prints nothing for a name that is no guest of ours.
 */
#include "cli/cli.h"
#include "cli/ssh.h"
#include "resolver/resolver.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* The guest that name (or an address literal) is, running, or NULL. */
static const struct lc_host *find_guest(const struct lc_db *db, const char *name)
{
	struct lc_addr a;
	const struct lc_host *h = NULL;
	struct lc_match m;

	if (lc_addr_parse(name, strlen(name), &a) == 0) {
		if (lc_db_lookup_addr(db, &a, &h) != LC_FOUND)
			return NULL;
	} else if (lc_db_lookup_name(db, name, AF_UNSPEC, &m) == LC_FOUND) {
		h = m.host;
	}
	return h && h->guest && h->running ? h : NULL;
}

static bool has_addr(const struct lc_host *h, const char *s)
{
	struct lc_addr a;

	if (lc_addr_parse(s, strlen(s), &a) < 0)
		return false;
	for (size_t i = 0; i < h->n_addrs; i++)
		if (h->addrs[i].addr.family == a.family &&
		    !memcmp(h->addrs[i].addr.bytes, a.bytes, a.family == AF_INET ? 4 : 16))
			return true;
	return false;
}

/* The name ssh asked for, the guest's names, its addresses. */
static int print_keys(const struct lc_host *h, const char *asked, int port,
		      const struct lc_guest_record *rec)
{
	size_t n = 0, max = 2 + h->n_aliases + h->n_addrs;
	const char **names = calloc(max, sizeof(*names));
	char(*addrs)[64] = calloc(h->n_addrs ? h->n_addrs : 1, sizeof(*addrs));
	char *list = malloc(16384);
	int r = -ENOMEM;

	if (!names || !addrs || !list)
		goto out;
	names[n++] = asked;
	names[n++] = h->name;
	for (size_t i = 0; i < h->n_aliases; i++)
		names[n++] = h->aliases[i];
	for (size_t i = 0; i < h->n_addrs; i++)
		names[n++] = lc_addr_format(&h->addrs[i].addr, addrs[i], sizeof(addrs[i]));
	r = ssh_known_hosts_names(names, n, port, list, 16384);
	if (r == 0)
		ssh_known_hosts_print(stdout, list, rec->hostkeys, rec->n_hostkeys);
out:
	free(names);
	free(addrs);
	free(list);
	return r;
}

int cli_known_hosts_run(const struct cli_args *args)
{
	char asked[LC_NAME_MAX + 1];
	struct lc_cache *cache = NULL;
	struct lc_guest_record *rec = NULL;
	struct lc_paths paths;
	const struct lc_db *db;
	const struct lc_host *h;
	int port, rc = CLI_EXIT_OK;

	/* ssh runs this for every host it checks: anything that is no guest
	 * of ours prints nothing, and ssh's own files decide */
	if (ssh_host_arg_parse(args->argv[0], asked, sizeof(asked), &port) < 0)
		return CLI_EXIT_OK;
	cache = lc_cache_new();
	rec = calloc(1, sizeof(*rec));
	if (!cache || !rec) {
		fputs("libvirt-cluster: out of memory\n", stderr);
		rc = CLI_EXIT_FAILURE;
		goto out;
	}
	cli_lc_paths(args, &paths);
	if (lc_cache_get_for(cache, &paths, lc_now_ns(), asked, &db) < 0 || lc_db_unavailable(db) ||
	    !(h = find_guest(db, asked)))
		goto out;
	/* an address ssh connects to that is not the guest's: vouch for nothing */
	if (args->argc > 1 && !has_addr(h, args->argv[1]))
		goto out;
	if (lc_guest_record_load(paths.runstate_dir, h->name, rec) < 0 || rec->n_hostkeys == 0)
		goto out;
	if (print_keys(h, asked, port, rec) == -ENOMEM) {
		fputs("libvirt-cluster: out of memory\n", stderr);
		rc = CLI_EXIT_FAILURE;
	}
out:
	free(rec);
	lc_cache_free(cache);
	return rc;
}

static int cmd_known_hosts(const struct cli_args *args)
{
	return cli_known_hosts_run(args);
}

CLI_COMMAND(known_hosts) = {
    .name = "known-hosts",
    .min_args = 1,
    .max_args = 2,
    .fn = cmd_known_hosts,
    .options = CLI_OPT_ROOT,
    .usage = "NAME [ADDRESS]",
    .help = "Print known_hosts lines of a running guest's ssh host keys.\n"
	    "For OpenSSH's KnownHostsCommand (enable --ssh installs it): the keys the\n"
	    "hypervisor read from the guest, for the name asked, its other names and\n"
	    "its addresses.  Nothing (exit 0) for a name that is no guest, or when\n"
	    "ADDRESS is not one of the guest's.",
};
