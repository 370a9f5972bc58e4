/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The lease readers' tests' helpers (tests/unit/lease_test_util.h). */
#include <stdlib.h>

#include "tests/unit/lease_test_util.h"

int lease_setup(void **state)
{
	struct parse_state *s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	s->leases.item_size = sizeof(struct lc_lease);
	s->macs.item_size = sizeof(struct lc_macs_entry);
	*state = s;
	return 0;
}

int lease_teardown(void **state)
{
	struct parse_state *s = *state;
	lc_vec_free(&s->leases);
	lease_macs_free(&s->macs);
	lc_arena_free(&s->arena);
	free(s);
	return 0;
}

const struct lc_lease *lease_at(struct parse_state *s, size_t i)
{
	assert_true(i < s->leases.n);
	return &((const struct lc_lease *)s->leases.items)[i];
}

void assert_addr(const struct lc_addr *a, const char *expected)
{
	char buf[64];
	lc_addr_format(a, buf, sizeof(buf));
	assert_string_equal(buf, expected);
}

void assert_mac(const uint8_t mac[LC_MAC_LEN], const char *expected)
{
	char buf[18];
	lc_mac_format(mac, buf);
	assert_string_equal(buf, expected);
}
