/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * renew: get a guest fresh DHCP leases now, the way the hook's worker does
 * when a lease is late.
 *
 *  lxc   the guest's network namespace is entered (only that one: the DHCP
 *        client and its event script come from the host, so a guest without
 *        any DHCP client can still be renewed) and busybox udhcpc asks for a
 *        lease on the NIC with the guest's MAC.  udhcpc runs this very binary
 *        as its event script (marked by LIBVIRT_CLUSTER_DHCP_SCRIPT), which
 *        puts the address on the NIC with ip(8).
 *  qemu  the guest agent runs the guest's own DHCP client (guest-exec).
 *
 * Then the leases are read back through the resolver and reported.
 */
#include "cli/cli.h"
#include "cli/json-writer.h"
#include "hooks/lxc-pid.h"
#include "resolver/resolver.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SCRIPT_ENV "LIBVIRT_CLUSTER_DHCP_SCRIPT"
#define IFACE_ENV "LIBVIRT_CLUSTER_IFACE"

/* ---- the udhcpc event script ------------------------------------------------ */

bool renew_script_mode(int argc, char **argv)
{
	const char *e = getenv(SCRIPT_ENV);
	return e && strcmp(e, "1") == 0 && argc == 2 && argv[1][0] != '-';
}

static int run_ip(const char *const argv[])
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execvp("ip", (char *const *)argv);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO;
}

int renew_script_main(int argc, char **argv)
{
	const char *event = argv[1];
	const char *iface = getenv("interface");
	const char *ip = getenv("ip");
	const char *mask = getenv("mask");
	const char *router = getenv("router");
	char cidr[64], gw[64];

	(void)argc;
	if (!iface)
		return 1;
	if (strcmp(event, "deconfig") == 0) {
		/* udhcpc starts with deconfig: keep any address the guest has,
		 * so a renewal never cuts a working connection; just make
		 * sure the link is up. */
		const char *const up[] = {"ip", "link", "set", iface, "up", NULL};
		return run_ip(up) < 0 ? 1 : 0;
	}
	if (strcmp(event, "bound") != 0 && strcmp(event, "renew") != 0)
		return 0; /* leasefail, nak: nothing to apply */
	if (!ip)
		return 1;
	snprintf(cidr, sizeof(cidr), "%s/%s", ip, mask && *mask ? mask : "24");
	const char *const addr[] = {"ip", "addr", "replace", cidr, "dev", iface, NULL};
	if (run_ip(addr) < 0)
		return 1;
	if (router && *router) {
		/* Only when the guest has no default route yet: a guest with
		 * an external and an isolated NIC keeps the one it chose. */
		snprintf(gw, sizeof(gw), "%s", router);
		gw[strcspn(gw, " ")] = '\0';
		const char *const route[] = {"ip", "route", "add", "default", "via",
					     gw,   "dev",   iface, NULL};
		(void)run_ip(route);
	}
	return 0;
}

#ifndef WITH_LIBVIRT

int cmd_renew(const struct cli_args *args)
{
	(void)args;
	cli_error("renew: this libvirt-cluster was built without libvirt (configure found no "
		  "libvirt, libvirt-lxc and libxml2 development files)");
	return CLI_EXIT_FAILURE;
}

#else

#include <libvirt/libvirt-lxc.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

struct renew_nic {
	char mac[18];
	char network[256];
	char iface[IFNAMSIZ + 1];
	bool ok;
	char error[256];
};

struct renew {
	const struct cli_args *args;
	const char *name;
	struct lc_paths paths;
	struct lc_config cfg;
	struct renew_nic nics[LC_RECORD_MAX_NICS];
	size_t n_nics;
	int timeout; /* seconds per NIC */
};

static void silence_libvirt(void *ud, virErrorPtr e)
{
	(void)ud;
	(void)e;
}

static const char *virt_error(void)
{
	virErrorPtr e = virGetLastError();
	return e && e->message ? e->message : "unknown libvirt error";
}

