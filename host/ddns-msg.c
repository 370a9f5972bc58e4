/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RFC 2136 messages for the three steps of RFC 4703's rules, built by ldns,
 * and the reading of the server's reply. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "host/ddns-ldns.h"

/* An RR with no rdata yet (class NONE or ANY with rdlength 0 is how RFC
 * 2136 says "name not in use" and "delete an RRset"). */
static ldns_rr *rr_new(const char *owner, ldns_rr_type type, ldns_rr_class klass, uint32_t ttl)
{
	ldns_rdf *name = ldns_dname_new_frm_str(owner);
	ldns_rr *rr = name ? ldns_rr_new() : NULL;

	if (!rr) {
		ldns_rdf_deep_free(name);
		return NULL;
	}
	ldns_rr_set_owner(rr, name);
	ldns_rr_set_type(rr, type);
	ldns_rr_set_class(rr, klass);
	ldns_rr_set_ttl(rr, ttl);
	ldns_rr_set_question(rr, false);
	return rr;
}

/* Append rr (with rdf as its one rdata field, when not NULL) to list;
 * both are taken, freed on failure. */
static int push(ldns_rr_list *list, ldns_rr *rr, ldns_rdf *rdf)
{
	if (!rr || (rdf && !ldns_rr_push_rdf(rr, rdf)) || !ldns_rr_list_push_rr(list, rr)) {
		ldns_rr_free(rr);
		ldns_rdf_deep_free(rdf);
		return -ENOMEM;
	}
	return 0;
}

static ldns_rdf *dhcid_rdf(const struct ddns_set *s)
{
	return ldns_rdf_new_frm_data(LDNS_RDF_TYPE_B64, DDNS_DHCID_LEN, s->dhcid);
}

/* One character-string: a length byte and the text. */
static ldns_rdf *txt_rdf(const struct ddns_set *s)
{
	uint8_t buf[256];
	size_t n = strlen(s->txt);
	if (n > 255)
		return NULL;
	buf[0] = (uint8_t)n;
	memcpy(buf + 1, s->txt, n);
	return ldns_rdf_new_frm_data(LDNS_RDF_TYPE_STR, n + 1, buf);
}

static ldns_rdf *addr_rdf(const struct lc_addr *a)
{
	return a->family == AF_INET ? ldns_rdf_new_frm_data(LDNS_RDF_TYPE_A, 4, a->bytes)
				    : ldns_rdf_new_frm_data(LDNS_RDF_TYPE_AAAA, 16, a->bytes);
}

/* The A/AAAA (forward) or PTR (reverse) records of the set. */
static int push_data(ldns_rr_list *l, const struct ddns_set *s, uint32_t ttl)
{
	int r = 0;
	if (s->ptr[0])
		return push(l, rr_new(s->owner, LDNS_RR_TYPE_PTR, LDNS_RR_CLASS_IN, ttl),
			    ldns_dname_new_frm_str(s->ptr));
	for (size_t i = 0; i < s->n_addrs && r == 0; i++)
		r = push(l,
			 rr_new(s->owner,
				s->addrs[i].family == AF_INET ? LDNS_RR_TYPE_A : LDNS_RR_TYPE_AAAA,
				LDNS_RR_CLASS_IN, ttl),
			 addr_rdf(&s->addrs[i]));
	return r;
}

/* "Delete an RRset" (class ANY, rdlength 0) for each data type of the set. */
static int push_delete_data(ldns_rr_list *l, const struct ddns_set *s)
{
	int r;
	if (s->ptr[0])
		return push(l, rr_new(s->owner, LDNS_RR_TYPE_PTR, LDNS_RR_CLASS_ANY, 0), NULL);
	r = push(l, rr_new(s->owner, LDNS_RR_TYPE_A, LDNS_RR_CLASS_ANY, 0), NULL);
	if (r == 0)
		r = push(l, rr_new(s->owner, LDNS_RR_TYPE_AAAA, LDNS_RR_CLASS_ANY, 0), NULL);
	return r;
}

