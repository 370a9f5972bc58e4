/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hook records: the format, and the atomic files in the runstate dir. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "resolver/resolver.h"
#include "tests/unit/unit.h"

static void mac(const char *s, uint8_t out[LC_MAC_LEN])
{
	assert_int_equal(lc_mac_parse(s, strlen(s), out), 0);
}

static void addr(const char *s, struct lc_addr *out)
{
	assert_int_equal(lc_addr_parse(s, strlen(s), out), 0);
}

/* The node1 of the design: two NICs, isolated first in the XML. */
static struct lc_guest_record *node1(void)
{
	struct lc_guest_record *g = calloc(1, sizeof(*g));
	assert_non_null(g);
	strcpy(g->name, "node1");
	strcpy(g->uuid, "112a8f63-4b6c-4f0e-9d5e-0c1d2e3f4a5b");
	strcpy(g->driver, "lxc");
	strcpy(g->cluster, "lab");
	strcpy(g->group, "WEB");
	mac("52:54:00:16:00:01", g->nics[0].mac);
	strcpy(g->nics[0].network, "int");
	strcpy(g->nics[0].bridge, "virbr-int");
	mac("52:54:00:15:00:01", g->nics[1].mac);
	strcpy(g->nics[1].network, "ext");
	strcpy(g->nics[1].bridge, "virbr-ext");
	/* a NIC on a plain bridge: no libvirt network */
	mac("52:54:00:17:00:01", g->nics[2].mac);
	strcpy(g->nics[2].bridge, "br0");
	g->n_nics = 3;
	return g;
}

static struct lc_net_record ext_net(void)
{
	struct lc_net_record n = {0};
	strcpy(n.name, "ext");
	strcpy(n.uuid, "33260b1e-8c8a-4f41-a0e7-5c3f5f7b9d10");
	strcpy(n.bridge, "virbr-ext");
	n.ifindex = 5;
	strcpy(n.forward, "nat");
	n.klass = LC_CLASS_EXTERNAL;
	strcpy(n.domain, "lab.test");
	addr("192.168.150.1", &n.addrs[0]);
	addr("fd00:150::1", &n.addrs[1]);
	n.n_addrs = 2;
	return n;
}

static void assert_guest_equal(const struct lc_guest_record *a, const struct lc_guest_record *b)
{
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->uuid, b->uuid);
	assert_string_equal(a->driver, b->driver);
	assert_string_equal(a->cluster, b->cluster);
	assert_string_equal(a->group, b->group);
	assert_int_equal(a->n_nics, b->n_nics);
	for (size_t i = 0; i < a->n_nics; i++) {
		assert_memory_equal(a->nics[i].mac, b->nics[i].mac, LC_MAC_LEN);
		assert_string_equal(a->nics[i].network, b->nics[i].network);
		assert_string_equal(a->nics[i].bridge, b->nics[i].bridge);
	}
}

static void assert_net_equal(const struct lc_net_record *a, const struct lc_net_record *b)
{
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->uuid, b->uuid);
	assert_string_equal(a->bridge, b->bridge);
	assert_int_equal(a->ifindex, b->ifindex);
	assert_string_equal(a->forward, b->forward);
	assert_int_equal(a->klass, b->klass);
	assert_string_equal(a->domain, b->domain);
	assert_int_equal(a->n_addrs, b->n_addrs);
	for (size_t i = 0; i < a->n_addrs; i++) {
		assert_int_equal(a->addrs[i].family, b->addrs[i].family);
		assert_memory_equal(a->addrs[i].bytes, b->addrs[i].bytes,
				    a->addrs[i].family == AF_INET ? 4 : 16);
	}
}

/* ---- format and parse ------------------------------------------------------- */

