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

/* db_lease_addr, its MAC string into mac (18 bytes). */
static void lease_addr(struct builder *b, const struct blease *bl, int nic_index, char *mac,
		       struct lc_host_addr *ret)
{
	const struct lc_lease *l = &bl->l;
	const struct bnet *net = &((const struct bnet *)b->nets.items)[bl->net];

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
}

int db_lease_addr(struct builder *b, const struct blease *bl, int nic_index,
		  struct lc_host_addr *ret)
{
	char *mac = lc_arena_alloc(&b->db->arena, 18);

	if (!mac)
		return -ENOMEM;
	lease_addr(b, bl, nic_index, mac, ret);
	return 0;
}

/*
 * Small items of the db carved from pieces of the arena of at most a
 * kilobyte: an allocation an item cost more than the item's work, but one
 * block for all of a large lab's would often not fit what the arena's
 * chunk has left and start a larger chunk, the rest of the old one lost
 * (a full build's db grew by half).  left_total: how much more will be
 * asked for, so that the last piece is no larger than that.
 */
#define PIECE 1024
struct pieces {
	char *p;
	size_t left;
};

static void *piece_alloc(struct lc_arena *A, struct pieces *pc, size_t size, size_t left_total)
{
	if (pc->left < size) {
		size_t n = left_total < PIECE ? left_total : PIECE;
		if (n < size)
			n = size;
		if (!(pc->p = lc_arena_alloc(A, n)))
			return NULL;
		pc->left = n;
	}
	void *r = pc->p;
	pc->p += size;
	pc->left -= size;
	return r;
}

/* Room in v for more items at once (the pending addresses of every lease:
 * a push each was a tenth of host assembly). */
static int vec_room(struct lc_vec *v, size_t more)
{
	if (v->cap - v->n >= more)
		return 0;
	void *n = realloc(v->items, (v->n + more) * v->item_size);
	if (!n)
		return -ENOMEM;
	v->items = n;
	v->cap = v->n + more;
	return 0;
}

/* Whether the leases are in file order already: a cold path that parsed
 * its files whole found them so, and a check is cheaper than qsort. */
static bool leases_in_order(const struct blease *bl, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (cmp_blease(&bl[i - 1], &bl[i]) > 0)
			return false;
	return true;
}

int db_assign_leases(struct builder *b)
{
	/* the cold path finds leases in scan order; put them in file order */
	if (b->label && b->leases.n && !leases_in_order(b->leases.items, b->leases.n))
		qsort(b->leases.items, b->leases.n, sizeof(struct blease), cmp_blease);
	struct blease *bl = b->leases.items;
	struct bnet *nets = b->nets.items;
	/* the leases' MAC strings from pieces */
	struct pieces macs = {0};

	if (!b->leases.n)
		return 0;
	if (vec_room(&b->pending, b->leases.n) < 0)
		return -ENOMEM;
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
		char *mac = piece_alloc(&b->db->arena, &macs, 18, (b->leases.n - i) * 18);
		if (!mac)
			return -ENOMEM;
		/* room was made above: one pending address a lease at most */
		struct pending *p = &((struct pending *)b->pending.items)[b->pending.n++];
		p->host = hi;
		p->hostname = m ? l->hostname : NULL;
		lease_addr(b, &bl[i], m ? bmac_nic_index(m) : -1, mac, &p->a);
	}
	return 0;
}

/* An alias list under construction, with each name's length: most names
 * differ in length, so few are compared. */
struct alias_list {
	const char **names;
	size_t *lens;
	size_t n, cap;
};

/* Add name (len bytes) to the list once, unless it is self. */
static void alias_add(struct alias_list *al, const char *self, size_t self_len, const char *name,
		      size_t len)
{
	if (len == self_len && lc_streq_fold(name, self))
		return;
	for (size_t i = 0; i < al->n; i++)
		if (al->lens[i] == len && lc_streq_fold(al->names[i], name))
			return;
	if (al->n >= al->cap)
		return;
	al->lens[al->n] = len;
	al->names[al->n++] = name;
}

