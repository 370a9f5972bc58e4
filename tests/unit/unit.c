/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/unit.h"

char *unit_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	if (!base || !*base)
		base = "/tmp";
	assert_true(asprintf(&dir, "%s/lc-unit-XXXXXX", base) > 0);
	assert_non_null(mkdtemp(dir));
	return dir;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

void unit_rmrf(const char *path)
{
	if (path)
		nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *unit_path(const char *dir, const char *name)
{
	char *p;
	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

void unit_write(const char *dir, const char *name, const char *content, size_t len)
{
	char *p = unit_path(dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (len == (size_t)-1)
		len = strlen(content);
	assert_true(fd >= 0);
	for (size_t off = 0; off < len;) {
		ssize_t k = write(fd, content + off, len - off);
		assert_true(k > 0);
		off += (size_t)k;
	}
	assert_int_equal(close(fd), 0);
	free(p);
}

void unit_writef(const char *dir, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	assert_true(vasprintf(&s, fmt, ap) >= 0);
	va_end(ap);
	unit_write(dir, name, s, (size_t)-1);
	free(s);
}

void unit_replace(const char *dir, const char *name, const char *content)
{
	char *tmpname, *from, *to;

	assert_true(asprintf(&tmpname, ".%s.new", name) > 0);
	unit_write(dir, tmpname, content, (size_t)-1);
	from = unit_path(dir, tmpname);
	to = unit_path(dir, name);
	assert_int_equal(rename(from, to), 0);
	free(from);
	free(to);
	free(tmpname);
}

void unit_set_mtime(const char *path, int64_t ns)
{
	struct timespec ts[2];

	ts[0].tv_sec = ts[1].tv_sec = (time_t)(ns / 1000000000);
	ts[0].tv_nsec = ts[1].tv_nsec = (long)(ns % 1000000000);
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

char *unit_fixture(const char *rel, size_t *ret_len)
{
	const char *base = getenv("LC_FIXTURES");
	char *path, *buf;
	struct stat st;
	FILE *f;

	if (!base || !*base)
		base = UNIT_FIXTURES;
	assert_true(asprintf(&path, "%s/%s", base, rel) > 0);
	f = fopen(path, "re");
	if (!f)
		fail_msg("cannot open fixture %s: %s", path, strerror(errno));
	assert_int_equal(fstat(fileno(f), &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	buf[st.st_size] = '\0';
	fclose(f);
	free(path);
	if (ret_len)
		*ret_len = (size_t)st.st_size;
	return buf;
}

void unit_copy_fixture(const char *rel, const char *dir, const char *name)
{
	size_t len;
	char *buf = unit_fixture(rel, &len);
	unit_write(dir, name, buf, len);
	free(buf);
}

int unit_world_new(char **ret_root, char **ret_lease, char **ret_run, struct lc_paths *paths)
{
	char *root = unit_tmpdir(), *lease = unit_path(root, "dnsmasq"),
	     *run = unit_path(root, "run");
	*ret_root = root;
	*ret_lease = lease;
	*ret_run = run;
	if (mkdir(lease, 0755) < 0 || mkdir(run, 0755) < 0)
		return -1;
	memset(paths, 0, sizeof(*paths));
	snprintf(paths->lease_dir, sizeof(paths->lease_dir), "%s", lease);
	snprintf(paths->runstate_dir, sizeof(paths->runstate_dir), "%s", run);
	snprintf(paths->config, sizeof(paths->config), "%s/libvirt-cluster.conf", root);
	return 0;
}

void unit_world_free(char *root, char *lease, char *run)
{
	unit_rmrf(root);
	free(root);
	free(lease);
	free(run);
}

void unit_copy_captures(const char *dir)
{
	static const char *files[] = {"isonet.conf",	  "labnet.conf",    "virbr-iso.macs",
				      "virbr-iso.status", "virbr-lab.macs", "virbr-lab.status"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char rel[128];
		snprintf(rel, sizeof(rel), "libvirt-9.0/dnsmasq/%s", files[i]);
		unit_copy_fixture(rel, dir, files[i]);
	}
}

int unit_setup_tmpdir(void **state)
{
	*state = unit_tmpdir();
	return 0;
}

int unit_teardown_tmpdir(void **state)
{
	unit_rmrf(*state);
	free(*state);
	return 0;
}

void unit_match_addrs(const struct lc_match *m, char *out, size_t size)
{
	size_t off = 0;

	out[0] = '\0';
	for (size_t i = 0; i < m->host->n_addrs; i++) {
		char buf[64];
		if (!lc_match_addr(m, i))
			continue;
		lc_addr_format(&m->host->addrs[i].addr, buf, sizeof(buf));
		off += (size_t)snprintf(out + off, off < size ? size - off : 0, "%s%s",
					off ? " " : "", buf);
	}
}
