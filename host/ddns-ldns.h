/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Inside host/ddns-*.c only: the ldns packets behind host/ddns.h. */
#pragma once

#include <ldns/ldns.h>

#include "host/ddns.h"

/* The unsigned UPDATE for one step of a set (RD clear: it is a Z bit in an
 * UPDATE header). */
int ddns_msg_pkt(const struct ddns_set *s, enum ddns_step step, uint32_t ttl, uint16_t id,
		 ldns_pkt **ret);
/* A plain query (RD clear: the server is authoritative). */
int ddns_query_pkt(const char *name, ldns_rr_type type, uint16_t id, ldns_pkt **ret);

/* A finished exchange: the reply's wire form and what it said. */
struct ddns_answer {
	uint8_t *wire; /* malloc'd */
	size_t len;
	struct ddns_reply reply;
};

/* Sign q with the key (when key is not NULL), send it to the server: UDP,
 * TCP when it is larger than DDNS_UDP_MAX or the reply is truncated; each
 * try waits c->timeout_ms, c->tries tries.  0 with the answer, -ETIMEDOUT,
 * -ECONNREFUSED ..., or -EBADMSG/-EPERM for a reply that fails the checks
 * of ddns_reply_read(); err says what, for a person. */
int ddns_exchange(const struct ddns_config *c, const struct ddns_key *key, ldns_pkt *q,
		  struct ddns_answer *ret, char *err, size_t errlen);
/* A random message id. */
uint16_t ddns_random_id(void);
