/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt-cluster CLI: one binary, one command table.  Every command asks
 * the same resolver core as the NSS module, so the CLI and getent agree.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit codes: documented in libvirt-cluster(1), EXIT STATUS. */
enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILURE = 1,	  /* doctor found problems, renew/enable failed, I/O error */
	CLI_EXIT_NOTFOUND = 2,	  /* a NAME is no guest */
	CLI_EXIT_UNAVAIL = 3,	  /* the lease directory is missing or unreadable */
	CLI_EXIT_INVALID = 4,	  /* inventory: a guest's cluster/group is no valid group name */
	CLI_EXIT_USAGE = 64,	  /* bad command line (EX_USAGE) */
	CLI_EXIT_WAIT_BASE = 100, /* wait: 100 + N = the N-th NAME (1-based) was not ready */
};

#define CLI_WAIT_MAX_INDEX 155 /* 100 + 155 = 255; later names share 255 */

/* Options: one bit each.  A command lists the bits it accepts. */
enum cli_opt {
	CLI_OPT_JSON = 1u << 0,
	CLI_OPT_ALL = 1u << 1,
	CLI_OPT_LIST = 1u << 2,
	CLI_OPT_HOST = 1u << 3,
	CLI_OPT_PORT = 1u << 4,
	CLI_OPT_TIMEOUT = 1u << 5,
	CLI_OPT_DRY_RUN = 1u << 6,
	CLI_OPT_ROOT = 1u << 7,
	CLI_OPT_FAMILY4 = 1u << 8,
	CLI_OPT_FAMILY6 = 1u << 9,
	CLI_OPT_CONNECT = 1u << 10,
	CLI_OPT_QUIET = 1u << 11,
	CLI_OPT_NO_RELOAD = 1u << 12,
	CLI_OPT_HOOK = 1u << 13,
	CLI_OPT_SSH = 1u << 14,
	CLI_OPT_READY = 1u << 15,
};

struct cli_args {
	const struct cli_command *command;
	unsigned seen; /* enum cli_opt bits given */
	bool json;
	bool all;
	bool list;
	const char *host;
	int port;    /* 0 = none */
	int timeout; /* seconds */
	bool dry_run;
	const char *root; /* NULL = "/" */
	int family;	  /* AF_UNSPEC, AF_INET, AF_INET6 */
	const char *connect;
	bool quiet;
	bool no_reload;
	const char *hook;  /* hook binary path override */
	bool ssh;	   /* enable/disable: the ssh drop-in only */
	const char *ready; /* wait --ready=KIND, NULL = none */
	bool help;
	bool version;
	int argc; /* positional arguments after the command name */
	char **argv;
};

typedef int (*cli_command_fn)(const struct cli_args *args);

struct cli_command {
	const char *name;
	int min_args;
	int max_args; /* -1 = no limit */
	cli_command_fn fn;
	unsigned options;  /* enum cli_opt bits accepted */
	const char *usage; /* positional arguments, e.g. "NAME..." */
	const char *help;
};

/* Each command's file defines its entry, kmod-style:
 *   CLI_COMMAND(resolve) = { .name = "resolve", ... };
 * and the build gathers them into cli_commands (adding a command touches
 * its file and cli/Makemodule.am's CLI_COMMAND_SOURCES, nothing else). */
#define CLI_COMMAND(id) const struct cli_command cli_cmd_##id
extern const struct cli_command *const cli_commands[];
extern const size_t cli_n_commands;

const struct cli_command *cli_command_find(const char *name);

/*
 * Parse a command line.  Returns CLI_EXIT_OK with *ret filled, or
 * CLI_EXIT_USAGE with a one-line, specific message in err.  It never
 * prints.  argv is permuted (GNU getopt) and must stay alive while *ret
 * is used.
 */
int cli_parse(int argc, char **argv, struct cli_args *ret, char *err, size_t errlen);

/* Help text generated from the command and option tables. */
void cli_help(FILE *f, const struct cli_command *cmd);

/* Error and warning printers: "libvirt-cluster: " prefix, to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Paths of system files the CLI itself reads or writes, after --root and
 * the LIBVIRT_CLUSTER_* environment overrides. */
struct cli_paths {
	char nsswitch[1024];   /* /etc/nsswitch.conf (LIBVIRT_CLUSTER_NSSWITCH) */
	char hooks_dir[1024];  /* /etc/libvirt/hooks (LIBVIRT_CLUSTER_HOOKS_DIR) */
	char hook[1024];       /* the hook binary (LIBVIRT_CLUSTER_HOOK, --hook) */
	char run_dir[1024];    /* /run: libvirt daemon pid files (LIBVIRT_CLUSTER_RUN_DIR) */
	char backup_dir[1024]; /* "" = next to the changed file (LIBVIRT_CLUSTER_BACKUP_DIR) */
};

void cli_paths_get(const struct cli_args *args, struct cli_paths *ret);

struct lc_paths;
/* Resolver paths: compiled defaults, environment, then --root as prefix of
 * every path the environment did not set. */
void cli_lc_paths(const struct cli_args *args, struct lc_paths *ret);

