/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolver/record-seen.h"
#include "resolver/resolver.h"
#include "resolver/util.h"

#define RECORD_HEADER "libvirt-cluster record 1"
#define RECORD_MAX (256u << 10)

/* Walk `key value` lines; calls fn for each, after checking the header. */
typedef int (*line_fn)(const char *key, size_t klen, const char *val, size_t vlen, void *ud);

static int record_walk(const char *buf, size_t len, const char *kind, line_fn fn, void *ud)
{
	const char *p = buf, *end = buf + len;
	const size_t kind_len = strlen(kind);
	bool header = false, kind_ok = false;

	if (memchr(buf, '\0', len))
		return -EBADMSG;
	/* written by rename, so a record without its final newline is not ours */
	if (len == 0 || buf[len - 1] != '\n')
		return -EBADMSG;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *k = p, *v;
		size_t kl, vl;

		if (!eol)
			eol = end;
		p = eol + 1;
		if (k == eol || *k == '#')
			continue;
		if (!header) {
			if ((size_t)(eol - k) != strlen(RECORD_HEADER) ||
			    memcmp(k, RECORD_HEADER, strlen(RECORD_HEADER)) != 0)
				return -EBADMSG;
			header = true;
			continue;
		}
		v = memchr(k, ' ', (size_t)(eol - k));
		if (!v) {
			kl = (size_t)(eol - k);
			v = eol;
			vl = 0;
		} else {
			kl = (size_t)(v - k);
			v++;
			vl = (size_t)(eol - v);
		}
		if (kl == 4 && !memcmp(k, "kind", 4)) {
			if (vl != kind_len || memcmp(v, kind, vl) != 0)
				return -EBADMSG;
			kind_ok = true;
			continue;
		}
		int r = fn(k, kl, v, vl, ud);
		if (r < 0)
			return r;
	}
	return header && kind_ok ? 0 : -EBADMSG;
}

static bool copy_field(char *dst, size_t size, const char *v, size_t vl)
{
	if (vl >= size)
		return false;
	memcpy(dst, v, vl);
	dst[vl] = '\0';
	return true;
}

#define KEY(name) (kl == sizeof(name) - 1 && !memcmp(k, name, kl))

static int guest_line(const char *k, size_t kl, const char *v, size_t vl, void *ud)
{
	struct lc_guest_record *g = ud;

	if (KEY("name"))
		return copy_field(g->name, sizeof(g->name), v, vl) ? 0 : -EBADMSG;
	if (KEY("uuid"))
		return copy_field(g->uuid, sizeof(g->uuid), v, vl) ? 0 : -EBADMSG;
	if (KEY("driver"))
		return copy_field(g->driver, sizeof(g->driver), v, vl) ? 0 : -EBADMSG;
	if (KEY("cluster"))
		return copy_field(g->cluster, sizeof(g->cluster), v, vl) ? 0 : -EBADMSG;
	if (KEY("group")) {
		if (!copy_field(g->group, sizeof(g->group), v, vl))
			return -EBADMSG;
		if (!lc_group_valid(g->group))
			g->group[0] = '\0';
		return 0;
	}
	if (KEY("nic")) {
		/* nic MAC NETWORK BRIDGE, in place: counted once the line is good */
		const char *s1 = memchr(v, ' ', vl);
		if (g->n_nics >= LC_RECORD_MAX_NICS || !s1)
			return -EBADMSG;
		struct lc_nic *nic = &g->nics[g->n_nics];
		if (lc_mac_parse(v, (size_t)(s1 - v), nic->mac) < 0)
			return -EBADMSG;
		const char *net = s1 + 1, *vend = v + vl;
		const char *s2 = memchr(net, ' ', (size_t)(vend - net));
		if (!s2)
			s2 = vend;
		if (!copy_field(nic->network, sizeof(nic->network), net, (size_t)(s2 - net)))
			return -EBADMSG;
		nic->bridge[0] = '\0';
		if (s2 < vend &&
		    !copy_field(nic->bridge, sizeof(nic->bridge), s2 + 1, (size_t)(vend - s2 - 1)))
			return -EBADMSG;
		if (nic->network[0] == '-' && nic->network[1] == '\0')
			nic->network[0] = '\0';
		g->n_nics++;
		return 0;
	}
	if (KEY("user")) {
		/* an invalid one is left out, as an invalid group is */
		if (!copy_field(g->user, sizeof(g->user), v, vl) || !lc_user_valid(g->user))
			g->user[0] = '\0';
		return 0;
	}
	if (KEY("hostkey")) {
		if (g->n_hostkeys < LC_RECORD_MAX_HOSTKEYS &&
		    lc_hostkey_parse(v, vl, &g->hostkeys[g->n_hostkeys]) == 0)
			g->n_hostkeys++;
		return 0;
	}
	if (KEY("addr"))
		return record_seen_line(v, vl, g->seen, &g->n_seen, LC_RECORD_MAX_SEEN);
	if (KEY("dropped"))
		return record_seen_line(v, vl, g->dropped, &g->n_dropped, LC_RECORD_MAX_DROPPED);
	return 0; /* unknown keys: from a newer writer */
}

