/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One guest's leases for the hook (DHCP release, dns-host entries): read
 * with the db's own sources, so a lease's network, domain and class are
 * the ones the module sees, and ranked by the module's own rank code.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "resolver/db-internal.h"

/* The leases held by the MACs in want, unexpired, not yet ranked. */
static int collect(struct builder *b, const struct lc_map *want, struct lc_guest_lease *out,
		   size_t *ret_n)
{
	const struct blease *bl = b->leases.items;
	size_t n = 0;
	int r;

	for (size_t i = 0; i < b->leases.n; i++) {
		const struct lc_lease *l = &bl[i].l;
		const struct lc_map_slot *m;

		if (!l->has_mac || !(m = lc_map_get_mac(want, l->mac)))
			continue;
		if (l->expiry != LC_EXPIRY_INFINITE && l->expiry <= b->now)
			continue;
		if ((r = db_lease_addr(b, &bl[i], (int)m->val, &out[n].a)) < 0)
			return r;
		memcpy(out[n].mac, l->mac, LC_MAC_LEN);
		out[n].hostname = l->hostname;
		out[n].dhcp6 = l->dhcp6;
		n++;
	}
	*ret_n = n;
	return 0;
}

int lc_guest_leases(const struct lc_paths *paths, int64_t now, const uint8_t (*macs)[LC_MAC_LEN],
		    size_t n_macs, struct lc_guest_leases *ret)
{
	struct lc_map want = {.kind = LC_MAP_MAC};
	struct lc_guest_lease *out = NULL;
	struct builder b;
	struct lc_db *db;
	size_t n = 0;
	int r = 0;

	if (!paths || !ret || (n_macs && !macs))
		return -EINVAL;
	if (n_macs == 0) {
		*ret = (struct lc_guest_leases){0};
		return 0;
	}
	if (!(db = calloc(1, sizeof(*db))))
		return -ENOMEM;
	db_builder_init(&b, paths, now, db);
	b.guest_leases = true;
	b.lease_flags = 0; /* the DHCPv6 ids are what a Release names */
	for (size_t i = 0; i < n_macs && r >= 0; i++) {
		struct lc_map_slot *s;
		/* a MAC listed twice keeps its first index */
		if ((r = lc_map_put(&want, macs[i], LC_MAC_LEN, &s)) == 1)
			s->val = (uint32_t)i;
	}
	if (r >= 0)
		r = db_load_sources(&b);
	if (r >= 0 && b.lease_dir_error)
		r = b.lease_dir_error;
	if (r >= 0 && b.leases.n && !(out = malloc(b.leases.n * sizeof(*out))))
		r = -ENOMEM;
	if (r >= 0)
		r = collect(&b, &want, out, &n);
	lc_map_free(&want);
	db_builder_free(&b);
	if (r < 0) {
		free(out);
		lc_db_free(db);
		return r;
	}
	lc_rank_sort_items(out, n, sizeof(*out));
	*ret = (struct lc_guest_leases){.leases = out, .n = n, .owner = db};
	return 0;
}

void lc_guest_leases_free(struct lc_guest_leases *l)
{
	if (!l)
		return;
	free(l->leases);
	lc_db_free(l->owner);
	*l = (struct lc_guest_leases){0};
}
