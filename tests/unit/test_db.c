/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The db over real directory trees: what a lookup answers over the captured
 * libvirt directory, how the db ranks a host's addresses (classes, prefer,
 * hook records) and which names find a host.  Missing, broken and unusual
 * lease dirs are test_db_files.c's, one guest's leases for the hook
 * test_db_guest_leases.c's.  `now` is always injected: the fixture leases
 * expire at 1795781219 (2026-11-27 12:06:59 UTC). */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "tests/unit/db_test_util.h"

/* ---- the captured libvirt directory -------------------------------------------- */

static void test_fixture_dir(void **state)
{
	struct dbt *t = *state;
	const struct lc_host *h;

	copy_fixtures(t);
	load(t, NOW);
	assert_false(lc_db_unavailable(t->db));

	h = expect(t, "c2", AF_UNSPEC, "192.168.150.11");
	assert_string_equal(h->name, "c2");
	assert_true(h->running);
	assert_true(h->guest);
	assert_int_equal(h->n_addrs, 1);
	assert_string_equal(h->addrs[0].network, "labnet");
	assert_string_equal(h->addrs[0].bridge, "virbr-lab");
	assert_string_equal(h->addrs[0].domain, "lab.test");
	assert_string_equal(h->addrs[0].mac_str, "52:54:00:15:00:02");
	assert_int_equal(h->addrs[0].klass, LC_CLASS_EXTERNAL);
	assert_int_equal(h->addrs[0].expiry, FIXTURE_EXPIRY);
	assert_int_equal(h->addrs[0].nic_index, -1); /* no hook record */
	assert_null(h->driver);
	assert_null(h->cluster);

	/* c3's DHCP hostname is c3-host: both names are c3 */
	h = expect(t, "c3", AF_UNSPEC, "192.168.150.12");
	assert_string_equal(h->name, "c3");
	h = expect(t, "c3-host", AF_UNSPEC, "192.168.150.12");
	assert_string_equal(h->name, "c3");
	expect(t, "c2.lab.test", AF_UNSPEC, "192.168.150.11");
	expect(t, "c3-host.lab.test", AF_UNSPEC, "192.168.150.12");
	expect_status(t, "c2.iso.test", AF_UNSPEC, LC_NOTFOUND);

	/* c1 was destroyed: its leases stay in both .status files, but its
	 * MACs are in no .macs */
	expect_status(t, "c1", AF_UNSPEC, LC_NOTFOUND);
	expect_status(t, "c1.lab.test", AF_UNSPEC, LC_NOTFOUND);
	expect_addr(t, "192.168.150.10", LC_NOTFOUND);
	expect_addr(t, "192.168.160.55", LC_NOTFOUND);
	/* c4 never had a lease and is gone */
	expect_status(t, "c4", AF_UNSPEC, LC_NOTFOUND);
	expect_status(t, "www.example.org", AF_UNSPEC, LC_NOTFOUND);

	h = expect_addr(t, "192.168.150.11", LC_FOUND);
	assert_string_equal(h->name, "c2");
	h = expect_addr(t, "192.168.150.12", LC_FOUND);
	assert_string_equal(h->name, "c3");

	/* the list: running hosts first, then stopped ones, each by name */
	assert_int_equal(lc_db_n_hosts(t->db), 3);
	assert_string_equal(lc_db_host(t->db, 0)->name, "c2");
	assert_true(lc_db_host(t->db, 0)->running);
	assert_string_equal(lc_db_host(t->db, 1)->name, "c3");
	assert_true(lc_db_host(t->db, 1)->running);
	assert_string_equal(lc_db_host(t->db, 2)->name, "c1");
	assert_false(lc_db_host(t->db, 2)->running);
	assert_int_equal(lc_db_host(t->db, 2)->n_addrs, 0);
	assert_null(lc_db_host(t->db, 3));

	/* the earliest live expiry is when this snapshot goes stale */
	assert_int_equal(lc_db_next_expiry(t->db), FIXTURE_EXPIRY);
}

