/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the lease readers' unit tests (test_lease,
 * test_lease_macs, test_lease_object): the vectors a reader fills, and
 * checks of an address and a MAC as text (tests/unit/unit-lease.c, in
 * tests/unit/libunit.la). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "resolver/lease.h"
#include "tests/unit/unit.h"

struct parse_state {
	struct lc_arena arena;
	struct lc_vec leases;
	struct lc_vec macs;
};

/* cmocka fixtures: *state is a fresh struct parse_state, freed after. */
int lease_setup(void **state);
int lease_teardown(void **state);
/* The i-th lease read (fails the test past the end). */
const struct lc_lease *lease_at(struct parse_state *s, size_t i);
/* a or mac, formatted, is expected. */
void assert_addr(const struct lc_addr *a, const char *expected);
void assert_mac(const uint8_t mac[LC_MAC_LEN], const char *expected);
