/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Whether a running guest has finished booting, asked of the guest itself:
 * its guest agent (qemu) or a command run inside its namespaces (lxc).
 * `wait --ready` uses it; every answer says why in what.
 */
#include "host/host.h"

#include <errno.h>
#include <fcntl.h>
#include <libvirt/libvirt-qemu.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_NOT_FOUND 127 /* what a shell says for a missing command */

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

/* ---- qemu: guest-exec with its output -------------------------------------------------- */

static int agent_run(virDomainPtr dom, const char *command, int timeout_s, int *ret_code, char *out,
		     size_t size, char *what, size_t wsize)
{
	char cmd[1024], *b64 = malloc(65536);
	int64_t pid = 0, exited = 0, code = -1;
	int r = host_agent_ping(dom, what, wsize);

	if (!b64)
		return -ENOMEM;
	if (r < 0)
		goto out;
	/* our own fixed commands: nothing in them needs JSON escaping */
	snprintf(cmd, sizeof(cmd),
		 "{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"/bin/sh\",\"arg\":[\"-c\","
		 "\"%s\"],\"capture-output\":true}}",
		 command);
	char *reply = virDomainQemuAgentCommand(dom, cmd, 10, 0);
	if (!reply || host_agent_member(reply, "pid", &pid) < 0) {
		snprintf(what, wsize, "the guest agent cannot run /bin/sh: %s", host_virt_error());
		free(reply);
		r = -EOPNOTSUPP;
		goto out;
	}
	free(reply);
	out[0] = '\0';
	for (int t = 0; t < timeout_s * 4 && !exited; t++) {
		sleep_ms(250);
		snprintf(cmd, sizeof(cmd),
			 "{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":%lld}}",
			 (long long)pid);
		reply = virDomainQemuAgentCommand(dom, cmd, 5, 0);
		if (!reply)
			break;
		if (host_agent_member(reply, "exited", &exited) < 0)
			exited = 0;
		if (exited) {
			if (host_agent_member(reply, "exitcode", &code) < 0)
				code = -1;
			if (host_agent_return_string(reply, "out-data", b64, 65536) == 0) {
				ssize_t n = host_base64_decode(b64, (uint8_t *)out, size - 1);
				out[n > 0 ? n : 0] = '\0';
			}
		}
		free(reply);
	}
	*ret_code = (int)code;
	r = exited ? 0 : -ETIMEDOUT;
	if (!exited)
		snprintf(what, wsize, "'%s' did not finish in %d s", command, timeout_s);
out:
	free(b64);
	return r;
}

/* ---- lxc: inside its namespaces -------------------------------------------------------- */

/* The guest's init program, as the kernel runs it (its /proc/PID/exe). */
static int lxc_init_exe(const char *name, char *buf, size_t size)
{
	char path[64];
	pid_t pid;
	int r = host_lxc_init_pid(name, &pid);

	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	ssize_t n = readlink(path, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static void __attribute__((noreturn)) lxc_child(const int *fds, int out_fd, const char *command)
{
	int status;

	if (host_lxc_enter_ns(fds) < 0)
		_exit(EXIT_NOT_FOUND);
	/* only a child of a setns(CLONE_NEWPID) caller is in the guest's pid
	 * namespace, where systemctl finds the guest's systemd */
	pid_t pid = fork();
	if (pid < 0)
		_exit(126);
	if (pid == 0) {
		dup2(out_fd, STDOUT_FILENO);
		const char *const argv[] = {"/bin/sh", "-c", command, NULL};
		const char *const envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
		execve(argv[0], (char *const *)argv, (char *const *)envp);
		_exit(EXIT_NOT_FOUND);
	}
	close(out_fd);
	if (waitpid(pid, &status, 0) < 0)
		_exit(126);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 126);
}

static int lxc_run(const char *name, const char *command, int timeout_s, int *ret_code, char *out,
		   size_t size, char *what, size_t wsize)
{
	int fds[HOST_LXC_N_NS], p[2], status = 0, r;
	size_t len = 0;

	r = host_lxc_open_ns(name, fds);
	if (r < 0) {
		snprintf(what, wsize, "cannot enter the container (no init found)");
		return r;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		r = -errno;
		goto out;
	}
	pid_t pid = fork();
	if (pid < 0) {
		r = -errno;
		close(p[0]);
		close(p[1]);
		goto out;
	}
	if (pid == 0) {
		close(p[0]);
		lxc_child(fds, p[1], command);
	}
	close(p[1]);
	/* the output is a word or two: read until the command ends or time is up */
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	r = -ETIMEDOUT;
	for (int t = 0; t < timeout_s * 20; t++) {
		ssize_t k = read(p[0], out + len, size - 1 - len);
		if (k > 0)
			len += (size_t)k;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			while (len < size - 1 && (k = read(p[0], out + len, size - 1 - len)) > 0)
				len += (size_t)k;
			r = 0;
			break;
		}
		sleep_ms(50);
	}
	out[len] = '\0';
	close(p[0]);
	if (r < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		snprintf(what, wsize, "'%s' did not finish in %d s", command, timeout_s);
	} else {
		*ret_code = WIFEXITED(status) ? WEXITSTATUS(status) : 126;
	}
out:
	host_lxc_close_ns(fds);
	return r;
}

