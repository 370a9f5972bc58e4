/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The db's two indexes, built once the hosts are final: names (domain
 * names and DHCP hostnames, ASCII case-insensitive) and live addresses.
 * Both are lc_maps sized up front, so they never grow.  A db of a few
 * hosts has neither (db->name_hash set): db-query.c searches its hosts in the
 * order the maps are filled, and so finds what they would.
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
	int r = lc_map_put_str(&db->names, key, len, &s);
	if (r == 1)
		s->val = host;
	return r < 0 ? r : 0;
}

static int addr_put(struct lc_db *db, const struct lc_addr *a, uint32_t host, uint32_t idx)
{
	struct lc_map_slot *s;
	int r = lc_map_put_addr(&db->addrs, a, &s);
	if (r == 1) {
		s->val = host;
		s->aux = idx;
	}
	return r < 0 ? r : 0;
}

/*
 * The hosts' order: running before stopped, a guest before a DHCP-only
 * client (of the same name: the name index keeps the first), then by
 * name (strcmp).  Sorted as keys: the class in the top two bits, then the
 * name's first bytes as a big-endian number (zero-padded, so a shorter
 * name comes first, as strcmp has it); where two keys are equal, the
 * class and strcmp decide.  The order is total (names are unique within
 * guests and within DHCP-only hosts).
 */
struct host_key {
	uint64_t key;
	size_t i; /* the host's index before the sort */
};

static struct host_key host_key(const struct lc_host *h, size_t i)
{
	uint64_t klass = (h->running ? 0 : 2) + (h->guest ? 0 : 1), prefix = 0;

	int b = 0;

	/* the bytes shifted in one by one, then the whole to the top */
	for (; b < 8 && h->name[b]; b++)
		prefix = prefix << 8 | (uint8_t)h->name[b];
	if (b)
		prefix <<= 8 * (8 - b);
	return (struct host_key){klass << 62 | prefix >> 2, i};
}

static bool key_before(const struct lc_host *hosts, const struct host_key *a,
		       const struct host_key *b)
{
	if (a->key != b->key)
		return a->key < b->key;
	const struct lc_host *x = &hosts[a->i], *y = &hosts[b->i];
	if (x->running != y->running)
		return x->running;
	if (x->guest != y->guest)
		return x->guest;
	return strcmp(x->name, y->name) < 0;
}

/* src[a..m) and src[m..e), each in order, into dst[a..e). */
static void merge(const struct lc_host *hosts, const struct host_key *src, size_t a, size_t m,
		  size_t e, struct host_key *dst)
{
	size_t i = a, j = m, o = a;

	while (i < m && j < e)
		dst[o++] = key_before(hosts, &src[j], &src[i]) ? src[j++] : src[i++];
	while (i < m)
		dst[o++] = src[i++];
	while (j < e)
		dst[o++] = src[j++];
}

/*
 * A natural merge sort of n keys (tmp: room for n more, ends for n run
 * ends): the runs already in order are found, then merged pairwise until
 * one is left.  A lab's guests come in runs more often than not (each
 * .macs file lists them in the order libvirt started them).
 */
static void sort_keys(const struct lc_host *hosts, struct host_key *k, struct host_key *tmp,
		      size_t *ends, size_t n)
{
	struct host_key *src = k, *dst = tmp, *t;
	size_t nr = 0;

	for (size_t i = 1; i <= n; i++)
		if (i == n || key_before(hosts, &k[i], &k[i - 1]))
			ends[nr++] = i;
	while (nr > 1) {
		size_t w = 0, start = 0;
		for (size_t r = 0; r < nr; r += 2) {
			size_t mid = ends[r], end = r + 1 < nr ? ends[r + 1] : mid;
			merge(hosts, src, start, mid, end, dst);
			ends[w++] = end;
			start = end;
		}
		nr = w;
		t = src, src = dst, dst = t;
	}
	if (src != k)
		memcpy(k, src, n * sizeof(*k));
}

/* db->hosts in that order: the keys sorted, then the hosts moved along
 * the permutation's cycles, in place. */