static int fill(ldns_rr_list *pr, ldns_rr_list *up, const struct ddns_set *s, enum ddns_step step,
		uint32_t ttl)
{
	const char *o = s->owner;
	int r;

	if (step == DDNS_STEP_ADD) {
		/* the name is not in use: NONE ANY */
		r = push(pr, rr_new(o, LDNS_RR_TYPE_ANY, LDNS_RR_CLASS_NONE, 0), NULL);
		if (r == 0)
			r = push_data(up, s, ttl);
		if (r == 0)
			r = push(up, rr_new(o, LDNS_RR_TYPE_DHCID, LDNS_RR_CLASS_IN, ttl),
				 dhcid_rdf(s));
		if (r == 0)
			r = push(up, rr_new(o, LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_IN, ttl),
				 txt_rdf(s));
		return r;
	}
	/* replace and delete: the DHCID RRset exists and is ours (value
	 * dependent); a delete also needs the TXT to say host=us, which a
	 * migrated guest's late stop on its old host does not */
	r = push(pr, rr_new(o, LDNS_RR_TYPE_DHCID, LDNS_RR_CLASS_IN, 0), dhcid_rdf(s));
	if (r == 0 && step == DDNS_STEP_DELETE)
		r = push(pr, rr_new(o, LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_IN, 0), txt_rdf(s));
	if (r == 0)
		r = push_delete_data(up, s);
	if (r == 0)
		r = push(up, rr_new(o, LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_ANY, 0), NULL);
	if (r == 0 && step == DDNS_STEP_REPLACE)
		r = push_data(up, s, ttl);
	if (r == 0 && step == DDNS_STEP_REPLACE)
		r = push(up, rr_new(o, LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_IN, ttl), txt_rdf(s));
	if (r == 0 && step == DDNS_STEP_DELETE)
		r = push(up, rr_new(o, LDNS_RR_TYPE_DHCID, LDNS_RR_CLASS_ANY, 0), NULL);
	return r;
}

int ddns_msg_pkt(const struct ddns_set *s, enum ddns_step step, uint32_t ttl, uint16_t id,
		 ldns_pkt **ret)
{
	ldns_rr_list *pr = ldns_rr_list_new(), *up = ldns_rr_list_new();
	ldns_rdf *zone = NULL;
	ldns_pkt *p = NULL;
	int r = -ENOMEM;

	if (!pr || !up)
		goto out;
	if (!s->ptr[0] && s->n_addrs == 0 && step != DDNS_STEP_DELETE) {
		r = -EINVAL; /* nothing to publish */
		goto out;
	}
	r = fill(pr, up, s, step, ttl);
	if (r < 0)
		goto out;
	zone = ldns_dname_new_frm_str(s->zone);
	if (!zone) {
		r = -EINVAL;
		goto out;
	}
	/* it takes zone and copies the lists */
	p = ldns_update_pkt_new(zone, LDNS_RR_CLASS_IN, pr, up, NULL);
	if (!p) {
		r = -ENOMEM;
		goto out;
	}
	ldns_pkt_set_id(p, id);
	ldns_pkt_set_rd(p, false);
	*ret = p;
	r = 0;
out:
	ldns_rr_list_deep_free(pr);
	ldns_rr_list_deep_free(up);
	return r;
}

int ddns_msg_wire(const struct ddns_set *s, enum ddns_step step, uint32_t ttl, uint16_t id,
		  uint8_t **ret_wire, size_t *ret_len)
{
	ldns_pkt *p;
	uint8_t *wire = NULL;
	size_t len = 0;
	int r = ddns_msg_pkt(s, step, ttl, id, &p);

	if (r < 0)
		return r;
	if (ldns_pkt2wire(&wire, p, &len) != LDNS_STATUS_OK)
		r = -ENOMEM;
	ldns_pkt_free(p);
	if (r < 0)
		return r;
	*ret_wire = wire;
	*ret_len = len;
	return 0;
}

int ddns_query_pkt(const char *name, ldns_rr_type type, uint16_t id, ldns_pkt **ret)
{
	ldns_rdf *d = ldns_dname_new_frm_str(name);
	ldns_pkt *p = d ? ldns_pkt_query_new(d, type, LDNS_RR_CLASS_IN, 0) : NULL;
	if (!p)
		return d ? -ENOMEM : -EINVAL;
	ldns_pkt_set_id(p, id);
	*ret = p;
	return 0;
}

/* An error the server may report without being able to sign it. */
static bool unsigned_ok(int rcode, int tsig_error)
{
	return tsig_error || rcode == LDNS_RCODE_FORMERR || rcode == LDNS_RCODE_SERVFAIL ||
	       rcode == LDNS_RCODE_NOTIMPL || rcode == LDNS_RCODE_REFUSED ||
	       rcode == LDNS_RCODE_NOTAUTH;
}

