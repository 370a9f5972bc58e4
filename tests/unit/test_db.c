/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The db over real directory trees: what a lookup answers, for every source
 * and every kind of miss.  `now` is always injected: the fixture leases
 * expire at 1795781219 (2026-11-27 12:06:59 UTC). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolver/lease.h"
#include "resolver/resolver.h"
#include "tests/unit/unit.h"

#ifdef UNIT_DB_XFAIL
/* this build runs only the known failures (see main) */
#pragma GCC diagnostic ignored "-Wunused-function"
#endif

#define NOW INT64_C(1795000000)
#define FIXTURE_EXPIRY INT64_C(1795781219)

struct dbt {
	char *root, *lease, *run;
	struct lc_paths paths;
	struct lc_db *db;
	struct lc_db *db_maps; /* the same files, the maps built at any size */
	int64_t now;	       /* of the last load */
	bool whole_only;       /* check_cold: only as a small lab takes the cold path */
};

static int setup(void **state)
{
	struct dbt *t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	if (unit_world_new(&t->root, &t->lease, &t->run, &t->paths) < 0)
		return -1;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct dbt *t = *state;
	lc_db_free(t->db);
	lc_db_free(t->db_maps);
	unit_world_free(t->root, t->lease, t->run);
	free(t);
	return 0;
}

static void load(struct dbt *t, int64_t now)
{
	lc_db_free(t->db);
	lc_db_free(t->db_maps);
	t->db = t->db_maps = NULL;
	assert_int_equal(lc_db_load(&t->paths, now, &t->db), 0);
	assert_non_null(t->db);
	lc_db_linear_max = 0;
	assert_int_equal(lc_db_load(&t->paths, now, &t->db_maps), 0);
	lc_db_linear_max = LC_DB_LINEAR_MAX;
	t->now = now;
}

static const char *str_or_null(const char *s)
{
	return s ? s : "(null)";
}

/* One line describing everything a lookup answers: the status, the host,
 * every address with what the ranking says about it, every alias. */
static void describe(const struct lc_db *db, const char *name, int family, char *out, size_t size)
{
	struct lc_match m;
	enum lc_lookup r = lc_db_lookup_name(db, name, family, &m);
	size_t off = 0;

#define PUT(...) off += (size_t)snprintf(out + off, off < size ? size - off : 0, __VA_ARGS__)
	PUT("status=%d", (int)r);
	if (r == LC_FOUND || r == LC_NODATA) {
		const struct lc_host *h = m.host;
		PUT(" host=%s guest=%d driver=%s cluster=%s group=%s running=%d domain=%s only=%d",
		    h->name, h->guest, str_or_null(h->driver), str_or_null(h->cluster),
		    str_or_null(h->group), h->running, str_or_null(m.domain), m.only_idx);
		for (size_t i = 0; i < h->n_addrs; i++) {
			const struct lc_host_addr *a = &h->addrs[i];
			char buf[64];
			lc_addr_format(&a->addr, buf, sizeof(buf));
			PUT(" [%s%s net=%s br=%s dom=%s mac=%s class=%d rule=%d nic=%d pref=%d "
			    "exp=%lld]",
			    lc_match_addr(&m, i) ? "*" : "", buf, str_or_null(a->network),
			    str_or_null(a->bridge), str_or_null(a->domain), a->mac_str,
			    (int)a->klass, (int)a->rule, a->nic_index, a->prefer_index,
			    (long long)a->expiry);
		}
		for (size_t i = 0; i < h->n_aliases; i++)
			PUT(" alias=%s", h->aliases[i]);
	}
#undef PUT
}

/* The cold path (a db loaded for one name only) must answer that name
 * exactly as the full db does: checked on every lookup of these tests, both
 * ways it runs: filtered (as in a big lab: whole parses off) and as a small
 * lab takes it (a hit parses the files whole). */
static void check_cold(struct dbt *t, const char *name, int family)
{
	static const size_t ways[] = {0, LC_DB_WHOLE_MAX};
	size_t from = t->whole_only ? 1 : 0, to = 2;
#ifdef UNIT_DB_XFAIL
	to = 1; /* the known failures are the filtered path's */
#endif
	for (size_t w = from; w < to; w++) {
		struct lc_db *cold = NULL;
		char full_s[8192], cold_s[8192];

		lc_db_whole_max = ways[w];
		assert_int_equal(lc_db_load_tracked(&t->paths, t->now, name, NULL, NULL, &cold), 0);
		lc_db_whole_max = LC_DB_WHOLE_MAX;
		describe(t->db, name, family, full_s, sizeof(full_s));
		describe(cold, name, family, cold_s, sizeof(cold_s));
		lc_db_free(cold);
		if (strcmp(full_s, cold_s) != 0)
			fail_msg("cold path (whole max %zu) differs for \"%s\":\n full: %s\n cold: "
				 "%s",
				 ways[w], name, full_s, cold_s);
	}
}

/* A small db searched in order (db->linear) answers as the maps do: the
 * name, and every address of every host by reverse lookup. */
static void check_linear(struct dbt *t, const char *name, int family)
{
	char lin[8192], maps[8192];

	if (!t->db_maps)
		return; /* a db this test loaded itself */
	describe(t->db, name, family, lin, sizeof(lin));
	describe(t->db_maps, name, family, maps, sizeof(maps));
	if (strcmp(lin, maps) != 0)
		fail_msg("in order and by the maps differ for \"%s\":\n maps: %s\n in order: %s",
			 name, maps, lin);
	for (size_t i = 0; i < lc_db_n_hosts(t->db); i++) {
		const struct lc_host *h = lc_db_host(t->db, i);
		for (size_t k = 0; k < h->n_addrs; k++) {
			const struct lc_host *a = NULL, *b = NULL;
			enum lc_lookup ra = lc_db_lookup_addr(t->db, &h->addrs[k].addr, &a);
			enum lc_lookup rb = lc_db_lookup_addr(t->db_maps, &h->addrs[k].addr, &b);
			assert_int_equal(ra, rb);
			if (ra == LC_FOUND)
				assert_string_equal(a->name, b->name);
		}
	}
}

