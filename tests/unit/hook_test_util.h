/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the hook's and host's unit tests: fixtures, scratch
 * dirs, files (tests/unit/unit-hook.c, in tests/unit/libunit.la). */
#pragma once

/* What the tests used when these were inline, kept so that they still build. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The libvirt 9.0 captures: $LC_FIXTURES (set by make check), else the
 * source tree relative to the build dir. */
const char *hook_test_fixture_dir(void);

char *hook_test_slurp(const char *path, size_t *ret_len);

/* A fixture from hook-stdin/ by its capture name, e.g. "lxc.c1.started.begin". */
char *hook_test_stdin(const char *name, size_t *ret_len);

/* A capture's .status with every expiry-time moved to now + 1 day: the
 * captured times are real and pass, the tests must not depend on the date. */
char *hook_test_status_fresh(const char *name);

int hook_test_write(const char *dir, const char *name, const char *content);

bool hook_test_exists(const char *dir, const char *name);

/* unit_rmrf(), under its old name. */
void hook_test_rm_rf(const char *dir);

/* A scratch tree: root/{run,leases}, root/conf; the process env points the
 * resolver at it (LIBVIRT_CLUSTER_*), and D-Bus and libvirt at nothing, so
 * no test ever reaches the host's daemons. */
struct hook_test_env {
	char root[1024];
	char run[PATH_MAX];
	char leases[PATH_MAX];
	char conf[PATH_MAX];
};

int hook_test_env_setup(struct hook_test_env *e, const char *config);

void hook_test_env_teardown(struct hook_test_env *e);
