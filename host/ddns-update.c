/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RFC 4703's rules over the messages of ddns-msg.c: add if the name is not
 * in use, else replace if the DHCID is ours, else a conflict that touches
 * nothing; delete only where the DHCID and the TXT are ours; a PTR only
 * after its forward name is ours. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "host/ddns-ldns.h"

const char *ddns_status_name(enum ddns_status s)
{
	switch (s) {
	case DDNS_DONE:
		return "done";
	case DDNS_CONFLICT:
		return "conflict";
	case DDNS_NOT_OURS:
		return "not-ours";
	case DDNS_RETRY:
		return "retry";
	case DDNS_MISCONFIGURED:
		return "misconfigured";
	}
	return "?";
}

/* Send one step of a set; the reply's RCODE in *ret.  On no usable reply
 * the result says why (status RETRY) and this returns < 0. */
static int send_step(const struct ddns_config *c, const struct ddns_set *s, enum ddns_step step,
		     struct ddns_reply *ret, struct ddns_result *res)
{
	struct ddns_answer a;
	ldns_pkt *q;
	int r = ddns_msg_pkt(s, step, c->ttl, ddns_random_id(), &q);

	if (r < 0) {
		snprintf(res->message, sizeof(res->message), "%s: cannot build the update: %s",
			 s->owner, strerror(-r));
		res->status = DDNS_MISCONFIGURED;
		return r;
	}
	char why[DDNS_ERR_MAX - 300];
	r = ddns_exchange(c, &c->key, q, &a, why, sizeof(why));
	ldns_pkt_free(q);
	if (r < 0) {
		snprintf(res->message, sizeof(res->message), "%s: %s", s->owner, why);
		res->status = DDNS_RETRY;
		return r;
	}
	free(a.wire);
	res->tcp |= a.reply.tcp;
	*ret = a.reply;
	return 0;
}

/* A reply that is neither success nor an answer of the rules. */
static void failed(const struct ddns_config *c, const struct ddns_reply *rep, const char *owner,
		   struct ddns_result *res)
{
	ddns_reply_explain(c, rep, owner, res->message, sizeof(res->message));
	/* a server failure passes; a key or a policy needs a person */
	res->status =
	    rep->rcode == LDNS_RCODE_SERVFAIL && !rep->tsig_error ? DDNS_RETRY : DDNS_MISCONFIGURED;
}

/* Add a set: DONE or CONFLICT in *ret_status, or the result says what failed
 * (and this returns -EIO). */
static int add_set(const struct ddns_config *c, const struct ddns_set *s, struct ddns_result *res,
		   enum ddns_status *ret_status)
{
	struct ddns_reply rep;
	int r = send_step(c, s, DDNS_STEP_ADD, &rep, res);

	if (r < 0)
		return r;
	if (rep.rcode == LDNS_RCODE_YXDOMAIN) {
		/* the name is in use: ours if the DHCID is */
		r = send_step(c, s, DDNS_STEP_REPLACE, &rep, res);
		if (r < 0)
			return r;
		if (rep.rcode == LDNS_RCODE_NXRRSET) {
			*ret_status = DDNS_CONFLICT;
			return 0;
		}
	}
	if (rep.rcode != LDNS_RCODE_NOERROR) {
		failed(c, &rep, s->owner, res);
		return -EIO;
	}
	*ret_status = DDNS_DONE;
	return 0;
}

/* The answer RRs of type at name, as anyone may query them (unsigned):
 * NULL when there is no answer. */
static ldns_rr_list *query_rrs(const struct ddns_config *c, const char *name, ldns_rr_type type)
{
	struct ddns_answer a;
	ldns_pkt *q = NULL, *p = NULL;
	ldns_rr_list *ret = NULL;
	char why[256];

	if (ddns_query_pkt(name, type, ddns_random_id(), &q) < 0)
		return NULL;
	if (ddns_exchange(c, NULL, q, &a, why, sizeof(why)) == 0) {
		if (ldns_wire2pkt(&p, a.wire, a.len) == LDNS_STATUS_OK)
			ret = ldns_pkt_rr_list_by_type(p, type, LDNS_SECTION_ANSWER);
		ldns_pkt_free(p);
		free(a.wire);
	}
	ldns_pkt_free(q);
	return ret;
}

