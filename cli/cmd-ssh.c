/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ssh-config and enable/disable --ssh: ssh reaches guests by name and checks
 * their host keys (known-hosts.c) against the keys the hypervisor read from
 * the guest, cached in its record, not against whatever answered on the
 * address first.
 */
#include "cli/cli.h"
#include "cli/ssh.h"
#include "cli/system.h"
#include "resolver/resolver.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int get_db(const struct cli_args *args, struct lc_cache *cache, const struct lc_db **ret_db,
		  struct lc_paths *ret_paths)
{
	cli_lc_paths(args, ret_paths);
	int r = lc_cache_get(cache, ret_paths, lc_now_ns(), ret_db);
	if (r < 0)
		return r;
	return lc_db_unavailable(*ret_db) ? -ENOENT : 0;
}

/* ---- ssh-config ------------------------------------------------------------ */

/* The first-ranked address of the family asked (-4, -6), or NULL. */
static const struct lc_addr *first_addr(const struct lc_host *h, int family)
{
	for (size_t i = 0; i < h->n_addrs; i++)
		if (family == AF_UNSPEC || h->addrs[i].addr.family == family)
			return &h->addrs[i].addr;
	return NULL;
}

static void config_block(const struct lc_host *h, const char *runstate_dir, int family)
{
	char addr[64];
	struct lc_guest_record *rec = calloc(1, sizeof(*rec));
	const char *user = NULL;

	if (rec && lc_guest_record_load(runstate_dir, h->name, rec) == 0)
		user = rec->user;
	ssh_config_print(stdout, h->name, h->aliases, h->n_aliases,
			 lc_addr_format(first_addr(h, family), addr, sizeof(addr)), user);
	free(rec);
}

static bool config_wanted(const struct lc_host *h, int family)
{
	return h->guest && h->running && first_addr(h, family) && ssh_name_ok(h->name);
}

static int cmd_ssh_config(const struct cli_args *args)
{
	struct lc_cache *cache = lc_cache_new();
	struct lc_paths paths;
	const struct lc_db *db;
	int rc = CLI_EXIT_OK, r;

	if (!cache) {
		cli_error("out of memory");
		return CLI_EXIT_FAILURE;
	}
	r = get_db(args, cache, &db, &paths);
	if (r < 0) {
		cli_error("cannot read the guest sources (%s): %s", paths.lease_dir,
			  r == -ENOENT ? "lease directory missing or unreadable" : strerror(-r));
		lc_cache_free(cache);
		return r == -ENOENT ? CLI_EXIT_UNAVAIL : CLI_EXIT_FAILURE;
	}
	printf("# libvirt-cluster ssh-config: running guests, HostName = first-ranked address\n");
	if (args->argc == 0) {
		for (size_t i = 0; i < lc_db_n_hosts(db); i++)
			if (config_wanted(lc_db_host(db, i), args->family))
				config_block(lc_db_host(db, i), paths.runstate_dir, args->family);
	}
	for (int i = 0; i < args->argc; i++) {
		struct lc_match m;
		if (lc_db_lookup_name(db, args->argv[i], args->family, &m) != LC_FOUND ||
		    !config_wanted(m.host, args->family)) {
			cli_error("%s: no running guest of that name with an address",
				  args->argv[i]);
			rc = CLI_EXIT_NOTFOUND;
			continue;
		}
		config_block(m.host, paths.runstate_dir, args->family);
	}
	lc_cache_free(cache);
	return rc;
}

CLI_COMMAND(ssh_config) = {
    .name = "ssh-config",
    .min_args = 0,
    .max_args = -1,
    .fn = cmd_ssh_config,
    .options = CLI_OPT_ROOT | CLI_OPT_FAMILY4 | CLI_OPT_FAMILY6,
    .usage = "",
    .help = "Print ssh Host blocks for running guests (all, or NAME... given).\n"
	    "HostName is the first-ranked address, HostKeyAlias the guest's name, User\n"
	    "the metadata's user= when it has one.  Use: libvirt-cluster ssh-config |\n"
	    "ssh -F /dev/stdin NAME, or an Include of a file you write it to.",
};

