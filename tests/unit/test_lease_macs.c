/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The readers of libvirt's .macs files (who is plugged in) and of plain
 * dnsmasq lease files: the captures, what they keep, garbage, truncation. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tests/unit/lease_test_util.h"

/* ---- plain dnsmasq lease files ----------------------------------------------- */

static int dnsmasq(struct parse_state *s, const char *text)
{
	return lease_parse_dnsmasq(text, strlen(text), &s->arena, &s->leases);
}

static void test_dnsmasq_v4_v6(void **state)
{
	struct parse_state *s = *state;

	assert_int_equal(
	    dnsmasq(s, "1795781219 52:54:00:15:00:02 192.168.150.11 c2 01:52:54:00:15:00:02\n"
		       "0 52:54:00:15:00:04 192.168.150.14 * *\n"
		       "duid 00:01:00:01:2e:b4:3a:a1:52:54:00:d4:67:ee\n"
		       "1795781300 1442775 fd00:150::5c c2v6 "
		       "00:04:4c:a1:b5:5d:8c:2b:41:7c:bf:24:fd:d2:5a:1f:5e:47\n"
		       "\n"
		       "1795781301 52:54:00:15:00:05 192.168.150.15 four-fields\n"),
	    0);
	assert_int_equal(s->leases.n, 4);

	const struct lc_lease *l = lease_at(s, 0);
	assert_addr(&l->addr, "192.168.150.11");
	assert_true(l->has_mac);
	assert_mac(l->mac, "52:54:00:15:00:02");
	assert_string_equal(l->hostname, "c2");
	assert_int_equal(l->expiry, 1795781219);

	/* `*` is no hostname; expiry 0 is dnsmasq's infinite lease */
	l = lease_at(s, 1);
	assert_addr(&l->addr, "192.168.150.14");
	assert_null(l->hostname);
	assert_int_equal(l->expiry, LC_EXPIRY_INFINITE);

	/* the duid line is not a lease; a v6 line carries an IAID, no MAC */
	l = lease_at(s, 2);
	assert_int_equal(l->addr.family, AF_INET6);
	assert_addr(&l->addr, "fd00:150::5c");
	assert_false(l->has_mac);
	assert_string_equal(l->hostname, "c2v6");
	assert_int_equal(l->expiry, 1795781300);

	l = lease_at(s, 3);
	assert_addr(&l->addr, "192.168.150.15");
	assert_string_equal(l->hostname, "four-fields");
}

static void test_dnsmasq_truncated_last_line(void **state)
{
	struct parse_state *s = *state;
	const char *text = "1795781219 52:54:00:15:00:02 192.168.150.11 c2 *\n"
			   "1795781219 52:54:00:15:00:03 192.168.150.12 c3 *\n";
	size_t len = strlen(text);

	/* every cut that is not at a line end drops the whole file */
	for (size_t k = 1; k < len; k++) {
		int r = lease_parse_dnsmasq(text, k, &s->arena, &s->leases);
		if (text[k - 1] == '\n') {
			assert_int_equal(r, 0);
			assert_int_equal(s->leases.n, 1);
			s->leases.n = 0;
		} else if (r != -EBADMSG || s->leases.n != 0) {
			fail_msg("cut at %zu: r=%d, %zu entries", k, r, s->leases.n);
		}
	}
	assert_int_equal(lease_parse_dnsmasq(text, len, &s->arena, &s->leases), 0);
	assert_int_equal(s->leases.n, 2);
	/* an empty file is a valid file with no lease */
	s->leases.n = 0;
	assert_int_equal(lease_parse_dnsmasq("", 0, &s->arena, &s->leases), 0);
	assert_int_equal(s->leases.n, 0);
}

static void test_dnsmasq_garbage(void **state)
{
	struct parse_state *s = *state;
	static const char *bad[] = {
	    "garbage\n",
	    "1795781219 52:54:00:15:00:02 192.168.150.11\n",	   /* 3 fields */
	    "soon 52:54:00:15:00:02 192.168.150.11 c2 *\n",	   /* expiry */
	    "-5 52:54:00:15:00:02 192.168.150.11 c2 *\n",	   /* negative */
	    "1795781219 52:54:00:15:00:02 192.168.150.311 c2 *\n", /* address */
	    "99999999999999999999999 52:54:00:15:00:02 192.168.150.11 c2 *\n",
	    "1795781219 52:54:00:15:00:02 192.168.150.11 c2 *\n{\"json\": 1}\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (dnsmasq(s, bad[i]) != -EBADMSG)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(s->leases.n, 0);
	}
	const char nul[] = "1795781219 52:54:00:15:00:02 192.168.150.11 c\0 *\n";
	assert_int_equal(lease_parse_dnsmasq(nul, sizeof(nul) - 1, &s->arena, &s->leases),
			 -EBADMSG);
	assert_int_equal(s->leases.n, 0);
}

/* ---- .macs ----------------------------------------------------------------------- */

