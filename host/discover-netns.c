/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading an LXC guest's own network namespace.  setns() changes the
 * namespace of the calling thread, and the worker must keep its own (it
 * talks to libvirt and to the host's netlink afterwards), so a forked child
 * enters the guest's namespace, takes the dump and writes its raw bytes to
 * a pipe; the parent parses them with the same code the unit tests drive.
 * Between fork and _exit the child makes only syscalls.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host/discover.h"

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The child: into the namespace, dump, bytes to wfd.  Its exit status is
 * the errno of what failed (0: all written). */
static void child(int nsfd, int wfd, unsigned what, uint8_t *buf, size_t size)
{
	ssize_t n;

	if (setns(nsfd, CLONE_NEWNET) < 0)
		_exit(errno & 0xff ? errno & 0xff : 1);
	n = discover_nl_dump(what, buf, size);
	if (n < 0)
		_exit((int)-n & 0xff ? (int)-n & 0xff : 1);
	for (size_t off = 0; off < (size_t)n;) {
		ssize_t k = write(wfd, buf + off, (size_t)n - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			_exit(EPIPE);
		off += (size_t)k;
	}
	_exit(0);
}

/* Everything the child writes until EOF, by the deadline. */
static int read_all(int fd, uint8_t *buf, size_t size, int64_t deadline, size_t *ret_len)
{
	size_t used = 0;

	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int64_t left = deadline - mono_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		int k = poll(&p, 1, (int)left);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return -ETIMEDOUT;
		if (used == size)
			return -EFBIG;
		ssize_t n = read(fd, buf + used, size - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		used += (size_t)n;
	}
	*ret_len = used;
	return 0;
}

static int reap(pid_t pid, bool kill_first)
{
	int status;
	pid_t w;

	if (kill_first)
		kill(pid, SIGKILL);
	do
		w = waitpid(pid, &status, 0);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return -errno;
	if (WIFEXITED(status))
		return -WEXITSTATUS(status);
	return -ECHILD;
}

int discover_netns_dump(pid_t pid, unsigned what, int timeout_ms, struct discover_nl *nl)
{
	char path[64];
	int nsfd = -1, pfd[2] = {-1, -1}, r;
	uint8_t *buf = NULL;
	size_t len = 0;
	int64_t deadline = mono_ms() + (timeout_ms > 0 ? timeout_ms : 1);
	pid_t kid;

	if (pid <= 0)
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/%ld/ns/net", (long)pid);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	/* the child's buffer is allocated before the fork: no malloc after it */
	buf = malloc(DISCOVER_DUMP_MAX);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		r = -errno;
		goto out;
	}
	kid = fork();
	if (kid < 0) {
		r = -errno;
		goto out;
	}
	if (kid == 0) {
		close(pfd[0]);
		child(nsfd, pfd[1], what, buf, DISCOVER_DUMP_MAX);
	}
	close(pfd[1]);
	pfd[1] = -1;
	r = read_all(pfd[0], buf, DISCOVER_DUMP_MAX, deadline, &len);
	int rc = reap(kid, r < 0);
	if (r == 0)
		r = rc;
	if (r == 0) {
		r = discover_nl_parse(buf, len, nl);
		r = r < 0 ? r : 0;
	}
out:
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	close(nsfd);
	free(buf);
	return r;
}