/* The guest's NICs from its live XML: the truth even without a hook
 * record or a lease. */
static int parse_nics(struct renew *rn, const char *xml)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc)
		return -EINVAL;
	xmlNodePtr root = xmlDocGetRootElement(doc);
	for (xmlNodePtr dev = root ? root->children : NULL; dev; dev = dev->next) {
		if (dev->type != XML_ELEMENT_NODE || xmlStrcmp(dev->name, BAD_CAST "devices"))
			continue;
		for (xmlNodePtr ifc = dev->children; ifc; ifc = ifc->next) {
			if (ifc->type != XML_ELEMENT_NODE ||
			    xmlStrcmp(ifc->name, BAD_CAST "interface") ||
			    rn->n_nics == LC_RECORD_MAX_NICS)
				continue;
			struct renew_nic *n = &rn->nics[rn->n_nics];
			memset(n, 0, sizeof(*n));
			for (xmlNodePtr c = ifc->children; c; c = c->next) {
				if (c->type != XML_ELEMENT_NODE)
					continue;
				if (!xmlStrcmp(c->name, BAD_CAST "mac")) {
					xmlChar *a = xmlGetProp(c, BAD_CAST "address");
					if (a)
						snprintf(n->mac, sizeof(n->mac), "%s", (char *)a);
					xmlFree(a);
				} else if (!xmlStrcmp(c->name, BAD_CAST "source")) {
					xmlChar *a = xmlGetProp(c, BAD_CAST "network");
					if (!a)
						a = xmlGetProp(c, BAD_CAST "bridge");
					if (a)
						snprintf(n->network, sizeof(n->network), "%s",
							 (char *)a);
					xmlFree(a);
				}
			}
			uint8_t mac[LC_MAC_LEN];
			if (lc_mac_parse(n->mac, strlen(n->mac), mac) == 0) {
				lc_mac_format(mac, n->mac); /* canonical lower case */
				rn->n_nics++;
			}
		}
	}
	xmlFreeDoc(doc);
	return 0;
}

static int wait_child(pid_t pid, int timeout_s, int *ret_status)
{
	struct timespec nap = {.tv_sec = 0, .tv_nsec = 50 * 1000 * 1000};
	int waited_ms = 0;

	for (;;) {
		int st;
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid) {
			*ret_status = st;
			return 0;
		}
		if (r < 0 && errno != EINTR)
			return -errno;
		if (waited_ms >= timeout_s * 1000) {
			kill(pid, SIGTERM);
			nanosleep(&nap, NULL);
			kill(pid, SIGKILL);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			return -ETIMEDOUT;
		}
		nanosleep(&nap, NULL);
		waited_ms += 50;
	}
}

static bool hostname_ok(const char *s)
{
	if (!*s || strlen(s) > 63)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-'))
			return false;
	return true;
}

static const char *find_in_path(const char *prog, char *buf, size_t size)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	while (*path) {
		size_t l = strcspn(path, ":");
		snprintf(buf, size, "%.*s/%s", (int)l, path, prog);
		if (l > 0 && access(buf, X_OK) == 0)
			return buf;
		path += l;
		if (*path == ':')
			path++;
	}
	return NULL;
}

/* The configured renew_command names the interface as the word IF
 * (libvirt-cluster.conf(5)).  The interface is only known inside the
 * guest, so IF becomes a shell variable that is set there. */
static int expand_command(const char *tmpl, char *buf, size_t size)
{
	static const char var[] = "\"$" IFACE_ENV "\"";
	size_t o = 0;

	for (size_t i = 0; tmpl[i];) {
		bool word_start =
		    i == 0 || !(isalnum((unsigned char)tmpl[i - 1]) || tmpl[i - 1] == '_');
		bool is_if = word_start && tmpl[i] == 'I' && tmpl[i + 1] == 'F' &&
			     !(isalnum((unsigned char)tmpl[i + 2]) || tmpl[i + 2] == '_');
		const char *add = is_if ? var : tmpl + i;
		size_t l = is_if ? sizeof(var) - 1 : 1;
		if (o + l + 1 > size)
			return -ENOBUFS;
		memcpy(buf + o, add, l);
		o += l;
		i += is_if ? 2 : 1;
	}
	buf[o] = '\0';
	return 0;
}

