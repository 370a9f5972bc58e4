/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The db: one immutable snapshot of what every source says.  Built in one
 * pass over the files, then queried through two hash indexes (names and
 * addresses), so a lookup costs the same at 10 guests and at 100,000.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolver/lease.h"
#include "resolver/resolver.h"
#include "resolver/scan.h"
#include "resolver/util.h"
#include "resolver/json.h"

#define DIR_MAX_ENTRIES 100000 /* files looked at in one directory */

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
};

struct bmac {
	uint64_t key; /* mac as integer + 1; 0 = empty slot */
	uint32_t guest;
	int16_t nic_index;
	bool searched; /* the cold path looked for its leases already */
};

struct blease {
	struct lc_lease l;
	uint32_t net;
	uint32_t file; /* which lease file, in load order */
	size_t off;    /* where in it: orders leases the same on both paths */
};

struct kept_file {
	char *buf;
	size_t len;
	uint32_t net;
	uint32_t file;
	bool is_status;
	size_t *seen; /* offsets of objects already taken */
	size_t n_seen, cap_seen;
};

struct pending {
	uint32_t host;
	struct lc_host_addr a;
};

struct name_slot {
	const char *key; /* lower-case */
	uint32_t len;
	uint32_t host; /* index + 1; 0 = empty */
};

struct addr_slot {
	struct lc_addr addr;
	uint32_t host; /* index + 1; 0 = empty */
	uint32_t idx;
};

struct lc_db {
	struct lc_arena arena;
	struct lc_config config;
	bool unavailable;
	int64_t next_expiry;
	struct lc_host *hosts;
	size_t n_hosts;
	struct name_slot *names;
	size_t names_mask;
	struct addr_slot *addrs;
	size_t addrs_mask;
};

struct builder {
	struct lc_db *db;
	bool oom; /* a read ran out of memory: the build fails (build_read) */
	const struct lc_paths *paths;
	int64_t now;
	lc_track_fn track;
	void *ud;
	struct lc_vec nets;   /* struct bnet */
	struct lc_vec guests; /* struct bguest */
	struct lc_vec leases; /* struct blease */
	struct bmac *macs;
	size_t macs_mask, n_macs;
	struct lc_vec hosts;   /* struct lc_host, during the build */
	struct lc_vec pending; /* struct pending */
	/* cold path: only what can matter to one name (see load_filtered) */
	const char *label; /* the query's first label, NULL = build everything */
	size_t label_len;
	struct lc_vec kept; /* struct kept_file: .macs and .status buffers */
	uint32_t n_files;   /* lease files loaded so far */
	struct lc_strmap guest_by_name; /* exact */
	struct lc_strmap hn_hosts;	 /* DHCP-only hosts by hostname, folded */
};

/* ---- tracking the files we read ---------------------------------------- */

static void track_path(struct builder *b, const char *path, const struct lc_sig *sig)
{
	if (b->track)
		b->track(b->ud, path, sig);
}

static void track_stat(struct builder *b, const char *path)
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
 * buffer with lc_big_free.  A file that cannot be read adds nothing; one
 * that ran out of memory marks the build, which then fails
 * (lc_db_load_tracked): a db built without the file would be cached and
 * answer "not found" for its guests until the file changes. */
