/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one ranking of a guest's addresses: external interface first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "resolver/resolver.h"
#include "tests/unit/unit.h"

static struct lc_host_addr mk(const char *ip, const char *net, enum lc_class klass, int nic,
			      int prefer, int64_t expiry)
{
	struct lc_host_addr a = {0};
	assert_int_equal(lc_addr_parse(ip, strlen(ip), &a.addr), 0);
	a.network = net;
	a.mac_str = "52:54:00:00:00:00";
	a.klass = klass;
	a.nic_index = nic;
	a.prefer_index = prefer;
	a.expiry = expiry;
	a.rule = (enum lc_rank_rule)99; /* must be overwritten */
	return a;
}

static void assert_order(const struct lc_host_addr *a, size_t n, const char *const *ips)
{
	for (size_t i = 0; i < n; i++) {
		char buf[64];
		lc_addr_format(&a[i].addr, buf, sizeof(buf));
		if (strcmp(buf, ips[i]) != 0)
			fail_msg("position %zu: %s, expected %s", i, buf, ips[i]);
	}
}

static void assert_rules(const struct lc_host_addr *a, size_t n, const enum lc_rank_rule *rules)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].rule != rules[i])
			fail_msg("position %zu: rule %s, expected %s", i, lc_rule_name(a[i].rule),
				 lc_rule_name(rules[i]));
}

static void test_prefer_beats_class(void **state)
{
	struct lc_host_addr a[] = {
	    mk("192.168.150.10", "ext", LC_CLASS_EXTERNAL, 0, -1, 1000),
	    mk("192.168.160.55", "int", LC_CLASS_ISOLATED, 1, 0, 1000),
	    mk("10.0.0.5", "mgmt", LC_CLASS_ISOLATED, 2, 1, 1000),
	};
	lc_rank_sort(a, 3);
	assert_order(a, 3, (const char *[]){"192.168.160.55", "10.0.0.5", "192.168.150.10"});
	assert_rules(a, 3, (enum lc_rank_rule[]){LC_RULE_PREFER, LC_RULE_PREFER, LC_RULE_PREFER});
	assert_string_equal(a[0].network, "int");
	assert_int_equal(a[0].prefer_index, 0);
}

static void test_external_before_isolated(void **state)
{
	/* node1: the isolated NIC is first in the XML and its lease is newer,
	 * still the NAT address comes first */
	struct lc_host_addr a[] = {
	    mk("192.168.160.55", "int", LC_CLASS_ISOLATED, 0, -1, 1795781999),
	    mk("192.168.150.10", "ext", LC_CLASS_EXTERNAL, 1, -1, 1795781219),
	};
	lc_rank_sort(a, 2);
	assert_order(a, 2, (const char *[]){"192.168.150.10", "192.168.160.55"});
	assert_rules(a, 2, (enum lc_rank_rule[]){LC_RULE_CLASS, LC_RULE_CLASS});
	assert_int_equal(a[0].expiry, 1795781219);
	assert_int_equal(a[1].expiry, 1795781999);
}

static void test_unknown_class_between(void **state)
{
	struct lc_host_addr a[] = {
	    mk("10.0.0.1", "iso", LC_CLASS_ISOLATED, -1, -1, 0),
	    mk("10.0.0.2", "virbr9", LC_CLASS_UNKNOWN, -1, -1, 0),
	    mk("10.0.0.3", "nat", LC_CLASS_EXTERNAL, -1, -1, 0),
	};
	lc_rank_sort(a, 3);
	assert_order(a, 3, (const char *[]){"10.0.0.3", "10.0.0.2", "10.0.0.1"});
	assert_rules(a, 3, (enum lc_rank_rule[]){LC_RULE_CLASS, LC_RULE_CLASS, LC_RULE_CLASS});
}

static void test_nic_order(void **state)
{
	/* both external: the XML order decides, not the address bytes; a NIC
	 * the record does not know comes after those it does */
	struct lc_host_addr a[] = {
	    mk("10.0.0.1", "unknown-nic", LC_CLASS_EXTERNAL, -1, -1, 0),
	    mk("192.168.151.10", "ext2", LC_CLASS_EXTERNAL, 1, -1, 0),
	    mk("192.168.152.10", "ext1", LC_CLASS_EXTERNAL, 0, -1, 0),
	};
	lc_rank_sort(a, 3);
	assert_order(a, 3, (const char *[]){"192.168.152.10", "192.168.151.10", "10.0.0.1"});
	assert_rules(
	    a, 3, (enum lc_rank_rule[]){LC_RULE_NIC_ORDER, LC_RULE_NIC_ORDER, LC_RULE_NIC_ORDER});
	assert_int_equal(a[0].nic_index, 0);
	assert_int_equal(a[2].nic_index, -1);
}

