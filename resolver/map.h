/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The core's one hash map: open addressing, linear probing, a power of two
 * of 16-byte slots, at most half full.  It serves the builder's MAC map and
 * its guest and hostname maps, and the db's name and address indexes: one
 * probe loop, four ways to compare a key.  Internal to the core.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "resolver/resolver.h"
#include "resolver/util.h"

enum lc_map_kind {
	LC_MAP_STR,  /* NUL-terminated strings, compared exactly */
	LC_MAP_FOLD, /* the same, compared ASCII case-insensitively */
	LC_MAP_ADDR, /* struct lc_addr, by family and bytes */
	LC_MAP_MAC,  /* 6-byte MACs, held in the slot itself */
};

/* Keys that are pointers are not copied: they must outlive the map. */
struct lc_map_slot {
	uint64_t key; /* the key's address, or the MAC as an integer + 1; 0 = empty */
	uint32_t val; /* the caller's */
	uint32_t aux; /* strings: the key's hash; ADDR and MAC: the caller's */
};

/* With an arena, the slots live there while they take at most
 * LC_MAP_ARENA_MAX bytes (a build's maps of a small lab: no calloc and
 * free each), then on the heap; lc_map_free frees only those. */
#define LC_MAP_ARENA_MAX 4096
struct lc_map {
	struct lc_map_slot *slots;
	size_t mask, n;
	enum lc_map_kind kind;
	struct lc_arena *arena;
};

static inline uint64_t lc_map_mac_word(const uint8_t mac[LC_MAC_LEN])
{
	uint64_t k = 0;
	for (int i = 0; i < LC_MAC_LEN; i++)
		k = k << 8 | mac[i];
	return k + 1;
}

static inline uint32_t lc_map_hash_str(const struct lc_map *m, const char *s, size_t len)
{
	if (m->kind == LC_MAP_FOLD)
		return lc_hash_fold(s, len);
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)s[i];
		h *= 16777619u;
	}
	return h;
}

static inline uint32_t lc_map_hash_addr(const struct lc_addr *a)
{
	return lc_hash_fold((const char *)a->bytes, a->family == AF_INET ? 4 : 16) ^
	       (uint32_t)a->family;
}

static inline size_t lc_map_mix64(uint64_t k)
{
	k ^= k >> 33;
	k *= UINT64_C(0xff51afd7ed558ccd);
	k ^= k >> 33;
	return (size_t)k;
}

static inline bool lc_map_addr_equal(const struct lc_addr *a, const struct lc_addr *b)
{
	return a->family == b->family && !memcmp(a->bytes, b->bytes, a->family == AF_INET ? 4 : 16);
}

/* What a lookup carries: the key and where its probe starts. */
struct lc_map_key {
	const void *p;
	size_t len;
	uint64_t word; /* MAC */
	uint32_t hash;
};

/* kind is a constant where the typed lookups below call it, so each
 * compiles to its own loop with one comparison. */
static inline __attribute__((always_inline)) struct lc_map_slot *
lc_map_probe(const struct lc_map *m, enum lc_map_kind kind, const struct lc_map_key *k)
{
	if (!m->slots)
		return NULL;
	for (size_t i = k->hash & m->mask;; i = (i + 1) & m->mask) {
		struct lc_map_slot *s = &m->slots[i];
		const char *sk = (const char *)(uintptr_t)s->key;
		bool eq;
		if (!s->key)
			return NULL;
		switch (kind) {
		case LC_MAP_MAC:
			eq = s->key == k->word;
			break;
		case LC_MAP_ADDR:
			eq = lc_map_addr_equal((const struct lc_addr *)sk, k->p);
			break;
		case LC_MAP_FOLD:
			eq = s->aux == k->hash && lc_strneq_fold(sk, k->p, k->len) &&
			     sk[k->len] == '\0';
			break;
		default:
			eq = s->aux == k->hash && !memcmp(sk, k->p, k->len) && sk[k->len] == '\0';
		}
		if (eq)
			return s;
	}
}

/* Any kind, the key as lc_map_put takes it. */
struct lc_map_slot *lc_map_get(const struct lc_map *m, const void *key, size_t len);

static inline struct lc_map_slot *lc_map_get_mac(const struct lc_map *m,
						 const uint8_t mac[LC_MAC_LEN])
{
	struct lc_map_key k = {.word = lc_map_mac_word(mac)};
	k.hash = (uint32_t)lc_map_mix64(k.word);
	return lc_map_probe(m, LC_MAP_MAC, &k);
}

static inline struct lc_map_slot *lc_map_get_addr(const struct lc_map *m, const struct lc_addr *a)
{
	struct lc_map_key k = {.p = a, .hash = lc_map_hash_addr(a)};
	return lc_map_probe(m, LC_MAP_ADDR, &k);
}

/* LC_MAP_STR or LC_MAP_FOLD: the len bytes at s (need not end there). */
/* Take back the slot the last lc_map_put added (nothing was put since):
 * linear probing left no chain through it. */
static inline void lc_map_unput(struct lc_map *m, struct lc_map_slot *s)
{
	s->key = 0;
	m->n--;
}

static inline struct lc_map_slot *lc_map_get_str(const struct lc_map *m, const char *s, size_t len)
{
	struct lc_map_key k = {.p = s, .len = len, .hash = lc_map_hash_str(m, s, len)};
	return m->kind == LC_MAP_FOLD ? lc_map_probe(m, LC_MAP_FOLD, &k)
				      : lc_map_probe(m, LC_MAP_STR, &k);
}

/* Room for n keys without growing (an index whose size is known). */
int lc_map_reserve(struct lc_map *m, size_t n);
/* Insert key unless it is there: *ret_slot (when not NULL) gets the slot
 * that holds it now, its val and aux zero when new.  1 = inserted,
 * 0 = present, -ENOMEM. */
int lc_map_put(struct lc_map *m, const void *key, size_t len, struct lc_map_slot **ret_slot);
void lc_map_free(struct lc_map *m);