static void test_fixture_dir_after_expiry(void **state)
{
	struct dbt *t = *state;

	copy_fixtures(t);
	/* one second before: still there */
	load(t, FIXTURE_EXPIRY - 1);
	expect(t, "c2", AF_UNSPEC, "192.168.150.11");
	/* at the expiry second: gone; the guests are still plugged in */
	load(t, FIXTURE_EXPIRY);
	expect_status(t, "c2", AF_UNSPEC, LC_NODATA);
	expect_status(t, "c3", AF_UNSPEC, LC_NODATA);
	expect_addr(t, "192.168.150.11", LC_NOTFOUND);
	/* the DHCP hostname came only from the expired lease */
	expect_status(t, "c3-host", AF_UNSPEC, LC_NOTFOUND);
	assert_int_equal(lc_db_next_expiry(t->db), INT64_MAX);
}

/* ---- ranking through the db ------------------------------------------------------- */

static void test_node1_nat_first(void **state)
{
	struct dbt *t = *state;
	const struct lc_host *h;

	node1_world(t);
	load(t, NOW);
	h = expect(t, "node1", AF_UNSPEC, "192.168.150.10 192.168.160.55");
	assert_string_equal(h->addrs[0].network, "ext");
	assert_int_equal(h->addrs[0].klass, LC_CLASS_EXTERNAL);
	assert_int_equal(h->addrs[0].rule, LC_RULE_CLASS);
	assert_string_equal(h->addrs[1].network, "int");
	assert_int_equal(h->addrs[1].klass, LC_CLASS_ISOLATED);
	assert_int_equal(h->addrs[1].expiry, NOW + 3000);
	/* both addresses answer the reverse lookup */
	assert_ptr_equal(expect_addr(t, "192.168.160.55", LC_FOUND), h);
	assert_ptr_equal(expect_addr(t, "192.168.150.10", LC_FOUND), h);

	/* with the hook record the isolated NIC is first in the XML: the class
	 * still wins */
	node1_record(t);
	load(t, NOW);
	h = expect(t, "node1", AF_UNSPEC, "192.168.150.10 192.168.160.55");
	assert_int_equal(h->addrs[0].nic_index, 1);
	assert_int_equal(h->addrs[1].nic_index, 0);
	assert_int_equal(h->addrs[0].rule, LC_RULE_CLASS);
}

static void test_prefer_from_config(void **state)
{
	struct dbt *t = *state;
	const struct lc_host *h;

	node1_world(t);
	unit_writef(t->root, "libvirt-cluster.conf", "prefer = int\n");
	load(t, NOW);
	h = expect(t, "node1", AF_UNSPEC, "192.168.160.55 192.168.150.10");
	assert_int_equal(h->addrs[0].rule, LC_RULE_PREFER);
	assert_int_equal(h->addrs[0].prefer_index, 0);
	assert_int_equal(h->addrs[1].prefer_index, -1);
	assert_int_equal(lc_db_config(t->db)->n_prefer, 1);
}

