/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Finding an LXC guest's init without libvirt (host/lxc.c), which the
 * hook's worker and `libvirt-cluster renew` share.  A fake /run/libvirt/lxc
 * and /proc in a temporary directory: the controller's pid file, processes
 * with their stat lines, and ns/net entries whose inodes say which network
 * namespace a process is in (hard links = the same namespace).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "host/host.h"

static char root[PATH_MAX], run_dir[PATH_MAX + 8], proc[PATH_MAX + 8];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* A process PID whose parent is PPID, named COMM; its network namespace is
 * NS_FILE (created when missing, hard-linked so two processes share it). */
static void add_proc(int pid, int ppid, const char *comm, const char *ns_file)
{
	char path[PATH_MAX * 2], line[256];

	snprintf(path, sizeof(path), "%s/%d", proc, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%d/ns", proc, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(line, sizeof(line), "%d (%s) S %d %d %d 0 -1 4194560 100 0 0 0\n", pid, comm, ppid,
		 pid, pid);
	snprintf(path, sizeof(path), "%s/%d/stat", proc, pid);
	write_file(path, line);
	char ns[PATH_MAX * 2];
	snprintf(ns, sizeof(ns), "%s/%s", root, ns_file);
	if (access(ns, F_OK) < 0)
		write_file(ns, "");
	snprintf(path, sizeof(path), "%s/%d/ns/net", proc, pid);
	assert_int_equal(link(ns, path), 0);
}

/* The children list of thread TID of process PID (kernels with
 * CONFIG_PROC_CHILDREN have one per thread): "PID PID ... ". */
static void add_children(int pid, int tid, const char *list)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%d/task", proc, pid);
	if (access(path, F_OK) < 0)
		assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%d/task/%d", proc, pid, tid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%d/task/%d/children", proc, pid, tid);
	write_file(path, list);
}

static void write_pid_file(const char *name, const char *text)
{
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/%s.pid", run_dir, name);
	write_file(path, text);
}

static int setup(void **state)
{
	(void)state;
	const char *tmp = getenv("TMPDIR");
	snprintf(root, sizeof(root), "%s/test-lxc-pid.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root))
		return -1;
	snprintf(run_dir, sizeof(run_dir), "%s/run", root);
	snprintf(proc, sizeof(proc), "%s/proc", root);
	if (mkdir(run_dir, 0755) < 0 || mkdir(proc, 0755) < 0)
		return -1;
	/* the host: pid 1, libvirtd, two guests' controllers */
	add_proc(1, 0, "init", "host-net");
	add_proc(90, 1, "libvirtd", "host-net");
	/* node1: controller 100 (host net), a helper child 101 in the host
	 * net, and the init 102, whose comm holds ") (" */
	add_proc(100, 1, "libvirt_lxc", "host-net");
	add_proc(101, 100, "libvirt_lxc", "host-net");
	add_proc(102, 100, "init) (x", "node1-net");
	add_proc(103, 102, "sshd", "node1-net"); /* the init's child, not the controller's */
	write_pid_file("node1", "100\n");
	/* node2: controller 200 whose init has not been cloned yet */
	add_proc(200, 1, "libvirt_lxc", "host-net");
	write_pid_file("node2", "200");
	/* node3: a pid file left by a controller that is gone */
	write_pid_file("node3", "300\n");
	/* node4: controller 400 with children lists, as the kernel has them:
	 * thread 400 cloned helper 401; thread 405 cloned 402 (gone since)
	 * and the init 403 */
	add_proc(400, 1, "libvirt_lxc", "host-net");
	add_proc(401, 400, "libvirt_lxc", "host-net");
	add_proc(403, 400, "init", "node4-net");
	add_children(400, 400, "401 ");
	add_children(400, 405, "402 403 ");
	write_pid_file("node4", "400\n");
	/* node5: lists that name no child, and a stat line that says 500 is
	 * 502's parent: the lists are the kernel's word, a scan is not run */
	add_proc(500, 1, "libvirt_lxc", "host-net");
	add_proc(502, 500, "init", "node5-net");
	add_children(500, 500, "");
	write_pid_file("node5", "500\n");
	write_pid_file("junk", "12abc\n");
	write_pid_file("one", "1\n");
	write_pid_file("empty", "");
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 32];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_finds_init(void **state)
{
	pid_t pid = 0;
	(void)state;
	/* no children lists (node1): every process's stat line */
	assert_int_equal(host_lxc_init_pid_at(run_dir, proc, "node1", &pid), 0);
	assert_int_equal(pid, 102);
	/* the controller's threads' children lists, past one that is gone */
	assert_int_equal(host_lxc_init_pid_at(run_dir, proc, "node4", &pid), 0);
	assert_int_equal(pid, 403);
}

static void test_errors(void **state)
{
	pid_t pid = 4242;
	(void)state;
	/* no pid file: the guest does not run */
	assert_int_equal(host_lxc_init_pid_at(run_dir, proc, "nosuch", &pid), -ENOENT);
	/* a controller without a child in another network namespace */
	assert_int_equal(host_lxc_init_pid_at(run_dir, proc, "node2", &pid), -ESRCH);
	/* children lists without the init: not looked for elsewhere */
	assert_int_equal(host_lxc_init_pid_at(run_dir, proc, "node5", &pid), -ESRCH);
	/* a stale pid file */
	assert_int_equal(host_lxc_init_pid_at(run_dir, proc, "node3", &pid), -ESRCH);
	/* pid files that hold no usable pid */
	assert_int_equal(host_lxc_init_pid_at(run_dir, proc, "junk", &pid), -EINVAL);
	assert_int_equal(host_lxc_init_pid_at(run_dir, proc, "one", &pid), -EINVAL);
	assert_int_equal(host_lxc_init_pid_at(run_dir, proc, "empty", &pid), -EINVAL);
	/* a name is one path component */
	assert_int_equal(host_lxc_init_pid_at(run_dir, proc, "../run/node1", &pid), -EINVAL);
	assert_int_equal(host_lxc_init_pid_at(run_dir, proc, "", &pid), -EINVAL);
	/* ret_pid is not touched on failure */
	assert_int_equal(pid, 4242);
}

static void test_real_proc(void **state)
{
	struct stat st;
	ino_t ino = 0;
	pid_t pid = 4242;
	(void)state;
	assert_int_equal(stat("/proc/self/ns/net", &st), 0);
	assert_int_equal(host_lxc_ns_ino(getpid(), "net", &ino), 0);
	assert_true(ino == st.st_ino);
	assert_int_equal(host_lxc_ns_ino(getpid(), "nosuchns", &ino), -ENOENT);
	/* a guest name no libvirt runs here */
	assert_int_equal(host_lxc_init_pid("libvirt-cluster-test-no-such-guest", &pid), -ENOENT);
	assert_int_equal(pid, 4242);
}

/* The real kernel's children lists: this process as the controller, a
 * child of it in a network namespace of its own as the init (root only). */
static void test_real_child(void **state)
{
	int ready[2];
	char c, text[32];
	pid_t child, pid = 0;
	(void)state;
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		c = unshare(CLONE_NEWNET) == 0 ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	if (c == 'y') {
		snprintf(text, sizeof(text), "%d\n", (int)getpid());
		write_pid_file("self", text);
		assert_int_equal(host_lxc_init_pid_at(run_dir, "/proc", "self", &pid), 0);
		assert_int_equal(pid, child);
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	if (c != 'y')
		skip(); /* no CAP_SYS_ADMIN: no namespace to tell the child by */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_finds_init),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_real_proc),
	    cmocka_unit_test(test_real_child),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
