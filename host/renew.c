/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * DHCP renewal inside a guest, for the hook's worker (a lease is late) and
 * `libvirt-cluster renew` alike: for lxc, by entering the container's
 * namespaces (as `virsh lxc-enter-namespace` does, but from the init pid
 * libvirt cannot lose, see host.h) and running the DHCP client there; for
 * qemu, through the guest agent's guest-exec.  One command either way.
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

#include "host/host.h"

/*
 * The default command, run as `sh -c COMMAND sh IFNAME` inside the guest.
 * What a real guest has decides what works:
 *  - busybox udhcpc needs a script to configure the address; distributions
 *    ship one (/usr/share/udhcpc/default.script on Alpine and Debian's
 *    udhcpc package, /etc/udhcpc/default.script on some), a bare busybox
 *    root has none, so then we write a minimal one to a tmpfs in the guest
 *    (deconfig keeps the addresses the guest has: a renewal of a guest
 *    that is reachable never cuts it off); without -q udhcpc stays in the
 *    background and keeps renewing, and a pid file lets the next renewal
 *    replace it instead of adding a second one; it sends the guest's own
 *    hostname, as a guest's DHCP client does, so dnsmasq knows the name;
 *  - dhclient (Debian, RHEL) configures through its own dhclient-script;
 *  - dhcpcd, and systemd-networkd's `networkctl renew` cover the rest.
 */
const char host_renew_default_command[] =
    "i=\"$1\"\n"
    "u=\n"
    "if command -v udhcpc >/dev/null 2>&1; then u=udhcpc\n"
    "elif command -v busybox >/dev/null 2>&1 && busybox --list | grep -qx udhcpc; then "
    "u='busybox udhcpc'; fi\n"
    "if [ -n \"$u\" ]; then\n"
    "  w=\n"
    "  for d in /run /tmp /dev/shm /dev; do\n"
    "    [ -d \"$d\" ] && [ -w \"$d\" ] && { w=$d; break; }\n"
    "  done\n"
    "  p=$w/libvirt-cluster-udhcpc.$i.pid\n"
    "  o=$(cat \"$p\" 2>/dev/null) && grep -q udhcpc \"/proc/$o/cmdline\" 2>/dev/null && "
    "kill \"$o\"\n"
    "  h=\n"
    "  read -r h </proc/sys/kernel/hostname 2>/dev/null\n"
    "  case $h in '(none)' | localhost*) h= ;; esac\n"
    "  s=\n"
    "  for f in /usr/share/udhcpc/default.script /etc/udhcpc/default.script; do\n"
    "    [ -x \"$f\" ] && { s=$f; break; }\n"
    "  done\n"
    "  if [ -z \"$s\" ]; then\n"
    "    s=$w/libvirt-cluster-udhcpc.sh\n"
    "    cat >\"$s\" <<'EOF'\n"
    "#!/bin/sh\n"
    "# written by libvirt-cluster: configure what udhcpc leased\n"
    "have_ip() { command -v ip >/dev/null 2>&1; }\n"
    "case \"$1\" in\n"
    "deconfig)\n"
    "  if have_ip; then ip link set \"$interface\" up\n"
    "  else ifconfig \"$interface\" up; fi ;;\n"
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
    "  $u -n -i \"$i\" -s \"$s\" -p \"$p\" ${h:+-x \"hostname:$h\"} && exit 0\n"
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

