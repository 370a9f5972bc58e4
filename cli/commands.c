/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The command table, gathered from the commands' own files: the help text,
 * argument counts and option checks come from it.  Also the path and
 * message helpers every command shares.
 */
#include "cli/cli.h"
#include "resolver/resolver.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each cmd-*.c owns its entry (CLI_COMMAND); the build lists them, in the
 * order of CLI_COMMAND_SOURCES, in cli/command-list.h. */
#define X(id) extern const struct cli_command cli_cmd_##id;
#include "cli/command-list.h"
#undef X

const struct cli_command *const cli_commands[] = {
#define X(id) &cli_cmd_##id,
#include "cli/command-list.h"
#undef X
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
