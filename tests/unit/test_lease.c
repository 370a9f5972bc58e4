/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The readers of the files libvirt and dnsmasq write. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "resolver/json.h"
#include "resolver/lease.h"
#include "tests/unit/unit.h"

struct parse_state {
	struct lc_arena arena;
	struct lc_vec leases;
	struct lc_vec macs;
};

static int setup(void **state)
{
	struct parse_state *s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	s->leases.item_size = sizeof(struct lc_lease);
	s->macs.item_size = sizeof(struct lc_macs_entry);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct parse_state *s = *state;
	lc_vec_free(&s->leases);
	lease_macs_free(&s->macs);
	lc_arena_free(&s->arena);
	free(s);
	return 0;
}

static const struct lc_lease *lease_at(struct parse_state *s, size_t i)
{
	assert_true(i < s->leases.n);
	return &((const struct lc_lease *)s->leases.items)[i];
}

static void assert_addr(const struct lc_addr *a, const char *expected)
{
	char buf[64];
	lc_addr_format(a, buf, sizeof(buf));
	assert_string_equal(buf, expected);
}

static void assert_mac(const uint8_t mac[LC_MAC_LEN], const char *expected)
{
	char buf[18];
	lc_mac_format(mac, buf);
	assert_string_equal(buf, expected);
}

static int status(struct parse_state *s, const char *json)
{
	return lease_parse_status(json, strlen(json), &s->arena, &s->leases);
}

/* ---- .status --------------------------------------------------------------- */

static void test_status_fixture_lab(void **state)
{
	struct parse_state *s = *state;
	size_t len;
	char *buf = unit_fixture("libvirt-9.0/dnsmasq/virbr-lab.status", &len);

	assert_int_equal(lease_parse_status(buf, len, &s->arena, &s->leases), 0);
	free(buf);
	assert_int_equal(s->leases.n, 3);
	static const char *ips[] = {"192.168.150.10", "192.168.150.11", "192.168.150.12"};
	static const char *macs[] = {"52:54:00:15:00:01", "52:54:00:15:00:02", "52:54:00:15:00:03"};
	static const char *hosts[] = {"c1", "c2", "c3-host"};
	for (size_t i = 0; i < 3; i++) {
		const struct lc_lease *l = lease_at(s, i);
		assert_int_equal(l->addr.family, AF_INET);
		assert_addr(&l->addr, ips[i]);
		assert_true(l->has_mac);
		assert_mac(l->mac, macs[i]);
		assert_string_equal(l->hostname, hosts[i]);
		assert_int_equal(l->expiry, 1795781219);
	}
}

static void test_status_fixture_iso(void **state)
{
	struct parse_state *s = *state;
	size_t len;
	char *buf = unit_fixture("libvirt-9.0/dnsmasq/virbr-iso.status", &len);

	assert_int_equal(lease_parse_status(buf, len, &s->arena, &s->leases), 0);
	free(buf);
	assert_int_equal(s->leases.n, 1);
	assert_addr(&lease_at(s, 0)->addr, "192.168.160.55");
	assert_mac(lease_at(s, 0)->mac, "52:54:00:16:00:01");
	assert_string_equal(lease_at(s, 0)->hostname, "c1");
	assert_int_equal(lease_at(s, 0)->expiry, 1795781220);
}

static void test_status_empty(void **state)
{
	struct parse_state *s = *state;

	/* libvirt writes "[]" once the last lease is gone */
	assert_int_equal(status(s, "[]\n"), 0);
	assert_int_equal(s->leases.n, 0);
	assert_int_equal(status(s, "[\n\n]\n"), 0);
	assert_int_equal(s->leases.n, 0);
	/* and an empty file right after the network starts: nothing either */
	assert_int_equal(lease_parse_status("", 0, &s->arena, &s->leases), -EBADMSG);
	assert_int_equal(s->leases.n, 0);
}

static void test_status_infinite(void **state)
{
	struct parse_state *s = *state;

	assert_int_equal(status(s, "[{\"ip-address\": \"192.168.150.20\", "
				   "\"mac-address\": \"52:54:00:aa:bb:cc\"}]"),
			 0);
	assert_int_equal(s->leases.n, 1);
	assert_int_equal(lease_at(s, 0)->expiry, LC_EXPIRY_INFINITE);
	assert_null(lease_at(s, 0)->hostname);
	assert_mac(lease_at(s, 0)->mac, "52:54:00:aa:bb:cc");
}

static void test_status_unknown_keys(void **state)
{
	struct parse_state *s = *state;

	assert_int_equal(
	    status(s, "[{\"future\": {\"nested\": [1, 2.5, null, true]}, "
		      "\"ip-address\": \"192.168.150.21\", \"x\": \"y\", "
		      "\"a-key-that-is-much-longer-than-any-known-one\": \"ip-address\", "
		      "\"hostname\": \"n1\", \"expiry-time\": 1795781300, \"z\": false}]"),
	    0);
	assert_int_equal(s->leases.n, 1);
	assert_addr(&lease_at(s, 0)->addr, "192.168.150.21");
	assert_string_equal(lease_at(s, 0)->hostname, "n1");
	assert_int_equal(lease_at(s, 0)->expiry, 1795781300);
	assert_false(lease_at(s, 0)->has_mac);
}