/*
 * In a forked child, between setns() and exec: only async-signal-safe
 * calls (socket, ioctl, write, execve).  Finds the NIC with `mac` by
 * walking interface indexes, brings it up and names it in *ifname.
 */
static int child_find_iface(const uint8_t mac[LC_MAC_LEN], char *ifname)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	for (int idx = 1; idx < 65536; idx++) {
		struct ifreq ifr;
		memset(&ifr, 0, sizeof(ifr));
		ifr.ifr_ifindex = idx;
		if (ioctl(s, SIOCGIFNAME, &ifr) < 0)
			continue;
		if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0)
			continue;
		if (memcmp(ifr.ifr_hwaddr.sa_data, mac, LC_MAC_LEN) != 0)
			continue;
		memcpy(ifname, ifr.ifr_name, IFNAMSIZ);
		ifname[IFNAMSIZ] = '\0';
		if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
			ifr.ifr_flags |= IFF_UP;
			(void)ioctl(s, SIOCSIFFLAGS, &ifr);
		}
		close(s);
		return 0;
	}
	close(s);
	return -1;
}

/*
 * The guest's network and mount namespaces.  libvirt's answer first; but
 * libvirt 9.0 sometimes loses an LXC guest's init pid under load, and then
 * virDomainLxcOpenNamespace fails with "Init pid is not yet available" for
 * as long as the guest runs.  The init is still there: the child of the
 * guest's libvirt_lxc controller, as the hook's worker finds it
 * (hooks/lxc-pid.c).  That needs root, as setns() does anyway.
 */
static int open_lxc_namespaces(struct renew *rn, virDomainPtr dom, int *ret_netfd, int *ret_mntfd)
{
	int *fds = NULL;
	int nfds = virDomainLxcOpenNamespace(dom, &fds, 0);
	int netfd = -1, mntfd = -1;

	if (nfds >= 0) {
		for (int i = 0; i < nfds; i++) {
			char p[64], l[64];
			fcntl(fds[i], F_SETFD, FD_CLOEXEC);
			snprintf(p, sizeof(p), "/proc/self/fd/%d", fds[i]);
			ssize_t n = readlink(p, l, sizeof(l) - 1);
			if (n > 0) {
				l[n] = '\0';
				if (strncmp(l, "net:", 4) == 0 && netfd < 0) {
					netfd = fds[i];
					continue;
				}
				if (strncmp(l, "mnt:", 4) == 0 && mntfd < 0) {
					mntfd = fds[i];
					continue;
				}
			}
			close(fds[i]);
		}
		free(fds);
	} else {
		char why[512], path[64];
		pid_t init = 0;
		snprintf(why, sizeof(why), "%s", virt_error());
		int r = lxc_init_pid(rn->name, &init);
		if (r < 0) {
			cli_error("%s: cannot open the guest's namespaces: %s; and its init is not "
				  "found from %s/%s.pid either: %s",
				  rn->name, why, LXC_PID_RUN_DIR, rn->name, strerror(-r));
			return -ESRCH;
		}
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)init);
		netfd = open(path, O_RDONLY | O_CLOEXEC);
		if (netfd < 0) {
			cli_error("%s: cannot open the guest's namespaces: %s; nor %s: %s",
				  rn->name, why, path, strerror(errno));
			return -ESRCH;
		}
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)init);
		mntfd = open(path, O_RDONLY | O_CLOEXEC);
	}
	*ret_netfd = netfd;
	*ret_mntfd = mntfd;
	return 0;
}

