/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * DHCP renewal inside a guest that has no lease: for lxc, by entering the
 * container's namespaces (as `virsh lxc-enter-namespace` does) and running
 * the DHCP client there; for qemu, through the guest agent's guest-exec.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt-qemu.h>

#include "hooks/lxc-pid.h"
#include "hooks/worker.h"

#define RENEW_TIMEOUT_S 60 /* a DHCP client that takes longer is killed */

/*
 * The default command, run as `sh -c COMMAND sh IFNAME` inside the guest.
 * What a real guest has decides what works:
 *  - busybox udhcpc needs a script to configure the address; distributions
 *    ship one (/usr/share/udhcpc/default.script on Alpine and Debian's
 *    udhcpc package, /etc/udhcpc/default.script on some), a bare busybox
 *    root has none, so then we write a minimal one to a tmpfs in the guest;
 *    without -q udhcpc stays in the background and keeps renewing;
 *  - dhclient (Debian, RHEL) configures through its own dhclient-script;
 *  - dhcpcd, and systemd-networkd's `networkctl renew` cover the rest.
 */
const char hook_renew_default_command[] =
    "i=\"$1\"\n"
    "u=\n"
    "if command -v udhcpc >/dev/null 2>&1; then u=udhcpc\n"
    "elif command -v busybox >/dev/null 2>&1 && busybox --list | grep -qx udhcpc; then "
    "u='busybox udhcpc'; fi\n"
    "if [ -n \"$u\" ]; then\n"
    "  s=\n"
    "  for f in /usr/share/udhcpc/default.script /etc/udhcpc/default.script; do\n"
    "    [ -x \"$f\" ] && { s=$f; break; }\n"
    "  done\n"
    "  if [ -z \"$s\" ]; then\n"
    "    for d in /run /tmp /dev/shm /dev; do\n"
    "      [ -d \"$d\" ] && [ -w \"$d\" ] && { s=$d/libvirt-cluster-udhcpc.sh; break; }\n"
    "    done\n"
    "    cat >\"$s\" <<'EOF'\n"
    "#!/bin/sh\n"
    "# written by libvirt-cluster-hook: configure what udhcpc leased\n"
    "have_ip() { command -v ip >/dev/null 2>&1; }\n"
    "case \"$1\" in\n"
    "deconfig)\n"
    "  if have_ip; then ip -4 addr flush dev \"$interface\"; ip link set \"$interface\" up\n"
    "  else ifconfig \"$interface\" 0.0.0.0 up; fi ;;\n"
    "bound|renew)\n"
    "  if have_ip; then\n"
    "    ip -4 addr show dev \"$interface\" | grep -q \" $ip/\" || {\n"
    "      ip -4 addr flush dev \"$interface\"\n"
    "      ip addr add \"$ip/${mask:-24}\" dev \"$interface\"; }\n"
    "    ip link set \"$interface\" up\n"
    "    if [ -n \"$router\" ] && ! ip route | grep -q '^default'; then\n"
    "      set -- $router; ip route add default via \"$1\" dev \"$interface\"; fi\n"
    "  else\n"
    "    ifconfig \"$interface\" \"$ip\" netmask \"${subnet:-255.255.255.0}\" up\n"
    "    if [ -n \"$router\" ] && ! route -n | grep -q '^0\\.0\\.0\\.0'; then\n"
    "      set -- $router; route add default gw \"$1\" \"$interface\"; fi\n"
    "  fi ;;\n"
    "esac\n"
    "exit 0\n"
    "EOF\n"
    "    chmod 700 \"$s\"\n"
    "  fi\n"
    "  $u -n -i \"$i\" -s \"$s\" && exit 0\n"
    "fi\n"
    "command -v dhclient >/dev/null 2>&1 && dhclient -1 \"$i\" && exit 0\n"
    "command -v dhcpcd >/dev/null 2>&1 && dhcpcd -4 -1 \"$i\" && exit 0\n"
    "command -v networkctl >/dev/null 2>&1 && networkctl renew \"$i\" && exit 0\n"
    "exit 1\n";

static bool word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

int hook_renew_command(const char *configured, const char *ifname, char *buf, size_t size)
{
	size_t o = 0;

	if (!configured || !*configured) {
		if (strlen(hook_renew_default_command) >= size)
			return -ENOBUFS;
		memcpy(buf, hook_renew_default_command, sizeof(hook_renew_default_command));
		return 0;
	}
	/* A configured command names the interface as the word IF (see
	 * libvirt-cluster.conf(5)); it also gets it as $1 and $IFACE.
	 * Interface names are [A-Za-z0-9_.-]: nothing to quote. */
	for (const char *p = configured; *p;) {
		if (p[0] == 'I' && p[1] == 'F' && (p == configured || !word_char(p[-1])) &&
		    !word_char(p[2])) {
			size_t l = strlen(ifname);
			if (o + l >= size)
				return -ENOBUFS;
			memcpy(buf + o, ifname, l);
			o += l;
			p += 2;
			continue;
		}
		if (o + 1 >= size)
			return -ENOBUFS;
		buf[o++] = *p++;
	}
	buf[o] = '\0';
	return 0;
}

