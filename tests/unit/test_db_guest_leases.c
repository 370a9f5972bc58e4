/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One guest's leases (lc_guest_leases, for the hook): found by MAC, plugged
 * in or not, with their DHCPv6 ids, and ranked exactly as the db ranks the
 * guest's addresses.  `now` is always injected. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "tests/unit/db_test_util.h"

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

#define T(f) cmocka_unit_test_setup_teardown(f, db_setup, db_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_guest_leases_conf_only),
	    T(test_guest_leases_records),
	    T(test_guest_leases_unplugged),
	    T(test_guest_leases_errors),
	};
	return cmocka_run_group_tests_name("db guest leases", tests, NULL, NULL);
}