static const struct lc_macs_entry *macs_at(struct parse_state *s, size_t i)
{
	assert_true(i < s->macs.n);
	return &((const struct lc_macs_entry *)s->macs.items)[i];
}

static void test_macs_fixture(void **state)
{
	struct parse_state *s = *state;
	size_t len;
	char *buf = unit_fixture("libvirt-9.0/dnsmasq/virbr-lab.macs", &len);

	assert_int_equal(lease_parse_macs(buf, len, &s->macs), 0);
	free(buf);
	assert_int_equal(s->macs.n, 2);
	assert_string_equal(macs_at(s, 0)->domain, "c2");
	assert_int_equal(macs_at(s, 0)->n_macs, 1);
	assert_mac(macs_at(s, 0)->macs[0], "52:54:00:15:00:02");
	assert_string_equal(macs_at(s, 1)->domain, "c3");
	assert_int_equal(macs_at(s, 1)->n_macs, 1);
	assert_mac(macs_at(s, 1)->macs[0], "52:54:00:15:00:03");
}

static void test_macs_empty(void **state)
{
	struct parse_state *s = *state;
	size_t len;
	char *buf = unit_fixture("libvirt-9.0/dnsmasq/virbr-iso.macs", &len);

	/* libvirt's "nobody is plugged in": valid, and empty */
	assert_int_equal(lease_parse_macs(buf, len, &s->macs), 0);
	free(buf);
	assert_int_equal(s->macs.n, 0);
	assert_int_equal(lease_parse_macs("[\n\n]", 4, &s->macs), 0);
	assert_int_equal(s->macs.n, 0);
}

static void test_macs_many(void **state)
{
	struct parse_state *s = *state;
	char buf[8192];
	size_t off = 0;

	/* one guest with many NICs (the array grows), one with an unusable
	 * MAC among good ones, one with no domain (dropped) */
	off += (size_t)snprintf(buf + off, sizeof(buf) - off, "[{\"domain\": \"big\", \"macs\": [");
	for (int i = 0; i < 37; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s\"52:54:00:00:01:%02x\"",
					i ? ", " : "", i);
	off += (size_t)snprintf(
	    buf + off, sizeof(buf) - off,
	    "]}, {\"macs\": [\"52:54:00:00:02:01\"], \"domain\": \"second\", "
	    "\"extra\": {\"x\": [1]}},"
	    " {\"domain\": \"third\", \"macs\": [\"nope\", \"52:54:00:00:03:01\"]},"
	    " {\"macs\": [\"52:54:00:00:04:01\"]}]");
	assert_int_equal(lease_parse_macs(buf, off, &s->macs), 0);
	assert_int_equal(s->macs.n, 3);
	assert_string_equal(macs_at(s, 0)->domain, "big");
	assert_int_equal(macs_at(s, 0)->n_macs, 37);
	for (int i = 0; i < 37; i++) {
		char m[18];
		snprintf(m, sizeof(m), "52:54:00:00:01:%02x", i);
		assert_mac(macs_at(s, 0)->macs[i], m);
	}
	assert_string_equal(macs_at(s, 1)->domain, "second");
	assert_int_equal(macs_at(s, 1)->n_macs, 1);
	assert_mac(macs_at(s, 1)->macs[0], "52:54:00:00:02:01");
	assert_string_equal(macs_at(s, 2)->domain, "third");
	assert_int_equal(macs_at(s, 2)->n_macs, 1);
	assert_mac(macs_at(s, 2)->macs[0], "52:54:00:00:03:01");
}

static void test_macs_garbage(void **state)
{
	struct parse_state *s = *state;
	static const char *bad[] = {
	    "garbage",
	    "",
	    "[{\"domain\": \"c2\", \"macs\": [\"52:54:00:15:00:02\"]}",
	    "[{\"domain\": \"c2\", \"macs\": \"52:54:00:15:00:02\"}]",
	    "[{\"domain\": \"c2\", \"macs\": [\"52:54:00:15:00:02\"]}] x",
	    "[{\"domain\": 5, \"macs\": []}]",
	    "{\"domain\": \"c2\", \"macs\": []}",
	};
	const char *keep = "[{\"domain\": \"keep\", \"macs\": [\"52:54:00:15:00:09\"]}]";
	assert_int_equal(lease_parse_macs(keep, strlen(keep), &s->macs), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (lease_parse_macs(bad[i], strlen(bad[i]), &s->macs) != -EBADMSG)
			fail_msg("accepted: %s", bad[i]);
		/* what an earlier file gave is kept */
		assert_int_equal(s->macs.n, 1);
		assert_string_equal(macs_at(s, 0)->domain, "keep");
	}
}

#define T(f) cmocka_unit_test_setup_teardown(f, lease_setup, lease_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_dnsmasq_v4_v6),   T(test_dnsmasq_truncated_last_line),
	    T(test_dnsmasq_garbage), T(test_macs_fixture),
	    T(test_macs_empty),	     T(test_macs_many),
	    T(test_macs_garbage),
	};
	return cmocka_run_group_tests_name("lease macs and dnsmasq", tests, NULL, NULL);
}