/* Look name up; the matched addresses, in order, space-separated, go to out. */
static enum lc_lookup lookup(struct dbt *t, const char *name, int family, char out[512],
			     const struct lc_host **ret_host)
{
	struct lc_match m;
	enum lc_lookup r = lc_db_lookup_name(t->db, name, family, &m);

	check_cold(t, name, family);
	check_linear(t, name, family);
	out[0] = '\0';
	if (r == LC_FOUND) {
		for (size_t i = 0; i < m.host->n_addrs; i++) {
			char buf[64];
			if (!lc_match_addr(&m, i))
				continue;
			lc_addr_format(&m.host->addrs[i].addr, buf, sizeof(buf));
			if (out[0])
				strcat(out, " ");
			strcat(out, buf);
		}
	}
	if (ret_host)
		*ret_host = r == LC_FOUND || r == LC_NODATA ? m.host : NULL;
	return r;
}

static const char *lookup_name(enum lc_lookup r)
{
	static const char *n[] = {"FOUND", "NOTFOUND", "NODATA", "UNAVAIL"};
	return (unsigned)r < 4 ? n[r] : "?";
}

/* name resolves (family AF_UNSPEC) to exactly these addresses, in order. */
static const struct lc_host *expect(struct dbt *t, const char *name, int family, const char *addrs)
{
	char out[512];
	const struct lc_host *h = NULL;
	enum lc_lookup r = lookup(t, name, family, out, &h);
	if (r != LC_FOUND)
		fail_msg("%s: %s, expected FOUND %s", name, lookup_name(r), addrs);
	if (strcmp(out, addrs) != 0)
		fail_msg("%s: \"%s\", expected \"%s\"", name, out, addrs);
	return h;
}

static void expect_status(struct dbt *t, const char *name, int family, enum lc_lookup want)
{
	char out[512];
	enum lc_lookup r = lookup(t, name, family, out, NULL);
	if (r != want)
		fail_msg("%s: %s (%s), expected %s", name, lookup_name(r), out, lookup_name(want));
}

static const struct lc_host *expect_addr(struct dbt *t, const char *ip, enum lc_lookup want)
{
	struct lc_addr a;
	const struct lc_host *h = NULL;
	assert_int_equal(lc_addr_parse(ip, strlen(ip), &a), 0);
	enum lc_lookup r = lc_db_lookup_addr(t->db, &a, &h);
	if (r != want)
		fail_msg("reverse %s: %s, expected %s", ip, lookup_name(r), lookup_name(want));
	return r == LC_FOUND ? h : NULL;
}

struct lease {
	const char *ip, *mac, *hostname;
	int64_t expiry; /* 0 = infinite (no expiry-time) */
};

/* Write <bridge>.status as libvirt's leaseshelper does. */
static void write_status(struct dbt *t, const char *bridge, const struct lease *l, size_t n)
{
	char name[128], *buf = malloc(65536);
	size_t off = 0;

	assert_non_null(buf);
	off += (size_t)snprintf(buf + off, 65536 - off, "[");
	for (size_t i = 0; i < n; i++) {
		off +=
		    (size_t)snprintf(buf + off, 65536 - off, "%s\n  {\n    \"ip-address\": \"%s\"",
				     i ? "," : "", l[i].ip);
		if (l[i].mac)
			off += (size_t)snprintf(buf + off, 65536 - off,
						",\n    \"mac-address\": \"%s\"", l[i].mac);
		if (l[i].hostname)
			off += (size_t)snprintf(buf + off, 65536 - off,
						",\n    \"hostname\": \"%s\"", l[i].hostname);
		if (l[i].expiry)
			off +=
			    (size_t)snprintf(buf + off, 65536 - off, ",\n    \"expiry-time\": %lld",
					     (long long)l[i].expiry);
		off += (size_t)snprintf(buf + off, 65536 - off, "\n  }");
	}
	off += (size_t)snprintf(buf + off, 65536 - off, "\n]\n");
	snprintf(name, sizeof(name), "%s.status", bridge);
	unit_write(t->lease, name, buf, off);
	free(buf);
}

/* Write <bridge>.macs: one guest per call argument pair. */
static void write_macs(struct dbt *t, const char *bridge, const char *json)
{
	char name[128];
	snprintf(name, sizeof(name), "%s.macs", bridge);
	unit_write(t->lease, name, json, (size_t)-1);
}

static void write_conf(struct dbt *t, const char *net, const char *bridge, const char *domain,
		       bool isolated)
{
	char name[128];
	snprintf(name, sizeof(name), "%s.conf", net);
	unit_writef(t->lease, name,
		    "## dnsmasq conf file created by libvirt\nstrict-order\n%s%s%s"
		    "except-interface=lo\nbind-dynamic\ninterface=%s\n%s"
		    "dhcp-range=192.168.150.10,192.168.150.99,255.255.255.0\n",
		    domain ? "domain=" : "", domain ? domain : "", domain ? "\n" : "", bridge,
		    isolated ? "dhcp-option=3\n" : "");
}

static void copy_fixtures(struct dbt *t)
{
	static const char *files[] = {"isonet.addnhosts", "isonet.conf",      "isonet.hostsfile",
				      "labnet.addnhosts", "labnet.conf",      "labnet.hostsfile",
				      "virbr-iso.macs",	  "virbr-iso.status", "virbr-lab.macs",
				      "virbr-lab.status"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char rel[128];
		snprintf(rel, sizeof(rel), "libvirt-9.0/dnsmasq/%s", files[i]);
		unit_copy_fixture(rel, t->lease, files[i]);
	}
}

/* The node1 of the design: an isolated NIC first in the XML, a NAT one
 * second, and the isolated lease is the newer one. */
