/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * syscost: what the kernel part of a cold lookup costs in wall time, for
 * each way of reading the lease files (issue 17).  Callgrind counts only
 * user-space instructions; at N <= 100 the system calls weigh more.
 *
 *   syscost LEASE_DIR RUNSTATE_DIR CONFIG [ROUNDS]
 *
 * Run it where the modules run (bench/nsrun).  Each pattern runs ROUNDS
 * times (default 2000, the files in the page cache) and the mean is
 * printed, in ns, one line a pattern:
 *   syscall   getppid(), the price of entering the kernel;
 *   ours-miss what our module's cold miss does: the config (open, fstat,
 *             pread, fstat, close), the runstate and lease directories
 *             listed (open, fstat, getdents64 to the end, close), every
 *             .macs and .status read the same way as the config;
 *   ours-hit  the same, and every .conf too;
 *   libvirt   what libvirt's module does: the lease directory listed,
 *             every .status opened and read in 1 KB steps to the end;
 *   stats     one stat() of every path ours-hit reads, and one open,
 *             pread and close of a .status standing in for a snapshot
 *             file: about what a cold lookup answered from a prebuilt
 *             snapshot would pay the kernel (a snapshot is bigger than one
 *             .status, but copying a few KB more is well under a stat).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILES 256

/* as big as the biggest file, so every pattern reads every file whole */
static char *buf;
static size_t buf_size = 1 << 16;
static const char *lease_dir, *run_dir, *config;
/* The lease dir's files, .conf then .macs then .status, as ours reads
 * them: absolute paths, and which kind each is (known before any round, so
 * that the timed loops make system calls and nothing else). */
enum kind { CONF, MACS, STATUS };
static char *files[MAX_FILES];
static enum kind kinds[MAX_FILES];
static size_t n_files;
static const char *first_status; /* the snapshot's stand-in, or NULL */
static size_t status_bytes;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t l = strlen(s), k = strlen(suffix);
	return l >= k && strcmp(s + l - k, suffix) == 0;
}

/* As our module reads a file: the size first, one pread, the signature again. */
static void read_ours(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && (size_t)st.st_size < buf_size)
		if (pread(fd, buf, (size_t)st.st_size + 1, 0) >= 0)
			fstat(fd, &st);
	close(fd);
}

static void list_dir(const char *dir)
{
	struct stat st;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return;
	fstat(fd, &st);
	while (syscall(SYS_getdents64, fd, buf, 2048) > 0)
		;
	close(fd);
}

/* Each pattern: hit says whether ours reads the .conf files too (the
 * others take no part in it). */
static void ours(bool hit)
{
	read_ours(config);
	list_dir(run_dir);
	list_dir(lease_dir);
	for (size_t i = 0; i < n_files; i++)
		if (hit || kinds[i] != CONF)
			read_ours(files[i]);
}

static void libvirt(bool hit)
{
	(void)hit;
	list_dir(lease_dir);
	for (size_t i = 0; i < n_files; i++) {
		if (kinds[i] != STATUS)
			continue;
		/* flags as libvirt's module passes them (strace): no O_CLOEXEC */
		int fd = open(files[i], O_RDONLY);
		if (fd < 0)
			continue;
		while (read(fd, buf, 1024) > 0)
			;
		close(fd);
	}
}

static void stats(bool hit)
{
	struct stat st;
	(void)hit;
	stat(config, &st);
	stat(run_dir, &st);
	stat(lease_dir, &st);
	for (size_t i = 0; i < n_files; i++)
		stat(files[i], &st);
	/* the snapshot itself: the first .status stands in for it, read in
	 * one pread (a snapshot's size would be known from its stat) */
	if (!first_status)
		return;
	int fd = open(first_status, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (pread(fd, buf, status_bytes < buf_size ? status_bytes : buf_size, 0) < 0)
		perror("pread");
	close(fd);
}

static void syscall_only(bool hit)
{
	(void)hit;
	syscall(SYS_getppid);
}

static void pattern(const char *name, void (*fn)(bool), bool arg, long rounds)
{
	fn(arg); /* once untimed: dentries and pages cached */
	uint64_t t0 = now_ns();
	for (long i = 0; i < rounds; i++)
		fn(arg);
	printf("%-9s %8.0f ns\n", name, (double)(now_ns() - t0) / (double)rounds);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: syscost LEASE_DIR RUNSTATE_DIR CONFIG [ROUNDS]\n");
		return 2;
	}
	lease_dir = argv[1];
	run_dir = argv[2];
	config = argv[3];
	long rounds = argc > 4 ? atol(argv[4]) : 2000;

	static const char *const suffix[] = {
	    [CONF] = ".conf", [MACS] = ".macs", [STATUS] = ".status"};
	for (enum kind k = CONF; k <= STATUS; k++) {
		DIR *d = opendir(lease_dir);
		struct dirent *de;
		while (d && (de = readdir(d)) && n_files < MAX_FILES) {
			struct stat st;
			char *path;
			if (!ends_with(de->d_name, suffix[k]))
				continue;
			if (asprintf(&path, "%s/%s", lease_dir, de->d_name) < 0)
				return 1;
			if (k == STATUS && !first_status)
				first_status = path;
			kinds[n_files] = k;
			files[n_files++] = path;
			if (stat(path, &st) == 0) {
				if (k != CONF)
					status_bytes += (size_t)st.st_size;
				if ((size_t)st.st_size + 2 > buf_size)
					buf_size = (size_t)st.st_size + 2;
			}
		}
		if (d)
			closedir(d);
	}
	if (!(buf = malloc(buf_size)))
		return 1;
	printf("files     %zu (.macs + .status: %zu bytes)\n", n_files, status_bytes);
	pattern("syscall", syscall_only, false, rounds);
	pattern("ours-miss", ours, false, rounds);
	pattern("ours-hit", ours, true, rounds);
	pattern("libvirt", libvirt, false, rounds);
	pattern("stats", stats, false, rounds);
	return 0;
}
