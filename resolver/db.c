/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The db: one immutable snapshot of what every source says.  Built in one
 * pass over the files (db-source.c, or db-cold.c for one name), assembled
 * into hosts (db-hosts.c), then queried through two hash indexes
 * (db-index.c, db-query.c), so a lookup costs the same at 10 guests and at
 * 100,000.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "resolver/db-internal.h"

/* The scratch arena's first chunk: what a small lab's build (N=10: its
 * files, vectors and maps) takes in one malloc. */
#define BUILD_ARENA_FIRST (64u << 10)

void db_builder_init(struct builder *b, const struct lc_paths *paths, int64_t now, struct lc_db *db)
{
	/* the builder's vectors and maps start in its scratch arena (b->files):
	 * a small lab's build mallocs and frees a few chunks, not each one.
	 * Not hosts (they become the db's) nor pending (db-hosts.c replaces
	 * its items). */
	struct lc_arena *S = &b->files;
	*b = (struct builder){
	    .db = db,
	    .paths = paths,
	    .files = {.first = BUILD_ARENA_FIRST},
	    .now = now,
	    .lease_flags = LEASE_SKIP_DHCP6_ID,
	    .nets = {.item_size = sizeof(struct bnet), .arena = S},
	    .guests = {.item_size = sizeof(struct bguest), .arena = S},
	    .leases = {.item_size = sizeof(struct blease), .arena = S},
	    .macs = {.kind = LC_MAP_MAC, .arena = S},
	    .hosts = {.item_size = sizeof(struct lc_host)},
	    .pending = {.item_size = sizeof(struct pending)},
	    .seen = {.item_size = sizeof(struct bseen), .arena = S},
	    .kept = {.item_size = sizeof(struct kept_file), .arena = S},
	    .guest_by_name = {.kind = LC_MAP_STR, .arena = S},
	    .hn_hosts = {.kind = LC_MAP_FOLD, .arena = S},
	};
	db->next_expiry = INT64_MAX;
	/* the indexes are sized once (db-index.c): in a small lab's db arena
	 * they take no calloc each */
	db->names.arena = &db->arena;
	db->addrs.arena = &db->arena;
}

void db_builder_free(struct builder *b)
{
	struct kept_file *k = b->kept.items;
	for (size_t i = 0; i < b->kept.n; i++) {
		lc_big_free(k[i].buf);
	}
	lc_vec_free(&b->kept);
	lc_arena_free(&b->files);
	lc_vec_free(&b->nets);
	lc_vec_free(&b->guests);
	lc_vec_free(&b->leases);
	lc_vec_free(&b->pending);
	lc_vec_free(&b->seen);
	lc_vec_free(&b->hosts);
	lc_map_free(&b->guest_by_name);
	lc_map_free(&b->hn_hosts);
	lc_map_free(&b->macs);
}

int db_load_sources(struct builder *b)
{
	struct lc_db *db = b->db;
	int r;

	/* lc_config_load's outcome, but read as the other files are: into
	 * the scratch arena, tracked by the signature of what was read (no
	 * stat after it).  Missing, unreadable or empty: the defaults. */
	char *buf;
	size_t len;
	lc_config_defaults(&db->config);
	r = db_read(b, b->paths->config, 1u << 20, &buf, &len);
	if (r == -ENOMEM)
		return r;
	if (r == 0) {
		r = len ? lc_config_parse(buf, len, &db->config, NULL, NULL) : 0;
		db_release(b, buf, len);
		if (r < 0)
			return r; /* only -ENOMEM fails a parse */
	}
	if ((r = db_load_records(b)) < 0)
		return r;
	if ((r = db_load_lease_dir(b)) < 0)
		return r;
	for (size_t i = 0; !b->guest_leases && i < db->config.n_leases; i++)
		if ((r = db_load_dnsmasq(b, db->config.leases[i])) < 0)
			return r;
	return b->oom ? -ENOMEM : 0;
}

