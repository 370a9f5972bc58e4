/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host/ddns-zone.c: reading a zone transfer, message by message.  The
 * messages are made with ldns from zone-file text. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "host/ddns.h"
#include "tests/unit/unit.h"

#define SOA "cluster.test. 60 IN SOA ns.cluster.test. admin.cluster.test. 7 60 60 600 60"
#define DH1 "AAIBi/Nx1ToOewGNVQduY7LAd+HZqB99y21ZCMb+79scUTE="

int test_ddns_zone_main(void);

/* A transfer reply holding the RRs (NULL-terminated), in wire form. */
static uint8_t *msg(int rcode, size_t *ret_len, ...)
{
	ldns_pkt *p = ldns_pkt_new();
	va_list ap;
	const char *s;
	uint8_t *w = NULL;

	assert_non_null(p);
	ldns_pkt_set_id(p, 99);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_aa(p, true);
	ldns_pkt_set_rcode(p, (uint8_t)rcode);
	va_start(ap, ret_len);
	while ((s = va_arg(ap, const char *))) {
		ldns_rr *rr = NULL;
		assert_int_equal(ldns_rr_new_frm_str(&rr, s, 0, NULL, NULL), LDNS_STATUS_OK);
		assert_true(ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr));
	}
	va_end(ap);
	assert_int_equal(ldns_pkt2wire(&w, p, ret_len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	return w;
}

static int feed(struct ddns_zone *z, uint8_t *w, size_t n, int *rcode)
{
	int r = ddns_zone_feed(z, w, n, rcode);
	free(w);
	return r;
}

static void test_two_messages(void **state)
{
	struct ddns_zone z;
	struct ddns_set s;
	size_t n;
	int rc = -1;
	char a[64];

	ddns_zone_init(&z, "Cluster.Test.");
	assert_string_equal(z.zone, "cluster.test");
	uint8_t *m1 =
	    msg(0, &n, SOA, "node1.cluster.test. 60 IN A 10.250.0.11",
		"node1.cluster.test. 60 IN DHCID " DH1,
		"node1.cluster.test. 60 IN TXT \"libvirt-cluster host=hv-a cluster=lab group=WEB\"",
		"www.cluster.test. 60 IN A 10.250.0.80",
		"www.cluster.test. 60 IN TXT \"v=spf1 -all\"", NULL);
	assert_int_equal(feed(&z, m1, n, &rc), 0);
	assert_false(z.complete);
	uint8_t *m2 = msg(0, &n, "NODE2.cluster.test. 60 IN AAAA fd00::2",
			  "node2.cluster.test. 60 IN TXT \"libvirt-cluster host=hv-b\"",
			  "node2.cluster.test. 60 IN DHCID " DH1, SOA, NULL);
	assert_int_equal(feed(&z, m2, n, &rc), 1);
	assert_true(z.complete);
	assert_int_equal(z.messages, 2);
	/* only the names with our TXT */
	assert_int_equal(z.n, 2);
	const struct ddns_zone_entry *e = ddns_zone_find(&z, "node1.cluster.test");
	assert_non_null(e);
	assert_string_equal(e->host, "hv-a");
	assert_string_equal(e->cluster, "lab");
	assert_string_equal(e->group, "WEB");
	assert_true(e->has_dhcid);
	assert_int_equal(e->n_addrs, 1);
	assert_string_equal(lc_addr_format(&e->addrs[0], a, sizeof(a)), "10.250.0.11");
	e = ddns_zone_find(&z, "node2.cluster.test");
	assert_non_null(e);
	assert_string_equal(e->owner, "node2.cluster.test");
	assert_string_equal(e->host, "hv-b");
	assert_string_equal(e->cluster, "");
	assert_null(ddns_zone_find(&z, "www.cluster.test"));
	/* what --sync and purge remove: the set as the zone shows it */
	assert_int_equal(ddns_zone_entry_set(&z, e, &s), 0);
	assert_string_equal(s.txt, "libvirt-cluster host=hv-b");
	assert_string_equal(s.zone, "cluster.test");
	assert_int_equal(s.n_addrs, 1);
	/* nothing after the closing SOA */
	uint8_t *m3 = msg(0, &n, SOA, NULL);
	assert_int_equal(feed(&z, m3, n, &rc), -EBADMSG);
	ddns_zone_free(&z);
}

static void test_bad_transfers(void **state)
{
	struct ddns_zone z;
	size_t n;
	int rc = 0;

	/* it opens with the zone's SOA */
	ddns_zone_init(&z, "cluster.test");
	assert_int_equal(
	    feed(&z, msg(0, &n, "a.cluster.test. 60 IN A 10.0.0.1", SOA, NULL), n, &rc), -EBADMSG);
	ddns_zone_free(&z);
	/* the SOA of another zone */
	ddns_zone_init(&z, "cluster.test");
	assert_int_equal(
	    feed(&z,
		 msg(0, &n, "other.test. 60 IN SOA ns.other.test. a.other.test. 1 1 1 1 1", NULL),
		 n, &rc),
	    -EBADMSG);
	ddns_zone_free(&z);
	/* records after the closing SOA in the same message */
	ddns_zone_init(&z, "cluster.test");
	assert_int_equal(
	    feed(&z, msg(0, &n, SOA, SOA, "a.cluster.test. 60 IN A 10.0.0.1", NULL), n, &rc),
	    -EBADMSG);
	ddns_zone_free(&z);
	/* an error RCODE is reported as such */
	ddns_zone_init(&z, "cluster.test");
	assert_int_equal(feed(&z, msg(LDNS_RCODE_NOTAUTH, &n, NULL), n, &rc), -EPROTO);
	assert_int_equal(rc, LDNS_RCODE_NOTAUTH);
	/* and garbage is no message */
	uint8_t junk[20] = {0};
	assert_int_equal(ddns_zone_feed(&z, junk, 5, &rc), -EBADMSG);
	ddns_zone_free(&z);
}

/* What --sync removes: our names that no running guest owns, never
 * another host's. */
static void test_stale(void **state)
{
	struct ddns_config c;
	struct ddns_guest g;
	struct ddns_zone z;
	size_t n;
	int rc;

	memset(&c, 0, sizeof(c));
	snprintf(c.zone, sizeof(c.zone), "cluster.test");
	snprintf(c.host_id, sizeof(c.host_id), "hv-a");
	memset(&g, 0, sizeof(g));
	snprintf(g.name, sizeof(g.name), "node1");
	assert_int_equal(ddns_uuid_parse("6f1d43a0-5b1c-4a3e-9d52-0c2f5e7a1b01", g.uuid), 0);
	assert_int_equal(lc_addr_parse("10.250.0.11", 11, &g.addrs[0]), 0);
	g.n_addrs = 1;

	ddns_zone_init(&z, "cluster.test");
	uint8_t *m = msg(0, &n, SOA, "node1.cluster.test. 60 IN DHCID " DH1,
			 "node1.cluster.test. 60 IN TXT \"libvirt-cluster host=hv-a\"",
			 "node8.cluster.test. 60 IN DHCID " DH1,
			 "node8.cluster.test. 60 IN TXT \"libvirt-cluster host=hv-a\"",
			 "node9.cluster.test. 60 IN DHCID " DH1,
			 "node9.cluster.test. 60 IN TXT \"libvirt-cluster host=hv-b\"", SOA, NULL);
	assert_int_equal(feed(&z, m, n, &rc), 1);
	const struct ddns_zone_entry *e1 = ddns_zone_find(&z, "node1.cluster.test"),
				     *e8 = ddns_zone_find(&z, "node8.cluster.test"),
				     *e9 = ddns_zone_find(&z, "node9.cluster.test");
	assert_non_null(e1);
	assert_non_null(e8);
	assert_non_null(e9);
	/* node1 runs here with the DHCID of its UUID */
	assert_false(ddns_entry_stale(&c, &z, e1, &g, 1));
	/* node8 runs nowhere here (its DHCID is node1's: another guest's) */
	assert_true(ddns_entry_stale(&c, &z, e8, &g, 1));
	assert_true(ddns_entry_stale(&c, &z, e1, &g, 0));
	/* node9 is hv-b's */
	assert_false(ddns_entry_stale(&c, &z, e9, &g, 0));
	/* the same name with another UUID (another guest) does not own it */
	g.uuid[15] ^= 1;
	assert_true(ddns_entry_stale(&c, &z, e1, &g, 1));
	ddns_zone_free(&z);
}

int test_ddns_zone_main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_two_messages),
	    cmocka_unit_test(test_bad_transfers),
	    cmocka_unit_test(test_stale),
	};
	return cmocka_run_group_tests_name("ddns zone transfer", tests, NULL, NULL);
}