static int net_line(const char *k, size_t kl, const char *v, size_t vl, void *ud)
{
	struct lc_net_record *n = ud;

	if (KEY("name"))
		return copy_field(n->name, sizeof(n->name), v, vl) ? 0 : -EBADMSG;
	if (KEY("uuid"))
		return copy_field(n->uuid, sizeof(n->uuid), v, vl) ? 0 : -EBADMSG;
	if (KEY("bridge"))
		return copy_field(n->bridge, sizeof(n->bridge), v, vl) ? 0 : -EBADMSG;
	if (KEY("forward"))
		return copy_field(n->forward, sizeof(n->forward), v, vl) ? 0 : -EBADMSG;
	if (KEY("domain")) {
		if (!copy_field(n->domain, sizeof(n->domain), v, vl))
			return -EBADMSG;
		for (char *c = n->domain; *c; c++)
			*c = lc_lower(*c);
		return 0;
	}
	if (KEY("ifindex")) {
		char tmp[16], *e;
		if (!copy_field(tmp, sizeof(tmp), v, vl))
			return -EBADMSG;
		long i = strtol(tmp, &e, 10);
		if (*e || e == tmp || i < 0 || i > 0x7fffffff)
			return -EBADMSG;
		n->ifindex = (int)i;
		return 0;
	}
	if (KEY("class")) {
		if (vl == 8 && !memcmp(v, "external", 8))
			n->klass = LC_CLASS_EXTERNAL;
		else if (vl == 8 && !memcmp(v, "isolated", 8))
			n->klass = LC_CLASS_ISOLATED;
		else
			n->klass = LC_CLASS_UNKNOWN;
		return 0;
	}
	if (KEY("address")) {
		if (n->n_addrs >= LC_RECORD_MAX_ADDRS)
			return 0;
		if (lc_addr_parse(v, vl, &n->addrs[n->n_addrs]) < 0)
			return -EBADMSG;
		n->n_addrs++;
		return 0;
	}
	if (KEY("subnet")) {
		if (n->n_subnets >= LC_RECORD_MAX_ADDRS)
			return 0;
		if (lc_prefix_parse(v, vl, &n->subnets[n->n_subnets]) < 0)
			return -EBADMSG;
		n->n_subnets++;
		return 0;
	}
	return 0;
}

/* The db's reader of a guest line: the login user and the host keys are
 * not the db's, and never make a record bad (an invalid one is left out),
 * so they are skipped unread: a record's three host keys, checked byte by
 * byte and copied, cost ten times the rest of its parse. */
static int guest_line_db(const char *k, size_t kl, const char *v, size_t vl, void *ud)
{
	if (KEY("hostkey") || KEY("user"))
		return 0;
	return guest_line(k, kl, v, vl, ud);
}

int record_guest_parse_in(const char *buf, size_t len, struct lc_guest_record *g, bool for_db)
{
	/* the names and the counts: the lists are read only up to their
	 * counts, and zeroing them all (37 KB) cost a db build more than the
	 * rest of a record's parse */
	memset(g, 0, offsetof(struct lc_guest_record, nics));
	g->n_nics = g->n_hostkeys = g->n_seen = g->n_dropped = 0;
	g->user[0] = '\0';
	int r = record_walk(buf, len, "guest", for_db ? guest_line_db : guest_line, g);
	if (r == 0 && !lc_record_name_valid(g->name))
		r = -EBADMSG;
	return r;
}