static int renew_lxc(struct renew *rn, virDomainPtr dom)
{
	int netfd = -1, mntfd = -1;
	char self[PATH_MAX], busybox[PATH_MAX];
	int rc = CLI_EXIT_OK;

	if (open_lxc_namespaces(rn, dom, &netfd, &mntfd) < 0)
		return CLI_EXIT_FAILURE;
	if (netfd < 0) {
		cli_error("%s: the guest has no network namespace of its own", rn->name);
		if (mntfd >= 0)
			close(mntfd);
		return CLI_EXIT_FAILURE;
	}
	ssize_t sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (sl <= 0) {
		cli_error("cannot find my own binary: %s", strerror(errno));
		close(netfd);
		return CLI_EXIT_FAILURE;
	}
	self[sl] = '\0';
	bool builtin = !rn->cfg.renew_command;
	if (builtin && !find_in_path("busybox", busybox, sizeof(busybox))) {
		cli_error("%s: busybox (for udhcpc) is not installed on the host; install busybox "
			  "or set renew_command in %s",
			  rn->name, rn->paths.config);
		close(netfd);
		return CLI_EXIT_FAILURE;
	}

	/* The environment the client runs with: ours, plus the script
	 * marker and the interface (filled in by the child). */
	size_t nenv = 0;
	while (environ[nenv])
		nenv++;
	const char **envp = calloc(nenv + 3, sizeof(char *));
	static char iface_env[sizeof(IFACE_ENV) + IFNAMSIZ + 2];
	if (!envp) {
		close(netfd);
		return CLI_EXIT_FAILURE;
	}
	size_t k = 0;
	for (size_t i = 0; i < nenv; i++)
		if (strncmp(environ[i], SCRIPT_ENV "=", sizeof(SCRIPT_ENV)) != 0 &&
		    strncmp(environ[i], IFACE_ENV "=", sizeof(IFACE_ENV)) != 0)
			envp[k++] = environ[i];
	envp[k++] = SCRIPT_ENV "=1";
	envp[k++] = iface_env;
	envp[k] = NULL;

	for (size_t i = 0; i < rn->n_nics; i++) {
		struct renew_nic *nic = &rn->nics[i];
		uint8_t mac[LC_MAC_LEN];
		char ifname[IFNAMSIZ + 1] = "";
		char hostopt[80], cmd[2048];
		const char *argv_b[16];
		int pfd[2];

		lc_mac_parse(nic->mac, strlen(nic->mac), mac);
		if (builtin) {
			int a = 0;
			argv_b[a++] = busybox;
			argv_b[a++] = "udhcpc";
			argv_b[a++] = "-i";
			argv_b[a++] = ifname;
			argv_b[a++] = "-f";
			argv_b[a++] = "-q";
			argv_b[a++] = "-n";
			argv_b[a++] = "-t";
			argv_b[a++] = "4";
			argv_b[a++] = "-T";
			argv_b[a++] = "2";
			argv_b[a++] = "-s";
			argv_b[a++] = self;
			/* The domain name as DHCP hostname lets dnsmasq answer it. */
			if (hostname_ok(rn->name)) {
				snprintf(hostopt, sizeof(hostopt), "hostname:%s", rn->name);
				argv_b[a++] = "-x";
				argv_b[a++] = hostopt;
			}
			argv_b[a] = NULL;
		} else {
			if (expand_command(rn->cfg.renew_command, cmd, sizeof(cmd)) < 0) {
				cli_error("renew_command in %s is too long", rn->paths.config);
				rc = CLI_EXIT_FAILURE;
				break;
			}
			argv_b[0] = "/bin/sh";
			argv_b[1] = "-c";
			argv_b[2] = cmd;
			argv_b[3] = NULL;
		}
		if (pipe2(pfd, O_CLOEXEC) < 0) {
			rc = CLI_EXIT_FAILURE;
			break;
		}
		fflush(NULL);
		pid_t pid = fork();
		if (pid < 0) {
			close(pfd[0]);
			close(pfd[1]);
			rc = CLI_EXIT_FAILURE;
			break;
		}
		if (pid == 0) {
			close(pfd[0]);
			if (setns(netfd, CLONE_NEWNET) < 0)
				_exit(90);
			/* A configured command is the guest's own client: run
			 * it in the guest's file system too.  The built-in one
			 * comes from the host, so a guest without any DHCP
			 * client can still be renewed. */
			if (!builtin &&
			    (mntfd < 0 || setns(mntfd, CLONE_NEWNS) < 0 || chdir("/") < 0))
				_exit(93);
			if (child_find_iface(mac, ifname) < 0)
				_exit(91);
			/* Tell the parent the interface name, then run. */
			size_t l = strnlen(ifname, IFNAMSIZ);
			if (write(pfd[1], ifname, l) < 0)
				_exit(92);
			memcpy(iface_env, IFACE_ENV "=", sizeof(IFACE_ENV));
			memcpy(iface_env + sizeof(IFACE_ENV), ifname, l + 1);
			/* The client's output is ours on stderr, not stdout. */
			dup2(STDERR_FILENO, STDOUT_FILENO);
			execve(argv_b[0], (char *const *)argv_b, (char *const *)envp);
			_exit(127);
		}
		close(pfd[1]);
		ssize_t n = read(pfd[0], nic->iface, IFNAMSIZ);
		nic->iface[n > 0 ? n : 0] = '\0';
		close(pfd[0]);
		int st = 0;
		int r = wait_child(pid, rn->timeout, &st);
		if (r == -ETIMEDOUT) {
			snprintf(nic->error, sizeof(nic->error), "no lease within %ds",
				 rn->timeout);
		} else if (r < 0) {
			snprintf(nic->error, sizeof(nic->error), "waitpid: %s", strerror(-r));
		} else if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			nic->ok = true;
		} else if (WIFEXITED(st) && WEXITSTATUS(st) == 90) {
			snprintf(nic->error, sizeof(nic->error),
				 "cannot enter the guest's network namespace");
		} else if (WIFEXITED(st) && WEXITSTATUS(st) == 93) {
			snprintf(nic->error, sizeof(nic->error),
				 "cannot enter the guest's mount namespace");
		} else if (WIFEXITED(st) && WEXITSTATUS(st) == 91) {
			snprintf(nic->error, sizeof(nic->error),
				 "no interface with MAC %s inside the guest", nic->mac);
		} else if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
			snprintf(nic->error, sizeof(nic->error), "cannot run %s", argv_b[0]);
		} else if (WIFEXITED(st)) {
			snprintf(nic->error, sizeof(nic->error), "DHCP client failed (exit %d)",
				 WEXITSTATUS(st));
		} else {
			snprintf(nic->error, sizeof(nic->error), "DHCP client killed by signal %d",
				 WTERMSIG(st));
		}
	}
	free((void *)envp);
	close(netfd);
	if (mntfd >= 0)
		close(mntfd);
	return rc;
}

