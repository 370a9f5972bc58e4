/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What `libvirt-cluster doctor` asks of the cluster-DNS setup: does the
 * server answer for the zone and take the key, and what a network needs
 * so that its guests resolve the zone. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/ddns-ldns.h"

static void read_soa(const struct ddns_answer *a, const char *zone, struct ddns_probe *p)
{
	ldns_pkt *pkt = NULL;
	ldns_rdf *z = ldns_dname_new_frm_str(zone);

	if (z && ldns_wire2pkt(&pkt, a->wire, a->len) == LDNS_STATUS_OK && ldns_pkt_aa(pkt)) {
		ldns_rr_list *an = ldns_pkt_answer(pkt);
		for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
			ldns_rr *rr = ldns_rr_list_rr(an, i);
			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ldns_rr_rd_count(rr) >= 3 &&
			    ldns_dname_compare(ldns_rr_owner(rr), z) == 0) {
				p->soa = true;
				p->serial = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
			}
		}
	}
	ldns_pkt_free(pkt);
	ldns_rdf_deep_free(z);
}

int ddns_probe(const struct ddns_config *c, const char *zone, struct ddns_probe *ret)
{
	struct ddns_probe p = {0};
	struct ddns_answer a;
	ldns_pkt *q;
	char what[300];
	int r = ddns_query_pkt(zone, LDNS_RR_TYPE_SOA, ddns_random_id(), &q);

	if (r < 0)
		return r;
	r = ddns_exchange(c, &c->key, q, &a, p.message, sizeof(p.message));
	ldns_pkt_free(q);
	if (r == 0) {
		p.answered = true;
		p.reply = a.reply;
		if (a.reply.rcode == LDNS_RCODE_NOERROR && a.reply.is_signed)
			read_soa(&a, zone, &p);
		snprintf(what, sizeof(what), "SOA of %s with key %s", zone, c->key.name);
		if (p.soa)
			snprintf(p.message, sizeof(p.message),
				 "%s answers SOA of %s (serial %u), signed with key %s",
				 c->server_text, zone, p.serial, c->key.name);
		else if (a.reply.rcode || a.reply.tsig_error)
			ddns_reply_explain(c, &a.reply, what, p.message, sizeof(p.message));
		else
			snprintf(p.message, sizeof(p.message),
				 "%s: no authoritative SOA in the answer: the server is not a "
				 "primary of %s",
				 what, zone);
		free(a.wire);
	}
	*ret = p;
	return 0;
}

int ddns_forwarder_xml(const struct ddns_config *c, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];
	const void *src;
	int port;

	if (c->server.ss_family == AF_INET) {
		src = &((const struct sockaddr_in *)&c->server)->sin_addr;
		port = ntohs(((const struct sockaddr_in *)&c->server)->sin_port);
	} else {
		src = &((const struct sockaddr_in6 *)&c->server)->sin6_addr;
		port = ntohs(((const struct sockaddr_in6 *)&c->server)->sin6_port);
	}
	if (!inet_ntop(c->server.ss_family, src, addr, sizeof(addr)))
		return -errno;
	/* libvirt's forwarder has no port: dnsmasq asks port 53 */
	int w = snprintf(
	    buf, size, "<dns>\n  <forwarder domain='%s' addr='%s'/>\n</dns>%s", c->zone, addr,
	    port == 53 ? "" : "\n(the forwarder asks port 53, not the configured one)");
	return w < 0 || (size_t)w >= size ? -ENOBUFS : 0;
}