static void test_status_dhcpv6(void **state)
{
	struct parse_state *s = *state;

	/* what libvirt's leaseshelper writes for a DHCPv6 lease */
	assert_int_equal(
	    status(s,
		   "[\n  {\n    \"iaid\": \"1442775\",\n"
		   "    \"ip-address\": \"fd00:150::5c\",\n"
		   "    \"mac-address\": \"52:54:00:15:00:02\",\n"
		   "    \"hostname\": \"c2\",\n"
		   "    \"client-id\": \"00:04:4c:a1:b5:5d:8c:2b:41:7c:bf:24:fd:d2:5a:1f:5e:47\",\n"
		   "    \"expiry-time\": 1795781219,\n"
		   "    \"server-duid\": \"00:01:00:01:2e:b4:3a:a1:52:54:00:d4:67:ee\"\n"
		   "  },\n  {\n    \"ip-address\": \"192.168.150.11\",\n"
		   "    \"mac-address\": \"52:54:00:15:00:02\",\n"
		   "    \"hostname\": \"c2\",\n    \"expiry-time\": 1795781219\n  }\n]\n"),
	    0);
	assert_int_equal(s->leases.n, 2);
	const struct lc_lease *v6 = lease_at(s, 0);
	assert_int_equal(v6->addr.family, AF_INET6);
	assert_addr(&v6->addr, "fd00:150::5c");
	assert_mac(v6->mac, "52:54:00:15:00:02");
	assert_string_equal(v6->hostname, "c2");
	assert_int_equal(v6->expiry, 1795781219);
	/* what a DHCPv6 Release needs */
	assert_non_null(v6->dhcp6);
	assert_int_equal(v6->dhcp6->iaid, 1442775);
	assert_false(v6->dhcp6->temporary);
	static const uint8_t cid[] = {0x00, 0x04, 0x4c, 0xa1, 0xb5, 0x5d, 0x8c, 0x2b, 0x41,
				      0x7c, 0xbf, 0x24, 0xfd, 0xd2, 0x5a, 0x1f, 0x5e, 0x47};
	static const uint8_t sid[] = {0x00, 0x01, 0x00, 0x01, 0x2e, 0xb4, 0x3a,
				      0xa1, 0x52, 0x54, 0x00, 0xd4, 0x67, 0xee};
	assert_int_equal(v6->dhcp6->client_duid_len, sizeof(cid));
	assert_memory_equal(v6->dhcp6->client_duid, cid, sizeof(cid));
	assert_int_equal(v6->dhcp6->server_duid_len, sizeof(sid));
	assert_memory_equal(v6->dhcp6->server_duid, sid, sizeof(sid));
	assert_int_equal(lease_at(s, 1)->addr.family, AF_INET);
	assert_null(lease_at(s, 1)->dhcp6);
}

/* The DHCPv6 identity of a lease: any key order, IAID as libvirt's string
 * or as a number, "T" for a temporary address; a v4 lease never has one. */
static void test_status_dhcp6_id(void **state)
{
	struct parse_state *s = *state;

	assert_int_equal(
	    status(
		s,
		"[{\"server-duid\": \"0:3:0:1:52:54:0:65:b2:e5\", \"client-id\": "
		"\"00:01:00:01:2c:4e:1a:3b:52:54:00:15:00:03\", \"iaid\": 4294967295, "
		"\"ip-address\": \"fd00::3\"},"
		"{\"ip-address\": \"fd00::4\", \"iaid\": \"T7\", \"client-id\": \"1:2\", "
		"\"server-duid\": \"3\"},"
		"{\"ip-address\": \"10.0.0.5\", \"iaid\": \"5\", \"client-id\": "
		"\"01:52:54:00:15:00:05\", \"server-duid\": \"00:03:00:01:52:54:00:65:b2:e5\"}]"),
	    0);
	assert_int_equal(s->leases.n, 3);
	const struct lc_dhcp6_id *d = lease_at(s, 0)->dhcp6;
	assert_non_null(d);
	assert_int_equal(d->iaid, 4294967295u);
	assert_false(d->temporary);
	assert_int_equal(d->client_duid_len, 14);
	assert_int_equal(d->client_duid[13], 0x03);
	/* dnsmasq's %.2x, or single digits: one byte each */
	static const uint8_t sid[] = {0, 3, 0, 1, 0x52, 0x54, 0, 0x65, 0xb2, 0xe5};
	assert_int_equal(d->server_duid_len, sizeof(sid));
	assert_memory_equal(d->server_duid, sid, sizeof(sid));
	d = lease_at(s, 1)->dhcp6;
	assert_non_null(d);
	assert_int_equal(d->iaid, 7);
	assert_true(d->temporary);
	assert_int_equal(d->client_duid_len, 2);
	assert_int_equal(d->server_duid_len, 1);
	assert_int_equal(d->server_duid[0], 3);
	assert_null(lease_at(s, 2)->dhcp6); /* IPv4: nothing decoded */

	/* the longest DUID (130 bytes) is kept; one byte more loses the id */
	char json[2048], duid[LC_DUID_MAX * 3 + 8];
	size_t o = 0;
	for (int i = 0; i < LC_DUID_MAX + 1; i++)
		o += (size_t)snprintf(duid + o, sizeof(duid) - o, "%s%02x", i ? ":" : "", i);
	duid[LC_DUID_MAX * 3 - 1] = '\0';
	snprintf(json, sizeof(json),
		 "[{\"ip-address\": \"fd00::6\", \"iaid\": \"6\", \"client-id\": \"%s\", "
		 "\"server-duid\": \"01\"}]",
		 duid);
	assert_int_equal(status(s, json), 0);
	assert_non_null(lease_at(s, 3)->dhcp6);
	assert_int_equal(lease_at(s, 3)->dhcp6->client_duid_len, LC_DUID_MAX);
	assert_int_equal(lease_at(s, 3)->dhcp6->client_duid[129], 129);
	duid[LC_DUID_MAX * 3 - 1] = ':';
	snprintf(json, sizeof(json),
		 "[{\"ip-address\": \"fd00::7\", \"iaid\": \"7\", \"client-id\": \"%s\", "
		 "\"server-duid\": \"01\"}]",
		 duid);
	assert_int_equal(status(s, json), 0);
	assert_int_equal(s->leases.n, 5);
	assert_null(lease_at(s, 4)->dhcp6);
}