/* ---- lxc ------------------------------------------------------------------------ */

/* In the guest's network namespace: the interface that has this MAC. */
static int ifname_by_mac(const uint8_t mac[LC_MAC_LEN], char *buf, size_t size)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int fd, r = -ENODEV;

	if (!ifs)
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	for (i = ifs; fd >= 0 && i->if_index; i++) {
		struct ifreq ifr = {0};
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", i->if_name);
		if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0 &&
		    !memcmp(ifr.ifr_hwaddr.sa_data, mac, LC_MAC_LEN)) {
			snprintf(buf, size, "%s", i->if_name);
			r = 0;
			break;
		}
	}
	if (fd >= 0)
		close(fd);
	if_freenameindex(ifs);
	return r;
}

static int wait_timeout(pid_t pid, int seconds, int *ret_status)
{
	for (int i = 0; i < seconds * 10; i++) {
		pid_t w = waitpid(pid, ret_status, WNOHANG);
		if (w == pid)
			return 0;
		if (w < 0 && errno != EINTR)
			return -errno;
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, ret_status, 0);
	return -ETIMEDOUT;
}

/* The guest the record names, if libvirt runs it: by UUID when the record
 * has one, so a namesake is never entered.  NULL and "guest not running"
 * in what otherwise. */
static virDomainPtr running_domain(virConnectPtr conn, const struct hook_work *w, char *what,
				   size_t size)
{
	virDomainPtr dom = w->rec.uuid[0] ? virDomainLookupByUUIDString(conn, w->rec.uuid)
					  : virDomainLookupByName(conn, w->rec.name);
	if (dom && virDomainIsActive(dom) == 1)
		return dom;
	if (dom)
		virDomainFree(dom);
	snprintf(what, size, "guest not running");
	return NULL;
}

/* The child: enter, find the interface, run the command in a grandchild
 * (only a child of a setns(CLONE_NEWPID) caller is in the new pid
 * namespace, and then a daemonizing DHCP client dies with the container). */
static void __attribute__((noreturn))
enter_and_run(const int *fds, const char *const *ns, size_t n, const uint8_t mac[LC_MAC_LEN],
	      const char *fallback_dev, const char *configured)
{
	char ifname[IF_NAMESIZE + 1] = "";
	static char command[16384];
	pid_t pid;
	int status;

	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0 && setns(fds[i], 0) < 0 && strcmp(ns[i], "mnt") == 0)
			_exit(120); /* without the guest's filesystem, nothing to run */
	if (chdir("/") < 0)
		_exit(120);
	if (ifname_by_mac(mac, ifname, sizeof(ifname)) < 0) {
		if (!fallback_dev || !*fallback_dev)
			_exit(121);
		snprintf(ifname, sizeof(ifname), "%s", fallback_dev);
	}
	if (hook_renew_command(configured, ifname, command, sizeof(command)) < 0)
		_exit(123);
	pid = fork();
	if (pid < 0)
		_exit(122);
	if (pid == 0) {
		char env_if[IF_NAMESIZE + 8];
		sigset_t none;
		/* what the hook ignored or blocked is no business of the guest's
		 * DHCP client (ignored signals survive execve) */
		signal(SIGPIPE, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		snprintf(env_if, sizeof(env_if), "IFACE=%s", ifname);
		char path_env[] =
		    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
		char a0[] = "sh", a1[] = "-c", a3[] = "sh";
		char *argv[] = {a0, a1, (char *)command, a3, ifname, NULL};
		char *envp[] = {path_env, env_if, NULL};
		execve("/bin/sh", argv, envp);
		_exit(127);
	}
	if (wait_timeout(pid, RENEW_TIMEOUT_S, &status) < 0)
		_exit(124);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 125);
}

