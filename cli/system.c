/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli/system.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const sys_hook_kinds[] = {"qemu", "lxc", "network", NULL};

#define SYS_FILE_MAX (1u << 20)

int sys_read_file(const char *path, char **ret_buf, size_t *ret_len)
{
	struct stat st;
	int r = 0;

	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		goto out;
	}
	if ((uint64_t)st.st_size > SYS_FILE_MAX) {
		r = -EFBIG;
		goto out;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			free(buf);
			goto out;
		}
		if (n == 0 || len + (size_t)n == (size_t)st.st_size) {
			len += (size_t)n;
			break;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret_buf = buf;
	*ret_len = len;
out:
	close(fd);
	return r;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static bool is_mount_root(const char *path)
{
	struct statx stx;

	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) < 0)
		return false;
	return (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	       (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

int sys_write_file(const char *path, const char *buf, size_t len)
{
	struct stat st;
	mode_t mode = 0644;
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;
	int r;

	if (stat(path, &st) == 0) {
		mode = st.st_mode & 07777;
		uid = st.st_uid;
		gid = st.st_gid;
	}
	if (is_mount_root(path)) {
		/* A bind-mounted file (containers, our tests): rename(2)
		 * over it fails with EBUSY, and a temp file would land in
		 * the directory below the mount. */
		int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return -errno;
		r = write_all(fd, buf, len);
		if (r == 0 && fsync(fd) < 0)
			r = -errno;
		close(fd);
		return r;
	}

	char tmp[PATH_MAX];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = write_all(fd, buf, len);
	if (r == 0 && fchmod(fd, mode) < 0)
		r = -errno;
	if (r == 0 && uid != (uid_t)-1 && fchown(fd, uid, gid) < 0 && errno != EPERM)
		r = -errno;
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	close(fd);
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

int sys_backup(const char *path, const char *backup_dir, char *ret_path, size_t size)
{
	char stamp[32], dst[PATH_MAX];
	char *buf = NULL;
	size_t len;
	time_t t = time(NULL);
	struct tm tm;

	int r = sys_read_file(path, &buf, &len);
	if (r < 0)
		return r;
	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;

	int fd = -1;
	for (int i = 0; i < 100; i++) {
		char suffix[16] = "";
		if (i > 0)
			snprintf(suffix, sizeof(suffix), "-%d", i);
		int w;
		if (backup_dir && *backup_dir)
			w = snprintf(dst, sizeof(dst), "%s/%s.libvirt-cluster-%s%s.bak", backup_dir,
				     base, stamp, suffix);
		else
			w = snprintf(dst, sizeof(dst), "%s.libvirt-cluster-%s%s.bak", path, stamp,
				     suffix);
		if (w < 0 || (size_t)w >= sizeof(dst)) {
			free(buf);
			return -ENAMETOOLONG;
		}
		fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0644);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		r = -errno;
		free(buf);
		return r;
	}
	r = write_all(fd, buf, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	close(fd);
	free(buf);
	if (r < 0) {
		unlink(dst);
		return r;
	}
	snprintf(ret_path, size, "%s", dst);
	return 0;
}

/* Offsets of line starts; n lines (a last line without '\n' counts). */
static size_t count_lines(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\n')
			n++;
	if (len > 0 && s[len - 1] != '\n')
		n++;
	return n;
}

static const char *line_at(const char *s, size_t len, size_t idx, size_t *ret_len)
{
	size_t i = 0, cur = 0;
	while (cur < idx && i < len) {
		if (s[i] == '\n')
			cur++;
		i++;
	}
	size_t e = i;
	while (e < len && s[e] != '\n')
		e++;
	*ret_len = e - i;
	return s + i;
}

/* Lines are equal when their text and their final newline agree, so a
 * change of the last newline alone shows up in the diff. */
static bool line_eq(const char *a, size_t alen, size_t ai, const char *b, size_t blen, size_t bi)
{
	size_t la, lb;
	const char *pa = line_at(a, alen, ai, &la), *pb = line_at(b, blen, bi, &lb);
	bool ta = (size_t)(pa - a) + la < alen, tb = (size_t)(pb - b) + lb < blen;
	return la == lb && ta == tb && memcmp(pa, pb, la) == 0;
}

static void print_range(FILE *f, char sign, const char *s, size_t len, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		size_t l;
		const char *p = line_at(s, len, i, &l);
		fprintf(f, "%c%.*s\n", sign, (int)l, p);
	}
	if (to > from && to == count_lines(s, len) && len > 0 && s[len - 1] != '\n')
		fputs("\\ No newline at end of file\n", f);
}

static void hunk_range(char *buf, size_t size, size_t start, size_t count)
{
	/* Unified diff: an empty range names the line before it. */
	if (count == 1)
		snprintf(buf, size, "%zu", start + 1);
	else
		snprintf(buf, size, "%zu,%zu", count ? start + 1 : start, count);
}

void sys_diff(FILE *f, const char *label, const char *a, size_t alen, const char *b, size_t blen)
{
	size_t na = count_lines(a, alen), nb = count_lines(b, blen);
	size_t pre = 0, suf = 0;
	char ra[48], rb[48];

	if (alen == blen && memcmp(a, b, alen) == 0)
		return;
	while (pre < na && pre < nb && line_eq(a, alen, pre, b, blen, pre))
		pre++;
	while (suf < na - pre && suf < nb - pre &&
	       line_eq(a, alen, na - 1 - suf, b, blen, nb - 1 - suf))
		suf++;
	hunk_range(ra, sizeof(ra), pre, na - pre - suf);
	hunk_range(rb, sizeof(rb), pre, nb - pre - suf);
	fprintf(f, "--- %s\n+++ %s\n@@ -%s +%s @@\n", label, label, ra, rb);
	print_range(f, '-', a, alen, pre, na - suf);
	print_range(f, '+', b, blen, pre, nb - suf);
}

static time_t boot_time(void)
{
	FILE *f = fopen("/proc/stat", "re");
	char line[256];
	long long bt = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "btime %lld", &bt) == 1)
			break;
	fclose(f);
	return (time_t)bt;
}

