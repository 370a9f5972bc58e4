/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Address prefixes and scopes: what discovery's trust rule is built on. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "resolver/resolver.h"
#include "tests/unit/unit.h"

static struct lc_prefix prefix(const char *s)
{
	struct lc_prefix p;
	assert_int_equal(lc_prefix_parse(s, strlen(s), &p), 0);
	return p;
}

static struct lc_addr addr(const char *s)
{
	struct lc_addr a;
	assert_int_equal(lc_addr_parse(s, strlen(s), &a), 0);
	return a;
}

static void assert_prefix_text(const char *in, const char *want)
{
	struct lc_prefix p = prefix(in);
	char buf[80];
	assert_string_equal(lc_prefix_format(&p, buf, sizeof(buf)), want);
}

static void test_parse(void **state)
{
	struct lc_prefix p;

	(void)state;
	assert_prefix_text("192.168.150.0/24", "192.168.150.0/24");
	/* host bits are cleared, so two spellings are one prefix */
	assert_prefix_text("10.1.2.3/8", "10.0.0.0/8");
	assert_prefix_text("192.168.150.7", "192.168.150.7/32");
	assert_prefix_text("fd00:150::55/64", "fd00:150::/64");
	assert_prefix_text("2001:db8::1", "2001:db8::1/128");
	assert_prefix_text("0.0.0.0/0", "0.0.0.0/0");
	assert_prefix_text("fd00::/7", "fc00::/7");
	assert_prefix_text("10.0.0.0/31", "10.0.0.0/31");

	const char *bad[] = {"",
			     "/24",
			     "10.0.0.0/",
			     "10.0.0.0/33",
			     "fd00::/129",
			     "10.0.0.0/-1",
			     "10.0.0.0/2x",
			     "10.0.0.0/08",
			     "10.0.0.0/1000",
			     "node1/24",
			     "10.0.0/24",
			     "10.0.0.0 /24"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(lc_prefix_parse(bad[i], strlen(bad[i]), &p), -EINVAL);
	/* the length is the caller's: a prefix in a longer line */
	assert_int_equal(lc_prefix_parse("10.0.0.0/8 rest", 10, &p), 0);
	assert_int_equal(p.len, 8);
}

static void test_contains(void **state)
{
	struct lc_prefix lan = prefix("192.168.150.0/24"), v6 = prefix("fd00:150::/64"),
			 all = prefix("0.0.0.0/0"), odd = prefix("10.0.0.0/13");
	struct lc_addr in = addr("192.168.150.55"), out = addr("192.168.151.55"),
		       g = addr("8.8.8.8"), a6 = addr("fd00:150::55"), b6 = addr("fd00:151::55");

	(void)state;
	assert_true(lc_prefix_contains(&lan, &in));
	assert_false(lc_prefix_contains(&lan, &out));
	assert_false(lc_prefix_contains(&lan, &g));
	assert_true(lc_prefix_contains(&v6, &a6));
	assert_false(lc_prefix_contains(&v6, &b6));
	/* never across families */
	assert_false(lc_prefix_contains(&v6, &in));
	assert_false(lc_prefix_contains(&lan, &a6));
	assert_true(lc_prefix_contains(&all, &g));
	/* a length that is no multiple of 8 */
	struct lc_addr edge_in = addr("10.7.255.255"), edge_out = addr("10.8.0.0");
	assert_true(lc_prefix_contains(&odd, &edge_in));
	assert_false(lc_prefix_contains(&odd, &edge_out));
	struct lc_addr here = addr("192.168.150.7");
	struct lc_prefix host = prefix("192.168.150.7");
	assert_true(lc_prefix_contains(&host, &here));
	assert_false(lc_prefix_contains(&host, &in));
}

static void test_scope(void **state)
{
	static const struct {
		const char *a;
		enum lc_addr_scope s;
	} cases[] = {
	    {"192.168.150.55", LC_SCOPE_GLOBAL},
	    {"8.8.8.8", LC_SCOPE_GLOBAL},
	    {"172.17.0.1", LC_SCOPE_GLOBAL},
	    {"127.0.0.1", LC_SCOPE_LOOPBACK},
	    {"127.255.0.9", LC_SCOPE_LOOPBACK},
	    {"169.254.7.7", LC_SCOPE_LINK},
	    {"224.0.0.251", LC_SCOPE_MULTICAST},
	    {"239.255.255.250", LC_SCOPE_MULTICAST},
	    {"0.0.0.0", LC_SCOPE_UNSPECIFIED},
	    {"0.1.2.3", LC_SCOPE_UNSPECIFIED},
	    {"255.255.255.255", LC_SCOPE_UNSPECIFIED},
	    {"fd00:150::55", LC_SCOPE_GLOBAL},
	    {"2001:db8::1", LC_SCOPE_GLOBAL},
	    {"::1", LC_SCOPE_LOOPBACK},
	    {"::", LC_SCOPE_UNSPECIFIED},
	    {"fe80::5054:ff:fe1c:52", LC_SCOPE_LINK},
	    {"febf::1", LC_SCOPE_LINK},
	    {"fec0::1", LC_SCOPE_GLOBAL},
	    {"ff02::1", LC_SCOPE_MULTICAST},
	    {"::ffff:127.0.0.1", LC_SCOPE_LOOPBACK},
	    {"::ffff:169.254.1.1", LC_SCOPE_LINK},
	    {"::ffff:192.168.150.55", LC_SCOPE_GLOBAL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lc_addr a = addr(cases[i].a);
		if (lc_addr_scope(&a) != cases[i].s)
			fail_msg("%s: scope %s, expected %s", cases[i].a,
				 lc_addr_scope_name(lc_addr_scope(&a)),
				 lc_addr_scope_name(cases[i].s));
	}
}

static void test_sources(void **state)
{
	enum lc_addr_source s;
	const char *names[] = {"lease", "netns", "agent", "neigh"};

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(lc_source_parse(names[i], strlen(names[i]), &s), 0);
		assert_string_equal(lc_source_name(s), names[i]);
	}
	assert_int_equal(lc_source_parse("arp", 3, &s), -EINVAL);
	assert_int_equal(lc_source_parse("netnsx", 6, &s), -EINVAL);
	assert_int_equal(lc_source_parse("netns", 4, &s), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_contains),
	    cmocka_unit_test(test_scope),
	    cmocka_unit_test(test_sources),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
