/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Updates the server has not taken yet, one file per guest under
 * $(localstatedir)/lib/libvirt-cluster/ddns/, so they survive a reboot and
 * are retried with backoff.  A later update of a guest replaces an earlier
 * one: publish then withdraw leaves the withdraw, and the other way round. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/ddns.h"
#include "resolver/util.h"

#define SPOOL_HEADER "libvirt-cluster ddns 1\n"
#define SPOOL_MAX 16384
#define SPOOL_SUFFIX ".ddns"
#define CONFLICT_SUFFIX ".conflict"

const char *ddns_spool_dir(void)
{
	const char *d = secure_getenv("LIBVIRT_CLUSTER_SPOOL_DIR");
	return d && d[0] == '/' ? d : DDNS_SPOOL_DIR;
}

static void uuid_format(const uint8_t u[16], char buf[37])
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			buf[n++] = '-';
		buf[n++] = hex[u[i] >> 4];
		buf[n++] = hex[u[i] & 15];
	}
	buf[n] = '\0';
}

/* A field of the line format: no newline, no control byte. */
static bool clean(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static bool valid_label(const char *s)
{
	size_t n = strlen(s);
	return n && n <= LC_LABEL_MAX && !strchr(s, '.') && !strchr(s, '/') && clean(s) &&
	       !strchr(s, ' ');
}

int ddns_spool_format(const struct ddns_spool_entry *e, char *buf, size_t size)
{
	const struct ddns_guest *g = &e->guest;
	char uuid[37], a[64];
	size_t n = 0;
	int w;

	if (!valid_label(g->name) || !clean(g->cluster) || !clean(g->group) ||
	    strchr(g->cluster, ' ') || strchr(g->group, ' '))
		return -EINVAL;
	uuid_format(g->uuid, uuid);
#define OUT(...)                                                                                   \
	do {                                                                                       \
		w = snprintf(buf + n, size - n, __VA_ARGS__);                                      \
		if (w < 0 || (size_t)w >= size - n)                                                \
			return -ENOBUFS;                                                           \
		n += (size_t)w;                                                                    \
	} while (0)
	OUT(SPOOL_HEADER "op %s\nname %s\nuuid %s\n",
	    e->op == DDNS_OP_PUBLISH ? "publish" : "withdraw", g->name, uuid);
	if (g->cluster[0])
		OUT("cluster %s\n", g->cluster);
	if (g->group[0])
		OUT("group %s\n", g->group);
	for (size_t i = 0; i < g->n_addrs && i < DDNS_MAX_ADDRS; i++)
		OUT("address %s\n", lc_addr_format(&g->addrs[i], a, sizeof(a)));
	OUT("tries %u\nnext %lld\n", e->tries, (long long)e->next_try);
	/* the error is for a person reading the spool: one line of it */
	char err[DDNS_ERR_MAX];
	snprintf(err, sizeof(err), "%s", e->last_error);
	for (char *p = err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	if (err[0])
		OUT("error %s\n", err);
#undef OUT
	return 0;
}

static int copy_field(char *dst, size_t size, const char *v, size_t n)
{
	if (n >= size)
		return -EINVAL;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

/* One `key value` line into e: 0, or -EINVAL for a bad value. */
static int parse_line(struct ddns_spool_entry *e, const char *k, size_t kl, const char *v,
		      size_t vl, bool *have_op, bool *have_uuid)
{
	struct ddns_guest *g = &e->guest;
	char tmp[64];
	char *end;

#define KEY(s) (kl == sizeof(s) - 1 && !memcmp(k, s, kl))
	if (KEY("op")) {
		if (vl == 7 && !memcmp(v, "publish", 7))
			e->op = DDNS_OP_PUBLISH;
		else if (vl == 8 && !memcmp(v, "withdraw", 8))
			e->op = DDNS_OP_WITHDRAW;
		else
			return -EINVAL;
		*have_op = true;
	} else if (KEY("name")) {
		return copy_field(g->name, sizeof(g->name), v, vl);
	} else if (KEY("uuid")) {
		if (copy_field(tmp, sizeof(tmp), v, vl) < 0 || ddns_uuid_parse(tmp, g->uuid) < 0)
			return -EINVAL;
		*have_uuid = true;
	} else if (KEY("cluster")) {
		return copy_field(g->cluster, sizeof(g->cluster), v, vl);
	} else if (KEY("group")) {
		return copy_field(g->group, sizeof(g->group), v, vl);
	} else if (KEY("address")) {
		if (g->n_addrs >= DDNS_MAX_ADDRS || lc_addr_parse(v, vl, &g->addrs[g->n_addrs]) < 0)
			return -EINVAL;
		g->n_addrs++;
	} else if (KEY("tries") || KEY("next")) {
		if (copy_field(tmp, sizeof(tmp), v, vl) < 0)
			return -EINVAL;
		errno = 0;
		long long x = strtoll(tmp, &end, 10);
		if (errno || *end || end == tmp || x < 0)
			return -EINVAL;
		if (KEY("tries"))
			e->tries = x > 1000000 ? 1000000 : (unsigned)x;
		else
			e->next_try = x;
	} else if (KEY("error")) {
		copy_field(e->last_error, sizeof(e->last_error), v,
			   vl < sizeof(e->last_error) ? vl : sizeof(e->last_error) - 1);
	}
#undef KEY
	return 0; /* unknown keys: a later version's, ignored */
}

int ddns_spool_parse(const char *buf, size_t len, struct ddns_spool_entry *ret)
{
	struct ddns_spool_entry *e;
	bool have_op = false, have_uuid = false;
	const char *p = buf, *end = buf + len;
	int r = 0;

	if (len < sizeof(SPOOL_HEADER) - 1 || memcmp(buf, SPOOL_HEADER, sizeof(SPOOL_HEADER) - 1))
		return -EINVAL;
	if (memchr(buf, '\0', len))
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	p += sizeof(SPOOL_HEADER) - 1;
	while (p < end && r == 0) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol) {
			r = -EINVAL; /* a torn file: every line ends in a newline */
			break;
		}
		const char *sp = memchr(p, ' ', (size_t)(eol - p));
		if (sp)
			r = parse_line(e, p, (size_t)(sp - p), sp + 1, (size_t)(eol - sp - 1),
				       &have_op, &have_uuid);
		p = eol + 1;
	}
	if (r == 0 && (!have_op || !have_uuid || !valid_label(e->guest.name) ||
		       !clean(e->guest.cluster) || !clean(e->guest.group)))
		r = -EINVAL;
	if (r == 0)
		*ret = *e;
	free(e);
	return r;
}

static int spool_path(const char *dir, const char *name, char *buf, size_t size)
{
	if (!valid_label(name))
		return -EINVAL;
	int w = snprintf(buf, size, "%s/%s" SPOOL_SUFFIX, dir, name);
	return w < 0 || (size_t)w >= size ? -ENAMETOOLONG : 0;
}

int ddns_spool_put(const char *dir, const struct ddns_spool_entry *e)
{
	char path[4096], *buf = malloc(SPOOL_MAX);
	int r = buf ? spool_path(dir, e->guest.name, path, sizeof(path)) : -ENOMEM;

	if (r == 0)
		r = ddns_spool_format(e, buf, SPOOL_MAX);
	/* the spool's parent (/var/lib/libvirt-cluster) may be new too */
	if (r == 0 && mkdir(dir, 0755) < 0 && errno == ENOENT) {
		char parent[4096];
		snprintf(parent, sizeof(parent), "%s", dir);
		char *slash = strrchr(parent, '/');
		if (slash && slash != parent) {
			*slash = '\0';
			mkdir(parent, 0755);
		}
		mkdir(dir, 0755);
	}
	if (r == 0)
		r = lc_write_atomic(path, buf, strlen(buf));
	free(buf);
	return r;
}

int ddns_spool_drop(const char *dir, const char *name)
{
	char path[4096];
	int r = spool_path(dir, name, path, sizeof(path));
	if (r == 0 && unlink(path) < 0 && errno != ENOENT)
		r = -errno;
	return r;
}

int64_t ddns_spool_backoff(unsigned tries)
{
	int64_t s = 30;
	for (unsigned i = 1; i < tries && s < 3600; i++)
		s *= 2;
	return s > 3600 ? 3600 : s;
}

static void conflict_note(const char *dir, const char *name, const char *owner, int64_t now);

static bool settled(enum ddns_status s)
{
	return s == DDNS_DONE || s == DDNS_CONFLICT || s == DDNS_NOT_OURS;
}

static int run_op(const struct ddns_config *c, enum ddns_op op, const struct ddns_guest *g,
		  struct ddns_result *res)
{
	return op == DDNS_OP_PUBLISH ? ddns_publish(c, g, res) : ddns_withdraw(c, g, res);
}

/* One spool file: tried when due; dropped when settled, unless it was
 * replaced meanwhile (a newer update of the guest stays). */
static int run_one(const struct ddns_config *c, const char *dir, const char *file, int64_t now,
		   bool force, ddns_spool_fn fn, void *ud, struct ddns_spool_stats *st)
{
	char path[4096], *buf = NULL, *again = NULL;
	size_t len, len2;
	struct ddns_spool_entry *e = malloc(sizeof(*e));
	struct ddns_result res;
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	r = e ? lc_read_file(path, SPOOL_MAX, &buf, &len, NULL) : -ENOMEM;
	if (r == 0 && ddns_spool_parse(buf, len, e) < 0) {
		st->bad++; /* kept for a person to read; never deleted unread */
		goto out;
	}
	if (r < 0 || (!force && e->next_try > now)) {
		st->waiting += r == 0;
		goto out;
	}
	r = run_op(c, e->op, &e->guest, &res);
	if (r < 0)
		goto out;
	if (fn)
		fn(e, &res, ud);
	if (settled(res.status)) {
		st->delivered++;
		conflict_note(dir, e->guest.name,
			      res.status == DDNS_CONFLICT ? res.other_host : NULL, now);
		st->conflicts += res.status == DDNS_CONFLICT;
		if (lc_read_file(path, SPOOL_MAX, &again, &len2, NULL) == 0 && len2 == len &&
		    !memcmp(again, buf, len))
			unlink(path);
	} else {
		st->failed++;
		e->tries++;
		e->next_try = now + ddns_spool_backoff(e->tries);
		snprintf(e->last_error, sizeof(e->last_error), "%s", res.message);
		r = ddns_spool_put(dir, e);
	}
out:
	free(again);
	free(buf);
	free(e);
	return r;
}

int ddns_spool_run(const struct ddns_config *c, const char *dir, int64_t now, bool force,
		   ddns_spool_fn on_result, void *userdata, struct ddns_spool_stats *ret)
{
	struct ddns_spool_stats st = {0};
	DIR *d = opendir(dir);
	struct dirent *de;
	int r = 0;

	if (!d) {
		if (errno != ENOENT)
			return -errno;
		*ret = st;
		return 0;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name), sl = sizeof(SPOOL_SUFFIX) - 1;
		if (n <= sl || strcmp(de->d_name + n - sl, SPOOL_SUFFIX) || de->d_name[0] == '.')
			continue;
		int one = run_one(c, dir, de->d_name, now, force, on_result, userdata, &st);
		if (one == -ENOMEM)
			r = one;
	}
	closedir(d);
	if (r < 0)
		return r;
	*ret = st;
	return 0;
}