int lc_guest_record_parse(const char *buf, size_t len, struct lc_guest_record *ret)
{
	/* *ret stays as it was unless the record parses */
	struct lc_guest_record *g = calloc(1, sizeof(*g));
	int r;

	if (!g)
		return -ENOMEM;
	r = record_guest_parse_in(buf, len, g, false);
	if (r == 0)
		*ret = *g;
	free(g);
	return r;
}

int lc_net_record_parse(const char *buf, size_t len, struct lc_net_record *ret)
{
	struct lc_net_record n = {.klass = LC_CLASS_UNKNOWN};
	int r = record_walk(buf, len, "network", net_line, &n);
	if (r == 0 && !lc_record_name_valid(n.name))
		r = -EBADMSG;
	if (r == 0)
		*ret = n;
	return r;
}

static bool field_ok(const char *s)
{
	return !strchr(s, '\n');
}

/* Append to buf, tracking overflow. */
struct out {
	char *buf;
	size_t size, len;
	bool overflow;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->size - o->len)
		o->overflow = true;
	else
		o->len += (size_t)n;
}

int lc_guest_record_format(const struct lc_guest_record *r, char *buf, size_t size)
{
	struct out o = {buf, size, 0, false};

	if (!lc_record_name_valid(r->name) || !field_ok(r->uuid) || !field_ok(r->driver) ||
	    !field_ok(r->cluster) || strchr(r->cluster, ' ') ||
	    (r->group[0] && !lc_group_valid(r->group)))
		return -EINVAL;
	put(&o, RECORD_HEADER "\nkind guest\nname %s\n", r->name);
	if (r->uuid[0])
		put(&o, "uuid %s\n", r->uuid);
	if (r->driver[0])
		put(&o, "driver %s\n", r->driver);
	if (r->cluster[0])
		put(&o, "cluster %s\n", r->cluster);
	if (r->group[0])
		put(&o, "group %s\n", r->group);
	for (size_t i = 0; i < r->n_nics && i < LC_RECORD_MAX_NICS; i++) {
		char mac[18];
		const struct lc_nic *n = &r->nics[i];
		if (strchr(n->network, ' ') || strchr(n->network, '\n') || strchr(n->bridge, ' ') ||
		    strchr(n->bridge, '\n'))
			return -EINVAL;
		lc_mac_format(n->mac, mac);
		put(&o, "nic %s %s %s\n", mac, n->network[0] ? n->network : "-", n->bridge);
	}
	if (r->user[0] && !lc_user_valid(r->user))
		return -EINVAL;
	if (r->user[0])
		put(&o, "user %s\n", r->user);
	for (size_t i = 0; i < r->n_hostkeys && i < LC_RECORD_MAX_HOSTKEYS; i++) {
		const struct lc_hostkey *k = &r->hostkeys[i];
		struct lc_hostkey check;
		char line[sizeof(k->type) + sizeof(k->key) + 1];
		snprintf(line, sizeof(line), "%s %s", k->type, k->key);
		if (lc_hostkey_parse(line, strlen(line), &check) < 0)
			return -EINVAL;
		put(&o, "hostkey %s\n", line);
	}
	if (!o.overflow &&
	    (record_seen_format(buf, size, &o.len, "addr", r->seen,
				r->n_seen < LC_RECORD_MAX_SEEN ? r->n_seen : LC_RECORD_MAX_SEEN) <
		 0 ||
	     record_seen_format(buf, size, &o.len, "dropped", r->dropped,
				r->n_dropped < LC_RECORD_MAX_DROPPED ? r->n_dropped
								     : LC_RECORD_MAX_DROPPED) < 0))
		o.overflow = true;
	if (o.overflow)
		return -ENOBUFS;
	return 0;
}