static void node1_world(struct dbt *t)
{
	write_conf(t, "ext", "virbr-ext", "lab.test", false);
	write_conf(t, "int", "virbr-int", "int.test", true);
	write_macs(t, "virbr-ext",
		   "[{\"domain\": \"node1\", \"macs\": [\"52:54:00:15:00:01\"]}, "
		   "{\"domain\": \"node2\", \"macs\": [\"52:54:00:15:00:02\"]}]");
	write_macs(t, "virbr-int", "[{\"domain\": \"node1\", \"macs\": [\"52:54:00:16:00:01\"]}]");
	const struct lease ext[] = {
	    {"192.168.150.10", "52:54:00:15:00:01", "node1", NOW + 1000},
	    {"192.168.150.11", "52:54:00:15:00:02", "node2", NOW + 1000},
	};
	const struct lease in[] = {
	    {"192.168.160.55", "52:54:00:16:00:01", "node1", NOW + 3000},
	};
	write_status(t, "virbr-ext", ext, 2);
	write_status(t, "virbr-int", in, 1);
}

static void node1_record(struct dbt *t)
{
	unit_write(t->run, "guest-node1.rec",
		   "libvirt-cluster record 1\nkind guest\nname node1\ndriver lxc\ncluster lab\n"
		   "group WEB\n"
		   "nic 52:54:00:16:00:01 int virbr-int\n"
		   "nic 52:54:00:15:00:01 ext virbr-ext\n",
		   (size_t)-1);
}

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

