/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lc-record-check [--watch MS] DIR: does every record in DIR parse, with
 * the parser the NSS module and the CLI use?  For the hook's lab tests
 * (tests/lab/lib.sh: hook_invariants), run inside the lab on its /run.
 *
 * Each guest-NAME.rec and net-NAME.rec is read with plain open and read,
 * as any reader would (no retry on a concurrent rewrite: a record is only
 * ever replaced by rename, so an open file is one version, whole), and
 * must parse and name NAME.  An empty file is a failure.  Other names
 * (temp files) are not records and are not read; the caller counts them.
 *
 * With --watch MS, read every record again and again for MS milliseconds
 * while something else writes them (a full file system, a killed writer):
 * no read may ever see a torn, empty or unparsable record.  A record
 * removed between the listing and the open is no failure.
 *
 * Exit 0 when every read record parsed, 1 when one did not, 2 usage.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "resolver/resolver.h"

#define CHECK_MAX (1u << 20) /* far above any record the hook writes */

struct tally {
	unsigned long passes, reads, bad;
	char first_bad[512];
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The whole file, NUL-terminated, in buf; -ENOENT when it went away. */
static int read_whole(int dfd, const char *name, char *buf, size_t size, size_t *ret_len)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t len = 0;

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (len += (size_t)n) >= size - 1)
			break;
	}
	close(fd);
	buf[len] = '\0';
	*ret_len = len;
	return 0;
}

/* NULL when name's content is a record of that name, else why not. */
static const char *judge(const char *name, const char *buf, size_t len)
{
	static struct lc_guest_record g;
	static struct lc_net_record n;
	size_t l = strlen(name);
	bool guest = strncmp(name, "guest-", 6) == 0;
	size_t pre = guest ? 6 : 4;
	const char *own;

	if (len == 0)
		return "empty";
	if (guest) {
		if (lc_guest_record_parse(buf, len, &g) < 0)
			return "does not parse";
		own = g.name;
	} else {
		if (lc_net_record_parse(buf, len, &n) < 0)
			return "does not parse";
		own = n.name;
	}
	if (strlen(own) != l - pre - 4 || strncmp(own, name + pre, l - pre - 4) != 0)
		return "names another object";
	return NULL;
}

static bool is_record(const char *name)
{
	size_t l = strlen(name);
	return (strncmp(name, "guest-", 6) == 0 || strncmp(name, "net-", 4) == 0) && l > 8 &&
	       strcmp(name + l - 4, ".rec") == 0;
}

/* One pass over dir; a missing dir is an empty pass. */
static void pass(const char *dir, char *buf, bool verbose, struct tally *t)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	t->passes++;
	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t len = 0;
		const char *why;

		if (!is_record(de->d_name))
			continue;
		if (read_whole(dirfd(d), de->d_name, buf, CHECK_MAX, &len) < 0)
			continue; /* removed since the listing: no reader sees a part */
		t->reads++;
		why = judge(de->d_name, buf, len);
		if (!why) {
			if (verbose)
				printf("ok %s\n", de->d_name);
			continue;
		}
		if (!t->bad++)
			snprintf(t->first_bad, sizeof(t->first_bad), "%s: %s (%zu bytes)",
				 de->d_name, why, len);
		if (verbose)
			printf("bad %s: %s (%zu bytes)\n", de->d_name, why, len);
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	struct tally t = {0};
	long watch_ms = -1;
	const char *dir;
	char *buf;

	if (argc == 4 && strcmp(argv[1], "--watch") == 0) {
		watch_ms = strtol(argv[2], NULL, 10);
		dir = argv[3];
	} else if (argc == 2) {
		dir = argv[1];
	} else {
		fprintf(stderr, "usage: %s [--watch MS] DIR\n", argv[0]);
		return 2;
	}
	buf = malloc(CHECK_MAX);
	if (!buf)
		return 2;
	if (watch_ms < 0) {
		pass(dir, buf, true, &t);
		printf("%lu record%s read, %lu bad\n", t.reads, t.reads == 1 ? "" : "s", t.bad);
	} else {
		long long end = now_ms() + watch_ms;
		while (now_ms() < end)
			pass(dir, buf, false, &t);
		printf("watched %ld ms: %lu passes, %lu reads, %lu bad%s%s\n", watch_ms, t.passes,
		       t.reads, t.bad, t.bad ? "; first: " : "", t.first_bad);
	}
	free(buf);
	return t.bad ? 1 : 0;
}
