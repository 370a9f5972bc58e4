/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the db's unit tests (test_db, test_db_files,
 * test_db_guest_leases): a private world per test, its files written as
 * libvirt writes them, and lookups that check on every call that the cold
 * path and the in-order search answer as the full db does
 * (tests/unit/unit-db.c, in tests/unit/libunit.la). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolver/lease.h"
#include "resolver/resolver.h"
#include "tests/unit/unit.h"

#define NOW INT64_C(1795000000)
#define FIXTURE_EXPIRY INT64_C(1795781219)

struct dbt {
	char *root, *lease, *run;
	struct lc_paths paths;
	struct lc_db *db;
	struct lc_db *db_maps; /* the same files, the maps built at any size */
	int64_t now;	       /* of the last load */
	bool whole_only;       /* check_cold: only as a small lab takes the cold path */
};

/* check_cold runs the filtered way only: set by test_db_xfail, whose known
 * failures are the filtered path's. */
extern bool db_cold_filtered_only;

/* cmocka fixtures: *state is a fresh struct dbt over unit_world_new(). */
int db_setup(void **state);
int db_teardown(void **state);
/* Load t->db (and t->db_maps, the maps built whatever the size) at now. */
void load(struct dbt *t, int64_t now);
const char *str_or_null(const char *s);

/* Look name up in t->db, after checking that the cold path and the maps
 * answer it alike; the matched addresses, in order, space-separated, go to
 * out. */
enum lc_lookup lookup(struct dbt *t, const char *name, int family, char out[512],
		      const struct lc_host **ret_host);
/* name resolves to exactly these addresses, in order (fails the test if not). */
const struct lc_host *expect(struct dbt *t, const char *name, int family, const char *addrs);
void expect_status(struct dbt *t, const char *name, int family, enum lc_lookup want);
/* The reverse lookup of ip answers want; the host when found. */
const struct lc_host *expect_addr(struct dbt *t, const char *ip, enum lc_lookup want);

struct lease {
	const char *ip, *mac, *hostname;
	int64_t expiry; /* 0 = infinite (no expiry-time) */
};

/* Write <bridge>.status as libvirt's leaseshelper does. */
void write_status(struct dbt *t, const char *bridge, const struct lease *l, size_t n);
/* Write <bridge>.macs. */
void write_macs(struct dbt *t, const char *bridge, const char *json);
/* Write <net>.conf as libvirt does: domain (or none), isolated or not. */
void write_conf(struct dbt *t, const char *net, const char *bridge, const char *domain,
		bool isolated);
/* Copy the captured libvirt 9.0 dnsmasq directory into the lease dir. */
void copy_fixtures(struct dbt *t);

/* node1: NICs on ext (NAT, lab.test) and int (isolated, int.test), node2 on
 * ext; node1's isolated lease is the newer one. */
void node1_world(struct dbt *t);
/* node1's hook record: the isolated NIC first in the XML. */
void node1_record(struct dbt *t);
/* node5: a NIC on virbr-ext and one on virbr-int, plugged in, no .conf. */
void node5_world(struct dbt *t);