int lc_net_record_format(const struct lc_net_record *r, char *buf, size_t size)
{
	struct out o = {buf, size, 0, false};

	if (!lc_record_name_valid(r->name) || !field_ok(r->uuid) || !field_ok(r->bridge) ||
	    !field_ok(r->forward) || !field_ok(r->domain))
		return -EINVAL;
	put(&o, RECORD_HEADER "\nkind network\nname %s\n", r->name);
	if (r->uuid[0])
		put(&o, "uuid %s\n", r->uuid);
	if (r->bridge[0])
		put(&o, "bridge %s\n", r->bridge);
	if (r->ifindex > 0)
		put(&o, "ifindex %d\n", r->ifindex);
	if (r->forward[0])
		put(&o, "forward %s\n", r->forward);
	put(&o, "class %s\n", lc_class_name(r->klass));
	if (r->domain[0])
		put(&o, "domain %s\n", r->domain);
	for (size_t i = 0; i < r->n_addrs && i < LC_RECORD_MAX_ADDRS; i++) {
		char a[64];
		put(&o, "address %s\n", lc_addr_format(&r->addrs[i], a, sizeof(a)));
	}
	for (size_t i = 0; i < r->n_subnets && i < LC_RECORD_MAX_ADDRS; i++) {
		char a[80];
		put(&o, "subnet %s\n", lc_prefix_format(&r->subnets[i], a, sizeof(a)));
	}
	if (o.overflow)
		return -ENOBUFS;
	return 0;
}

static int record_path(char *buf, size_t size, const char *dir, const char *prefix,
		       const char *name)
{
	if (!lc_record_name_valid(name))
		return -EINVAL;
	int n = snprintf(buf, size, "%s/%s%s.rec", dir, prefix, name);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* All of content, past short writes and EINTR. */
static int write_all(int fd, const char *content, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t k = write(fd, content + off, len - off);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += (size_t)k;
	}
	return 0;
}

/* A name next to path for the new content: unique to this write (pid and
 * a counter), so writers never share one. */