static void test_guest_record_nic_order(void **state)
{
	struct dbt *t = *state;
	const struct lc_host *h;

	write_conf(t, "ext", "virbr-ext", "lab.test", false);
	write_conf(t, "ext2", "virbr-ext2", NULL, false);
	const struct lease a[] = {{"192.168.150.30", "52:54:00:15:00:30", "node3", NOW + 100}};
	const struct lease b[] = {{"192.168.151.5", "52:54:00:17:00:30", NULL, NOW + 100}};
	write_status(t, "virbr-ext", a, 1);
	write_status(t, "virbr-ext2", b, 1);

	/* without a record: node3 is known only by its DHCP hostname, and the
	 * second lease (no hostname, unknown MAC) belongs to nobody */
	load(t, NOW);
	h = expect(t, "node3", AF_UNSPEC, "192.168.150.30");
	assert_null(h->driver);
	expect_addr(t, "192.168.151.5", LC_NOTFOUND);

	/* the record ties both NICs to node3, ext2 first in the XML */
	unit_write(t->run, "guest-node3.rec",
		   "libvirt-cluster record 1\nkind guest\nname node3\ndriver qemu\n"
		   "uuid 0b5c2f9e-1d2c-4b8e-9f00-112233445566\ncluster prod\ngroup DB_1\n"
		   "nic 52:54:00:17:00:30 ext2 virbr-ext2\n"
		   "nic 52:54:00:15:00:30 ext virbr-ext\n",
		   (size_t)-1);
	load(t, NOW);
	h = expect(t, "node3", AF_UNSPEC, "192.168.151.5 192.168.150.30");
	assert_int_equal(h->addrs[0].rule, LC_RULE_NIC_ORDER);
	assert_int_equal(h->addrs[0].nic_index, 0);
	assert_int_equal(h->addrs[1].nic_index, 1);
	assert_string_equal(h->driver, "qemu");
	assert_string_equal(h->cluster, "prod");
	assert_string_equal(h->group, "DB_1");
	assert_true(h->running);
	assert_ptr_equal(expect_addr(t, "192.168.151.5", LC_FOUND), h);
	/* a FQDN on ext's domain covers only ext's address */
	expect(t, "node3.lab.test", AF_UNSPEC, "192.168.150.30");
}

static void test_record_only_guest(void **state)
{
	struct dbt *t = *state;
	const struct lc_host *h;

	/* a running guest whose lease has not arrived yet: known, no address */
	unit_write(t->run, "guest-early.rec",
		   "libvirt-cluster record 1\nkind guest\nname early\ndriver lxc\n"
		   "nic 52:54:00:15:00:77 ext virbr-ext\n",
		   (size_t)-1);
	load(t, NOW);
	char out[512];
	assert_int_equal(lookup(t, "early", AF_UNSPEC, out, &h), LC_NODATA);
	assert_string_equal(h->name, "early");
	assert_string_equal(h->driver, "lxc");
	assert_true(h->running);
	/* then the lease: on a bridge without .macs, found through the record */
	const struct lease l[] = {{"192.168.150.77", "52:54:00:15:00:77", NULL, 0}};
	write_status(t, "virbr-ext", l, 1);
	load(t, NOW);
	h = expect(t, "early", AF_UNSPEC, "192.168.150.77");
	assert_int_equal(h->addrs[0].expiry, INT64_MAX);
}

static void test_network_records_give_class(void **state)
{
	struct dbt *t = *state;
	const struct lc_host *h;

	/* the .conf files are root-only: a normal user sees none, so write
	 * none; the int address sorts first by bytes */
	node5_world(t);

	/* nothing says which is which: both unknown, named by bridge */
	load(t, NOW);
	h = expect(t, "node5", AF_UNSPEC, "10.0.0.5 192.168.150.5");
	assert_int_equal(h->addrs[0].klass, LC_CLASS_UNKNOWN);
	assert_string_equal(h->addrs[0].network, "virbr-int");
	assert_null(h->addrs[0].domain);
	assert_int_equal(h->addrs[0].rule, LC_RULE_TIEBREAK);

	unit_write(t->run, "net-ext.rec",
		   "libvirt-cluster record 1\nkind network\nname ext\nbridge virbr-ext\n"
		   "forward nat\nclass external\ndomain lab.test\n",
		   (size_t)-1);
	unit_write(t->run, "net-int.rec",
		   "libvirt-cluster record 1\nkind network\nname int\nbridge virbr-int\n"
		   "class isolated\ndomain int.test\n",
		   (size_t)-1);
	load(t, NOW);
	h = expect(t, "node5", AF_UNSPEC, "192.168.150.5 10.0.0.5");
	assert_int_equal(h->addrs[0].klass, LC_CLASS_EXTERNAL);
	assert_string_equal(h->addrs[0].network, "ext");
	assert_string_equal(h->addrs[0].domain, "lab.test");
	assert_int_equal(h->addrs[0].rule, LC_RULE_CLASS);
	assert_int_equal(h->addrs[1].klass, LC_CLASS_ISOLATED);
	assert_string_equal(h->addrs[1].network, "int");
	expect(t, "node5.int.test", AF_UNSPEC, "10.0.0.5");
	expect(t, "node5.lab.test", AF_UNSPEC, "192.168.150.5");
}

