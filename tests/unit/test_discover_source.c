/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Discovery's sources, from real bytes: rtnetlink dumps of a lying guest's
 * namespace and of a host side (tests/fixtures/netlink/capture.sh), and
 * Debian qemu-ga 7.2's reply to guest-network-get-interfaces from the same
 * lying guest (tests/fixtures/qemu-ga/capture.sh). */
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "host/discover.h"
#include "tests/unit/unit.h"

static const uint8_t NIC[1][LC_MAC_LEN] = {{0x52, 0x54, 0x00, 0x1c, 0x00, 0x52}};
static const uint8_t DOCKER[1][LC_MAC_LEN] = {{0x02, 0x42, 0xac, 0x11, 0x00, 0x01}};

static struct lc_addr addr(const char *s)
{
	struct lc_addr a;
	assert_int_equal(lc_addr_parse(s, strlen(s), &a), 0);
	return a;
}

/* The index of a in l, or -1. */
static int find(const struct discover_list *l, const char *a)
{
	struct lc_addr want = addr(a);
	for (size_t i = 0; i < l->n; i++)
		if (l->addrs[i].addr.family == want.family &&
		    !memcmp(l->addrs[i].addr.bytes, want.bytes, 16))
			return (int)i;
	return -1;
}

static struct discover_nl *load_nl(const char *fixture, int want_done)
{
	size_t len;
	char *buf = unit_fixture(fixture, &len);
	struct discover_nl *nl = calloc(1, sizeof(*nl));
	assert_non_null(nl);
	assert_int_equal(discover_nl_parse(buf, len, nl), want_done);
	free(buf);
	return nl;
}

static int ifindex_of(const struct discover_nl *nl, const char *name)
{
	for (size_t i = 0; i < nl->n_links; i++)
		if (!strcmp(nl->links[i].name, name))
			return nl->links[i].ifindex;
	fail_msg("no link %s in the dump", name);
	return -1;
}

static void test_netns_guest(void **state)
{
	struct discover_nl *nl = load_nl("netlink/guest.bin", 2);
	struct discover_list *out = calloc(1, sizeof(*out));

	(void)state;
	assert_non_null(out);
	assert_false(nl->truncated);
	/* lo, eth0, its peer p0, docker0, its peer p1 */
	assert_int_equal(nl->n_links, 5);
	ifindex_of(nl, "lo");
	int eth0 = ifindex_of(nl, "eth0");
	for (size_t i = 0; i < nl->n_links; i++) {
		if (nl->links[i].ifindex == eth0) {
			assert_true(nl->links[i].has_mac);
			assert_memory_equal(nl->links[i].mac, NIC[0], LC_MAC_LEN);
		}
		if (!strcmp(nl->links[i].name, "lo"))
			assert_false(nl->links[i].has_mac); /* not Ethernet */
	}

	discover_from_netns(nl, NIC, 1, out);
	/* eth0's addresses, with their prefix lengths, and nothing else */
	assert_true(find(out, "192.168.150.55") >= 0);
	assert_int_equal(out->addrs[find(out, "192.168.150.55")].prefix_len, 24);
	assert_true(find(out, "8.8.8.8") >= 0);
	assert_int_equal(out->addrs[find(out, "8.8.8.8")].prefix_len, 32);
	assert_true(find(out, "fd00:150::55") >= 0);
	assert_int_equal(out->addrs[find(out, "fd00:150::55")].prefix_len, 64);
	assert_int_equal(find(out, "172.17.0.1"), -1);
	assert_int_equal(find(out, "127.0.0.1"), -1);
	assert_int_equal(find(out, "::1"), -1);
	for (size_t i = 0; i < out->n; i++) {
		assert_memory_equal(out->addrs[i].mac, NIC[0], LC_MAC_LEN);
		assert_int_equal(out->addrs[i].source, LC_SOURCE_NETNS);
	}
	/* 3 global ones, and at most eth0's link-local */
	assert_true(out->n == 3 || out->n == 4);

	/* the docker0-like interface is found only by its own MAC */
	out->n = 0;
	discover_from_netns(nl, DOCKER, 1, out);
	assert_int_equal(out->n >= 1, 1);
	assert_int_equal(find(out, "172.17.0.1"), 0);
	assert_int_equal(find(out, "192.168.150.55"), -1);
	/* no MAC, nothing */
	out->n = 0;
	discover_from_netns(nl, NIC, 0, out);
	assert_int_equal(out->n, 0);
	free(out);
	free(nl);
}