/* Pull `"key":<int>` out of a guest agent reply. */
static bool json_int_field(const char *json, const char *key, long long *ret)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\"", key);
	const char *p = strstr(json, pat);
	if (!p)
		return false;
	p += strlen(pat);
	while (*p == ' ' || *p == ':')
		p++;
	char *end;
	long long v = strtoll(p, &end, 10);
	if (end == p)
		return false;
	*ret = v;
	return true;
}

static void json_quote(const char *s, char *buf, size_t size)
{
	FILE *f = fmemopen(buf, size, "w");
	if (!f) {
		buf[0] = '\0';
		return;
	}
	cli_json_write_string(f, s);
	fclose(f);
}

static int renew_qemu(struct renew *rn, virDomainPtr dom)
{
	virDomainInterfacePtr *ifaces = NULL;
	int n =
	    virDomainInterfaceAddresses(dom, &ifaces, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT, 0);
	if (n < 0) {
		cli_error("%s: the guest agent does not answer (%s); install and start "
			  "qemu-guest-agent in the guest, with a <channel> for it in the domain",
			  rn->name, virt_error());
		return CLI_EXIT_FAILURE;
	}
	for (size_t i = 0; i < rn->n_nics; i++)
		for (int k = 0; k < n; k++)
			if (ifaces[k]->hwaddr &&
			    strcasecmp(ifaces[k]->hwaddr, rn->nics[i].mac) == 0)
				snprintf(rn->nics[i].iface, sizeof(rn->nics[i].iface), "%s",
					 ifaces[k]->name);
	for (int k = 0; k < n; k++)
		virDomainInterfaceFree(ifaces[k]);
	free(ifaces);

	for (size_t i = 0; i < rn->n_nics; i++) {
		struct renew_nic *nic = &rn->nics[i];
		char script[1024], quoted[1200], cmd[1600];
		if (!nic->iface[0]) {
			snprintf(nic->error, sizeof(nic->error),
				 "the guest agent reports no interface with MAC %s", nic->mac);
			continue;
		}
		if (rn->cfg.renew_command) {
			char tmp[900];
			if (expand_command(rn->cfg.renew_command, tmp, sizeof(tmp)) < 0) {
				snprintf(nic->error, sizeof(nic->error),
					 "renew_command is too long");
				continue;
			}
			snprintf(script, sizeof(script), "%s=%.16s; %s", IFACE_ENV, nic->iface,
				 tmp);
		} else {
			/* Whatever DHCP client the guest has. */
			snprintf(
			    script, sizeof(script),
			    "i=%s; if command -v networkctl >/dev/null && networkctl status "
			    "\"$i\" >/dev/null 2>&1; then networkctl renew \"$i\"; elif command -v "
			    "nmcli >/dev/null; then nmcli device reapply \"$i\"; elif command -v "
			    "dhclient >/dev/null; then dhclient -1 \"$i\"; elif command -v dhcpcd "
			    ">/dev/null; then dhcpcd -n \"$i\"; elif command -v udhcpc "
			    ">/dev/null; then udhcpc -i \"$i\" -n -q; else exit 127; fi",
			    nic->iface);
		}
		json_quote(script, quoted, sizeof(quoted));
		snprintf(cmd, sizeof(cmd),
			 "{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"/bin/sh\","
			 "\"arg\":[\"-c\",%s],\"capture-output\":true}}",
			 quoted);
		char *reply = virDomainQemuAgentCommand(dom, cmd, 10, 0);
		long long pid = 0;
		if (!reply || !json_int_field(reply, "pid", &pid)) {
			snprintf(nic->error, sizeof(nic->error), "guest-exec failed: %s",
				 reply ? reply : virt_error());
			free(reply);
			continue;
		}
		free(reply);
		for (int waited = 0;; waited++) {
			snprintf(cmd, sizeof(cmd),
				 "{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":%lld}}",
				 pid);
			reply = virDomainQemuAgentCommand(dom, cmd, 10, 0);
			if (!reply) {
				snprintf(nic->error, sizeof(nic->error), "guest-exec-status: %s",
					 virt_error());
				break;
			}
			long long code = -1;
			if (strstr(reply, "\"exited\":true") || strstr(reply, "\"exited\": true")) {
				json_int_field(reply, "exitcode", &code);
				if (code == 0)
					nic->ok = true;
				else
					snprintf(nic->error, sizeof(nic->error),
						 "the guest's DHCP client failed (exit %lld)",
						 code);
				free(reply);
				break;
			}
			free(reply);
			if (waited >= rn->timeout * 5) {
				snprintf(nic->error, sizeof(nic->error),
					 "the guest's DHCP client did not finish within %ds",
					 rn->timeout);
				break;
			}
			struct timespec nap = {.tv_sec = 0, .tv_nsec = 200 * 1000 * 1000};
			nanosleep(&nap, NULL);
		}
	}
	return CLI_EXIT_OK;
}

