/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The reader of libvirt's .status files, whole: the captures, every field
 * (DHCPv6 ids too), bad fields, garbage and every truncation.  The .macs and
 * plain dnsmasq lease files are test_lease_macs.c's, the one-object readers
 * and the small parsers test_lease_object.c's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tests/unit/lease_test_util.h"

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

#define T(f) cmocka_unit_test_setup_teardown(f, lease_setup, lease_teardown)

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
	    T(test_status_bad_address_skipped),
	    T(test_status_bad_fields),
	    T(test_status_long_hostname),
	    T(test_status_garbage),
	    T(test_status_keeps_earlier_entries_on_error),
	    cmocka_unit_test(test_status_truncated_everywhere),
	};
	return cmocka_run_group_tests_name("lease", tests, NULL, NULL);
}
