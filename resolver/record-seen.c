/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The discovered-address lines of a guest record (`addr` and `dropped`:
 * MAC ADDRESS SOURCE SEEN), read and written, and carried over when the
 * hook rewrites a record.  What the hook's worker found lives only here,
 * so a reader that gets them wrong loses a guest's only address.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "resolver/record-seen.h"
#include "resolver/resolver.h"

/* `MAC ADDRESS SOURCE SEEN`: 1 = parsed, 0 = a source this reader does
 * not know (a newer writer's: skip the line), -EBADMSG = malformed. */
static int seen_parse(const char *v, size_t vl, struct lc_seen_addr *ret)
{
	const char *f[4], *end = v + vl;
	size_t fl[4];
	struct lc_seen_addr a = {0};
	int64_t t = 0;

	for (size_t i = 0; i < 4; i++) {
		const char *sp = memchr(v, ' ', (size_t)(end - v));
		if (!sp)
			sp = end;
		if ((sp == end) != (i == 3) || sp == v)
			return -EBADMSG;
		f[i] = v;
		fl[i] = (size_t)(sp - v);
		v = sp + 1;
	}
	if (lc_mac_parse(f[0], fl[0], a.mac) < 0 || lc_addr_parse(f[1], fl[1], &a.addr) < 0)
		return -EBADMSG;
	if (fl[3] > 18)
		return -EBADMSG;
	for (size_t i = 0; i < fl[3]; i++) {
		if (f[3][i] < '0' || f[3][i] > '9')
			return -EBADMSG;
		t = t * 10 + (f[3][i] - '0');
	}
	a.seen = t;
	/* a lease is never a record's: leases are read from dnsmasq's files */
	if (lc_source_parse(f[2], fl[2], &a.source) < 0 || a.source == LC_SOURCE_LEASE)
		return 0;
	*ret = a;
	return 1;
}

/* An `addr` or `dropped` line into list (at most max; the rest are skipped). */
int record_seen_line(const char *v, size_t vl, struct lc_seen_addr *list, size_t *n, size_t max)
{
	struct lc_seen_addr a;
	int r = seen_parse(v, vl, &a);

	if (r <= 0)
		return r;
	if (*n < max)
		list[(*n)++] = a;
	return 0;
}

int record_seen_format(char *buf, size_t size, size_t *off, const char *key,
		       const struct lc_seen_addr *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char mac[18], a[64];
		lc_mac_format(list[i].mac, mac);
		int k = snprintf(buf + *off, size - *off, "%s %s %s %s %lld\n", key, mac,
				 lc_addr_format(&list[i].addr, a, sizeof(a)),
				 lc_source_name(list[i].source),
				 (long long)(list[i].seen > 0 ? list[i].seen : 0));
		if (k < 0 || (size_t)k >= size - *off)
			return -ENOBUFS;
		*off += (size_t)k;
	}
	return 0;
}

static bool has_nic(const struct lc_guest_record *r, const uint8_t mac[LC_MAC_LEN])
{
	for (size_t i = 0; i < r->n_nics; i++)
		if (!memcmp(r->nics[i].mac, mac, LC_MAC_LEN))
			return true;
	return false;
}

static void keep_lines(const struct lc_guest_record *rec, struct lc_seen_addr *dst, size_t *n,
		       size_t max, const struct lc_seen_addr *src, size_t n_src)
{
	*n = 0;
	for (size_t i = 0; i < n_src && *n < max; i++)
		if (has_nic(rec, src[i].mac))
			dst[(*n)++] = src[i];
}

void lc_guest_record_keep_seen(struct lc_guest_record *rec, const struct lc_guest_record *old)
{
	if (strcmp(rec->name, old->name) ||
	    (rec->uuid[0] && old->uuid[0] && strcmp(rec->uuid, old->uuid)))
		return;
	keep_lines(rec, rec->seen, &rec->n_seen, LC_RECORD_MAX_SEEN, old->seen, old->n_seen);
	keep_lines(rec, rec->dropped, &rec->n_dropped, LC_RECORD_MAX_DROPPED, old->dropped,
		   old->n_dropped);
}