/* ---- names -------------------------------------------------------------------------- */

static void test_fqdn_network_domain(void **state)
{
	struct dbt *t = *state;
	struct lc_match m;

	node1_world(t);
	load(t, NOW);
	/* each network's domain covers only that network's addresses */
	expect(t, "node1.lab.test", AF_UNSPEC, "192.168.150.10");
	expect(t, "node1.int.test", AF_UNSPEC, "192.168.160.55");
	assert_int_equal(lc_db_lookup_name(t->db, "node1.int.test", AF_UNSPEC, &m), LC_FOUND);
	assert_string_equal(m.domain, "int.test");
	assert_int_equal(m.only_idx, -1);
	/* a domain node1 has no address on, or no domain at all */
	expect_status(t, "node1.other.test", AF_UNSPEC, LC_NOTFOUND);
	expect_status(t, "node1.test", AF_UNSPEC, LC_NOTFOUND);
	expect_status(t, "lab.test", AF_UNSPEC, LC_NOTFOUND);
	/* node2 is on ext only: the int domain does not name it */
	expect(t, "node2.lab.test", AF_UNSPEC, "192.168.150.11");
	expect_status(t, "node2.int.test", AF_UNSPEC, LC_NOTFOUND);
	/* the FQDN of the isolated side and family filters combine */
	expect_status(t, "node1.int.test", AF_INET6, LC_NODATA);
}

static void test_cluster_suffix(void **state)
{
	struct dbt *t = *state;
	struct lc_match m;

	node1_world(t);
	unit_writef(t->root, "libvirt-cluster.conf",
		    "# the cluster\ndomains = Cluster.Test. k8s\n");
	load(t, NOW);
	/* a configured suffix covers every address */
	expect(t, "node1.cluster.test", AF_UNSPEC, "192.168.150.10 192.168.160.55");
	expect(t, "node1.k8s", AF_UNSPEC, "192.168.150.10 192.168.160.55");
	assert_int_equal(lc_db_lookup_name(t->db, "node1.cluster.test", AF_UNSPEC, &m), LC_FOUND);
	assert_null(m.domain);
	expect(t, "node2.cluster.test", AF_UNSPEC, "192.168.150.11");
	expect_status(t, "node9.cluster.test", AF_UNSPEC, LC_NOTFOUND);
	expect_status(t, "node1.cluster.other", AF_UNSPEC, LC_NOTFOUND);
	expect_status(t, "cluster.test", AF_UNSPEC, LC_NOTFOUND);
}

static void test_case_and_trailing_dot(void **state)
{
	struct dbt *t = *state;

	node1_world(t);
	unit_writef(t->root, "libvirt-cluster.conf", "domains = cluster.test\n");
	load(t, NOW);
	expect(t, "NODE1", AF_UNSPEC, "192.168.150.10 192.168.160.55");
	expect(t, "node1.", AF_UNSPEC, "192.168.150.10 192.168.160.55");
	expect(t, "Node1.LAB.Test.", AF_UNSPEC, "192.168.150.10");
	expect(t, "NODE1.CLUSTER.TEST.", AF_UNSPEC, "192.168.150.10 192.168.160.55");
	expect_status(t, "node1..", AF_UNSPEC, LC_NOTFOUND);
	expect_status(t, ".node1", AF_UNSPEC, LC_NOTFOUND);
	expect_status(t, "", AF_UNSPEC, LC_NOTFOUND);
}