/* The live lease for a MAC, through the resolver.  Leases appear a moment
 * after the client is done (libvirt's leaseshelper writes them). */
static const struct lc_host_addr *find_lease(const struct lc_db *db, const char *name,
					     const char *mac)
{
	for (size_t i = 0; i < lc_db_n_hosts(db); i++) {
		const struct lc_host *h = lc_db_host(db, i);
		for (size_t k = 0; k < h->n_addrs; k++)
			if (strcasecmp(h->addrs[k].mac_str, mac) == 0)
				return &h->addrs[k];
	}
	(void)name;
	return NULL;
}

static int report(struct renew *rn)
{
	struct lc_db *db = NULL;
	int rc = CLI_EXIT_OK;
	const struct lc_host_addr *found[LC_RECORD_MAX_NICS] = {0};

	/* Up to 5 s for libvirt to write what dnsmasq handed out. */
	for (int tries = 0; tries < 50; tries++) {
		lc_db_free(db);
		db = NULL;
		if (lc_db_load(&rn->paths, (int64_t)time(NULL), &db) < 0)
			break;
		bool all = true;
		for (size_t i = 0; i < rn->n_nics; i++) {
			found[i] =
			    rn->nics[i].ok ? find_lease(db, rn->name, rn->nics[i].mac) : NULL;
			if (rn->nics[i].ok && !found[i])
				all = false;
		}
		if (all)
			break;
		struct timespec nap = {.tv_sec = 0, .tv_nsec = 100 * 1000 * 1000};
		nanosleep(&nap, NULL);
	}
	int64_t now = (int64_t)time(NULL);
	char ab[64], eb[64];
	struct cli_json j;
	if (rn->args->json) {
		cli_json_init(&j, stdout, true);
		cli_json_begin_object(&j);
		cli_json_kv_string(&j, "name", rn->name);
		cli_json_key(&j, "nics");
		cli_json_begin_array(&j);
	}
	for (size_t i = 0; i < rn->n_nics; i++) {
		struct renew_nic *nic = &rn->nics[i];
		const struct lc_host_addr *a = found[i];
		if (nic->ok && !a)
			snprintf(
			    nic->error, sizeof(nic->error),
			    "the client got a lease, but libvirt's lease file does not show it");
		bool ok = nic->ok && a;
		if (!ok)
			rc = CLI_EXIT_FAILURE;
		if (rn->args->json) {
			cli_json_begin_object(&j);
			cli_json_kv_string(&j, "mac", nic->mac);
			cli_json_kv_string(&j, "network", nic->network);
			cli_json_kv_string(&j, "interface", nic->iface[0] ? nic->iface : NULL);
			cli_json_kv_bool(&j, "ok", ok);
			if (ok) {
				cli_json_kv_string(&j, "address",
						   lc_addr_format(&a->addr, ab, sizeof(ab)));
				cli_json_kv_string(&j, "class", lc_class_name(a->klass));
				cli_json_key(&j, "expiry");
				if (a->expiry == INT64_MAX)
					cli_json_null(&j);
				else
					cli_json_int(&j, a->expiry);
			} else {
				cli_json_kv_string(&j, "error", nic->error);
			}
			cli_json_end_object(&j);
		} else if (ok) {
			printf("%s: %s (%s) on %s: %s, %s, lease %s\n", rn->name, nic->mac,
			       nic->iface[0] ? nic->iface : "?", nic->network,
			       lc_addr_format(&a->addr, ab, sizeof(ab)), lc_class_name(a->klass),
			       cli_format_expiry(a->expiry, now, eb, sizeof(eb)));
		} else {
			cli_error("%s: %s (%s) on %s: %s", rn->name, nic->mac,
				  nic->iface[0] ? nic->iface : "?", nic->network, nic->error);
		}
	}
	if (rn->args->json) {
		cli_json_end_array(&j);
		cli_json_end_object(&j);
		cli_json_finish(&j);
	}
	lc_db_free(db);
	return rc;
}

