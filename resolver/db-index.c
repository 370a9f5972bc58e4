/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The db's two indexes, built once the hosts are final: names (domain
 * names and DHCP hostnames, ASCII case-insensitive) and live addresses.
 * Both are lc_maps sized up front, so they never grow.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "resolver/db-internal.h"

static int name_put(struct lc_db *db, const char *key, uint32_t host)
{
	struct lc_map_slot *s;
	size_t len = strlen(key);
	if (len > LC_NAME_MAX)
		return 0;
	/* first one wins: domain names were put first */
	int r = lc_map_put(&db->names, key, len, &s);
	if (r == 1)
		s->val = host;
	return r < 0 ? r : 0;
}

static int addr_put(struct lc_db *db, const struct lc_addr *a, uint32_t host, uint32_t idx)
{
	struct lc_map_slot *s;
	int r = lc_map_put(&db->addrs, a, sizeof(*a), &s);
	if (r == 1) {
		s->val = host;
		s->aux = idx;
	}
	return r < 0 ? r : 0;
}

static int cmp_host(const void *x, const void *y)
{
	const struct lc_host *a = x, *b = y;
	if (a->running != b->running)
		return a->running ? -1 : 1;
	/* a guest before a DHCP-only client of the same name: the name index
	 * keeps the first, and qsort is not stable */
	if (a->guest != b->guest)
		return a->guest ? -1 : 1;
	return strcmp(a->name, b->name);
}

int db_build_indexes(struct lc_db *db)
{
	size_t n_names = 0, n_addrs = 0;
	int r = 0;

	/* a small lab's hosts by insertion (no call a compare); the order is
	 * total (names are unique within guests and within DHCP-only hosts),
	 * so either sort gives the same */
	if (db->n_hosts > 16) {
		qsort(db->hosts, db->n_hosts, sizeof(*db->hosts), cmp_host);
	} else {
		for (size_t i = 1; i < db->n_hosts; i++) {
			struct lc_host x = db->hosts[i];
			size_t k = i;
			for (; k > 0 && cmp_host(&db->hosts[k - 1], &x) > 0; k--)
				db->hosts[k] = db->hosts[k - 1];
			db->hosts[k] = x;
		}
	}
	for (size_t i = 0; i < db->n_hosts; i++) {
		n_names += 2;
		n_addrs += db->hosts[i].n_addrs;
	}
	db->names.kind = LC_MAP_FOLD;
	db->addrs.kind = LC_MAP_ADDR;
	if (!db->n_hosts)
		return 0; /* empty maps answer every probe with nothing */
	if (lc_map_reserve(&db->names, n_names) < 0 || lc_map_reserve(&db->addrs, n_addrs) < 0)
		return -ENOMEM;
	/* domain names first, so a DHCP hostname never shadows a guest.  A
	 * stopped host answers no lookup, so its name is not indexed: it would
	 * only hide a running guest that now asks DHCP for that hostname. */
	for (size_t i = 0; i < db->n_hosts && r >= 0; i++)
		if (db->hosts[i].running)
			r = name_put(db, db->hosts[i].name, (uint32_t)i);
	for (size_t i = 0; i < db->n_hosts && r >= 0; i++) {
		const struct lc_host *h = &db->hosts[i];
		/* the first alias is the DHCP hostname when there is one */
		if (h->n_aliases && !strchr(h->aliases[0], '.'))
			r = name_put(db, h->aliases[0], (uint32_t)i);
		for (size_t a = 0; a < h->n_addrs && r >= 0; a++)
			r = addr_put(db, &h->addrs[a].addr, (uint32_t)i, (uint32_t)a);
	}
	return r;
}
