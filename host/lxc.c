/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An LXC guest's init and its namespaces (host.h says why not libvirt's).
 * libc only. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sched.h>
#include <stdbool.h>

#include "host/host.h"

static int read_pid_file(const char *path, pid_t *ret)
{
	char buf[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EINVAL;
	buf[n] = '\0';
	char *end;
	long pid = strtol(buf, &end, 10);
	if (end == buf || pid <= 1 || (*end && *end != '\n'))
		return -EINVAL;
	*ret = (pid_t)pid;
	return 0;
}

static int ns_ino_at(const char *proc, pid_t pid, const char *ns, ino_t *ret)
{
	char path[4200];
	struct stat st;

	if ((size_t)snprintf(path, sizeof(path), "%s/%d/ns/%s", proc, (int)pid, ns) >= sizeof(path))
		return -ENAMETOOLONG;
	if (stat(path, &st) < 0)
		return -errno;
	*ret = st.st_ino;
	return 0;
}

int host_lxc_ns_ino(pid_t pid, const char *ns, ino_t *ret_ino)
{
	return ns_ino_at("/proc", pid, ns, ret_ino);
}

static int ppid_of(const char *proc, pid_t pid, pid_t *ret)
{
	char path[4200], buf[512], *p;
	int fd;
	ssize_t n;

	if ((size_t)snprintf(path, sizeof(path), "%s/%d/stat", proc, (int)pid) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	/* "pid (comm) state ppid": comm may hold spaces and parentheses. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", ret) != 1)
		return -EIO;
	return 0;
}

/* Whether pid lives in a network namespace other than ctrl_net: the init,
 * not one of the controller's helpers. */
static bool in_other_net(const char *proc, pid_t pid, ino_t ctrl_net)
{
	ino_t net;
	return ns_ino_at(proc, pid, "net", &net) == 0 && net != ctrl_net;
}

/* A child of ctrl in a network namespace other than ctrl_net, from the
 * children lists of ctrl's threads (/proc/CTRL/task/TID/children: the
 * controller has a handful of threads and children, where /proc has every
 * process of the host).  1: found; 0: the lists were read and hold none;
 * -ENOENT: no list could be read (a kernel without CONFIG_PROC_CHILDREN). */
static int init_from_children(const char *proc, pid_t ctrl, ino_t ctrl_net, pid_t *found)
{
	char path[4200], buf[4096];
	bool any = false;
	struct dirent *de;
	DIR *d;

	if ((size_t)snprintf(path, sizeof(path), "%s/%d/task", proc, (int)ctrl) >= sizeof(path))
		return -ENAMETOOLONG;
	d = opendir(path);
	if (!d)
		return -ENOENT;
	while (!*found && (de = readdir(d))) {
		char *p, *end;
		ssize_t n;
		int fd;
		if (de->d_name[0] == '.' ||
		    (size_t)snprintf(path, sizeof(path), "%s/%d/task/%s/children", proc, (int)ctrl,
				     de->d_name) >= sizeof(path))
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n < 0)
			continue;
		any = true;
		buf[n] = '\0';
		/* "PID PID ... ": a list cut at the buffer's end loses its last
		 * entry, not a wrong one (an entry is taken only before a space) */
		for (p = buf; !*found; p = end) {
			long pid = strtol(p, &end, 10);
			if (end == p || *end != ' ')
				break;
			if (pid > 1 && in_other_net(proc, (pid_t)pid, ctrl_net))
				*found = (pid_t)pid;
		}
	}
	closedir(d);
	return *found ? 1 : any ? 0 : -ENOENT;
}

/* The same from every process's stat line: what a kernel without children
 * lists leaves. */
static void init_from_scan(const char *proc, pid_t ctrl, ino_t ctrl_net, pid_t *found)
{
	struct dirent *de;
	DIR *d = opendir(proc);

	while (d && !*found && (de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		pid_t pp;
		if (*end || pid <= 1 || ppid_of(proc, (pid_t)pid, &pp) < 0 || pp != ctrl)
			continue;
		if (in_other_net(proc, (pid_t)pid, ctrl_net))
			*found = (pid_t)pid;
	}
	if (d)
		closedir(d);
}

int host_lxc_init_pid_at(const char *run_dir, const char *proc, const char *name, pid_t *ret_pid)
{
	char path[4200];
	pid_t ctrl = 0, found = 0;
	ino_t ctrl_net = 0;
	int r;

	/* A name is one path component (libvirt allows no '/' in it). */
	if (!*name || strchr(name, '/'))
		return -EINVAL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.pid", run_dir, name) >= sizeof(path))
		return -ENAMETOOLONG;
	r = read_pid_file(path, &ctrl);
	if (r < 0)
		return r;
	r = ns_ino_at(proc, ctrl, "net", &ctrl_net);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r; /* a stale pid file */
	if (init_from_children(proc, ctrl, ctrl_net, &found) == -ENOENT)
		init_from_scan(proc, ctrl, ctrl_net, &found);
	if (!found)
		return -ESRCH;
	*ret_pid = found;
	return 0;
}

int host_lxc_init_pid(const char *name, pid_t *ret_pid)
{
	return host_lxc_init_pid_at(HOST_LXC_RUN_DIR, "/proc", name, ret_pid);
}

/* The order host_lxc_open_ns fills and host_lxc_enter_ns enters: the
 * mount namespace last, since /proc/PID/ns paths are ours until then. */
static const char *const lxc_ns[HOST_LXC_N_NS] = {"net", "uts", "ipc", "pid", "mnt"};

int host_lxc_open_ns(const char *name, int fds[HOST_LXC_N_NS])
{
	pid_t init = 0;
	int r = host_lxc_init_pid(name, &init);

	for (size_t k = 0; k < HOST_LXC_N_NS; k++)
		fds[k] = -1;
	if (r < 0)
		return -ESRCH;
	for (size_t k = 0; k < HOST_LXC_N_NS; k++) {
		char path[64];
		ino_t mine = 0, theirs = 0;
		/* Entering a namespace we are already in is pointless (and
		 * for pid, changes what our children see). */
		if (host_lxc_ns_ino(getpid(), lxc_ns[k], &mine) == 0 &&
		    host_lxc_ns_ino(init, lxc_ns[k], &theirs) == 0 && mine == theirs)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)init, lxc_ns[k]);
		fds[k] = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fds[0] < 0) {
		host_lxc_close_ns(fds);
		return -ESRCH;
	}
	return 0;
}

int host_lxc_enter_ns(const int fds[HOST_LXC_N_NS])
{
	for (size_t k = 0; k < HOST_LXC_N_NS; k++)
		if (fds[k] >= 0 && setns(fds[k], 0) < 0 && strcmp(lxc_ns[k], "mnt") == 0)
			return -errno; /* without the guest's filesystem, nothing to run */
	return chdir("/") < 0 ? -errno : 0;
}

void host_lxc_close_ns(int fds[HOST_LXC_N_NS])
{
	for (size_t k = 0; k < HOST_LXC_N_NS; k++) {
		if (fds[k] >= 0)
			close(fds[k]);
		fds[k] = -1;
	}
}
