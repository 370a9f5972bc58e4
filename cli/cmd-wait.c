/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * wait: block until guests resolve (through the same cache the NSS module
 * uses) and, with --port, accept TCP.  The exit code names the first guest
 * that was not ready: 100 + its position among the NAMEs.
 */
#include "cli/cli.h"
#include "resolver/resolver.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum wait_state {
	WAIT_NAME, /* does not resolve yet */
	WAIT_PORT, /* resolves, port not open yet */
	WAIT_DONE,
};

struct waiter {
	const char *name;
	enum wait_state state;
	char detail[128]; /* what we saw last, for the progress line and the error */
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t real_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One TCP connect with a deadline; 0 when it was accepted, else -errno. */
static int tcp_probe(const struct lc_addr *a, int port, int timeout_ms)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	memset(&ss, 0, sizeof(ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;
		s->sin_family = AF_INET;
		s->sin_port = htons((uint16_t)port);
		memcpy(&s->sin_addr, a->bytes, 4);
		sl = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;
		s->sin6_family = AF_INET6;
		s->sin6_port = htons((uint16_t)port);
		memcpy(&s->sin6_addr, a->bytes, 16);
		sl = sizeof(*s);
	}
	int fd = socket(a->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int r = 0;
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
		if (errno != EINPROGRESS) {
			r = -errno;
			goto out;
		}
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		int n = poll(&p, 1, timeout_ms);
		if (n == 0) {
			r = -ETIMEDOUT;
			goto out;
		}
		if (n < 0) {
			r = -errno;
			goto out;
		}
		int err = 0;
		socklen_t el = sizeof(err);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			r = -errno;
		else
			r = -err;
	}
out:
	close(fd);
	return r;
}

static void check_one(struct waiter *w, const struct lc_db *db, const struct cli_args *args,
		      int probe_ms)
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
	if (!args->port) {
		w->state = WAIT_DONE;
		return;
	}
	int last = -EHOSTUNREACH;
	const char *last_addr = "";
	for (size_t i = 0; i < m.host->n_addrs; i++) {
		if (!lc_match_addr(&m, i))
			continue;
		last = tcp_probe(&m.host->addrs[i].addr, args->port, probe_ms);
		last_addr = lc_addr_format(&m.host->addrs[i].addr, ab, sizeof(ab));
		if (last == 0) {
			w->state = WAIT_DONE;
			return;
		}
	}
	w->state = WAIT_PORT;
	snprintf(w->detail, sizeof(w->detail), "port %d on %s: %s", args->port, last_addr,
		 strerror(-last));
}

static void progress(const struct waiter *ws, size_t n, int64_t elapsed_ms, int timeout)
{
	char line[512];
	size_t off = 0;

	off += (size_t)snprintf(line, sizeof(line),
				"waiting %llds/%ds:", (long long)(elapsed_ms / 1000), timeout);
	for (size_t i = 0; i < n && off < sizeof(line); i++) {
		if (ws[i].state == WAIT_DONE)
			continue;
		off += (size_t)snprintf(line + off, sizeof(line) - off, " %s (%s)", ws[i].name,
					ws[i].state == WAIT_NAME ? "name" : "port");
	}
	/* \r + erase-line: one status line that rewrites itself. */
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
}

static int cmd_wait(const struct cli_args *args)
{
	struct lc_paths paths;
	struct lc_cache *cache;
	size_t n = (size_t)args->argc;
	bool tty = !args->quiet && isatty(STDERR_FILENO);

	cli_lc_paths(args, &paths);
	struct waiter *ws = calloc(n, sizeof(*ws));
	cache = lc_cache_new();
	if (!ws || !cache) {
		free(ws);
		lc_cache_free(cache);
		cli_error("out of memory");
		return CLI_EXIT_FAILURE;
	}
	for (size_t i = 0; i < n; i++)
		ws[i].name = args->argv[i];

	int64_t start = mono_ms(), deadline = start + (int64_t)args->timeout * 1000;
	size_t ready = 0;
	for (;;) {
		const struct lc_db *db = NULL;
		int r = lc_cache_get(cache, &paths, real_ns(), &db);
		if (r < 0)
			db = NULL;
		int64_t now = mono_ms();
		int probe_ms =
		    (int)(deadline - now < 1000 ? (deadline - now > 50 ? deadline - now : 50)
						: 1000);
		ready = 0;
		for (size_t i = 0; i < n; i++) {
			if (ws[i].state != WAIT_DONE)
				check_one(&ws[i], db, args, probe_ms);
			if (ws[i].state == WAIT_DONE)
				ready++;
		}
		now = mono_ms();
		if (tty)
			progress(ws, n, now - start, args->timeout);
		if (ready == n || now >= deadline)
			break;
		int64_t nap = deadline - now < 200 ? deadline - now : 200;
		struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)nap * 1000000};
		nanosleep(&ts, NULL);
	}
	if (tty)
		fputs("\r\033[K", stderr);

	int rc = CLI_EXIT_OK;
	for (size_t i = 0; i < n; i++) {
		if (ws[i].state == WAIT_DONE)
			continue;
		cli_error("%s: not ready after %ds: %s", ws[i].name, args->timeout, ws[i].detail);
		if (rc == CLI_EXIT_OK)
			rc = CLI_EXIT_WAIT_BASE +
			     (int)(i + 1 < CLI_WAIT_MAX_INDEX ? i + 1 : CLI_WAIT_MAX_INDEX);
	}
	free(ws);
	lc_cache_free(cache);
	return rc;
}

CLI_COMMAND(wait) = {
    .name = "wait",
    .min_args = 1,
    .max_args = -1,
    .fn = cmd_wait,
    .options = CLI_OPT_PORT | CLI_OPT_TIMEOUT | CLI_OPT_QUIET | CLI_OPT_FAMILY4 | CLI_OPT_FAMILY6 |
	       CLI_OPT_ROOT,
    .usage = "NAME...",
    .help = "Wait until every guest resolves (and, with --port, accepts TCP).\n"
	    "Exit 100+N when the N-th NAME was not ready before the timeout.",
};