static virConnectPtr connect_for(const struct renew *rn, virDomainPtr *ret_dom, char *ret_why,
				 size_t why_size)
{
	const char *uris[3] = {NULL, NULL, NULL};
	struct lc_guest_record rec;
	bool connected = false;

	if (rn->args->connect) {
		uris[0] = rn->args->connect;
	} else if (lc_guest_record_load(rn->paths.runstate_dir, rn->name, &rec) == 0 &&
		   strcmp(rec.driver, "qemu") == 0) {
		uris[0] = "qemu:///system";
		uris[1] = "lxc:///system";
	} else {
		uris[0] = "lxc:///system";
		uris[1] = "qemu:///system";
	}
	for (size_t i = 0; i < 3 && uris[i]; i++) {
		virConnectPtr c = virConnectOpen(uris[i]);
		if (!c) {
			/* Keep why: "no such guest" is wrong when libvirt is down. */
			snprintf(ret_why, why_size, "%s: %s", uris[i], virt_error());
			continue;
		}
		connected = true;
		virDomainPtr d = virDomainLookupByName(c, rn->name);
		if (d) {
			*ret_dom = d;
			return c;
		}
		virConnectClose(c);
	}
	if (connected)
		ret_why[0] = '\0'; /* libvirt answered: there is no such guest */
	return NULL;
}

