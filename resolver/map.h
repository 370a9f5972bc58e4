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
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* the bytes big-endian, in two loads rather than six steps */
	uint32_t hi;
	uint16_t lo;
	memcpy(&hi, mac, 4);
	memcpy(&lo, mac + 4, 2);
	k = (uint64_t)__builtin_bswap32(hi) << 16 | __builtin_bswap16(lo);
#else
	for (int i = 0; i < LC_MAC_LEN; i++)
		k = k << 8 | mac[i];
#endif
	return k + 1;
}

static inline size_t lc_map_mix64(uint64_t k)
{
	k ^= k >> 33;
	k *= UINT64_C(0xff51afd7ed558ccd);
	k ^= k >> 33;
	return (size_t)k;
}

/* The eight bytes of w with ASCII upper case made lower case: a byte's
 * high bit marks 'A'..'Z' (no carry crosses a byte: each is < 0x80 when
 * added to). */
static inline uint64_t lc_map_fold8(uint64_t w)
{
	const uint64_t high = UINT64_C(0x8080808080808080);
	uint64_t low7 = w & ~high, ge_a = low7 + UINT64_C(0x3f3f3f3f3f3f3f3f),
		 gt_z = low7 + UINT64_C(0x2525252525252525);
	return w | ((ge_a & ~gt_z & ~w & high) >> 2);
}

/* A name's hash, ASCII case folded (the names index): a word at a time,
 * a name's last bytes in a word of their own.  A byte loop over every
 * name was a tenth of the index. */
static inline uint32_t lc_map_hash_fold(const char *s, size_t len)
{
	uint64_t h = len * UINT64_C(0x9e3779b97f4a7c15), w;
	size_t i = 0;

	for (; len - i >= 8; i += 8) {
		memcpy(&w, s + i, 8);
		h = lc_map_mix64(h ^ lc_map_fold8(w));
	}
	for (w = 0; i < len; i++)
		w = w << 8 | (uint8_t)s[i];
	return (uint32_t)lc_map_mix64(h ^ lc_map_fold8(w));
}

static inline uint32_t lc_map_hash_str(const struct lc_map *m, const char *s, size_t len)
{
	if (m->kind == LC_MAP_FOLD)
		return lc_map_hash_fold(s, len);
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)s[i];
		h *= 16777619u;
	}
	return h;
}

/* An address's hash: its bytes as words, the last byte lowest (where a
 * lab's addresses differ), mixed as a MAC is. */
static inline uint32_t lc_map_hash_addr(const struct lc_addr *a)
{
	uint32_t v4;
	uint64_t hi, lo;

	if (a->family == AF_INET) {
		memcpy(&v4, a->bytes, 4);
		return (uint32_t)lc_map_mix64((uint64_t)AF_INET << 32 | __builtin_bswap32(v4));
	}
	memcpy(&hi, a->bytes, 8);
	memcpy(&lo, a->bytes + 8, 8);
	return (uint32_t)lc_map_mix64(lc_map_mix64(__builtin_bswap64(hi) ^ (uint64_t)a->family) ^
				      __builtin_bswap64(lo));
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

/* Where a probe for k ends: the slot that holds it (*found set), or the
 * empty slot where it would go.  kind is a constant where the typed
 * lookups below call it, so each compiles to its own loop with one
 * comparison.  The map must have slots. */
static inline __attribute__((always_inline)) struct lc_map_slot *
lc_map_find_slot(const struct lc_map *m, enum lc_map_kind kind, const struct lc_map_key *k,
		 bool *found)
{
	for (size_t i = k->hash & m->mask;; i = (i + 1) & m->mask) {
		struct lc_map_slot *s = &m->slots[i];
		const char *sk = (const char *)(uintptr_t)s->key;
		bool eq;
		if (!s->key) {
			*found = false;
			return s;
		}
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
		if (eq) {
			*found = true;
			return s;
		}
	}
}

static inline __attribute__((always_inline)) struct lc_map_slot *
lc_map_probe(const struct lc_map *m, enum lc_map_kind kind, const struct lc_map_key *k)
{
	bool found;
	struct lc_map_slot *s;

	if (!m->slots)
		return NULL;
	s = lc_map_find_slot(m, kind, k, &found);
	return found ? s : NULL;
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

/* lc_map_put with k made as the typed lookups make it (kind a constant):
 * with room for one more, the probe that misses ends where the key goes,
 * one pass; a map that must grow first goes through lc_map_put. */
static inline __attribute__((always_inline)) int
lc_map_put_key(struct lc_map *m, enum lc_map_kind kind, const struct lc_map_key *k, const void *key,
	       size_t len, struct lc_map_slot **ret_slot)
{
	struct lc_map_slot *s;
	bool found;

	if (!m->slots || (m->n + 1) * 2 > m->mask + 1)
		return lc_map_put(m, key, len, ret_slot);
	s = lc_map_find_slot(m, kind, k, &found);
	if (!found) {
		s->key = kind == LC_MAP_MAC ? k->word : (uint64_t)(uintptr_t)key;
		s->val = 0;
		s->aux = kind == LC_MAP_STR || kind == LC_MAP_FOLD ? k->hash : 0;
		m->n++;
	}
	if (ret_slot)
		*ret_slot = s;
	return !found;
}

/* The typed puts: the lookups' keys, no switch on the kind. */
static inline int lc_map_put_mac(struct lc_map *m, const uint8_t mac[LC_MAC_LEN],
				 struct lc_map_slot **ret_slot)
{
	struct lc_map_key k = {.word = lc_map_mac_word(mac)};
	k.hash = (uint32_t)lc_map_mix64(k.word);
	return lc_map_put_key(m, LC_MAP_MAC, &k, mac, LC_MAC_LEN, ret_slot);
}

static inline int lc_map_put_addr(struct lc_map *m, const struct lc_addr *a,
				  struct lc_map_slot **ret_slot)
{
	struct lc_map_key k = {.p = a, .hash = lc_map_hash_addr(a)};
	return lc_map_put_key(m, LC_MAP_ADDR, &k, a, sizeof(*a), ret_slot);
}

/* LC_MAP_STR or LC_MAP_FOLD: the len bytes at s, kept as the key. */
static inline int lc_map_put_str(struct lc_map *m, const char *s, size_t len,
				 struct lc_map_slot **ret_slot)
{
	struct lc_map_key k = {.p = s, .len = len, .hash = lc_map_hash_str(m, s, len)};
	return m->kind == LC_MAP_FOLD ? lc_map_put_key(m, LC_MAP_FOLD, &k, s, len, ret_slot)
				      : lc_map_put_key(m, LC_MAP_STR, &k, s, len, ret_slot);
}
void lc_map_free(struct lc_map *m);
