/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The trust rule.  Whatever a guest says about its addresses is the
 * guest's to invent: a guest that claims 8.8.8.8, the host's 127.0.0.1 or
 * another segment's address must not make the host's resolver send
 * connections there.  An address is kept only when it is global unicast,
 * is on the interface with the NIC's MAC, is not one of the host's own,
 * and lies in a prefix the host vouches for: on-link on the host side of
 * the NIC, one of the libvirt network's ranges, or a configured prefix.
 */
#include <string.h>

#include "host/discover.h"

static void add_prefix(struct discover_trust *t, const struct lc_prefix *p)
{
	for (size_t i = 0; i < t->n_prefixes; i++)
		if (t->prefixes[i].len == p->len && t->prefixes[i].addr.family == p->addr.family &&
		    !memcmp(t->prefixes[i].addr.bytes, p->addr.bytes, sizeof(p->addr.bytes)))
			return;
	if (t->n_prefixes < DISCOVER_MAX_PREFIXES)
		t->prefixes[t->n_prefixes++] = *p;
}

void discover_trust_add(struct discover_trust *t, const struct lc_prefix *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		add_prefix(t, &p[i]);
}

void discover_trust_add_host(struct discover_trust *t, const struct discover_nl *host, int ifindex)
{
	if (ifindex <= 0)
		return;
	for (size_t i = 0; i < host->n_addrs; i++) {
		const struct discover_ifaddr *a = &host->addrs[i];
		struct lc_prefix p;
		if (a->ifindex != ifindex)
			continue;
		if (t->n_host_addrs < DISCOVER_MAX_PREFIXES)
			t->host_addrs[t->n_host_addrs++] = a->addr;
		/* a link-local address says nothing about where the segment is */
		if (lc_addr_scope(&a->addr) == LC_SCOPE_GLOBAL &&
		    lc_prefix_make(&a->addr, a->prefix_len, &p) == 0)
			add_prefix(t, &p);
	}
	for (size_t i = 0; i < host->n_routes; i++) {
		const struct discover_route *r = &host->routes[i];
		/* the default route, or one through a gateway, is not on-link:
		 * what lies behind it is not this segment */
		if (r->oif != ifindex || r->gateway || r->dst.len == 0)
			continue;
		if (lc_addr_scope(&r->dst.addr) != LC_SCOPE_GLOBAL)
			continue;
		add_prefix(t, &r->dst);
	}
}

const char *discover_verdict_name(enum discover_verdict v)
{
	switch (v) {
	case DISCOVER_ACCEPT:
		return "accepted";
	case DISCOVER_DROP_SCOPE:
		return "not global unicast";
	case DISCOVER_DROP_MAC:
		return "not on the NIC's MAC";
	case DISCOVER_DROP_PREFIX:
		return "outside the NIC's segment";
	case DISCOVER_DROP_HOST:
		return "the host's own address";
	}
	return "?";
}

enum discover_verdict discover_judge(const struct discover_trust *t, const struct discover_addr *a)
{
	if (lc_addr_scope(&a->addr) != LC_SCOPE_GLOBAL)
		return DISCOVER_DROP_SCOPE;
	if (memcmp(t->mac, a->mac, LC_MAC_LEN))
		return DISCOVER_DROP_MAC;
	for (size_t i = 0; i < t->n_host_addrs; i++)
		if (t->host_addrs[i].family == a->addr.family &&
		    !memcmp(t->host_addrs[i].bytes, a->addr.bytes, sizeof(a->addr.bytes)))
			return DISCOVER_DROP_HOST;
	for (size_t i = 0; i < t->n_prefixes; i++)
		if (lc_prefix_contains(&t->prefixes[i], &a->addr))
			return DISCOVER_ACCEPT;
	return DISCOVER_DROP_PREFIX;
}

bool discover_same(const uint8_t mac_a[LC_MAC_LEN], const struct lc_addr *a,
		   const uint8_t mac_b[LC_MAC_LEN], const struct lc_addr *b)
{
	return !memcmp(mac_a, mac_b, LC_MAC_LEN) && a->family == b->family &&
	       !memcmp(a->bytes, b->bytes, sizeof(a->bytes));
}

static bool listed(const struct discover_list *l, const struct discover_addr *a)
{
	for (size_t i = 0; i < l->n; i++)
		if (discover_same(l->addrs[i].mac, &l->addrs[i].addr, a->mac, &a->addr))
			return true;
	return false;
}

static void keep(struct discover_list *l, const struct discover_addr *a)
{
	if (l && !listed(l, a) && l->n < DISCOVER_MAX_ADDRS)
		l->addrs[l->n++] = *a;
}

void discover_filter(const struct discover_list *in, const struct discover_trust *trust,
		     size_t n_trust, struct discover_list *accepted, struct discover_list *dropped)
{
	for (size_t i = 0; i < in->n; i++) {
		const struct discover_addr *a = &in->addrs[i];
		enum discover_verdict v = DISCOVER_DROP_MAC;

		for (size_t k = 0; k < n_trust; k++) {
			if (memcmp(trust[k].mac, a->mac, LC_MAC_LEN))
				continue;
			v = discover_judge(&trust[k], a);
			if (v == DISCOVER_ACCEPT)
				break;
		}
		if (v == DISCOVER_ACCEPT)
			keep(accepted, a);
		else if (v != DISCOVER_DROP_SCOPE && lc_addr_scope(&a->addr) == LC_SCOPE_GLOBAL)
			keep(dropped, a);
	}
}