int cmd_renew(const struct cli_args *args)
{
	struct renew *rn = calloc(1, sizeof(*rn));
	virDomainPtr dom = NULL;
	int rc;

	if (!rn)
		return CLI_EXIT_FAILURE;
	rn->args = args;
	rn->name = args->argv[0];
	rn->timeout = (args->seen & CLI_OPT_TIMEOUT) ? args->timeout : 30;
	if (rn->timeout < 1)
		rn->timeout = 1;
	cli_lc_paths(args, &rn->paths);
	lc_config_load(rn->paths.config, &rn->cfg, NULL, NULL);
	virSetErrorFunc(NULL, silence_libvirt);

	char why[512] = "";
	virConnectPtr conn = connect_for(rn, &dom, why, sizeof(why));
	if (!conn) {
		if (why[0]) {
			cli_error("%s: cannot ask libvirt (%s)", rn->name, why);
			rc = CLI_EXIT_FAILURE;
		} else {
			cli_error("%s: no such guest on %s", rn->name,
				  args->connect ? args->connect
						: "lxc:///system or qemu:///system");
			rc = CLI_EXIT_NOTFOUND;
		}
		goto out;
	}
	if (virDomainIsActive(dom) != 1) {
		cli_error("%s: the guest is not running; start it first (virsh start %s)", rn->name,
			  rn->name);
		rc = CLI_EXIT_FAILURE;
		goto out;
	}
	char *xml = virDomainGetXMLDesc(dom, 0);
	if (!xml || parse_nics(rn, xml) < 0) {
		free(xml);
		cli_error("%s: cannot read the domain XML: %s", rn->name, virt_error());
		rc = CLI_EXIT_FAILURE;
		goto out;
	}
	free(xml);
	if (rn->n_nics == 0) {
		cli_error("%s: the guest has no network interface", rn->name);
		rc = CLI_EXIT_FAILURE;
		goto out;
	}
	const char *type = virConnectGetType(conn);
	if (type && strcasecmp(type, "LXC") == 0) {
		rc = renew_lxc(rn, dom);
	} else if (type && strcasecmp(type, "QEMU") == 0) {
		rc = renew_qemu(rn, dom);
	} else {
		cli_error("%s: renew knows lxc and qemu guests, not %s", rn->name,
			  type ? type : "this driver");
		rc = CLI_EXIT_FAILURE;
		goto out;
	}
	if (rc == CLI_EXIT_OK)
		rc = report(rn);
out:
	if (dom)
		virDomainFree(dom);
	if (conn)
		virConnectClose(conn);
	lc_config_free(&rn->cfg);
	free(rn);
	return rc;
}

#endif