static void test_status_dhcp6_id_bad(void **state)
{
	struct parse_state *s = *state;
	static const char *lose_id[] = {
	    /* a field missing */
	    "{\"ip-address\": \"fd00::8\", \"client-id\": \"01\", \"server-duid\": \"02\"}",
	    "{\"ip-address\": \"fd00::8\", \"iaid\": \"8\", \"server-duid\": \"02\"}",
	    "{\"ip-address\": \"fd00::8\", \"iaid\": \"8\", \"client-id\": \"01\"}",
	    /* the right type, a value that does not parse */
	    "{\"ip-address\": \"fd00::8\", \"iaid\": \"\", \"client-id\": \"01\", "
	    "\"server-duid\": \"02\"}",
	    "{\"ip-address\": \"fd00::8\", \"iaid\": \"T\", \"client-id\": \"01\", "
	    "\"server-duid\": \"02\"}",
	    "{\"ip-address\": \"fd00::8\", \"iaid\": \"4294967296\", \"client-id\": \"01\", "
	    "\"server-duid\": \"02\"}",
	    "{\"ip-address\": \"fd00::8\", \"iaid\": \"-1\", \"client-id\": \"01\", "
	    "\"server-duid\": \"02\"}",
	    "{\"ip-address\": \"fd00::8\", \"iaid\": -1, \"client-id\": \"01\", "
	    "\"server-duid\": \"02\"}",
	    "{\"ip-address\": \"fd00::8\", \"iaid\": \"8\", \"client-id\": \"01:\", "
	    "\"server-duid\": \"02\"}",
	    "{\"ip-address\": \"fd00::8\", \"iaid\": \"8\", \"client-id\": \"01-02\", "
	    "\"server-duid\": \"02\"}",
	    "{\"ip-address\": \"fd00::8\", \"iaid\": \"8\", \"client-id\": \"\", "
	    "\"server-duid\": \"02\"}",
	    "{\"ip-address\": \"fd00::8\", \"iaid\": \"8\", \"client-id\": \"01\", "
	    "\"server-duid\": \"0g\"}",
	    "{\"ip-address\": \"fd00::8\", \"iaid\": \"8\", \"client-id\": \"012\", "
	    "\"server-duid\": \"02\"}",
	};
	char buf[512];

	for (size_t i = 0; i < sizeof(lose_id) / sizeof(*lose_id); i++) {
		snprintf(buf, sizeof(buf), "[%s]", lose_id[i]);
		size_t n = s->leases.n;
		assert_int_equal(status(s, buf), 0);
		assert_int_equal(s->leases.n, n + 1); /* the address stays */
		if (lease_at(s, n)->dhcp6)
			fail_msg("kept a DHCPv6 id from %s", lose_id[i]);
	}

	/* a known key with a value of the wrong type: the file is broken,
	 * whatever the address family */
	static const char *broken[] = {
	    "[{\"ip-address\": \"fd00::9\", \"iaid\": true}]",
	    "[{\"ip-address\": \"fd00::9\", \"iaid\": 1.5}]",
	    "[{\"ip-address\": \"fd00::9\", \"iaid\": [1]}]",
	    "[{\"ip-address\": \"fd00::9\", \"client-id\": 1}]",
	    "[{\"ip-address\": \"fd00::9\", \"server-duid\": {}}]",
	    "[{\"ip-address\": \"10.0.0.9\", \"client-id\": null}]",
	    "[{\"ip-address\": \"10.0.0.9\"}, {\"ip-address\": \"fd00::9\", \"server-duid\": "
	    "[\"00:01\"]}]",
	};
	size_t n = s->leases.n;
	for (size_t i = 0; i < sizeof(broken) / sizeof(*broken); i++)
		if (status(s, broken[i]) != -EBADMSG)
			fail_msg("accepted %s", broken[i]);
	assert_int_equal(s->leases.n, n);
}

/* The resolver's db skips decoding the ids: the same leases, no dhcp6, and
 * the same verdict on a file with a wrong type. */
static void test_status_skip_dhcp6_id(void **state)
{
	struct parse_state *s = *state;
	const char *json =
	    "[{\"iaid\": \"1442775\", \"ip-address\": \"fd00:150::5c\", \"mac-address\": "
	    "\"52:54:00:15:00:02\", \"client-id\": \"00:04:4c:a1\", \"expiry-time\": 1795781219, "
	    "\"server-duid\": \"00:01:00:01\"}, {\"ip-address\": \"10.0.0.5\", \"client-id\": "
	    "\"01:52:54:00:15:00:05\"}]";

	assert_int_equal(lease_parse_status_flags(json, strlen(json), &s->arena, &s->leases,
						  LEASE_SKIP_DHCP6_ID),
			 0);
	assert_int_equal(s->leases.n, 2);
	assert_addr(&lease_at(s, 0)->addr, "fd00:150::5c");
	assert_mac(lease_at(s, 0)->mac, "52:54:00:15:00:02");
	assert_int_equal(lease_at(s, 0)->expiry, 1795781219);
	assert_null(lease_at(s, 0)->dhcp6);
	assert_null(lease_at(s, 1)->dhcp6);
	/* the same file decodes with no flags */
	assert_int_equal(status(s, json), 0);
	assert_non_null(lease_at(s, 2)->dhcp6);
	const char *bad = "[{\"ip-address\": \"fd00::9\", \"iaid\": true}]";
	assert_int_equal(
	    lease_parse_status_flags(bad, strlen(bad), &s->arena, &s->leases, LEASE_SKIP_DHCP6_ID),
	    -EBADMSG);
	assert_int_equal(s->leases.n, 4);
}

/* The IPv4 fast path of lc_addr_parse answers as inet_pton does, for
 * edge cases and for random strings of digits and dots. */
static void test_addr_parse_ipv4_like_inet_pton(void **state)
{
	static const char *const edge[] = {
	    "0.0.0.0",	"255.255.255.255", "256.1.1.1", "01.2.3.4",    "1.2.3",
	    "1.2.3.4.", "1..2.3",	   " 1.2.3.4",	"1.2.3.04",    "1.2.3.0",
	    "0.1.2.3",	"1234.1.1.1",	   "1.2.3.4 ",	"1.2.3.-4",    "10.0.0.10",
	    "00.0.0.0", "1.2.3.255",	   "1.2.3.256", "192.168.1.1", "1.2.3.4\n"};
	char buf[32];
	unsigned seed = 7;

	for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]) + 20000; i++) {
		const char *in = buf;
		if (i < sizeof(edge) / sizeof(edge[0])) {
			in = edge[i];
		} else {
			size_t len = 7 + (seed = seed * 1103515245 + 12345) % 9;
			for (size_t k = 0; k < len; k++)
				buf[k] =
				    "0123456789.1."[((seed = seed * 1103515245 + 12345) >> 16) %
						    13];
			buf[len] = '\0';
		}
		struct lc_addr a;
		uint8_t want[4];
		int r = lc_addr_parse(in, strlen(in), &a);
		int ok = inet_pton(AF_INET, in, want);
		if ((r == 0 && a.family == AF_INET) != (ok == 1))
			fail_msg("\"%s\": lc_addr_parse %d, inet_pton %d", in, r, ok);
		if (ok == 1)
			assert_memory_equal(a.bytes, want, 4);
	}
}

