/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt-cluster-hook internals: argv, stdin, the per-event operations,
 * the worker's scheduling, --sync and logging.  What the hook does to the
 * host (libvirt, XML, DHCP, dnsmasq, resolved) is the host layer's
 * (host/host.h), shared with the CLI.  The pure parts return 0/-errno and
 * never log, so the unit tests can drive them; only the operation handlers
 * in ops.c and the worker log, through hook_log.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "host/host.h"
#include "resolver/resolver.h"

#define HOOK_INPUT_MAX (16u << 20) /* stdin bound */
#define HOOK_INPUT_TIMEOUT_MS 500  /* stdin time bound */

/* ---- argv ------------------------------------------------------------------ */

enum hook_driver {
	HOOK_DRIVER_NONE = 0,
	HOOK_DRIVER_QEMU,
	HOOK_DRIVER_LXC,
	HOOK_DRIVER_NETWORK,
};

enum hook_mode {
	HOOK_MODE_HOOK = 0, /* called by libvirt: OBJECT OPERATION SUBOP EXTRA */
	HOOK_MODE_SYNC,	    /* --sync */
	HOOK_MODE_REFRESH,  /* --refresh */
	HOOK_MODE_HELP,	    /* --help */
	HOOK_MODE_VERSION,  /* --version */
};

struct hook_args {
	enum hook_mode mode;
	enum hook_driver driver;
	const char *object; /* guest or network name, NULL when missing */
	const char *op;
	const char *subop;
	const char *extra;
	const char *bad_option; /* set when an unknown --option was given */
};

const char *hook_driver_name(enum hook_driver d);
enum hook_driver hook_driver_from_name(const char *s);
/* The driver implied by argv[0]: ".../qemu.d/x" -> qemu, ".../lxc.d/x" -> lxc,
 * ".../network.d/x" -> network; a plain ".../hooks/qemu" works too. */
enum hook_driver hook_driver_from_argv0(const char *argv0);
/* Never fails: what is missing stays NULL / NONE, and the caller logs it. */
void hook_args_parse(int argc, const char *const *argv, struct hook_args *ret);

/* ---- stdin ------------------------------------------------------------------ */

/* Read fd until EOF, at most max bytes, for at most timeout_ms in total.
 * Returns 0 with a NUL-terminated *ret_buf (caller frees), -EFBIG when more
 * than max bytes came, -ETIMEDOUT when EOF did not come in time (the part read
 * is discarded in both cases), or another -errno. */
int hook_read_input(int fd, size_t max, int timeout_ms, char **ret_buf, size_t *ret_len);

/* Domain -> record.  Bridges missing from the XML are taken from the
 * network records under runstate_dir (may be NULL). */
void hook_domain_to_record(const struct host_domain *d, enum hook_driver driver,
			   const char *runstate_dir, struct lc_guest_record *ret);
void hook_network_to_record(const struct host_network *n, int ifindex, struct lc_net_record *ret);
enum lc_class hook_forward_class(const char *forward);

/* ---- logging ----------------------------------------------------------------------- */

void hook_log_open(bool debug);
bool hook_log_debug(void);
void hook_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define hook_debug(...)                                                                            \
	do {                                                                                       \
		if (hook_log_debug())                                                              \
			hook_log(LOG_DEBUG, __VA_ARGS__);                                          \
	} while (0)

/* ---- the program ------------------------------------------------------------------- */

struct hook_ctx {
	struct hook_args args;
	struct lc_paths paths;
	struct lc_config config;
	char *input; /* stdin, NUL-terminated, NULL when unusable */
	size_t input_len;
	int input_error;     /* why input is NULL */
	uint64_t start_usec; /* CLOCK_MONOTONIC at start */
	bool spawn_workers;  /* false in --sync: work is done in-process */
	int exit_code;
};

/* Run one libvirt hook event; returns the process exit code. */
int hook_dispatch(struct hook_ctx *ctx);
/* --sync: rebuild every record from the running daemon. */
int hook_sync(struct hook_ctx *ctx);
/* Removes the temp files of record writers that were killed before their
 * rename (their pid is gone); how many.  For --sync and --refresh. */
unsigned hook_clean_tmp(const char *dir);

/* ---- the detached worker ------------------------------------------------------------- */

/* Run fn(userdata) in a grandchild in its own session with fds 0-2 on
 * /dev/null and every other fd closed, after the hook has returned.  The
 * caller gets 0 as soon as the intermediate child is reaped. */
int hook_spawn_detached(void (*fn)(void *userdata), void *userdata);

/* What the worker is given: a copy of the record, and the XML's guest dev names. */
struct hook_work {
	struct lc_guest_record rec;
	char guest_dev[HOST_MAX_NICS][64];
	struct lc_paths paths;
	struct lc_config config;
};

/* The detached worker's nice value, and its session's (worker.c). */
#define HOOK_WORKER_NICE 10

/* How long the worker gives a guest's DHCP client. */
#define HOOK_RENEW_TIMEOUT_S 60

/* The worker's last step (hostkeys.c): read the guest's ssh host keys
 * through the hypervisor, asking again for a while, and put them into its
 * record; msg gets "; ..." for the worker's log line. */
void hook_worker_hostkeys(virConnectPtr conn, const struct hook_work *w, char *msg, size_t size);
/* Before the hook writes a running guest's record again: keep the host keys
 * the worker read, while the record is that guest's (same UUID). */
void hook_record_keep_hostkeys(const char *dir, struct lc_guest_record *rec);

void hook_worker_started(void *work);
void hook_worker_stopped(void *work);
/* A NIC on a network whose dnsmasq hands out leases (its bridge, from the
 * record or the network record, has a .status in the lease dir); bridge
 * gets the bridge's name. */
bool hook_nic_watched(const struct lc_paths *paths, const struct lc_nic *nic, char *bridge,
		      size_t size);
/* Discovery for the guest of w until each NIC has a lease or an address,
 * or discover_timeout (hooks/discover.c). */
void hook_discover_guest(const struct hook_work *w);
/* After a cluster-DNS publish of rec went through: when the guest stopped
 * meanwhile (no record of it, or another guest's, and libvirt does not run
 * it), withdraw its names again, since the stopped hook's withdraw may have
 * gone before the publish.  who names the process in the log (worker,
 * discovery).  Only with cluster DNS built in (hooks/worker.c). */
void hook_dns_settle(const struct lc_paths *paths, const struct lc_config *cfg,
		     const struct lc_guest_record *rec, const char *who);
/* --refresh: one round of discovery for every guest with a record; only
 * records that change are written. */
int hook_refresh(struct hook_ctx *ctx);
/* --refresh's first step: a record for each running network and guest
 * that has none (hooks/restore.c); how many were written. */
unsigned hook_restore_missing(struct hook_ctx *ctx);
/* --refresh's last step: the spool's cluster-DNS updates that are due;
 * -ENODATA when cluster DNS is off (hooks/restore.c). */
int hook_refresh_spool(struct hook_ctx *ctx, unsigned *ret_delivered, unsigned *ret_failed);
/* --refresh's repair of the zone, after the spool: each running guest
 * whose record set is not exactly in the zone is published again
 * (ddns_publish_changed); -ENODATA when off (hooks/restore.c).  Not
 * run when the spool's due updates just failed: the server is down. */
int hook_refresh_dns(struct hook_ctx *ctx, unsigned *ret_published, unsigned *ret_current);