static int conflict_path(const char *dir, const char *name, char *buf, size_t size)
{
	if (!valid_label(name))
		return -EINVAL;
	int w = snprintf(buf, size, "%s/%s" CONFLICT_SUFFIX, dir, name);
	return w < 0 || (size_t)w >= size ? -ENAMETOOLONG : 0;
}

/* The conflict of a guest: recorded (owner given) or dropped (NULL). */
static void conflict_note(const char *dir, const char *name, const char *owner, int64_t now)
{
	char path[4096], text[160];

	if (conflict_path(dir, name, path, sizeof(path)) < 0)
		return;
	if (!owner) {
		unlink(path);
		return;
	}
	snprintf(text, sizeof(text), "owner %s\nsince %lld\n", owner, (long long)now);
	mkdir(dir, 0755);
	lc_write_atomic(path, text, strlen(text));
}

static void list_conflict(const char *dir, const char *file, size_t stem,
			  void (*fn)(const struct ddns_conflict *c, void *ud), void *ud)
{
	struct ddns_conflict c = {0};
	char path[4096], *text = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (stem >= sizeof(c.name) || lc_read_file(path, 4096, &text, &len, NULL) < 0)
		return;
	memcpy(c.name, file, stem);
	const char *o = strstr(text, "owner "), *t = strstr(text, "since ");
	if (o)
		snprintf(c.owner, sizeof(c.owner), "%.*s", (int)strcspn(o + 6, "\n"), o + 6);
	if (t)
		c.since = strtoll(t + 6, NULL, 10);
	free(text);
	fn(&c, ud);
}