/* Our TXT at name: "" when there is none. */
static void read_txt(const struct ddns_config *c, const char *name, char *buf, size_t size)
{
	ldns_rr_list *l = query_rrs(c, name, LDNS_RR_TYPE_TXT);
	char host[64];

	buf[0] = '\0';
	for (size_t i = 0; i < ldns_rr_list_rr_count(l) && !buf[0]; i++) {
		ldns_rr *rr = ldns_rr_list_rr(l, i);
		ldns_rdf *d = ldns_rr_rd_count(rr) == 1 ? ldns_rr_rdf(rr, 0) : NULL;
		if (!d || ldns_rdf_size(d) < 1 || ldns_rdf_data(d)[0] + 1u != ldns_rdf_size(d) ||
		    ldns_rdf_size(d) > size)
			continue;
		memcpy(buf, ldns_rdf_data(d) + 1, ldns_rdf_data(d)[0]);
		buf[ldns_rdf_data(d)[0]] = '\0';
		if (ddns_txt_field(buf, "host", host, sizeof(host)) < 0)
			buf[0] = '\0';
	}
	ldns_rr_list_deep_free(l);
}

/* Add the name's A and AAAA at the server to the set's addresses: a guest
 * that stopped may have lost its leases already, and its PTRs are found
 * from what was published. */
static void add_published_addrs(const struct ddns_config *c, struct ddns_set *s)
{
	static const ldns_rr_type types[] = {LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA};

	for (size_t t = 0; t < 2; t++) {
		ldns_rr_list *l = query_rrs(c, s->owner, types[t]);
		for (size_t i = 0; i < ldns_rr_list_rr_count(l) && s->n_addrs < DDNS_MAX_ADDRS;
		     i++) {
			ldns_rdf *d = ldns_rr_rd_count(ldns_rr_list_rr(l, i)) == 1
					  ? ldns_rr_rdf(ldns_rr_list_rr(l, i), 0)
					  : NULL;
			struct lc_addr a = {.family = t ? AF_INET6 : AF_INET};
			bool seen = false;
			if (!d || ldns_rdf_size(d) != (t ? 16u : 4u))
				continue;
			memcpy(a.bytes, ldns_rdf_data(d), ldns_rdf_size(d));
			for (size_t k = 0; k < s->n_addrs && !seen; k++)
				seen = s->addrs[k].family == a.family &&
				       !memcmp(s->addrs[k].bytes, a.bytes, ldns_rdf_size(d));
			if (!seen)
				s->addrs[s->n_addrs++] = a;
		}
		ldns_rr_list_deep_free(l);
	}
}

static void owner_host(const struct ddns_config *c, const char *name, char *buf, size_t size)
{
	char txt[256];
	read_txt(c, name, txt, sizeof(txt));
	if (!txt[0] || ddns_txt_field(txt, "host", buf, size) < 0)
		buf[0] = '\0';
}

/* Delete under the TXT the name has now when it says host=us: the guest's
 * cluster or group may have changed since it was published.  Another
 * host's TXT is never taken, so the prerequisite still fails for it. */
static void adopt_txt(const struct ddns_config *c, struct ddns_set *s)
{
	char txt[256], host[64];
	read_txt(c, s->owner, txt, sizeof(txt));
	if (txt[0] && ddns_txt_field(txt, "host", host, sizeof(host)) == 0 &&
	    !strcmp(host, c->host_id))
		snprintf(s->txt, sizeof(s->txt), "%s", txt);
}

static void add_ptrs(const struct ddns_config *c, const struct ddns_guest *g,
		     const struct ddns_set *f, struct ddns_result *res)
{
	for (size_t i = 0; i < f->n_addrs; i++) {
		struct ddns_set rs;
		enum ddns_status st;
		if (ddns_set_reverse(c, g, &f->addrs[i], &rs) < 0)
			continue;
		if (add_set(c, &rs, res, &st) < 0)
			return; /* res says why; the spool tries the whole again */
		if (st == DDNS_CONFLICT)
			res->ptr_conflicts++;
		else
			res->ptr_done++;
	}
}