static void test_tiebreak_bytes(void **state)
{
	/* bytes, not text: .9 before .10 before .100 */
	struct lc_host_addr a[] = {
	    mk("192.168.150.100", "n", LC_CLASS_EXTERNAL, -1, -1, 0),
	    mk("192.168.150.9", "n", LC_CLASS_EXTERNAL, -1, -1, 0),
	    mk("192.168.150.10", "n", LC_CLASS_EXTERNAL, -1, -1, 0),
	    mk("10.255.255.255", "n", LC_CLASS_EXTERNAL, -1, -1, 0),
	};
	lc_rank_sort(a, 4);
	assert_order(a, 4,
		     (const char *[]){"10.255.255.255", "192.168.150.9", "192.168.150.10",
				      "192.168.150.100"});
	assert_rules(a, 4,
		     (enum lc_rank_rule[]){LC_RULE_TIEBREAK, LC_RULE_TIEBREAK, LC_RULE_TIEBREAK,
					   LC_RULE_TIEBREAK});
}

static void test_v4_before_v6(void **state)
{
	/* one NIC with a v6 and a v4 lease: v4 first, then v6 by bytes */
	struct lc_host_addr a[] = {
	    mk("fd00:150::5c", "ext", LC_CLASS_EXTERNAL, 0, -1, 0),
	    mk("fd00:150::1:0", "ext", LC_CLASS_EXTERNAL, 0, -1, 0),
	    mk("192.168.150.11", "ext", LC_CLASS_EXTERNAL, 0, -1, 0),
	    mk("::ffff:1.2.3.4", "ext", LC_CLASS_EXTERNAL, 0, -1, 0),
	};
	lc_rank_sort(a, 4);
	assert_order(
	    a, 4,
	    (const char *[]){"192.168.150.11", "::ffff:1.2.3.4", "fd00:150::5c", "fd00:150::1:0"});
	assert_int_equal(a[0].addr.family, AF_INET);
	assert_int_equal(a[1].addr.family, AF_INET6);
	assert_rules(a, 4,
		     (enum lc_rank_rule[]){LC_RULE_TIEBREAK, LC_RULE_TIEBREAK, LC_RULE_TIEBREAK,
					   LC_RULE_TIEBREAK});
}

static void test_never_by_expiry(void **state)
{
	/* libvirt lists by expiry, so its first address flips on each renewal;
	 * ours must not move whatever the expiry says */
	for (int flip = 0; flip < 2; flip++) {
		struct lc_host_addr a[] = {
		    mk("192.168.150.20", "ext", LC_CLASS_EXTERNAL, -1, -1, flip ? 100 : 900),
		    mk("192.168.150.12", "ext", LC_CLASS_EXTERNAL, -1, -1, flip ? 900 : 100),
		    mk("192.168.160.30", "int", LC_CLASS_ISOLATED, -1, -1,
		       flip ? 99999 : INT64_MAX),
		};
		lc_rank_sort(a, 3);
		assert_order(
		    a, 3, (const char *[]){"192.168.150.12", "192.168.150.20", "192.168.160.30"});
		assert_rules(a, 3,
			     (enum lc_rank_rule[]){LC_RULE_TIEBREAK, LC_RULE_CLASS, LC_RULE_CLASS});
	}
}

static void test_rule_per_position(void **state)
{
	struct lc_host_addr a[] = {
	    mk("192.168.151.10", "ext", LC_CLASS_EXTERNAL, 1, -1, 0),
	    mk("fd00:150::20", "lab", LC_CLASS_EXTERNAL, 0, -1, 0),
	    mk("192.168.160.55", "int", LC_CLASS_ISOLATED, 2, 0, 0),
	    mk("192.168.150.20", "lab", LC_CLASS_EXTERNAL, 0, -1, 0),
	    mk("192.168.161.5", "int2", LC_CLASS_ISOLATED, 3, -1, 0),
	};
	lc_rank_sort(a, 5);
	/* prefer'd int, then lab's v4 and v6 (same NIC), then NIC 1, then the
	 * isolated one nobody asked for */
	assert_order(a, 5,
		     (const char *[]){"192.168.160.55", "192.168.150.20", "fd00:150::20",
				      "192.168.151.10", "192.168.161.5"});
	/* each position says what put it ahead of the next; the last one
	 * repeats the rule that decided the pair before it */
	assert_rules(a, 5,
		     (enum lc_rank_rule[]){LC_RULE_PREFER, LC_RULE_TIEBREAK, LC_RULE_NIC_ORDER,
					   LC_RULE_CLASS, LC_RULE_CLASS});
}

static void test_small(void **state)
{
	struct lc_host_addr one = mk("192.168.150.10", "ext", LC_CLASS_EXTERNAL, 0, -1, 0);

	lc_rank_sort(NULL, 0);
	lc_rank_sort(&one, 1);
	assert_int_equal(one.rule, LC_RULE_TIEBREAK);
	assert_order(&one, 1, (const char *[]){"192.168.150.10"});
}