/* The IPv6 fast path of lc_addr_parse answers as inet_pton does (both
 * families tried, as it tries them), for edge cases and for random
 * strings of hex digits, colons and a dot now and then. */
static void test_addr_parse_ipv6_like_inet_pton(void **state)
{
	static const char *const edge[] = {"::",
					   "::1",
					   "1::",
					   ":",
					   ":::",
					   "1:2:3:4:5:6:7:8",
					   "1:2:3:4:5:6:7::",
					   "::2:3:4:5:6:7:8",
					   "1:2:3:4:5:6:7:8:9",
					   "1:2:3:4:5:6:7::8",
					   "1::2::3",
					   "1:::2",
					   ":1::",
					   "1::2:",
					   "12345::",
					   "fd00:1::5",
					   "FD00:1::A",
					   "0000:0:00:000::",
					   "1:2:3:4:5:6:7",
					   "::ffff:1.2.3.4",
					   "1:2:3:4:5:6:1.2.3.4",
					   "1:2",
					   "g::",
					   "1::2 ",
					   ":1",
					   "1:",
					   "fe80::1%eth0",
					   "::0:0:0:0:0:0:0",
					   "::0:0:0:0:0:0"};
	char buf[48];
	unsigned seed = 11;

	(void)state;
	for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]) + 50000; i++) {
		const char *in = buf;
		if (i < sizeof(edge) / sizeof(edge[0])) {
			in = edge[i];
		} else if (i % 2) {
			size_t len = 1 + (seed = seed * 1103515245 + 12345) % 40;
			for (size_t k = 0; k < len; k++)
				buf[k] = "0123456789abcdefABCDEF::::::00f."
				    [((seed = seed * 1103515245 + 12345) >> 16) % 32];
			buf[len] = '\0';
		} else {
			/* shaped like an address: up to nine groups of one to
			 * five digits, a "::" among them or not */
			size_t groups = (seed = seed * 1103515245 + 12345) % 10, len = 0;
			size_t gap = (seed = seed * 1103515245 + 12345) % (groups + 3);
			for (size_t g = 0; g <= groups && len < 38; g++) {
				if (g == gap)
					buf[len++] = ':', buf[len++] = ':';
				else if (g && g != gap + 1)
					buf[len++] = ':';
				if (g == groups)
					break;
				size_t nd = 1 + (seed = seed * 1103515245 + 12345) % 5;
				for (size_t k = 0; k < nd && len < 44; k++)
					buf[len++] = "0123456789abcdefABCDEF"
					    [((seed = seed * 1103515245 + 12345) >> 16) % 22];
			}
			buf[len] = '\0';
		}
		struct lc_addr a;
		uint8_t want[16];
		int r = lc_addr_parse(in, strlen(in), &a);
		int fam = inet_pton(AF_INET, in, want) == 1    ? AF_INET
			  : inet_pton(AF_INET6, in, want) == 1 ? AF_INET6
							       : 0;
		if ((r == 0 ? a.family : 0) != fam)
			fail_msg("\"%s\": lc_addr_parse %d (family %d), inet_pton family %d", in, r,
				 r == 0 ? a.family : 0, fam);
		if (fam)
			assert_memory_equal(a.bytes, want, fam == AF_INET ? 4 : 16);
	}
}

static void test_hex_parse(void **state)
{
	uint8_t b[4];
	(void)state;

	assert_int_equal(lc_hex_parse("ff", 2, b, sizeof(b)), 1);
	assert_int_equal(b[0], 0xff);
	assert_int_equal(lc_hex_parse("1:a:FF", 6, b, sizeof(b)), 3);
	assert_int_equal(b[0], 1);
	assert_int_equal(b[1], 0xa);
	assert_int_equal(b[2], 0xff);
	/* the length bounds the parse */
	assert_int_equal(lc_hex_parse("01:02:03", 5, b, sizeof(b)), 2);
	assert_int_equal(lc_hex_parse("", 0, b, sizeof(b)), -EINVAL);
	assert_int_equal(lc_hex_parse(":01", 3, b, sizeof(b)), -EINVAL);
	assert_int_equal(lc_hex_parse("01::02", 6, b, sizeof(b)), -EINVAL);
	assert_int_equal(lc_hex_parse("01:", 3, b, sizeof(b)), -EINVAL);
	assert_int_equal(lc_hex_parse("123", 3, b, sizeof(b)), -EINVAL);
	assert_int_equal(lc_hex_parse("1:2:3:4:5", 9, b, sizeof(b)), -ENOBUFS);
}

static void test_status_bad_address_skipped(void **state)
{
	struct parse_state *s = *state;

	assert_int_equal(status(s,
				"[{\"ip-address\": \"192.168.150.300\", \"hostname\": \"bad1\"},"
				" {\"ip-address\": \"fe80::1%eth0\", \"hostname\": \"bad2\"},"
				" {\"ip-address\": \"\", \"hostname\": \"bad3\"},"
				" {\"hostname\": \"noip\"},"
				" {\"ip-address\": \"192.168.150.22\", \"hostname\": \"good\"},"
				" {\"ip-address\": \"192.168.150.23 \", \"hostname\": \"bad4\"}]"),
			 0);
	assert_int_equal(s->leases.n, 1);
	assert_addr(&lease_at(s, 0)->addr, "192.168.150.22");
	assert_string_equal(lease_at(s, 0)->hostname, "good");
}

