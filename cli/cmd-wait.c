/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * wait: block until guests resolve (through the same cache the NSS module
 * uses) and, with --port or --ready, are ready.  It sleeps on an inotify
 * watch of the lease and record directories, so a new lease wakes it at
 * once; only a network probe (a port, a banner) is retried on a timer.
 * The exit code names the first guest that was not ready: 100 + its
 * position among the NAMEs.
 */
#include "cli/cli.h"
#include "cli/wait.h"
#include "resolver/resolver.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum wait_state {
	WAIT_NAME,  /* does not resolve yet */
	WAIT_READY, /* resolves, not ready yet */
	WAIT_DONE,
	WAIT_FAILED, /* cannot become ready: detail says why */
};

struct waiter {
	const char *name;
	enum wait_state state;
	char detail[160]; /* what we saw last, for the progress line and the error */
};

/* Between two probes of a port or banner: nothing tells us when it opens. */
#define PROBE_RETRY_MS 250
/* A sleep on the watch is cut this short anyway: a lease file rewritten
 * within the same timestamp tick, or a watch that could not be set. */
#define WATCH_RECHECK_MS 5000

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int probe(const struct cli_ready *k, const struct lc_addr *a, int ms)
{
	return k->kind == CLI_READY_SSH ? wait_probe_ssh(a, k->port, ms)
					: wait_probe_tcp(a, k->port, ms);
}

static const char *probe_error(const struct cli_ready *k, int r)
{
	if (k->kind == CLI_READY_SSH && r == -ENODATA)
		return "accepted, but sent no SSH banner";
	if (k->kind == CLI_READY_SSH && r == -EPROTO)
		return "sent something that is no SSH-2.0 banner";
	return strerror(-r);
}

static void check_one(struct waiter *w, const struct lc_db *db, const struct cli_args *args,
		      const struct cli_ready *k, int probe_ms, int left_ms)
{
	struct lc_match m;
	char ab[64];

	if (!db || lc_db_unavailable(db)) {
		w->state = WAIT_NAME;
		snprintf(w->detail, sizeof(w->detail), "lease directory unreadable");
		return;
	}
	enum lc_lookup l = lc_db_lookup_name(db, w->name, args->family, &m);
	if (l != LC_FOUND) {
		w->state = WAIT_NAME;
		snprintf(w->detail, sizeof(w->detail), "%s",
			 l == LC_NODATA ? "no lease yet" : "unknown or not running");
		return;
	}
	if (k->kind == CLI_READY_NAME) {
		w->state = WAIT_DONE;
		return;
	}
	if (k->kind != CLI_READY_TCP && k->kind != CLI_READY_SSH) {
		/* systemctl and cloud-init --wait block until the guest is there:
		 * give them what is left */
		int r = wait_guest_ready(m.host, k->kind, (left_ms + 999) / 1000, w->detail,
					 sizeof(w->detail));
		w->state = r == 0			     ? WAIT_DONE
			   : r == -EAGAIN || r == -ETIMEDOUT ? WAIT_READY
							     : WAIT_FAILED;
		return;
	}
	int last = -EHOSTUNREACH;
	const char *last_addr = "";
	for (size_t i = 0; i < m.host->n_addrs; i++) {
		if (!lc_match_addr(&m, i))
			continue;
		last = probe(k, &m.host->addrs[i].addr, probe_ms);
		last_addr = lc_addr_format(&m.host->addrs[i].addr, ab, sizeof(ab));
		if (last == 0) {
			w->state = WAIT_DONE;
			return;
		}
	}
	w->state = WAIT_READY;
	snprintf(w->detail, sizeof(w->detail), "%s %d on %s: %s",
		 k->kind == CLI_READY_SSH ? "ssh on port" : "port", k->port, last_addr,
		 probe_error(k, last));
}

static void progress(const struct waiter *ws, size_t n, int64_t elapsed_ms, int timeout,
		     const struct cli_ready *k)
{
	char line[512];
	size_t off = 0;

	off += (size_t)snprintf(line, sizeof(line),
				"waiting %llds/%ds:", (long long)(elapsed_ms / 1000), timeout);
	for (size_t i = 0; i < n && off < sizeof(line); i++) {
		if (ws[i].state == WAIT_DONE || ws[i].state == WAIT_FAILED)
			continue;
		const char *what = ws[i].state == WAIT_NAME   ? "name"
				   : k->kind == CLI_READY_TCP ? "port"
							      : cli_ready_name(k->kind);
		off +=
		    (size_t)snprintf(line + off, sizeof(line) - off, " %s (%s)", ws[i].name, what);
	}
	/* \r + erase-line: one status line that rewrites itself. */
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
}