/* "a.b" in the arena (NULL when too long for a name), *ret_len its length. */
static char *join3(struct lc_arena *A, const char *a, size_t la, const char *b, size_t *ret_len)
{
	size_t lb = strlen(b);
	if (la + 1 + lb > LC_NAME_MAX)
		return NULL;
	char *s = lc_arena_alloc(A, la + lb + 2);
	if (!s)
		return NULL;
	memcpy(s, a, la);
	s[la] = '.';
	memcpy(s + la + 1, b, lb + 1);
	*ret_len = la + 1 + lb;
	return s;
}

/* The pending addresses grouped by host, as indexes: host h's are
 * order[start[h] .. start[h + 1]), in the order they came (a counting
 * sort, stable and linear; qsort of these wide records was a tenth of a
 * full build, and even a copy of them a twentieth of a small one). */
struct grouping {
	uint32_t *order;
	size_t *start;
};

/* A small lab's grouping on the stack: no malloc and free. */
#define GROUP_SMALL 64
struct grouping_small {
	uint32_t order[GROUP_SMALL];
	size_t start[GROUP_SMALL + 1];
};

static int group_pending(struct builder *b, struct grouping_small *small, struct grouping *g)
{
	const struct pending *p = b->pending.items;
	size_t n = b->pending.n, nh = b->hosts.n;

	if (n <= GROUP_SMALL && nh <= GROUP_SMALL) {
		g->order = small->order;
		g->start = small->start;
		memset(g->start, 0, (nh + 1) * sizeof(*g->start));
	} else {
		/* one block: the starts, then the order */
		if (!(g->start = calloc(1, (nh + 1) * sizeof(*g->start) + n * sizeof(*g->order))))
			return -ENOMEM;
		g->order = (uint32_t *)(void *)(g->start + nh + 1);
	}
	for (size_t i = 0; i < n; i++)
		g->start[p[i].host + 1]++;
	for (size_t h = 0; h < nh; h++)
		g->start[h + 1] += g->start[h];
	/* each host's next place: start[h] moves to start[h + 1]'s old value,
	 * so afterwards start[h] is where host h + 1 begins; shifted back below */
	for (size_t i = 0; i < n; i++)
		g->order[g->start[p[i].host]++] = (uint32_t)i;
	memmove(g->start + 1, g->start, nh * sizeof(*g->start));
	g->start[0] = 0;
	return 0;
}

