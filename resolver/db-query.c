/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Queries on a built db: forward lookups by name (bare, with a configured
 * cluster suffix, with a network's domain, or an address literal) and
 * reverse lookups by address, each a probe or two of the indexes.
 */
#include <string.h>
#include <sys/socket.h>

#include "resolver/db-internal.h"

bool lc_match_addr(const struct lc_match *m, size_t i)
{
	const struct lc_host_addr *a = &m->host->addrs[i];
	if (m->only_idx >= 0 && (size_t)m->only_idx != i)
		return false;
	if (m->family != AF_UNSPEC && a->addr.family != m->family)
		return false;
	if (m->domain && (!a->domain || strcmp(a->domain, m->domain) != 0))
		return false;
	return true;
}

/* A small db's lookups (db->name_hash set): its hosts in the order the maps are
 * filled.  Apart from addr_find and name_get, so that those stay small
 * where they are inlined. */
__attribute__((noinline)) static bool addr_find_linear(const struct lc_db *db,
						       const struct lc_addr *a,
						       const struct lc_host **ret_host,
						       uint32_t *ret_idx)
{
	/* the first in the order the map is filled: host, then address */
	for (size_t i = 0; i < db->n_hosts; i++)
		for (size_t k = 0; k < db->hosts[i].n_addrs; k++)
			if (lc_map_addr_equal(&db->hosts[i].addrs[k].addr, a)) {
				*ret_host = &db->hosts[i];
				*ret_idx = (uint32_t)k;
				return true;
			}
	return false;
}

static bool name_is(const char *name, const char *key, size_t len)
{
	return name && lc_strneq_fold(name, key, len) && name[len] == '\0';
}

__attribute__((noinline)) static const struct lc_host *name_get_linear(const struct lc_db *db,
								       const char *key, size_t len)
{
	/* as the map has them: running hosts' domain names before DHCP
	 * hostnames, the first of each in the hosts' order; one pass, where
	 * a domain name wins at once and a DHCP hostname only if none comes */
	if (len > LC_NAME_MAX)
		return NULL;
	const uint32_t hk = lc_map_hash_fold(key, len), *nh = db->name_hash;
	const struct lc_host *by_dhcp = NULL;
	for (size_t i = 0; i < db->n_hosts; i++) {
		const struct lc_host *h = &db->hosts[i];
		if (nh[2 * i] == hk && h->running && name_is(h->name, key, len))
			return h;
		if (nh[2 * i + 1] == hk && !by_dhcp && name_is(db_dhcp_alias(h), key, len))
			by_dhcp = h;
	}
	return by_dhcp;
}

static bool addr_find(const struct lc_db *db, const struct lc_addr *a,
		      const struct lc_host **ret_host, uint32_t *ret_idx)
{
	if (db->name_hash)
		return addr_find_linear(db, a, ret_host, ret_idx);
	const struct lc_map_slot *s = lc_map_get_addr(&db->addrs, a);
	if (!s)
		return false;
	*ret_host = &db->hosts[s->val];
	*ret_idx = s->aux;
	return true;
}

static const struct lc_host *name_get(const struct lc_db *db, const char *key, size_t len)
{
	if (db->name_hash)
		return name_get_linear(db, key, len);
	const struct lc_map_slot *s = lc_map_get_str(&db->names, key, len);
	return s ? &db->hosts[s->val] : NULL;
}

static enum lc_lookup finish_match(struct lc_match *m, struct lc_match *ret)
{
	for (size_t i = 0; i < m->host->n_addrs; i++)
		if (lc_match_addr(m, i)) {
			*ret = *m;
			return LC_FOUND;
		}
	*ret = *m;
	return LC_NODATA;
}

static bool is_config_domain(const struct lc_db *db, const char *s)
{
	for (size_t i = 0; i < db->config.n_domains; i++)
		if (!strcmp(db->config.domains[i], s))
			return true;
	return false;
}

static bool host_has_domain(const struct lc_host *h, const char *s)
{
	for (size_t i = 0; i < h->n_addrs; i++)
		if (h->addrs[i].domain && !strcmp(h->addrs[i].domain, s))
			return true;
	return false;
}

enum lc_lookup lc_db_lookup_name(const struct lc_db *db, const char *name, int family,
				 struct lc_match *ret_match)
{
	char q[LC_NAME_MAX + 1];

	if (lc_name_normalize(name, q, sizeof(q)) < 0)
		return LC_NOTFOUND;
	return lc_db_lookup_normalized(db, q, strlen(q), family, ret_match);
}

enum lc_lookup lc_db_lookup_normalized(const struct lc_db *db, const char *q, size_t len,
				       int family, struct lc_match *ret_match)
{
	struct lc_match m = {.family = family, .only_idx = -1};
	struct lc_addr lit;

	/* an address literal that is a guest's: answer as the reverse path does */
	if (lc_addr_parse(q, len, &lit) == 0) {
		uint32_t idx;
		if (!addr_find(db, &lit, &m.host, &idx))
			return db->unavailable ? LC_UNAVAIL : LC_NOTFOUND;
		m.only_idx = (int)idx;
		return finish_match(&m, ret_match);
	}

	const struct lc_host *h = name_get(db, q, len);
	if (h && h->running) {
		m.host = h;
		return finish_match(&m, ret_match);
	}
	/* name.suffix: the longest known name first */
	for (size_t i = len; i-- > 1;) {
		if (q[i] != '.')
			continue;
		h = name_get(db, q, i);
		if (!h || !h->running)
			continue;
		const char *suffix = q + i + 1;
		if (is_config_domain(db, suffix)) {
			m.host = h;
			return finish_match(&m, ret_match);
		}
		if (host_has_domain(h, suffix)) {
			m.host = h;
			/* only the addresses on networks of that domain */
			const struct lc_host_addr *a = h->addrs;
			for (size_t k = 0; k < h->n_addrs; k++)
				if (a[k].domain && !strcmp(a[k].domain, suffix)) {
					m.domain = a[k].domain;
					break;
				}
			return finish_match(&m, ret_match);
		}
	}
	return db->unavailable ? LC_UNAVAIL : LC_NOTFOUND;
}

enum lc_lookup lc_db_lookup_addr(const struct lc_db *db, const struct lc_addr *addr,
				 const struct lc_host **ret_host)
{
	uint32_t idx;
	if (addr_find(db, addr, ret_host, &idx))
		return LC_FOUND;
	return db->unavailable ? LC_UNAVAIL : LC_NOTFOUND;
}