/* ---- the kinds -------------------------------------------------------------------------- */

static int run_in_guest(virDomainPtr dom, const char *driver, const char *name, const char *command,
			int timeout_s, int *code, char *out, size_t size, char *what, size_t wsize)
{
	if (!strcmp(driver, "lxc"))
		return lxc_run(name, command, timeout_s, code, out, size, what, wsize);
	return agent_run(dom, command, timeout_s, code, out, size, what, wsize);
}

int host_boot_answer(int code, const char *out, char *what, size_t wsize)
{
	char word[64];

	snprintf(word, sizeof(word), "%.*s", (int)strcspn(out, "\r\n"), out);
	if (code == EXIT_NOT_FOUND) {
		snprintf(what, wsize, "no systemctl in the guest: its init is not systemd");
		return -EOPNOTSUPP;
	}
	snprintf(what, wsize, "systemd says %s", word[0] ? word : "nothing");
	if (!strcmp(word, "running") || !strcmp(word, "degraded"))
		return 0;
	/* starting: not yet; offline, maintenance, stopping: it will not get there */
	return !strcmp(word, "starting") || !strcmp(word, "initializing") ? -EAGAIN : -EPROTO;
}

int host_cloud_init_answer(int code, const char *out, char *what, size_t wsize)
{
	char last[128];
	size_t len = strlen(out);

	if (code == EXIT_NOT_FOUND) {
		snprintf(what, wsize, "no cloud-init in the guest");
		return -EOPNOTSUPP;
	}
	/* --wait prints dots while it waits, then "status: done" (or error) */
	while (len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
		len--;
	size_t start = len;
	while (start && out[start - 1] != '\n')
		start--;
	snprintf(last, sizeof(last), "%.*s", (int)(len - start), out + start);
	snprintf(what, wsize, "cloud-init says '%s' (exit %d)", last, code);
	if (code == 0 && !strcmp(last, "status: done"))
		return 0;
	return strstr(last, "error") || code == 1 ? -EPROTO : -EAGAIN;
}

int host_guest_boot_done(virDomainPtr dom, const char *driver, const char *name, int timeout_s,
			 char *what, size_t wsize)
{
	char out[256] = "", exe[256];
	int code = -1, r;

	/* a container whose init is no systemd cannot say it booted */
	if (!strcmp(driver, "lxc")) {
		r = lxc_init_exe(name, exe, sizeof(exe));
		if (r < 0) {
			snprintf(what, wsize, "its init cannot be found: %s", strerror(-r));
			return r == -ENOENT ? -EAGAIN : r;
		}
		const char *base = strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe;
		if (strcmp(base, "systemd") != 0) {
			snprintf(what, wsize,
				 "its init is %s, not systemd: no boot state to ask (a busybox or "
				 "application container)",
				 exe);
			return -EOPNOTSUPP;
		}
	}
	r = run_in_guest(dom, driver, name,
			 "command -v systemctl >/dev/null || exit 127; systemctl "
			 "is-system-running --wait",
			 timeout_s, &code, out, sizeof(out), what, wsize);
	return r < 0 ? r : host_boot_answer(code, out, what, wsize);
}

int host_guest_cloud_init_done(virDomainPtr dom, const char *driver, const char *name,
			       int timeout_s, char *what, size_t wsize)
{
	char out[512] = "";
	int code = -1;
	int r =
	    run_in_guest(dom, driver, name,
			 "command -v cloud-init >/dev/null || exit 127; cloud-init status --wait",
			 timeout_s, &code, out, sizeof(out), what, wsize);

	return r < 0 ? r : host_cloud_init_answer(code, out, what, wsize);
}