static int sort_hosts(struct lc_db *db)
{
	size_t n = db->n_hosts;
	struct {
		struct host_key k[2 * 32];
		size_t ends[32];
	} small;
	struct host_key *k = n <= 32 ? small.k : malloc(n * (2 * sizeof(*k) + sizeof(size_t)));
	size_t *ends = n <= 32 ? small.ends : (size_t *)(void *)(k + 2 * n);

	if (!k)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		k[i] = host_key(&db->hosts[i], i);
	sort_keys(db->hosts, k, k + n, ends, n);
	/* k[i].i: where the host that goes to i is now; set to i once moved */
	for (size_t i = 0; i < n; i++) {
		if (k[i].i == i)
			continue;
		struct lc_host first = db->hosts[i];
		size_t j = i;
		while (k[j].i != i) {
			size_t from = k[j].i;
			db->hosts[j] = db->hosts[from];
			k[j].i = j;
			j = from;
		}
		db->hosts[j] = first;
		k[j].i = j;
	}
	if (k != small.k)
		free(k);
	return 0;
}

size_t lc_db_linear_max = LC_DB_LINEAR_MAX;

const char *db_dhcp_alias(const struct lc_host *h)
{
	return h->n_aliases && !strchr(h->aliases[0], '.') ? h->aliases[0] : NULL;
}

int db_build_indexes(struct lc_db *db)
{
	size_t n_names = 0, n_addrs = 0;
	/* the DHCP aliases, found once for the count and the puts (on the
	 * stack in a small lab) */
	const char *small[64], **hns = small;
	int r = 0;

	db->names.kind = LC_MAP_FOLD;
	db->addrs.kind = LC_MAP_ADDR;
	if (!db->n_hosts)
		return 0; /* empty maps answer every probe with nothing */
	if ((r = sort_hosts(db)) < 0)
		return r;
	if (db->n_hosts <= lc_db_linear_max) {
		db->name_hash = lc_arena_alloc(&db->arena, 2 * db->n_hosts * sizeof(uint32_t));
		if (!db->name_hash)
			return -ENOMEM;
		for (size_t i = 0; i < db->n_hosts; i++) {
			const char *n = db->hosts[i].name, *hn = db_dhcp_alias(&db->hosts[i]);
			db->name_hash[2 * i] = lc_map_hash_fold(n, strlen(n));
			db->name_hash[2 * i + 1] = hn ? lc_map_hash_fold(hn, strlen(hn)) : 0;
		}
		return 0;
	}
	if (db->n_hosts > sizeof(small) / sizeof(small[0]))
		hns = malloc(db->n_hosts * sizeof(*hns)); /* NULL: found again where put */
	/* exactly the keys put below: a slot zeroed costs as much as a key */
	for (size_t i = 0; i < db->n_hosts; i++) {
		const char *hn = db_dhcp_alias(&db->hosts[i]);
		if (hns)
			hns[i] = hn;
		n_names += db->hosts[i].running + (hn != NULL);
		n_addrs += db->hosts[i].n_addrs;
	}
	if (lc_map_reserve(&db->names, n_names) < 0 || lc_map_reserve(&db->addrs, n_addrs) < 0)
		r = -ENOMEM;
	/* domain names first, so a DHCP hostname never shadows a guest.  A
	 * stopped host answers no lookup, so its name is not indexed: it would
	 * only hide a running guest that now asks DHCP for that hostname. */
	for (size_t i = 0; i < db->n_hosts && r >= 0; i++)
		if (db->hosts[i].running)
			r = name_put(db, db->hosts[i].name, (uint32_t)i);
	for (size_t i = 0; i < db->n_hosts && r >= 0; i++) {
		const struct lc_host *h = &db->hosts[i];
		const char *hn = hns ? hns[i] : db_dhcp_alias(h);
		if (hn)
			r = name_put(db, hn, (uint32_t)i);
		for (size_t a = 0; a < h->n_addrs && r >= 0; a++)
			r = addr_put(db, &h->addrs[a].addr, (uint32_t)i, (uint32_t)a);
	}
	if (hns != small)
		free(hns);
	return r;
}