static void test_hostname_only(void **state)
{
	struct dbt *t = *state;
	const struct lc_host *h;

	/* a bridge with no .macs: a DHCP client there is found by hostname */
	write_conf(t, "plain", "virbr-plain", "plain.test", false);
	const struct lease l[] = {
	    {"192.168.170.20", "52:54:00:aa:00:01", "Printer", NOW + 50},
	    {"192.168.170.21", "52:54:00:aa:00:02", NULL, NOW + 50},
	};
	write_status(t, "virbr-plain", l, 2);
	load(t, NOW);
	h = expect(t, "printer", AF_UNSPEC, "192.168.170.20");
	assert_string_equal(h->name, "Printer");
	assert_true(h->running);
	assert_false(h->guest);
	assert_null(h->driver);
	assert_null(h->group);
	expect(t, "PRINTER.plain.test", AF_UNSPEC, "192.168.170.20");
	assert_ptr_equal(expect_addr(t, "192.168.170.20", LC_FOUND), h);
	/* no hostname, no guest: no name to find it by */
	expect_addr(t, "192.168.170.21", LC_NOTFOUND);
	assert_int_equal(lc_db_n_hosts(t->db), 1);
}

static void test_stopped_guest(void **state)
{
	struct dbt *t = *state;

	write_conf(t, "ext", "virbr-ext", "lab.test", false);
	/* only "up" is plugged in; "down" left its lease behind */
	write_macs(t, "virbr-ext", "[{\"domain\": \"up\", \"macs\": [\"52:54:00:15:00:41\"]}]");
	const struct lease l[] = {
	    {"192.168.150.41", "52:54:00:15:00:41", "up", NOW + 50},
	    {"192.168.150.42", "52:54:00:15:00:42", "down", NOW + 50},
	};
	write_status(t, "virbr-ext", l, 2);
	load(t, NOW);
	expect(t, "up", AF_UNSPEC, "192.168.150.41");
	expect_status(t, "down", AF_UNSPEC, LC_NOTFOUND);
	expect_status(t, "down.lab.test", AF_UNSPEC, LC_NOTFOUND);
	expect_addr(t, "192.168.150.42", LC_NOTFOUND);
	/* listed, as stopped */
	assert_int_equal(lc_db_n_hosts(t->db), 2);
	assert_string_equal(lc_db_host(t->db, 1)->name, "down");
	assert_false(lc_db_host(t->db, 1)->running);
	/* a stopped guest's lease does not make the db go stale */
	assert_int_equal(lc_db_next_expiry(t->db), NOW + 50);
}

static void test_expired_and_infinite(void **state)
{
	struct dbt *t = *state;
	const struct lc_host *h;

	const struct lease l[] = {
	    {"192.168.150.51", "52:54:00:15:00:51", "past", NOW - 1},
	    {"192.168.150.52", "52:54:00:15:00:52", "now", NOW},
	    {"192.168.150.53", "52:54:00:15:00:53", "forever", 0},
	    {"192.168.150.54", "52:54:00:15:00:54", "soon", NOW + 1},
	};
	write_status(t, "virbr-ext", l, 4);
	load(t, NOW);
	/* expiry-time <= now: never returned, by name or by address */
	expect_status(t, "past", AF_UNSPEC, LC_NOTFOUND);
	expect_status(t, "now", AF_UNSPEC, LC_NOTFOUND);
	expect_addr(t, "192.168.150.51", LC_NOTFOUND);
	expect_addr(t, "192.168.150.52", LC_NOTFOUND);
	/* no expiry-time: an infinite lease */
	h = expect(t, "forever", AF_UNSPEC, "192.168.150.53");
	assert_int_equal(h->addrs[0].expiry, INT64_MAX);
	h = expect(t, "soon", AF_UNSPEC, "192.168.150.54");
	assert_int_equal(h->addrs[0].expiry, NOW + 1);
	assert_int_equal(lc_db_next_expiry(t->db), NOW + 1);
	/* one second later */
	load(t, NOW + 1);
	expect_status(t, "soon", AF_UNSPEC, LC_NOTFOUND);
	expect(t, "forever", AF_UNSPEC, "192.168.150.53");
	assert_int_equal(lc_db_next_expiry(t->db), INT64_MAX);
}

