/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The db's sources: the config, the hook records in the runstate dir, the
 * lease directory (<network>.conf, <bridge>.macs, <bridge>.status) and
 * the extra dnsmasq lease files.  Every file read is tracked, so the cache
 * can tell later whether anything changed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolver/db-internal.h"
#include "resolver/record-seen.h"

/* ---- tracking the files we read ---------------------------------------- */

void db_track_path(struct builder *b, const char *path, const struct lc_sig *sig)
{
	if (b->track)
		b->track(b->ud, path, sig);
}

void db_track_stat(struct builder *b, const char *path)
{
	struct lc_sig sig = {0};
	struct stat st;

	if (!b->track)
		return;
	if (stat(path, &st) == 0)
		lc_sig_from_stat(&sig, &st);
	b->track(b->ud, path, &sig);
}

/* Read a file for the build, tracking it whatever the outcome.  Free the
 * buffer with db_release (or leave it to the builder).  A file that cannot be read adds nothing;
 * one that ran out of memory marks the build, which then fails (lc_db_load_tracked): a db built
 * without the file would be cached and answer "not found" for its guests until the file changes. */
int db_read(struct builder *b, const char *path, size_t max, char **ret_buf, size_t *ret_len)
{
	struct lc_sig sig;
	int r = lc_read_big_in(path, max, &b->files, ret_buf, ret_len, &sig);
	if (r == 0) {
		db_track_path(b, path, &sig);
	} else if (r == -ENOENT || r == -ENOTDIR) {
		/* not there (the open said so): a stat now would say the same,
		 * or see a file that came after the open and was not read */
		sig = (struct lc_sig){0};
		db_track_path(b, path, &sig);
	} else {
		db_track_stat(b, path);
	}
	b->oom |= r == -ENOMEM;
	return r;
}

/* ---- networks, guests, MACs ---------------------------------------------- */

static int net_by_name(struct builder *b, const char *name)
{
	struct bnet *n = b->nets.items;
	for (size_t i = 0; i < b->nets.n; i++)
		if (!strcmp(n[i].name, name))
			return (int)i;
	return -1;
}

int db_net_by_bridge(struct builder *b, const char *bridge, bool create)
{
	struct bnet *n = b->nets.items;
	for (size_t i = 0; i < b->nets.n; i++)
		if (n[i].bridge && !strcmp(n[i].bridge, bridge))
			return (int)i;
	if (!create)
		return -1;
	struct bnet *nn = lc_vec_push(&b->nets);
	if (!nn)
		return -ENOMEM;
	/* a bridge we know nothing else of: name it after the bridge */
	nn->name = lc_arena_strdup(&b->db->arena, bridge);
	nn->bridge = nn->name;
	nn->klass = LC_CLASS_UNKNOWN;
	return nn->name ? (int)(b->nets.n - 1) : -ENOMEM;
}

/* Map a MAC to a guest.  The record's NIC index wins over the .macs list,
 * which carries no XML order. */
int db_mac_put(struct builder *b, const uint8_t mac[LC_MAC_LEN], uint32_t guest, int nic_index)
{
	struct lc_map_slot *m;
	int r = lc_map_put_mac(&b->macs, mac, &m);

	if (r < 0)
		return r;
	if (r == 1) {
		m->val = guest;
		bmac_set_nic_index(m, nic_index);
	} else if (nic_index >= 0 && m->val == guest) {
		bmac_set_nic_index(m, nic_index);
	}
	return 0;
}

int db_guest_find_or_add(struct builder *b, const char *name, uint32_t *ret)
{
	return db_guest_find_or_add_n(b, name, strlen(name), ret);
}