/* node5: a NIC on virbr-ext and one on virbr-int, plugged in, no .conf. */
static void node5_world(struct dbt *t)
{
	write_macs(t, "virbr-ext", "[{\"domain\": \"node5\", \"macs\": [\"52:54:00:15:00:05\"]}]");
	write_macs(t, "virbr-int", "[{\"domain\": \"node5\", \"macs\": [\"52:54:00:16:00:05\"]}]");
	const struct lease e[] = {{"192.168.150.5", "52:54:00:15:00:05", "node5", NOW + 10}};
	const struct lease i[] = {{"10.0.0.5", "52:54:00:16:00:05", "node5", NOW + 20}};
	write_status(t, "virbr-ext", e, 1);
	write_status(t, "virbr-int", i, 1);
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

/* ---- sources missing or broken ---------------------------------------------------- */

static void test_unavailable(void **state)
{
	struct dbt *t = *state;

	/* no lease dir at all: nothing can be said, so say UNAVAIL */
	unit_rmrf(t->lease);
	load(t, NOW);
	assert_true(lc_db_unavailable(t->db));
	expect_status(t, "node1", AF_UNSPEC, LC_UNAVAIL);
	expect_status(t, "www.example.org", AF_INET, LC_UNAVAIL);
	expect_status(t, "192.168.150.10", AF_UNSPEC, LC_UNAVAIL);
	expect_addr(t, "192.168.150.10", LC_UNAVAIL);
	assert_int_equal(lc_db_n_hosts(t->db), 0);
	/* a bad name is not ours whatever the sources say */
	expect_status(t, "bad..name", AF_UNSPEC, LC_NOTFOUND);

	/* the lease dir is a file: unreadable as a dir, same answer */
	unit_write(t->root, "dnsmasq", "not a dir", (size_t)-1);
	load(t, NOW);
	assert_true(lc_db_unavailable(t->db));
	expect_status(t, "node1", AF_UNSPEC, LC_UNAVAIL);

	/* an empty lease dir is a clean NOTFOUND */
	unit_rmrf(t->lease);
	assert_int_equal(mkdir(t->lease, 0755), 0);
	load(t, NOW);
	assert_false(lc_db_unavailable(t->db));
	expect_status(t, "node1", AF_UNSPEC, LC_NOTFOUND);
	expect_addr(t, "192.168.150.10", LC_NOTFOUND);
}

static void test_unavailable_other_sources_answer(void **state)
{
	struct dbt *t = *state;

	/* a plain dnsmasq lease file from the config still answers */
	unit_rmrf(t->lease);
	unit_write(t->root, "dnsmasq.leases",
		   "1795001000 52:54:00:99:00:01 10.10.0.5 lxd1 01:52:54:00:99:00:01\n",
		   (size_t)-1);
	unit_writef(t->root, "libvirt-cluster.conf", "leases = %s/dnsmasq.leases\n", t->root);
	load(t, NOW);
	assert_true(lc_db_unavailable(t->db));
	const struct lc_host *h = expect(t, "lxd1", AF_UNSPEC, "10.10.0.5");
	assert_string_equal(h->addrs[0].network, "dnsmasq.leases");
	assert_string_equal(h->addrs[0].mac_str, "52:54:00:99:00:01");
	expect_status(t, "other", AF_UNSPEC, LC_UNAVAIL);
}

static void test_dnsmasq_lease_files(void **state)
{
	struct dbt *t = *state;

	copy_fixtures(t);
	unit_write(t->root, "lxd.leases",
		   "1795001000 00:16:3e:00:00:01 10.20.0.5 lxd1 *\n"
		   "0 00:16:3e:00:00:02 10.20.0.6 lxd2 *\n"
		   "1794000000 00:16:3e:00:00:03 10.20.0.7 old *\n"
		   "duid 00:01:00:01:2e:b4:3a:a1:00:16:3e:00:00:00\n"
		   "1795001000 1234 fd42::5 lxd1 00:01:02\n",
		   (size_t)-1);
	unit_write(t->root, "cut.leases", "1795001000 00:16:3e:00:01:01 10.30.0.5 cut1 *\n0 00",
		   (size_t)-1);
	unit_writef(t->root, "libvirt-cluster.conf",
		    "leases = %s/lxd.leases %s/cut.leases %s/missing.leases\n", t->root, t->root,
		    t->root);
	load(t, NOW);
	expect(t, "lxd1", AF_UNSPEC, "10.20.0.5 fd42::5");
	expect(t, "lxd2", AF_UNSPEC, "10.20.0.6");
	expect_status(t, "old", AF_UNSPEC, LC_NOTFOUND);
	/* a file cut mid-write gives nothing; the others still answer */
	expect_status(t, "cut1", AF_UNSPEC, LC_NOTFOUND);
	expect(t, "c2", AF_UNSPEC, "192.168.150.11");
}

static void test_garbage_status(void **state)
{
	struct dbt *t = *state;

	node1_world(t);
	unit_write(t->lease, "virbr-bad.status",
		   "[{\"ip-address\": \"10.9.9.9\", \"hostname\": \"bad\"", (size_t)-1);
	unit_write(t->lease, "virbr-zero.status", "", 0);
	unit_write(t->lease, "virbr-bin.status", "\x00\x01\x02[\xff", 5);
	load(t, NOW);
	expect_status(t, "bad", AF_UNSPEC, LC_NOTFOUND);
	expect_addr(t, "10.9.9.9", LC_NOTFOUND);
	expect(t, "node1", AF_UNSPEC, "192.168.150.10 192.168.160.55");
	expect(t, "node2", AF_UNSPEC, "192.168.150.11");

	/* a garbage .macs says nothing about who is plugged in */
	write_macs(t, "virbr-ext", "[{\"domain\": \"node1\", \"macs\": [");
	load(t, NOW);
	/* node2 is known only from that .macs: now by its DHCP hostname */
	expect(t, "node2", AF_UNSPEC, "192.168.150.11");
	/* nothing ties node1's ext lease to node1 any more: its hostname is
	 * a DHCP client's of its own, and the guest keeps its name */
	expect(t, "node1", AF_UNSPEC, "192.168.160.55");
	expect_addr(t, "192.168.150.10", LC_FOUND);
	/* garbage records are ignored whole */
	unit_write(t->run, "guest-node1.rec", "libvirt-cluster record 1\nkind guest\nname node1",
		   (size_t)-1);
	unit_write(t->run, "net-ext.rec", "garbage\n", (size_t)-1);
	load(t, NOW);
	const struct lc_host *h = expect(t, "node1", AF_UNSPEC, "192.168.160.55");
	assert_null(h->driver);
	assert_string_equal(h->addrs[0].network, "int");
	assert_int_equal(h->addrs[0].klass, LC_CLASS_ISOLATED);
	/* and the network from .conf, not from the garbage record */
	const struct lc_host *e = expect_addr(t, "192.168.150.10", LC_FOUND);
	assert_string_equal(e->addrs[0].network, "ext");
	assert_int_equal(e->addrs[0].klass, LC_CLASS_EXTERNAL);
}

static void test_dhcp_name_of_guest(void **state)
{
	struct dbt *t = *state;
	const struct lc_host *h;

	/* a stray DHCP client calling itself "web" on a bridge without .macs:
	 * its lease is not the guest web's (no MAC ties it), and its hostname
	 * never shadows the guest's domain name, whatever the sort order */
	write_conf(t, "ext", "virbr-ext", "lab.test", false);
	write_macs(t, "virbr-ext", "[{\"domain\": \"web\", \"macs\": [\"52:54:00:15:00:71\"]}]");
	const struct lease e[] = {{"192.168.150.71", "52:54:00:15:00:71", "web", NOW + 50}};
	const char *strays[] = {"web", "WEB", "Web"};
	for (size_t k = 0; k < 3; k++) {
		const struct lease p[] = {{"10.1.1.71", "52:54:00:aa:00:71", strays[k], NOW + 50}};
		write_status(t, "virbr-ext", e, 1);
		write_status(t, "virbr-plain", p, 1);
		load(t, NOW);
		h = expect(t, "web", AF_UNSPEC, "192.168.150.71");
		assert_string_equal(h->name, "web");
		assert_string_equal(h->addrs[0].network, "ext");
		expect(t, "WEB.lab.test", AF_UNSPEC, "192.168.150.71");
		/* the stray is a host of its own, found by its address */
		assert_int_equal(lc_db_n_hosts(t->db), 2);
		const struct lc_host *stray = expect_addr(t, "10.1.1.71", LC_FOUND);
		assert_true(stray != h);
		assert_string_equal(stray->name, strays[k]);
		assert_null(stray->driver);
		assert_true(h->guest);
		assert_false(stray->guest);
		/* listed: the guest, then the DHCP-only client */
		assert_ptr_equal(lc_db_host(t->db, 0), h);
		assert_ptr_equal(lc_db_host(t->db, 1), stray);
	}
}

static void test_duplicate_address(void **state)
{
	struct dbt *t = *state;

	/* the same lease seen twice (a libvirt .status and a configured
	 * dnsmasq file) is one address */
	write_conf(t, "ext", "virbr-ext", NULL, false);
	write_macs(t, "virbr-ext", "[{\"domain\": \"twice\", \"macs\": [\"52:54:00:15:00:81\"]}]");
	const struct lease l[] = {{"192.168.150.81", "52:54:00:15:00:81", NULL, NOW + 50}};
	write_status(t, "virbr-ext", l, 1);
	unit_write(t->root, "extra.leases", "1795000050 52:54:00:15:00:81 192.168.150.81 * *\n",
		   (size_t)-1);
	unit_writef(t->root, "libvirt-cluster.conf", "leases = %s/extra.leases\n", t->root);
	load(t, NOW);
	expect(t, "twice", AF_UNSPEC, "192.168.150.81");
}

static void test_stale_name_does_not_shadow(void **state)
{
	struct dbt *t = *state;
	const struct lc_host *h;

	/* c1 was destroyed and its leases stay behind (a stopped host "c1");
	 * c9, cloned from the same image, asks DHCP for the hostname c1 */
	copy_fixtures(t);
	write_macs(t, "virbr-lab",
		   "[{\"domain\": \"c2\", \"macs\": [\"52:54:00:15:00:02\"]},"
		   " {\"domain\": \"c9\", \"macs\": [\"52:54:00:15:00:09\"]}]");
	const struct lease l[] = {
	    {"192.168.150.10", "52:54:00:15:00:01", "c1", FIXTURE_EXPIRY},
	    {"192.168.150.11", "52:54:00:15:00:02", "c2", FIXTURE_EXPIRY},
	    {"192.168.150.19", "52:54:00:15:00:09", "c1", FIXTURE_EXPIRY},
	};
	write_status(t, "virbr-lab", l, 3);
	load(t, NOW);
	h = expect(t, "c9", AF_UNSPEC, "192.168.150.19");
	assert_string_equal(h->aliases[0], "c1");
	/* the running guest's DHCP hostname answers, not the stopped name */
	h = expect(t, "c1", AF_UNSPEC, "192.168.150.19");
	assert_string_equal(h->name, "c9");
	expect(t, "c1.lab.test", AF_UNSPEC, "192.168.150.19");
	expect_addr(t, "192.168.150.10", LC_NOTFOUND);
}

/* Two running guests whose leases say the same address (a lease file
 * rewritten under dnsmasq, or two networks with one range): the reverse
 * lookup answers the first host in the db's order, with the maps or
 * without them (a db this small has none: check_linear compares). */
static void test_shared_address_first_host(void **state)
{
	struct dbt *t = *state;
	const struct lc_host *h;

	copy_fixtures(t);
	write_macs(t, "virbr-lab",
		   "[{\"domain\": \"zeta\", \"macs\": [\"52:54:00:15:00:21\"]},"
		   " {\"domain\": \"alpha\", \"macs\": [\"52:54:00:15:00:20\"]}]");
	const struct lease l[] = {
	    {"192.168.150.21", "52:54:00:15:00:21", "zeta", FIXTURE_EXPIRY},
	    {"192.168.150.20", "52:54:00:15:00:21", "zeta", FIXTURE_EXPIRY},
	    {"192.168.150.20", "52:54:00:15:00:20", "alpha", FIXTURE_EXPIRY},
	};
	write_status(t, "virbr-lab", l, 3);
	load(t, NOW);
	expect(t, "alpha", AF_UNSPEC, "192.168.150.20");
	expect(t, "zeta", AF_INET, "192.168.150.20 192.168.150.21");
	h = expect_addr(t, "192.168.150.20", LC_FOUND);
	assert_string_equal(h->name, "alpha");
	h = expect_addr(t, "192.168.150.21", LC_FOUND);
	assert_string_equal(h->name, "zeta");
}

static void test_expired_hostname_no_alias(void **state)
{
	struct dbt *t = *state;
	const struct lc_host *h;

	write_conf(t, "ext", "virbr-ext", NULL, false);
	write_macs(t, "virbr-ext",
		   "[{\"domain\": \"node7\", \"macs\": [\"52:54:00:15:00:07\", "
		   "\"52:54:00:15:00:17\"]}]");
	const struct lease l[] = {
	    {"192.168.150.7", "52:54:00:15:00:07", "oldname", NOW - 100},
	    {"192.168.150.17", "52:54:00:15:00:17", "newname", NOW + 100},
	};
	write_status(t, "virbr-ext", l, 2);
	load(t, NOW);
	h = expect(t, "node7", AF_UNSPEC, "192.168.150.17");
	assert_int_equal(h->n_aliases, 1);
	assert_string_equal(h->aliases[0], "newname");
	expect(t, "newname", AF_UNSPEC, "192.168.150.17");
	expect_status(t, "oldname", AF_UNSPEC, LC_NOTFOUND);
}

static void test_hostile_files(void **state)
{
	struct dbt *t = *state;
	char *p;

	/* nothing in the lease dir may block a lookup or feed it endless
	 * bytes: a FIFO, a symlink to /dev/zero, a directory */
	node1_world(t);
	p = unit_path(t->lease, "virbr-fifo.status");
	assert_int_equal(mkfifo(p, 0644), 0);
	free(p);
	p = unit_path(t->lease, "virbr-zero.status");
	assert_int_equal(symlink("/dev/zero", p), 0);
	free(p);
	p = unit_path(t->lease, "virbr-dir.status");
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
	p = unit_path(t->lease, "virbr-dir.macs");
	assert_int_equal(symlink("/dev/urandom", p), 0);
	free(p);
	p = unit_path(t->run, "guest-fifo.rec");
	assert_int_equal(mkfifo(p, 0644), 0);
	free(p);
	load(t, NOW);
	expect(t, "node1", AF_UNSPEC, "192.168.150.10 192.168.160.55");
	expect(t, "node2", AF_UNSPEC, "192.168.150.11");
	expect_status(t, "fifo", AF_UNSPEC, LC_NOTFOUND);
}

/* ---- the cold path where it has to look further than the name --------------------- */

static void test_cold_hostname_guest_two_nics(void **state)
{
	struct dbt *t = *state;

	/* node6's DHCP client calls itself db6 on ext only; its int NIC sends
	 * no hostname.  Each bridge's .macs lists node6 with that NIC's MAC. */
	write_conf(t, "ext", "virbr-ext", "lab.test", false);
	write_conf(t, "int", "virbr-int", "int.test", true);
	write_macs(t, "virbr-ext", "[{\"domain\": \"node6\", \"macs\": [\"52:54:00:15:00:06\"]}]");
	write_macs(t, "virbr-int", "[{\"domain\": \"node6\", \"macs\": [\"52:54:00:16:00:06\"]}]");
	const struct lease e[] = {{"192.168.150.6", "52:54:00:15:00:06", "db6", NOW + 10}};
	const struct lease i[] = {{"192.168.160.6", "52:54:00:16:00:06", NULL, NOW + 10}};
	write_status(t, "virbr-ext", e, 1);
	write_status(t, "virbr-int", i, 1);
	load(t, NOW);
	expect(t, "node6", AF_UNSPEC, "192.168.150.6 192.168.160.6");
	expect(t, "db6", AF_UNSPEC, "192.168.150.6 192.168.160.6");
	expect(t, "db6.int.test", AF_UNSPEC, "192.168.160.6");
}

static void test_cold_stray_named_like_guest(void **state)
{
	struct dbt *t = *state;
	const struct lc_host *h;

	/* guest web's DHCP client says web-alias; a stray client elsewhere
	 * says web: by either name, web answers with its own address only,
	 * on both paths (the cold one never loads the stray for web-alias) */
	write_conf(t, "ext", "virbr-ext", "lab.test", false);
	write_macs(t, "virbr-ext", "[{\"domain\": \"web\", \"macs\": [\"52:54:00:15:00:71\"]}]");
	const struct lease e[] = {{"192.168.150.71", "52:54:00:15:00:71", "web-alias", NOW + 50}};
	const struct lease p[] = {{"10.1.1.71", "52:54:00:aa:00:71", "web", NOW + 50}};
	write_status(t, "virbr-ext", e, 1);
	write_status(t, "virbr-plain", p, 1);
	load(t, NOW);
	h = expect(t, "web-alias", AF_UNSPEC, "192.168.150.71");
	assert_string_equal(h->name, "web");
	expect(t, "web", AF_UNSPEC, "192.168.150.71");
	expect(t, "web-alias.lab.test", AF_UNSPEC, "192.168.150.71");
}

/* Files broken inside (framing intact).  The filtered cold path checks a
 * file's framing and only the objects it takes, so it still answers from
 * such a file where the full load drops it: the known failures (see main).
 * A small lab's hit parses the files whole, which is exact: these pass in
 * the main build, where check_cold runs only that way. */
static void test_cold_garbage_inside_status(void **state)
{
	struct dbt *t = *state;
#ifndef UNIT_DB_XFAIL
	t->whole_only = true;
#endif

	/* a .status whose framing is fine but whose last object is broken:
	 * the full parse drops the whole file, and so must the cold path */
	write_conf(t, "ext", "virbr-ext", "lab.test", false);
	write_macs(t, "virbr-ext", "[{\"domain\": \"node8\", \"macs\": [\"52:54:00:15:00:08\"]}]");
	unit_write(
	    t->lease, "virbr-ext.status",
	    "[\n  {\n    \"ip-address\": \"192.168.150.8\",\n"
	    "    \"mac-address\": \"52:54:00:15:00:08\",\n    \"hostname\": \"node8\"\n  },\n"
	    "  {\n    \"ip-address\": \"192.168.150.9\",\n    \"x\": tru\n  }\n]\n",
	    (size_t)-1);
	load(t, NOW);
	expect_status(t, "node8", AF_UNSPEC, LC_NODATA);
}

static void test_cold_garbage_inside_macs(void **state)
{
	struct dbt *t = *state;
#ifndef UNIT_DB_XFAIL
	t->whole_only = true;
#endif

	/* a .macs broken inside says nothing about who is plugged in: the
	 * stopped guest's lease then answers by hostname, on both paths */
	write_conf(t, "ext", "virbr-ext", "lab.test", false);
	write_macs(t, "virbr-ext",
		   "[{\"domain\": \"up\", \"macs\": [\"52:54:00:15:00:41\"]},"
		   " {\"domain\": \"x\", \"macs\": [1.2.3]}]");
	const struct lease l[] = {
	    {"192.168.150.41", "52:54:00:15:00:41", "up", NOW + 50},
	    {"192.168.150.42", "52:54:00:15:00:42", "down", NOW + 50},
	};
	write_status(t, "virbr-ext", l, 2);
	load(t, NOW);
	expect(t, "down", AF_UNSPEC, "192.168.150.42");
	expect(t, "up", AF_UNSPEC, "192.168.150.41");
}

/* A lease dir of more than 32 files (listed and sorted another way than a
 * small one): 20 networks, a guest on each, every guest found, by the
 * full load and by the cold path. */
static void test_many_networks(void **state)
{
	struct dbt *t = *state;
	for (int i = 0; i < 20; i++) {
		char br[32], net[32], mac[32], ip[32], host[32], json[128];
		snprintf(br, sizeof(br), "virbr%d", i);
		snprintf(net, sizeof(net), "net%d", i);
		snprintf(mac, sizeof(mac), "52:54:00:20:00:%02x", i);
		snprintf(ip, sizeof(ip), "10.20.%d.10", i);
		snprintf(host, sizeof(host), "g%d", i);
		write_conf(t, net, br, NULL, false);
		snprintf(json, sizeof(json), "[{\"domain\": \"g%d\", \"macs\": [\"%s\"]}]", i, mac);
		write_macs(t, br, json);
		const struct lease l[] = {{ip, mac, host, NOW + 1000}};
		write_status(t, br, l, 1);
	}
	load(t, NOW);
	assert_int_equal(lc_db_n_hosts(t->db), 20);
	for (int i = 0; i < 20; i++) {
		char host[32], want[32], got[64];
		struct lc_match m;
		struct lc_db *part;
		snprintf(host, sizeof(host), "g%d", i);
		snprintf(want, sizeof(want), "10.20.%d.10", i);
		assert_int_equal(lc_db_lookup_name(t->db, host, AF_UNSPEC, &m), LC_FOUND);
		assert_string_equal(lc_addr_format(&m.host->addrs[0].addr, got, sizeof(got)), want);
		assert_int_equal(lc_db_load_tracked(&t->paths, NOW, host, NULL, NULL, &part), 0);
		assert_int_equal(lc_db_lookup_name(part, host, AF_UNSPEC, &m), LC_FOUND);
		assert_string_equal(lc_addr_format(&m.host->addrs[0].addr, got, sizeof(got)), want);
		lc_db_free(part);
	}
}

/* ---- one guest's leases (lc_guest_leases, for the hook) ----------------------- */

static void parse_macs(const char *const *s, size_t n, uint8_t (*out)[LC_MAC_LEN])
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(lc_mac_parse(s[i], strlen(s[i]), out[i]), 0);
}