static int temp_name(char *buf, size_t size, const char *path)
{
	static unsigned counter;
	unsigned k = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
	if ((size_t)snprintf(buf, size, "%s.tmp.%ld.%u", path, (long)getpid(), k) >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* content into fd, whatever the umask, and synced */
static int write_synced(int fd, const char *content, size_t len)
{
	int r = fchmod(fd, 0644) < 0 ? -errno : 0;
	if (r == 0)
		r = write_all(fd, content, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	return r;
}

/* A file with no name (O_TMPFILE) in path's directory. */
static int open_unnamed(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');

	if (!slash || (size_t)(slash - path) >= sizeof(dir))
		return -EINVAL;
	size_t n = slash == path ? 1 : (size_t)(slash - path); /* "/" for "/name" */
	memcpy(dir, path, n);
	dir[n] = '\0';
	int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	return fd < 0 ? -errno : fd;
}

/* The new content, written and synced, under the temp name tmp next to
 * path: in a file with no name, then linked (a writer killed before the
 * link leaves nothing); where O_TMPFILE or /proc is missing, in a file
 * named tmp from the start. */
static int write_temp(const char *path, const char *content, size_t len, char *tmp, size_t size)
{
	char proc[64];
	int r = temp_name(tmp, size, path), fd;

	if (r < 0)
		return r;
	if ((fd = open_unnamed(path)) >= 0) {
		r = write_synced(fd, content, len);
		/* linkat(AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH; the /proc
		 * link does not */
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		bool linked =
		    r == 0 && linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0;
		close(fd);
		if (r < 0 || linked)
			return r;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	r = write_synced(fd, content, len);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

/* Replace path with content, whole or not at all: a reader sees the old
 * record or the new one, and a writer killed at any point leaves at most
 * a temp file, and that only between the link and the rename. */
int lc_write_atomic(const char *path, const char *content, size_t len)
{
	char tmp[4096];
	int r = write_temp(path, content, len, tmp, sizeof(tmp));

	if (r == 0 && rename(tmp, path) < 0) {
		r = -errno;
		unlink(tmp);
	}
	return r;
}

static int ensure_dir(const char *dir)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int lc_guest_record_write(const char *dir, const struct lc_guest_record *rec)
{
	char path[4096], *buf;
	int r;

	r = record_path(path, sizeof(path), dir, "guest-", rec->name);
	if (r < 0)
		return r;
	buf = malloc(RECORD_MAX);
	if (!buf)
		return -ENOMEM;
	r = lc_guest_record_format(rec, buf, RECORD_MAX);
	if (r == 0)
		r = ensure_dir(dir);
	if (r == 0)
		r = lc_write_atomic(path, buf, strlen(buf));
	free(buf);
	return r;
}

int lc_net_record_write(const char *dir, const struct lc_net_record *rec)
{
	char path[4096], buf[8192];
	int r;

	r = record_path(path, sizeof(path), dir, "net-", rec->name);
	if (r < 0)
		return r;
	r = lc_net_record_format(rec, buf, sizeof(buf));
	if (r == 0)
		r = ensure_dir(dir);
	if (r == 0)
		r = lc_write_atomic(path, buf, strlen(buf));
	return r;
}

static int remove_record(const char *dir, const char *prefix, const char *name)
{
	char path[4096];
	int r = record_path(path, sizeof(path), dir, prefix, name);
	if (r < 0)
		return r;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int lc_guest_record_remove(const char *dir, const char *name)
{
	return remove_record(dir, "guest-", name);
}

int lc_net_record_remove(const char *dir, const char *name)
{
	return remove_record(dir, "net-", name);
}

static int load_record(const char *dir, const char *prefix, const char *name, char **ret_buf,
		       size_t *ret_len)
{
	char path[4096];
	int r = record_path(path, sizeof(path), dir, prefix, name);
	if (r < 0)
		return r;
	return lc_read_file(path, RECORD_MAX, ret_buf, ret_len, NULL);
}

int lc_guest_record_load(const char *dir, const char *name, struct lc_guest_record *ret)
{
	char *buf;
	size_t len;
	int r = load_record(dir, "guest-", name, &buf, &len);
	if (r < 0)
		return r;
	r = lc_guest_record_parse(buf, len, ret);
	free(buf);
	return r;
}

int lc_net_record_load(const char *dir, const char *name, struct lc_net_record *ret)
{
	char *buf;
	size_t len;
	int r = load_record(dir, "net-", name, &buf, &len);
	if (r < 0)
		return r;
	r = lc_net_record_parse(buf, len, ret);
	free(buf);
	return r;
}

bool lc_record_file_name(const char *fname, enum lc_record_kind *ret_kind, const char **ret_name,
			 size_t *ret_len)
{
	size_t l = strlen(fname), pre;
	enum lc_record_kind kind;

	if (!strncmp(fname, "guest-", 6)) {
		kind = LC_RECORD_GUEST;
		pre = 6;
	} else if (!strncmp(fname, "net-", 4)) {
		kind = LC_RECORD_NET;
		pre = 4;
	} else {
		return false;
	}
	if (l < pre + 5 || strcmp(fname + l - 4, ".rec") != 0)
		return false;
	*ret_kind = kind;
	*ret_name = fname + pre;
	*ret_len = l - pre - 4;
	return true;
}

int lc_record_dir_foreach(const char *dir, lc_record_fn fn, void *userdata)
{
	char **names, name[256];
	size_t n;
	int r = lc_list_dir(dir, &names, &n, NULL);

	if (r < 0)
		return r;
	for (size_t i = 0; i < n && r >= 0; i++) {
		enum lc_record_kind kind;
		const char *s;
		size_t len;

		if (!lc_record_file_name(names[i], &kind, &s, &len) || len >= sizeof(name))
			continue;
		memcpy(name, s, len);
		name[len] = '\0';
		r = fn(kind, name, userdata);
	}
	lc_names_free(names, n);
	return r < 0 ? r : 0;
}

struct raw_field {
	const char *key;
	const char *val;
	size_t vlen;
	bool found;
};

static int raw_line(const char *k, size_t kl, const char *v, size_t vl, void *ud)
{
	struct raw_field *f = ud;

	if (kl == strlen(f->key) && !memcmp(k, f->key, kl)) {
		f->val = v;
		f->vlen = vl;
		f->found = true;
	}
	return 0;
}

int lc_record_raw_field(const char *dir, enum lc_record_kind kind, const char *name,
			const char *key, char *buf, size_t size)
{
	struct raw_field f = {.key = key};
	char *text;
	size_t len;
	int r;

	if (!key || !*key || strchr(key, ' ') || (kind != LC_RECORD_GUEST && kind != LC_RECORD_NET))
		return -EINVAL;
	r = load_record(dir, kind == LC_RECORD_GUEST ? "guest-" : "net-", name, &text, &len);
	if (r < 0)
		return r;
	r = record_walk(text, len, kind == LC_RECORD_GUEST ? "guest" : "network", raw_line, &f);
	if (r == 0 && f.found && f.vlen >= size)
		r = -ENOBUFS;
	if (r == 0 && f.found) {
		memcpy(buf, f.val, f.vlen);
		buf[f.vlen] = '\0';
		r = 1;
	}
	free(text);
	return r;
}