/* Hosts: every known guest first (in guest order), then DHCP-only ones. */
static int build_hosts(struct builder *b)
{
	const struct bguest *g = b->guests.items;
	int r;

	for (size_t i = 0; i < b->guests.n; i++) {
		struct lc_host *h = lc_vec_push(&b->hosts);
		if (!h)
			return -ENOMEM;
		h->name = g[i].name;
		h->driver = g[i].driver;
		h->cluster = g[i].cluster;
		h->group = g[i].group;
		h->running = true; /* in a .macs file or a hook record: plugged in */
		h->guest = true;
	}
	if ((r = db_assign_leases(b)) < 0 || (r = db_assign_seen(b)) < 0 ||
	    (r = db_finish_hosts(b)) < 0)
		return r;
	b->db->n_hosts = b->hosts.n;
	b->db->hosts = b->hosts.items;
	b->hosts.items = NULL;
	b->hosts.n = b->hosts.cap = 0;
	return 0;
}

/* Whether a name can be an address literal at all: inet_pton takes
 * digits, hex letters, ':' and '.', nothing else (a guest's name mostly
 * fails at its first letter, without a copy and two parses). */
static bool maybe_addr(const char *s)
{
	for (; *s; s++)
		if (lc_hex_digit(*s) < 0 && *s != ':' && *s != '.')
			return false;
	return true;
}

int lc_db_load_tracked(const struct lc_paths *paths, int64_t now, const char *only_name,
		       lc_track_fn track, void *userdata, struct lc_db **ret_db)
{
	char q[LC_NAME_MAX + 1];
	bool ok = only_name && lc_name_normalize(only_name, q, sizeof(q)) == 0;
	return lc_db_load_normalized(paths, now, ok ? q : NULL, track, userdata, ret_db);
}

int lc_db_load_normalized(const struct lc_paths *paths, int64_t now, const char *label,
			  lc_track_fn track, void *userdata, struct lc_db **ret_db)
{
	struct builder b;
	struct lc_db *db = calloc(1, sizeof(*db));
	int r;

	if (!db)
		return -ENOMEM;
	db_builder_init(&b, paths, now, db);
	b.track = track;
	b.ud = userdata;
	if (label) {
		struct lc_addr lit;
		const char *dot = strchr(label, '.');
		/* an address literal is answered through the address index,
		 * which only a full load builds */
		if (!maybe_addr(label) || lc_addr_parse(label, strlen(label), &lit) < 0) {
			b.label = label;
			b.label_len = dot ? (size_t)(dot - label) : strlen(label);
		}
	}
	db->complete = !b.label; /* the cold path may parse everything too */
	if ((r = db_load_sources(&b)) < 0 || (r = build_hosts(&b)) < 0 ||
	    (r = db_build_indexes(db)) < 0)
		goto fail;
	db_builder_free(&b);
	*ret_db = db;
	return 0;
fail:
	db_builder_free(&b);
	lc_db_free(db);
	return r;
}

int lc_db_load(const struct lc_paths *paths, int64_t now, struct lc_db **ret_db)
{
	return lc_db_load_tracked(paths, now, NULL, NULL, NULL, ret_db);
}

void lc_db_free(struct lc_db *db)
{
	if (!db)
		return;
	free(db->hosts);
	lc_map_free(&db->names);
	lc_map_free(&db->addrs);
	lc_config_free(&db->config);
	lc_arena_free(&db->arena);
	free(db);
}

int64_t lc_db_next_expiry(const struct lc_db *db)
{
	return db->next_expiry;
}

bool lc_db_complete(const struct lc_db *db)
{
	return db->complete;
}

bool lc_db_unavailable(const struct lc_db *db)
{
	return db->unavailable;
}

const struct lc_config *lc_db_config(const struct lc_db *db)
{
	return &db->config;
}

size_t lc_db_n_hosts(const struct lc_db *db)
{
	return db->n_hosts;
}

const struct lc_host *lc_db_host(const struct lc_db *db, size_t i)
{
	return i < db->n_hosts ? &db->hosts[i] : NULL;
}