static void test_ipv6(void **state)
{
	struct dbt *t = *state;
	const struct lc_host *h;

	write_conf(t, "ext", "virbr-ext", "lab.test", false);
	write_macs(t, "virbr-ext",
		   "[{\"domain\": \"dual\", \"macs\": [\"52:54:00:15:00:61\"]},"
		   " {\"domain\": \"v4only\", \"macs\": [\"52:54:00:15:00:62\"]}]");
	unit_write(
	    t->lease, "virbr-ext.status",
	    "[\n  {\n    \"iaid\": \"1442775\",\n    \"ip-address\": \"fd00:150::61\",\n"
	    "    \"mac-address\": \"52:54:00:15:00:61\",\n    \"hostname\": \"dual\",\n"
	    "    \"client-id\": \"00:04:4c:a1:b5:5d:8c:2b\",\n"
	    "    \"expiry-time\": 1795001000,\n"
	    "    \"server-duid\": \"00:01:00:01:2e:b4:3a:a1:52:54:00:d4:67:ee\"\n  },\n"
	    "  {\n    \"ip-address\": \"192.168.150.61\",\n"
	    "    \"mac-address\": \"52:54:00:15:00:61\",\n    \"hostname\": \"dual\",\n"
	    "    \"expiry-time\": 1795001000\n  },\n"
	    "  {\n    \"ip-address\": \"192.168.150.62\",\n"
	    "    \"mac-address\": \"52:54:00:15:00:62\",\n    \"expiry-time\": 1795001000\n  }\n"
	    "]\n",
	    (size_t)-1);
	load(t, NOW);
	h = expect(t, "dual", AF_UNSPEC, "192.168.150.61 fd00:150::61");
	assert_int_equal(h->addrs[0].rule, LC_RULE_TIEBREAK);
	expect(t, "dual", AF_INET, "192.168.150.61");
	expect(t, "dual", AF_INET6, "fd00:150::61");
	expect(t, "dual.lab.test", AF_INET6, "fd00:150::61");
	assert_ptr_equal(expect_addr(t, "fd00:150::61", LC_FOUND), h);
	/* a guest without an address of the family asked for */
	expect(t, "v4only", AF_INET, "192.168.150.62");
	expect_status(t, "v4only", AF_INET6, LC_NODATA);
	expect_status(t, "v4only.lab.test", AF_INET6, LC_NODATA);
}

/* A DHCPv6 lease whose iaid has the wrong JSON type breaks its file, on
 * the full load and on the cold path alike: the guest has no address. */
static void test_ipv6_bad_iaid_type(void **state)
{
	struct dbt *t = *state;

	write_conf(t, "ext", "virbr-ext", "lab.test", false);
	write_macs(t, "virbr-ext", "[{\"domain\": \"v6bad\", \"macs\": [\"52:54:00:15:00:63\"]}]");
	unit_write(t->lease, "virbr-ext.status",
		   "[\n  {\n    \"iaid\": true,\n    \"ip-address\": \"fd00:150::63\",\n"
		   "    \"mac-address\": \"52:54:00:15:00:63\",\n    \"hostname\": \"v6bad\",\n"
		   "    \"client-id\": \"00:04:4c:a1\",\n    \"expiry-time\": 1795001000,\n"
		   "    \"server-duid\": \"00:01:00:01\"\n  }\n]\n",
		   (size_t)-1);
	load(t, NOW);
	expect_status(t, "v6bad", AF_UNSPEC, LC_NODATA);
	expect_status(t, "v6bad", AF_INET6, LC_NODATA);
}