int db_guest_find_or_add_n(struct builder *b, const char *name, size_t len, uint32_t *ret)
{
	struct lc_map_slot *s;
	/* one hash and probe: put, then key the new slot by the copy */
	int r = lc_map_put_str(&b->guest_by_name, name, len, &s);

	if (r < 0)
		return r;
	if (r == 0) {
		*ret = s->val;
		return 0;
	}
	struct bguest *ng = lc_vec_push(&b->guests);
	if (ng)
		ng->name = lc_arena_strndup(&b->db->arena, name, len);
	if (!ng || !ng->name) {
		if (ng)
			b->guests.n--;
		lc_map_unput(&b->guest_by_name, s);
		return -ENOMEM;
	}
	s->key = (uint64_t)(uintptr_t)ng->name;
	s->val = (uint32_t)(b->guests.n - 1);
	*ret = s->val;
	return 0;
}

/* ---- the sources ------------------------------------------------------------ */

/* List a directory's file names (sorted, so a build is deterministic) in
 * the scratch arena, those want keeps (NULL: all), tracking the directory
 * itself: a new or removed file changes it. */
int db_list_dir(struct builder *b, const char *dir, bool (*want)(const char *name, size_t len),
		char ***ret_names, size_t *ret_n)
{
	struct lc_sig sig = {0};
	int r = lc_list_dir_in(dir, &b->files, want, ret_names, ret_n, &sig);

	if (sig.exists)
		db_track_path(b, dir, &sig);
	else
		db_track_stat(b, dir);
	return r;
}

int db_path_join(char *buf, size_t size, const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	if (dl + 1 + nl + 1 > size)
		return -ENAMETOOLONG;
	memcpy(buf, dir, dl);
	buf[dl] = '/';
	memcpy(buf + dl + 1, name, nl + 1);
	return 0;
}

int db_add_net(struct builder *b, const char *name, const char *bridge, const char *domain,
	       enum lc_class klass)
{
	struct lc_arena *A = &b->db->arena;
	int i = net_by_name(b, name);
	struct bnet *n;

	if (i < 0) {
		n = lc_vec_push(&b->nets);
		if (!n || !(n->name = lc_arena_strdup(A, name)))
			return -ENOMEM;
		n->klass = LC_CLASS_UNKNOWN;
	} else {
		n = &((struct bnet *)b->nets.items)[i];
	}
	/* a hook record and a readable .conf describe the same network; take
	 * what each knows */
	if (!n->bridge && bridge && *bridge && !(n->bridge = lc_arena_strdup(A, bridge)))
		return -ENOMEM;
	if (!n->domain && domain && *domain && !(n->domain = lc_arena_strdup(A, domain)))
		return -ENOMEM;
	if (n->klass == LC_CLASS_UNKNOWN)
		n->klass = klass;
	return 0;
}

/* One guest record, parsed into gr (one for every record of a build). */
static int load_guest_record(struct builder *b, struct lc_guest_record *gr, const char *buf,
			     size_t len)
{
	struct lc_arena *A = &b->db->arena;
	uint32_t gi;
	int r = record_guest_parse_in(buf, len, gr, true);

	if (r < 0 || (r = db_guest_find_or_add(b, gr->name, &gi)) < 0)
		goto out;
	struct bguest *g = &((struct bguest *)b->guests.items)[gi];
	if (gr->driver[0])
		g->driver = lc_arena_strdup(A, gr->driver);
	if (gr->cluster[0])
		g->cluster = lc_arena_strdup(A, gr->cluster);
	if (gr->group[0])
		g->group = lc_arena_strdup(A, gr->group);
	for (size_t k = 0; k < gr->n_nics && r >= 0; k++)
		r = db_mac_put(b, gr->nics[k].mac, gi, (int)k);
	if (r >= 0)
		r = db_seen_add(b, gi, gr);
out:
	return r == -ENOMEM ? r : 0; /* a bad record is ignored whole */
}

