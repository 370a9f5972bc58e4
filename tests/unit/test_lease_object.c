/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pieces the readers are built of: a file's framing and the one-object
 * readers the cold path uses, their fast paths agreeing with the full JSON
 * reader, and the small parsers under every reader (MAC, address, hex). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "resolver/json.h"
#include "tests/unit/lease_test_util.h"

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

#define T(f) cmocka_unit_test_setup_teardown(f, lease_setup, lease_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hex_parse),
	    cmocka_unit_test(test_addr_parse_ipv4_like_inet_pton),
	    cmocka_unit_test(test_addr_parse_ipv6_like_inet_pton),
	    cmocka_unit_test(test_framing),
	    T(test_status_object),
	    cmocka_unit_test(test_macs_object),
	    T(test_status_fast_and_full_agree),
	    cmocka_unit_test(test_macs_fast_and_full_agree),
	    cmocka_unit_test(test_mac_addr_parsers),
	};
	return cmocka_run_group_tests_name("lease objects and parsers", tests, NULL, NULL);
}