static void test_guest_format(void **state)
{
	struct lc_guest_record *g = node1();
	char buf[1024];

	assert_int_equal(lc_guest_record_format(g, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "libvirt-cluster record 1\n"
				 "kind guest\n"
				 "name node1\n"
				 "uuid 112a8f63-4b6c-4f0e-9d5e-0c1d2e3f4a5b\n"
				 "driver lxc\n"
				 "cluster lab\n"
				 "group WEB\n"
				 "nic 52:54:00:16:00:01 int virbr-int\n"
				 "nic 52:54:00:15:00:01 ext virbr-ext\n"
				 "nic 52:54:00:17:00:01 - br0\n");
	free(g);
}

static void test_guest_round_trip(void **state)
{
	struct lc_guest_record *g = node1(), *back = calloc(1, sizeof(*back));
	char buf[4096];

	assert_non_null(back);
	assert_int_equal(lc_guest_record_format(g, buf, sizeof(buf)), 0);
	assert_int_equal(lc_guest_record_parse(buf, strlen(buf), back), 0);
	assert_guest_equal(back, g);

	/* the minimum: a name, nothing else */
	struct lc_guest_record *min = calloc(1, sizeof(*min));
	assert_non_null(min);
	strcpy(min->name, "c4");
	assert_int_equal(lc_guest_record_format(min, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "libvirt-cluster record 1\nkind guest\nname c4\n");
	assert_int_equal(lc_guest_record_parse(buf, strlen(buf), back), 0);
	assert_guest_equal(back, min);

	/* the most NICs a record holds */
	for (size_t i = 0; i < LC_RECORD_MAX_NICS; i++) {
		g->nics[i].mac[5] = (uint8_t)i;
		snprintf(g->nics[i].network, sizeof(g->nics[i].network), "net%zu", i);
		snprintf(g->nics[i].bridge, sizeof(g->nics[i].bridge), "virbr%zu", i);
	}
	g->n_nics = LC_RECORD_MAX_NICS;
	assert_int_equal(lc_guest_record_format(g, buf, sizeof(buf)), 0);
	assert_int_equal(lc_guest_record_parse(buf, strlen(buf), back), 0);
	assert_guest_equal(back, g);
	free(min);
	free(back);
	free(g);
}

static void test_net_round_trip(void **state)
{
	struct lc_net_record n = ext_net(), back;
	char buf[2048];

	assert_int_equal(lc_net_record_format(&n, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "libvirt-cluster record 1\n"
				 "kind network\n"
				 "name ext\n"
				 "uuid 33260b1e-8c8a-4f41-a0e7-5c3f5f7b9d10\n"
				 "bridge virbr-ext\n"
				 "ifindex 5\n"
				 "forward nat\n"
				 "class external\n"
				 "domain lab.test\n"
				 "address 192.168.150.1\n"
				 "address fd00:150::1\n");
	assert_int_equal(lc_net_record_parse(buf, strlen(buf), &back), 0);
	assert_net_equal(&back, &n);

	/* an isolated network without forward mode, domain or addresses */
	struct lc_net_record iso = {0};
	strcpy(iso.name, "int");
	strcpy(iso.bridge, "virbr-int");
	iso.klass = LC_CLASS_ISOLATED;
	assert_int_equal(lc_net_record_format(&iso, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "class isolated\n"));
	assert_null(strstr(buf, "forward"));
	assert_int_equal(lc_net_record_parse(buf, strlen(buf), &back), 0);
	assert_net_equal(&back, &iso);
}

static void test_parse_tolerant(void **state)
{
	struct lc_net_record n;
	struct lc_guest_record *g = calloc(1, sizeof(*g));
	const char *net = "# written by libvirt-cluster-hook\n"
			  "libvirt-cluster record 1\n"
			  "\n"
			  "kind network\n"
			  "# a comment\n"
			  "name ext\n"
			  "future-key some value\n"
			  "domain Lab.Test\n"
			  "class routed-someday\n"
			  "bridge virbr-ext\n";
	const char *guest = "libvirt-cluster record 1\n"
			    "kind guest\n"
			    "name c2\n"
			    "nic 52:54:00:15:00:02 labnet\n" /* no bridge */
			    "newer 1\n";

	assert_non_null(g);
	/* comments, blank lines and unknown keys are fine; the domain is
	 * lower-cased; an unknown class is unknown */
	assert_int_equal(lc_net_record_parse(net, strlen(net), &n), 0);
	assert_string_equal(n.name, "ext");
	assert_string_equal(n.domain, "lab.test");
	assert_string_equal(n.bridge, "virbr-ext");
	assert_int_equal(n.klass, LC_CLASS_UNKNOWN);
	/* a network record that says nothing about the class: unknown */
	const char *bare = "libvirt-cluster record 1\nkind network\nname x\n";
	assert_int_equal(lc_net_record_parse(bare, strlen(bare), &n), 0);
	assert_int_equal(n.klass, LC_CLASS_UNKNOWN);

	assert_int_equal(lc_guest_record_parse(guest, strlen(guest), g), 0);
	assert_string_equal(g->name, "c2");
	assert_int_equal(g->n_nics, 1);
	assert_string_equal(g->nics[0].network, "labnet");
	assert_string_equal(g->nics[0].bridge, "");
	free(g);
}

static void test_parse_rejects(void **state)
{
	struct lc_guest_record *g = calloc(1, sizeof(*g));
	struct lc_net_record n;
	static const char *bad_guests[] = {
	    /* bad header */
	    "libvirt-cluster record 2\nkind guest\nname x\n",
	    "libvirt-cluster record 1 \nkind guest\nname x\n",
	    "kind guest\nname x\n",
	    "",
	    /* missing name, empty name, "." and ".." */
	    "libvirt-cluster record 1\nkind guest\nuuid 1\n",
	    "libvirt-cluster record 1\nkind guest\nname \n",
	    "libvirt-cluster record 1\nkind guest\nname .\n",
	    "libvirt-cluster record 1\nkind guest\nname ..\n",
	    "libvirt-cluster record 1\nkind guest\nname a/b\n",
	    /* wrong or missing kind */
	    "libvirt-cluster record 1\nkind network\nname x\n",
	    "libvirt-cluster record 1\nname x\n",
	    "libvirt-cluster record 1\nkind guests\nname x\n",
	    /* no final newline: cut short, not written by us */
	    "libvirt-cluster record 1\nkind guest\nname x",
	    /* a NIC line that does not parse */
	    "libvirt-cluster record 1\nkind guest\nname x\nnic 52:54:00:zz:00:01 n b\n",
	    "libvirt-cluster record 1\nkind guest\nname x\nnic 52:54:00:15:00:01\n",
	    /* a field too long for its slot */
	    "libvirt-cluster record 1\nkind guest\nname x\ndriver qemuqemuqemuqemu\n",
	};
	for (size_t i = 0; i < sizeof(bad_guests) / sizeof(bad_guests[0]); i++) {
		int r = lc_guest_record_parse(bad_guests[i], strlen(bad_guests[i]), g);
		if (r != -EBADMSG)
			fail_msg("guest record %zu: r=%d, expected -EBADMSG:\n%s", i, r,
				 bad_guests[i]);
	}
	const char nul[] = "libvirt-cluster record 1\nkind guest\nname x\0y\n";
	assert_int_equal(lc_guest_record_parse(nul, sizeof(nul) - 1, g), -EBADMSG);

	static const char *bad_nets[] = {
	    "libvirt-cluster record 1\nkind guest\nname x\n",
	    "libvirt-cluster record 1\nkind network\nbridge virbr0\n",
	    "libvirt-cluster record 1\nkind network\nname x\nifindex five\n",
	    "libvirt-cluster record 1\nkind network\nname x\nifindex -1\n",
	    "libvirt-cluster record 1\nkind network\nname x\naddress 192.168.150.256\n",
	    "libvirt-cluster record 1\nkind network\nname x",
	};
	for (size_t i = 0; i < sizeof(bad_nets) / sizeof(bad_nets[0]); i++) {
		memset(&n, 0x5a, sizeof(n));
		int r = lc_net_record_parse(bad_nets[i], strlen(bad_nets[i]), &n);
		if (r != -EBADMSG)
			fail_msg("net record %zu: r=%d, expected -EBADMSG:\n%s", i, r, bad_nets[i]);
		assert_int_equal((unsigned char)n.name[0], 0x5a); /* untouched */
	}
	free(g);
}

/* ---- discovered addresses ------------------------------------------------------ */

static void seen(struct lc_seen_addr *s, const char *m, const char *a, enum lc_addr_source src,
		 int64_t t)
{
	mac(m, s->mac);
	addr(a, &s->addr);
	s->source = src;
	s->seen = t;
}

static void assert_seen_equal(const struct lc_seen_addr *a, const struct lc_seen_addr *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_memory_equal(a[i].mac, b[i].mac, LC_MAC_LEN);
		assert_int_equal(a[i].addr.family, b[i].addr.family);
		assert_memory_equal(a[i].addr.bytes, b[i].addr.bytes, 16);
		assert_int_equal(a[i].source, b[i].source);
		assert_int_equal(a[i].seen, b[i].seen);
	}
}

static void test_guest_seen(void **state)
{
	struct lc_guest_record *g = node1(), *back = calloc(1, sizeof(*back));
	char buf[16384];

	(void)state;
	assert_non_null(back);
	seen(&g->seen[0], "52:54:00:17:00:01", "192.168.50.55", LC_SOURCE_NETNS, 1764700000);
	seen(&g->seen[1], "52:54:00:17:00:01", "fd00:50::55", LC_SOURCE_AGENT, 1764700001);
	seen(&g->seen[2], "52:54:00:15:00:01", "192.168.150.9", LC_SOURCE_NEIGH, 1764700002);
	g->n_seen = 3;
	seen(&g->dropped[0], "52:54:00:17:00:01", "8.8.8.8", LC_SOURCE_NETNS, 1764700000);
	g->n_dropped = 1;
	assert_int_equal(lc_guest_record_format(g, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "nic 52:54:00:17:00:01 - br0\n"
				    "addr 52:54:00:17:00:01 192.168.50.55 netns 1764700000\n"
				    "addr 52:54:00:17:00:01 fd00:50::55 agent 1764700001\n"
				    "addr 52:54:00:15:00:01 192.168.150.9 neigh 1764700002\n"
				    "dropped 52:54:00:17:00:01 8.8.8.8 netns 1764700000\n"));
	assert_int_equal(lc_guest_record_parse(buf, strlen(buf), back), 0);
	assert_guest_equal(back, g);
	assert_int_equal(back->n_seen, 3);
	assert_seen_equal(back->seen, g->seen, 3);
	assert_int_equal(back->n_dropped, 1);
	assert_seen_equal(back->dropped, g->dropped, 1);

	/* a source from a newer writer, and a lease (never a record's): the
	 * line is skipped, the record kept */
	const char *newer = "libvirt-cluster record 1\nkind guest\nname c2\n"
			    "addr 52:54:00:15:00:02 192.168.150.12 mdns 1764700000\n"
			    "addr 52:54:00:15:00:02 192.168.150.13 lease 1764700000\n"
			    "addr 52:54:00:15:00:02 192.168.150.14 netns 0\n";
	assert_int_equal(lc_guest_record_parse(newer, strlen(newer), back), 0);
	assert_int_equal(back->n_seen, 1);
	assert_int_equal(back->seen[0].addr.bytes[3], 14);
	assert_int_equal(back->seen[0].seen, 0);

	/* more than a record holds: the rest are left out, the record kept */
	for (size_t i = 0; i < LC_RECORD_MAX_SEEN; i++)
		seen(&g->seen[i], "52:54:00:17:00:01", "10.0.0.1", LC_SOURCE_NETNS, (int64_t)i);
	g->n_seen = LC_RECORD_MAX_SEEN;
	assert_int_equal(lc_guest_record_format(g, buf, sizeof(buf)), 0);
	strcat(buf, "addr 52:54:00:17:00:01 10.0.0.2 netns 5\n");
	assert_int_equal(lc_guest_record_parse(buf, strlen(buf), back), 0);
	assert_int_equal(back->n_seen, LC_RECORD_MAX_SEEN);
	assert_int_equal(back->seen[LC_RECORD_MAX_SEEN - 1].seen, LC_RECORD_MAX_SEEN - 1);

	static const char *bad[] = {
	    "addr 52:54:00:15:00:02 192.168.150.12 netns\n",
	    "addr 52:54:00:15:00:02 192.168.150.12\n",
	    "addr 52:54:00:15:00:02\n",
	    "addr\n",
	    "addr 52:54:00:15:00:zz 192.168.150.12 netns 1\n",
	    "addr 52:54:00:15:00:02 192.168.150.256 netns 1\n",
	    "addr 52:54:00:15:00:02 192.168.150.12/24 netns 1\n",
	    "addr 52:54:00:15:00:02 192.168.150.12 netns -1\n",
	    "addr 52:54:00:15:00:02 192.168.150.12 netns 1x\n",
	    "addr 52:54:00:15:00:02 192.168.150.12 netns 1 more\n",
	    "addr 52:54:00:15:00:02  192.168.150.12 netns 1\n",
	    "addr 52:54:00:15:00:02 192.168.150.12 netns 1234567890123456789\n",
	    "dropped 52:54:00:15:00:02 8.8.8.8\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char rec[512];
		snprintf(rec, sizeof(rec), "libvirt-cluster record 1\nkind guest\nname c2\n%s",
			 bad[i]);
		int r = lc_guest_record_parse(rec, strlen(rec), back);
		if (r != -EBADMSG)
			fail_msg("line %zu: r=%d, expected -EBADMSG: %s", i, r, bad[i]);
	}
	free(back);
	free(g);
}

static void test_keep_seen(void **state)
{
	struct lc_guest_record *old = node1(), *rec = node1();

	(void)state;
	seen(&old->seen[0], "52:54:00:17:00:01", "192.168.50.55", LC_SOURCE_NETNS, 100);
	seen(&old->seen[1], "52:54:00:99:00:01", "192.168.50.56", LC_SOURCE_NETNS, 100);
	seen(&old->seen[2], "52:54:00:15:00:01", "fd00:150::9", LC_SOURCE_AGENT, 101);
	old->n_seen = 3;
	seen(&old->dropped[0], "52:54:00:17:00:01", "8.8.8.8", LC_SOURCE_NETNS, 100);
	old->n_dropped = 1;
	/* the NIC of MAC 52:54:00:99:00:01 is not the guest's: its line goes */
	lc_guest_record_keep_seen(rec, old);
	assert_int_equal(rec->n_seen, 2);
	assert_seen_equal(&rec->seen[0], &old->seen[0], 1);
	assert_seen_equal(&rec->seen[1], &old->seen[2], 1);
	assert_int_equal(rec->n_dropped, 1);
	/* the NICs go: their lines go */
	rec->n_nics = 1;
	lc_guest_record_keep_seen(rec, old);
	assert_int_equal(rec->n_seen, 0);
	assert_int_equal(rec->n_dropped, 0);
	/* another guest (uuid, or name): nothing carried over */
	rec->n_nics = 3;
	strcpy(rec->uuid, "00000000-0000-4000-8000-000000000000");
	lc_guest_record_keep_seen(rec, old);
	assert_int_equal(rec->n_seen, 0);
	strcpy(rec->uuid, old->uuid);
	strcpy(rec->name, "node2");
	lc_guest_record_keep_seen(rec, old);
	assert_int_equal(rec->n_seen, 0);
	free(old);
	free(rec);
}

static void test_net_subnets(void **state)
{
	struct lc_net_record n = ext_net(), back;
	char buf[2048];

	(void)state;
	assert_int_equal(lc_prefix_parse("192.168.150.0/24", 16, &n.subnets[0]), 0);
	assert_int_equal(lc_prefix_parse("fd00:150::/64", 13, &n.subnets[1]), 0);
	n.n_subnets = 2;
	assert_int_equal(lc_net_record_format(&n, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "address fd00:150::1\nsubnet 192.168.150.0/24\n"
				    "subnet fd00:150::/64\n"));
	assert_int_equal(lc_net_record_parse(buf, strlen(buf), &back), 0);
	assert_net_equal(&back, &n);
	assert_int_equal(back.n_subnets, 2);
	assert_int_equal(back.subnets[0].len, 24);
	assert_int_equal(back.subnets[1].len, 64);
	assert_true(lc_prefix_contains(&back.subnets[1], &n.addrs[1]));
	const char *bad = "libvirt-cluster record 1\nkind network\nname x\nsubnet 10.0.0.0/33\n";
	assert_int_equal(lc_net_record_parse(bad, strlen(bad), &back), -EBADMSG);
}

static void test_groups(void **state)
{
	struct lc_guest_record *g = calloc(1, sizeof(*g));
	char buf[1024];
	static const char *valid[] = {"WEB", "A_1", "A", "DB2", "X_Y_Z"};
	static const char *invalid[] = {"web", "1A", "A-B", "", "_A", "A B", "Web", "A.B"};

	assert_non_null(g);
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
		if (!lc_group_valid(valid[i]))
			fail_msg("\"%s\" should be a valid group", valid[i]);
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		if (lc_group_valid(invalid[i]))
			fail_msg("\"%s\" should be an invalid group", invalid[i]);
	char longest[64], too_long[65];
	memset(longest, 'G', 63);
	longest[63] = '\0';
	memset(too_long, 'G', 64);
	too_long[64] = '\0';
	assert_true(lc_group_valid(longest));
	assert_false(lc_group_valid(too_long));

	/* a record will not be written with a bad group */
	strcpy(g->name, "node1");
	strcpy(g->group, "web");
	assert_int_equal(lc_guest_record_format(g, buf, sizeof(buf)), -EINVAL);
	strcpy(g->group, "A-B");
	assert_int_equal(lc_guest_record_format(g, buf, sizeof(buf)), -EINVAL);
	strcpy(g->group, "A_1");
	assert_int_equal(lc_guest_record_format(g, buf, sizeof(buf)), 0);

	/* and a bad group read from a record is dropped, the record kept */
	const char *rec =
	    "libvirt-cluster record 1\nkind guest\nname node1\ngroup 1A\ncluster lab\n";
	assert_int_equal(lc_guest_record_parse(rec, strlen(rec), g), 0);
	assert_string_equal(g->group, "");
	assert_string_equal(g->cluster, "lab");
	free(g);
}

static void test_names(void **state)
{
	char n255[256], n256[257];

	memset(n255, 'n', 255);
	n255[255] = '\0';
	memset(n256, 'n', 256);
	n256[256] = '\0';
	assert_true(lc_record_name_valid("node1"));
	assert_true(lc_record_name_valid("c3-host.example"));
	assert_true(lc_record_name_valid("..."));
	assert_true(lc_record_name_valid(".hidden"));
	assert_true(lc_record_name_valid(n255));
	assert_false(lc_record_name_valid(n256));
	assert_false(lc_record_name_valid(""));
	assert_false(lc_record_name_valid("."));
	assert_false(lc_record_name_valid(".."));
	assert_false(lc_record_name_valid("a/b"));
	assert_false(lc_record_name_valid("/"));
	assert_false(lc_record_name_valid("a\nb"));
}

static void test_format_rejects(void **state)
{
	struct lc_guest_record *g = node1();
	struct lc_net_record n = ext_net();
	char buf[1024];

	strcpy(g->uuid, "a\nkind network");
	assert_int_equal(lc_guest_record_format(g, buf, sizeof(buf)), -EINVAL);
	free(g);
	g = node1();
	strcpy(g->name, "../etc");
	assert_int_equal(lc_guest_record_format(g, buf, sizeof(buf)), -EINVAL);
	free(g);
	g = node1();
	strcpy(g->nics[1].network, "two words");
	assert_int_equal(lc_guest_record_format(g, buf, sizeof(buf)), -EINVAL);
	free(g);
	g = node1();
	/* too small a buffer */
	assert_int_equal(lc_guest_record_format(g, buf, 64), -ENOBUFS);
	free(g);

	strcpy(n.domain, "lab.test\nname evil");
	assert_int_equal(lc_net_record_format(&n, buf, sizeof(buf)), -EINVAL);
	n = ext_net();
	assert_int_equal(lc_net_record_format(&n, buf, 40), -ENOBUFS);
}

/* ---- files ---------------------------------------------------------------------- */

/* Names in dir, space-separated and sorted. */
static void assert_dir_holds(const char *dir, const char *expected)
{
	struct dirent **list;
	char got[1024] = "";
	int n = scandir(dir, &list, NULL, alphasort);

	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		if (strcmp(list[i]->d_name, ".") && strcmp(list[i]->d_name, "..")) {
			if (got[0])
				strcat(got, " ");
			strcat(got, list[i]->d_name);
		}
		free(list[i]);
	}
	free(list);
	assert_string_equal(got, expected);
}

static void test_write_load_remove_guest(void **state)
{
	const char *dir = *state;
	struct lc_guest_record *g = node1(), *back = calloc(1, sizeof(*back));
	struct stat st;
	char *path = unit_path(dir, "guest-node1.rec");
	mode_t old = umask(077);

	assert_non_null(back);
	assert_int_equal(lc_guest_record_write(dir, g), 0);
	umask(old);
	/* world-readable whatever the umask, and no temp file left behind */
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_dir_holds(dir, "guest-node1.rec");
	assert_int_equal(lc_guest_record_load(dir, "node1", back), 0);
	assert_guest_equal(back, g);

	/* rewriting replaces the file (a new inode: readers see old or new) */
	ino_t first = st.st_ino;
	g->n_nics = 1;
	strcpy(g->group, "DB");
	assert_int_equal(lc_guest_record_write(dir, g), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_ino != first);
	assert_dir_holds(dir, "guest-node1.rec");
	assert_int_equal(lc_guest_record_load(dir, "node1", back), 0);
	assert_int_equal(back->n_nics, 1);
	assert_string_equal(back->group, "DB");

	assert_int_equal(lc_guest_record_remove(dir, "node1"), 0);
	assert_dir_holds(dir, "");
	assert_int_equal(lc_guest_record_load(dir, "node1", back), -ENOENT);
	/* removing what is gone is not an error: hooks run twice */
	assert_int_equal(lc_guest_record_remove(dir, "node1"), 0);
	/* names that would escape the dir are refused */
	assert_int_equal(lc_guest_record_remove(dir, "../x"), -EINVAL);
	assert_int_equal(lc_guest_record_load(dir, "..", back), -EINVAL);
	free(path);
	free(back);
	free(g);
}

static void test_write_load_remove_net(void **state)
{
	const char *dir = *state;
	struct lc_net_record n = ext_net(), back;
	struct stat st;
	char *path = unit_path(dir, "net-ext.rec");

	assert_int_equal(lc_net_record_write(dir, &n), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_dir_holds(dir, "net-ext.rec");
	assert_int_equal(lc_net_record_load(dir, "ext", &back), 0);
	assert_net_equal(&back, &n);
	/* a guest and a network of the same name are two files */
	struct lc_guest_record *g = calloc(1, sizeof(*g));
	assert_non_null(g);
	strcpy(g->name, "ext");
	assert_int_equal(lc_guest_record_write(dir, g), 0);
	assert_dir_holds(dir, "guest-ext.rec net-ext.rec");
	assert_int_equal(lc_guest_record_load(dir, "ext", g), 0);
	/* a network record is not a guest record */
	char *wrong = unit_path(dir, "guest-wrong.rec");
	assert_int_equal(rename(path, wrong), 0);
	free(wrong);
	assert_int_equal(lc_guest_record_load(dir, "wrong", g), -EBADMSG);
	assert_int_equal(lc_net_record_remove(dir, "ext"), 0);
	assert_int_equal(lc_net_record_load(dir, "ext", &back), -ENOENT);
	free(path);
	free(g);
}

static void test_write_creates_dir(void **state)
{
	const char *dir = *state;
	char *sub = unit_path(dir, "libvirt-cluster");
	struct lc_net_record n = ext_net(), back;
	struct stat st;

	assert_int_equal(lc_net_record_write(sub, &n), 0);
	assert_int_equal(stat(sub, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(lc_net_record_load(sub, "ext", &back), 0);
	assert_string_equal(back.domain, "lab.test");
	free(sub);
}

static void test_load_rejects_cut_file(void **state)
{
	const char *dir = *state;
	struct lc_guest_record *g = calloc(1, sizeof(*g));

	assert_non_null(g);
	unit_write(dir, "guest-half.rec", "libvirt-cluster record 1\nkind guest\nname half",
		   (size_t)-1);
	assert_int_equal(lc_guest_record_load(dir, "half", g), -EBADMSG);
	unit_write(dir, "guest-half.rec", "libvirt-cluster record 1\nkind guest\nname half\n",
		   (size_t)-1);
	assert_int_equal(lc_guest_record_load(dir, "half", g), 0);
	assert_string_equal(g->name, "half");
	free(g);
}

static void test_record_file_name(void **state)
{
	enum lc_record_kind k;
	const char *n;
	size_t l;

	assert_true(lc_record_file_name("guest-node1.rec", &k, &n, &l));
	assert_int_equal(k, LC_RECORD_GUEST);
	assert_int_equal(l, 5);
	assert_memory_equal(n, "node1", 5);
	assert_true(lc_record_file_name("net-ext.rec", &k, &n, &l));
	assert_int_equal(k, LC_RECORD_NET);
	assert_int_equal(l, 3);
	assert_memory_equal(n, "ext", 3);
	/* a name with dots and dashes is still one name */
	assert_true(lc_record_file_name("guest-a.b-c.rec", &k, &n, &l));
	assert_int_equal(l, 5);
	static const char *const no[] = {
	    "guest-.rec", "net-.rec",	  "guest-x.rec.tmp.123", "guest-x.re", "x-node1.rec",
	    "guest",	  ".guest-x.rec", "GUEST-x.rec",	 "net-x",      "",
	};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (lc_record_file_name(no[i], &k, &n, &l))
			fail_msg("\"%s\" taken for a record", no[i]);
}

struct seen {
	char names[16][64];
	size_t n;
	int stop_at; /* return -EINTR at this call, -1 never */
};

static int collect(enum lc_record_kind kind, const char *name, void *ud)
{
	struct seen *s = ud;
	if ((int)s->n == s->stop_at)
		return -EINTR;
	snprintf(s->names[s->n++], sizeof(s->names[0]), "%s:%s",
		 kind == LC_RECORD_GUEST ? "guest" : "net", name);
	return 0;
}

static void test_record_dir_foreach(void **state)
{
	const char *dir = *state;
	struct seen s = {.stop_at = -1};
	static const char *const files[] = {"net-int.rec", "guest-b.rec",	 "guest-a.rec",
					    "other.txt",   "guest-c.rec.tmp.99", "net-ext.rec",
					    ".guest-h.rec"};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unit_write(dir, files[i], "x\n", (size_t)-1);
	assert_int_equal(lc_record_dir_foreach(dir, collect, &s), 0);
	/* records only, in byte order of the file names */
	assert_int_equal(s.n, 4);
	assert_string_equal(s.names[0], "guest:a");
	assert_string_equal(s.names[1], "guest:b");
	assert_string_equal(s.names[2], "net:ext");
	assert_string_equal(s.names[3], "net:int");
	/* the callback stops the walk */
	s = (struct seen){.stop_at = 1};
	assert_int_equal(lc_record_dir_foreach(dir, collect, &s), -EINTR);
	assert_int_equal(s.n, 1);
	char *missing = unit_path(dir, "nope");
	assert_int_equal(lc_record_dir_foreach(missing, collect, &s), -ENOENT);
	free(missing);
}

static void test_record_raw_field(void **state)
{
	const char *dir = *state;
	struct lc_guest_record *g = calloc(1, sizeof(*g));
	char buf[64] = "untouched";

	assert_non_null(g);
	unit_write(dir, "guest-w.rec",
		   "libvirt-cluster record 1\nkind guest\nname w\ngroup web-1\n"
		   "cluster lab\ngroup web-2\n",
		   (size_t)-1);
	/* the parser drops the invalid group; the raw field keeps it (the last
	 * line wins, as in the parser) */
	assert_int_equal(lc_guest_record_load(dir, "w", g), 0);
	assert_string_equal(g->group, "");
	assert_int_equal(lc_record_raw_field(dir, LC_RECORD_GUEST, "w", "group", buf, sizeof(buf)),
			 1);
	assert_string_equal(buf, "web-2");
	assert_int_equal(
	    lc_record_raw_field(dir, LC_RECORD_GUEST, "w", "cluster", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "lab");
	/* absent key, short buffer (buf untouched), wrong kind, no record */
	strcpy(buf, "untouched");
	assert_int_equal(lc_record_raw_field(dir, LC_RECORD_GUEST, "w", "uuid", buf, sizeof(buf)),
			 0);
	assert_int_equal(lc_record_raw_field(dir, LC_RECORD_GUEST, "w", "group", buf, 5), -ENOBUFS);
	assert_string_equal(buf, "untouched");
	assert_int_equal(lc_record_raw_field(dir, LC_RECORD_NET, "w", "group", buf, sizeof(buf)),
			 -ENOENT);
	unit_write(dir, "net-w.rec", "libvirt-cluster record 1\nkind guest\nname w\n", (size_t)-1);
	assert_int_equal(lc_record_raw_field(dir, LC_RECORD_NET, "w", "name", buf, sizeof(buf)),
			 -EBADMSG);
	unit_write(dir, "guest-bad.rec", "not a record\ngroup X\n", (size_t)-1);
	assert_int_equal(
	    lc_record_raw_field(dir, LC_RECORD_GUEST, "bad", "group", buf, sizeof(buf)), -EBADMSG);
	assert_int_equal(
	    lc_record_raw_field(dir, LC_RECORD_GUEST, "../w", "group", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(lc_record_raw_field(dir, LC_RECORD_GUEST, "w", "", buf, sizeof(buf)),
			 -EINVAL);
	assert_string_equal(buf, "untouched");
	free(g);
}

#define D(f) cmocka_unit_test_setup_teardown(f, unit_setup_tmpdir, unit_teardown_tmpdir)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_guest_format),   cmocka_unit_test(test_guest_round_trip),
	    cmocka_unit_test(test_net_round_trip), cmocka_unit_test(test_parse_tolerant),
	    cmocka_unit_test(test_parse_rejects),  cmocka_unit_test(test_guest_seen),
	    cmocka_unit_test(test_keep_seen),	   cmocka_unit_test(test_net_subnets),
	    cmocka_unit_test(test_groups),	   cmocka_unit_test(test_names),
	    cmocka_unit_test(test_format_rejects), D(test_write_load_remove_guest),
	    D(test_write_load_remove_net),	   D(test_write_creates_dir),
	    D(test_load_rejects_cut_file),
	    cmocka_unit_test(test_record_file_name),
	    D(test_record_dir_foreach),
	    D(test_record_raw_field),
	};
	return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