int ddns_reply_read(const uint8_t *wire, size_t len, uint16_t id, const struct ddns_key *key,
		    const uint8_t *query_mac, size_t query_mac_len, struct ddns_reply *ret)
{
	struct ddns_reply rep = {0};
	ldns_pkt *p = NULL;
	ldns_rr *tsig;
	int r = -EBADMSG;

	if (len < LDNS_HEADER_SIZE || ldns_wire2pkt(&p, wire, len) != LDNS_STATUS_OK)
		return -EBADMSG;
	if (ldns_pkt_id(p) != id || !ldns_pkt_qr(p))
		goto out;
	rep.rcode = ldns_pkt_get_rcode(p);
	tsig = ldns_pkt_tsig(p);
	/* algorithm, time, fudge, MAC, original id, error, other */
	if (tsig && ldns_rr_rd_count(tsig) >= 6 && ldns_rdf_size(ldns_rr_rdf(tsig, 5)) == 2)
		rep.tsig_error = ldns_rdf2native_int16(ldns_rr_rdf(tsig, 5));
	if (key && query_mac) {
		if (tsig && !rep.tsig_error) {
			/* the query's MAC field as ldns holds it: length, then MAC */
			uint8_t field[2 + 64];
			if (query_mac_len > 64)
				goto out;
			field[0] = (uint8_t)(query_mac_len >> 8);
			field[1] = (uint8_t)query_mac_len;
			memcpy(field + 2, query_mac, query_mac_len);
			ldns_rdf *mac = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_INT16_DATA,
							      query_mac_len + 2, field);
			bool ok =
			    mac && ldns_pkt_tsig_verify(p, wire, len, key->name, key->secret, mac);
			ldns_rdf_deep_free(mac);
			if (!ok)
				goto out;
			rep.is_signed = true;
		} else if (!unsigned_ok(rep.rcode, rep.tsig_error)) {
			r = -EPERM;
			goto out;
		}
	}
	*ret = rep;
	r = 0;
out:
	ldns_pkt_free(p);
	return r;
}

static const char *rcode_name(int rcode)
{
	static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
					    "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
					    "NXRRSET", "NOTAUTH", "NOTZONE"};
	return rcode >= 0 && rcode <= 10 ? names[rcode] : "an unknown RCODE";
}

void ddns_reply_explain(const struct ddns_config *c, const struct ddns_reply *r, const char *what,
			char *buf, size_t size)
{
	const char *k = c->key.name, *f = c->key_file;

	switch (r->tsig_error) {
	case 16:
		snprintf(
		    buf, size,
		    "%s: the server says BADSIG: the secret of key %s in %s is not the one the "
		    "server has; give both the same tsig-keygen output",
		    what, k, f);
		return;
	case 17:
		/* Knot says so too for a key it has that the zone's acl lacks */
		snprintf(
		    buf, size,
		    "%s: the server says BADKEY: it does not take key %s (%.*s) here; give it "
		    "the key (BIND: include %s; Knot: a key: section) and let the key update "
		    "the zone (BIND: update-policy { grant %s zonesub ANY; }; Knot: an acl with "
		    "key: %s and action: update)",
		    what, k, (int)strcspn(c->key.algorithm, "."), c->key.algorithm, f, k, k);
		return;
	case 18:
		snprintf(buf, size,
			 "%s: the server says BADTIME: this host's clock and the server's differ "
			 "by more than %d s; set both by NTP",
			 what, DDNS_FUDGE);
		return;
	default:
		break;
	}
	switch (r->rcode) {
	case LDNS_RCODE_NOERROR:
		snprintf(buf, size, "%s", "");
		return;
	case LDNS_RCODE_REFUSED:
		snprintf(
		    buf, size,
		    "%s: the server REFUSED it: let key %s update zone %s (BIND: update-policy "
		    "{ grant %s zonesub ANY; }; Knot: an acl with key: %s and action: update), "
		    "and check that %s is the zone's primary",
		    what, k, c->zone, k, k, c->server_text);
		return;
	case LDNS_RCODE_NOTAUTH:
		snprintf(buf, size,
			 "%s: the server says NOTAUTH: it does not take signed updates of %s from "
			 "key %s (is %s its primary, and is the key in its acl?)",
			 what, c->zone, k, c->server_text);
		return;
	case LDNS_RCODE_NOTZONE:
		snprintf(buf, size, "%s: NOTZONE: the name is not inside zone %s; check dns_zone",
			 what, c->zone);
		return;
	default:
		snprintf(buf, size, "%s: the server answered %s", what, rcode_name(r->rcode));
		return;
	}
}
