/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * enable / disable: the nsswitch.conf hosts line and the hook links.
 * Idempotent (a second run changes nothing), a backup before any change,
 * and --dry-run prints the diff instead.
 */
#include "cli/cli.h"
#include "cli/ssh.h"
#include "cli/nsswitch.h"
#include "cli/system.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int do_nsswitch(const struct cli_args *args, const struct cli_paths *p, bool enable)
{
	char *old = NULL, *neu = NULL;
	size_t old_len = 0, new_len = 0;
	bool existed = true;

	int r = sys_read_file(p->nsswitch, &old, &old_len);
	if (r == -ENOENT) {
		existed = false;
		old = strdup("");
		if (!old)
			return CLI_EXIT_FAILURE;
	} else if (r < 0) {
		cli_error("cannot read %s: %s", p->nsswitch, strerror(-r));
		return CLI_EXIT_FAILURE;
	}
	r = enable ? nsswitch_enable(old, old_len, &neu, &new_len)
		   : nsswitch_disable(old, old_len, &neu, &new_len);
	if (r < 0) {
		cli_error("%s: cannot rewrite the hosts line: %s", p->nsswitch,
			  r == -E2BIG ? "it names too many services" : strerror(-r));
		free(old);
		return CLI_EXIT_FAILURE;
	}
	if (r == 0) {
		printf("%s: %s\n", p->nsswitch,
		       enable ? "hosts line already asks " NSSWITCH_MODULE " in the right place"
			      : "hosts line does not name " NSSWITCH_MODULE);
		free(old);
		return CLI_EXIT_OK;
	}
	if (args->dry_run) {
		sys_diff(stdout, p->nsswitch, old, old_len, neu, new_len);
		free(old);
		free(neu);
		return CLI_EXIT_OK;
	}
	int rc = CLI_EXIT_OK;
	if (existed) {
		char bak[PATH_MAX];
		r = sys_backup(p->nsswitch, p->backup_dir, bak, sizeof(bak));
		if (r < 0) {
			/* No backup, no change. */
			cli_error("cannot back up %s: %s; nothing changed", p->nsswitch,
				  strerror(-r));
			rc = CLI_EXIT_FAILURE;
			goto out;
		}
		printf("%s: backed up to %s\n", p->nsswitch, bak);
	}
	r = sys_write_file(p->nsswitch, neu, new_len);
	if (r < 0) {
		cli_error("cannot write %s: %s", p->nsswitch, strerror(-r));
		rc = CLI_EXIT_FAILURE;
		goto out;
	}
	sys_diff(stdout, p->nsswitch, old, old_len, neu, new_len);
out:
	free(old);
	free(neu);
	return rc;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	for (char *s = tmp + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Returns 1 when it changed (or would change) something, 0 when not, <0. */
static int do_link(const struct cli_args *args, const struct cli_paths *p, const char *kind,
		   bool enable)
{
	char dir[PATH_MAX], link[PATH_MAX + 32], target[PATH_MAX];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/%s.d", p->hooks_dir, kind);
	snprintf(link, sizeof(link), "%s/" SYS_HOOK_LINK, dir);

	bool exists = lstat(link, &st) == 0;
	bool ours = false;
	if (exists && S_ISLNK(st.st_mode)) {
		ssize_t n = readlink(link, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			ours = strcmp(target, p->hook) == 0;
		}
	}
	if (enable && ours) {
		printf("%s: links to %s already\n", link, p->hook);
		return 0;
	}
	if (!enable && !exists)
		return 0;
	if (args->dry_run) {
		if (enable)
			printf("would %s %s -> %s\n", exists ? "replace" : "create", link, p->hook);
		else
			printf("would remove %s\n", link);
		return 1;
	}
	if (exists && !S_ISLNK(st.st_mode)) {
		/* Someone put a file under our name: keep a copy. */
		char bak[PATH_MAX];
		int r = sys_backup(link, p->backup_dir, bak, sizeof(bak));
		if (r < 0) {
			cli_error("cannot back up %s: %s; left as it is", link, strerror(-r));
			return r;
		}
		printf("%s: backed up to %s\n", link, bak);
	}
	if (exists && unlink(link) < 0) {
		cli_error("cannot remove %s: %s", link, strerror(errno));
		return -errno;
	}
	if (!enable) {
		printf("removed %s\n", link);
		return 1;
	}
	int r = mkdir_p(dir, 0755);
	if (r < 0) {
		cli_error("cannot create %s: %s", dir, strerror(-r));
		return r;
	}
	if (symlink(p->hook, link) < 0) {
		cli_error("cannot create %s: %s", link, strerror(errno));
		return -errno;
	}
	printf("%s %s -> %s\n", exists ? "replaced" : "created", link, p->hook);
	return 1;
}

static void reload_daemons(const struct cli_paths *p)
{
	struct sys_daemon d[4];
	size_t n = sys_daemons(p->run_dir, d, 4);

	if (n == 0) {
		printf("no libvirt daemon running: it will see the hooks when it starts\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		/* libvirt reads the hook directories at start and on SIGHUP. */
		if (kill(d[i].pid, SIGHUP) < 0)
			cli_warn("cannot send SIGHUP to %s (pid %d): %s; run: kill -HUP %d",
				 d[i].name, (int)d[i].pid, strerror(errno), (int)d[i].pid);
		else
			printf("sent SIGHUP to %s (pid %d) so it rereads its hooks\n", d[i].name,
			       (int)d[i].pid);
	}
}

static int toggle(const struct cli_args *args, bool enable)
{
	struct cli_paths p;
	int rc = CLI_EXIT_OK;
	bool changed = false;

	cli_paths_get(args, &p);
	if (do_nsswitch(args, &p, enable) != CLI_EXIT_OK)
		rc = CLI_EXIT_FAILURE;

	if (enable) {
		char hook[PATH_MAX];
		snprintf(hook, sizeof(hook), "%s%s", args->root ? args->root : "", p.hook);
		if (access(hook, X_OK) < 0) {
			cli_error("hook binary %s is not installed (%s); install it or pass --hook "
				  "PATH; no hook links made",
				  hook, strerror(errno));
			return CLI_EXIT_FAILURE;
		}
	}
	for (size_t i = 0; sys_hook_kinds[i]; i++) {
		int r = do_link(args, &p, sys_hook_kinds[i], enable);
		if (r < 0)
			rc = CLI_EXIT_FAILURE;
		else if (r > 0)
			changed = true;
	}
	if (changed && !args->dry_run && !args->no_reload)
		reload_daemons(&p);
	return rc;
}

static int cmd_enable(const struct cli_args *args)
{
	return args->ssh ? cli_ssh_toggle(args, true) : toggle(args, true);
}

static int cmd_disable(const struct cli_args *args)
{
	return args->ssh ? cli_ssh_toggle(args, false) : toggle(args, false);
}

CLI_COMMAND(enable) = {
    .name = "enable",
    .min_args = 0,
    .max_args = 0,
    .fn = cmd_enable,
    .options = CLI_OPT_DRY_RUN | CLI_OPT_ROOT | CLI_OPT_HOOK | CLI_OPT_NO_RELOAD | CLI_OPT_SSH,
    .usage = "",
    .help = "Add the module to the hosts line and install the hook links.\n"
	    "Idempotent; backs up what it changes; --dry-run shows the diff.\n"
	    "With --ssh, only install " SSH_DROPIN_DIR "/" SSH_DROPIN_NAME "\n"
	    "(KnownHostsCommand: ssh checks guests' host keys through known-hosts).",
};

CLI_COMMAND(disable) = {
    .name = "disable",
    .min_args = 0,
    .max_args = 0,
    .fn = cmd_disable,
    .options = CLI_OPT_DRY_RUN | CLI_OPT_ROOT | CLI_OPT_HOOK | CLI_OPT_NO_RELOAD | CLI_OPT_SSH,
    .usage = "",
    .help = "Remove the module from the hosts line and the hook links.\n"
	    "Idempotent; backs up what it changes; --dry-run shows the diff.\n"
	    "With --ssh, only remove the ssh drop-in.",
};
