/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hooks/hook.h"

static int read_until(int fd, size_t max, uint64_t deadline, char **io_buf, size_t *io_len)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int r = 0;

	for (;;) {
		uint64_t now = host_now_usec();
		if (now >= deadline) {
			r = -ETIMEDOUT;
			goto out;
		}
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int wait_ms = (int)((deadline - now + 999) / 1000);
		r = poll(&p, 1, wait_ms);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		if (r == 0)
			continue; /* the deadline check above ends it */

		if (cap - len < 65536) {
			/* Grow to max + 1 at most: one byte over max is enough to
			 * know the input is too big. */
			size_t ncap = cap ? cap * 2 : 65536;
			if (ncap > max + 1)
				ncap = max + 1;
			if (ncap <= len) {
				r = -EFBIG;
				goto out;
			}
			char *nbuf = realloc(buf, ncap + 1);
			if (!nbuf) {
				r = -ENOMEM;
				goto out;
			}
			buf = nbuf;
			cap = ncap;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			r = -EFBIG;
			goto out;
		}
	}
	r = 0;
out:
	*io_buf = buf;
	*io_len = len;
	return r;
}

int hook_read_input(int fd, size_t max, int timeout_ms, char **ret_buf, size_t *ret_len)
{
	uint64_t deadline = host_now_usec() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000u;
	size_t len = 0;
	char *buf = NULL;
	int r, flags;

	/* Non-blocking, so that a writer that stops writing cannot hold us past
	 * the deadline between poll() and read(). */
	flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return -errno;
	if (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;
	r = read_until(fd, max, deadline, &buf, &len);
	/* The file description may be shared (a terminal): put it back. */
	if (!(flags & O_NONBLOCK))
		(void)fcntl(fd, F_SETFL, flags);
	if (r < 0) {
		free(buf);
		return r;
	}
	if (!buf) {
		buf = malloc(1);
		if (!buf)
			return -ENOMEM;
	}
	buf[len] = '\0';
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}