/* doctor's cluster-DNS checks (nothing when dns_server is unset): each
 * finding is problem (1) or ok (0), a message and a fix ("" for none). */
typedef void (*cli_dns_finding_fn)(int problem, const char *message, const char *fix,
				   void *userdata);
void cli_dns_doctor(const struct lc_paths *paths, cli_dns_finding_fn fn, void *userdata);
/* inventory: the other hosts' guests in the zone (an AXFR; none when
 * dns_server is unset, and a warning when the zone cannot be read), as
 * hosts named by their FQDN. */
struct cli_dns_hosts {
	size_t n;
	void *mem;  /* the hosts */
	void *zone; /* what their strings point into */
};
int cli_dns_hosts(const struct lc_paths *paths, struct cli_dns_hosts *ret);
const struct lc_host *cli_dns_host(const struct cli_dns_hosts *h, size_t i);
void cli_dns_hosts_free(struct cli_dns_hosts *h);

/* known-hosts (cmd-known-hosts.c), also run by the small known-hosts
 * program (known-hosts-main.c). */
int cli_known_hosts_run(const struct cli_args *args);

/* enable/disable --ssh (cmd-ssh.c): the ssh_config.d drop-in with
 * KnownHostsCommand.  cli_ssh_dropin_state: 1 installed as enable writes
 * it, -1 present but different, 0 absent; the path goes to path. */
int cli_ssh_toggle(const struct cli_args *args, bool enable);
int cli_ssh_dropin_state(const struct cli_args *args, char *path, size_t size);
/* The program KnownHostsCommand runs: LIBVIRT_CLUSTER_KNOWN_HOSTS, else
 * libexec's known-hosts (cli/known-hosts-main.c). */
const char *cli_ssh_command_path(char *buf, size_t size);

/* wait --ready=KIND (wait-ready.c). */
enum cli_ready_kind {
	CLI_READY_NAME = 0,   /* resolves (no --ready) */
	CLI_READY_TCP,	      /* tcp:PORT accepts a connection */
	CLI_READY_SSH,	      /* an SSH banner on port 22 */
	CLI_READY_AGENT,      /* the guest agent answers guest-ping */
	CLI_READY_BOOT,	      /* systemctl is-system-running --wait: running/degraded */
	CLI_READY_CLOUD_INIT, /* cloud-init status --wait: done */
};
struct cli_ready {
	enum cli_ready_kind kind;
	int port; /* tcp: the port; ssh: 22 */
};
/* "tcp:PORT", "ssh", "agent", "boot", "cloud-init"; -EINVAL otherwise. */
int cli_ready_parse(const char *s, struct cli_ready *ret);
const char *cli_ready_name(enum cli_ready_kind k);
/* A server's SSH identification line (RFC 4253 4.2): 1 when buf[0..len)
 * holds one ("SSH-2.0-..." or "SSH-1.99-..." ending in LF; lines before it
 * that do not start "SSH-" are allowed), 0 when more bytes may still make
 * one, -EPROTO when they cannot. */
int cli_ssh_banner_check(const char *buf, size_t len);

/* doctor's discovery check (doctor-discovery.c): one problem for each
 * address a guest record says discovery refused, with its fix, or one ok
 * line; fix is NULL for none. */
typedef void (*cli_finding_fn)(void *ud, bool problem, const char *message, const char *fix);
void cli_doctor_discovery(const char *runstate_dir, const char *config, cli_finding_fn fn,
			  void *ud);

/* Formatting helpers shared by the commands (format.c). */
/* "in 59m", "2h ago", "never (infinite lease)"; buf >= 64. */
const char *cli_format_expiry(long long expiry, long long now, char *buf, size_t size);
/* Where an address comes from: "lease expires in 1h05m" for a lease,
 * "netns, seen 5m ago" for a discovered one. */
struct lc_host_addr;
const char *cli_format_source(const struct lc_host_addr *a, long long now, char *buf, size_t size);
/* Why address i is ahead of address i + 1, in words. */
const char *cli_rule_text(int rule, int prefer_index, int nic_index);
/* The Ansible group of a cluster: upper-case, '-' and '.' as '_'; false
 * when the result is still no valid group name. */
bool cli_cluster_group(const char *cluster, char *buf, size_t size);

/* A guest's <lc:cluster name= group=> metadata, read from libvirt (read-only
 * connection, opened once).  1 and the raw values when present, 0 when the
 * guest has none, -errno when libvirt cannot tell (-EOPNOTSUPP without
 * libvirt support).  cli_metadata_close() drops the connections. */
int cli_guest_metadata(const char *name, const char *driver, char *cluster, size_t csize,
		       char *group, size_t gsize);
void cli_metadata_close(void);

struct lc_host;
/* The group and cluster a guest really has, as the admin wrote them: the
 * resolver's values, else what its record holds, else its libvirt
 * metadata (where the hook found them invalid and left them out).  Either
 * may be set to "" when unknown. */
void cli_guest_labels(const struct lc_host *h, const char *runstate_dir, char *cluster,
		      size_t csize, char *group, size_t gsize);
/* The exact command that sets a guest's metadata (into buf). */
const char *cli_metadata_fix(const char *name, const char *cluster, const char *group, char *buf,
			     size_t size);