static void test_host_side(void **state)
{
	struct discover_nl *nl = load_nl("netlink/host.bin", 4);
	struct discover_list *out = calloc(1, sizeof(*out));
	struct discover_trust *t = calloc(1, sizeof(*t));
	char buf[80];

	(void)state;
	assert_non_null(out);
	assert_non_null(t);
	int br = ifindex_of(nl, "br-lan");
	int v0 = ifindex_of(nl, "v0");
	for (size_t i = 0; i < nl->n_links; i++)
		if (nl->links[i].ifindex == v0)
			assert_int_equal(nl->links[i].master, br);

	/* neighbours of the NIC's MAC on the bridge: reachable, stale,
	 * permanent; not failed, not another MAC's */
	discover_from_neigh(nl, br, NIC, 1, out);
	assert_true(find(out, "192.168.50.77") >= 0);
	assert_true(find(out, "192.168.50.78") >= 0);
	assert_true(find(out, "fd00:50::77") >= 0);
	assert_int_equal(find(out, "192.168.50.79"), -1);
	assert_int_equal(find(out, "192.168.50.80"), -1);
	assert_int_equal(out->n, 3);
	assert_int_equal(out->addrs[0].source, LC_SOURCE_NEIGH);
	/* on another interface, none */
	out->n = 0;
	discover_from_neigh(nl, v0, NIC, 1, out);
	assert_int_equal(out->n, 0);

	/* the host side: the bridge's prefixes and its on-link route; not the
	 * gatewayed route, not the default route, not link-local */
	memcpy(t->mac, NIC[0], LC_MAC_LEN);
	discover_trust_add_host(t, nl, br);
	bool v4 = false, v6 = false, onlink = false;
	for (size_t i = 0; i < t->n_prefixes; i++) {
		const char *p = lc_prefix_format(&t->prefixes[i], buf, sizeof(buf));
		v4 |= !strcmp(p, "192.168.50.0/24");
		v6 |= !strcmp(p, "fd00:50::/64");
		onlink |= !strcmp(p, "10.8.0.0/16");
		if (!strcmp(p, "10.9.0.0/16") || !strcmp(p, "0.0.0.0/0") || !strncmp(p, "fe80", 4))
			fail_msg("%s is not on-link on br-lan", p);
	}
	assert_true(v4 && v6 && onlink);
	assert_int_equal(t->n_prefixes, 3);
	/* the host's own addresses there */
	bool own = false;
	struct lc_addr h = addr("192.168.50.1");
	for (size_t i = 0; i < t->n_host_addrs; i++)
		own |= !memcmp(t->host_addrs[i].bytes, h.bytes, 16) &&
		       t->host_addrs[i].family == AF_INET;
	assert_true(own);
	/* nothing on an interface of no index */
	struct discover_trust *none = calloc(1, sizeof(*none));
	assert_non_null(none);
	discover_trust_add_host(none, nl, 0);
	assert_int_equal(none->n_prefixes + none->n_host_addrs, 0);
	free(none);
	free(t);
	free(out);
	free(nl);
}

/* Every cut of a dump either parses (at a message boundary) or is
 * refused; never past the buffer (ASan and valgrind see to that). */
static void test_netlink_cut(void **state)
{
	size_t len;
	char *buf = unit_fixture("netlink/host.bin", &len);
	struct discover_nl *nl = malloc(sizeof(*nl));
	size_t refused = 0;

	(void)state;
	assert_non_null(nl);
	for (size_t cut = 0; cut < len; cut++) {
		char *copy = malloc(cut ? cut : 1);
		assert_non_null(copy);
		memcpy(copy, buf, cut);
		memset(nl, 0, sizeof(*nl));
		int r = discover_nl_parse(copy, cut, nl);
		assert_true(r == -EBADMSG || (r >= 0 && r < 4));
		refused += r == -EBADMSG;
		free(copy);
	}
	assert_true(refused > len / 2);

	/* a length past the end, a length shorter than a header */
	struct nlmsghdr h;
	memcpy(&h, buf, sizeof(h));
	h.nlmsg_len = (uint32_t)len + 4;
	memcpy(buf, &h, sizeof(h));
	memset(nl, 0, sizeof(*nl));
	assert_int_equal(discover_nl_parse(buf, len, nl), -EBADMSG);
	h.nlmsg_len = 8;
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(discover_nl_parse(buf, len, nl), -EBADMSG);

	/* an NLMSG_ERROR gives its errno */
	struct {
		struct nlmsghdr h;
		struct nlmsgerr e;
	} err = {.h = {.nlmsg_len = sizeof(err), .nlmsg_type = NLMSG_ERROR},
		 .e = {.error = -EPERM}};
	assert_int_equal(discover_nl_parse(&err, sizeof(err), nl), -EPERM);
	err.e.error = 0; /* an ack */
	assert_int_equal(discover_nl_parse(&err, sizeof(err), nl), 0);
	free(nl);
	free(buf);
}

