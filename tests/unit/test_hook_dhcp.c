/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DHCPRELEASE: the bytes, the socket, and a real dnsmasq dropping the lease. */
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

#include <cmocka.h>

#include "hooks/hook.h"
#include "tests/unit/hook_test_util.h"

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
	    hook_dhcp4_release_build(pkt, sizeof(pkt), MAC, &ci, &srv, NULL, 0, 0x11223344),
	    HOOK_DHCP4_PACKET_SIZE);
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
	for (int i = 240 + (int)sizeof(opts); i < HOOK_DHCP4_PACKET_SIZE; i++)
		assert_int_equal(pkt[i], 0);		     /* pad */
	assert_int_equal(pkt[HOOK_DHCP4_PACKET_SIZE], 0xee); /* nothing past the packet */
}

static void test_release_client_id(void **state)
{
	uint8_t pkt[HOOK_DHCP4_PACKET_SIZE], cid[32];
	struct lc_addr ci = addr("10.0.0.2"), srv = addr("10.0.0.1");
	(void)state;

	/* as libvirt's .status writes it */
	ssize_t n = hook_hex_parse("01:52:54:00:15:00:03", cid, sizeof(cid));
	assert_int_equal(n, 7);
	assert_int_equal(
	    hook_dhcp4_release_build(pkt, sizeof(pkt), MAC, &ci, &srv, cid, (size_t)n, 1),
	    HOOK_DHCP4_PACKET_SIZE);
	const uint8_t opts[] = {53, 1, 7,    54,   4, 10,   0, 0, 1,  61,
				7,  1, 0x52, 0x54, 0, 0x15, 0, 3, 255};
	assert_memory_equal(pkt + 240, opts, sizeof(opts));

	/* the longest client id still fits the 308 option bytes */
	uint8_t big[255];
	memset(big, 0xab, sizeof(big));
	assert_int_equal(hook_dhcp4_release_build(pkt, sizeof(pkt), MAC, &ci, &srv, big, 255, 1),
			 HOOK_DHCP4_PACKET_SIZE);
	assert_int_equal(pkt[240 + 9], 61);
	assert_int_equal(pkt[240 + 10], 255);
	assert_int_equal(pkt[240 + 11 + 255], 255);
}

static void test_release_refuses(void **state)
{
	uint8_t pkt[HOOK_DHCP4_PACKET_SIZE];
	struct lc_addr ci = addr("10.0.0.2"), srv = addr("10.0.0.1"), v6 = addr("fd00::2");
	uint8_t cid[1] = {1};
	(void)state;

	assert_int_equal(hook_dhcp4_release_build(pkt, sizeof(pkt) - 1, MAC, &ci, &srv, NULL, 0, 0),
			 -ENOBUFS);
	assert_int_equal(hook_dhcp4_release_build(pkt, sizeof(pkt), MAC, &v6, &srv, NULL, 0, 0),
			 -EINVAL);
	assert_int_equal(hook_dhcp4_release_build(pkt, sizeof(pkt), MAC, &ci, &v6, NULL, 0, 0),
			 -EINVAL);
	assert_int_equal(hook_dhcp4_release_build(pkt, sizeof(pkt), MAC, &ci, &srv, cid, 256, 0),
			 -EINVAL);
	assert_int_equal(hook_dhcp4_release_build(pkt, sizeof(pkt), MAC, &ci, &srv, NULL, 3, 0),
			 -EINVAL);
	assert_int_equal(hook_dhcp4_release_build(NULL, 0, MAC, &ci, &srv, NULL, 0, 0), -EINVAL);
}

static void test_release6_packet(void **state)
{
	uint8_t pkt[256], cduid[14], sduid[10];
	struct lc_addr a6 = addr("fd00:150::1:12"), a4 = addr("10.0.0.2");
	(void)state;

	assert_int_equal(
	    hook_hex_parse("00:01:00:01:2c:4e:1a:3b:52:54:00:15:00:03", cduid, sizeof(cduid)), 14);
	assert_int_equal(hook_hex_parse("00:03:00:01:52:54:00:65:b2:e5", sduid, sizeof(sduid)), 10);
	ssize_t n = hook_dhcp6_release_build(pkt, sizeof(pkt), cduid, 14, sduid, 10, 0x00150003,
					     &a6, 0xabcdef);
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
	    hook_dhcp6_release_build(pkt, sizeof(pkt), cduid, 14, sduid, 10, 1, &a4, 1), -EINVAL);
	assert_int_equal(hook_dhcp6_release_build(pkt, 40, cduid, 14, sduid, 10, 1, &a6, 1),
			 -ENOBUFS);
}

static void test_hex(void **state)
{
	uint8_t b[8];
	(void)state;

	assert_int_equal(hook_hex_parse("ff", b, sizeof(b)), 1);
	assert_int_equal(b[0], 0xff);
	/* dnsmasq drops leading zeros */
	assert_int_equal(hook_hex_parse("1:a:ff", b, sizeof(b)), 3);
	assert_int_equal(b[0], 1);
	assert_int_equal(b[1], 0xa);
	assert_int_equal(hook_hex_parse("", b, sizeof(b)), -EINVAL);
	assert_int_equal(hook_hex_parse("zz", b, sizeof(b)), -EINVAL);
	assert_int_equal(hook_hex_parse("01:", b, sizeof(b)), -EINVAL);
	assert_int_equal(hook_hex_parse("01-02", b, sizeof(b)), -EINVAL);
	assert_int_equal(hook_hex_parse("1:2:3:4:5:6:7:8:9", b, sizeof(b)), -ENOBUFS);
}

static void test_server_addr(void **state)
{
	struct lc_addr ci = addr("127.0.0.5"), ret, v6 = addr("fd00::99");
	char a[64];
	(void)state;

	assert_int_equal(hook_dhcp_server_addr("lo", &ci, &ret), 0);
	assert_string_equal(lc_addr_format(&ret, a, sizeof(a)), "127.0.0.1");
	assert_int_equal(hook_dhcp_server_addr("no-such-if0", &ci, &ret), -EADDRNOTAVAIL);
	/* lo's ::1 is no subnet of fd00::/64, but the first v6 address serves */
	int r = hook_dhcp_server_addr("lo", &v6, &ret);
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

/* In a child in its own network namespace: what hook_dhcp4_release_send
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
		if (hook_dhcp4_release_send("lo", &ci, MAC) < 0)
			_exit(4);
		uint8_t got[1024], want[HOOK_DHCP4_PACKET_SIZE];
		struct timeval tv = {2, 0};
		setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		ssize_t n = recv(s, got, sizeof(got), 0);
		if (n != HOOK_DHCP4_PACKET_SIZE)
			_exit(5);
		hook_dhcp4_release_build(want, sizeof(want), MAC, &ci, &srv, NULL, 0,
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
		else if (hook_dhcp4_release_send("lcbr0", &ci, other) < 0)
			rc = 5;
		else if (usleep(500000), !lease_listed(leasefile, "10.9.0.23"))
			rc = 7;
		else if (hook_dhcp4_release_send("lcbr0", &ci, MAC) < 0)
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_release_packet),
	    cmocka_unit_test(test_release_client_id),
	    cmocka_unit_test(test_release_refuses),
	    cmocka_unit_test(test_release6_packet),
	    cmocka_unit_test(test_hex),
	    cmocka_unit_test(test_server_addr),
	    cmocka_unit_test(test_send_on_the_wire),
	    cmocka_unit_test(test_dnsmasq_drops_lease),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