static int build_read(struct builder *b, const char *path, size_t max, char **ret_buf,
		      size_t *ret_len)
{
	struct lc_sig sig;
	int r = lc_read_big(path, max, ret_buf, ret_len, &sig);
	if (r == 0)
		track_path(b, path, &sig);
	else
		track_stat(b, path);
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

static int net_by_bridge(struct builder *b, const char *bridge, bool create)
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

static uint64_t mac_key(const uint8_t mac[LC_MAC_LEN])
{
	uint64_t k = 0;
	for (int i = 0; i < LC_MAC_LEN; i++)
		k = k << 8 | mac[i];
	return k + 1;
}

static size_t mix64(uint64_t k)
{
	k ^= k >> 33;
	k *= UINT64_C(0xff51afd7ed558ccd);
	k ^= k >> 33;
	return (size_t)k;
}

static struct bmac *mac_find(struct builder *b, const uint8_t mac[LC_MAC_LEN])
{
	uint64_t k = mac_key(mac);
	if (!b->macs)
		return NULL;
	for (size_t i = mix64(k) & b->macs_mask;; i = (i + 1) & b->macs_mask) {
		if (b->macs[i].key == k)
			return &b->macs[i];
		if (b->macs[i].key == 0)
			return NULL;
	}
}

static int mac_grow(struct builder *b)
{
	size_t ncap = b->macs ? (b->macs_mask + 1) * 2 : 64;
	struct bmac *n = calloc(ncap, sizeof(*n));
	if (!n)
		return -ENOMEM;
	for (size_t i = 0; b->macs && i <= b->macs_mask; i++) {
		if (!b->macs[i].key)
			continue;
		size_t j = mix64(b->macs[i].key) & (ncap - 1);
		while (n[j].key)
			j = (j + 1) & (ncap - 1);
		n[j] = b->macs[i];
	}
	free(b->macs);
	b->macs = n;
	b->macs_mask = ncap - 1;
	return 0;
}

/* Map a MAC to a guest.  The record's NIC index wins over the .macs list,
 * which carries no XML order. */
static int mac_put(struct builder *b, const uint8_t mac[LC_MAC_LEN], uint32_t guest, int nic_index)
{
	struct bmac *m = mac_find(b, mac);
	if (m) {
		if (nic_index >= 0 && m->guest == guest)
			m->nic_index = (int16_t)nic_index;
		return 0;
	}
	if (!b->macs || (b->n_macs + 1) * 2 > b->macs_mask + 1) {
		int r = mac_grow(b);
		if (r < 0)
			return r;
	}
	uint64_t k = mac_key(mac);
	size_t i = mix64(k) & b->macs_mask;
	while (b->macs[i].key)
		i = (i + 1) & b->macs_mask;
	b->macs[i] = (struct bmac){.key = k, .guest = guest, .nic_index = (int16_t)nic_index};
	b->n_macs++;
	return 0;
}

static int guest_find_or_add(struct builder *b, const char *name, uint32_t *ret)
{
	uint32_t gi;
	size_t len = strlen(name);

	if (lc_strmap_get(&b->guest_by_name, name, len, &gi)) {
		*ret = gi;
		return 0;
	}
	struct bguest *ng = lc_vec_push(&b->guests);
	if (!ng)
		return -ENOMEM;
	ng->name = lc_arena_strndup(&b->db->arena, name, len);
	if (!ng->name)
		return -ENOMEM;
	gi = (uint32_t)(b->guests.n - 1);
	int r = lc_strmap_put(&b->guest_by_name, ng->name, len, gi, NULL);
	if (r < 0)
		return r;
	*ret = gi;
	return 0;
}

/* ---- the sources ------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* List a directory's file names (sorted, so a build is deterministic).
 * The names live in one block, kept in names[n]: one allocation for a
 * directory, not one a name (a cold lookup in a small lab lists a dozen). */
static int list_dir(struct builder *b, const char *dir, char ***ret_names, size_t *ret_n)
{
	struct stat st;
	struct lc_sig sig;
	DIR *d;
	int fd;
	char *text = NULL, **names;
	size_t *offs = NULL, n = 0, cap = 0, used = 0, tcap = 0;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		int r = -errno;
		track_stat(b, dir);
		return r;
	}
	if (fstat(fd, &st) == 0) {
		lc_sig_from_stat(&sig, &st);
		track_path(b, dir, &sig);
	}
	d = fdopendir(fd);
	if (!d) {
		int r = -errno;
		close(fd);
		return r;
	}
	for (struct dirent *de; (de = readdir(d)) && n < DIR_MAX_ENTRIES;) {
		if (de->d_name[0] == '.')
			continue;
		size_t l = strlen(de->d_name) + 1;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			size_t *no = realloc(offs, ncap * sizeof(*offs));
			if (!no)
				goto nomem;
			offs = no;
			cap = ncap;
		}
		if (used + l > tcap) {
			size_t ncap = tcap ? tcap * 2 : 1024;
			while (ncap < used + l)
				ncap *= 2;
			char *nt = realloc(text, ncap);
			if (!nt)
				goto nomem;
			text = nt;
			tcap = ncap;
		}
		memcpy(text + used, de->d_name, l);
		offs[n++] = used;
		used += l;
	}
	closedir(d);
	names = malloc((n + 1) * sizeof(*names));
	if (!names) {
		free(offs);
		free(text);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		names[i] = text + offs[i];
	names[n] = text;
	free(offs);
	/* a few names: insertion sort, no allocation; many: qsort */
	if (n > 32)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 1; n <= 32 && i < n; i++) {
		char *x = names[i];
		size_t k = i;
		for (; k > 0 && strcmp(names[k - 1], x) > 0; k--)
			names[k] = names[k - 1];
		names[k] = x;
	}
	*ret_names = names;
	*ret_n = n;
	return 0;
nomem:
	free(offs);
	free(text);
	closedir(d);
	return -ENOMEM;
}

static void free_names(char **names, size_t n)
{
	free(names[n]);
	free(names);
}

static bool ends_with(const char *s, const char *suffix, size_t *ret_stem)
{
	size_t l = strlen(s), sl = strlen(suffix);
	if (l <= sl || strcmp(s + l - sl, suffix) != 0)
		return false;
	*ret_stem = l - sl;
	return true;
}

static int path_join(char *buf, size_t size, const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	if (dl + 1 + nl + 1 > size)
		return -ENAMETOOLONG;
	memcpy(buf, dir, dl);
	buf[dl] = '/';
	memcpy(buf + dl + 1, name, nl + 1);
	return 0;
}