/* Every input order gives the same ranking. */
static void test_input_order_irrelevant(void **state)
{
	const struct lc_host_addr base[] = {
	    mk("192.168.160.55", "int", LC_CLASS_ISOLATED, 0, -1, 5),
	    mk("192.168.150.10", "ext", LC_CLASS_EXTERNAL, 1, -1, 4),
	    mk("192.168.150.9", "ext", LC_CLASS_EXTERNAL, 1, -1, 3),
	    mk("fd00::9", "ext", LC_CLASS_EXTERNAL, 1, -1, 2),
	    mk("10.9.9.9", "mgmt", LC_CLASS_UNKNOWN, 2, 0, 1),
	};
	const char *expected[] = {"10.9.9.9", "192.168.150.9", "192.168.150.10", "fd00::9",
				  "192.168.160.55"};
	int idx[5] = {0, 1, 2, 3, 4};
	size_t count = 0;

	/* Heap's algorithm over the 120 permutations */
	int c[5] = {0};
	for (int i = 0;;) {
		struct lc_host_addr a[5];
		for (int k = 0; k < 5; k++)
			a[k] = base[idx[k]];
		lc_rank_sort(a, 5);
		assert_order(a, 5, expected);
		assert_rules(a, 5,
			     (enum lc_rank_rule[]){LC_RULE_PREFER, LC_RULE_TIEBREAK,
						   LC_RULE_TIEBREAK, LC_RULE_CLASS, LC_RULE_CLASS});
		count++;
		while (i < 5 && c[i] >= i) {
			c[i] = 0;
			i++;
		}
		if (i >= 5)
			break;
		int j = i % 2 ? c[i] : 0, t = idx[j];
		idx[j] = idx[i];
		idx[i] = t;
		c[i]++;
		i = 0;
	}
	assert_int_equal(count, 120);
}

static void test_names(void **state)
{
	assert_string_equal(lc_rule_name(LC_RULE_PREFER), "prefer");
	assert_string_equal(lc_rule_name(LC_RULE_CLASS), "class");
	assert_string_equal(lc_rule_name(LC_RULE_NIC_ORDER), "nic-order");
	assert_string_equal(lc_rule_name(LC_RULE_TIEBREAK), "tie-break");
	assert_string_equal(lc_class_name(LC_CLASS_EXTERNAL), "external");
	assert_string_equal(lc_class_name(LC_CLASS_ISOLATED), "isolated");
	assert_string_equal(lc_class_name(LC_CLASS_UNKNOWN), "unknown");
}

/* Any order in, one order out, for the few addresses sorted by insertion
 * and the many qsort takes: 1..12 addresses that differ in every rule,
 * shuffled 200 times each. */
static void test_any_input_order(void **state)
{
	(void)state;
	struct lc_host_addr pool[12], a[12], want[12];
	char ip[32];
	unsigned seed = 7;

	for (int i = 0; i < 12; i++) {
		snprintf(ip, sizeof(ip), i % 2 ? "fd00::%d" : "10.0.0.%d", 10 + i);
		pool[i] =
		    mk(ip, i % 3 ? "ext" : "int", i % 3 ? LC_CLASS_EXTERNAL : LC_CLASS_ISOLATED,
		       i % 4, i % 5 == 0 ? 0 : -1, 1000 + i % 2);
	}
	for (size_t n = 1; n <= 12; n++) {
		memcpy(want, pool, n * sizeof(*pool));
		lc_rank_sort(want, n);
		for (int t = 0; t < 200; t++) {
			memcpy(a, pool, n * sizeof(*pool));
			for (size_t i = n; i > 1; i--) {
				seed = seed * 1103515245 + 12345;
				size_t j = (seed >> 16) % i;
				struct lc_host_addr x = a[i - 1];
				a[i - 1] = a[j];
				a[j] = x;
			}
			lc_rank_sort(a, n);
			for (size_t i = 0; i < n; i++) {
				assert_memory_equal(&a[i].addr, &want[i].addr, sizeof(a[i].addr));
				assert_int_equal(a[i].rule, want[i].rule);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_any_input_order),
	    cmocka_unit_test(test_prefer_beats_class),
	    cmocka_unit_test(test_external_before_isolated),
	    cmocka_unit_test(test_unknown_class_between),
	    cmocka_unit_test(test_nic_order),
	    cmocka_unit_test(test_tiebreak_bytes),
	    cmocka_unit_test(test_v4_before_v6),
	    cmocka_unit_test(test_never_by_expiry),
	    cmocka_unit_test(test_rule_per_position),
	    cmocka_unit_test(test_small),
	    cmocka_unit_test(test_input_order_irrelevant),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests_name("rank", tests, NULL, NULL);
}