int db_load_records(struct builder *b)
{
	const char *dir = b->paths->runstate_dir;
	char **names, path[4096];
	struct lc_guest_record *gr = NULL;
	size_t n;
	int r;

	r = db_list_dir(b, dir, NULL, &names, &n);
	if (r < 0)
		return r == -ENOMEM ? r : 0; /* no records: hooks not installed */
	/* a record a guest, with a NIC or two: the maps sized once, not
	 * grown a record at a time */
	if (n > 8 && (lc_map_reserve(&b->guest_by_name, n) < 0 || lc_map_reserve(&b->macs, n) < 0))
		return -ENOMEM;
	for (size_t i = 0; i < n && r >= 0; i++) {
		enum lc_record_kind kind;
		const char *name;
		size_t name_len, len;
		char *buf;

		if (!lc_record_file_name(names[i], &kind, &name, &name_len) ||
		    (b->guest_leases && kind != LC_RECORD_NET))
			continue;
		if (db_path_join(path, sizeof(path), dir, names[i]) < 0)
			continue;
		if (db_read(b, path, 1u << 20, &buf, &len) < 0)
			continue;
		if (kind == LC_RECORD_NET) {
			struct lc_net_record nr;
			if (lc_net_record_parse(buf, len, &nr) == 0)
				r = db_add_net(b, nr.name, nr.bridge, nr.domain, nr.klass);
		} else if (gr || (gr = malloc(sizeof(*gr)))) {
			r = load_guest_record(b, gr, buf, len);
		} else {
			r = -ENOMEM;
		}
		db_release(b, buf, len);
	}
	free(gr);
	return r < 0 ? r : 0;
}

/* Leases parsed from one file, in file order, on network net. */
static int push_leases(struct builder *b, const struct lc_vec *tmp, uint32_t net)
{
	size_t start = b->leases.n;

	for (size_t i = 0; i < tmp->n; i++) {
		struct blease *bl = lc_vec_push(&b->leases);
		if (!bl) {
			b->leases.n = start;
			return -ENOMEM;
		}
		bl->l = ((struct lc_lease *)tmp->items)[i];
		bl->net = net;
		bl->file = b->n_files;
		bl->off = i;
	}
	return 0;
}

int db_status_add(struct builder *b, const char *buf, size_t len, uint32_t net, uint32_t file)
{
	size_t start = b->leases.n;
	/* straight into the builder's leases (a struct blease begins with its
	 * lease): no vector of its own to copy from */
	int r = lease_parse_status_flags(buf, len, &b->db->arena, &b->leases, b->lease_flags);
	struct blease *bl = b->leases.items;

	for (size_t i = start; r == 0 && i < b->leases.n; i++) {
		bl[i].net = net;
		bl[i].file = file;
		bl[i].off = i - start;
	}
	return r == -ENOMEM ? r : 0;
}

int db_load_status(struct builder *b, const char *path, uint32_t net)
{
	char *buf;
	size_t len;
	int r;

	if (db_read(b, path, LC_FILE_MAX, &buf, &len) < 0)
		return 0; /* unreadable or hostile: no entries from it */
	r = db_status_add(b, buf, len, net, b->n_files);
	db_release(b, buf, len);
	b->n_files++;
	return r;
}

int db_load_dnsmasq(struct builder *b, const char *path)
{
	char *buf;
	size_t len;
	struct lc_vec tmp = {.item_size = sizeof(struct lc_lease)};
	const char *base = strrchr(path, '/');
	int r;

	if (db_read(b, path, LC_FILE_MAX, &buf, &len) < 0)
		return 0;
	r = lease_parse_dnsmasq(buf, len, &b->db->arena, &tmp);
	db_release(b, buf, len);
	if (r == 0 && tmp.n) {
		/* a plain dnsmasq: the network is known by its lease file */
		base = base ? base + 1 : path;
		r = db_add_net(b, base, NULL, NULL, LC_CLASS_UNKNOWN);
		if (r == 0)
			r = push_leases(b, &tmp, (uint32_t)net_by_name(b, base));
	}
	b->n_files++;
	lc_vec_free(&tmp);
	return r == -ENOMEM ? r : 0;
}

