/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The TTL the module reports: LC_TTL_MAX, or less when a lease ends sooner. */
#include <string.h>
#include <sys/socket.h>

#include "resolver/resolver.h"
#include "tests/unit/unit.h"

#define NOW 1700000000

static struct lc_host_addr addr(const char *ip, const char *domain, int64_t expiry)
{
	struct lc_host_addr a = {.domain = domain, .expiry = expiry, .nic_index = -1};
	assert_int_equal(lc_addr_parse(ip, strlen(ip), &a.addr), 0);
	return a;
}

static void test_infinite_and_long_leases(void **state)
{
	(void)state;
	struct lc_host_addr a[] = {addr("10.0.0.2", NULL, INT64_MAX),
				   addr("10.0.1.2", NULL, NOW + 3600)};
	struct lc_host h = {.name = "g", .addrs = a, .n_addrs = 2};
	struct lc_match m = {.host = &h, .family = AF_UNSPEC, .only_idx = -1};
	assert_int_equal(lc_match_ttl(&m, NOW), LC_TTL_MAX);
}

static void test_shortest_covered_lease(void **state)
{
	(void)state;
	struct lc_host_addr a[] = {addr("10.0.0.2", "lab.test", NOW + 12),
				   addr("10.0.1.2", "int.test", NOW + 5),
				   addr("fd00::2", "lab.test", NOW + 20)};
	struct lc_host h = {.name = "g", .addrs = a, .n_addrs = 3};
	struct lc_match m = {.host = &h, .family = AF_UNSPEC, .only_idx = -1};
	assert_int_equal(lc_match_ttl(&m, NOW), 5);
	/* only the addresses the query covers count */
	m.domain = "lab.test";
	assert_int_equal(lc_match_ttl(&m, NOW), 12);
	m.family = AF_INET6;
	assert_int_equal(lc_match_ttl(&m, NOW), 20);
	m = (struct lc_match){.host = &h, .family = AF_UNSPEC, .only_idx = 0};
	assert_int_equal(lc_match_ttl(&m, NOW), 12);
}

static void test_never_zero(void **state)
{
	(void)state;
	/* a lease ending this second (the db already dropped expired ones) */
	struct lc_host_addr a[] = {addr("10.0.0.2", NULL, NOW)};
	struct lc_host h = {.name = "g", .addrs = a, .n_addrs = 1};
	struct lc_match m = {.host = &h, .family = AF_UNSPEC, .only_idx = -1};
	assert_int_equal(lc_match_ttl(&m, NOW), 1);
}

static void test_reverse(void **state)
{
	(void)state;
	struct lc_host_addr a[] = {addr("10.0.0.2", NULL, NOW + 7),
				   addr("10.0.1.2", NULL, INT64_MAX)};
	struct lc_host h = {.name = "g", .addrs = a, .n_addrs = 2};
	assert_int_equal(lc_addr_ttl(&h, &a[0].addr, NOW), 7);
	assert_int_equal(lc_addr_ttl(&h, &a[1].addr, NOW), LC_TTL_MAX);
	struct lc_addr other;
	assert_int_equal(lc_addr_parse("10.9.9.9", 8, &other), 0);
	assert_int_equal(lc_addr_ttl(&h, &other, NOW), LC_TTL_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_infinite_and_long_leases),
	    cmocka_unit_test(test_shortest_covered_lease),
	    cmocka_unit_test(test_never_zero),
	    cmocka_unit_test(test_reverse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