static void test_agent_reply(void **state)
{
	size_t len;
	char *reply = unit_fixture("qemu-ga/guest-network-get-interfaces.json", &len);
	struct discover_list *out = calloc(1, sizeof(*out));

	(void)state;
	assert_non_null(out);
	assert_int_equal(discover_from_agent(reply, len, NIC, 1, out), 0);
	/* eth0's four addresses, in the agent's order, with prefixes */
	assert_int_equal(out->n, 4);
	assert_int_equal(find(out, "192.168.150.55"), 0);
	assert_int_equal(out->addrs[0].prefix_len, 24);
	assert_int_equal(find(out, "8.8.8.8"), 1);
	assert_int_equal(find(out, "fd00:150::55"), 2);
	assert_int_equal(out->addrs[2].prefix_len, 64);
	assert_int_equal(find(out, "fe80::5054:ff:fe1c:52"), 3);
	for (size_t i = 0; i < out->n; i++) {
		assert_int_equal(out->addrs[i].source, LC_SOURCE_AGENT);
		assert_memory_equal(out->addrs[i].mac, NIC[0], LC_MAC_LEN);
	}
	out->n = 0;
	assert_int_equal(discover_from_agent(reply, len, DOCKER, 1, out), 0);
	assert_int_equal(find(out, "172.17.0.1"), 0);
	assert_int_equal(out->n, 2);
	/* lo's MAC (all zero) is nobody's NIC */
	static const uint8_t ZERO[1][LC_MAC_LEN] = {{0}};
	out->n = 0;
	assert_int_equal(discover_from_agent(reply, len, ZERO, 1, out), 0);
	assert_int_equal(out->n, 2); /* 127.0.0.1 and ::1: the trust rule drops them */

	/* a reply cut anywhere gives nothing, and keeps what was there */
	out->n = 1;
	for (size_t cut = 0; cut + 1 < len; cut++) {
		/* trailing whitespace (the newline) is still the whole reply */
		if (strspn(reply + cut, " \r\n") == len - cut)
			continue;
		assert_int_equal(discover_from_agent(reply, cut, NIC, 1, out), -EBADMSG);
		assert_int_equal(out->n, 1);
	}
	free(reply);
	free(out);
}

/* The agent of a real (TCG) guest on br-lan, through libvirt. */
static void test_agent_vm(void **state)
{
	static const uint8_t VM[1][LC_MAC_LEN] = {{0x52, 0x54, 0x00, 0x1c, 0x07, 0x52}};
	size_t len;
	char *reply = unit_fixture("qemu-ga/vm-lan.json", &len);
	struct discover_list *out = calloc(1, sizeof(*out)), *ok = calloc(1, sizeof(*ok));
	struct discover_trust *t = calloc(1, sizeof(*t));
	struct lc_prefix lan;

	(void)state;
	assert_true(out && ok && t);
	assert_int_equal(discover_from_agent(reply, len, VM, 1, out), 0);
	assert_int_equal(out->n, 2);
	assert_int_equal(find(out, "192.168.77.131"), 0);
	assert_int_equal(out->addrs[0].prefix_len, 24);
	assert_int_equal(find(out, "fe80::5054:ff:fe1c:752"), 1);
	/* through the rule, with br-lan's prefix: the lease's address alone */
	memcpy(t->mac, VM[0], LC_MAC_LEN);
	assert_int_equal(lc_prefix_parse("192.168.77.0/24", 15, &lan), 0);
	discover_trust_add(t, &lan, 1);
	discover_filter(out, t, 1, ok, NULL);
	assert_int_equal(ok->n, 1);
	assert_int_equal(find(ok, "192.168.77.131"), 0);
	free(t);
	free(ok);
	free(out);
	free(reply);
}

static void test_agent_odd(void **state)
{
	struct discover_list *out = calloc(1, sizeof(*out));
	static const char *bad[] = {
	    "{\"error\":{\"class\":\"CommandNotFound\",\"desc\":\"no\"}}",
	    "{\"return\":{}}",
	    "[]",
	    "{\"return\":[]} x",
	    "",
	};
	/* the MAC after the addresses, in upper case; a type that does not
	 * match its address; a prefix that is no number; odd members */
	const char *odd =
	    "{\"return\":[{\"ip-addresses\":["
	    "{\"ip-address-type\":\"ipv4\",\"ip-address\":\"192.168.150.56\",\"prefix\":24},"
	    "{\"ip-address-type\":\"ipv4\",\"ip-address\":\"fd00::1\",\"prefix\":64},"
	    "{\"ip-address-type\":\"ipv6\",\"ip-address\":\"fd00::2\",\"prefix\":\"64\"},"
	    "{\"ip-address\":\"10.0.0.1\"},"
	    "[1,2], 7, {\"ip-address-type\":\"ipv4\",\"ip-address\":\"300.1.1.1\"}],"
	    "\"name\":\"ens3\",\"hardware-address\":\"52:54:00:1C:00:52\"},"
	    "{\"name\":\"x\"}, 5, \"y\"], \"id\": 1}\n";

	(void)state;
	assert_non_null(out);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(discover_from_agent(bad[i], strlen(bad[i]), NIC, 1, out),
				 -EBADMSG);
	assert_int_equal(out->n, 0);
	assert_int_equal(discover_from_agent(odd, strlen(odd), NIC, 1, out), 0);
	assert_int_equal(out->n, 2);
	assert_int_equal(find(out, "192.168.150.56"), 0);
	assert_int_equal(find(out, "fd00::2"), 1);
	assert_int_equal(out->addrs[1].prefix_len, 0);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_netns_guest), cmocka_unit_test(test_host_side),
	    cmocka_unit_test(test_netlink_cut), cmocka_unit_test(test_agent_reply),
	    cmocka_unit_test(test_agent_vm),	cmocka_unit_test(test_agent_odd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
