/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ldns calls of the hook program (host/ddns-*.c: RFC 2136 updates to a
 * cluster's DNS server), loaded on first use: only the detached worker and
 * --sync send updates, and libldns pulls in libssl and libcrypto, which
 * every hook event paid for (lazy.h).  Without the library a call fails as
 * ldns reports failure: NULL, LDNS_STATUS_ERR, false, 0.
 */
#include <ldns/ldns.h>

#include "hooks/lazy.h"

LAZY_LIBRARY(ldns_sym, "libldns.so.3")
#define LDNS_FORWARD(ret, name, fail, params, args)                                                \
	LAZY_FORWARD(ldns_sym, ret, name, fail, params, args)
#define LDNS_FORWARD_VOID(name, params, args) LAZY_FORWARD_VOID(ldns_sym, name, params, args)

/* packets */
LDNS_FORWARD(ldns_pkt *, ldns_pkt_query_new, NULL,
	     (ldns_rdf * rr_name, ldns_rr_type rr_type, ldns_rr_class rr_class, uint16_t flags),
	     (rr_name, rr_type, rr_class, flags))
LDNS_FORWARD(ldns_pkt *, ldns_update_pkt_new, NULL,
	     (ldns_rdf * zone_rdf, ldns_rr_class clas, const ldns_rr_list *pr_rrlist,
	      const ldns_rr_list *up_rrlist, const ldns_rr_list *ad_rrlist),
	     (zone_rdf, clas, pr_rrlist, up_rrlist, ad_rrlist))
LDNS_FORWARD_VOID(ldns_pkt_free, (ldns_pkt * packet), (packet))
LDNS_FORWARD(ldns_status, ldns_pkt2wire, LDNS_STATUS_ERR,
	     (uint8_t * *dest, const ldns_pkt *p, size_t *size), (dest, p, size))
LDNS_FORWARD(ldns_status, ldns_wire2pkt, LDNS_STATUS_ERR,
	     (ldns_pkt * *packet, const uint8_t *data, size_t len), (packet, data, len))
LDNS_FORWARD(ldns_rr_list *, ldns_pkt_answer, NULL, (const ldns_pkt *p), (p))
LDNS_FORWARD(ldns_pkt_rcode, ldns_pkt_get_rcode, LDNS_RCODE_SERVFAIL, (const ldns_pkt *p), (p))
LDNS_FORWARD(uint16_t, ldns_pkt_id, 0, (const ldns_pkt *p), (p))
LDNS_FORWARD(bool, ldns_pkt_qr, false, (const ldns_pkt *p), (p))
LDNS_FORWARD(ldns_rr_list *, ldns_pkt_rr_list_by_type, NULL,
	     (const ldns_pkt *p, ldns_rr_type t, ldns_pkt_section s), (p, t, s))
LDNS_FORWARD_VOID(ldns_pkt_set_id, (ldns_pkt * p, uint16_t id), (p, id))
LDNS_FORWARD_VOID(ldns_pkt_set_rd, (ldns_pkt * p, bool b), (p, b))

/* TSIG */
LDNS_FORWARD(ldns_rr *, ldns_pkt_tsig, NULL, (const ldns_pkt *p), (p))
LDNS_FORWARD(ldns_status, ldns_pkt_tsig_sign, LDNS_STATUS_ERR,
	     (ldns_pkt * pkt, const char *key_name, const char *key_data, uint16_t fudge,
	      const char *algorithm_name, const ldns_rdf *query_mac),
	     (pkt, key_name, key_data, fudge, algorithm_name, query_mac))
LDNS_FORWARD(bool, ldns_pkt_tsig_verify, false,
	     (ldns_pkt * pkt, const uint8_t *wire, size_t wire_size, const char *key_name,
	      const char *key_data, const ldns_rdf *mac),
	     (pkt, wire, wire_size, key_name, key_data, mac))
LDNS_FORWARD(bool, ldns_pkt_tsig_verify_next, false,
	     (ldns_pkt * pkt, const uint8_t *wire, size_t wire_size, const char *key_name,
	      const char *key_data, const ldns_rdf *mac, int tsig_timers_only),
	     (pkt, wire, wire_size, key_name, key_data, mac, tsig_timers_only))
LDNS_FORWARD(unsigned char *, ldns_sha256, NULL,
	     (const unsigned char *data, unsigned int data_len, unsigned char *digest),
	     (data, data_len, digest))

/* rdata */
LDNS_FORWARD(ldns_rdf *, ldns_dname_new_frm_str, NULL, (const char *str), (str))
LDNS_FORWARD_VOID(ldns_dname2canonical, (const ldns_rdf *rdf), (rdf))
LDNS_FORWARD(ldns_rdf *, ldns_rdf_new_frm_data, NULL,
	     (ldns_rdf_type type, size_t size, const void *data), (type, size, data))
LDNS_FORWARD(uint16_t, ldns_rdf2native_int16, 0, (const ldns_rdf *rd), (rd))
LDNS_FORWARD(char *, ldns_rdf2str, NULL, (const ldns_rdf *rdf), (rdf))
LDNS_FORWARD(uint8_t *, ldns_rdf_data, NULL, (const ldns_rdf *rd), (rd))
LDNS_FORWARD(size_t, ldns_rdf_size, 0, (const ldns_rdf *rd), (rd))
LDNS_FORWARD(ldns_rdf_type, ldns_rdf_get_type, LDNS_RDF_TYPE_NONE, (const ldns_rdf *rd), (rd))
LDNS_FORWARD_VOID(ldns_rdf_deep_free, (ldns_rdf * rd), (rd))

/* resource records and their lists */
LDNS_FORWARD(ldns_rr *, ldns_rr_new, NULL, (void), ())
LDNS_FORWARD_VOID(ldns_rr_free, (ldns_rr * rr), (rr))
LDNS_FORWARD(ldns_rr_type, ldns_rr_get_type, 0, (const ldns_rr *rr), (rr))
LDNS_FORWARD(ldns_rdf *, ldns_rr_owner, NULL, (const ldns_rr *rr), (rr))
LDNS_FORWARD(bool, ldns_rr_push_rdf, false, (ldns_rr * rr, const ldns_rdf *f), (rr, f))
LDNS_FORWARD(size_t, ldns_rr_rd_count, 0, (const ldns_rr *rr), (rr))
LDNS_FORWARD(ldns_rdf *, ldns_rr_rdf, NULL, (const ldns_rr *rr, size_t nr), (rr, nr))
LDNS_FORWARD_VOID(ldns_rr_set_class, (ldns_rr * rr, ldns_rr_class rr_class), (rr, rr_class))
LDNS_FORWARD_VOID(ldns_rr_set_owner, (ldns_rr * rr, ldns_rdf *owner), (rr, owner))
LDNS_FORWARD_VOID(ldns_rr_set_question, (ldns_rr * rr, bool question), (rr, question))
LDNS_FORWARD_VOID(ldns_rr_set_ttl, (ldns_rr * rr, uint32_t ttl), (rr, ttl))
LDNS_FORWARD_VOID(ldns_rr_set_type, (ldns_rr * rr, ldns_rr_type rr_type), (rr, rr_type))
LDNS_FORWARD(ldns_rr_list *, ldns_rr_list_new, NULL, (void), ())
LDNS_FORWARD_VOID(ldns_rr_list_deep_free, (ldns_rr_list * rr_list), (rr_list))
LDNS_FORWARD(bool, ldns_rr_list_push_rr, false, (ldns_rr_list * rr_list, const ldns_rr *rr),
	     (rr_list, rr))
LDNS_FORWARD(ldns_rr *, ldns_rr_list_rr, NULL, (const ldns_rr_list *rr_list, size_t nr),
	     (rr_list, nr))
LDNS_FORWARD(size_t, ldns_rr_list_rr_count, 0, (const ldns_rr_list *rr_list), (rr_list))
