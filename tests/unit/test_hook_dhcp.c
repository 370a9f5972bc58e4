/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DHCPRELEASE and DHCPv6 Release: the bytes, the socket, and a real dnsmasq
 * dropping the lease (for v6, one a real DHCPv6 client obtained). */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <syslog.h>

#include <cmocka.h>

#include "hooks/hook.h"
#include "host/host.h"
#include "tests/unit/hook_test_util.h"

#define DHCLIENT "/sbin/dhclient"

/* The core's hex reader (lc_hex_parse) on a C string. */
static ssize_t hex(const char *s, uint8_t *buf, size_t size)
{
	return lc_hex_parse(s, strlen(s), buf, size);
}

/* A DHCPv6 Release for the identity a host_lease holds. */
static int send6(const char *bridge, const struct lc_addr *a, const struct host_lease *l,
		 int timeout_ms)
{
	struct lc_dhcp6_id id;
	host_lease_dhcp6(l, &id);
	return host_dhcp6_release_send(bridge, a, &id, timeout_ms);
}

static const uint8_t MAC[6] = {0x52, 0x54, 0x00, 0x15, 0x00, 0x03};

static struct lc_addr addr(const char *s)
{
	struct lc_addr a;
	assert_int_equal(lc_addr_parse(s, strlen(s), &a), 0);
	return a;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void test_release_packet(void **state)
{
	uint8_t pkt[600];
	struct lc_addr ci = addr("192.168.150.12"), srv = addr("192.168.150.1");
	(void)state;

	memset(pkt, 0xee, sizeof(pkt));
	assert_int_equal(
	    host_dhcp4_release_build(pkt, sizeof(pkt), MAC, &ci, &srv, NULL, 0, 0x11223344),
	    HOST_DHCP4_PACKET_SIZE);
	assert_int_equal(pkt[0], 1);					       /* BOOTREQUEST */
	assert_int_equal(pkt[1], 1);					       /* ethernet */
	assert_int_equal(pkt[2], 6);					       /* hlen */
	assert_int_equal(pkt[3], 0);					       /* hops */
	assert_int_equal(be32(pkt + 4), 0x11223344);			       /* xid */
	assert_int_equal(pkt[8] | pkt[9] | pkt[10] | pkt[11], 0);	       /* secs, flags */
	assert_memory_equal(pkt + 12, ci.bytes, 4);			       /* ciaddr */
	assert_int_equal(be32(pkt + 16) | be32(pkt + 20) | be32(pkt + 24), 0); /* yi/si/giaddr */
	assert_memory_equal(pkt + 28, MAC, 6);				       /* chaddr */
	for (int i = 34; i < 236; i++)
		assert_int_equal(pkt[i], 0);	       /* chaddr padding, sname, file */
	assert_int_equal(be32(pkt + 236), 0x63825363); /* magic cookie */
	const uint8_t opts[] = {53, 1, 7, 54, 4, 192, 168, 150, 1, 255};
	assert_memory_equal(pkt + 240, opts, sizeof(opts));
	for (int i = 240 + (int)sizeof(opts); i < HOST_DHCP4_PACKET_SIZE; i++)
		assert_int_equal(pkt[i], 0);		     /* pad */
	assert_int_equal(pkt[HOST_DHCP4_PACKET_SIZE], 0xee); /* nothing past the packet */
}

static void test_release_client_id(void **state)
{
	uint8_t pkt[HOST_DHCP4_PACKET_SIZE], cid[32];
	struct lc_addr ci = addr("10.0.0.2"), srv = addr("10.0.0.1");
	(void)state;

	/* as libvirt's .status writes it */
	ssize_t n = hex("01:52:54:00:15:00:03", cid, sizeof(cid));
	assert_int_equal(n, 7);
	assert_int_equal(
	    host_dhcp4_release_build(pkt, sizeof(pkt), MAC, &ci, &srv, cid, (size_t)n, 1),
	    HOST_DHCP4_PACKET_SIZE);
	const uint8_t opts[] = {53, 1, 7,    54,   4, 10,   0, 0, 1,  61,
				7,  1, 0x52, 0x54, 0, 0x15, 0, 3, 255};
	assert_memory_equal(pkt + 240, opts, sizeof(opts));

	/* the longest client id still fits the 308 option bytes */
	uint8_t big[255];
	memset(big, 0xab, sizeof(big));
	assert_int_equal(host_dhcp4_release_build(pkt, sizeof(pkt), MAC, &ci, &srv, big, 255, 1),
			 HOST_DHCP4_PACKET_SIZE);
	assert_int_equal(pkt[240 + 9], 61);
	assert_int_equal(pkt[240 + 10], 255);
	assert_int_equal(pkt[240 + 11 + 255], 255);
}

static void test_release_refuses(void **state)
{
	uint8_t pkt[HOST_DHCP4_PACKET_SIZE];
	struct lc_addr ci = addr("10.0.0.2"), srv = addr("10.0.0.1"), v6 = addr("fd00::2");
	uint8_t cid[1] = {1};
	(void)state;

	assert_int_equal(host_dhcp4_release_build(pkt, sizeof(pkt) - 1, MAC, &ci, &srv, NULL, 0, 0),
			 -ENOBUFS);
	assert_int_equal(host_dhcp4_release_build(pkt, sizeof(pkt), MAC, &v6, &srv, NULL, 0, 0),
			 -EINVAL);
	assert_int_equal(host_dhcp4_release_build(pkt, sizeof(pkt), MAC, &ci, &v6, NULL, 0, 0),
			 -EINVAL);
	assert_int_equal(host_dhcp4_release_build(pkt, sizeof(pkt), MAC, &ci, &srv, cid, 256, 0),
			 -EINVAL);
	assert_int_equal(host_dhcp4_release_build(pkt, sizeof(pkt), MAC, &ci, &srv, NULL, 3, 0),
			 -EINVAL);
	assert_int_equal(host_dhcp4_release_build(NULL, 0, MAC, &ci, &srv, NULL, 0, 0), -EINVAL);
}

static void test_release6_packet(void **state)
{
	uint8_t pkt[256], cduid[14], sduid[10];
	struct lc_addr a6 = addr("fd00:150::1:12"), a4 = addr("10.0.0.2");
	(void)state;

	assert_int_equal(hex("00:01:00:01:2c:4e:1a:3b:52:54:00:15:00:03", cduid, sizeof(cduid)),
			 14);
	assert_int_equal(hex("00:03:00:01:52:54:00:65:b2:e5", sduid, sizeof(sduid)), 10);
	ssize_t n = host_dhcp6_release_build(pkt, sizeof(pkt), cduid, 14, sduid, 10, 0x00150003,
					     false, &a6, 0xabcdef);
	/* 4 + (4+14) + (4+10) + (4+12) + (4+24) */
	assert_int_equal(n, 4 + 18 + 14 + 16 + 28);
	const uint8_t head[] = {8, 0xab, 0xcd, 0xef, 0, 1, 0, 14};
	assert_memory_equal(pkt, head, sizeof(head));
	assert_memory_equal(pkt + 8, cduid, 14);
	const uint8_t sid[] = {0, 2, 0, 10};
	assert_memory_equal(pkt + 22, sid, 4);
	assert_memory_equal(pkt + 26, sduid, 10);
	const uint8_t ia[] = {0, 3, 0, 40, 0x00, 0x15, 0x00, 0x03, 0, 0, 0, 0, 0, 0, 0, 0};
	assert_memory_equal(pkt + 36, ia, sizeof(ia));
	const uint8_t iaaddr[] = {0, 5, 0, 24};
	assert_memory_equal(pkt + 52, iaaddr, 4);
	assert_memory_equal(pkt + 56, a6.bytes, 16);
	assert_int_equal(be32(pkt + 72) | be32(pkt + 76), 0);

	assert_int_equal(
	    host_dhcp6_release_build(pkt, sizeof(pkt), cduid, 14, sduid, 10, 1, false, &a4, 1),
	    -EINVAL);
	assert_int_equal(host_dhcp6_release_build(pkt, 40, cduid, 14, sduid, 10, 1, false, &a6, 1),
			 -ENOBUFS);
	/* the longest DUIDs fit what the sender allocates */
	uint8_t big[LC_DUID_MAX], out[4 + 2 * (4 + LC_DUID_MAX) + 16 + 28];
	memset(big, 0x5a, sizeof(big));
	assert_int_equal(host_dhcp6_release_build(out, sizeof(out), big, sizeof(big), big,
						  sizeof(big), 1, false, &a6, 1),
			 (ssize_t)sizeof(out));
	assert_int_equal(host_dhcp6_release_build(out, sizeof(out), big, sizeof(big) + 1, big, 1, 1,
						  false, &a6, 1),
			 -EINVAL);
}

/* A temporary address is released in an IA_TA: IAID, no T1/T2. */
static void test_release6_temporary(void **state)
{
	uint8_t pkt[128], cduid[2] = {0xab, 0xcd}, sduid[1] = {0xef};
	struct lc_addr a6 = addr("fd00:150::1:77");
	(void)state;

	ssize_t n =
	    host_dhcp6_release_build(pkt, sizeof(pkt), cduid, 2, sduid, 1, 7, true, &a6, 0x010203);
	assert_int_equal(n, 4 + 6 + 5 + 8 + 28);
	const uint8_t head[] = {8, 1, 2, 3, 0, 1, 0, 2, 0xab, 0xcd, 0, 2, 0, 1, 0xef};
	assert_memory_equal(pkt, head, sizeof(head));
	const uint8_t ta[] = {0, 4, 0, 32, 0, 0, 0, 7, 0, 5, 0, 24};
	assert_memory_equal(pkt + 15, ta, sizeof(ta));
	assert_memory_equal(pkt + 27, a6.bytes, 16);
	assert_int_equal(be32(pkt + 43) | be32(pkt + 47), 0);
	assert_int_equal(pkt[0], 8);
	assert_int_equal(
	    host_dhcp6_release_build(pkt, (size_t)n - 1, cduid, 2, sduid, 1, 7, true, &a6, 1),
	    -ENOBUFS);
}

/* What dnsmasq answers to a Release (rfc3315.c): a top-level Success, and
 * for an address it holds no lease for, an IA carrying NoBinding. */
static void test_reply6_status(void **state)
{
	(void)state;
	/* Reply, xid 0x0a0b0c; server id; status 0 "release received" */
	const uint8_t ok[] = {7,    0x0a, 0x0b, 0x0c, 0, 2, 0, 2,   0xef,
			      0xef, 0,	  13,	0,    4, 0, 0, 'o', 'k'};
	assert_int_equal(host_dhcp6_reply_status(ok, sizeof(ok), 0x0a0b0c), 0);
	/* another transaction, or another message type: not ours */
	assert_int_equal(host_dhcp6_reply_status(ok, sizeof(ok), 0x0a0b0d), -EAGAIN);
	assert_int_equal(host_dhcp6_reply_status(ok, sizeof(ok), 0xff0a0b0c), 0); /* 24 bits */
	uint8_t adv[sizeof(ok)];
	memcpy(adv, ok, sizeof(ok));
	adv[0] = 2;
	assert_int_equal(host_dhcp6_reply_status(adv, sizeof(adv), 0x0a0b0c), -EAGAIN);
	assert_int_equal(host_dhcp6_reply_status(ok, 3, 0x0a0b0c), -EAGAIN);
	/* cut short inside an option */
	assert_int_equal(host_dhcp6_reply_status(ok, sizeof(ok) - 3, 0x0a0b0c), -EBADMSG);

	/* IA_NA {iaid, t1, t2, IAADDR {addr, 0, 0}, status 3 NoBinding}, then Success */
	const uint8_t nobind[] = {7,
				  0,
				  0,
				  1,
				  /* IA_NA */ 0,
				  3,
				  0,
				  4 + 12 + 28 + 6 - 4,
				  0,
				  0,
				  0,
				  9,
				  0,
				  0,
				  0,
				  0,
				  0,
				  0,
				  0,
				  0,
				  /* IAADDR */ 0,
				  5,
				  0,
				  24,
				  0xfd,
				  0,
				  0,
				  0,
				  0,
				  0,
				  0,
				  0,
				  0,
				  0,
				  0,
				  0,
				  0,
				  0,
				  0,
				  0x36,
				  0,
				  0,
				  0,
				  0,
				  0,
				  0,
				  0,
				  0,
				  /* status NoBinding */ 0,
				  13,
				  0,
				  2,
				  0,
				  3,
				  /* top-level Success */ 0,
				  13,
				  0,
				  2,
				  0,
				  0};
	assert_int_equal(host_dhcp6_reply_status(nobind, sizeof(nobind), 1), -ENOENT);
	/* the same inside an IA_TA */
	const uint8_t nobind_ta[] = {7, 0, 0, 1, 0, 4, 0, 4 + 6, 0, 0, 0, 9, 0, 13, 0, 2, 0, 3};
	assert_int_equal(host_dhcp6_reply_status(nobind_ta, sizeof(nobind_ta), 1), -ENOENT);
	/* UnspecFail at the top */
	const uint8_t fail[] = {7, 0, 0, 1, 0, 13, 0, 2, 0, 1};
	assert_int_equal(host_dhcp6_reply_status(fail, sizeof(fail), 1), -EPROTO);
	/* a status option too short to hold its code */
	const uint8_t shortst[] = {7, 0, 0, 1, 0, 13, 0, 1, 0};
	assert_int_equal(host_dhcp6_reply_status(shortst, sizeof(shortst), 1), -EBADMSG);
	assert_int_equal(host_dhcp6_reply_status(NULL, 0, 1), -EAGAIN);
}

static void test_hex(void **state)
{
	uint8_t b[8];
	(void)state;

	assert_int_equal(hex("ff", b, sizeof(b)), 1);
	assert_int_equal(b[0], 0xff);
	/* dnsmasq drops leading zeros */
	assert_int_equal(hex("1:a:ff", b, sizeof(b)), 3);
	assert_int_equal(b[0], 1);
	assert_int_equal(b[1], 0xa);
	assert_int_equal(hex("", b, sizeof(b)), -EINVAL);
	assert_int_equal(hex("zz", b, sizeof(b)), -EINVAL);
	assert_int_equal(hex("01:", b, sizeof(b)), -EINVAL);
	assert_int_equal(hex("01-02", b, sizeof(b)), -EINVAL);
	assert_int_equal(hex("1:2:3:4:5:6:7:8:9", b, sizeof(b)), -ENOBUFS);
}

static void test_server_addr(void **state)
{
	struct lc_addr ci = addr("127.0.0.5"), ret, v6 = addr("fd00::99");
	char a[64];
	(void)state;

	assert_int_equal(host_dhcp_server_addr("lo", &ci, &ret), 0);
	assert_string_equal(lc_addr_format(&ret, a, sizeof(a)), "127.0.0.1");
	assert_int_equal(host_dhcp_server_addr("no-such-if0", &ci, &ret), -EADDRNOTAVAIL);
	/* lo's ::1 is no subnet of fd00::/64, but the first v6 address serves */
	int r = host_dhcp_server_addr("lo", &v6, &ret);
	assert_true(r == 0 || r == -EADDRNOTAVAIL); /* a host may run with IPv6 off */
}

/* ---- with privileges: a private network namespace ------------------------- */

static bool can_unshare_net(void)
{
	pid_t pid = fork();
	int st;
	if (pid == 0)
		_exit(unshare(CLONE_NEWNET) == 0 ? 0 : 1);
	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int link_up(const char *ifname)
{
	struct ifreq ifr = {0};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	r = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (r == 0) {
		ifr.ifr_flags |= IFF_UP;
		r = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return r;
}

/* In a child in its own network namespace: what host_dhcp4_release_send
 * puts on the wire is byte for byte what the builder made. */
static void test_send_on_the_wire(void **state)
{
	(void)state;
	if (!can_unshare_net())
		skip(); /* needs CAP_SYS_ADMIN: not root, or no namespaces */
	pid_t pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0 || link_up("lo") < 0)
			_exit(2);
		int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(67)};
		inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
		if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			_exit(3);
		struct lc_addr ci, srv;
		lc_addr_parse("127.0.0.5", 9, &ci);
		lc_addr_parse("127.0.0.1", 9, &srv);
		if (host_dhcp4_release_send("lo", &ci, MAC) < 0)
			_exit(4);
		uint8_t got[1024], want[HOST_DHCP4_PACKET_SIZE];
		struct timeval tv = {2, 0};
		setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		ssize_t n = recv(s, got, sizeof(got), 0);
		if (n != HOST_DHCP4_PACKET_SIZE)
			_exit(5);
		host_dhcp4_release_build(want, sizeof(want), MAC, &ci, &srv, NULL, 0,
					 be32(got + 4));
		_exit(memcmp(got, want, sizeof(want)) == 0 ? 0 : 6);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static bool have_tool(const char *path)
{
	return access(path, X_OK) == 0;
}

static bool lease_listed(const char *file, const char *ip)
{
	char *buf = hook_test_slurp(file, NULL);
	bool found = buf && strstr(buf, ip);
	free(buf);
	return found;
}

/* A real dnsmasq on a real bridge in a private network namespace holds a
 * lease; our DHCPRELEASE makes it drop it, as dhcp_release would. */
static void test_dnsmasq_drops_lease(void **state)
{
	struct hook_test_env env;
	char leasefile[PATH_MAX + 64], conf[PATH_MAX + 64], line[256];
	(void)state;

	if (!can_unshare_net())
		skip();
	if (!have_tool("/usr/sbin/dnsmasq") ||
	    (!have_tool("/sbin/ip") && !have_tool("/usr/sbin/ip")))
		skip(); /* dnsmasq-base and iproute2 come with the lab packages */
	assert_int_equal(hook_test_env_setup(&env, NULL), 0);
	snprintf(leasefile, sizeof(leasefile), "%s/dnsmasq.leases", env.root);
	snprintf(conf, sizeof(conf), "%s/dnsmasq.conf", env.root);
	snprintf(line, sizeof(line), "%lld 52:54:00:15:00:03 10.9.0.23 guest3 *\n",
		 (long long)time(NULL) + 3600);
	assert_int_equal(hook_test_write(env.root, "dnsmasq.leases", line), 0);
	assert_int_equal(
	    hook_test_write(env.root, "dnsmasq.conf",
			    "port=0\nno-resolv\nno-hosts\ninterface=lcbr0\nbind-dynamic\n"
			    "except-interface=lo\ndhcp-range=10.9.0.10,10.9.0.50,255.255.255.0\n"
			    "dhcp-authoritative\nuser=root\n"),
	    0);

	pid_t pid = fork();
	if (pid == 0) {
		char cmd[PATH_MAX * 3];
		if (unshare(CLONE_NEWNET) < 0)
			_exit(2);
		if (system("ip link set lo up && ip link add lcbr0 type bridge && "
			   "ip addr add 10.9.0.1/24 dev lcbr0 && ip link set lcbr0 up") != 0)
			_exit(3);
		pid_t d = fork();
		if (d == 0) {
			int nul = open("/dev/null", O_RDWR);
			dup2(nul, 1);
			dup2(nul, 2);
			snprintf(cmd, sizeof(cmd), "--dhcp-leasefile=%s", leasefile);
			char cf[PATH_MAX * 2];
			snprintf(cf, sizeof(cf), "--conf-file=%s", conf);
			execl("/usr/sbin/dnsmasq", "dnsmasq", "--keep-in-foreground", cf, cmd,
			      "--pid-file=", (char *)NULL);
			_exit(127);
		}
		usleep(300000); /* dnsmasq binds the bridge */
		struct lc_addr ci;
		lc_addr_parse("10.9.0.23", 9, &ci);
		int rc = 0;
		static const uint8_t other[6] = {0x52, 0x54, 0x00, 0x15, 0x00, 0x99};
		if (!lease_listed(leasefile, "10.9.0.23"))
			rc = 4; /* dnsmasq did not keep the lease it was given */
		/* someone else's MAC: dnsmasq must keep the lease */
		else if (host_dhcp4_release_send("lcbr0", &ci, other) < 0)
			rc = 5;
		else if (usleep(500000), !lease_listed(leasefile, "10.9.0.23"))
			rc = 7;
		else if (host_dhcp4_release_send("lcbr0", &ci, MAC) < 0)
			rc = 5;
		else {
			rc = 6;
			for (int i = 0; i < 30 && rc; i++) {
				usleep(100000);
				if (!lease_listed(leasefile, "10.9.0.23"))
					rc = 0;
			}
		}
		kill(d, SIGTERM);
		waitpid(d, NULL, 0);
		_exit(rc);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	hook_test_env_teardown(&env);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* ---- DHCPv6: a real client, a real dnsmasq, our Release ------------------- */

#define V6_MAC "52:54:00:15:00:01" /* lxc.c1.stopped.end's labnet NIC */

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int write_sysctl(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/* No duplicate address detection in a namespace of ours: a link-local
 * address is usable at once, so dhclient -6 need not wait for it. */
static int no_dad(void)
{
	return write_sysctl("/proc/sys/net/ipv6/conf/all/accept_dad", "0") |
	       write_sysctl("/proc/sys/net/ipv6/conf/default/accept_dad", "0");
}

/* dnsmasq's own lease database: "duid SERVER-DUID", then for the v6 lease
 * "EXPIRY IAID ADDRESS HOSTNAME CLIENT-DUID". */
struct v6_lease {
	char server_duid[400], client_duid[400], addr[64];
	unsigned long iaid;
};

static bool v6_lease_read(const char *leasefile, struct v6_lease *ret)
{
	char *buf = hook_test_slurp(leasefile, NULL), *line, *save = NULL;
	bool have_duid = false, have_lease = false;

	if (!buf)
		return false;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char host[256];
		long long exp;
		if (sscanf(line, "duid %399s", ret->server_duid) == 1)
			have_duid = true;
		else if (sscanf(line, "%lld %lu %63s %255s %399s", &exp, &ret->iaid, ret->addr,
				host, ret->client_duid) == 5 &&
			 strchr(ret->addr, ':'))
			have_lease = true;
	}
	free(buf);
	return have_duid && have_lease;
}

static bool file_has(const char *file, const char *needle)
{
	char *buf = hook_test_slurp(file, NULL);
	bool found = buf && strstr(buf, needle);
	free(buf);
	return found;
}

static int id_from(const struct v6_lease *v, struct host_lease *id)
{
	ssize_t c = hex(v->client_duid, id->client_duid, sizeof(id->client_duid));
	ssize_t s = hex(v->server_duid, id->server_duid, sizeof(id->server_duid));
	if (c <= 0 || s <= 0)
		return -1;
	id->client_duid_len = (uint8_t)c;
	id->server_duid_len = (uint8_t)s;
	id->iaid = (uint32_t)v->iaid;
	id->temporary = false;
	return 0;
}

/* Run the hook's stopped operation as main() would, for the guest of an
 * lxc capture; its log line goes to log. */
static int run_release_op(const char *root, const char *fixture, char *log, size_t size)
{
	struct hook_ctx ctx = {0};
	char logpath[PATH_MAX + 16];
	size_t len = 0;
	int saved, fd;

	ctx.args.driver = HOOK_DRIVER_LXC;
	ctx.args.object = "c1";
	ctx.args.op = "stopped";
	ctx.args.subop = "end";
	ctx.args.extra = "-";
	lc_paths_default(&ctx.paths);
	lc_config_defaults(&ctx.config);
	ctx.spawn_workers = false;
	ctx.input = hook_test_stdin(fixture, &len);
	ctx.input_len = len;
	if (!ctx.input)
		return -1;
	snprintf(logpath, sizeof(logpath), "%s/hook.log", root);
	fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	close(fd);
	setenv("LIBVIRT_CLUSTER_HOOK_STDERR", "1", 1);
	hook_log_open(false);
	int r = hook_dispatch(&ctx);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	free(ctx.input);
	lc_config_free(&ctx.config);
	char *buf = hook_test_slurp(logpath, NULL);
	snprintf(log, size, "%s", buf ? buf : "");
	free(buf);
	return r;
}

/* The child of the test that lives in the server's network namespace. */
static int v6_server_side(const char *root)
{
	char leasefile[PATH_MAX], dlog[PATH_MAX], clog[PATH_MAX];
	int sync_pipe[2];
	pid_t client_ns, dnsmasq = -1, dhclient = -1;
	struct v6_lease v;
	struct lc_addr a6;
	struct host_lease id, bad;
	int rc = 0, r;

	snprintf(leasefile, sizeof(leasefile), "%s/dnsmasq6.leases", root);
	snprintf(dlog, sizeof(dlog), "%s/dnsmasq6.log", root);
	snprintf(clog, sizeof(clog), "%s/dhclient6.log", root);
	if (unshare(CLONE_NEWNET) < 0 || no_dad() < 0 || pipe2(sync_pipe, O_CLOEXEC) < 0)
		return 2;
	/* the guest: a network namespace of its own, held by a sleeping child */
	client_ns = fork();
	if (client_ns == 0) {
		char c = no_dad() == 0 && unshare(CLONE_NEWNET) == 0 && no_dad() == 0 ? 'y' : 'n';
		if (write(sync_pipe[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	char c = 'n';
	if (client_ns < 0 || read(sync_pipe[0], &c, 1) != 1 || c != 'y')
		return 3;
	if (sh("ip link set lo up && ip link add lcbr6 type bridge && ip link set lcbr6 up && "
	       "ip addr add fd00:6::1/64 dev lcbr6 nodad && "
	       "ip link add lcv0 type veth peer name lcv1 address " V6_MAC " netns %d && "
	       "ip link set lcv0 master lcbr6 up && "
	       "nsenter --net=/proc/%d/ns/net sh -c 'ip link set lo up && ip link set lcv1 up'",
	       (int)client_ns, (int)client_ns) != 0) {
		rc = 4;
		goto out;
	}
	/* dnsmasq as libvirt runs it on a network with a DHCPv6 range */
	dnsmasq = fork();
	if (dnsmasq == 0) {
		char lf[PATH_MAX + 32], lg[PATH_MAX + 32];
		snprintf(lf, sizeof(lf), "--dhcp-leasefile=%s", leasefile);
		snprintf(lg, sizeof(lg), "--log-facility=%s", dlog);
		execl("/usr/sbin/dnsmasq", "dnsmasq", "--keep-in-foreground",
		      "--conf-file=/dev/null", "--port=0", "--interface=lcbr6", "--bind-dynamic",
		      "--except-interface=lo", "--dhcp-range=fd00:6::10,fd00:6::50,64,1h",
		      "--dhcp-authoritative", "--log-dhcp", lf, lg, "--pid-file=", "--user=root",
		      (char *)NULL);
		_exit(127);
	}
	/* the guest's DHCPv6 client, in the guest's namespace */
	dhclient = fork();
	if (dhclient == 0) {
		char ns[64], lf[PATH_MAX + 16], pf[PATH_MAX + 16];
		snprintf(ns, sizeof(ns), "/proc/%d/ns/net", (int)client_ns);
		snprintf(lf, sizeof(lf), "%s/dhclient6.leases", root);
		snprintf(pf, sizeof(pf), "%s/dhclient6.pid", root);
		int nsfd = open(ns, O_RDONLY | O_CLOEXEC);
		int out = open(clog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0 || out < 0)
			_exit(126);
		dup2(out, 1);
		dup2(out, 2);
		execl(DHCLIENT, "dhclient", "-6", "-d", "-1", "-v", "-cf", "/dev/null", "-sf",
		      "/bin/true", "-lf", lf, "-pf", pf, "lcv1", (char *)NULL);
		_exit(127);
	}
	bool bound = false;
	for (int i = 0; i < 150 && !bound; i++) {
		usleep(100000);
		bound = v6_lease_read(leasefile, &v);
	}
	/* the guest stops: its DHCP client goes without a word (SIGKILL, so
	 * no Release of its own), and its NIC leaves the bridge */
	kill(dhclient, SIGKILL);
	waitpid(dhclient, NULL, 0);
	dhclient = -1;
	if (!bound) {
		fprintf(stderr, "no DHCPv6 lease from dnsmasq in 15 s; dhclient said:\n");
		sh("tail -5 %s >&2; tail -5 %s >&2", clog, dlog);
		rc = 5;
		goto out;
	}
	fprintf(stderr, "dnsmasq leased %s to DUID %s IAID %lu (server DUID %s)\n", v.addr,
		v.client_duid, v.iaid, v.server_duid);
	if (lc_addr_parse(v.addr, strlen(v.addr), &a6) < 0 || id_from(&v, &id) < 0) {
		rc = 6;
		goto out;
	}

	/* another client's DUID, another IAID: dnsmasq answers NoBinding and
	 * keeps the lease */
	bad = id;
	bad.client_duid[bad.client_duid_len - 1] ^= 0xff;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = send6("lcbr6", &a6, &bad, 3000);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (r != -ENOENT) {
		fprintf(stderr, "wrong DUID: %d (%s)\n", r, strerror(-r));
		rc = 7;
		goto out;
	}
	fprintf(stderr, "dnsmasq answered NoBinding to another DUID after %ld ms\n",
		(long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
	bad = id;
	bad.iaid++;
	r = send6("lcbr6", &a6, &bad, 3000);
	if (r != -ENOENT) {
		fprintf(stderr, "wrong IAID: %d (%s)\n", r, strerror(-r));
		rc = 8;
		goto out;
	}
	/* another server's DUID: not for this dnsmasq, no answer at all (its
	 * half second of neighbour solicitations is well inside the wait) */
	bad = id;
	bad.server_duid[bad.server_duid_len - 1] ^= 0xff;
	r = send6("lcbr6", &a6, &bad, 1500);
	if (r != -ETIMEDOUT) {
		fprintf(stderr, "wrong server DUID: %d (%s)\n", r, strerror(-r));
		rc = 9;
		goto out;
	}
	usleep(300000);
	if (!file_has(leasefile, v.addr)) {
		fprintf(stderr, "a wrong Release dropped the lease\n");
		rc = 10;
		goto out;
	}

	/* the guest's NIC is unplugged, as at "stopped": the bridge has no
	 * port and no carrier left */
	if (sh("ip link del lcv0") != 0) {
		rc = 11;
		goto out;
	}
	/* libvirt's leaseshelper would have written this for the lease
	 * (src/network/leaseshelper.c: every value a string but the expiry) */
	char status[2048];
	snprintf(status, sizeof(status),
		 "[\n  {\n    \"iaid\": \"%lu\",\n    \"ip-address\": \"%s\",\n"
		 "    \"mac-address\": \"" V6_MAC "\",\n    \"client-id\": \"%s\",\n"
		 "    \"server-duid\": \"%s\",\n    \"expiry-time\": %lld\n  }\n]\n",
		 v.iaid, v.addr, v.client_duid, v.server_duid, (long long)time(NULL) + 3600);
	char leasedir[PATH_MAX];
	snprintf(leasedir, sizeof(leasedir), "%s/leases", root);
	if (hook_test_write(leasedir, "lcbr6.status", status) < 0) {
		rc = 12;
		goto out;
	}
	/* the guest stops: the hook's own release, from that file */
	char hooklog[4096];
	r = run_release_op(root, "lxc.c1.stopped.end", hooklog, sizeof(hooklog));
	fprintf(stderr, "hook: %s", hooklog);
	if (r != 0 || !strstr(hooklog, "1 of 1 lease released (1 by DHCPv6 Release")) {
		rc = 13;
		goto out;
	}
	rc = 14;
	for (int i = 0; i < 30 && rc; i++) {
		if (!file_has(leasefile, v.addr))
			rc = 0;
		else
			usleep(100000);
	}
	if (rc) {
		fprintf(stderr, "%s still in dnsmasq's lease file after our Release\n", v.addr);
		goto out;
	}
	char needle[512];
	snprintf(needle, sizeof(needle), "DHCPRELEASE(lcbr6) %s", v.client_duid);
	if (!file_has(dlog, needle)) {
		fprintf(stderr, "dnsmasq logged no DHCPRELEASE\n");
		rc = 15;
		goto out;
	}
	/* and dnsmasq holds no binding for it any more */
	r = send6("lcbr6", &a6, &id, 3000);
	if (r != -ENOENT) {
		fprintf(stderr, "Release again: %d (%s)\n", r, strerror(-r));
		rc = 16;
	}
out:
	if (rc) {
		fprintf(stderr, "--- dnsmasq's log:\n");
		sh("grep -v 'requested options\\|sent size\\|nest size' %s | tail -20 >&2", dlog);
	}
	if (dhclient > 0) {
		kill(dhclient, SIGKILL);
		waitpid(dhclient, NULL, 0);
	}
	if (dnsmasq > 0) {
		kill(dnsmasq, SIGTERM);
		waitpid(dnsmasq, NULL, 0);
	}
	kill(client_ns, SIGKILL);
	waitpid(client_ns, NULL, 0);
	return rc;
}

/* A real DHCPv6 exchange (dhclient -6 in a guest namespace, dnsmasq on a
 * bridge in another), then our Release: one naming another DUID or IAID,
 * or another server, leaves dnsmasq's lease; the right one removes it. */
static void test_dnsmasq_drops_lease6(void **state)
{
	struct hook_test_env env;
	(void)state;

	if (!can_unshare_net())
		skip();
	if (!have_tool("/usr/sbin/dnsmasq") || !have_tool(DHCLIENT) ||
	    !have_tool("/usr/bin/nsenter") ||
	    (!have_tool("/sbin/ip") && !have_tool("/usr/sbin/ip")))
		skip(); /* dnsmasq-base, isc-dhcp-client, util-linux, iproute2 */
	assert_int_equal(hook_test_env_setup(&env, NULL), 0);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0)
		_exit(v6_server_side(env.root));
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	hook_test_env_teardown(&env);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_release_packet),
	    cmocka_unit_test(test_release_client_id),
	    cmocka_unit_test(test_release_refuses),
	    cmocka_unit_test(test_release6_packet),
	    cmocka_unit_test(test_release6_temporary),
	    cmocka_unit_test(test_reply6_status),
	    cmocka_unit_test(test_hex),
	    cmocka_unit_test(test_server_addr),
	    cmocka_unit_test(test_send_on_the_wire),
	    cmocka_unit_test(test_dnsmasq_drops_lease),
	    cmocka_unit_test(test_dnsmasq_drops_lease6),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
