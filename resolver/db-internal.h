/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inside the db: the snapshot itself and the builder that makes it.  A
 * build runs in four steps, one file each:
 *   db-source.c  the sources: config, hook records, the lease directory
 *                (.conf, .macs, .status) and extra dnsmasq lease files;
 *   db-cold.c    the cold path: for one name, only the objects that can
 *                matter to it;
 *   db-hosts.c   host assembly: leases to hosts, ranking, aliases;
 *   db-seen.c    discovered addresses (guest records' addr lines) to hosts;
 *   db-index.c   the name and address indexes, and the queries on them.
 * db.c runs the steps.  Internal to the core.
 */
#pragma once

#include "resolver/lease.h"
#include "resolver/map.h"
#include "resolver/resolver.h"
#include "resolver/util.h"

struct bnet {
	const char *name;
	const char *bridge;
	const char *domain; /* NULL when none */
	enum lc_class klass;
	bool has_macs;
};

struct bguest {
	const char *name;
	const char *driver, *cluster, *group;
	const void *found_in; /* cold path: the .macs file that named it first */
	/* cold path: its MACs' leases are looked for (db_load_filtered) */
	bool followed;
};

/* The MAC map (LC_MAP_MAC): val = the guest; aux = the NIC index (int16,
 * -1 unknown) and whether the cold path looked for its leases already. */
#define BMAC_SEARCHED 0x10000u
/* a live lease of the NIC, IPv4 / IPv6: its discovered addresses of that
 * family give way (db-seen.c) */
#define BMAC_LEASED4 0x20000u
#define BMAC_LEASED6 0x40000u
static inline int bmac_nic_index(const struct lc_map_slot *m)
{
	return (int16_t)(m->aux & 0xffff);
}
static inline void bmac_set_nic_index(struct lc_map_slot *m, int nic_index)
{
	m->aux = (m->aux & ~0xffffu) | (uint16_t)(int16_t)nic_index;
}

struct blease {
	struct lc_lease l;
	uint32_t net;
	uint32_t file; /* which lease file, in load order */
	size_t off;    /* where in it: orders leases the same on both paths */
};

/* An address discovery found for a guest's NIC (a guest record's addr line). */
struct bseen {
	uint32_t guest;
	int nic_index;
	uint8_t mac[LC_MAC_LEN];
	const char *network; /* the NIC's libvirt network, NULL for none */
	const char *bridge;  /* the NIC's host-side device, or NULL */
	struct lc_addr addr;
	enum lc_addr_source source;
	int64_t seen;
};

struct kept_file {
	char *buf;
	size_t len;
	const char *stem; /* the bridge (in files): its network is known once the .conf are read */
	size_t stem_len;
	uint32_t net;
	uint32_t file;
	bool is_status;
	bool leased;  /* a .status the filtered path took a lease from */
	size_t *seen; /* offsets of objects already taken (scratch arena) */
	size_t n_seen, cap_seen;
};

struct pending {
	uint32_t host;
	/* a live lease of one of a guest's MACs: its DHCP hostname (the
	 * guest's first one becomes an alias); NULL otherwise */
	const char *hostname;
	struct lc_host_addr a;
};

/* Kept under 2 KB (2,040 bytes now): calloc clears it, and glibc's memset
 * clears 2 KB and more with rep stosb, which callgrind counts a byte at a
 * time (16 bytes more cost every cold lookup 2k instructions there). */
struct lc_db {
	struct lc_arena arena;
	struct lc_config config;
	bool unavailable;
	bool complete; /* every source parsed whole: answers any name */
	int64_t next_expiry;
	struct lc_host *hosts;
	size_t n_hosts;
	struct lc_map names; /* LC_MAP_FOLD: val = host */
	struct lc_map addrs; /* LC_MAP_ADDR: val = host, aux = its address index */
	/* Set in a db of at most lc_db_linear_max hosts (a small lab, or a
	 * cold path's few), which has no maps: its hosts are searched in order,
	 * as the maps would answer (db-query.c); building them cost a tenth of
	 * a cold lookup at N=10, and a probe saves little over a dozen
	 * compares.  Two a host, the hashes (lc_map_hash_fold) of its domain
	 * name and of its DHCP hostname (0: none), so that a lookup compares
	 * the strings of one host, not of each. */
	uint32_t *name_hash;
};

struct builder {
	struct lc_db *db;
	bool oom; /* a read ran out of memory: the build fails (db_read) */
	const struct lc_paths *paths;
	/* the small files read (db_read), the listings and the first items of
	 * the vectors and maps (db_builder_init), freed at the end */
	struct lc_arena files;
	int64_t now;
	lc_track_fn track;
	void *ud;
	unsigned lease_flags; /* for lease_parse_status_flags */
	/* lc_guest_leases: networks from records and .conf, then every lease
	 * of every .status, plugged or not: no guest records, no .macs, no
	 * extra lease files (their leases name no bridge to release on) */
	bool guest_leases;
	int lease_dir_error;   /* why the lease dir could not be listed, or 0 */
	struct lc_vec nets;    /* struct bnet */
	struct lc_vec guests;  /* struct bguest */
	struct lc_vec leases;  /* struct blease */
	struct lc_map macs;    /* LC_MAP_MAC, see above */
	struct lc_vec hosts;   /* struct lc_host, during the build */
	struct lc_vec pending; /* struct pending */
	struct lc_vec seen;    /* struct bseen: discovered addresses from records */
	/* cold path: only what can matter to one name (see db_load_filtered) */
	const char *label; /* the query's first label, NULL = build everything */
	size_t label_len;
	struct lc_vec kept;	     /* struct kept_file: .macs and .status buffers */
	uint32_t n_files;	     /* lease files loaded so far */
	struct lc_map guest_by_name; /* LC_MAP_STR: val = guest */
	struct lc_map hn_hosts;	     /* LC_MAP_FOLD: DHCP-only hosts by hostname */
};

/* db.c */
void db_builder_init(struct builder *b, const struct lc_paths *paths, int64_t now,
		     struct lc_db *db);
void db_builder_free(struct builder *b);
/* The config, the records, the lease dir and the extra lease files. */
int db_load_sources(struct builder *b);

/* db-source.c */
void db_track_path(struct builder *b, const char *path, const struct lc_sig *sig);
void db_track_stat(struct builder *b, const char *path);
int db_read(struct builder *b, const char *path, size_t max, char **ret_buf, size_t *ret_len);
/* Done with a buffer of db_read. */
static inline void db_release(struct builder *b, char *buf, size_t len)
{
	lc_big_free_in(&b->files, buf, len);
}
int db_list_dir(struct builder *b, const char *dir, bool (*want)(const char *name, size_t len),
		char ***ret_names, size_t *ret_n);
int db_path_join(char *buf, size_t size, const char *dir, const char *name);
int db_add_net(struct builder *b, const char *name, const char *bridge, const char *domain,
	       enum lc_class klass);
int db_net_by_bridge(struct builder *b, const char *bridge, bool create);
int db_guest_find_or_add(struct builder *b, const char *name, uint32_t *ret);
/* The same for the len bytes at name (need not end there). */
int db_guest_find_or_add_n(struct builder *b, const char *name, size_t len, uint32_t *ret);
int db_mac_put(struct builder *b, const uint8_t mac[LC_MAC_LEN], uint32_t guest, int nic_index);
static inline struct lc_map_slot *db_mac_find(struct builder *b, const uint8_t mac[LC_MAC_LEN])
{
	return lc_map_get_mac(&b->macs, mac);
}
int db_load_records(struct builder *b);
/* .conf, then .macs, then .status (kept for the cold path when b->label) */
int db_load_lease_dir(struct builder *b);
int db_load_status(struct builder *b, const char *path, uint32_t net);
int db_load_dnsmasq(struct builder *b, const char *path);

/* db-source.c: a lease dir file's objects, from a buffer read whole */
int db_macs_add(struct builder *b, const char *buf, size_t len, int net);
int db_status_add(struct builder *b, const char *buf, size_t len, uint32_t net, uint32_t file);

/* db-cold.c */
/* Keep a .macs or .status buffer of the cold path.  Its network is set
 * once the .conf files are read, last (db_cold_nets). */
int db_keep_file(struct builder *b, char *buf, size_t len, const char *stem, bool is_status);
/* 1 when the kept files are parsed whole (a small lab's hit, or escapes:
 * see db-cold.c), 0 when filtered; *ret_absent: the label is in no kept
 * file (then db_load_filtered need not look for it). */
int db_cold_whole(struct builder *b, bool *ret_absent);
int db_load_filtered(struct builder *b, bool label_absent);
/* After db_load_filtered: whether no network can matter (no .conf read). */
bool db_cold_nets_unused(const struct builder *b);
/* Whether the filtered path parses a .conf read into buf (db-cold.c). */
bool db_cold_conf_wanted(struct builder *b, const char *buf, size_t len);
/* The kept files' networks, from the .conf files read by now; with whole,
 * then every object of the kept files, as a full load takes them. */
int db_cold_nets(struct builder *b, bool whole);

/* db-hosts.c */
int db_prefer_index(const struct lc_config *cfg, const char *net);
/* A lease as one of a host's addresses, on its network (nic_index -1:
 * unknown), its MAC string in the arena. */
int db_lease_addr(struct builder *b, const struct blease *bl, int nic_index,
		  struct lc_host_addr *ret);
int db_assign_leases(struct builder *b);
int db_finish_hosts(struct builder *b);

/* db-seen.c */
/* A guest record's addr lines, kept until the leases are known. */
int db_seen_add(struct builder *b, uint32_t guest, const struct lc_guest_record *gr);
/* Then into pending, but where a live lease of that NIC and family is. */
int db_assign_seen(struct builder *b);

/* db-index.c */
/* A host's DHCP hostname, when it has one: its first alias, if not dotted
 * (the names map holds it after every running host's domain name). */
const char *db_dhcp_alias(const struct lc_host *h);
int db_build_indexes(struct lc_db *db);