static int add_net(struct builder *b, const char *name, const char *bridge, const char *domain,
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

static int load_records(struct builder *b)
{
	const char *dir = b->paths->runstate_dir;
	char **names, path[4096];
	size_t n;
	int r;

	r = list_dir(b, dir, &names, &n);
	if (r < 0)
		return r == -ENOMEM ? r : 0; /* no records: hooks not installed */
	for (size_t i = 0; i < n && r >= 0; i++) {
		size_t stem;
		char *buf;
		size_t len;
		bool is_guest = !strncmp(names[i], "guest-", 6), is_net = !strncmp(names[i], "net-", 4);

		if ((!is_guest && !is_net) || !ends_with(names[i], ".rec", &stem))
			continue;
		if (path_join(path, sizeof(path), dir, names[i]) < 0)
			continue;
		if (build_read(b, path, 1u << 20, &buf, &len) < 0)
			continue;
		if (is_net) {
			struct lc_net_record nr;
			if (lc_net_record_parse(buf, len, &nr) == 0)
				r = add_net(b, nr.name, nr.bridge, nr.domain, nr.klass);
		} else {
			struct lc_guest_record *gr = malloc(sizeof(*gr));
			uint32_t gi;
			int pr = gr ? lc_guest_record_parse(buf, len, gr) : -ENOMEM;
			if (pr == -ENOMEM) {
				r = pr;
			} else if (pr == 0 && (r = guest_find_or_add(b, gr->name, &gi)) == 0) {
				struct bguest *g = &((struct bguest *)b->guests.items)[gi];
				struct lc_arena *A = &b->db->arena;
				if (gr->driver[0])
					g->driver = lc_arena_strdup(A, gr->driver);
				if (gr->cluster[0])
					g->cluster = lc_arena_strdup(A, gr->cluster);
				if (gr->group[0])
					g->group = lc_arena_strdup(A, gr->group);
				for (size_t k = 0; k < gr->n_nics && r >= 0; k++)
					r = mac_put(b, gr->nics[k].mac, gi, (int)k);
			}
			free(gr);
		}
		lc_big_free(buf);
	}
	free_names(names, n);
	return r < 0 ? r : 0;
}

static int load_status(struct builder *b, const char *path, uint32_t net)
{
	char *buf;
	size_t len, start = b->leases.n;
	struct lc_vec tmp = {.item_size = sizeof(struct lc_lease)};
	int r;

	if (build_read(b, path, LC_FILE_MAX, &buf, &len) < 0)
		return 0; /* unreadable or hostile: no entries from it */
	r = lease_parse_status_flags(buf, len, &b->db->arena, &tmp, LEASE_SKIP_DHCP6_ID);
	lc_big_free(buf);
	for (size_t i = 0; r == 0 && i < tmp.n; i++) {
		struct blease *bl = lc_vec_push(&b->leases);
		if (!bl) {
			b->leases.n = start;
			r = -ENOMEM;
			break;
		}
		bl->l = ((struct lc_lease *)tmp.items)[i];
		bl->net = net;
		bl->file = b->n_files;
		bl->off = i;
	}
	b->n_files++;
	lc_vec_free(&tmp);
	return r == -ENOMEM ? r : 0;
}

static int load_dnsmasq(struct builder *b, const char *path)
{
	char *buf;
	size_t len;
	struct lc_vec tmp = {.item_size = sizeof(struct lc_lease)};
	const char *base = strrchr(path, '/');
	int r, net;

	if (build_read(b, path, LC_FILE_MAX, &buf, &len) < 0)
		return 0;
	r = lease_parse_dnsmasq(buf, len, &b->db->arena, &tmp);
	lc_big_free(buf);
	if (r == 0 && tmp.n) {
		/* a plain dnsmasq: the network is known by its lease file */
		base = base ? base + 1 : path;
		r = add_net(b, base, NULL, NULL, LC_CLASS_UNKNOWN);
		net = net_by_name(b, base);
		for (size_t i = 0; r == 0 && i < tmp.n; i++) {
			struct blease *bl = lc_vec_push(&b->leases);
			if (!bl) {
				r = -ENOMEM;
				break;
			}
			bl->l = ((struct lc_lease *)tmp.items)[i];
			bl->net = (uint32_t)net;
			bl->file = b->n_files;
			bl->off = i;
		}
	}
	b->n_files++;
	lc_vec_free(&tmp);
	return r == -ENOMEM ? r : 0;
}

/* ---- the cold path: look only at objects that can matter ------------------ */

static int keep_file(struct builder *b, char *buf, size_t len, uint32_t net, bool is_status)
{
	/* the framing is what a cut-short or half-written file fails; the
	 * objects we take are then parsed in full.  A file broken inside
	 * (framing intact) is not walked byte by byte here: that is the cost
	 * this path exists to avoid (see the man page). */
	uint32_t file = is_status ? b->n_files++ : 0;
	if (!lease_json_framing_ok(buf, len)) {
		lc_big_free(buf);
		return 0;
	}
	struct kept_file *k = lc_vec_push(&b->kept);
	if (!k) {
		lc_big_free(buf);
		return -ENOMEM;
	}
	k->buf = buf;
	k->len = len;
	k->net = net;
	k->file = file;
	k->is_status = is_status;
	if (!is_status)
		((struct bnet *)b->nets.items)[net].has_macs = true;
	return 0;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

#define OBJECT_MAX (64u << 10) /* how far back an object may start */

struct hit_ctx {
	struct builder *b;
	struct kept_file *f;
	int r;
};

/* The top-level object around pos: the nearest '{' before it that follows
 * '[' or ',', parses in full, ends after pos, and is followed by ',' or
 * ']'.  A '{' inside a string never parses as such an object.  Known
 * limit: the second or later object of an array nested in an unknown key
 * (libvirt writes none) is not told apart from a lease here, while the
 * full load skips it. */
static int take_object(struct hit_ctx *h, size_t pos)
{
	struct kept_file *f = h->f;
	size_t low = pos > OBJECT_MAX ? pos - OBJECT_MAX : 0;

	for (size_t i = pos; i-- > low;) {
		if (f->buf[i] != '{')
			continue;
		size_t j = i;
		while (j > 0 && is_ws(f->buf[j - 1]))
			j--;
		if (j == 0 || (f->buf[j - 1] != '[' && f->buf[j - 1] != ','))
			continue;
		/* after '[', only the file's own array opens a lease object: an
		 * object first in an array inside an unknown key is not one */
		if (f->buf[j - 1] == '[') {
			size_t z = 0;
			while (z < j - 1 && is_ws(f->buf[z]))
				z++;
			if (z != j - 1)
				continue;
		}
		for (size_t s = 0; s < f->n_seen; s++)
			if (f->seen[s] == i)
				return 0; /* taken already */
		struct json_cursor c;
		json_init(&c, f->buf + i, f->len - i);
		struct lc_lease l;
		struct lc_macs_entry e;
		int k = f->is_status
				? lease_status_object(&c, &h->b->db->arena, LEASE_SKIP_DHCP6_ID, &l)
				: lease_macs_object(&c, &e);
		if (k == -ENOMEM)
			return k;
		if (k < 0)
			continue;
		size_t end = (size_t)(c.p - f->buf);
		if (end <= pos || !(json_peek(&c, ',') || json_peek(&c, ']'))) {
			if (!f->is_status)
				free(e.macs);
			continue;
		}
		if (f->n_seen == f->cap_seen) {
			size_t ncap = f->cap_seen ? f->cap_seen * 2 : 8;
			size_t *ns = realloc(f->seen, ncap * sizeof(*ns));
			if (!ns) {
				if (!f->is_status)
					free(e.macs);
				return -ENOMEM;
			}
			f->seen = ns;
			f->cap_seen = ncap;
		}
		f->seen[f->n_seen++] = i;
		if (k == 0)
			return 0;
		if (f->is_status) {
			struct blease *bl = lc_vec_push(&h->b->leases);
			if (!bl)
				return -ENOMEM;
			bl->l = l;
			bl->net = f->net;
			bl->file = f->file;
			bl->off = i;
			return 0;
		}
		uint32_t gi;
		int r = guest_find_or_add(h->b, e.domain, &gi);
		struct bguest *g = &((struct bguest *)h->b->guests.items)[gi];
		if (r == 0 && !g->found_in)
			g->found_in = f;
		for (size_t m = 0; r >= 0 && m < e.n_macs; m++)
			r = mac_put(h->b, e.macs[m], gi, -1);
		free(e.macs);
		return r;
	}
	return 0;
}

static int on_hit(void *ud, size_t needle, size_t pos)
{
	struct hit_ctx *h = ud;
	int r = take_object(h, pos);
	return r < 0 ? r : 0;
}

static int scan_kept(struct builder *b, bool status, const struct scan_needle *nd, size_t n)
{
	struct kept_file *k = b->kept.items;
	if (n == 0)
		return 0;
	for (size_t i = 0; i < b->kept.n; i++) {
		if (k[i].is_status != status)
			continue;
		struct hit_ctx h = {b, &k[i], 0};
		int r = scan_find(k[i].buf, k[i].len, nd, n, on_hit, &h);
		if (r < 0)
			return r;
	}
	return 0;
}

/* MAC strings as needles, for the MACs selected by want(). */
static int mac_needles(struct lc_arena *A, const uint8_t (*macs)[LC_MAC_LEN], size_t n_macs,
		       struct scan_needle **ret, size_t *ret_n)
{
	struct scan_needle *nd = lc_arena_alloc(A, (n_macs ? n_macs : 1) * sizeof(*nd));
	if (!nd)
		return -ENOMEM;
	for (size_t i = 0; i < n_macs; i++) {
		char *s = lc_arena_alloc(A, 18);
		if (!s)
			return -ENOMEM;
		lc_mac_format(macs[i], s);
		nd[i] = (struct scan_needle){s, 17, false};
	}
	*ret = nd;
	*ret_n = n_macs;
	return 0;
}

/* Needles for the MACs the macmap holds now whose leases were not looked
 * for yet; they count as looked for from now on. */
static int new_mac_needles(struct builder *b, struct scan_needle **ret, size_t *ret_n)
{
	uint8_t (*list)[LC_MAC_LEN] = malloc((b->n_macs ? b->n_macs : 1) * LC_MAC_LEN);
	size_t n = 0;
	if (!list)
		return -ENOMEM;
	for (size_t i = 0; b->macs && i <= b->macs_mask; i++) {
		if (!b->macs[i].key || b->macs[i].searched)
			continue;
		b->macs[i].searched = true;
		uint64_t k = b->macs[i].key - 1;
		for (int j = LC_MAC_LEN - 1; j >= 0; j--, k >>= 8)
			list[n][j] = (uint8_t)(k & 0xff);
		n++;
	}
	int r = mac_needles(&b->db->arena, (const uint8_t(*)[LC_MAC_LEN])list, n, ret, ret_n);
	free(list);
	return r;
}

/*
 * Every name a query can match starts with its first label, so an object
 * that can matter holds that label as a string, or holds the MAC of a
 * guest that does:
 *   1. .macs: entries naming the label -> guests and their MACs;
 *   2. .status: leases naming the label or one of those MACs;
 *   3. .macs again for the MACs of leases found by hostname alone (their
 *      guest may go by another domain name), then for the domain names of
 *      the guests that finds (their other NICs, on other bridges), and
 *      .status for those guests' other MACs.
 * What this yields goes through the same build as a full load, so the
 * answer for this one name is the one a full load gives.
 */
static int load_filtered(struct builder *b)
{
	struct lc_arena *A = &b->db->arena;
	struct scan_needle label = {b->label, b->label_len, true};
	struct scan_needle *nd;
	size_t n_nd, before;
	int r;

	if ((r = scan_kept(b, false, &label, 1)) < 0)
		return r;
	/* 2: the label, and every MAC known so far (records and .macs hits) */
	if ((r = new_mac_needles(b, &nd, &n_nd)) < 0)
		return r;
	struct scan_needle *all = lc_arena_alloc(A, (n_nd + 1) * sizeof(*all));
	if (!all)
		return -ENOMEM;
	all[0] = label;
	memcpy(all + 1, nd, n_nd * sizeof(*nd));
	before = b->leases.n;
	/* A bare name that is a guest's domain name is that guest: a domain
	 * name outranks every DHCP hostname, so only its MACs' leases matter
	 * (`ssh node1`, the common case, skips a pass). */
	bool skip_label = false;
	if (b->label[b->label_len] == '\0') {
		const struct bguest *g = b->guests.items;
		for (size_t i = 0; i < b->guests.n && !skip_label; i++)
			skip_label = lc_streq_fold(g[i].name, b->label);
	}
	if ((r = skip_label ? scan_kept(b, true, all + 1, n_nd) : scan_kept(b, true, all, n_nd + 1)) < 0)
		return r;
	/* 3: leases whose MAC no known guest has */
	struct blease *bl = b->leases.items;
	uint8_t (*orphans)[LC_MAC_LEN] = malloc((b->leases.n - before + 1) * LC_MAC_LEN);
	size_t n_orphans = 0;
	if (!orphans)
		return -ENOMEM;
	for (size_t i = before; i < b->leases.n; i++)
		if (bl[i].l.has_mac && !mac_find(b, bl[i].l.mac))
			memcpy(orphans[n_orphans++], bl[i].l.mac, LC_MAC_LEN);
	size_t known = b->n_macs, guests_before = b->guests.n;
	r = mac_needles(A, (const uint8_t(*)[LC_MAC_LEN])orphans, n_orphans, &nd, &n_nd);
	free(orphans);
	if (r < 0 || (r = scan_kept(b, false, nd, n_nd)) < 0)
		return r;
	if (b->n_macs == known)
		return 0;
	/* a guest found by one MAC lists its other NICs under its domain name
	 * in the other bridges' .macs (records, loaded whole, list them all) */
	size_t n_new = b->guests.n - guests_before;
	if (n_new) {
		struct scan_needle *nn = lc_arena_alloc(A, n_new * sizeof(*nn));
		const struct bguest *g = b->guests.items;
		struct kept_file *k = b->kept.items;
		if (!nn)
			return -ENOMEM;
		/* libvirt lists a domain once per bridge: the file that named
		 * it need not be searched for it again */
		for (size_t f = 0; f < b->kept.n; f++) {
			size_t n = 0;
			if (k[f].is_status)
				continue;
			for (size_t i = 0; i < n_new; i++) {
				const struct bguest *gi = &g[guests_before + i];
				if (gi->found_in != &k[f])
					nn[n++] = (struct scan_needle){gi->name, strlen(gi->name), false};
			}
			struct hit_ctx h = {b, &k[f], 0};
			if (n && (r = scan_find(k[f].buf, k[f].len, nn, n, on_hit, &h)) < 0)
				return r;
		}
	}
	/* the guests found in step 3 may have more NICs: their leases (the
	 * MACs searched in step 2 are not searched again) */
	if ((r = new_mac_needles(b, &nd, &n_nd)) < 0)
		return r;
	return scan_kept(b, true, nd, n_nd);
}

static int load_lease_dir(struct builder *b)
{
	const char *dir = b->paths->lease_dir;
	char **names, path[4096], stem_buf[256];
	size_t n, stem;
	int r;

	r = list_dir(b, dir, &names, &n);
	if (r < 0) {
		if (r == -ENOMEM)
			return r;
		b->db->unavailable = true;
		return 0;
	}
	/* networks first (.conf), then who is plugged in (.macs), then leases */
	for (int pass = 0; pass < 3 && r >= 0; pass++) {
		static const char *const sfx[] = {".conf", ".macs", ".status"};
		for (size_t i = 0; i < n && r >= 0; i++) {
			char *buf;
			size_t len;

			if (!ends_with(names[i], sfx[pass], &stem) || stem >= sizeof(stem_buf))
				continue;
			memcpy(stem_buf, names[i], stem);
			stem_buf[stem] = '\0';
			if (path_join(path, sizeof(path), dir, names[i]) < 0)
				continue;
			if (pass == 0) {
				struct lc_netconf nc;
				/* 0600 root-only: a normal user's process can't read it,
				 * which is why hook records exist */
				if (build_read(b, path, 1u << 20, &buf, &len) < 0)
					continue;
				if (lease_parse_netconf(buf, len, &nc) == 0)
					r = add_net(b, stem_buf, nc.bridge, nc.domain,
						    nc.isolated ? LC_CLASS_ISOLATED : LC_CLASS_EXTERNAL);
				lc_big_free(buf);
			} else if (b->label) {
				int ni = net_by_bridge(b, stem_buf, true);
				if (ni < 0)
					r = ni;
				else if (build_read(b, path, LC_FILE_MAX, &buf, &len) == 0)
					r = keep_file(b, buf, len, (uint32_t)ni, pass == 2);
			} else if (pass == 1) {
				struct lc_vec entries = {.item_size = sizeof(struct lc_macs_entry)};
				int ni;
				if (build_read(b, path, LC_FILE_MAX, &buf, &len) < 0)
					continue;
				int pr = lease_parse_macs(buf, len, &entries);
				lc_big_free(buf);
				if (pr == -ENOMEM) {
					r = pr;
					break;
				}
				ni = net_by_bridge(b, stem_buf, true);
				if (ni < 0) {
					r = ni;
					lease_macs_free(&entries);
					break;
				}
				/* only a .macs file that parsed says who is plugged in */
				if (pr == 0)
					((struct bnet *)b->nets.items)[ni].has_macs = true;
				struct lc_macs_entry *e = entries.items;
				for (size_t k = 0; k < entries.n && r >= 0; k++) {
					uint32_t gi;
					r = guest_find_or_add(b, e[k].domain, &gi);
					for (size_t m = 0; r >= 0 && m < e[k].n_macs; m++)
						r = mac_put(b, e[k].macs[m], gi, -1);
				}
				lease_macs_free(&entries);
			} else {
				int ni = net_by_bridge(b, stem_buf, true);
				if (ni < 0)
					r = ni;
				else
					r = load_status(b, path, (uint32_t)ni);
			}
		}
	}
	free_names(names, n);
	if (r >= 0 && b->label)
		r = load_filtered(b);
	return r;
}

/* ---- hosts ------------------------------------------------------------------ */

static struct lc_host *host_at(struct builder *b, uint32_t i)
{
	return &((struct lc_host *)b->hosts.items)[i];
}

/* A DHCP-only host, found or made by its hostname.  One whose hostname is
 * a guest's domain name stays a host of its own: its MAC is not the
 * guest's (cmp_host keeps the name for the guest). */
static int hostname_host(struct builder *b, const char *hostname, uint32_t *ret)
{
	size_t len = strlen(hostname);
	uint32_t hi;

	if (lc_strmap_get(&b->hn_hosts, hostname, len, &hi)) {
		*ret = hi;
		return 0;
	}
	struct lc_host *h = lc_vec_push(&b->hosts);
	if (!h)
		return -ENOMEM;
	h->name = hostname;
	hi = (uint32_t)(b->hosts.n - 1);
	int r = lc_strmap_put(&b->hn_hosts, hostname, len, hi, NULL);
	if (r < 0)
		return r;
	*ret = hi;
	return 0;
}

static int prefer_index(const struct lc_config *cfg, const char *net)
{
	for (size_t i = 0; i < cfg->n_prefer; i++)
		if (!strcmp(cfg->prefer[i], net))
			return (int)i;
	return -1;
}

static int cmp_blease(const void *x, const void *y)
{
	const struct blease *a = x, *b = y;
	if (a->file != b->file)
		return a->file < b->file ? -1 : 1;
	return (a->off > b->off) - (a->off < b->off);
}

static int assign_leases(struct builder *b)
{
	/* the cold path finds leases in scan order; put them in file order */
	if (b->label && b->leases.n)
		qsort(b->leases.items, b->leases.n, sizeof(struct blease), cmp_blease);
	struct blease *bl = b->leases.items;
	struct bnet *nets = b->nets.items;
	struct lc_arena *A = &b->db->arena;

	for (size_t i = 0; i < b->leases.n; i++) {
		const struct lc_lease *l = &bl[i].l;
		const struct bnet *net = &nets[bl[i].net];
		struct bmac *m = l->has_mac ? mac_find(b, l->mac) : NULL;
		bool live;
		uint32_t hi;
		int r;

		if (l->expiry != LC_EXPIRY_INFINITE && l->expiry <= b->now)
			continue; /* expired leases never come back */
		/* On a bridge with a .macs file, a MAC in none of them is an
		 * unplugged NIC: a stopped guest. */
		live = m || !net->has_macs;
		if (m) {
			hi = m->guest;
		} else if (l->hostname) {
			if ((r = hostname_host(b, l->hostname, &hi)) < 0)
				return r;
		} else {
			continue; /* no name to find it by */
		}
		struct lc_host *h = host_at(b, hi);
		if (!live)
			continue;
		h->running = true;
		if (l->expiry < b->db->next_expiry)
			b->db->next_expiry = l->expiry;
		struct pending *p = lc_vec_push(&b->pending);
		char *mac = lc_arena_alloc(A, 18);
		if (!p || !mac)
			return -ENOMEM;
		if (l->has_mac)
			lc_mac_format(l->mac, mac);
		else
			strcpy(mac, "-");
		p->host = hi;
		p->a = (struct lc_host_addr){
			.addr = l->addr,
			.network = net->name,
			.bridge = net->bridge,
			.domain = net->domain,
			.mac_str = mac,
			.klass = net->klass,
			.expiry = l->expiry,
			.nic_index = m ? m->nic_index : -1,
			.prefer_index = prefer_index(&b->db->config, net->name),
		};
		p->a.rule = LC_RULE_TIEBREAK;
	}
	return 0;
}


static bool addr_equal(const struct lc_addr *a, const struct lc_addr *b)
{
	return a->family == b->family &&
	       !memcmp(a->bytes, b->bytes, a->family == AF_INET ? 4 : 16);
}

/* Add name to a NULL-terminated alias list under construction, once. */
static int alias_add(struct lc_arena *A, const char **list, size_t *n, size_t cap, const char *self,
		     const char *name)
{
	if (lc_streq_fold(name, self))
		return 0;
	for (size_t i = 0; i < *n; i++)
		if (lc_streq_fold(list[i], name))
			return 0;
	if (*n >= cap)
		return 0;
	list[(*n)++] = name;
	(void)A;
	return 0;
}

static char *join3(struct lc_arena *A, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la + 1 + lb > LC_NAME_MAX)
		return NULL;
	char *s = lc_arena_alloc(A, la + lb + 2);
	if (!s)
		return NULL;
	memcpy(s, a, la);
	s[la] = '.';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

/* Hostnames of a host's live leases, needed for aliases: looked up again
 * from the leases by address, since pending entries carry only the address. */
static int finish_hosts(struct builder *b)
{
	struct lc_arena *A = &b->db->arena;
	struct pending *p = b->pending.items;
	struct blease *bl = b->leases.items;
	const struct lc_config *cfg = &b->db->config;
	size_t n = b->pending.n;

	/* group by host: a counting sort, stable and linear (qsort of these
	 * wide records was a tenth of a full build) */
	if (n) {
		size_t *start = calloc(b->hosts.n + 1, sizeof(*start));
		struct pending *sorted = malloc(n * sizeof(*sorted));
		if (!start || !sorted) {
			free(start);
			free(sorted);
			return -ENOMEM;
		}
		for (size_t i = 0; i < n; i++)
			start[p[i].host + 1]++;
		for (size_t h = 0; h < b->hosts.n; h++)
			start[h + 1] += start[h];
		for (size_t i = 0; i < n; i++)
			sorted[start[p[i].host]++] = p[i];
		free(start);
		free(b->pending.items);
		b->pending.items = p = sorted;
		b->pending.cap = n;
	}
	/* hostnames per host: walk leases once more, keyed by host */
	const char **hn = calloc(b->hosts.n ? b->hosts.n : 1, sizeof(*hn));
	if (!hn)
		return -ENOMEM;
	for (size_t i = 0; i < b->leases.n; i++) {
		const struct lc_lease *l = &bl[i].l;
		struct bmac *m;
		if (!l->hostname || !l->has_mac || !(m = mac_find(b, l->mac)))
			continue;
		if (l->expiry != LC_EXPIRY_INFINITE && l->expiry <= b->now)
			continue;
		/* one DHCP hostname per guest is the norm; keep the first */
		if (!hn[m->guest])
			hn[m->guest] = l->hostname;
	}

	size_t i = 0;
	for (uint32_t h = 0; h < b->hosts.n; h++) {
		struct lc_host *host = host_at(b, h);
		size_t start = i;
		while (i < n && p[i].host == h)
			i++;
		size_t cnt = i - start;
		if (cnt) {
			host->addrs = lc_arena_alloc(A, cnt * sizeof(*host->addrs));
			if (!host->addrs)
				goto nomem;
			size_t k = 0;
			for (size_t q = start; q < i; q++) {
				bool dup = false;
				for (size_t z = 0; z < k; z++)
					if (addr_equal(&host->addrs[z].addr, &p[q].a.addr))
						dup = true;
				if (!dup)
					host->addrs[k++] = p[q].a;
			}
			host->n_addrs = k;
			lc_rank_sort(host->addrs, k);
		}
		/* aliases: the DHCP hostname when it differs, then each name with
		 * each configured suffix and each network domain */
		size_t cap = 2 * (1 + cfg->n_domains + host->n_addrs) + 1;
		const char **al = lc_arena_alloc(A, (cap + 1) * sizeof(*al));
		size_t na = 0;
		if (!al)
			goto nomem;
		const char *bases[2] = {host->name, hn[h]};
		if (hn[h])
			alias_add(A, al, &na, cap, host->name, hn[h]);
		for (int bi = 0; bi < 2; bi++) {
			if (!bases[bi])
				continue;
			for (size_t d = 0; d < cfg->n_domains; d++) {
				char *f = join3(A, bases[bi], cfg->domains[d]);
				if (f)
					alias_add(A, al, &na, cap, host->name, f);
			}
			for (size_t a = 0; a < host->n_addrs; a++) {
				if (!host->addrs[a].domain)
					continue;
				char *f = join3(A, bases[bi], host->addrs[a].domain);
				if (f)
					alias_add(A, al, &na, cap, host->name, f);
			}
		}
		al[na] = NULL;
		host->aliases = al;
		host->n_aliases = na;
	}
	free(hn);
	return 0;
nomem:
	free(hn);
	return -ENOMEM;
}

/* ---- indexes ------------------------------------------------------------------ */

static size_t pow2_at_least(size_t n)
{
	size_t c = 16;
	while (c < n)
		c <<= 1;
	return c;
}

static void name_put(struct lc_db *db, const char *key, uint32_t host)
{
	size_t len = strlen(key);
	if (len > LC_NAME_MAX)
		return;
	for (size_t i = lc_hash_fold(key, len) & db->names_mask;; i = (i + 1) & db->names_mask) {
		struct name_slot *s = &db->names[i];
		if (!s->host) {
			s->key = key;
			s->len = (uint32_t)len;
			s->host = host + 1;
			return;
		}
		if (s->len == len && lc_strneq_fold(s->key, key, len))
			return; /* first one wins: domain names were put first */
	}
}

static const struct lc_host *name_get(const struct lc_db *db, const char *key, size_t len)
{
	if (!db->names)
		return NULL;
	for (size_t i = lc_hash_fold(key, len) & db->names_mask;; i = (i + 1) & db->names_mask) {
		const struct name_slot *s = &db->names[i];
		if (!s->host)
			return NULL;
		if (s->len == len && lc_strneq_fold(s->key, key, len))
			return &db->hosts[s->host - 1];
	}
}

static size_t addr_hash(const struct lc_addr *a)
{
	return lc_hash_fold((const char *)a->bytes, a->family == AF_INET ? 4 : 16) ^
	       (size_t)a->family;
}

static void addr_put(struct lc_db *db, const struct lc_addr *a, uint32_t host, uint32_t idx)
{
	for (size_t i = addr_hash(a) & db->addrs_mask;; i = (i + 1) & db->addrs_mask) {
		struct addr_slot *s = &db->addrs[i];
		if (!s->host) {
			s->addr = *a;
			s->host = host + 1;
			s->idx = idx;
			return;
		}
		if (addr_equal(&s->addr, a))
			return;
	}
}

static int cmp_host(const void *x, const void *y)
{
	const struct lc_host *a = x, *b = y;
	if (a->running != b->running)
		return a->running ? -1 : 1;
	/* a guest before a DHCP-only client of the same name: the name index
	 * keeps the first, and qsort is not stable */
	if (a->guest != b->guest)
		return a->guest ? -1 : 1;
	return strcmp(a->name, b->name);
}

static int build_indexes(struct lc_db *db)
{
	size_t n_names = 0, n_addrs = 0;

	for (size_t i = 0; i < db->n_hosts; i++) {
		n_names += 2;
		n_addrs += db->hosts[i].n_addrs;
	}
	db->names_mask = pow2_at_least(n_names * 2) - 1;
	db->addrs_mask = pow2_at_least(n_addrs * 2) - 1;
	db->names = calloc(db->names_mask + 1, sizeof(*db->names));
	db->addrs = calloc(db->addrs_mask + 1, sizeof(*db->addrs));
	if (!db->names || !db->addrs)
		return -ENOMEM;
	/* domain names first, so a DHCP hostname never shadows a guest.  A
	 * stopped host answers no lookup, so its name is not indexed: it would
	 * only hide a running guest that now asks DHCP for that hostname. */
	for (size_t i = 0; i < db->n_hosts; i++)
		if (db->hosts[i].running)
			name_put(db, db->hosts[i].name, (uint32_t)i);
	for (size_t i = 0; i < db->n_hosts; i++) {
		const struct lc_host *h = &db->hosts[i];
		/* the first alias is the DHCP hostname when there is one */
		if (h->n_aliases && !strchr(h->aliases[0], '.'))
			name_put(db, h->aliases[0], (uint32_t)i);
		for (size_t a = 0; a < h->n_addrs; a++)
			addr_put(db, &h->addrs[a].addr, (uint32_t)i, (uint32_t)a);
	}
	return 0;
}

/* ---- build ------------------------------------------------------------------------- */

static void builder_free(struct builder *b)
{
	struct kept_file *k = b->kept.items;
	for (size_t i = 0; i < b->kept.n; i++) {
		lc_big_free(k[i].buf);
		free(k[i].seen);
	}
	lc_vec_free(&b->kept);
	lc_vec_free(&b->nets);
	lc_vec_free(&b->guests);
	lc_vec_free(&b->leases);
	lc_vec_free(&b->pending);
	lc_strmap_free(&b->guest_by_name);
	lc_strmap_free(&b->hn_hosts);
	free(b->macs);
}

int lc_db_load_tracked(const struct lc_paths *paths, int64_t now, const char *only_name,
		       lc_track_fn track, void *userdata, struct lc_db **ret_db)
{
	char label[LC_NAME_MAX + 1];
	struct builder b = {
		.paths = paths,
		.now = now,
		.track = track,
		.ud = userdata,
		.nets = {.item_size = sizeof(struct bnet)},
		.guests = {.item_size = sizeof(struct bguest)},
		.leases = {.item_size = sizeof(struct blease)},
		.hosts = {.item_size = sizeof(struct lc_host)},
		.pending = {.item_size = sizeof(struct pending)},
		.hn_hosts = {.fold = true},
		.kept = {.item_size = sizeof(struct kept_file)},
	};
	struct lc_db *db = calloc(1, sizeof(*db));
	int r;

	if (!db)
		return -ENOMEM;
	if (only_name && lc_name_normalize(only_name, label, sizeof(label)) == 0) {
		struct lc_addr lit;
		char *dot = strchr(label, '.');
		/* an address literal is answered through the address index,
		 * which only a full load builds */
		if (lc_addr_parse(label, strlen(label), &lit) < 0) {
			b.label = label;
			b.label_len = dot ? (size_t)(dot - label) : strlen(label);
		}
	}
	b.db = db;
	db->next_expiry = INT64_MAX;
	lc_config_defaults(&db->config);
	r = lc_config_load(paths->config, &db->config, NULL, NULL);
	track_stat(&b, paths->config);
	if (r < 0 && r != -ENOMEM)
		lc_config_defaults(&db->config); /* unreadable config: defaults */
	else if (r < 0)
		goto fail;
	if ((r = load_records(&b)) < 0)
		goto fail;
	if ((r = load_lease_dir(&b)) < 0)
		goto fail;
	for (size_t i = 0; i < db->config.n_leases; i++)
		if ((r = load_dnsmasq(&b, db->config.leases[i])) < 0)
			goto fail;
	if (b.oom) {
		r = -ENOMEM;
		goto fail;
	}

	/* hosts: every known guest first (in guest order), then DHCP-only ones */
	struct bguest *g = b.guests.items;
	for (size_t i = 0; i < b.guests.n; i++) {
		struct lc_host *h = lc_vec_push(&b.hosts);
		if (!h) {
			r = -ENOMEM;
			goto fail;
		}
		h->name = g[i].name;
		h->driver = g[i].driver;
		h->cluster = g[i].cluster;
		h->group = g[i].group;
		h->running = true; /* in a .macs file or a hook record: plugged in */
		h->guest = true;
	}
	if ((r = assign_leases(&b)) < 0)
		goto fail;
	if ((r = finish_hosts(&b)) < 0)
		goto fail;
	db->n_hosts = b.hosts.n;
	db->hosts = b.hosts.items;
	b.hosts.items = NULL;
	if (db->n_hosts)
		qsort(db->hosts, db->n_hosts, sizeof(*db->hosts), cmp_host);
	if ((r = build_indexes(db)) < 0)
		goto fail;
	builder_free(&b);
	*ret_db = db;
	return 0;
fail:
	builder_free(&b);
	lc_vec_free(&b.hosts);
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
	free(db->names);
	free(db->addrs);
	lc_config_free(&db->config);
	lc_arena_free(&db->arena);
	free(db);
}

int64_t lc_db_next_expiry(const struct lc_db *db)
{
	return db->next_expiry;
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

/* ---- queries ------------------------------------------------------------------------ */

bool lc_match_addr(const struct lc_match *m, size_t i)
{
	const struct lc_host_addr *a = &m->host->addrs[i];
	if (m->only_idx >= 0 && (size_t)m->only_idx != i)
		return false;
	if (m->family != AF_UNSPEC && a->addr.family != m->family)
		return false;
	if (m->domain && (!a->domain || strcmp(a->domain, m->domain) != 0))
		return false;
	return true;
}

static bool addr_find(const struct lc_db *db, const struct lc_addr *a,
		      const struct lc_host **ret_host, uint32_t *ret_idx)
{
	if (!db->addrs)
		return false;
	for (size_t s = addr_hash(a) & db->addrs_mask;; s = (s + 1) & db->addrs_mask) {
		const struct addr_slot *sl = &db->addrs[s];
		if (!sl->host)
			return false;
		if (addr_equal(&sl->addr, a)) {
			*ret_host = &db->hosts[sl->host - 1];
			*ret_idx = sl->idx;
			return true;
		}
	}
}

static enum lc_lookup finish_match(struct lc_match *m, struct lc_match *ret)
{
	for (size_t i = 0; i < m->host->n_addrs; i++)
		if (lc_match_addr(m, i)) {
			*ret = *m;
			return LC_FOUND;
		}
	*ret = *m;
	return LC_NODATA;
}

static bool is_config_domain(const struct lc_db *db, const char *s)
{
	for (size_t i = 0; i < db->config.n_domains; i++)
		if (!strcmp(db->config.domains[i], s))
			return true;
	return false;
}

static bool host_has_domain(const struct lc_host *h, const char *s)
{
	for (size_t i = 0; i < h->n_addrs; i++)
		if (h->addrs[i].domain && !strcmp(h->addrs[i].domain, s))
			return true;
	return false;
}

enum lc_lookup lc_db_lookup_name(const struct lc_db *db, const char *name, int family,
				 struct lc_match *ret_match)
{
	char q[LC_NAME_MAX + 1];
	struct lc_match m = {.family = family, .only_idx = -1};
	struct lc_addr lit;
	size_t len;

	if (lc_name_normalize(name, q, sizeof(q)) < 0)
		return LC_NOTFOUND;
	len = strlen(q);

	/* an address literal that is a guest's: answer as the reverse path does */
	if (lc_addr_parse(q, len, &lit) == 0) {
		uint32_t idx;
		if (!addr_find(db, &lit, &m.host, &idx))
			return db->unavailable ? LC_UNAVAIL : LC_NOTFOUND;
		m.only_idx = (int)idx;
		return finish_match(&m, ret_match);
	}

	const struct lc_host *h = name_get(db, q, len);
	if (h && h->running) {
		m.host = h;
		return finish_match(&m, ret_match);
	}
	/* name.suffix: the longest known name first */
	for (size_t i = len; i-- > 1;) {
		if (q[i] != '.')
			continue;
		h = name_get(db, q, i);
		if (!h || !h->running)
			continue;
		const char *suffix = q + i + 1;
		if (is_config_domain(db, suffix)) {
			m.host = h;
			return finish_match(&m, ret_match);
		}
		if (host_has_domain(h, suffix)) {
			m.host = h;
			/* only the addresses on networks of that domain */
			const struct lc_host_addr *a = h->addrs;
			for (size_t k = 0; k < h->n_addrs; k++)
				if (a[k].domain && !strcmp(a[k].domain, suffix)) {
					m.domain = a[k].domain;
					break;
				}
			return finish_match(&m, ret_match);
		}
	}
	return db->unavailable ? LC_UNAVAIL : LC_NOTFOUND;
}

enum lc_lookup lc_db_lookup_addr(const struct lc_db *db, const struct lc_addr *addr,
				 const struct lc_host **ret_host)
{
	uint32_t idx;
	if (addr_find(db, addr, ret_host, &idx))
		return LC_FOUND;
	return db->unavailable ? LC_UNAVAIL : LC_NOTFOUND;
}
