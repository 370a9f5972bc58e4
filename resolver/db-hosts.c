/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Host assembly: every live lease goes to the guest that owns its MAC, or
 * to a DHCP-only host by its hostname; each host's addresses are ranked
 * (lc_rank_sort) and its aliases made.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "resolver/db-internal.h"

static struct lc_host *host_at(struct builder *b, uint32_t i)
{
	return &((struct lc_host *)b->hosts.items)[i];
}

/* A DHCP-only host, found or made by its hostname.  One whose hostname is
 * a guest's domain name stays a host of its own: its MAC is not the
 * guest's (cmp_host keeps the name for the guest). */
static int hostname_host(struct builder *b, const char *hostname, uint32_t *ret)
{
	size_t len = strlen(hostname);
	uint32_t hi;
	struct lc_map_slot *s = lc_map_get_str(&b->hn_hosts, hostname, len);

	if (s) {
		*ret = s->val;
		return 0;
	}
	struct lc_host *h = lc_vec_push(&b->hosts);
	if (!h)
		return -ENOMEM;
	h->name = hostname;
	hi = (uint32_t)(b->hosts.n - 1);
	int r = lc_map_put(&b->hn_hosts, hostname, len, &s);
	if (r < 0)
		return r;
	s->val = hi;
	*ret = hi;
	return 0;
}

int db_prefer_index(const struct lc_config *cfg, const char *net)
{
	for (size_t i = 0; i < cfg->n_prefer; i++)
		if (!strcmp(cfg->prefer[i], net))
			return (int)i;
	return -1;
}

static int cmp_blease(const void *x, const void *y)
{
	const struct blease *a = x, *b = y;
	if (a->file != b->file)
		return a->file < b->file ? -1 : 1;
	return (a->off > b->off) - (a->off < b->off);
}

int db_lease_addr(struct builder *b, const struct blease *bl, int nic_index,
		  struct lc_host_addr *ret)
{
	const struct lc_lease *l = &bl->l;
	const struct bnet *net = &((const struct bnet *)b->nets.items)[bl->net];
	char *mac = lc_arena_alloc(&b->db->arena, 18);

	if (!mac)
		return -ENOMEM;
	if (l->has_mac)
		lc_mac_format(l->mac, mac);
	else
		strcpy(mac, "-");
	*ret = (struct lc_host_addr){
	    .addr = l->addr,
	    .network = net->name,
	    .bridge = net->bridge,
	    .domain = net->domain,
	    .mac_str = mac,
	    .klass = net->klass,
	    .expiry = l->expiry,
	    .rule = LC_RULE_TIEBREAK,
	    .nic_index = nic_index,
	    .prefer_index = db_prefer_index(&b->db->config, net->name),
	};
	return 0;
}

int db_assign_leases(struct builder *b)
{
	/* the cold path finds leases in scan order; put them in file order */
	if (b->label && b->leases.n)
		qsort(b->leases.items, b->leases.n, sizeof(struct blease), cmp_blease);
	struct blease *bl = b->leases.items;
	struct bnet *nets = b->nets.items;

	for (size_t i = 0; i < b->leases.n; i++) {
		const struct lc_lease *l = &bl[i].l;
		const struct bnet *net = &nets[bl[i].net];
		struct lc_map_slot *m = l->has_mac ? db_mac_find(b, l->mac) : NULL;
		bool live;
		uint32_t hi;
		int r;

		if (l->expiry != LC_EXPIRY_INFINITE && l->expiry <= b->now)
			continue; /* expired leases never come back */
		/* On a bridge with a .macs file, a MAC in none of them is an
		 * unplugged NIC: a stopped guest. */
		live = m || !net->has_macs;
		if (m) {
			hi = m->val;
		} else if (l->hostname) {
			if ((r = hostname_host(b, l->hostname, &hi)) < 0)
				return r;
		} else {
			continue; /* no name to find it by */
		}
		struct lc_host *h = host_at(b, hi);
		if (!live)
			continue;
		h->running = true;
		if (m)
			m->aux |= l->addr.family == AF_INET ? BMAC_LEASED4 : BMAC_LEASED6;
		if (l->expiry < b->db->next_expiry)
			b->db->next_expiry = l->expiry;
		struct pending *p = lc_vec_push(&b->pending);
		if (!p)
			return -ENOMEM;
		p->host = hi;
		if ((r = db_lease_addr(b, &bl[i], m ? bmac_nic_index(m) : -1, &p->a)) < 0)
			return r;
	}
	return 0;
}

/* Add name to a NULL-terminated alias list under construction, once. */
static int alias_add(struct lc_arena *A, const char **list, size_t *n, size_t cap, const char *self,
		     const char *name)
{
	if (lc_streq_fold(name, self))
		return 0;
	for (size_t i = 0; i < *n; i++)
		if (lc_streq_fold(list[i], name))
			return 0;
	if (*n >= cap)
		return 0;
	list[(*n)++] = name;
	(void)A;
	return 0;
}

static char *join3(struct lc_arena *A, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la + 1 + lb > LC_NAME_MAX)
		return NULL;
	char *s = lc_arena_alloc(A, la + lb + 2);
	if (!s)
		return NULL;
	memcpy(s, a, la);
	s[la] = '.';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