int host_renew_command(const char *configured, const char *ifname, char *buf, size_t size)
{
	size_t o = 0;

	if (!configured || !*configured) {
		if (strlen(host_renew_default_command) >= size)
			return -ENOBUFS;
		memcpy(buf, host_renew_default_command, sizeof(host_renew_default_command));
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

/* Wait for pid up to seconds; then kill it: -ETIMEDOUT. */
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
	while (waitpid(pid, ret_status, 0) < 0 && errno == EINTR)
		;
	return -ETIMEDOUT;
}

static void __attribute__((noreturn)) exec_command(const char *command, const char *ifname)
{
	char env_if[IF_NAMESIZE + 8];
	sigset_t none;

	/* what the hook ignored or blocked is no business of the guest's
	 * DHCP client (ignored signals survive execve) */
	signal(SIGPIPE, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	snprintf(env_if, sizeof(env_if), "IFACE=%s", ifname);
	char path_env[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	char a0[] = "sh", a1[] = "-c", a3[] = "sh";
	char *argv[] = {a0, a1, (char *)command, a3, (char *)ifname, NULL};
	char *envp[] = {path_env, env_if, NULL};
	execve("/bin/sh", argv, envp);
	_exit(127);
}

/* The child: enter, find the interface (its name goes up the pipe), run the
 * command in a grandchild (only a child of a setns(CLONE_NEWPID) caller is
 * in the new pid namespace, and then a daemonizing DHCP client dies with
 * the container). */
static void __attribute__((noreturn))
enter_and_run(const int *fds, int pipe_fd, const struct host_renew_req *req)
{
	char ifname[IF_NAMESIZE + 1] = "";
	static char command[16384];
	pid_t pid;
	int status;

	if (host_lxc_enter_ns(fds) < 0)
		_exit(120);
	if (ifname_by_mac(req->mac, ifname, sizeof(ifname)) < 0) {
		if (!req->guest_dev || !*req->guest_dev)
			_exit(121);
		snprintf(ifname, sizeof(ifname), "%s", req->guest_dev);
	}
	if (write(pipe_fd, ifname, strlen(ifname)) < 0)
		_exit(122);
	close(pipe_fd);
	if (host_renew_command(req->command, ifname, command, sizeof(command)) < 0)
		_exit(123);
	pid = fork();
	if (pid < 0)
		_exit(122);
	if (pid == 0)
		exec_command(command, ifname);
	if (wait_timeout(pid, req->timeout_s, &status) < 0)
		_exit(124);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 125);
}

/* What the child's exit status says, for what. */
static int lxc_outcome(int r, int status, const char *mac, char *what, size_t size)
{
	if (r < 0 || (WIFEXITED(status) && WEXITSTATUS(status) == 124)) {
		snprintf(what, size, "DHCP client for %s timed out", mac);
		return -ETIMEDOUT;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		snprintf(what, size, "ran the DHCP client for %s in the container", mac);
		return 0;
	}
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	snprintf(what, size, "DHCP client for %s in the container failed (%s %d)", mac,
		 code == 121 ? "no interface with that MAC," : "exit", code);
	return code == 121 ? -ENODEV : -EIO;
}

static int renew_lxc(const struct host_renew_req *req, char *ifname, size_t ifsize, char *what,
		     size_t size)
{
	int fds[HOST_LXC_N_NS], p[2], status = 0, r;
	char mac[18];
	pid_t pid;

	lc_mac_format(req->mac, mac);
	r = host_lxc_open_ns(req->name, fds);
	if (r < 0) {
		snprintf(what, size, "cannot find the container's init from %s/%s.pid",
			 HOST_LXC_RUN_DIR, req->name);
		return r;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		r = -errno;
		snprintf(what, size, "pipe: %s", strerror(-r));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		snprintf(what, size, "fork: %s", strerror(-r));
		close(p[0]);
		close(p[1]);
		goto out;
	}
	if (pid == 0) {
		close(p[0]);
		enter_and_run(fds, p[1], req);
	}
	close(p[1]);
	ssize_t n = read(p[0], ifname, ifsize - 1);
	ifname[n > 0 ? n : 0] = '\0';
	close(p[0]);
	r = wait_timeout(pid, req->timeout_s + 5, &status);
	r = lxc_outcome(r, status, mac, what, size);
out:
	host_lxc_close_ns(fds);
	return r;
}

/* ---- qemu: guest agent ------------------------------------------------------------ */

/* The guest's name for the NIC with mac, asked of its agent.  -EAGAIN: an
 * agent channel whose agent is not up yet (still booting), worth another
 * try; -EOPNOTSUPP: no agent. */
static int agent_ifname(virDomainPtr dom, const char *mac, char *ifname, size_t ifsize, char *what,
			size_t size)
{
	int r = host_agent_ping(dom, what, size);

	if (r < 0)
		return r;
	char *reply =
	    virDomainQemuAgentCommand(dom, "{\"execute\":\"guest-network-get-interfaces\"}", 5, 0);
	if (!reply || host_agent_ifname(reply, mac, ifname, ifsize) < 0) {
		free(reply);
		snprintf(what, size, "the guest agent shows no interface with MAC %s", mac);
		return -ENODEV;
	}
	free(reply);
	return 0;
}

/* guest-exec the command; poll guest-exec-status until it exits. */
static int agent_run(virDomainPtr dom, const char *command, const char *ifname, int timeout_s,
		     int64_t *ret_code, char *what, size_t size)
{
	static char cmd[32768];
	int64_t pid = 0, exited = 0, code = -1;
	char *reply;

	if (host_agent_exec_json(command, ifname, cmd, sizeof(cmd)) < 0) {
		snprintf(what, size, "renew_command too long");
		return -ENOBUFS;
	}
	reply = virDomainQemuAgentCommand(dom, cmd, 10, 0);
	if (!reply || host_agent_member(reply, "pid", &pid) < 0) {
		free(reply);
		snprintf(what, size, "guest-exec failed: %s", host_virt_error());
		return -EIO;
	}
	free(reply);
	for (int t = 0; t < timeout_s * 2 && !exited; t++) {
		char st[128];
		struct timespec ts = {0, 500 * 1000 * 1000};
		nanosleep(&ts, NULL);
		snprintf(st, sizeof(st),
			 "{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":%lld}}",
			 (long long)pid);
		reply = virDomainQemuAgentCommand(dom, st, 5, 0);
		if (!reply)
			break;
		if (host_agent_member(reply, "exited", &exited) < 0)
			exited = 0;
		if (exited && host_agent_member(reply, "exitcode", &code) < 0)
			code = -1;
		free(reply);
	}
	*ret_code = code;
	return exited ? 0 : -ETIMEDOUT;
}