/* ---- enable --ssh / disable --ssh ------------------------------------------- */

static void dropin_paths(const struct cli_args *args, char *dir, char *file, size_t size)
{
	const char *root = args->root ? args->root : "";
	snprintf(dir, size, "%s" SSH_DROPIN_DIR, root);
	snprintf(file, size, "%s" SSH_DROPIN_DIR "/" SSH_DROPIN_NAME, root);
}

const char *cli_ssh_command_path(char *buf, size_t size)
{
	const char *e = getenv("LIBVIRT_CLUSTER_KNOWN_HOSTS");
	snprintf(buf, size, "%s", e && *e ? e : LIBEXEC_DIR "/known-hosts");
	return buf;
}

static int dropin_enable(const struct cli_args *args, const char *dir, const char *file)
{
	char text[2048], cli[PATH_MAX], *old = NULL, parent[PATH_MAX];
	size_t old_len = 0;

	if (ssh_dropin_text(cli_ssh_command_path(cli, sizeof(cli)), text, sizeof(text)) < 0)
		return CLI_EXIT_FAILURE;
	int r = sys_read_file(file, &old, &old_len);
	if (r == 0 && old_len == strlen(text) && !memcmp(old, text, old_len)) {
		printf("%s: installed already\n", file);
		free(old);
		return CLI_EXIT_OK;
	}
	if (args->dry_run) {
		sys_diff(stdout, file, old ? old : "", old_len, text, strlen(text));
		free(old);
		return CLI_EXIT_OK;
	}
	free(old);
	snprintf(parent, sizeof(parent), "%.*s", (int)(strrchr(dir, '/') - dir), dir);
	if (access(parent, F_OK) < 0) {
		cli_error("%s is missing: is openssh-client installed? (nothing written)", parent);
		return CLI_EXIT_FAILURE;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		cli_error("cannot create %s: %s", dir, strerror(errno));
		return CLI_EXIT_FAILURE;
	}
	r = sys_write_file(file, text, strlen(text));
	if (r < 0) {
		cli_error("cannot write %s: %s", file, strerror(-r));
		return CLI_EXIT_FAILURE;
	}
	printf("wrote %s: ssh checks guests' host keys with KnownHostsCommand %s\n", file, cli);
	return CLI_EXIT_OK;
}

int cli_ssh_toggle(const struct cli_args *args, bool enable)
{
	char dir[PATH_MAX], file[PATH_MAX];

	dropin_paths(args, dir, file, sizeof(dir));
	if (enable)
		return dropin_enable(args, dir, file);
	if (access(file, F_OK) < 0) {
		printf("%s: not installed\n", file);
		return CLI_EXIT_OK;
	}
	if (args->dry_run) {
		printf("would remove %s\n", file);
		return CLI_EXIT_OK;
	}
	if (unlink(file) < 0) {
		cli_error("cannot remove %s: %s", file, strerror(errno));
		return CLI_EXIT_FAILURE;
	}
	printf("removed %s\n", file);
	return CLI_EXIT_OK;
}

int cli_ssh_dropin_state(const struct cli_args *args, char *path, size_t size)
{
	char dir[PATH_MAX], file[PATH_MAX], text[2048], cli[PATH_MAX], *cur = NULL;
	size_t len = 0;

	dropin_paths(args, dir, file, sizeof(dir));
	snprintf(path, size, "%s", file);
	if (sys_read_file(file, &cur, &len) < 0)
		return 0;
	ssh_dropin_text(cli_ssh_command_path(cli, sizeof(cli)), text, sizeof(text));
	int r = len == strlen(text) && !memcmp(cur, text, len) ? 1 : -1;
	free(cur);
	return r;
}
