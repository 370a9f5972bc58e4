/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>

#include "resolver/map.h"

static struct lc_map_key map_key(const struct lc_map *m, const void *key, size_t len)
{
	struct lc_map_key k = {.p = key, .len = len};
	switch (m->kind) {
	case LC_MAP_MAC:
		k.word = lc_map_mac_word(key);
		k.hash = (uint32_t)lc_map_mix64(k.word);
		break;
	case LC_MAP_ADDR:
		k.hash = lc_map_hash_addr(key);
		break;
	default:
		k.hash = lc_map_hash_str(m, key, len);
	}
	return k;
}

static uint32_t slot_hash(const struct lc_map *m, const struct lc_map_slot *s)
{
	switch (m->kind) {
	case LC_MAP_MAC:
		return (uint32_t)lc_map_mix64(s->key);
	case LC_MAP_ADDR:
		return lc_map_hash_addr((const struct lc_addr *)(uintptr_t)s->key);
	default:
		return s
		    ->aux; /* a string's hash, kept: rehashing every name on growth is not free */
	}
}

/* Whether m's slots, ncap of them, are in its arena. */
static bool in_arena(const struct lc_map *m, size_t ncap)
{
	return m->arena && ncap * sizeof(struct lc_map_slot) <= LC_MAP_ARENA_MAX;
}

static int map_resize(struct lc_map *m, size_t ncap)
{
	struct lc_map_slot *n;

	if (in_arena(m, ncap)) {
		n = lc_arena_alloc(m->arena, ncap * sizeof(*n));
		if (n)
			memset(n, 0, ncap * sizeof(*n));
	} else {
		n = calloc(ncap, sizeof(*n));
	}
	if (!n)
		return -ENOMEM;
	for (size_t i = 0; m->slots && i <= m->mask; i++) {
		if (!m->slots[i].key)
			continue;
		size_t j = slot_hash(m, &m->slots[i]) & (ncap - 1);
		while (n[j].key)
			j = (j + 1) & (ncap - 1);
		n[j] = m->slots[i];
	}
	if (m->slots && !in_arena(m, m->mask + 1))
		free(m->slots);
	m->slots = n;
	m->mask = ncap - 1;
	return 0;
}

int lc_map_reserve(struct lc_map *m, size_t n)
{
	size_t cap = 16;
	while (cap < n * 2)
		cap <<= 1;
	if (m->slots && cap <= m->mask + 1)
		return 0;
	return map_resize(m, cap);
}

static struct lc_map_slot *probe_any(const struct lc_map *m, const struct lc_map_key *k)
{
	switch (m->kind) {
	case LC_MAP_MAC:
		return lc_map_probe(m, LC_MAP_MAC, k);
	case LC_MAP_ADDR:
		return lc_map_probe(m, LC_MAP_ADDR, k);
	case LC_MAP_FOLD:
		return lc_map_probe(m, LC_MAP_FOLD, k);
	default:
		return lc_map_probe(m, LC_MAP_STR, k);
	}
}

struct lc_map_slot *lc_map_get(const struct lc_map *m, const void *key, size_t len)
{
	struct lc_map_key k = map_key(m, key, len);
	return probe_any(m, &k);
}

/* A new key into the empty slot s. */
static void put_at(struct lc_map *m, const struct lc_map_key *k, const void *key,
		   struct lc_map_slot *s)
{
	s->key = m->kind == LC_MAP_MAC ? k->word : (uint64_t)(uintptr_t)key;
	s->val = 0;
	s->aux = m->kind == LC_MAP_STR || m->kind == LC_MAP_FOLD ? k->hash : 0;
	m->n++;
}

int lc_map_put(struct lc_map *m, const void *key, size_t len, struct lc_map_slot **ret_slot)
{
	struct lc_map_key k = map_key(m, key, len);
	struct lc_map_slot *s;

	/* with room for one more: one pass (lc_map_put_key) */
	if (m->slots && (m->n + 1) * 2 <= m->mask + 1) {
		switch (m->kind) {
		case LC_MAP_MAC:
			return lc_map_put_key(m, LC_MAP_MAC, &k, key, len, ret_slot);
		case LC_MAP_ADDR:
			return lc_map_put_key(m, LC_MAP_ADDR, &k, key, len, ret_slot);
		case LC_MAP_FOLD:
			return lc_map_put_key(m, LC_MAP_FOLD, &k, key, len, ret_slot);
		default:
			return lc_map_put_key(m, LC_MAP_STR, &k, key, len, ret_slot);
		}
	}
	s = probe_any(m, &k);
	if (s) {
		if (ret_slot)
			*ret_slot = s;
		return 0;
	}
	if (!m->slots || (m->n + 1) * 2 > m->mask + 1) {
		int r = map_resize(m, m->slots ? (m->mask + 1) * 2 : 64);
		if (r < 0)
			return r;
	}
	size_t i = k.hash & m->mask;
	while (m->slots[i].key)
		i = (i + 1) & m->mask;
	s = &m->slots[i];
	put_at(m, &k, key, s);
	if (ret_slot)
		*ret_slot = s;
	return 1;
}

void lc_map_free(struct lc_map *m)
{
	if (m->slots && !in_arena(m, m->mask + 1))
		free(m->slots);
	m->slots = NULL;
	m->mask = m->n = 0;
}
