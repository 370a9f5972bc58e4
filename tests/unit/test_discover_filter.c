/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The trust rule: which guest-reported addresses the host may answer with. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "host/discover.h"
#include "tests/unit/unit.h"

static const uint8_t MAC_A[LC_MAC_LEN] = {0x52, 0x54, 0x00, 0x1c, 0x00, 0x52};
static const uint8_t MAC_B[LC_MAC_LEN] = {0x52, 0x54, 0x00, 0x1c, 0x00, 0x53};

static struct lc_prefix prefix(const char *s)
{
	struct lc_prefix p;
	assert_int_equal(lc_prefix_parse(s, strlen(s), &p), 0);
	return p;
}

static struct discover_addr cand(const uint8_t *mac, const char *a)
{
	struct discover_addr d = {.source = LC_SOURCE_NETNS};
	memcpy(d.mac, mac, LC_MAC_LEN);
	assert_int_equal(lc_addr_parse(a, strlen(a), &d.addr), 0);
	return d;
}

/* NIC A on 192.168.50.0/24 + fd00:50::/64, the host at .1; a configured 10.20.0.0/16. */
static struct discover_trust *trust_a(void)
{
	struct discover_trust *t = calloc(1, sizeof(*t));
	struct lc_prefix p[] = {prefix("192.168.50.0/24"), prefix("fd00:50::/64"),
				prefix("10.20.0.0/16"), prefix("192.168.50.0/24")};
	assert_non_null(t);
	memcpy(t->mac, MAC_A, LC_MAC_LEN);
	discover_trust_add(t, p, 4);
	assert_int_equal(t->n_prefixes, 3); /* the same prefix twice counts once */
	assert_int_equal(lc_addr_parse("192.168.50.1", 12, &t->host_addrs[0]), 0);
	t->n_host_addrs = 1;
	return t;
}

static void test_judge(void **state)
{
	struct discover_trust *t = trust_a();
	static const struct {
		const char *a;
		enum discover_verdict v;
	} cases[] = {
	    {"192.168.50.55", DISCOVER_ACCEPT},	     {"192.168.50.254", DISCOVER_ACCEPT},
	    {"fd00:50::55", DISCOVER_ACCEPT},	     {"10.20.3.4", DISCOVER_ACCEPT},
	    {"8.8.8.8", DISCOVER_DROP_PREFIX},	     {"172.17.0.1", DISCOVER_DROP_PREFIX},
	    {"192.168.51.55", DISCOVER_DROP_PREFIX}, {"fd00:51::55", DISCOVER_DROP_PREFIX},
	    {"10.21.0.1", DISCOVER_DROP_PREFIX},     {"192.168.50.1", DISCOVER_DROP_HOST},
	    {"127.0.0.1", DISCOVER_DROP_SCOPE},	     {"::1", DISCOVER_DROP_SCOPE},
	    {"169.254.3.3", DISCOVER_DROP_SCOPE},    {"fe80::5054:ff:fe1c:52", DISCOVER_DROP_SCOPE},
	    {"224.0.0.251", DISCOVER_DROP_SCOPE},    {"ff02::fb", DISCOVER_DROP_SCOPE},
	    {"0.0.0.0", DISCOVER_DROP_SCOPE},	     {"::ffff:127.0.0.1", DISCOVER_DROP_SCOPE},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct discover_addr d = cand(MAC_A, cases[i].a);
		enum discover_verdict v = discover_judge(t, &d);
		if (v != cases[i].v)
			fail_msg("%s: %s, expected %s", cases[i].a, discover_verdict_name(v),
				 discover_verdict_name(cases[i].v));
	}
	/* the right segment on another NIC's MAC is still refused */
	struct discover_addr other = cand(MAC_B, "192.168.50.55");
	assert_int_equal(discover_judge(t, &other), DISCOVER_DROP_MAC);
	/* a NIC the host vouches nothing for takes nothing */
	struct discover_trust *empty = calloc(1, sizeof(*empty));
	assert_non_null(empty);
	memcpy(empty->mac, MAC_A, LC_MAC_LEN);
	struct discover_addr lan = cand(MAC_A, "192.168.50.55");
	assert_int_equal(discover_judge(empty, &lan), DISCOVER_DROP_PREFIX);
	free(empty);
	free(t);
}

static void test_filter(void **state)
{
	struct discover_trust *t = calloc(2, sizeof(*t));
	struct discover_list *in = calloc(1, sizeof(*in)), *ok = calloc(1, sizeof(*ok)),
			     *drop = calloc(1, sizeof(*drop));
	struct lc_prefix pb = prefix("192.168.60.0/24");

	(void)state;
	assert_non_null(t);
	assert_non_null(in);
	assert_non_null(ok);
	assert_non_null(drop);
	struct discover_trust *a = trust_a();
	t[0] = *a;
	free(a);
	memcpy(t[1].mac, MAC_B, LC_MAC_LEN);
	discover_trust_add(&t[1], &pb, 1);

	const char *as[] = {"192.168.50.55", "8.8.8.8",	     "127.0.0.1",    "fe80::1",
			    "fd00:50::55",   "192.168.60.9", "192.168.50.55"};
	for (size_t i = 0; i < 7; i++)
		in->addrs[in->n++] = cand(MAC_A, as[i]);
	/* B's own segment on B; A's segment claimed through B */
	in->addrs[in->n++] = cand(MAC_B, "192.168.60.7");
	in->addrs[in->n++] = cand(MAC_B, "192.168.50.56");
	/* a MAC no NIC has */
	static const uint8_t MAC_X[LC_MAC_LEN] = {0x02, 0x42, 0xac, 0x11, 0x00, 0x01};
	in->addrs[in->n++] = cand(MAC_X, "192.168.50.57");
	/* the same address from a second source counts once */
	in->addrs[in->n] = cand(MAC_A, "fd00:50::55");
	in->addrs[in->n++].source = LC_SOURCE_NEIGH;

	discover_filter(in, t, 2, ok, drop);
	assert_int_equal(ok->n, 3);
	assert_int_equal(ok->addrs[0].addr.bytes[3], 55);
	assert_memory_equal(ok->addrs[0].mac, MAC_A, LC_MAC_LEN);
	assert_int_equal(ok->addrs[1].addr.family, AF_INET6);
	assert_int_equal(ok->addrs[1].source, LC_SOURCE_NETNS); /* the first source wins */
	assert_memory_equal(ok->addrs[2].mac, MAC_B, LC_MAC_LEN);
	assert_int_equal(ok->addrs[2].addr.bytes[3], 7);
	/* dropped and kept for doctor: 8.8.8.8, A's 192.168.60.9, B's .50.56,
	 * the unknown MAC's; the loopback and link-local ones are not news */
	assert_int_equal(drop->n, 4);
	const uint8_t want_last[] = {192, 168, 50, 57};
	assert_memory_equal(drop->addrs[3].addr.bytes, want_last, 4);
	/* the filter without a dropped list */
	ok->n = 0;
	discover_filter(in, t, 2, ok, NULL);
	assert_int_equal(ok->n, 3);
	free(in);
	free(ok);
	free(drop);
	free(t);
}

static void test_verdict_names(void **state)
{
	(void)state;
	assert_string_equal(discover_verdict_name(DISCOVER_ACCEPT), "accepted");
	assert_string_equal(discover_verdict_name(DISCOVER_DROP_PREFIX),
			    "outside the NIC's segment");
	assert_string_equal(discover_verdict_name(DISCOVER_DROP_HOST), "the host's own address");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_judge),
	    cmocka_unit_test(test_filter),
	    cmocka_unit_test(test_verdict_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