static int load_netconf(struct builder *b, const char *path, const char *stem)
{
	struct lc_netconf nc;
	char *buf;
	size_t len;
	int r = 0;

	/* 0600 root-only: a normal user's process can't read it, which is
	 * why hook records exist */
	if (db_read(b, path, 1u << 20, &buf, &len) < 0)
		return 0;
	if (db_cold_conf_wanted(b, buf, len) && lease_parse_netconf(buf, len, &nc) == 0)
		r = db_add_net(b, stem, nc.bridge, nc.domain,
			       nc.isolated ? LC_CLASS_ISOLATED : LC_CLASS_EXTERNAL);
	db_release(b, buf, len);
	return r;
}

int db_macs_add(struct builder *b, const char *buf, size_t len, int ni)
{
	struct lc_macs_list l = {0};
	int pr = lease_parse_macs_list(buf, len, &l), r = 0;

	if (pr == -ENOMEM)
		return pr;
	/* only a .macs file that parsed says who is plugged in */
	if (pr == 0)
		((struct bnet *)b->nets.items)[ni].has_macs = true;
	/* room for all of them at once, not a growth every few; the first
	 * file makes room for as many again (a lab's bridges are alike, and
	 * most have two) */
	size_t again = b->macs.slots ? 1 : 2;
	if (lc_map_reserve(&b->macs, b->macs.n + again * l.macs.n) < 0 ||
	    lc_map_reserve(&b->guest_by_name, b->guests.n + again * l.items.n) < 0)
		r = -ENOMEM;
	const struct lc_macs_item *it = l.items.items;
	for (size_t k = 0; k < l.items.n && r >= 0; k++) {
		uint32_t gi;
		r = db_guest_find_or_add_n(b, it[k].domain, it[k].domain_len, &gi);
		for (size_t m = 0; r >= 0 && m < it[k].n; m++)
			r = db_mac_put(b, lc_macs_list_mac(&l, it[k].first + m), gi, -1);
	}
	lease_macs_list_free(&l);
	return r;
}

static int load_macs(struct builder *b, const char *path, const char *stem)
{
	char *buf;
	size_t len;
	int ni, r;

	if (db_read(b, path, LC_FILE_MAX, &buf, &len) < 0)
		return 0;
	ni = db_net_by_bridge(b, stem, true);
	r = ni < 0 ? ni : db_macs_add(b, buf, len, ni);
	db_release(b, buf, len);
	return r;
}

/* One file of the lease dir in its pass: 0 .conf, 1 .macs, 2 .status.
 * The cold path keeps .macs and .status whole and reads the .conf files
 * last (cold_lease_dir). */
static int lease_dir_file(struct builder *b, int pass, const char *path, const char *stem)
{
	char *buf;
	size_t len;
	int ni;

	if (pass == 0)
		return load_netconf(b, path, stem);
	if (pass == 1 && b->guest_leases)
		return 0;
	if (b->label) {
		if (db_read(b, path, LC_FILE_MAX, &buf, &len) < 0)
			return 0;
		return db_keep_file(b, buf, len, stem, pass == 2);
	}
	if (pass == 1)
		return load_macs(b, path, stem);
	ni = db_net_by_bridge(b, stem, true);
	if (ni < 0)
		return ni;
	return db_load_status(b, path, (uint32_t)ni);
}

/* Which pass a lease dir file belongs to (0 .conf, 1 .macs, 2 .status,
 * -1 none), and its stem's length.  Each name is looked at once. */
struct dir_file {
	int8_t pass;
	uint16_t stem;
};