static void guest_leases(struct dbt *t, int64_t now, uint8_t (*macs)[LC_MAC_LEN], size_t n,
			 struct lc_guest_leases *ret)
{
	assert_int_equal(
	    lc_guest_leases(&t->paths, now, (const uint8_t(*)[LC_MAC_LEN])macs, n, ret), 0);
}

static void assert_duid(const uint8_t *got, size_t len, const char *hex)
{
	uint8_t want[LC_DUID_MAX];
	int n = lc_hex_parse(hex, strlen(hex), want, sizeof(want));
	assert_true(n > 0);
	assert_int_equal(len, (size_t)n);
	assert_memory_equal(got, want, len);
}

/* The guest's leases rank exactly as the db ranks its addresses: same
 * order, network, domain, class, rule, NIC (where the db has a guest
 * record) and prefer index. */
static void assert_leases_rank_like_db(struct dbt *t, const char *name,
				       const struct lc_guest_leases *gl)
{
	struct lc_match m;
	assert_int_equal(lc_db_lookup_name(t->db, name, AF_UNSPEC, &m), LC_FOUND);
	const struct lc_host *h = m.host;
	assert_int_equal(gl->n, h->n_addrs);
	for (size_t i = 0; i < gl->n; i++) {
		const struct lc_host_addr *a = &gl->leases[i].a, *b = &h->addrs[i];
		char x[64], y[64];
		lc_addr_format(&a->addr, x, sizeof(x));
		lc_addr_format(&b->addr, y, sizeof(y));
		assert_string_equal(x, y);
		assert_string_equal(a->network, b->network);
		assert_string_equal(str_or_null(a->domain), str_or_null(b->domain));
		assert_string_equal(a->bridge, b->bridge);
		assert_string_equal(a->mac_str, b->mac_str);
		assert_int_equal(a->klass, b->klass);
		assert_int_equal(a->rule, b->rule);
		/* the db knows NIC order from a guest record only */
		if (b->nic_index >= 0)
			assert_int_equal(a->nic_index, b->nic_index);
		assert_int_equal(a->prefer_index, b->prefer_index);
		assert_int_equal(a->expiry, b->expiry);
	}
}

