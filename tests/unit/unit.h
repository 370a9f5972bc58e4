/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared helpers of the cmocka unit tests: private temp dirs, writing
 * files with chosen timestamps, and reading the captured libvirt fixtures. */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdint.h>

#include <cmocka.h>

#include "resolver/resolver.h"

/* A fresh private directory under $TMPDIR (or /tmp); fails the test on error. */
char *unit_tmpdir(void);
/* cmocka fixtures: *state is a fresh unit_tmpdir(), removed after the test. */
int unit_setup_tmpdir(void **state);
int unit_teardown_tmpdir(void **state);
/* Remove a tree made by the test (never follows symlinks). */
void unit_rmrf(const char *path);
/* dir/name, malloc'd. */
char *unit_path(const char *dir, const char *name);
/* Write len bytes (or the whole string when len is (size_t)-1) to dir/name
 * in place: the same inode when the file exists (O_TRUNC). */
void unit_write(const char *dir, const char *name, const char *content, size_t len);
void unit_writef(const char *dir, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Write to a temp file and rename it over dir/name, as libvirt does. */
void unit_replace(const char *dir, const char *name, const char *content);
/* Set a file's atime and mtime (ns since the epoch). */
void unit_set_mtime(const char *path, int64_t ns);
/* The content of a file under tests/fixtures/ (NUL-terminated, malloc'd). */
char *unit_fixture(const char *rel, size_t *ret_len);
/* Copy tests/fixtures/<rel> to dir/name. */
void unit_copy_fixture(const char *rel, const char *dir, const char *name);

/* Copy the libvirt 9.0 captures that matter to a load (the two networks'
 * .conf, .macs and .status) into dir. */
void unit_copy_captures(const char *dir);

/* A private world for the resolver under a fresh temp dir: root/dnsmasq
 * (the lease dir, made), root/run (the records dir, made) and
 * root/libvirt-cluster.conf (not made), filled into paths.  -1 on error. */
int unit_world_new(char **ret_root, char **ret_lease, char **ret_run, struct lc_paths *paths);
/* Remove it and free the three strings. */
void unit_world_free(char *root, char *lease, char *run);
/* The addresses a forward lookup matched, in rank order, space-separated,
 * into out (size bytes; "" for none). */
void unit_match_addrs(const struct lc_match *m, char *out, size_t size);