int ddns_spool_list(const char *dir,
		    void (*fn_entry)(const struct ddns_spool_entry *e, void *userdata),
		    void (*fn_conflict)(const struct ddns_conflict *c, void *userdata),
		    void *userdata)
{
	struct ddns_spool_entry *e = malloc(sizeof(*e));
	DIR *d = e ? opendir(dir) : NULL;
	struct dirent *de;

	if (!d) {
		int r = !e ? -ENOMEM : errno == ENOENT ? 0 : -errno;
		free(e);
		return r;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name), sl = sizeof(SPOOL_SUFFIX) - 1,
		       cl = sizeof(CONFLICT_SUFFIX) - 1;
		char path[4096], *buf = NULL;
		size_t len;
		if (de->d_name[0] == '.')
			continue;
		if (n > cl && !strcmp(de->d_name + n - cl, CONFLICT_SUFFIX) && fn_conflict)
			list_conflict(dir, de->d_name, n - cl, fn_conflict, userdata);
		if (n <= sl || strcmp(de->d_name + n - sl, SPOOL_SUFFIX) || !fn_entry)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lc_read_file(path, SPOOL_MAX, &buf, &len, NULL) == 0 &&
		    ddns_spool_parse(buf, len, e) == 0)
			fn_entry(e, userdata);
		free(buf);
	}
	closedir(d);
	free(e);
	return 0;
}

int ddns_apply(const struct ddns_config *c, const char *spool_dir, enum ddns_op op,
	       const struct ddns_guest *g, int64_t now, struct ddns_result *ret)
{
	struct ddns_result res;
	int r = run_op(c, op, g, &res);

	if (r < 0)
		return r;
	if (settled(res.status)) {
		/* an older pending update of this guest is now moot */
		ddns_spool_drop(spool_dir, g->name);
		conflict_note(spool_dir, g->name,
			      res.status == DDNS_CONFLICT ? res.other_host : NULL, now);
	} else {
		struct ddns_spool_entry *e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		e->op = op;
		e->guest = *g;
		e->tries = 1;
		e->next_try = now + ddns_spool_backoff(1);
		snprintf(e->last_error, sizeof(e->last_error), "%s", res.message);
		r = ddns_spool_put(spool_dir, e);
		free(e);
		if (r < 0)
			return r;
	}
	*ret = res;
	return 0;
}