static void test_status_bad_fields(void **state)
{
	struct parse_state *s = *state;

	/* a bad MAC or hostname loses that field, not the address */
	assert_int_equal(
	    status(s, "[{\"ip-address\": \"192.168.150.24\", "
		      "\"mac-address\": \"52:54:00:zz:00:01\", "
		      "\"hostname\": \"has space\"},"
		      "{\"ip-address\": \"192.168.150.25\", \"hostname\": \"h\\u00e9\"}]"),
	    0);
	assert_int_equal(s->leases.n, 2);
	assert_false(lease_at(s, 0)->has_mac);
	assert_null(lease_at(s, 0)->hostname);
	assert_null(lease_at(s, 1)->hostname);
	/* a value of the wrong type is a broken file: nothing from it */
	assert_int_equal(
	    status(s, "[{\"ip-address\": \"192.168.150.26\", \"expiry-time\": \"soon\"}]"),
	    -EBADMSG);
	assert_int_equal(status(s, "[{\"ip-address\": 17}]"), -EBADMSG);
	assert_int_equal(
	    status(s, "[{\"ip-address\": \"192.168.150.26\", \"expiry-time\": 1795781219.5}]"),
	    -EBADMSG);
	assert_int_equal(s->leases.n, 2);
}

static void test_status_long_hostname(void **state)
{
	struct parse_state *s = *state;
	size_t hl = 64 * 1024;
	char *json = malloc(hl + 256);

	assert_non_null(json);
	strcpy(json, "[{\"ip-address\": \"192.168.150.27\", \"hostname\": \"");
	size_t off = strlen(json);
	memset(json + off, 'h', hl);
	strcpy(json + off + hl,
	       "\"}, {\"ip-address\": \"192.168.150.28\", \"hostname\": \"next\"}]");
	assert_int_equal(status(s, json), 0);
	free(json);
	/* the lease stays, the over-long hostname does not */
	assert_int_equal(s->leases.n, 2);
	assert_addr(&lease_at(s, 0)->addr, "192.168.150.27");
	assert_null(lease_at(s, 0)->hostname);
	assert_string_equal(lease_at(s, 1)->hostname, "next");

	/* 255 bytes is the longest hostname kept */
	char name[LC_HOSTNAME_MAX + 1];
	char buf[512];
	memset(name, 'a', LC_HOSTNAME_MAX);
	name[LC_HOSTNAME_MAX] = '\0';
	snprintf(buf, sizeof(buf), "[{\"ip-address\": \"192.168.150.29\", \"hostname\": \"%s\"}]",
		 name);
	assert_int_equal(status(s, buf), 0);
	assert_int_equal(s->leases.n, 3);
	assert_string_equal(lease_at(s, 2)->hostname, name);
}

static void test_status_garbage(void **state)
{
	struct parse_state *s = *state;
	static const char *bad[] = {
	    "not json at all",
	    "{\"ip-address\": \"192.168.150.30\"}",
	    "[{\"ip-address\": \"192.168.150.30\"}] trailing",
	    "[{\"ip-address\": \"192.168.150.30\"}]]",
	    "[{\"ip-address\": \"192.168.150.30\"},]",
	    "[{\"ip-address\": \"192.168.150.30\"} {\"ip-address\": \"192.168.150.31\"}]",
	    "[\"192.168.150.30\"]",
	    "[{\"ip-address\": \"192.168.150.30\", \"hostname\": \"a\\u0000b\"}]",
	    "[{\"ip-address\": \"192.168.\n150.30\"}]",
	    "\xef\xbb\xbf[]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (status(s, bad[i]) != -EBADMSG)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(s->leases.n, 0);
	}
	/* binary noise with embedded NULs */
	char noise[512];
	for (size_t i = 0; i < sizeof(noise); i++)
		noise[i] = (char)(i * 7919 % 251);
	noise[0] = '[';
	assert_int_equal(lease_parse_status(noise, sizeof(noise), &s->arena, &s->leases), -EBADMSG);
	assert_int_equal(s->leases.n, 0);
}

static void test_status_keeps_earlier_entries_on_error(void **state)
{
	struct parse_state *s = *state;

	/* the vector is shared across files: a bad file must not eat the
	 * entries of the files read before it */
	assert_int_equal(status(s, "[{\"ip-address\": \"192.168.150.40\"}]"), 0);
	assert_int_equal(status(s, "[{\"ip-address\": \"192.168.150.41\"}, {"), -EBADMSG);
	assert_int_equal(s->leases.n, 1);
	assert_addr(&lease_at(s, 0)->addr, "192.168.150.40");
}

/* Every prefix of a real file (a reader racing a writer that does not
 * rename) gives no entry at all until the closing bracket is there. */
static void truncation_sweep(const char *fixture, size_t expected)
{
	struct lc_arena arena = {0};
	struct lc_vec v = {.item_size = sizeof(struct lc_lease)};
	size_t len;
	char *full = unit_fixture(fixture, &len);
	const char *close = strrchr(full, ']');

	assert_non_null(close);
	size_t complete = (size_t)(close - full) + 1;
	for (size_t k = 0; k <= len; k++) {
		/* a separate allocation of exactly k bytes, so a read past the
		 * end is an error under ASan */
		char *prefix = malloc(k ? k : 1);
		assert_non_null(prefix);
		memcpy(prefix, full, k);
		int r = lease_parse_status(prefix, k, &arena, &v);
		free(prefix);
		if (k < complete) {
			if (r != -EBADMSG || v.n != 0)
				fail_msg("%s cut at %zu of %zu: r=%d, %zu entries", fixture, k, len,
					 r, v.n);
		} else {
			assert_int_equal(r, 0);
			assert_int_equal(v.n, expected);
			v.n = 0;
		}
	}
	lc_vec_free(&v);
	lc_arena_free(&arena);
	free(full);
}

static void test_status_truncated_everywhere(void **state)
{
	truncation_sweep("libvirt-9.0/dnsmasq/virbr-lab.status", 3);
	truncation_sweep("libvirt-9.0/dnsmasq/virbr-iso.status", 1);
}

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

