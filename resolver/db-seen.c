/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Discovered addresses in the db: a guest record's `addr` lines, what the
 * hook's worker found from the guest itself for NICs without a lease.  They
 * join the guest's leases as addresses like any other, ranked by the same
 * rank function; a live lease of the same NIC and family wins over them,
 * and a NIC on no libvirt network (a host bridge, macvtap) is external.
 * Records are read whole on the cold path as on the full one, so both
 * answer alike.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "resolver/db-internal.h"

int db_seen_add(struct builder *b, uint32_t guest, const struct lc_guest_record *gr)
{
	struct lc_arena *A = &b->db->arena;

	for (size_t i = 0; i < gr->n_seen; i++) {
		const struct lc_seen_addr *sa = &gr->seen[i];
		int nic = -1;
		for (size_t k = 0; k < gr->n_nics && nic < 0; k++)
			if (!memcmp(gr->nics[k].mac, sa->mac, LC_MAC_LEN))
				nic = (int)k;
		if (nic < 0)
			continue; /* not one of its NICs: nothing says where it is */
		const struct lc_nic *n = &gr->nics[nic];
		struct bseen *bs = lc_vec_push(&b->seen);
		if (!bs)
			return -ENOMEM;
		*bs = (struct bseen){.guest = guest,
				     .nic_index = nic,
				     .addr = sa->addr,
				     .source = sa->source,
				     .seen = sa->seen};
		memcpy(bs->mac, sa->mac, LC_MAC_LEN);
		if ((n->network[0] && !(bs->network = lc_arena_strdup(A, n->network))) ||
		    (n->bridge[0] && !(bs->bridge = lc_arena_strdup(A, n->bridge))))
			return -ENOMEM;
	}
	return 0;
}

static const struct bnet *net_named(const struct builder *b, const char *name)
{
	const struct bnet *n = b->nets.items;
	for (size_t i = 0; i < b->nets.n; i++)
		if (!strcmp(n[i].name, name))
			return &n[i];
	return NULL;
}

int db_assign_seen(struct builder *b)
{
	const struct bseen *s = b->seen.items;
	struct lc_arena *A = &b->db->arena;

	for (size_t i = 0; i < b->seen.n; i++) {
		const struct lc_map_slot *m = db_mac_find(b, s[i].mac);
		const char *netname = s[i].network ? s[i].network : s[i].bridge;
		const struct bnet *net = s[i].network ? net_named(b, s[i].network) : NULL;

		if (m && (m->aux & (s[i].addr.family == AF_INET ? BMAC_LEASED4 : BMAC_LEASED6)))
			continue;
		struct pending *p = lc_vec_push(&b->pending);
		char *mac = lc_arena_alloc(A, 18);
		if (!p || !mac)
			return -ENOMEM;
		lc_mac_format(s[i].mac, mac);
		p->host = s[i].guest;
		p->a = (struct lc_host_addr){
		    .addr = s[i].addr,
		    .network = netname ? netname : "-",
		    .bridge = net && net->bridge ? net->bridge : s[i].bridge,
		    .domain = net ? net->domain : NULL,
		    .mac_str = mac,
		    .klass = net	    ? net->klass
			     : s[i].network ? LC_CLASS_UNKNOWN
					    : LC_CLASS_EXTERNAL,
		    .expiry = LC_EXPIRY_INFINITE,
		    .nic_index = s[i].nic_index,
		    .prefer_index = netname ? db_prefer_index(&b->db->config, netname) : -1,
		    .rule = LC_RULE_TIEBREAK,
		    .source = s[i].source,
		    .seen = s[i].seen,
		};
	}
	return 0;
}
