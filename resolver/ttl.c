/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The TTL the module reports with an answer.  glibc's nscd keeps a hosts
 * entry for the TTL a module gives (positive-time-to-live only when it
 * gives none) and then asks the module again; 0 does not stop it caching:
 * the entry still answers until nscd's next prune (every 15 s at least),
 * and every prune asks again.  A short, bounded TTL says what we mean: a
 * guest that stops drops out of nscd within LC_TTL_MAX (plus nscd's prune
 * interval), and an address never outlives its lease there.
 */
#include "resolver/resolver.h"

#include <string.h>
#include <sys/socket.h>

static int32_t ttl_of(int64_t expiry, int64_t now, int32_t ttl)
{
	if (expiry == INT64_MAX || expiry - now >= ttl)
		return ttl;
	/* an expired lease is never answered; one second is the least */
	return expiry - now < 1 ? 1 : (int32_t)(expiry - now);
}

int32_t lc_match_ttl(const struct lc_match *m, int64_t now)
{
	int32_t ttl = LC_TTL_MAX;

	for (size_t i = 0; i < m->host->n_addrs; i++)
		if (lc_match_addr(m, i))
			ttl = ttl_of(m->host->addrs[i].expiry, now, ttl);
	return ttl;
}

int32_t lc_addr_ttl(const struct lc_host *h, const struct lc_addr *a, int64_t now)
{
	size_t len = a->family == AF_INET6 ? 16 : 4;

	for (size_t i = 0; i < h->n_addrs; i++) {
		const struct lc_addr *b = &h->addrs[i].addr;
		if (b->family == a->family && !memcmp(b->bytes, a->bytes, len))
			return ttl_of(h->addrs[i].expiry, now, LC_TTL_MAX);
	}
	return LC_TTL_MAX;
}