static struct dir_file classify(const char *name, size_t l)
{
	/* one suffix after the other, each compare inlined (a loop over a
	 * table of them called memcmp three times a name) */
#define SUFFIX(p, sfx)                                                                             \
	if (l > sizeof(sfx) - 1 && l - (sizeof(sfx) - 1) < 256 &&                                  \
	    !memcmp(name + l - (sizeof(sfx) - 1), sfx, sizeof(sfx) - 1))                           \
		return (struct dir_file){p, (uint16_t)(l - (sizeof(sfx) - 1))};
	SUFFIX(0, ".conf")
	SUFFIX(1, ".macs")
	SUFFIX(2, ".status")
#undef SUFFIX
	return (struct dir_file){-1, 0};
}

/* The listing keeps only the files of a pass (not the .hostsfile and
 * .addnhosts beside them): fewer names to copy and sort. */
static bool in_a_pass(const char *name, size_t len)
{
	return classify(name, len).pass >= 0;
}

/* The lease dir's listing, each name with its pass and a buffer for its
 * path. */
struct dir_walk {
	char **names;
	struct dir_file *files;
	size_t n, dl;
	char path[4096], stem[256];
};

/* Every file of one pass: its path and stem in w, then fn. */
static int walk_pass(struct builder *b, struct dir_walk *w, int pass,
		     int (*fn)(struct builder *, int, const char *, const char *))
{
	int r = 0;
	for (size_t i = 0; i < w->n && r >= 0; i++) {
		if (w->files[i].pass != pass)
			continue;
		size_t l = strlen(w->names[i]);
		if (w->dl + 1 + l + 1 > sizeof(w->path))
			continue;
		memcpy(w->path + w->dl + 1, w->names[i], l + 1);
		memcpy(w->stem, w->names[i], w->files[i].stem);
		w->stem[w->files[i].stem] = '\0';
		r = fn(b, pass, w->path, w->stem);
	}
	return r;
}

static int track_only(struct builder *b, int pass, const char *path, const char *stem)
{
	(void)pass, (void)stem;
	db_track_stat(b, path);
	return 0;
}

/*
 * The cold path, once the .macs and .status are kept: the objects that can
 * matter to the name, then the .conf files for their networks.  When no
 * network can matter, a .conf is only tracked: its stat is the signature a
 * read would give (an unreadable .conf is tracked the same way).
 */
static int cold_lease_dir(struct builder *b, struct dir_walk *w)
{
	bool absent;
	int whole = db_cold_whole(b, &absent);
	int r;

	if (whole < 0)
		return whole;
	b->db->complete = whole;
	if (!whole && (r = db_load_filtered(b, absent)) < 0)
		return r;
	if (!whole && db_cold_nets_unused(b))
		return walk_pass(b, w, 0, track_only);
	if ((r = walk_pass(b, w, 0, lease_dir_file)) < 0)
		return r;
	return db_cold_nets(b, whole);
}

int db_load_lease_dir(struct builder *b)
{
	const char *dir = b->paths->lease_dir;
	struct dir_file small[128];
	struct dir_walk walk, *w = &walk;
	int r;

	w->dl = strlen(dir);
	r = db_list_dir(b, dir, in_a_pass, &w->names, &w->n);
	if (r < 0) {
		if (r == -ENOMEM)
			return r;
		b->db->unavailable = true;
		b->lease_dir_error = r;
		return 0;
	}
	w->files = w->n <= 128 ? small : malloc(w->n * sizeof(*w->files));
	if (!w->files)
		return -ENOMEM;
	for (size_t i = 0; i < w->n; i++)
		w->files[i] = classify(w->names[i], strlen(w->names[i]));
	memcpy(w->path, dir, w->dl);
	w->path[w->dl] = '/';
	/* networks first (.conf), then who is plugged in (.macs), then leases */
	for (int pass = b->label ? 1 : 0; pass < 3 && r >= 0; pass++)
		r = walk_pass(b, w, pass, lease_dir_file);
	if (r >= 0 && b->label)
		r = cold_lease_dir(b, w);
	if (w->files != small)
		free(w->files);
	return r;
}
