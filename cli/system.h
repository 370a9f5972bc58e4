/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* System files and daemons, for doctor, enable and disable. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

/* The libvirt hook directories our hook is linked into, and the link name. */
extern const char *const sys_hook_kinds[]; /* "qemu", "lxc", "network", NULL */
#define SYS_HOOK_LINK "libvirt-cluster"

/* Read a whole file (at most 1 MiB), NUL-terminated.  -errno. */
int sys_read_file(const char *path, char **ret_buf, size_t *ret_len);

/* Replace a file's contents, keeping its mode (0644 when new).  Atomic
 * (temp file + rename) unless the file is a mount point (a bind-mounted
 * file cannot be renamed over): then rewritten in place. */
int sys_write_file(const char *path, const char *buf, size_t len);

/* Copy path to "<dir or path's dir>/<name>.libvirt-cluster-<time>.bak"
 * (never overwriting one); the name goes to ret_path. -errno. */
int sys_backup(const char *path, const char *backup_dir, char *ret_path, size_t size);

/* A zero-context unified diff of two texts that differ in one region. */
void sys_diff(FILE *f, const char *label, const char *a, size_t alen, const char *b, size_t blen);

/* A running libvirt daemon that runs hooks. */
struct sys_daemon {
	char name[32];
	pid_t pid;
	time_t started; /* wall clock */
};

/* Daemons whose pid file under run_dir names a live process of that name
 * (libvirtd, virtqemud, virtlxcd, virtnetworkd).  Returns how many. */
size_t sys_daemons(const char *run_dir, struct sys_daemon *ret, size_t max);

/* The last modification of a link or file itself (lstat), or -errno. */
int sys_lmtime(const char *path, struct timespec *ret);
