/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The reader of a zone transfer (RFC 5936): which names carry our TXT, and
 * what they hold.  It takes one reply message at a time, as they come off
 * the connection or out of a fuzzer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "host/ddns-ldns.h"
#include "resolver/util.h"

/* A dname as lower-case text without the trailing dot ("" for the root);
 * -ENAMETOOLONG when it does not fit. */
static int dname_text(const ldns_rdf *d, char *buf, size_t size)
{
	char *s = ldns_rdf2str(d);
	size_t n;
	int r = 0;

	if (!s)
		return -ENOMEM;
	n = strlen(s);
	if (n && s[n - 1] == '.')
		s[--n] = '\0';
	if (n >= size)
		r = -ENAMETOOLONG;
	else
		for (size_t i = 0; i <= n; i++)
			buf[i] = lc_lower(s[i]);
	free(s);
	return r;
}

void ddns_zone_init(struct ddns_zone *z, const char *zone)
{
	memset(z, 0, sizeof(*z));
	snprintf(z->zone, sizeof(z->zone), "%s", zone);
	for (char *p = z->zone; *p; p++)
		*p = lc_lower(*p);
	size_t n = strlen(z->zone);
	if (n && z->zone[n - 1] == '.')
		z->zone[n - 1] = '\0';
}

void ddns_zone_free(struct ddns_zone *z)
{
	free(z->entries);
	z->entries = NULL;
	z->n = z->cap = 0;
}

static struct ddns_zone_entry *entry_for(struct ddns_zone *z, const char *owner)
{
	/* a transfer sends a name's records together: the last one first */
	for (size_t i = z->n; i-- > 0;)
		if (!strcmp(z->entries[i].owner, owner))
			return &z->entries[i];
	if (z->n == z->cap) {
		size_t cap = z->cap ? z->cap * 2 : 16;
		struct ddns_zone_entry *e = realloc(z->entries, cap * sizeof(*e));
		if (!e)
			return NULL;
		z->entries = e;
		z->cap = cap;
	}
	struct ddns_zone_entry *e = &z->entries[z->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->owner, sizeof(e->owner), "%s", owner);
	return e;
}

/* A TXT of one character-string that starts with our tag. */
static void take_txt(struct ddns_zone_entry *e, const ldns_rr *rr)
{
	const ldns_rdf *s = ldns_rr_rd_count(rr) == 1 ? ldns_rr_rdf(rr, 0) : NULL;
	size_t n;

	if (!s || ldns_rdf_size(s) < 1)
		return;
	n = ldns_rdf_data(s)[0];
	if (n + 1 != ldns_rdf_size(s) || n >= sizeof(e->txt))
		return;
	char txt[256];
	memcpy(txt, ldns_rdf_data(s) + 1, n);
	txt[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)txt[i] < 0x20 || (unsigned char)txt[i] >= 0x7f)
			return;
	if (ddns_txt_field(txt, "host", e->host, sizeof(e->host)) < 0)
		return;
	memcpy(e->txt, txt, n + 1);
	if (ddns_txt_field(txt, "cluster", e->cluster, sizeof(e->cluster)) < 0)
		e->cluster[0] = '\0';
	if (ddns_txt_field(txt, "group", e->group, sizeof(e->group)) < 0)
		e->group[0] = '\0';
}