/* ---- the pieces the cold path uses ------------------------------------------------ */

static void test_framing(void **state)
{
	static const char *ok[] = {
	    "[]",
	    " [ ]\n",
	    "[\n\n]",
	    "[{}]",
	    "[{\"a\": 1}, {\"b\": [2]}]\n",
	    "\t[ {\"ip-address\": \"1.2.3.4\"} ]\r\n",
	};
	static const char *bad[] = {
	    "",
	    "[",
	    "]",
	    "[{",
	    "[{}",
	    "{}",
	    "[1]",
	    "[[]]",
	    "[\"x\"]",
	    "[{\"a\": [1]}",
	    "[{\"a\": [1]]",
	    "x[{}]",
	    "[{}]x",
	    "[{}],",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!lease_json_framing_ok(ok[i], strlen(ok[i])))
			fail_msg("framing refused: %s", ok[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (lease_json_framing_ok(bad[i], strlen(bad[i])))
			fail_msg("framing accepted: %s", bad[i]);

	/* every prefix of a real file short of its closing bracket fails */
	size_t len;
	char *full = unit_fixture("libvirt-9.0/dnsmasq/virbr-lab.status", &len);
	size_t complete = (size_t)(strrchr(full, ']') - full) + 1;
	for (size_t k = 0; k <= len; k++) {
		char *prefix = malloc(k ? k : 1);
		assert_non_null(prefix);
		memcpy(prefix, full, k);
		bool r = lease_json_framing_ok(prefix, k);
		free(prefix);
		if (r != (k >= complete))
			fail_msg("framing of %zu of %zu bytes: %d", k, len, r);
	}
	free(full);
}

static void test_status_object(void **state)
{
	struct parse_state *s = *state;
	const char *src = "{\"ip-address\": \"192.168.150.11\", \"mac-address\": "
			  "\"52:54:00:15:00:02\", \"hostname\": \"c2\", \"expiry-time\": 5}, {";
	struct json_cursor c;
	struct lc_lease l;

	json_init(&c, src, strlen(src));
	assert_int_equal(lease_status_object(&c, &s->arena, 0, &l), 1);
	assert_addr(&l.addr, "192.168.150.11");
	assert_mac(l.mac, "52:54:00:15:00:02");
	assert_string_equal(l.hostname, "c2");
	assert_int_equal(l.expiry, 5);
	/* the cursor is just past the object */
	assert_true(json_accept(&c, ','));

	/* well-formed but unusable: 0; broken: an error */
	const char *noip = "{\"hostname\": \"x\"}";
	json_init(&c, noip, strlen(noip));
	assert_int_equal(lease_status_object(&c, &s->arena, 0, &l), 0);
	assert_true(json_at_end(&c));
	const char *broken = "{\"ip-address\": \"192.168.150.11\", \"x\": }";
	json_init(&c, broken, strlen(broken));
	assert_true(lease_status_object(&c, &s->arena, 0, &l) < 0);
	json_init(&c, "[]", 2);
	assert_true(lease_status_object(&c, &s->arena, 0, &l) < 0);
}

static void test_macs_object(void **state)
{
	const char *src = "{\"domain\": \"c2\", \"macs\": [\"52:54:00:15:00:02\", "
			  "\"52:54:00:16:00:02\"]} ]";
	struct json_cursor c;
	struct lc_macs_entry e;

	struct lc_arena a = {0};
	json_init(&c, src, strlen(src));
	assert_int_equal(lease_macs_object(&c, &a, &e), 1);
	assert_string_equal(e.domain, "c2");
	assert_int_equal(e.n_macs, 2);
	assert_mac(e.macs[1], "52:54:00:16:00:02");
	assert_true(json_accept(&c, ']'));

	const char *nodomain = "{\"macs\": [\"52:54:00:15:00:02\"]}";
	json_init(&c, nodomain, strlen(nodomain));
	assert_int_equal(lease_macs_object(&c, &a, &e), 0);
	assert_null(e.macs);
	const char *broken = "{\"domain\": \"c2\", \"macs\": [\"52:54:00:15:00:02\",]}";
	json_init(&c, broken, strlen(broken));
	assert_true(lease_macs_object(&c, &a, &e) < 0);
	assert_null(e.macs);
	/* more MACs than a vector keeps in the arena: all of them, and no
	 * heap left behind (ASan's leak check) */
	size_t cap = 64 + 2000 * 24, o = 0;
	char *many = malloc(cap);
	assert_non_null(many);
	o += (size_t)snprintf(many, cap, "{\"domain\": \"big\", \"macs\": [");
	for (int i = 0; i < 2000; i++)
		o += (size_t)snprintf(many + o, cap - o, "%s\"52:54:00:00:%02x:%02x\"",
				      i ? ", " : "", i >> 8, i & 0xff);
	o += (size_t)snprintf(many + o, cap - o, "]}");
	json_init(&c, many, o);
	assert_int_equal(lease_macs_object(&c, &a, &e), 1);
	assert_int_equal(e.n_macs, 2000);
	assert_mac(e.macs[1999], "52:54:00:00:07:cf");
	free(many);
	lc_arena_free(&a);
}

/* ---- the fast readers agree with the full ones ------------------------------------- */

/* One object, fast layout or not: what the reader makes of it, as text. */
static int status_one(struct parse_state *s, const char *obj, char *out, size_t size)
{
	struct json_cursor c;
	struct lc_lease l;
	char a[64] = "-", m[18] = "-";

	json_init(&c, obj, strlen(obj));
	int k = lease_status_object(&c, &s->arena, 0, &l);
	if (k == 1) {
		lc_addr_format(&l.addr, a, sizeof(a));
		if (l.has_mac)
			lc_mac_format(l.mac, m);
		snprintf(out, size, "%s %s %s %lld %s", a, m, l.hostname ? l.hostname : "-",
			 (long long)l.expiry, l.dhcp6 ? "id" : "-");
	} else {
		snprintf(out, size, "%d", k);
	}
	return k;
}

/* Each variant is the first one written another way: an escape, a nested
 * or non-integer value, tabs, a key cut short: anything the fast reader
 * leaves to the full one must read the same. */
static void test_status_fast_and_full_agree(void **state)
{
	struct parse_state *s = *state;
	static const char *const same[] = {
	    "{\"ip-address\": \"10.0.0.5\", \"mac-address\": \"52:54:00:00:00:05\", "
	    "\"hostname\": \"node5\", \"client-id\": \"01:52\", \"expiry-time\": 1796256216}",
	    "{\"ip\\u002daddress\": \"10.0.0.5\", \"mac-address\": \"52:54:00:00:00:05\", "
	    "\"hostname\": \"node5\", \"client-id\": \"01:52\", \"expiry-time\": 1796256216}",
	    "{\"ip-address\": \"10.0.0.5\", \"mac-address\": \"52:54:00:00:00:05\", "
	    "\"hostname\": \"node\\u0035\", \"expiry-time\": 1796256216}",
	    "{\"x\": {\"a\": [1, 2.5, true, null]}, \"ip-address\": \"10.0.0.5\", "
	    "\"mac-address\": \"52:54:00:00:00:05\", \"hostname\": \"node5\", "
	    "\"expiry-time\": 1796256216, \"y\": -3.5e2}",
	    "\t{\r\n\t\"ip-address\"\t:\t\"10.0.0.5\" ,\"mac-address\":\"52:54:00:00:00:05\","
	    "\"hostname\":\"node5\",\"expiry-time\":1796256216\t}",
	    "{\"ip-address\": \"10.0.0.5\", \"mac-address\": \"52:54:00:00:00:05\", "
	    "\"hostname\": \"x\", \"hostname\": \"node5\", \"hostname\": \"bad name\", "
	    "\"expiry-time\": 1, \"expiry-time\": 1796256216}",
	};
	char want[256], got[256];

	assert_int_equal(status_one(s, same[0], want, sizeof(want)), 1);
	assert_string_equal(want, "10.0.0.5 52:54:00:00:00:05 node5 1796256216 -");
	for (size_t i = 1; i < sizeof(same) / sizeof(same[0]); i++) {
		status_one(s, same[i], got, sizeof(got));
		assert_string_equal(got, want);
	}
	/* the wrong type of a known key breaks the file, whoever reads it */
	static const char *const broken[] = {
	    "{\"ip-address\": 5}",
	    "{\"ip-address\": \"10.0.0.5\", \"expiry-time\": \"5\"}",
	    "{\"ip-address\": \"10.0.0.5\", \"expiry-time\": 5.5}",
	    "{\"ip-address\": \"10.0.0.5\", \"hostname\": null}",
	    "{\"ip-address\": \"10.0.0.5\", \"client-id\": 1}",
	    "{\"ip-address\": \"10.0.0.5\", \"iaid\": [1]}",
	    "{\"ip-address\": \"10.0.0.5\" \"hostname\": \"a\"}",
	    "{\"ip-address\": \"10.0.0.5\", \"hostname\": \"a\x01\"}",
	    "{\"ip-address\": \"10.0.0.5\", \"expiry-time\": 1796256216",
	};
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++)
		assert_int_equal(status_one(s, broken[i], got, sizeof(got)), -EBADMSG);
	/* numbers: 18 digits read fast, 19 by the full reader, too big fails */
	status_one(s, "{\"ip-address\": \"10.0.0.5\", \"expiry-time\": 999999999999999999}", got,
		   sizeof(got));
	assert_string_equal(got, "10.0.0.5 - - 999999999999999999 -");
	status_one(s, "{\"ip-address\": \"10.0.0.5\", \"expiry-time\": -9223372036854775807}", got,
		   sizeof(got));
	assert_string_equal(got, "10.0.0.5 - - -9223372036854775807 -");
	assert_int_equal(
	    status_one(s, "{\"ip-address\": \"10.0.0.5\", \"expiry-time\": 9223372036854775808}",
		       got, sizeof(got)),
	    -EBADMSG);
	/* a DHCPv6 lease's id, iaid as a number or a string, read fast */
	static const char *const v6[] = {
	    "{\"iaid\": \"1381236741\", \"ip-address\": \"fd00:1::5\", \"mac-address\": "
	    "\"52:54:00:00:00:05\", \"client-id\": \"00:04:70\", \"server-duid\": \"00:01:00\", "
	    "\"expiry-time\": 7}",
	    "{\"iaid\": 1381236741, \"ip-address\": \"fd00:1::5\", \"mac-address\": "
	    "\"52:54:00:00:00:05\", \"client-id\": \"00:04:70\", \"server-duid\": \"00:01:00\", "
	    "\"expiry-time\": 7}",
	    "{\"iaid\": \"1381236741\", \"ip-address\": \"fd00:1::5\", \"mac-address\": "
	    "\"52:54:00:00:00:05\", \"client-id\": \"00:04:\\u0037\\u0030\", "
	    "\"server-duid\": \"00:01:00\", \"expiry-time\": 7}",
	};
	for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		status_one(s, v6[i], got, sizeof(got));
		assert_string_equal(got, "fd00:1::5 52:54:00:00:00:05 - 7 id");
	}
}

