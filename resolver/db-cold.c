/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cold path: a process's first lookup of a name keeps the .macs and
 * .status buffers whole and parses only the objects that can matter to
 * that name, found with scan_find.  What it takes goes through the same
 * host assembly as a full load (db-hosts.c), so it answers that one name
 * exactly as a full load would.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "resolver/db-internal.h"
#include "resolver/json.h"
#include "resolver/scan.h"

/* ---- the cold path: look only at objects that can matter ------------------ */

int db_keep_file(struct builder *b, char *buf, size_t len, const char *stem, bool is_status)
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
	size_t sl = strlen(stem);
	char *st = lc_arena_strndup(&b->files, stem, sl);
	struct kept_file *k = st ? lc_vec_push(&b->kept) : NULL;
	if (!k) {
		lc_big_free(buf);
		return -ENOMEM;
	}
	k->buf = buf;
	k->len = len;
	k->stem = st;
	k->stem_len = sl;
	k->net = (uint32_t)(b->kept.n - 1); /* until db_cold_nets */
	k->file = file;
	k->is_status = is_status;
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

	for (size_t i = pos; i > low;) {
		const char *open = memrchr(f->buf + low, '{', i - low);
		if (!open)
			break;
		i = (size_t)(open - f->buf);
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
			    : lease_macs_object(&c, &h->b->files, &e);
		if (k == -ENOMEM)
			return k;
		if (k < 0)
			continue;
		size_t end = (size_t)(c.p - f->buf);
		if (end <= pos || !(json_peek(&c, ',') || json_peek(&c, ']')))
			continue;
		if (f->n_seen == f->cap_seen) {
			/* in the build's scratch arena: a file takes a few */
			size_t ncap = f->cap_seen ? f->cap_seen * 2 : 8;
			size_t *ns = lc_arena_grow(&h->b->files, f->seen, f->cap_seen * sizeof(*ns),
						   ncap * sizeof(*ns));
			if (!ns)
				return -ENOMEM;
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
			f->leased = true;
			return 0;
		}
		uint32_t gi;
		int r = db_guest_find_or_add(h->b, e.domain, &gi);
		struct bguest *g = &((struct bguest *)h->b->guests.items)[gi];
		if (r == 0 && !g->found_in)
			g->found_in = f;
		if (r == 0)
			g->followed = true;
		for (size_t m = 0; r >= 0 && m < e.n_macs; m++)
			r = db_mac_put(h->b, e.macs[m], gi, -1);
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

/* scan_find_in over the kept files of one kind (kind < 0: both), a
 * hit_ctx for each, in batches: a lab with a few bridges in one. */
#define SCAN_FILES_MAX 16

static int scan_files(struct builder *b, int kind, const struct scan_needle *nd, size_t n,
		      scan_hit_fn fn)
{
	struct kept_file *k = b->kept.items;
	struct hit_ctx h[SCAN_FILES_MAX];
	struct scan_buf bufs[SCAN_FILES_MAX];
	size_t nb = 0;
	int r;

	for (size_t i = 0; i < b->kept.n; i++) {
		if (kind >= 0 && k[i].is_status != kind)
			continue;
		h[nb] = (struct hit_ctx){b, &k[i], 0};
		bufs[nb] = (struct scan_buf){k[i].buf, k[i].len, &h[nb]};
		if (++nb < SCAN_FILES_MAX)
			continue;
		if ((r = scan_find_in(bufs, nb, nd, n, fn)) < 0)
			return r;
		nb = 0;
	}
	return nb ? scan_find_in(bufs, nb, nd, n, fn) : 0;
}

static int scan_kept(struct builder *b, bool status, const struct scan_needle *nd, size_t n)
{
	return n ? scan_files(b, status, nd, n, on_hit) : 0;
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

/* Needles for the MACs of followed guests that the macmap holds now and
 * whose leases were not looked for yet; they count as looked for from now
 * on. */
static int new_mac_needles(struct builder *b, struct scan_needle **ret, size_t *ret_n)
{
	uint8_t(*list)[LC_MAC_LEN];
	struct lc_map_slot *slots = b->macs.slots;
	const struct bguest *g = b->guests.items;
	size_t n = 0;
	if (b->macs.n == 0) {
		/* no MAC known (a miss): no needle, nothing to allocate */
		*ret = NULL;
		*ret_n = 0;
		return 0;
	}
	/* the needles and their MACs are the build's scratch (b->files): the
	 * db keeps none of them */
	if (!(list = lc_arena_alloc(&b->files, b->macs.n * LC_MAC_LEN)))
		return -ENOMEM;
	for (size_t i = 0; slots && i <= b->macs.mask; i++) {
		if (!slots[i].key || (slots[i].aux & BMAC_SEARCHED) || !g[slots[i].val].followed)
			continue;
		slots[i].aux |= BMAC_SEARCHED;
		uint64_t k = slots[i].key - 1;
		for (int j = LC_MAC_LEN - 1; j >= 0; j--, k >>= 8)
			list[n][j] = (uint8_t)(k & 0xff);
		n++;
	}
	return mac_needles(&b->files, (const uint8_t(*)[LC_MAC_LEN])list, n, ret, ret_n);
}

/* Whether a guest's names can match the query: every one of them starts
 * with its domain name, so that is the label, or the label and a dot. */
static bool guest_can_match(const struct builder *b, const char *name)
{
	return lc_strneq_fold(name, b->label, b->label_len) &&
	       (name[b->label_len] == '\0' || name[b->label_len] == '.');
}

/* Follow the guests that own the MACs of leases[from..): those not
 * followed yet go into *fresh (their names; a list of n_leases at most),
 * and MACs that no guest has into orphans. */
static void follow_lease_owners(struct builder *b, size_t from, const char **fresh, size_t *n_fresh,
				uint8_t (*orphans)[LC_MAC_LEN], size_t *n_orphans)
{
	const struct blease *bl = b->leases.items;
	struct bguest *g = b->guests.items;

	for (size_t i = from; i < b->leases.n; i++) {
		if (!bl[i].l.has_mac)
			continue;
		const struct lc_map_slot *m = db_mac_find(b, bl[i].l.mac);
		if (!m) {
			/* once each: a guest's DHCPv4 and DHCPv6 leases share its
			 * MAC (a pass per needle) */
			size_t o = 0;
			while (o < *n_orphans && memcmp(orphans[o], bl[i].l.mac, LC_MAC_LEN))
				o++;
			if (o == *n_orphans)
				memcpy(orphans[(*n_orphans)++], bl[i].l.mac, LC_MAC_LEN);
		} else if (!g[m->val].followed) {
			g[m->val].followed = true;
			fresh[(*n_fresh)++] = g[m->val].name;
		}
	}
}

/*
 * Every name a query can match starts with its first label, so an object
 * that can matter holds that label as a string, or holds the MAC of a
 * guest that does; such a guest is followed (struct bguest):
 *   1. .macs: entries naming the label -> guests and their MACs; and the
 *      guests of the hook's records whose domain name can match;
 *   2. .status: leases naming the label or a MAC of those guests;
 *   3. the guests that own the MACs of leases found by hostname alone (a
 *      guest may go by another domain name): their MACs from .macs (those
 *      no record or .macs hit named yet), then their domain names in the
 *      other bridges' .macs (their other NICs), and .status for all their
 *      MACs not searched yet.
 * A recorded guest that none of this reaches is not followed: the records
 * name every guest's MACs, and searching them all cost a pass of every
 * MAC string against up to 32 needles, for each 32 of them (90 records at
 * N=100: 2.3M instructions).  What this yields goes through the same build
 * as a full load, so the answer for this one name is the one a full load
 * gives.
 */
int db_load_filtered(struct builder *b, bool label_absent)
{
	struct lc_arena *A = &b->files; /* needles: the build's scratch */
	struct scan_needle label = {b->label, b->label_len, true};
	struct scan_needle *nd;
	size_t n_nd, before, guests_before = b->guests.n;
	int r;

	/* the records' guests come first in b->guests */
	struct bguest *gs = b->guests.items;
	for (size_t i = 0; i < guests_before; i++)
		gs[i].followed = guest_can_match(b, gs[i].name);
	if (!label_absent && (r = scan_kept(b, false, &label, 1)) < 0)
		return r;
	/* 2: the label, and every MAC of a followed guest */
	if ((r = new_mac_needles(b, &nd, &n_nd)) < 0)
		return r;
	struct scan_needle *all = lc_arena_alloc(A, (n_nd + 1) * sizeof(*all));
	if (!all)
		return -ENOMEM;
	all[0] = label;
	if (n_nd)
		memcpy(all + 1, nd, n_nd * sizeof(*nd));
	before = b->leases.n;
	/* A bare name that is a guest's domain name is that guest: a domain
	 * name outranks every DHCP hostname, so only its MACs' leases matter
	 * (`ssh node1`, the common case, skips a pass). */
	bool skip_label = label_absent;
	if (!skip_label && b->label[b->label_len] == '\0') {
		const struct bguest *g = b->guests.items;
		for (size_t i = 0; i < b->guests.n && !skip_label; i++)
			skip_label = lc_streq_fold(g[i].name, b->label);
	}
	if ((r = skip_label ? scan_kept(b, true, all + 1, n_nd)
			    : scan_kept(b, true, all, n_nd + 1)) < 0)
		return r;
	/* 3: the owners of what step 2 found (none when it found no lease: a
	 * miss ends here) */
	if (b->leases.n == before)
		return 0;
	size_t n_found = b->leases.n - before, n_fresh = 0, n_orphans = 0;
	uint8_t(*orphans)[LC_MAC_LEN] = lc_arena_alloc(A, (n_found + 1) * LC_MAC_LEN);
	const char **fresh = lc_arena_alloc(A, (n_found + 1) * sizeof(*fresh));
	if (!orphans || !fresh)
		return -ENOMEM;
	follow_lease_owners(b, before, fresh, &n_fresh, orphans, &n_orphans);
	size_t known = b->macs.n;
	guests_before = b->guests.n;
	r = mac_needles(A, (const uint8_t(*)[LC_MAC_LEN])orphans, n_orphans, &nd, &n_nd);
	if (r < 0 || (r = scan_kept(b, false, nd, n_nd)) < 0)
		return r;
	if (b->macs.n == known && !n_fresh)
		return 0;
	/* a guest found by one MAC lists its other NICs under its domain name
	 * in the other bridges' .macs (a record lists them all, but may be
	 * older than the guest's XML) */
	size_t n_new = b->guests.n - guests_before, n_names = n_new + n_fresh;
	if (n_names) {
		struct scan_needle *nn = lc_arena_alloc(A, n_names * sizeof(*nn));
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
					nn[n++] =
					    (struct scan_needle){gi->name, strlen(gi->name), false};
			}
			for (size_t i = 0; i < n_fresh; i++)
				nn[n++] = (struct scan_needle){fresh[i], strlen(fresh[i]), false};
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

/* ---- the networks, known last ------------------------------------------- */

/* A small lab's kept files are searched for a backslash (db_cold_whole): a
 * pass over every byte, cheap there.  Larger files are not. */
#define SMALL_LAB (16u << 10)

size_t lc_db_whole_max = LC_DB_WHOLE_MAX;

static int found(void *ud, size_t needle, size_t pos)
{
	(void)ud, (void)needle, (void)pos;
	return -ECANCELED; /* the first place is enough */
}

/*
 * Whether the cold path parses the kept files whole, as a full load does
 * (db_cold_nets), instead of taking only the objects that can matter:
 *
 * - A string with an escape may spell a name in other bytes ("n\u006fde1"),
 *   which no scan of the bytes sees.  So in a small lab whose kept files
 *   hold a backslash, they are parsed whole.  Larger files are not searched
 *   for one (a pass as costly as the scan itself): there a name written
 *   with escapes (libvirt writes none in names) is not found by the cold
 *   path.
 * - When the kept files total at most lc_db_whole_max bytes and the label
 *   stands in one of them (a hit, most likely), a whole parse costs little
 *   more than taking the objects, and the db it makes answers every later
 *   name too (lc_db_complete): a process that resolves several guests
 *   (ansible, a loop of ssh) parses the files once.  A miss (no label in
 *   any file) stays on the scan: the commonest lookup on a host is a name
 *   that is no guest's (the hook's records do not change that: the
 *   filtered path follows only the recorded guests that can match).
 *   *ret_absent then says the label is in no kept file,
 *   which db_load_filtered need not scan for again.
 */
int db_cold_whole(struct builder *b, bool *ret_absent)
{
	const struct kept_file *k = b->kept.items;
	struct scan_needle label = {b->label, b->label_len, true};
	size_t bytes = 0;

	*ret_absent = false;
	for (size_t i = 0; i < b->kept.n; i++)
		bytes += k[i].len;
	if (bytes <= SMALL_LAB)
		for (size_t i = 0; i < b->kept.n; i++)
			if (memchr(k[i].buf, '\\', k[i].len))
				return 1;
	if (bytes > lc_db_whole_max)
		return 0;
	int r = scan_files(b, -1, &label, 1, found);
	if (r == -ECANCELED)
		return 1;
	if (r < 0)
		return r;
	*ret_absent = true;
	return 0;
}

/*
 * db_load_filtered needs no network: a lease it takes records its kept
 * file, whose network db_cold_nets sets.  When it took no lease, no
 * network can matter to the answer: a network reaches a host only through
 * a lease of it, or through a record's discovered address, or the extra
 * dnsmasq lease files (loaded whole later, on networks named like a
 * .conf's).  Then the .conf files are not read at all (a miss, the
 * commonest lookup: `ssh github.com`).
 */
bool db_cold_nets_unused(const struct builder *b)
{
	return b->leases.n == 0 && b->seen.n == 0 && b->db->config.n_leases == 0;
}

/* A bridge the filtered path took a lease on: a leased kept .status is
 * named after it. */
static bool leased_bridge(void *ud, const char *s, size_t n)
{
	const struct builder *b = ud;
	const struct kept_file *k = b->kept.items;
	for (size_t i = 0; i < b->kept.n; i++)
		if (k[i].leased && k[i].stem_len == n && memcmp(k[i].stem, s, n) == 0)
			return true;
	return false;
}

/*
 * The same argument, file by file, on the filtered path (a cold load that
 * is not complete) when no record has an address and no extra lease file
 * is configured: a network then
 * reaches the answer only through a lease taken from its bridge's
 * .status.  A .conf whose interface= lines name none of those bridges
 * yields none of those networks, so it is read (and tracked, as a parsed
 * one is) but not parsed: where a guest's leases are on one of two
 * networks, half the .conf work.  The other bridges' networks are then
 * made from the bridge alone (db_cold_nets), and hold no lease.
 */
bool db_cold_conf_wanted(struct builder *b, const char *buf, size_t len)
{
	bool filtered = b->label && !b->db->complete;
	if (!filtered || b->seen.n || b->db->config.n_leases)
		return true;
	return lease_netconf_names(buf, len, leased_bridge, b);
}

int db_cold_nets(struct builder *b, bool whole)
{
	struct kept_file *k = b->kept.items;
	struct bnet *nets;

	for (size_t i = 0; i < b->kept.n; i++) {
		int ni = db_net_by_bridge(b, k[i].stem, true);
		if (ni < 0)
			return ni;
		k[i].net = (uint32_t)ni;
	}
	nets = b->nets.items;
	if (whole) {
		for (size_t i = 0; i < b->kept.n; i++) {
			int r = k[i].is_status
				    ? db_status_add(b, k[i].buf, k[i].len, k[i].net, k[i].file)
				    : db_macs_add(b, k[i].buf, k[i].len, (int)k[i].net);
			if (r < 0)
				return r;
		}
		return 0;
	}
	for (size_t i = 0; i < b->kept.n; i++)
		if (!k[i].is_status)
			nets[k[i].net].has_macs = true;
	/* a lease's net was its kept file's index */
	struct blease *bl = b->leases.items;
	for (size_t i = 0; i < b->leases.n; i++)
		bl[i].net = k[bl[i].net].net;
	return 0;
}