/* The bug of issue 11: with readable .conf files and no network record,
 * the hook ranked from network records alone (every class unknown), so
 * its first address could differ from the module's.  Now the class comes
 * from the .conf as for the module, and the order is the module's. */
static void test_guest_leases_conf_only(void **state)
{
	struct dbt *t = *state;
	static const char *const s[] = {"52:54:00:16:00:01", "52:54:00:15:00:01"};
	uint8_t macs[2][LC_MAC_LEN];
	struct lc_guest_leases gl;

	node1_world(t);
	node1_record(t);
	load(t, NOW);
	parse_macs(s, 2, macs);
	guest_leases(t, NOW, macs, 2, &gl);
	assert_int_equal(gl.n, 2);
	/* the isolated NIC is first in the XML, the NAT one wins by class */
	const struct lc_guest_lease *l = &gl.leases[0];
	char a[64];
	assert_string_equal(lc_addr_format(&l->a.addr, a, sizeof(a)), "192.168.150.10");
	assert_string_equal(l->a.network, "ext");
	assert_string_equal(l->a.bridge, "virbr-ext");
	assert_string_equal(l->a.domain, "lab.test");
	assert_int_equal(l->a.klass, LC_CLASS_EXTERNAL);
	assert_int_equal(l->a.rule, LC_RULE_CLASS);
	assert_int_equal(l->a.nic_index, 1);
	assert_string_equal(l->hostname, "node1");
	assert_memory_equal(l->mac, macs[1], LC_MAC_LEN);
	assert_null(l->dhcp6);
	assert_int_equal(gl.leases[1].a.klass, LC_CLASS_ISOLATED);
	assert_int_equal(gl.leases[1].a.nic_index, 0);
	assert_leases_rank_like_db(t, "node1", &gl);
	lc_guest_leases_free(&gl);
	assert_null(gl.leases);

	/* with `prefer = int` both agree again */
	unit_writef(t->root, "libvirt-cluster.conf", "prefer = int\n");
	load(t, NOW);
	guest_leases(t, NOW, macs, 2, &gl);
	assert_string_equal(gl.leases[0].a.network, "int");
	assert_int_equal(gl.leases[0].a.rule, LC_RULE_PREFER);
	assert_leases_rank_like_db(t, "node1", &gl);
	lc_guest_leases_free(&gl);
}