static int macs_one(const char *obj, char *out, size_t size)
{
	struct json_cursor c;
	struct lc_macs_entry e;
	struct lc_arena a = {0};

	json_init(&c, obj, strlen(obj));
	int k = lease_macs_object(&c, &a, &e);
	if (k != 1) {
		assert_null(e.macs);
		snprintf(out, size, "%d", k);
		lc_arena_free(&a);
		return k;
	}
	size_t o = (size_t)snprintf(out, size, "%s", e.domain);
	for (size_t i = 0; i < e.n_macs && o + 19 < size; i++) {
		out[o++] = ' ';
		lc_mac_format(e.macs[i], out + o);
		o += 17;
	}
	lc_arena_free(&a);
	return k;
}

static void test_macs_fast_and_full_agree(void **state)
{
	static const char *const same[] = {
	    "{\n    \"domain\": \"n1\",\n    \"macs\": [\n      \"52:54:00:00:00:01\",\n"
	    "      \"52:54:00:00:00:02\"\n    ]\n  }",
	    "{\"domain\": \"n\\u0031\", \"macs\": [\"52:54:00:00:00:01\", \"52:54:00:00:00:02\"]}",
	    "{\"x\": [{}], \"domain\": \"n1\", \"macs\": [\"52:54:00:00:00:01\", \"bad\", "
	    "\"52:54:00:00:00:02\"], \"y\": 1}",
	    "{\"macs\": [\"52:54:00:00:00:01\"], \"domain\": \"n1\", \"macs\": "
	    "[\"52:54:00:00:00:02\", \"52:54:00:00:00:02:00:00:00:00:00:00:00:00\"]}",
	    "{\t\"domain\"\t:\"n1\",\"macs\":[\"52:54:00:00:00:01\",\r\"52:54:00:00:00:02\"]}",
	};
	char want[256], got[256];

	assert_int_equal(macs_one(same[0], want, sizeof(want)), 1);
	assert_string_equal(want, "n1 52:54:00:00:00:01 52:54:00:00:00:02");
	for (size_t i = 1; i < sizeof(same) / sizeof(same[0]); i++) {
		macs_one(same[i], got, sizeof(got));
		assert_string_equal(got, want);
	}
	/* no domain, an empty one, one cut short: not an entry */
	char longname[600];
	snprintf(longname, sizeof(longname), "{\"domain\": \"%0300d\", \"macs\": []}", 0);
	assert_int_equal(macs_one(longname, got, sizeof(got)), 0);
	assert_int_equal(macs_one("{\"domain\": \"\", \"macs\": []}", got, sizeof(got)), 0);
	assert_int_equal(macs_one("{\"domain\": \"a\\nb\", \"macs\": []}", got, sizeof(got)), 0);
	assert_int_equal(macs_one("{\"domain\": \"a\", \"macs\": []}", got, sizeof(got)), 1);
	assert_string_equal(got, "a");
	static const char *const broken[] = {
	    "{\"domain\": 1, \"macs\": []}",
	    "{\"domain\": \"a\", \"macs\": \"52:54:00:00:00:01\"}",
	    "{\"domain\": \"a\", \"macs\": [1]}",
	    "{\"domain\": \"a\", \"macs\": [\"52:54:00:00:00:01\",]}",
	    "{\"domain\": \"a\", \"macs\": [\"52:54:00:00:00:01\"}",
	    "{\"domain\": \"a\" \"macs\": []}",
	};
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++)
		assert_int_equal(macs_one(broken[i], got, sizeof(got)), -EBADMSG);
}

