/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * wait --ready: what "ready" means for each kind, the network probes, and
 * the inotify watch that wakes wait when a lease or a record changes (the
 * only way a guest comes to resolve), instead of a fixed poll.
 */
#include "cli/cli.h"
#include "cli/wait.h"
#include "resolver/resolver.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *const kind_names[] = {
    [CLI_READY_NAME] = "name",	 [CLI_READY_TCP] = "tcp",   [CLI_READY_SSH] = "ssh",
    [CLI_READY_AGENT] = "agent", [CLI_READY_BOOT] = "boot", [CLI_READY_CLOUD_INIT] = "cloud-init",
};

const char *cli_ready_name(enum cli_ready_kind k)
{
	return (size_t)k < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[k] : "?";
}

int cli_ready_parse(const char *s, struct cli_ready *ret)
{
	struct cli_ready r = {.kind = CLI_READY_NAME};

	if (!strncmp(s, "tcp:", 4)) {
		char *end;
		errno = 0;
		long p = strtol(s + 4, &end, 10);
		if (errno || end == s + 4 || *end || p < 1 || p > 65535)
			return -EINVAL;
		r.kind = CLI_READY_TCP;
		r.port = (int)p;
	} else if (!strcmp(s, "ssh")) {
		r.kind = CLI_READY_SSH;
		r.port = 22;
	} else if (!strcmp(s, "agent")) {
		r.kind = CLI_READY_AGENT;
	} else if (!strcmp(s, "boot")) {
		r.kind = CLI_READY_BOOT;
	} else if (!strcmp(s, "cloud-init")) {
		r.kind = CLI_READY_CLOUD_INIT;
	} else {
		return -EINVAL;
	}
	*ret = r;
	return 0;
}

#define BANNER_MAX 8192 /* what a server may send before its version line */

int cli_ssh_banner_check(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		bool ssh = n >= 4 ? !memcmp(p, "SSH-", 4) : !memcmp(p, "SSH-", n);
		if (!nl) /* a line still coming: can it be the version line? */
			return len >= BANNER_MAX || (ssh && n > 255) ? -EPROTO : 0;
		if (ssh && n >= 4) {
			/* RFC 4253 4.2: protocol 2.0, or 1.99 (a server that also speaks 1) */
			if ((n > 8 && !memcmp(p, "SSH-2.0-", 8)) ||
			    (n > 9 && !memcmp(p, "SSH-1.99-", 9)))
				return 1;
			return -EPROTO;
		}
		p = nl + 1;
	}
	return len >= BANNER_MAX ? -EPROTO : 0;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static socklen_t sockaddr_of(const struct lc_addr *a, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;
		s->sin_family = AF_INET;
		s->sin_port = htons((uint16_t)port);
		memcpy(&s->sin_addr, a->bytes, 4);
		return sizeof(*s);
	}
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;
	s->sin6_family = AF_INET6;
	s->sin6_port = htons((uint16_t)port);
	memcpy(&s->sin6_addr, a->bytes, 16);
	return sizeof(*s);
}

/* A connected socket (fd >= 0) within timeout_ms, else -errno. */
static int tcp_connect(const struct lc_addr *a, int port, int timeout_ms)
{
	struct sockaddr_storage ss;
	socklen_t sl = sockaddr_of(a, port, &ss);
	int fd = socket(a->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), r = 0;

	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
		if (errno != EINPROGRESS) {
			r = -errno;
			goto out;
		}
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		int n = poll(&p, 1, timeout_ms);
		int err = 0;
		socklen_t el = sizeof(err);
		if (n == 0)
			r = -ETIMEDOUT;
		else if (n < 0)
			r = -errno;
		else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			r = -errno;
		else
			r = -err;
	}
out:
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int wait_probe_tcp(const struct lc_addr *a, int port, int timeout_ms)
{
	int fd = tcp_connect(a, port, timeout_ms);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

int wait_probe_ssh(const struct lc_addr *a, int port, int timeout_ms)
{
	int64_t deadline = mono_ms() + timeout_ms;
	char buf[BANNER_MAX];
	size_t len = 0;
	int fd = tcp_connect(a, port, timeout_ms), r = 0;

	if (fd < 0)
		return fd;
	/* sshd sends its version line first, unasked: read until it is there */
	while (r == 0) {
		int64_t left = deadline - mono_ms();
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			r = -ENODATA; /* accepted, but no banner (yet) */
			break;
		}
		ssize_t k = read(fd, buf + len, sizeof(buf) - len);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k <= 0) {
			r = k == 0 ? -ECONNRESET : -errno;
			break;
		}
		len += (size_t)k;
		r = cli_ssh_banner_check(buf, len);
	}
	close(fd);
	return r < 0 ? r : 0;
}

int wait_watch_open(const struct lc_paths *paths)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	const uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE |
			      IN_ATTRIB | IN_MODIFY;

	if (fd < 0)
		return -errno;
	/* libvirt replaces .status and .macs by rename, the hook its records */
	int a = inotify_add_watch(fd, paths->lease_dir, mask);
	int b = inotify_add_watch(fd, paths->runstate_dir, mask);
	if (a < 0 && b < 0) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

bool wait_watch_sleep(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool woke = false;

	if (fd < 0) {
		struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
		nanosleep(&ts, NULL);
		return false;
	}
	if (poll(&p, 1, ms) > 0)
		while (read(fd, buf, sizeof(buf)) > 0)
			woke = true;
	return woke;
}
