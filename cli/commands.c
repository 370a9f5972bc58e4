/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The command table: every command is one row; the help text, argument
 * counts and option checks come from it.  Also the path and message
 * helpers every command shares.
 */
#include "cli/cli.h"
#include "resolver/resolver.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct cli_command cli_commands[] = {
    {"resolve", 1, -1, cmd_resolve, CLI_OPT_JSON | CLI_OPT_FAMILY4 | CLI_OPT_FAMILY6 | CLI_OPT_ROOT,
     "NAME...",
     "Show a guest's addresses in rank order, and why.\n"
     "For each address: its network and class (external/isolated), when its\n"
     "lease expires, and which ranking rule put it ahead of the next.  The same\n"
     "answer, in the same order, as `getent ahosts NAME`."},
    {"list", 0, 0, cmd_list, CLI_OPT_JSON | CLI_OPT_ALL | CLI_OPT_ROOT, "",
     "List running guests: name, driver, cluster, group, addresses.\n"
     "With --all, stopped guests too, marked stopped."},
    {"inventory", 0, 0, cmd_inventory, CLI_OPT_LIST | CLI_OPT_HOST | CLI_OPT_ROOT, "",
     "Ansible dynamic inventory (--list or --host NAME).\n"
     "Groups come from each guest's cluster and group; ansible_host is its\n"
     "first-ranked address; _meta.hostvars is filled.  Point Ansible at the\n"
     "libvirt-cluster-inventory script: ansible -i libvirt-cluster-inventory ..."},
    {"wait", 1, -1, cmd_wait,
     CLI_OPT_PORT | CLI_OPT_TIMEOUT | CLI_OPT_QUIET | CLI_OPT_FAMILY4 | CLI_OPT_FAMILY6 |
	 CLI_OPT_ROOT,
     "NAME...",
     "Wait until every guest resolves (and, with --port, accepts TCP).\n"
     "Exit 100+N when the N-th NAME was not ready before the timeout."},
    {"renew", 1, 1, cmd_renew, CLI_OPT_JSON | CLI_OPT_CONNECT | CLI_OPT_TIMEOUT | CLI_OPT_ROOT,
     "NAME",
     "Renew a guest's DHCP leases now, as the hook's worker would.\n"
     "lxc: runs a DHCP client in the guest's network namespace; qemu: asks the\n"
     "guest agent.  Prints the leases it got."},
    {"doctor", 0, 0, cmd_doctor, CLI_OPT_JSON | CLI_OPT_ROOT | CLI_OPT_HOOK, "",
     "Check the setup and print the exact fix for each problem.\n"
     "nsswitch.conf hosts line, hook links and daemon reload, lease directory,\n"
     "config file, guest groups, systemd-resolved links.  Exit 0 only when all\n"
     "is well."},
    {"dns", 1, 1, cmd_dns, CLI_OPT_HOST | CLI_OPT_ROOT, "status|sync|purge",
     "Cluster DNS (dns_server in libvirt-cluster.conf).\n"
     "status: the server's answer for the zone with the key, what this host has\n"
     "published (from an AXFR), the conflicts and the updates still spooled.\n"
     "sync: remove this host's names no running guest owns, publish the running\n"
     "ones (what libvirt-cluster-hook --sync does to the zone).\n"
     "purge --host ID: remove every name of host ID (a dead host's)."},
    {"enable", 0, 0, cmd_enable, CLI_OPT_DRY_RUN | CLI_OPT_ROOT | CLI_OPT_HOOK | CLI_OPT_NO_RELOAD,
     "",
     "Add the module to the hosts line and install the hook links.\n"
     "Idempotent; backs up what it changes; --dry-run shows the diff."},
    {"disable", 0, 0, cmd_disable,
     CLI_OPT_DRY_RUN | CLI_OPT_ROOT | CLI_OPT_HOOK | CLI_OPT_NO_RELOAD, "",
     "Remove the module from the hosts line and the hook links.\n"
     "Idempotent; backs up what it changes; --dry-run shows the diff."},
};

const size_t cli_n_commands = sizeof(cli_commands) / sizeof(cli_commands[0]);

static void vmsg(const char *kind, const char *fmt, va_list ap)
{
	fflush(stdout);
	fputs("libvirt-cluster: ", stderr);
	if (kind)
		fputs(kind, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(NULL, fmt, ap);
	va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

static void set_path(char *dst, size_t size, const char *env, const char *root, const char *path)
{
	const char *e = env ? getenv(env) : NULL;
	if (e && *e)
		snprintf(dst, size, "%s", e);
	else
		snprintf(dst, size, "%s%s", root ? root : "", path);
}

void cli_paths_get(const struct cli_args *args, struct cli_paths *ret)
{
	const char *root = args->root;
	struct cli_paths p;

	memset(&p, 0, sizeof(p));
	/* glibc and libvirt read these fixed paths whatever our prefix is. */
	set_path(p.nsswitch, sizeof(p.nsswitch), "LIBVIRT_CLUSTER_NSSWITCH", root,
		 "/etc/nsswitch.conf");
	set_path(p.hooks_dir, sizeof(p.hooks_dir), "LIBVIRT_CLUSTER_HOOKS_DIR", root,
		 "/etc/libvirt/hooks");
	set_path(p.run_dir, sizeof(p.run_dir), "LIBVIRT_CLUSTER_RUN_DIR", root, "/run");
	set_path(p.backup_dir, sizeof(p.backup_dir), "LIBVIRT_CLUSTER_BACKUP_DIR", NULL, "");
	/* The link target is a path on the target system: never prefixed. */
	if (args->hook)
		snprintf(p.hook, sizeof(p.hook), "%s", args->hook);
	else
		set_path(p.hook, sizeof(p.hook), "LIBVIRT_CLUSTER_HOOK", NULL,
			 LIBEXEC_DIR "/libvirt-cluster-hook");
	*ret = p;
}

static void prefix_unless_env(char *path, size_t size, const char *env, const char *root)
{
	char tmp[512];
	const char *e = getenv(env);

	if (!root || (e && *e))
		return;
	snprintf(tmp, sizeof(tmp), "%s%s", root, path);
	snprintf(path, size, "%s", tmp);
}

void cli_lc_paths(const struct cli_args *args, struct lc_paths *ret)
{
	struct lc_paths p;

	lc_paths_default(&p);
	prefix_unless_env(p.lease_dir, sizeof(p.lease_dir), "LIBVIRT_CLUSTER_LEASE_DIR",
			  args->root);
	prefix_unless_env(p.runstate_dir, sizeof(p.runstate_dir), "LIBVIRT_CLUSTER_RUNSTATE_DIR",
			  args->root);
	prefix_unless_env(p.config, sizeof(p.config), "LIBVIRT_CLUSTER_CONFIG", args->root);
	*ret = p;
}