int hook_renew_lxc(virConnectPtr conn, const struct hook_work *w, size_t i, char *what, size_t size)
{
	static const char *const ns[] = {"net", "uts", "ipc", "pid", "mnt"};
	int fds[5] = {-1, -1, -1, -1, -1};
	virDomainPtr dom;
	pid_t init = 0, pid;
	int status, r;
	char mac[18];

	lc_mac_format(w->rec.nics[i].mac, mac);
	/* Only a guest libvirt runs, with this UUID, is entered. */
	dom = running_domain(conn, w, what, size);
	if (!dom)
		return -ESRCH;
	virDomainFree(dom);
	r = lxc_init_pid(w->rec.name, &init);
	if (r < 0) {
		snprintf(what, size, "cannot find the container's init: %s", strerror(-r));
		return -ESRCH;
	}
	for (size_t k = 0; k < 5; k++) {
		char path[64];
		ino_t mine = 0, theirs = 0;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)init, ns[k]);
		/* Entering a namespace we are already in is pointless (and
		 * for pid, changes what our children see). */
		if (lxc_ns_ino(getpid(), ns[k], &mine) == 0 &&
		    lxc_ns_ino(init, ns[k], &theirs) == 0 && mine == theirs)
			continue;
		fds[k] = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fds[0] < 0) {
		snprintf(what, size, "cannot open the container's network namespace");
		r = -ESRCH;
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		snprintf(what, size, "fork: %s", strerror(-r));
		goto out;
	}
	if (pid == 0)
		enter_and_run(fds, ns, 5, w->rec.nics[i].mac, w->guest_dev[i],
			      w->config.renew_command);
	r = wait_timeout(pid, RENEW_TIMEOUT_S + 5, &status);
	if (r < 0) {
		snprintf(what, size, "DHCP client for %s timed out", mac);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		snprintf(what, size, "ran the DHCP client for %s in the container", mac);
		r = 0;
	} else {
		int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		snprintf(what, size, "DHCP client for %s in the container failed (%s %d)", mac,
			 code == 121 ? "no interface with that MAC," : "exit", code);
		r = -EIO;
	}
out:
	for (size_t k = 0; k < 5; k++)
		if (fds[k] >= 0)
			close(fds[k]);
	return r;
}

/* ---- qemu: guest agent ------------------------------------------------------------ */

int hook_renew_qemu(virConnectPtr conn, const struct hook_work *w, size_t i, char *what,
		    size_t size)
{
	virDomainPtr dom;
	char mac[18], ifname[64] = "", *reply, cmd[32768], command[16384];
	int64_t pid = 0, exited = 0, code = -1;
	int r;

	lc_mac_format(w->rec.nics[i].mac, mac);
	dom = running_domain(conn, w, what, size);
	if (!dom)
		return -ESRCH;
	reply = virDomainQemuAgentCommand(dom, "{\"execute\":\"guest-ping\"}", 5, 0);
	if (!reply) {
		/* A guest with an agent channel whose agent is not up yet (still
		 * booting) is worth another try; one with no channel is not. */
		virErrorPtr e = virGetLastError();
		bool later = e && e->code == VIR_ERR_AGENT_UNRESPONSIVE;
		snprintf(what, size, "%s: %s",
			 later ? "the guest agent does not answer yet" : "no guest agent",
			 hook_virt_error());
		r = later ? -EAGAIN : -EOPNOTSUPP;
		goto out;
	}
	free(reply);
	reply =
	    virDomainQemuAgentCommand(dom, "{\"execute\":\"guest-network-get-interfaces\"}", 5, 0);
	if (!reply || hook_agent_ifname(reply, mac, ifname, sizeof(ifname)) < 0) {
		free(reply);
		snprintf(what, size, "the guest agent shows no interface with MAC %s", mac);
		r = -ENODEV;
		goto out;
	}
	free(reply);

	if (hook_renew_command(w->config.renew_command, ifname, command, sizeof(command)) < 0) {
		snprintf(what, size, "renew_command too long");
		r = -ENOBUFS;
		goto out;
	}
	r = hook_agent_exec_json(command, ifname, cmd, sizeof(cmd));
	if (r < 0) {
		snprintf(what, size, "renew_command too long");
		goto out;
	}
	reply = virDomainQemuAgentCommand(dom, cmd, 10, 0);
	if (!reply || hook_agent_member(reply, "pid", &pid) < 0) {
		free(reply);
		snprintf(what, size, "guest-exec failed: %s", hook_virt_error());
		r = -EIO;
		goto out;
	}
	free(reply);
	for (int t = 0; t < RENEW_TIMEOUT_S * 2 && !exited; t++) {
		char st[128];
		struct timespec ts = {0, 500 * 1000 * 1000};
		nanosleep(&ts, NULL);
		snprintf(st, sizeof(st),
			 "{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":%lld}}",
			 (long long)pid);
		reply = virDomainQemuAgentCommand(dom, st, 5, 0);
		if (!reply)
			break;
		if (hook_agent_member(reply, "exited", &exited) < 0)
			exited = 0;
		if (exited && hook_agent_member(reply, "exitcode", &code) < 0)
			code = -1;
		free(reply);
	}
	if (!exited) {
		snprintf(what, size, "DHCP client for %s (%s) via the guest agent did not finish",
			 mac, ifname);
		r = -ETIMEDOUT;
	} else if (code != 0) {
		snprintf(what, size,
			 "DHCP client for %s (%s) via the guest agent failed (exit %lld)", mac,
			 ifname, (long long)code);
		r = -EIO;
	} else {
		snprintf(what, size, "ran the DHCP client for %s (%s) via the guest agent", mac,
			 ifname);
		r = 0;
	}
out:
	virDomainFree(dom);
	return r;
}
