/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Readers of the files libvirt and dnsmasq write.  Each takes a buffer
 * (the caller reads the file) and either yields every entry of a valid file
 * or fails and yields none: a file that is truncated, garbage or a
 * half-written mix never contributes a single address. */
#pragma once

#include "resolver/resolver.h"
#include "resolver/util.h"

#define LC_HOSTNAME_MAX 255
#define LC_EXPIRY_INFINITE INT64_MAX
/* LC_DUID_MAX and struct lc_dhcp6_id are public: resolver.h. */

struct lc_lease {
	struct lc_addr addr;
	uint8_t mac[LC_MAC_LEN];
	bool has_mac;
	int64_t expiry;	      /* epoch seconds, LC_EXPIRY_INFINITE when absent */
	const char *hostname; /* NULL when the client sent none; in the arena */
	/* IPv6 leases whose client-id, iaid and server-duid are all valid;
	 * NULL otherwise (always for IPv4, so v4 parsing does no more work) */
	const struct lc_dhcp6_id *dhcp6;
};

struct lc_macs_entry {
	char domain[256];
	uint8_t (*macs)[LC_MAC_LEN];
	size_t n_macs;
};

struct lc_netconf {
	char bridge[64];  /* interface= */
	char domain[256]; /* domain=, "" when none */
	bool isolated;	  /* dhcp-option=3 with no value */
};

/* lc_vec_push for an item the caller then writes whole: inline while the
 * vector has room, not zeroed (a call and a memset an item were a tenth
 * of reading a .macs file). */
static inline void *lease_vec_slot(struct lc_vec *v)
{
	if (v->n < v->cap)
		return (char *)v->items + v->n++ * v->item_size;
	return lc_vec_push(v);
}

/* libvirt <bridge>.status: a JSON array of lease objects.  Entries without
 * a valid ip-address are skipped; unknown keys are ignored.  A known key
 * whose value has the wrong JSON type fails the whole file; a value of the
 * right type that does not parse only loses that field.  leases is an
 * lc_vec of struct lc_lease, or of any item that begins with one (item_size
 * set by the caller: the rest of a new item is zero).  On error the vector
 * is restored to its size on entry. */
int lease_parse_status(const char *buf, size_t len, struct lc_arena *arena, struct lc_vec *leases);
/* The same with flags: LEASE_SKIP_DHCP6_ID leaves dhcp6 NULL (the keys are
 * still type-checked, so a file is valid or not whatever the flags): the
 * resolver answers names and never releases, so it need not decode them. */
#define LEASE_SKIP_DHCP6_ID 1u
int lease_parse_status_flags(const char *buf, size_t len, struct lc_arena *arena,
			     struct lc_vec *leases, unsigned flags);
/* plain dnsmasq lease file: `expiry mac ip hostname client-id` lines
 * (dhcp6 is left NULL: only the hook releases, and it reads .status). */
int lease_parse_dnsmasq(const char *buf, size_t len, struct lc_arena *arena, struct lc_vec *leases);
/* libvirt <bridge>.macs: [{"domain": "x", "macs": ["52:54:.."]}].  entries is
 * an lc_vec of struct lc_macs_entry; free with lease_macs_free. */
int lease_parse_macs(const char *buf, size_t len, struct lc_vec *entries);
void lease_macs_free(struct lc_vec *entries);
/* The same in one flat list, for a caller that takes every entry at once
 * (a full build): no allocation an entry, a domain in the file's buffer
 * where it stands (so the list lives no longer than buf). */
struct lc_macs_item {
	const char *domain; /* domain_len bytes (1..255, no newline), not NUL-terminated */
	size_t domain_len;
	size_t first, n; /* its MACs: lc_macs_list_mac(l, first .. first + n - 1) */
};
struct lc_macs_list {
	struct lc_vec items;   /* struct lc_macs_item */
	struct lc_vec macs;    /* uint8_t[LC_MAC_LEN] each */
	struct lc_arena names; /* the domains the full reader decoded */
};
static inline const uint8_t *lc_macs_list_mac(const struct lc_macs_list *l, size_t i)
{
	return (const uint8_t *)l->macs.items + i * LC_MAC_LEN;
}
/* l zeroed; on error it is left empty (and freed). */
int lease_parse_macs_list(const char *buf, size_t len, struct lc_macs_list *l);
void lease_macs_list_free(struct lc_macs_list *l);
/* One object of each file, the cursor at its `{`: 1 = an entry, 0 = a
 * well-formed object we cannot use, <0 = a syntax error (or -ENOMEM). */
struct json_cursor;
int lease_status_object(struct json_cursor *c, struct lc_arena *arena, unsigned flags,
			struct lc_lease *ret);
/* ret->macs in arena (nothing to free): the cold path takes a few .macs
 * objects, and a malloc and free each cost more than reading one. */
int lease_macs_object(struct json_cursor *c, struct lc_arena *arena, struct lc_macs_entry *ret);
/* The cheap part of validating a .status/.macs file: `[` ... `}` `]` (or
 * `[` `]`).  A file cut short anywhere fails it. */
bool lease_json_framing_ok(const char *buf, size_t len);
/* A dotted quad as inet_pton takes it (four decimal parts of 0..255, no
 * leading zero) at the start of s..end: where it ends, or NULL when none
 * starts there (or not sure: inet_pton decides).  Most leases' addresses,
 * parsed where they stand, without the copy inet_pton needs. */
const char *lease_ipv4(const char *s, const char *end, uint8_t out[4]);
/* A DHCP hostname as dnsmasq hands it over: one DNS label or dotted name
 * of printable ASCII. */
bool lease_hostname_ok(const char *s, size_t len);
/* libvirt <network>.conf (dnsmasq config). */
int lease_parse_netconf(const char *buf, size_t len, struct lc_netconf *ret);
/* Whether want() takes the value of some "interface=VALUE" line that
 * lease_parse_netconf could take as the bridge (it takes the last one).
 * So when this says no, that parse yields no bridge want() takes. */
bool lease_netconf_names(const char *buf, size_t len, bool (*want)(void *, const char *, size_t),
			 void *ud);

/* Internal to the core: build a db and report every file (and directory)
 * it looked at, with the signature it had, so the cache can tell later
 * whether anything changed. */
typedef void (*lc_track_fn)(void *userdata, const char *path, const struct lc_sig *sig);
/* only_name != NULL: load only what can matter to that one name (the
 * cold path); the db then answers for that name exactly as a full one
 * would, and for nothing else. */
int lc_db_load_tracked(const struct lc_paths *paths, int64_t now, const char *only_name,
		       lc_track_fn track, void *userdata, struct lc_db **ret_db);
/* The same for a name already in the form lc_name_normalize gives (or
 * NULL): the cache normalizes a query once. */
int lc_db_load_normalized(const struct lc_paths *paths, int64_t now, const char *name,
			  lc_track_fn track, void *userdata, struct lc_db **ret_db);
/* The earliest expiry among the db's live leases (INT64_MAX when none):
 * at that second the db is stale even if no file changed. */
int64_t lc_db_next_expiry(const struct lc_db *db);