static void grouping_free(struct grouping_small *small, struct grouping *g)
{
	if (g->start != small->start)
		free(g->start);
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
 * configured suffix and each network domain.  The list goes into al (room
 * for alias_cap(host) names and the NULL). */
static int host_aliases(struct builder *b, struct lc_host *host, const char *hn, const char **al)
{
	struct lc_arena *A = &b->db->arena;
	const struct lc_config *cfg = &b->db->config;
	size_t lens[2 * (1 + LC_CONF_MAX_LIST) + 1];
	size_t self_len = strlen(host->name), hn_len = hn ? strlen(hn) : 0;
	struct alias_list list = {al, NULL, 0, 2 * (1 + cfg->n_domains + host->n_addrs) + 1};
	const char *bases[2] = {host->name, hn};
	size_t base_lens[2] = {self_len, hn_len};

	/* the lengths of a host with many addresses do not fit on the stack */
	list.lens = list.cap <= sizeof(lens) / sizeof(lens[0])
			? lens
			: malloc(list.cap * sizeof(*list.lens));
	if (!list.lens)
		return -ENOMEM;
	/* a hostname that is the name, or a domain an earlier address has,
	 * would only make aliases the list holds already (alias_add folds) */
	if (hn && hn_len == self_len &&
	    (!memcmp(hn, host->name, hn_len) || lc_streq_fold(hn, host->name)))
		bases[1] = hn = NULL; /* most often the very bytes: one compare */
	if (hn)
		alias_add(&list, host->name, self_len, hn, hn_len);
	for (int bi = 0; bi < 2; bi++) {
		size_t fl;
		if (!bases[bi])
			continue;
		for (size_t d = 0; d < cfg->n_domains; d++) {
			char *f = join3(A, bases[bi], base_lens[bi], cfg->domains[d], &fl);
			if (f)
				alias_add(&list, host->name, self_len, f, fl);
		}
		for (size_t a = 0; a < host->n_addrs; a++) {
			if (!host->addrs[a].domain || domain_seen(host, a))
				continue;
			char *f = join3(A, bases[bi], base_lens[bi], host->addrs[a].domain, &fl);
			if (f)
				alias_add(&list, host->name, self_len, f, fl);
		}
	}
	if (list.lens != lens)
		free(list.lens);
	al[list.n] = NULL;
	host->aliases = al;
	host->n_aliases = list.n;
	return 0;
}

/* Room host_aliases needs for a host's list, its NULL included. */
static size_t alias_cap(const struct lc_config *cfg, const struct lc_host *host)
{
	return 2 * (1 + cfg->n_domains + host->n_addrs) + 2;
}

/* A host's addresses, each once, in rank order, into addrs (room for
 * cnt): its pending ones, p[idx[0 .. cnt)]. */
static void host_addrs(struct lc_host *host, const struct pending *p, const uint32_t *idx,
		       size_t cnt, struct lc_host_addr *addrs)
{
	size_t k = 0;

	if (!cnt)
		return;
	host->addrs = addrs;
	for (size_t q = 0; q < cnt; q++) {
		const struct lc_host_addr *a = &p[idx[q]].a;
		bool dup = false;
		for (size_t z = 0; z < k; z++)
			if (lc_map_addr_equal(&host->addrs[z].addr, &a->addr))
				dup = true;
		if (!dup)
			host->addrs[k++] = *a;
	}
	host->n_addrs = k;
	/* most hosts have one address: ranked as it is */
	if (k > 1)
		lc_rank_sort(host->addrs, k);
	else
		host->addrs[0].rule = LC_RULE_TIEBREAK;
}

/* Each host's addresses and aliases, from its pending addresses (the
 * first DHCP hostname among its guest leases is an alias).  The hosts'
 * addresses, then their alias lists, from pieces: an allocation a host
 * each was a tenth of a full build. */
int db_finish_hosts(struct builder *b)
{
	const struct lc_config *cfg = &b->db->config;
	struct lc_arena *A = &b->db->arena;
	struct pieces addrs = {0}, lists = {0};
	struct grouping_small small;
	struct grouping g;
	size_t n_al = 0;
	int r;

	if (!b->hosts.n)
		return 0; /* nothing pending either: a pending address has a host */
	if ((r = group_pending(b, &small, &g)) < 0)
		return r;
	const struct pending *p = b->pending.items;
	size_t n = b->pending.n;
	for (uint32_t h = 0; h < b->hosts.n; h++) {
		struct lc_host *host = host_at(b, h);
		size_t start = g.start[h], cnt = g.start[h + 1] - start;
		if (cnt) {
			size_t sz = sizeof(struct lc_host_addr);
			void *a = piece_alloc(A, &addrs, cnt * sz, (n - start) * sz);
			if (!a) {
				r = -ENOMEM;
				goto out;
			}
			host_addrs(host, p, g.order + start, cnt, a);
		}
		n_al += alias_cap(cfg, host);
	}
	for (uint32_t h = 0; h < b->hosts.n && r >= 0; h++) {
		struct lc_host *host = host_at(b, h);
		const char *hn = NULL;
		size_t cap = alias_cap(cfg, host);
		const char **al = piece_alloc(A, &lists, cap * sizeof(*al), n_al * sizeof(*al));
		if (!al) {
			r = -ENOMEM;
			goto out;
		}
		n_al -= cap;
		/* one DHCP hostname per guest is the norm; keep the first */
		for (size_t i = g.start[h]; !hn && i < g.start[h + 1]; i++)
			hn = p[g.order[i]].hostname;
		r = host_aliases(b, host, hn, al);
	}
out:
	grouping_free(&small, &g);
	return r;
}