/* Start time of a process, from field 22 of /proc/PID/stat. */
static int proc_start(pid_t pid, time_t *ret)
{
	char path[64], buf[1024];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: start after the last ')'. */
	char *p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	p++;
	unsigned long long start = 0;
	int field = 2;
	char *save = NULL;
	for (char *tok = strtok_r(p, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		field++;
		if (field == 22) {
			start = strtoull(tok, NULL, 10);
			break;
		}
	}
	if (field != 22)
		return -EIO;
	long hz = sysconf(_SC_CLK_TCK);
	*ret = boot_time() + (time_t)(start / (unsigned long long)(hz > 0 ? hz : 100));
	return 0;
}

static bool proc_comm_is(pid_t pid, const char *name)
{
	char path[64], comm[64];

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	if (n <= 0)
		return false;
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	return strcmp(comm, name) == 0;
}

size_t sys_daemons(const char *run_dir, struct sys_daemon *ret, size_t max)
{
	static const char *const names[] = {"libvirtd", "virtqemud", "virtlxcd", "virtnetworkd"};
	size_t n = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && n < max; i++) {
		char path[1100], buf[32];
		snprintf(path, sizeof(path), "%s/%s.pid", run_dir, names[i]);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t k = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (k <= 0)
			continue;
		buf[k] = '\0';
		long pid = strtol(buf, NULL, 10);
		/* A stale pid file may name another process: check its name. */
		if (pid <= 1 || !proc_comm_is((pid_t)pid, names[i]))
			continue;
		struct sys_daemon *d = &ret[n];
		memset(d, 0, sizeof(*d));
		snprintf(d->name, sizeof(d->name), "%s", names[i]);
		d->pid = (pid_t)pid;
		if (proc_start(d->pid, &d->started) < 0)
			continue;
		n++;
	}
	return n;
}

int sys_lmtime(const char *path, struct timespec *ret)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return -errno;
	*ret = st.st_mtim;
	return 0;
}
