/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The hook and host tests' helpers (hook_test_util.h), built once into
 * tests/unit/libunit.la with the core tests' helpers (unit.c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/hook_test_util.h"
#include "tests/unit/unit.h"

/* The libvirt 9.0 captures: $LC_FIXTURES (set by make check), else the
 * source tree relative to the build dir. */
const char *hook_test_fixture_dir(void)
{
	static char dir[1024];
	const char *f = getenv("LC_FIXTURES");
	const char *top = getenv("abs_top_srcdir");

	if (f && *f)
		snprintf(dir, sizeof(dir), "%s/libvirt-9.0", f);
	else if (top && *top)
		snprintf(dir, sizeof(dir), "%s/tests/fixtures/libvirt-9.0", top);
	else
		snprintf(dir, sizeof(dir), "../tests/fixtures/libvirt-9.0");
	return dir;
}

char *hook_test_slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "re");
	char *buf;
	long len;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[len] = '\0';
		if (ret_len)
			*ret_len = (size_t)len;
	}
	return buf;
}

/* A fixture from hook-stdin/ by its capture name, e.g. "lxc.c1.started.begin". */
char *hook_test_stdin(const char *name, size_t *ret_len)
{
	char path[PATH_MAX + 256];

	snprintf(path, sizeof(path), "%s/hook-stdin/%s.xml", hook_test_fixture_dir(), name);
	return hook_test_slurp(path, ret_len);
}

/* A capture's .status with every expiry-time moved to now + 1 day: the
 * captured times are real and pass, the tests must not depend on the date. */
char *hook_test_status_fresh(const char *name)
{
	char path[PATH_MAX], *in, *out, *o;
	const char *p;
	size_t len;
	const char *key = "\"expiry-time\": ";

	snprintf(path, sizeof(path), "%s/dnsmasq/%s", hook_test_fixture_dir(), name);
	in = hook_test_slurp(path, &len);
	if (!in)
		return NULL;
	out = malloc(len * 2 + 64);
	if (!out) {
		free(in);
		return NULL;
	}
	for (p = in, o = out; *p;) {
		const char *k = strstr(p, key);
		if (!k) {
			strcpy(o, p);
			break;
		}
		memcpy(o, p, (size_t)(k - p) + strlen(key));
		o += (k - p) + strlen(key);
		p = k + strlen(key);
		while (*p >= '0' && *p <= '9')
			p++;
		o += sprintf(o, "%lld", (long long)time(NULL) + 86400);
	}
	free(in);
	return out;
}

int hook_test_write(const char *dir, const char *name, const char *content)
{
	char path[PATH_MAX + 256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	if (!f)
		return -errno;
	fputs(content, f);
	return fclose(f) == 0 ? 0 : -errno;
}

bool hook_test_exists(const char *dir, const char *name)
{
	char path[PATH_MAX + 256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0;
}

void hook_test_rm_rf(const char *dir)
{
	unit_rmrf(dir);
}

int hook_test_env_setup(struct hook_test_env *e, const char *config)
{
	snprintf(e->root, sizeof(e->root), "%s/lc-hook-test.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(e->root))
		return -errno;
	snprintf(e->run, sizeof(e->run), "%s/run", e->root);
	snprintf(e->leases, sizeof(e->leases), "%s/leases", e->root);
	snprintf(e->conf, sizeof(e->conf), "%s/libvirt-cluster.conf", e->root);
	if (mkdir(e->run, 0755) < 0 || mkdir(e->leases, 0755) < 0)
		return -errno;
	if (hook_test_write(e->root, "libvirt-cluster.conf", config ? config : "") < 0)
		return -EIO;
	setenv("LIBVIRT_CLUSTER_RUNSTATE_DIR", e->run, 1);
	setenv("LIBVIRT_CLUSTER_LEASE_DIR", e->leases, 1);
	setenv("LIBVIRT_CLUSTER_CONFIG", e->conf, 1);
	char bus[PATH_MAX + 32], uri[PATH_MAX + 64];
	snprintf(bus, sizeof(bus), "unix:path=%s/no-bus", e->root);
	snprintf(uri, sizeof(uri), "qemu:///system?socket=%s/no-libvirt-sock", e->root);
	setenv("DBUS_SYSTEM_BUS_ADDRESS", bus, 1);
	setenv("LIBVIRT_CLUSTER_HOOK_URI", uri, 1);
	return 0;
}

void hook_test_env_teardown(struct hook_test_env *e)
{
	hook_test_rm_rf(e->root);
}