int ddns_publish(const struct ddns_config *c, const struct ddns_guest *g, struct ddns_result *ret)
{
	struct ddns_result res = {.status = DDNS_DONE};
	struct ddns_set f;
	enum ddns_status st;
	int r = ddns_set_forward(c, g, &f);

	if (r < 0)
		return r;
	if (!f.n_addrs)
		return -ENODATA;
	if (add_set(c, &f, &res, &st) == 0 && st == DDNS_CONFLICT) {
		res.status = DDNS_CONFLICT;
		owner_host(c, f.owner, res.other_host, sizeof(res.other_host));
		snprintf(res.message, sizeof(res.message),
			 "%s belongs to another guest (host=%s): nothing changed", f.owner,
			 res.other_host[0] ? res.other_host : "unknown");
	} else if (res.status == DDNS_DONE) {
		add_ptrs(c, g, &f, &res);
		if (res.status == DDNS_DONE)
			snprintf(res.message, sizeof(res.message),
				 "published %s: %zu address(es), %u PTR%s%s", f.owner, f.n_addrs,
				 res.ptr_done, res.ptr_conflicts ? ", PTR conflicts: " : "",
				 res.ptr_conflicts ? "another guest's PTR left alone" : "");
	}
	*ret = res;
	return 0;
}

/* Delete one set: DONE, NOT_OURS, or what failed. */
static void delete_set(const struct ddns_config *c, const struct ddns_set *s,
		       struct ddns_result *res)
{
	struct ddns_reply rep;

	if (send_step(c, s, DDNS_STEP_DELETE, &rep, res) < 0)
		return;
	if (rep.rcode == LDNS_RCODE_NOERROR)
		res->status = DDNS_DONE;
	else if (rep.rcode == LDNS_RCODE_NXRRSET || rep.rcode == LDNS_RCODE_NXDOMAIN)
		res->status = DDNS_NOT_OURS;
	else
		failed(c, &rep, s->owner, res);
}

int ddns_withdraw(const struct ddns_config *c, const struct ddns_guest *g, struct ddns_result *ret)
{
	struct ddns_result res = {0}, rev;
	struct ddns_set f;
	int r = ddns_set_forward(c, g, &f);

	if (r < 0)
		return r;
	adopt_txt(c, &f);
	add_published_addrs(c, &f);
	delete_set(c, &f, &res);
	if (res.status == DDNS_DONE)
		snprintf(res.message, sizeof(res.message), "removed %s", f.owner);
	else if (res.status == DDNS_NOT_OURS)
		snprintf(res.message, sizeof(res.message),
			 "%s left alone: its DHCID or TXT is not ours (gone, or the guest runs "
			 "on another host now)",
			 f.owner);
	/* each PTR is guarded by its own DHCID and TXT */
	for (size_t i = 0; i < f.n_addrs && res.status <= DDNS_NOT_OURS; i++) {
		struct ddns_set rs;
		if (ddns_set_reverse(c, g, &f.addrs[i], &rs) < 0)
			continue;
		adopt_txt(c, &rs);
		rev = (struct ddns_result){0};
		delete_set(c, &rs, &rev);
		res.tcp |= rev.tcp;
		if (rev.status == DDNS_DONE)
			res.ptr_done++;
		else if (rev.status != DDNS_NOT_OURS)
			res = rev;
	}
	*ret = res;
	return 0;
}

int ddns_remove_set(const struct ddns_config *c, const struct ddns_set *s, struct ddns_result *ret)
{
	struct ddns_result res = {0};

	delete_set(c, s, &res);
	if (res.status == DDNS_DONE)
		snprintf(res.message, sizeof(res.message), "removed %s", s->owner);
	else if (res.status == DDNS_NOT_OURS)
		snprintf(res.message, sizeof(res.message),
			 "%s changed since it was read: left alone", s->owner);
	*ret = res;
	return 0;
}