static int renew_qemu(virDomainPtr dom, const struct host_renew_req *req, char *ifname,
		      size_t ifsize, char *what, size_t size)
{
	static char command[16384];
	char mac[18];
	int64_t code = -1;
	int r;

	lc_mac_format(req->mac, mac);
	r = agent_ifname(dom, mac, ifname, ifsize, what, size);
	if (r < 0)
		return r;
	if (host_renew_command(req->command, ifname, command, sizeof(command)) < 0) {
		snprintf(what, size, "renew_command too long");
		return -ENOBUFS;
	}
	r = agent_run(dom, command, ifname, req->timeout_s, &code, what, size);
	if (r == -ETIMEDOUT)
		snprintf(what, size, "DHCP client for %s (%s) via the guest agent did not finish",
			 mac, ifname);
	if (r < 0)
		return r;
	if (code != 0) {
		snprintf(what, size,
			 "DHCP client for %s (%s) via the guest agent failed (exit %lld)", mac,
			 ifname, (long long)code);
		return -EIO;
	}
	snprintf(what, size, "ran the DHCP client for %s (%s) via the guest agent", mac, ifname);
	return 0;
}

int host_renew(virDomainPtr dom, const struct host_renew_req *req, char *ifname, size_t ifsize,
	       char *what, size_t size)
{
	ifname[0] = '\0';
	/* Only a guest libvirt runs is entered. */
	if (!dom || virDomainIsActive(dom) != 1) {
		snprintf(what, size, "guest not running");
		return -ESRCH;
	}
	if (req->driver && strcmp(req->driver, "lxc") == 0)
		return renew_lxc(req, ifname, ifsize, what, size);
	if (req->driver && strcmp(req->driver, "qemu") == 0)
		return renew_qemu(dom, req, ifname, ifsize, what, size);
	snprintf(what, size, "renewal knows lxc and qemu guests, not %s",
		 req->driver ? req->driver : "this driver");
	return -EOPNOTSUPP;
}
