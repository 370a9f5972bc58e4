/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "resolver/resolver.h"

const char *lc_class_name(enum lc_class c)
{
	switch (c) {
	case LC_CLASS_EXTERNAL:
		return "external";
	case LC_CLASS_ISOLATED:
		return "isolated";
	default:
		return "unknown";
	}
}

const char *lc_rule_name(enum lc_rank_rule r)
{
	switch (r) {
	case LC_RULE_PREFER:
		return "prefer";
	case LC_RULE_CLASS:
		return "class";
	case LC_RULE_NIC_ORDER:
		return "nic-order";
	default:
		return "tie-break";
	}
}

/* Unlisted networks come after every listed one. */
static int prefer_key(const struct lc_host_addr *a)
{
	return a->prefer_index < 0 ? 0x7fffffff : a->prefer_index;
}

static int nic_key(const struct lc_host_addr *a)
{
	return a->nic_index < 0 ? 0x7fffffff : a->nic_index;
}

static int tiebreak(const struct lc_host_addr *a, const struct lc_host_addr *b)
{
	if (a->addr.family != b->addr.family)
		return a->addr.family == AF_INET ? -1 : 1;
	return memcmp(a->addr.bytes, b->addr.bytes, a->addr.family == AF_INET ? 4 : 16);
}

/* Which rule separates a from b (a ranked no later than b).  Expiry is
 * never a rank: libvirt orders by it, so its first address flips as leases
 * renew. */
static enum lc_rank_rule deciding_rule(const struct lc_host_addr *a, const struct lc_host_addr *b,
				       int *ret_cmp)
{
	int c;
	if ((c = (prefer_key(a) > prefer_key(b)) - (prefer_key(a) < prefer_key(b))) != 0) {
		*ret_cmp = c;
		return LC_RULE_PREFER;
	}
	if ((c = ((int)a->klass > (int)b->klass) - ((int)a->klass < (int)b->klass)) != 0) {
		*ret_cmp = c;
		return LC_RULE_CLASS;
	}
	if ((c = (nic_key(a) > nic_key(b)) - (nic_key(a) < nic_key(b))) != 0) {
		*ret_cmp = c;
		return LC_RULE_NIC_ORDER;
	}
	*ret_cmp = tiebreak(a, b);
	return LC_RULE_TIEBREAK;
}

static int rank_cmp(const void *x, const void *y)
{
	int c;
	deciding_rule(x, y, &c);
	return c;
}

void lc_rank_sort_items(void *items, size_t n, size_t size)
{
	char *p = items;
	int c;

	if (n == 0)
		return;
	/* most hosts have one address, or two (dual stack): a few are sorted
	 * by insertion, with no qsort call (its setup cost a host 300 Ir) */
	_Alignas(16) char tmp[256];
	if (n > 8 || size > sizeof(tmp)) {
		qsort(items, n, size, rank_cmp);
	} else {
		for (size_t i = 1; i < n; i++) {
			size_t k = i;
			while (k > 0 && rank_cmp(p + (k - 1) * size, p + i * size) > 0)
				k--;
			if (k == i)
				continue;
			memcpy(tmp, p + i * size, size);
			memmove(p + (k + 1) * size, p + k * size, (i - k) * size);
			memcpy(p + k * size, tmp, size);
		}
	}
	for (size_t i = 0; i + 1 < n; i++) {
		struct lc_host_addr *a = (void *)(p + i * size);
		a->rule = deciding_rule(a, (void *)(p + (i + 1) * size), &c);
	}
	/* the last one is where it is because everything else came first */
	struct lc_host_addr *last = (void *)(p + (n - 1) * size);
	last->rule =
	    n > 1 ? ((struct lc_host_addr *)(void *)(p + (n - 2) * size))->rule : LC_RULE_TIEBREAK;
}

void lc_rank_sort(struct lc_host_addr *addrs, size_t n)
{
	lc_rank_sort_items(addrs, n, sizeof(*addrs));
}