/* A network record and a .conf are merged as the db merges them. */
static void test_guest_leases_records(void **state)
{
	struct dbt *t = *state;
	static const char *const s[] = {"52:54:00:15:00:05", "52:54:00:16:00:05"};
	uint8_t macs[2][LC_MAC_LEN];
	struct lc_guest_leases gl;

	node5_world(t);
	parse_macs(s, 2, macs);

	/* nothing names the bridges: unknown networks, named by bridge */
	load(t, NOW);
	guest_leases(t, NOW, macs, 2, &gl);
	assert_string_equal(gl.leases[0].a.network, "virbr-ext");
	assert_int_equal(gl.leases[0].a.klass, LC_CLASS_UNKNOWN);
	assert_int_equal(gl.leases[0].a.rule, LC_RULE_NIC_ORDER);
	lc_guest_leases_free(&gl);

	/* a record says int is isolated; a .conf gives ext (no record) */
	unit_write(t->run, "net-int.rec",
		   "libvirt-cluster record 1\nkind network\nname int\nbridge virbr-int\n"
		   "class isolated\ndomain int.test\n",
		   (size_t)-1);
	write_conf(t, "ext", "virbr-ext", NULL, false);
	load(t, NOW);
	guest_leases(t, NOW, macs, 2, &gl);
	assert_int_equal(gl.n, 2);
	assert_string_equal(gl.leases[0].a.network, "ext");
	assert_null(gl.leases[0].a.domain);
	assert_int_equal(gl.leases[0].a.klass, LC_CLASS_EXTERNAL);
	assert_string_equal(gl.leases[1].a.network, "int");
	assert_string_equal(gl.leases[1].a.domain, "int.test");
	assert_int_equal(gl.leases[1].a.klass, LC_CLASS_ISOLATED);
	assert_leases_rank_like_db(t, "node5", &gl);
	lc_guest_leases_free(&gl);
}

/* A stopped guest's leases (its MACs in no .macs) still come back, with
 * their DHCPv6 ids; expired leases and other MACs do not. */