static void test_address_literal(void **state)
{
	struct dbt *t = *state;
	struct lc_match m;

	node1_world(t);
	load(t, NOW);
	/* a guest's address as a name: that address only */
	expect(t, "192.168.160.55", AF_UNSPEC, "192.168.160.55");
	expect(t, "192.168.160.55", AF_INET, "192.168.160.55");
	assert_int_equal(lc_db_lookup_name(t->db, "192.168.160.55", AF_UNSPEC, &m), LC_FOUND);
	assert_string_equal(m.host->name, "node1");
	assert_int_equal(m.only_idx, 1);
	assert_false(lc_match_addr(&m, 0));
	assert_true(lc_match_addr(&m, 1));
	expect_status(t, "192.168.160.55", AF_INET6, LC_NODATA);
	/* an address that is no guest's */
	expect_status(t, "192.168.150.99", AF_UNSPEC, LC_NOTFOUND);
	expect_status(t, "8.8.8.8", AF_INET, LC_NOTFOUND);
}

static void test_aliases(void **state)
{
	struct dbt *t = *state;
	const struct lc_host *h;

	copy_fixtures(t);
	unit_writef(t->root, "libvirt-cluster.conf", "domains = cluster.test\n");
	load(t, NOW);
	h = expect(t, "c3", AF_UNSPEC, "192.168.150.12");
	/* the DHCP hostname first, then every FQDN */
	static const char *want[] = {"c3-host", "c3.cluster.test", "c3.lab.test",
				     "c3-host.cluster.test", "c3-host.lab.test"};
	assert_int_equal(h->n_aliases, 5);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(h->aliases[i], want[i]);
	assert_null(h->aliases[5]);
	/* every alias leads back to the host */
	for (size_t i = 0; i < 5; i++)
		assert_ptr_equal(expect(t, want[i], AF_UNSPEC, "192.168.150.12"), h);
	/* c2's hostname is its name: no hostname alias */
	h = expect(t, "c2", AF_UNSPEC, "192.168.150.11");
	assert_int_equal(h->n_aliases, 2);
	assert_string_equal(h->aliases[0], "c2.cluster.test");
	assert_string_equal(h->aliases[1], "c2.lab.test");
	assert_null(h->aliases[2]);
}

static void test_aliases_two_domains(void **state)
{
	struct dbt *t = *state;
	const struct lc_host *h;

	node1_world(t);
	load(t, NOW);
	h = expect(t, "node1", AF_UNSPEC, "192.168.150.10 192.168.160.55");
	/* one FQDN per network domain, in rank order, no hostname alias */
	assert_int_equal(h->n_aliases, 2);
	assert_string_equal(h->aliases[0], "node1.lab.test");
	assert_string_equal(h->aliases[1], "node1.int.test");
	assert_null(h->aliases[2]);
}

#define T(f) cmocka_unit_test_setup_teardown(f, db_setup, db_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_fixture_dir),
	    T(test_fixture_dir_after_expiry),
	    T(test_node1_nat_first),
	    T(test_prefer_from_config),
	    T(test_guest_record_nic_order),
	    T(test_record_only_guest),
	    T(test_network_records_give_class),
	    T(test_fqdn_network_domain),
	    T(test_cluster_suffix),
	    T(test_case_and_trailing_dot),
	    T(test_hostname_only),
	    T(test_stopped_guest),
	    T(test_expired_and_infinite),
	    T(test_ipv6),
	    T(test_ipv6_bad_iaid_type),
	    T(test_address_literal),
	    T(test_aliases),
	    T(test_aliases_two_domains),
	};
	return cmocka_run_group_tests_name("db", tests, NULL, NULL);
}