/* One pass over the guests; true when none is left to wait for. */
static bool check_all(struct waiter *ws, size_t n, const struct lc_db *db,
		      const struct cli_args *args, const struct cli_ready *k, int probe_ms,
		      int left_ms, bool *ret_probing)
{
	bool left = false, probing = false;

	for (size_t i = 0; i < n; i++) {
		if (ws[i].state != WAIT_DONE && ws[i].state != WAIT_FAILED)
			check_one(&ws[i], db, args, k, probe_ms, left_ms);
		left |= ws[i].state == WAIT_NAME || ws[i].state == WAIT_READY;
		probing |= ws[i].state == WAIT_READY;
	}
	*ret_probing = probing;
	return !left;
}

static int report(const struct waiter *ws, size_t n, int timeout)
{
	int rc = CLI_EXIT_OK;

	for (size_t i = 0; i < n; i++) {
		if (ws[i].state == WAIT_DONE)
			continue;
		if (ws[i].state == WAIT_FAILED)
			cli_error("%s: cannot be waited for: %s", ws[i].name, ws[i].detail);
		else
			cli_error("%s: not ready after %ds: %s", ws[i].name, timeout, ws[i].detail);
		if (rc == CLI_EXIT_OK)
			rc = CLI_EXIT_WAIT_BASE +
			     (int)(i + 1 < CLI_WAIT_MAX_INDEX ? i + 1 : CLI_WAIT_MAX_INDEX);
	}
	return rc;
}

static int cmd_wait(const struct cli_args *args)
{
	struct cli_ready k = {.kind = args->port ? CLI_READY_TCP : CLI_READY_NAME,
			      .port = args->port};
	struct lc_paths paths;
	size_t n = (size_t)args->argc;
	bool tty = !args->quiet && isatty(STDERR_FILENO), probing;

	if (args->ready && cli_ready_parse(args->ready, &k) < 0)
		return CLI_EXIT_USAGE;
	cli_lc_paths(args, &paths);
	struct waiter *ws = calloc(n, sizeof(*ws));
	struct lc_cache *cache = lc_cache_new();
	if (!ws || !cache) {
		free(ws);
		lc_cache_free(cache);
		cli_error("out of memory");
		return CLI_EXIT_FAILURE;
	}
	for (size_t i = 0; i < n; i++)
		ws[i].name = args->argv[i];
	/* set before the first look, so no change between the two is missed */
	int watch = wait_watch_open(&paths);

	int64_t start = mono_ms(), deadline = start + (int64_t)args->timeout * 1000;
	for (;;) {
		const struct lc_db *db = NULL;
		if (lc_cache_get(cache, &paths, lc_now_ns(), &db) < 0)
			db = NULL;
		int64_t now = mono_ms();
		int64_t left = deadline - now;
		int probe_ms = (int)(left < 1000 ? (left > 50 ? left : 50) : 1000);
		bool done = check_all(ws, n, db, args, &k, probe_ms, (int)left, &probing);
		now = mono_ms();
		if (tty)
			progress(ws, n, now - start, args->timeout, &k);
		if (done || now >= deadline)
			break;
		int64_t nap = probing ? PROBE_RETRY_MS : WATCH_RECHECK_MS;
		wait_watch_sleep(watch, (int)(deadline - now < nap ? deadline - now : nap));
	}
	if (tty)
		fputs("\r\033[K", stderr);
	if (watch >= 0)
		close(watch);
	wait_guest_close();
	int rc = report(ws, n, args->timeout);
	free(ws);
	lc_cache_free(cache);
	return rc;
}

CLI_COMMAND(wait) = {
    .name = "wait",
    .min_args = 1,
    .max_args = -1,
    .fn = cmd_wait,
    .options = CLI_OPT_PORT | CLI_OPT_READY | CLI_OPT_TIMEOUT | CLI_OPT_QUIET | CLI_OPT_FAMILY4 |
	       CLI_OPT_FAMILY6 | CLI_OPT_ROOT,
    .usage = "NAME...",
    .help = "Wait until every guest resolves (and, with --port, accepts TCP).\n"
	    "--ready=KIND waits until it is ready: tcp:PORT (as --port), ssh (an SSH\n"
	    "banner on port 22), agent, boot, cloud-init.  Exit 100+N when the N-th NAME\n"
	    "was not ready before the timeout.",
};