/* Group the pending addresses by host: a counting sort, stable and
 * linear (qsort of these wide records was a tenth of a full build). */
static int group_pending(struct builder *b)
{
	struct pending *p = b->pending.items;
	size_t n = b->pending.n;

	if (!n)
		return 0;
	size_t *start = calloc(b->hosts.n + 1, sizeof(*start));
	struct pending *sorted = malloc(n * sizeof(*sorted));
	if (!start || !sorted) {
		free(start);
		free(sorted);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		start[p[i].host + 1]++;
	for (size_t h = 0; h < b->hosts.n; h++)
		start[h + 1] += start[h];
	for (size_t i = 0; i < n; i++)
		sorted[start[p[i].host]++] = p[i];
	free(start);
	free(b->pending.items);
	b->pending.items = sorted;
	b->pending.cap = n;
	return 0;
}

/* Whether an address before a has a's domain. */
static bool domain_seen(const struct lc_host *host, size_t a)
{
	for (size_t e = 0; e < a; e++)
		if (host->addrs[e].domain &&
		    (host->addrs[e].domain == host->addrs[a].domain ||
		     !strcmp(host->addrs[e].domain, host->addrs[a].domain)))
			return true;
	return false;
}

/* Aliases: the DHCP hostname hn when it differs, then each name with each
 * configured suffix and each network domain. */
static int host_aliases(struct builder *b, struct lc_host *host, const char *hn)
{
	struct lc_arena *A = &b->db->arena;
	const struct lc_config *cfg = &b->db->config;
	size_t cap = 2 * (1 + cfg->n_domains + host->n_addrs) + 1;
	const char **al = lc_arena_alloc(A, (cap + 1) * sizeof(*al));
	const char *bases[2] = {host->name, hn};
	size_t na = 0;

	if (!al)
		return -ENOMEM;
	if (hn)
		alias_add(A, al, &na, cap, host->name, hn);
	/* a hostname that is the name, or a domain an earlier address has,
	 * would only make aliases the list holds already (alias_add folds) */
	if (hn && lc_streq_fold(hn, host->name))
		bases[1] = NULL;
	for (int bi = 0; bi < 2; bi++) {
		if (!bases[bi])
			continue;
		for (size_t d = 0; d < cfg->n_domains; d++) {
			char *f = join3(A, bases[bi], cfg->domains[d]);
			if (f)
				alias_add(A, al, &na, cap, host->name, f);
		}
		for (size_t a = 0; a < host->n_addrs; a++) {
			if (!host->addrs[a].domain || domain_seen(host, a))
				continue;
			char *f = join3(A, bases[bi], host->addrs[a].domain);
			if (f)
				alias_add(A, al, &na, cap, host->name, f);
		}
	}
	al[na] = NULL;
	host->aliases = al;
	host->n_aliases = na;
	return 0;
}

/* A host's addresses, each once, in rank order. */
static int host_addrs(struct builder *b, struct lc_host *host, const struct pending *p, size_t cnt)
{
	if (!cnt)
		return 0;
	host->addrs = lc_arena_alloc(&b->db->arena, cnt * sizeof(*host->addrs));
	if (!host->addrs)
		return -ENOMEM;
	size_t k = 0;
	for (size_t q = 0; q < cnt; q++) {
		bool dup = false;
		for (size_t z = 0; z < k; z++)
			if (lc_map_addr_equal(&host->addrs[z].addr, &p[q].a.addr))
				dup = true;
		if (!dup)
			host->addrs[k++] = p[q].a;
	}
	host->n_addrs = k;
	lc_rank_sort(host->addrs, k);
	return 0;
}

/* Hostnames of a host's live leases, needed for aliases: looked up again
 * from the leases by MAC, since pending entries carry only the address. */
int db_finish_hosts(struct builder *b)
{
	struct blease *bl = b->leases.items;
	int r;

	if (!b->hosts.n)
		return 0; /* nothing pending either: a pending address has a host */
	if ((r = group_pending(b)) < 0)
		return r;
	/* hostnames per host: walk leases once more, keyed by host */
	const char **hn = calloc(b->hosts.n ? b->hosts.n : 1, sizeof(*hn));
	if (!hn)
		return -ENOMEM;
	for (size_t i = 0; i < b->leases.n; i++) {
		const struct lc_lease *l = &bl[i].l;
		const struct lc_map_slot *m;
		if (!l->hostname || !l->has_mac || !(m = db_mac_find(b, l->mac)))
			continue;
		if (l->expiry != LC_EXPIRY_INFINITE && l->expiry <= b->now)
			continue;
		/* one DHCP hostname per guest is the norm; keep the first */
		if (!hn[m->val])
			hn[m->val] = l->hostname;
	}

	const struct pending *p = b->pending.items;
	size_t i = 0, n = b->pending.n;
	for (uint32_t h = 0; h < b->hosts.n && r >= 0; h++) {
		struct lc_host *host = host_at(b, h);
		size_t start = i;
		while (i < n && p[i].host == h)
			i++;
		if ((r = host_addrs(b, host, p + start, i - start)) == 0)
			r = host_aliases(b, host, hn[h]);
	}
	free(hn);
	return r;
}
