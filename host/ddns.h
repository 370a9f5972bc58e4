/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Cluster DNS: every guest in a zone of the site's authoritative server,
 * fed with RFC 2136 updates signed with TSIG (RFC 8945), following the
 * conflict rules of RFC 4703 (Kea's check-with-dhcid).  ldns builds, signs
 * and parses every message; nothing here writes DNS wire format or an HMAC
 * by hand, and none of it is linked into the NSS module.
 *
 * Per guest, at <name>.<zone>: its A/AAAA records, a DHCID (RFC 4701) made
 * from a DUID-UUID (RFC 6355) of the libvirt domain UUID, so the owner is
 * the guest and not the host, and a TXT
 * "libvirt-cluster host=<id> cluster=<c> group=<g>".  At the reverse name of
 * each address in a configured reverse zone: a PTR, the same DHCID and the
 * same TXT, so that a reverse delete is guarded exactly like the forward one.
 *
 * Functions return 0 or -errno and never log: what a person must read comes
 * back in an err buffer or a ddns_result's message, and the caller logs it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "resolver/resolver.h"

#define DDNS_DHCID_LEN 35    /* identifier type (2), digest type (1), SHA-256 (32) */
#define DDNS_MAX_ADDRS 16    /* addresses published per guest */
#define DDNS_UDP_MAX 512     /* larger messages go over TCP (RFC 1035 4.2.1) */
#define DDNS_TIMEOUT_MS 2000 /* one try */
#define DDNS_TRIES 2
#define DDNS_FUDGE 300 /* TSIG: seconds of clock difference allowed */
#define DDNS_ERR_MAX 512
#define DDNS_TXT_TAG "libvirt-cluster" /* first word of our TXT records */

/* ---- the TSIG key (`tsig-keygen` output) -------------------------------- */

struct ddns_key {
	char name[256];	    /* key name, no trailing dot */
	char algorithm[32]; /* as ldns names it: "hmac-sha256." */
	char secret[256];   /* base64 */
};

/* Parse the first `key "NAME" { algorithm ALG; secret "B64"; };` of a file.
 * -EINVAL with a message in err on anything else. */
int ddns_key_parse(const char *buf, size_t len, struct ddns_key *ret, char *err, size_t errlen);
/* Read and parse a key file; -EPERM (and what to do, in err) when anyone but
 * root (or the file's owner when that is this process's user: tests) could
 * read or change it. */
int ddns_key_load(const char *path, struct ddns_key *ret, char *err, size_t errlen);

/* ---- settings -------------------------------------------------------- */

struct ddns_config {
	struct sockaddr_storage server;
	socklen_t server_len;
	char server_text[80]; /* as configured, for messages */
	char zone[256];
	char rev_zones[LC_CONF_MAX_LIST][256];
	size_t n_rev_zones;
	char key_file[512];
	struct ddns_key key;
	uint32_t ttl;
	char host_id[64];
	bool all_addresses;
	int timeout_ms; /* DDNS_TIMEOUT_MS; tests may shorten it */
	int tries;	/* DDNS_TRIES */
};

/* "ADDRESS" or "ADDRESS#PORT" (port 53 by default). */
int ddns_server_parse(const char *s, struct sockaddr_storage *ret, socklen_t *ret_len);
/* Settings from the config: -ENODATA when dns_server is unset (cluster DNS
 * is off); -EINVAL or -EPERM with a message in err when they are unusable
 * (no zone, no key, a key others can read).  machine_id is the file that
 * gives the default host id (DDNS_MACHINE_ID on a host; tests pass their own). */
#define DDNS_MACHINE_ID "/etc/machine-id"
int ddns_config_from(const struct lc_config *cfg, const char *machine_id, struct ddns_config *ret,
		     char *err, size_t errlen);
/* The same, allocated (free it), with this host's machine id. */
int ddns_settings(const struct lc_config *cfg, struct ddns_config **ret, char *err, size_t errlen);

/* ---- what is published ---------------------------------------------- */

struct ddns_guest {
	char name[64]; /* one DNS label: the libvirt domain name */
	uint8_t uuid[16];
	char cluster[64];
	char group[64];
	struct lc_addr addrs[DDNS_MAX_ADDRS]; /* ranked, best first */
	size_t n_addrs;
};

int ddns_uuid_parse(const char *s, uint8_t ret[16]);
/* The guest of a hook record with its addresses (ranked, best first):
 * -EINVAL when the record has no UUID or its name is no DNS label. */
int ddns_guest_from_record(const struct lc_guest_record *rec, const struct lc_addr *addrs,
			   size_t n_addrs, struct ddns_guest *ret);
/* RFC 4701 section 3.3: identifier type, digest type 1, SHA-256 over the
 * identifier and the FQDN in canonical wire form. */
int ddns_dhcid(uint16_t id_type, const uint8_t *id, size_t id_len, const char *fqdn,
	       uint8_t ret[DDNS_DHCID_LEN]);
/* Ours: identifier type 2 (a DUID), the DUID-UUID (type 4, RFC 6355) of uuid. */
int ddns_dhcid_uuid(const uint8_t uuid[16], const char *fqdn, uint8_t ret[DDNS_DHCID_LEN]);
/* "libvirt-cluster host=H cluster=C group=G" (an empty one is left out). */
int ddns_txt(const char *host_id, const char *cluster, const char *group, char *buf, size_t size);
/* The value of key= in one of our TXT strings; -ENOENT when it is absent or
 * the TXT is not ours. */
int ddns_txt_field(const char *txt, const char *key, char *buf, size_t size);
/* 4.3.2.1.in-addr.arpa or the ip6.arpa nibble name, no trailing dot. */
int ddns_reverse_name(const struct lc_addr *a, char *buf, size_t size);
/* The longest configured reverse zone holding name, or NULL. */
const char *ddns_reverse_zone(const struct ddns_config *c, const char *name);

/* One name's record set: forward (A/AAAA) or reverse (PTR). */
struct ddns_set {
	char owner[256]; /* no trailing dot */
	char zone[256];
	uint8_t dhcid[DDNS_DHCID_LEN];
	char txt[256];
	struct lc_addr addrs[DDNS_MAX_ADDRS]; /* forward */
	size_t n_addrs;
	char ptr[256]; /* reverse: the forward name; "" in a forward set */
};

/* The forward set of a guest: its addresses as dns_addresses says (first:
 * the top-ranked address of each family). */
int ddns_set_forward(const struct ddns_config *c, const struct ddns_guest *g, struct ddns_set *ret);
/* The reverse set of one of its addresses; -ENOENT when no reverse zone
 * holds it. */
int ddns_set_reverse(const struct ddns_config *c, const struct ddns_guest *g,
		     const struct lc_addr *a, struct ddns_set *ret);

/* ---- messages (RFC 2136) --------------------------------------------- */

enum ddns_step {
	/* prerequisite: the name is not in use; add the records, DHCID, TXT */
	DDNS_STEP_ADD,
	/* prerequisite: the DHCID is ours; replace A/AAAA (PTR) and TXT */
	DDNS_STEP_REPLACE,
	/* prerequisites: the DHCID is ours and the TXT is ours (host=us);
	 * delete A, AAAA (PTR), TXT and DHCID */
	DDNS_STEP_DELETE,
};

/* The unsigned UPDATE message in wire form (malloc'd). */
int ddns_msg_wire(const struct ddns_set *s, enum ddns_step step, uint32_t ttl, uint16_t id,
		  uint8_t **ret_wire, size_t *ret_len);

/* What one exchange with the server gave. */
struct ddns_reply {
	int rcode;	/* RFC 1035/2136 RCODE of the reply */
	int tsig_error; /* TSIG error field (16 BADSIG, 17 BADKEY, 18 BADTIME), 0 */
	bool is_signed; /* the reply carries a TSIG that verified */
	bool tcp;	/* it went over TCP */
	int tries;	/* sends it took */
};

/* Read a reply to query id: -EBADMSG when it is no DNS reply or not to that
 * id.  With key and query_mac (the MAC of the signed query, raw), a TSIG
 * in the reply must verify (else -EBADMSG); a reply without one is only
 * taken when it reports an error (an unsigned NOERROR is refused: -EPERM). */
int ddns_reply_read(const uint8_t *wire, size_t len, uint16_t id, const struct ddns_key *key,
		    const uint8_t *query_mac, size_t query_mac_len, struct ddns_reply *ret);

/* What the server's answer means, for a person: "" for NOERROR. */
void ddns_reply_explain(const struct ddns_config *c, const struct ddns_reply *r, const char *what,
			char *buf, size_t size);

/* ---- publishing ------------------------------------------------------ */

enum ddns_status {
	DDNS_DONE = 0,	    /* the records are (or are no longer) there */
	DDNS_CONFLICT,	    /* the name belongs to another guest: nothing touched */
	DDNS_NOT_OURS,	    /* delete: the records are not ours (migrated, gone) */
	DDNS_RETRY,	    /* no answer or a server failure: spool and retry */
	DDNS_MISCONFIGURED, /* BADKEY, BADSIG, BADTIME, REFUSED...: retried, but
			       a person has to fix something first */
};

const char *ddns_status_name(enum ddns_status s);

struct ddns_result {
	enum ddns_status status;
	char message[DDNS_ERR_MAX]; /* what happened, for the log */
	char other_host[64];	    /* CONFLICT: the owner's host id, when it says */
	unsigned ptr_done, ptr_conflicts;
	bool tcp; /* a message of it went over TCP */
};

/* Add a guest's records (forward first, then each PTR). */
int ddns_publish(const struct ddns_config *c, const struct ddns_guest *g, struct ddns_result *ret);
/* Remove them, only where the DHCID and the TXT are ours. */
int ddns_withdraw(const struct ddns_config *c, const struct ddns_guest *g, struct ddns_result *ret);
/* Remove one set as the zone shows it (its own DHCID and TXT as the
 * prerequisites): `--sync` for this host's stale names, `purge` for a dead
 * host's. */
int ddns_remove_set(const struct ddns_config *c, const struct ddns_set *s, struct ddns_result *ret);

/* ---- reading the zone (AXFR) ----------------------------------------- */

struct ddns_zone_entry {
	char owner[256]; /* lower-case, no trailing dot */
	struct lc_addr addrs[DDNS_MAX_ADDRS];
	size_t n_addrs;
	bool has_dhcid;
	uint8_t dhcid[DDNS_DHCID_LEN];
	char txt[256]; /* our TXT, "" when there is none */
	char host[64], cluster[64], group[64];
	char ptr[256];
};

struct ddns_zone {
	char zone[256];
	struct ddns_zone_entry *entries; /* only names that carry our TXT */
	size_t n, cap;
	unsigned messages, soa_seen;
	bool complete; /* the closing SOA was seen */
};

void ddns_zone_init(struct ddns_zone *z, const char *zone);
void ddns_zone_free(struct ddns_zone *z);
/* Take one AXFR reply message (already TSIG-checked by the caller): 1 when
 * the transfer is complete, 0 when more follow, -EBADMSG for a message that
 * is no part of a transfer of this zone, -EPROTO for an error RCODE
 * (*ret_rcode says which). */
int ddns_zone_feed(struct ddns_zone *z, const uint8_t *wire, size_t len, int *ret_rcode);
const struct ddns_zone_entry *ddns_zone_find(const struct ddns_zone *z, const char *owner);
/* The set to remove for an entry as the zone shows it. */
int ddns_zone_entry_set(const struct ddns_zone *z, const struct ddns_zone_entry *e,
			struct ddns_set *ret);
/* Transfer a zone from the server with the key (TCP). */
int ddns_axfr(const struct ddns_config *c, const char *zone, struct ddns_zone *ret, char *err,
	      size_t errlen);

/* ---- the spool: updates that could not be delivered yet -------------- */

enum ddns_op { DDNS_OP_PUBLISH, DDNS_OP_WITHDRAW };

struct ddns_spool_entry {
	enum ddns_op op;
	struct ddns_guest guest;
	unsigned tries;
	int64_t next_try; /* epoch seconds */
	char last_error[DDNS_ERR_MAX];
};

/* $(localstatedir)/lib/libvirt-cluster/ddns, or LIBVIRT_CLUSTER_SPOOL_DIR
 * (ignored in a setuid process, as secure_getenv does). */
const char *ddns_spool_dir(void);

/* One file per guest, <dir>/<name>.ddns, written atomically; a later
 * update of the same guest replaces an earlier one (its outcome is what
 * counts). Line format, `libvirt-cluster ddns 1` first. */
int ddns_spool_format(const struct ddns_spool_entry *e, char *buf, size_t size);
int ddns_spool_parse(const char *buf, size_t len, struct ddns_spool_entry *ret);
int ddns_spool_put(const char *dir, const struct ddns_spool_entry *e);
int ddns_spool_drop(const char *dir, const char *name);
/* A name another guest owns, as the last publish found it: <dir>/<name>.conflict
 * ("owner HOST" and "since EPOCH"), dropped by a later publish or withdraw
 * that settles; `libvirt-cluster dns status` and doctor list them. */
struct ddns_conflict {
	char name[64];
	char owner[64]; /* "" when the name's TXT did not say */
	int64_t since;
};
/* Every pending update (fn_entry) and conflict (fn_conflict) of the spool;
 * either callback may be NULL.  A spool that does not exist is empty. */
int ddns_spool_list(const char *dir,
		    void (*fn_entry)(const struct ddns_spool_entry *e, void *userdata),
		    void (*fn_conflict)(const struct ddns_conflict *c, void *userdata),
		    void *userdata);

/* Seconds to wait after the n-th failed try (30 s doubling, at most 1 h). */
int64_t ddns_spool_backoff(unsigned tries);

struct ddns_spool_stats {
	unsigned delivered, failed, waiting, conflicts, bad;
};
/* Try every entry due at now (all when force); a delivered (or settled:
 * conflict, not ours) one is dropped, a failed one rescheduled.  on_result
 * (may be NULL) sees each outcome, to log it. */
typedef void (*ddns_spool_fn)(const struct ddns_spool_entry *e, const struct ddns_result *r,
			      void *userdata);
int ddns_spool_run(const struct ddns_config *c, const char *dir, int64_t now, bool force,
		   ddns_spool_fn on_result, void *userdata, struct ddns_spool_stats *ret);

/* Publish or withdraw now; on failure, put it in the spool.  The outcome
 * is in ret either way. */
int ddns_apply(const struct ddns_config *c, const char *spool_dir, enum ddns_op op,
	       const struct ddns_guest *g, int64_t now, struct ddns_result *ret);

/* ---- reconcile (--sync) and purge ------------------------------------ */

struct ddns_sync_stats {
	unsigned removed, published, conflicts, failed,
	    others,  /* others: other hosts' names, untouched */
	    current; /* ddns_publish_changed: already exactly in the zone */
};

/* Each outcome, to log it: what (a name), and the result. */
typedef void (*ddns_sync_fn)(const char *what, const struct ddns_result *r, void *userdata);

/* A name the zone shows that is this host's (TXT host=us) but no running
 * guest's: not one of running's forward names with its DHCID, nor the PTR
 * of one of their published addresses. */
bool ddns_entry_stale(const struct ddns_config *c, const struct ddns_zone *z,
		      const struct ddns_zone_entry *e, const struct ddns_guest *running, size_t n);
/* The timer's repair (--refresh): read the zone and every reverse zone by
 * AXFR and publish each running guest whose record set is not exactly
 * there (a lease that came after its worker gave up, an address that
 * changed, a worker killed mid-update); removes nothing, and leaves a
 * guest alone that has a conflict file or an update waiting in the spool.  ret->current counts
 * those left as they were. */
int ddns_publish_changed(const struct ddns_config *c, const struct ddns_guest *running, size_t n,
			 const char *spool_dir, int64_t now, ddns_sync_fn fn, void *userdata,
			 struct ddns_sync_stats *ret, char *err, size_t errlen);
/* Deliver the spool, read the zone and every reverse zone by AXFR, remove
 * this host's stale names and publish every running guest again.  Another
 * host's names are never touched.  err says why a transfer failed. */
int ddns_sync(const struct ddns_config *c, const struct ddns_guest *running, size_t n,
	      const char *spool_dir, int64_t now, ddns_sync_fn fn, void *userdata,
	      struct ddns_sync_stats *ret, char *err, size_t errlen);
/* Remove every name whose TXT says host=host_id (a dead host's, when the
 * admin says so), each under its own DHCID and TXT as prerequisites. */
int ddns_purge(const struct ddns_config *c, const char *host_id, ddns_sync_fn fn, void *userdata,
	       struct ddns_sync_stats *ret, char *err, size_t errlen);

/* ---- doctor ---------------------------------------------------------- */

struct ddns_probe {
	bool answered; /* a reply came */
	bool soa;      /* it was an authoritative SOA for the zone, signed back */
	uint32_t serial;
	struct ddns_reply reply;
	char message[DDNS_ERR_MAX]; /* what is wrong, or what was seen */
};

/* Ask the server for the zone's SOA with the key: it must answer it,
 * authoritatively, and accept the key (a wrong one gives BADKEY or BADSIG
 * in message). */
int ddns_probe(const struct ddns_config *c, const char *zone, struct ddns_probe *ret);
/* The <dns><forwarder/> a libvirt network needs so that its guests resolve
 * names of the zone through the server (virNetworkUpdate cannot add one). */
int ddns_forwarder_xml(const struct ddns_config *c, char *buf, size_t size);

/* ---- the worker's and --sync's steps (host/ddns-host.c) --------------- */

struct host_lease;

/* The guest of a record, with the addresses of the leases given (ranked). */
int ddns_guest_of(const struct lc_guest_record *rec, const struct host_lease *leases, size_t n,
		  struct ddns_guest *ret);
/* Every guest the records under paths->runstate_dir name, with the
 * addresses the module answers for it, ranked: its live leases and what
 * discovery found (after --sync dropped the records of guests libvirt no
 * longer runs, these are the running ones). */
int ddns_guests_recorded(const struct lc_paths *paths, struct ddns_guest **ret, size_t *ret_n);
/* One worker event: nothing when dns_server is unset (returns -ENODATA);
 * else the update now, the spool on failure.  msg gets the line for the
 * log; the status (ddns_status) is returned. */
int ddns_event(const struct lc_config *cfg, enum ddns_op op, const struct lc_guest_record *rec,
	       const struct host_lease *leases, size_t n, char *msg, size_t size);
/* The publish of a guest whose addresses changed without a lease (the
 * worker's discovery, --refresh): the addresses the module now answers
 * for rec->name (leases and discovered ones, ranked), as ddns_event. */
int ddns_event_answered(const struct lc_paths *paths, const struct lc_config *cfg,
			const struct lc_guest_record *rec, char *msg, size_t size);
/* What the worker does after an update went to the spool: try it again
 * with the spool's backoff, up to tries times, while it is pending. */
void ddns_event_retry(const struct lc_config *cfg, const char *name, unsigned tries,
		      ddns_spool_fn on_result, void *userdata);
/* --refresh's step: ddns_publish_changed over the recorded guests;
 * -ENODATA when off. */
int ddns_publish_changed_recorded(const struct lc_paths *paths, const struct lc_config *cfg,
				  ddns_sync_fn fn, void *userdata, struct ddns_sync_stats *ret,
				  char *err, size_t errlen);
/* --sync's step: ddns_sync over the recorded guests; -ENODATA when off. */
int ddns_sync_recorded(const struct lc_paths *paths, const struct lc_config *cfg, ddns_sync_fn fn,
		       void *userdata, struct ddns_sync_stats *ret, char *err, size_t errlen);