/* ---- small parsers ------------------------------------------------------------------ */

static void test_mac_addr_parsers(void **state)
{
	uint8_t mac[LC_MAC_LEN] = {0};
	struct lc_addr a;
	char buf[64];

	assert_int_equal(lc_mac_parse("52:54:00:AB:cd:0F", 17, mac), 0);
	assert_mac(mac, "52:54:00:ab:cd:0f");
	assert_int_equal(lc_mac_parse("52:54:00:ab:cd", 14, mac), -EINVAL);
	assert_int_equal(lc_mac_parse("52-54-00-ab-cd-0f", 17, mac), -EINVAL);
	assert_int_equal(lc_mac_parse("52:54:00:ab:cd:0g", 17, mac), -EINVAL);
	assert_int_equal(lc_mac_parse("52:54:00:ab:cd:0f:", 18, mac), -EINVAL);
	assert_mac(mac, "52:54:00:ab:cd:0f"); /* untouched on failure */

	assert_int_equal(lc_addr_parse("10.0.0.1", 8, &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_string_equal(lc_addr_format(&a, buf, sizeof(buf)), "10.0.0.1");
	assert_int_equal(lc_addr_parse("FD00::0001", 10, &a), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_string_equal(lc_addr_format(&a, buf, sizeof(buf)), "fd00::1");
	/* the length bounds the parse: trailing bytes are not looked at */
	assert_int_equal(lc_addr_parse("10.0.0.12", 8, &a), 0);
	assert_string_equal(lc_addr_format(&a, buf, sizeof(buf)), "10.0.0.1");
	assert_int_equal(lc_addr_parse("10.0.0", 6, &a), -EINVAL);
	assert_int_equal(lc_addr_parse("", 0, &a), -EINVAL);
	assert_int_equal(lc_addr_parse("10.0.0.1\0x", 10, &a), -EINVAL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_status_fixture_lab),
	    T(test_status_fixture_iso),
	    T(test_status_empty),
	    T(test_status_infinite),
	    T(test_status_unknown_keys),
	    T(test_status_dhcpv6),
	    T(test_status_dhcp6_id),
	    T(test_status_dhcp6_id_bad),
	    T(test_status_skip_dhcp6_id),
	    cmocka_unit_test(test_hex_parse),
	    cmocka_unit_test(test_addr_parse_ipv4_like_inet_pton),
	    cmocka_unit_test(test_addr_parse_ipv6_like_inet_pton),
	    T(test_status_bad_address_skipped),
	    T(test_status_bad_fields),
	    T(test_status_long_hostname),
	    T(test_status_garbage),
	    T(test_status_keeps_earlier_entries_on_error),
	    cmocka_unit_test(test_status_truncated_everywhere),
	    T(test_dnsmasq_v4_v6),
	    T(test_dnsmasq_truncated_last_line),
	    T(test_dnsmasq_garbage),
	    T(test_macs_fixture),
	    T(test_macs_empty),
	    T(test_macs_many),
	    T(test_macs_garbage),
	    cmocka_unit_test(test_framing),
	    T(test_status_object),
	    cmocka_unit_test(test_macs_object),
	    T(test_status_fast_and_full_agree),
	    cmocka_unit_test(test_macs_fast_and_full_agree),
	    cmocka_unit_test(test_mac_addr_parsers),
	};
	return cmocka_run_group_tests_name("lease", tests, NULL, NULL);
}