static void test_guest_leases_unplugged(void **state)
{
	struct dbt *t = *state;
	static const char *const s[] = {"52:54:00:15:00:61", "52:54:00:15:00:61",
					"52:54:00:15:00:64"};
	uint8_t macs[3][LC_MAC_LEN];
	struct lc_guest_leases gl;

	write_conf(t, "ext", "virbr-ext", "lab.test", false);
	write_macs(t, "virbr-ext", "[{\"domain\": \"other\", \"macs\": [\"52:54:00:15:00:62\"]}]");
	unit_write(
	    t->lease, "virbr-ext.status",
	    "[\n  {\n    \"iaid\": \"1442775\",\n    \"ip-address\": \"fd00:150::61\",\n"
	    "    \"mac-address\": \"52:54:00:15:00:61\",\n    \"hostname\": \"dual\",\n"
	    "    \"client-id\": \"00:04:4c:a1:b5:5d:8c:2b\",\n"
	    "    \"expiry-time\": 1795001000,\n"
	    "    \"server-duid\": \"00:01:00:01:2e:b4:3a:a1:52:54:00:d4:67:ee\"\n  },\n"
	    "  {\n    \"ip-address\": \"192.168.150.61\",\n"
	    "    \"mac-address\": \"52:54:00:15:00:61\",\n    \"expiry-time\": 1795001000\n  },\n"
	    "  {\n    \"ip-address\": \"192.168.150.62\",\n"
	    "    \"mac-address\": \"52:54:00:15:00:62\",\n    \"expiry-time\": 1795001000\n  },\n"
	    "  {\n    \"ip-address\": \"192.168.150.64\",\n"
	    "    \"mac-address\": \"52:54:00:15:00:64\",\n    \"expiry-time\": 1794999999\n  }\n"
	    "]\n",
	    (size_t)-1);
	load(t, NOW);
	expect_status(t, "dual", AF_UNSPEC, LC_NOTFOUND); /* unplugged: the module hides it */
	parse_macs(s, 3, macs);
	guest_leases(t, NOW, macs, 3, &gl);
	assert_int_equal(gl.n, 2);
	char a[64];
	assert_string_equal(lc_addr_format(&gl.leases[0].a.addr, a, sizeof(a)), "192.168.150.61");
	assert_null(gl.leases[0].hostname);
	assert_null(gl.leases[0].dhcp6);
	assert_int_equal(gl.leases[0].a.nic_index, 0); /* a MAC listed twice: its first index */
	const struct lc_guest_lease *v6 = &gl.leases[1];
	assert_string_equal(lc_addr_format(&v6->a.addr, a, sizeof(a)), "fd00:150::61");
	assert_string_equal(v6->hostname, "dual");
	assert_string_equal(v6->a.mac_str, "52:54:00:15:00:61");
	assert_non_null(v6->dhcp6);
	assert_int_equal(v6->dhcp6->iaid, 1442775);
	assert_false(v6->dhcp6->temporary);
	assert_duid(v6->dhcp6->client_duid, v6->dhcp6->client_duid_len, "00:04:4c:a1:b5:5d:8c:2b");
	assert_duid(v6->dhcp6->server_duid, v6->dhcp6->server_duid_len,
		    "00:01:00:01:2e:b4:3a:a1:52:54:00:d4:67:ee");
	lc_guest_leases_free(&gl);

	/* the lease of ...:64 expired at NOW - 1; at an earlier now it is there */
	guest_leases(t, NOW - 10, macs, 3, &gl);
	assert_int_equal(gl.n, 3);
	lc_guest_leases_free(&gl);
}

static void test_guest_leases_errors(void **state)
{
	struct dbt *t = *state;
	uint8_t mac[1][LC_MAC_LEN] = {{0x52, 0x54, 0, 0x15, 0, 1}};
	struct lc_guest_leases gl = {.n = 77};

	/* no MACs: nothing, nothing read */
	assert_int_equal(lc_guest_leases(&t->paths, NOW, NULL, 0, &gl), 0);
	assert_int_equal(gl.n, 0);
	lc_guest_leases_free(&gl);
	/* an empty lease dir: nothing */
	assert_int_equal(lc_guest_leases(&t->paths, NOW, (const uint8_t(*)[LC_MAC_LEN])mac, 1, &gl),
			 0);
	assert_int_equal(gl.n, 0);
	lc_guest_leases_free(&gl);
	/* a garbage .status adds nothing and stops nothing */
	unit_write(t->lease, "virbr-ext.status", "[{\"ip-address\": ", (size_t)-1);
	assert_int_equal(lc_guest_leases(&t->paths, NOW, (const uint8_t(*)[LC_MAC_LEN])mac, 1, &gl),
			 0);
	assert_int_equal(gl.n, 0);
	lc_guest_leases_free(&gl);
	/* no lease dir: -ENOENT, ret untouched */
	unit_rmrf(t->lease);
	gl.n = 77;
	assert_int_equal(lc_guest_leases(&t->paths, NOW, (const uint8_t(*)[LC_MAC_LEN])mac, 1, &gl),
			 -ENOENT);
	assert_int_equal(gl.n, 77);
	assert_int_equal(lc_guest_leases(&t->paths, NOW, NULL, 1, &gl), -EINVAL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
#ifdef UNIT_DB_XFAIL
	/*
	 * Known failures, built as tests/unit/test_db_xfail and listed in
	 * XFAIL_TESTS: a design question for the cold path, not a test bug.
	 * It checks only a file's framing (`[` ... `}` `]`), so a .status or
	 * .macs broken *inside* (framing intact) still gives the objects
	 * around a hit, while a full load drops the whole file.  Rejecting
	 * those files cold means validating every byte, which is the cost the
	 * cold path exists to avoid.  A small lab's hit parses the files
	 * whole and is exact (these run in the table below that way); here
	 * they run with whole parses off, as a big lab takes the cold path.
	 */
	const struct CMUnitTest xfail[] = {
	    T(test_cold_garbage_inside_status),
	    T(test_cold_garbage_inside_macs),
	};
	return cmocka_run_group_tests_name("db (known failures)", xfail, NULL, NULL);
#endif
	const struct CMUnitTest tests[] = {
	    T(test_cold_garbage_inside_status),
	    T(test_cold_garbage_inside_macs),
	    T(test_fixture_dir),
	    T(test_fixture_dir_after_expiry),
	    T(test_node1_nat_first),
	    T(test_many_networks),
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
	    T(test_unavailable),
	    T(test_unavailable_other_sources_answer),
	    T(test_dnsmasq_lease_files),
	    T(test_garbage_status),
	    T(test_dhcp_name_of_guest),
	    T(test_duplicate_address),
	    T(test_stale_name_does_not_shadow),
	    T(test_shared_address_first_host),
	    T(test_expired_hostname_no_alias),
	    T(test_hostile_files),
	    T(test_cold_hostname_guest_two_nics),
	    T(test_cold_stray_named_like_guest),
	    T(test_guest_leases_conf_only),
	    T(test_guest_leases_records),
	    T(test_guest_leases_unplugged),
	    T(test_guest_leases_errors),
	};
	return cmocka_run_group_tests_name("db", tests, NULL, NULL);
}
