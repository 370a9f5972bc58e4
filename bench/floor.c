/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * floor: the least a process can do to answer a name from the files our
 * module reads: list the runstate and lease directories, then open, stat,
 * read and close the config and every <network>.conf, <bridge>.macs and
 * <bridge>.status, and nothing else (no parse, no allocation).
 *
 *   floor LEASE_DIR RUNSTATE_DIR CONFIG
 *
 * Under callgrind (--collect-atstart=no) only that work is counted, between
 * CALLGRIND_TOGGLE_COLLECT and CALLGRIND_DUMP_STATS_AT("floor"), as
 * bench/nssbench counts a module call.  Prints `floor files=N bytes=B`.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "callgrind-compat.h"

static char buf[1 << 20];
static size_t n_files, n_bytes;

static void read_file(int dirfd, const char *name)
{
	struct stat st;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		ssize_t k;
		while ((k = read(fd, buf, sizeof(buf))) > 0)
			n_bytes += (size_t)k;
		n_files++;
	}
	close(fd);
}

static bool wanted(const char *name, size_t len)
{
	static const char *const sfx[] = {".conf", ".macs", ".status"};
	for (size_t i = 0; i < 3; i++) {
		size_t l = strlen(sfx[i]);
		if (len > l && !memcmp(name + len - l, sfx[i], l))
			return true;
	}
	return false;
}

/* getdents64 into a stack buffer: what listing a directory costs at least. */
static void list_dir(const char *path, bool read_them)
{
	char dents[8192];
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return;
	while ((n = getdents64(fd, dents, sizeof(dents))) > 0) {
		for (ssize_t off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(dents + off);
			size_t len = strlen(d->d_name);
			if (read_them && d->d_name[0] != '.' && wanted(d->d_name, len))
				read_file(fd, d->d_name);
			off += d->d_reclen;
		}
	}
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: floor LEASE_DIR RUNSTATE_DIR CONFIG\n");
		return 2;
	}
	CALLGRIND_TOGGLE_COLLECT;
	read_file(AT_FDCWD, argv[3]);
	list_dir(argv[2], false);
	list_dir(argv[1], true);
	CALLGRIND_TOGGLE_COLLECT;
	CALLGRIND_DUMP_STATS_AT("floor");
	printf("floor files=%zu bytes=%zu\n", n_files, n_bytes);
	return 0;
}