static int take_rr(struct ddns_zone *z, const ldns_rr *rr)
{
	ldns_rr_type t = ldns_rr_get_type(rr);
	const ldns_rdf *d = ldns_rr_rd_count(rr) ? ldns_rr_rdf(rr, 0) : NULL;
	char owner[256];
	int r;

	if (t != LDNS_RR_TYPE_A && t != LDNS_RR_TYPE_AAAA && t != LDNS_RR_TYPE_DHCID &&
	    t != LDNS_RR_TYPE_TXT && t != LDNS_RR_TYPE_PTR)
		return 0;
	r = dname_text(ldns_rr_owner(rr), owner, sizeof(owner));
	if (r == -ENAMETOOLONG)
		return 0;
	if (r < 0)
		return r;
	struct ddns_zone_entry *e = entry_for(z, owner);
	if (!e)
		return -ENOMEM;
	if ((t == LDNS_RR_TYPE_A && d && ldns_rdf_size(d) == 4) ||
	    (t == LDNS_RR_TYPE_AAAA && d && ldns_rdf_size(d) == 16)) {
		if (e->n_addrs < DDNS_MAX_ADDRS) {
			struct lc_addr *a = &e->addrs[e->n_addrs++];
			memset(a, 0, sizeof(*a));
			a->family = t == LDNS_RR_TYPE_A ? AF_INET : AF_INET6;
			memcpy(a->bytes, ldns_rdf_data(d), ldns_rdf_size(d));
		}
	} else if (t == LDNS_RR_TYPE_DHCID && d && ldns_rdf_size(d) == DDNS_DHCID_LEN) {
		e->has_dhcid = true;
		memcpy(e->dhcid, ldns_rdf_data(d), DDNS_DHCID_LEN);
	} else if (t == LDNS_RR_TYPE_TXT) {
		take_txt(e, rr);
	} else if (t == LDNS_RR_TYPE_PTR && d && ldns_rdf_get_type(d) == LDNS_RDF_TYPE_DNAME) {
		if (dname_text(d, e->ptr, sizeof(e->ptr)) < 0)
			e->ptr[0] = '\0';
	}
	return 0;
}

/* Keep only the names that carry our TXT. */
static void keep_ours(struct ddns_zone *z)
{
	size_t k = 0;
	for (size_t i = 0; i < z->n; i++)
		if (z->entries[i].txt[0])
			z->entries[k++] = z->entries[i];
	z->n = k;
}

/* The message's answer section; the transfer is complete only when the
 * closing SOA ends a message that is whole and valid. */
static int take_answer(struct ddns_zone *z, const ldns_rr_list *an)
{
	bool closed = false;

	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(an, i);
		char owner[256];

		if (closed)
			return -EBADMSG; /* nothing after the closing SOA */
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
			if (dname_text(ldns_rr_owner(rr), owner, sizeof(owner)) < 0 ||
			    strcmp(owner, z->zone))
				return -EBADMSG;
			closed = ++z->soa_seen == 2;
			continue;
		}
		/* the transfer opens with the zone's SOA */
		if (!z->soa_seen)
			return -EBADMSG;
		int r = take_rr(z, rr);
		if (r < 0)
			return r;
	}
	z->complete = closed;
	return 0;
}

int ddns_zone_feed(struct ddns_zone *z, const uint8_t *wire, size_t len, int *ret_rcode)
{
	ldns_pkt *p = NULL;
	int r;

	if (len < LDNS_HEADER_SIZE || ldns_wire2pkt(&p, wire, len) != LDNS_STATUS_OK)
		return -EBADMSG;
	if (!ldns_pkt_qr(p) || z->complete) {
		r = -EBADMSG;
		goto out;
	}
	if (ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR) {
		*ret_rcode = ldns_pkt_get_rcode(p);
		r = -EPROTO;
		goto out;
	}
	z->messages++;
	r = take_answer(z, ldns_pkt_answer(p));
	if (r == 0 && z->complete) {
		keep_ours(z);
		r = 1;
	}
out:
	ldns_pkt_free(p);
	return r;
}

const struct ddns_zone_entry *ddns_zone_find(const struct ddns_zone *z, const char *owner)
{
	for (size_t i = 0; i < z->n; i++)
		if (lc_streq_fold(z->entries[i].owner, owner))
			return &z->entries[i];
	return NULL;
}

int ddns_zone_entry_set(const struct ddns_zone *z, const struct ddns_zone_entry *e,
			struct ddns_set *ret)
{
	struct ddns_set s;

	/* without its DHCID a name cannot be removed under our rules */
	if (!e->has_dhcid || !e->txt[0])
		return -ENOENT;
	memset(&s, 0, sizeof(s));
	snprintf(s.owner, sizeof(s.owner), "%s", e->owner);
	snprintf(s.zone, sizeof(s.zone), "%s", z->zone);
	memcpy(s.dhcid, e->dhcid, DDNS_DHCID_LEN);
	snprintf(s.txt, sizeof(s.txt), "%s", e->txt);
	snprintf(s.ptr, sizeof(s.ptr), "%s", e->ptr);
	if (!e->ptr[0]) {
		memcpy(s.addrs, e->addrs, e->n_addrs * sizeof(e->addrs[0]));
		s.n_addrs = e->n_addrs;
	}
	*ret = s;
	return 0;
}
