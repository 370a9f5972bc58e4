/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "resolver/json.h"
#include "resolver/lease.h"
#include "resolver/util.h"

bool lease_json_framing_ok(const char *buf, size_t len)
{
	size_t i = 0, j = len;

	while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\t' || buf[i] == '\r'))
		i++;
	while (j > i && (buf[j - 1] == ' ' || buf[j - 1] == '\n' || buf[j - 1] == '\t' ||
			 buf[j - 1] == '\r'))
		j--;
	if (j - i < 2 || buf[i] != '[' || buf[j - 1] != ']')
		return false;
	j--;
	while (j > i && (buf[j - 1] == ' ' || buf[j - 1] == '\n' || buf[j - 1] == '\t' ||
			 buf[j - 1] == '\r'))
		j--;
	/* the last element of the array closes an object: a file cut short
	 * after an inner array's `]` does not pass */
	return j > i && (buf[j - 1] == '}' || j - 1 == i);
}

/* Next whitespace-separated field of a line. */
static bool next_field(const char **p, const char *end, const char **ret_s, size_t *ret_len)
{
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
	if (*p >= end)
		return false;
	*ret_s = *p;
	while (*p < end && **p != ' ' && **p != '\t')
		(*p)++;
	*ret_len = (size_t)(*p - *ret_s);
	return true;
}

int lease_parse_dnsmasq(const char *buf, size_t len, struct lc_arena *arena, struct lc_vec *leases)
{
	const char *p = buf, *end = buf + len;
	size_t start = leases->n;

	if (memchr(buf, '\0', len))
		goto fail;
	/* dnsmasq writes whole lines; a last line without its newline is a
	 * file caught mid-write. */
	if (len > 0 && buf[len - 1] != '\n')
		goto fail;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *lp = p, *f[5];
		size_t fl[5];
		int n = 0;

		if (!eol)
			eol = end;
		while (n < 5 && next_field(&lp, eol, &f[n], &fl[n]))
			n++;
		p = eol + 1;
		if (n == 0)
			continue;
		if (fl[0] == 4 && memcmp(f[0], "duid", 4) == 0)
			continue; /* the server DUID line of DHCPv6 */
		if (n < 4)
			goto fail;
		struct lc_lease l = {0};
		char num[24];
		char *e;
		if (fl[0] >= sizeof(num))
			goto fail;
		memcpy(num, f[0], fl[0]);
		num[fl[0]] = '\0';
		errno = 0;
		long long ex = strtoll(num, &e, 10);
		if (errno || *e || ex < 0)
			goto fail;
		l.expiry = ex == 0 ? LC_EXPIRY_INFINITE : (int64_t)ex;
		/* DHCPv6 lines carry an IAID where v4 lines carry the MAC */
		l.has_mac = lc_mac_parse(f[1], fl[1], l.mac) == 0;
		if (lc_addr_parse(f[2], fl[2], &l.addr) < 0)
			goto fail;
		if (!(fl[3] == 1 && f[3][0] == '*') && lease_hostname_ok(f[3], fl[3])) {
			l.hostname = lc_arena_strndup(arena, f[3], fl[3]);
			if (!l.hostname) {
				leases->n = start;
				return -ENOMEM;
			}
		}
		struct lc_lease *slot = lc_vec_push(leases);
		if (!slot) {
			leases->n = start;
			return -ENOMEM;
		}
		*slot = l;
	}
	return 0;
fail:
	leases->n = start;
	return -EBADMSG;
}

void lease_macs_free(struct lc_vec *entries)
{
	struct lc_macs_entry *e = entries->items;
	for (size_t i = 0; i < entries->n; i++)
		free(e[i].macs);
	lc_vec_free(entries);
}

/* One more MAC at the end of m (uint8_t[LC_MAC_LEN] items). */
static int mac_push(struct lc_vec *m, const uint8_t mac[LC_MAC_LEN])
{
	uint8_t *slot = lease_vec_slot(m);
	if (!slot)
		return -ENOMEM;
	memcpy(slot, mac, LC_MAC_LEN);
	return 0;
}

/* What one .macs object says: its domain (domain_len 0: none, or one we
 * cannot use), its MACs appended to an array the caller passes. */
struct macs_obj {
	const char *domain; /* in the file, or in decoded */
	size_t domain_len;
	char decoded[256];
};

enum macs_key { MK_FAIL = -1, MK_OTHER, MK_DOMAIN, MK_MACS };

/* "macs": [...] in libvirt's layout, *pp at its '['.  A MAC is parsed
 * where it stands; any other plain string is not one, and is skipped as
 * the full reader skips it. */
static int macs_fast_array(const char **pp, const char *end, struct lc_vec *m)
{
	const char *p = json_skip_spaces(*pp + 1, end), *v;
	size_t n;

	if (p < end && *p == ']') {
		*pp = p + 1;
		return 1;
	}
	for (;;) {
		uint8_t mac[LC_MAC_LEN];
		if (p >= end || *p != '"')
			return 0;
		if (end - p > 18 && p[18] == '"' && lc_mac_parse(p + 1, 17, mac) == 0) {
			if (mac_push(m, mac) < 0)
				return -ENOMEM;
			p += 19;
		} else if (!(p = json_plain_string(p, end, &v, &n))) {
			return 0;
		}
		p = json_skip_spaces(p, end);
		if (p < end && *p == ']') {
			*pp = p + 1;
			return 1;
		}
		if (p >= end || *p != ',')
			return 0;
		p = json_skip_spaces(p + 1, end);
	}
}

/* The fast reader of a .macs object, for the layout libvirt writes (as
 * in lease-status.c): 1 = read, 0 = leave it to the full reader, which
 * then decides alone; -ENOMEM. */
static int macs_object_fast(struct json_cursor *c, struct macs_obj *o, struct lc_vec *m)
{
	const char *p = json_plain_first(c->p, c->end), *end = c->end, *k, *v;
	size_t kn, vn;
	int64_t num;
	int r, next;

	if (!p)
		return 0;
	do {
		enum macs_key key;
		if (JSON_MEMBER_IS(p, end, "domain"))
			key = MK_DOMAIN, p += sizeof("domain") + 3;
		else if (JSON_MEMBER_IS(p, end, "macs"))
			key = MK_MACS, p += sizeof("macs") + 3;
		else if (!(p = json_plain_string(p, end, &k, &kn)) ||
			 !(p = json_plain_colon(p, end)))
			key = MK_FAIL;
		else if (kn == 6 && !memcmp(k, "domain", 6))
			key = MK_DOMAIN;
		else
			key = kn == 4 && !memcmp(k, "macs", 4) ? MK_MACS : MK_OTHER;
		if (key == MK_FAIL || p >= end)
			return 0;
		if (key == MK_MACS) {
			if (*p != '[')
				return 0;
			if ((r = macs_fast_array(&p, end, m)) <= 0)
				return r;
		} else if (*p == '"') {
			if (!(p = json_plain_string(p, end, &v, &vn)))
				return 0;
			/* no control byte in a plain string: no newline either */
			if (key == MK_DOMAIN) {
				o->domain = v;
				o->domain_len = vn < sizeof(o->decoded) ? vn : 0;
			}
		} else if (key == MK_DOMAIN || !(p = json_plain_int(p, end, &num))) {
			return 0;
		}
	} while ((next = json_plain_after(&p, end)) == 1);
	if (next < 0)
		return 0;
	c->p = p;
	return 1;
}

/*
 * Quicker still, the object exactly as libvirt writes it (pretty-printed,
 * two spaces an indent level), read with one compare a line:
 *
 *   {
 *     "domain": "NAME",
 *     "macs": [
 *       "52:54:00:00:00:01",
 *       ...
 *     ]
 *   }
 *
 * 1 = read, 0 = anything else (then the fast reader reads the object
 * from its start, and decides), -ENOMEM.  What it takes is a subset of
 * what the fast reader takes, read as that one reads it.
 */
static int macs_object_libvirt(struct json_cursor *c, struct macs_obj *o, struct lc_vec *m)
{
	const char *end = c->end, *p = json_skip_spaces(c->p, end), *v;
	size_t vn;

#define AT(lit) ((size_t)(end - p) >= sizeof(lit) - 1 && !memcmp(p, lit, sizeof(lit) - 1))
	if (!AT("{\n    \"domain\": \""))
		return 0;
	p += sizeof("{\n    \"domain\": ") - 1; /* at the value's opening quote */
	if (!(p = json_plain_string(p, end, &v, &vn)) || !AT(",\n    \"macs\": [\n      \""))
		return 0;
	p += sizeof(",\n    \"macs\": [\n      ") - 1;
	for (;;) {
		uint8_t mac[LC_MAC_LEN];
		if (end - p < 19 || p[18] != '"' || lc_mac_parse(p + 1, 17, mac) < 0)
			return 0;
		if (mac_push(m, mac) < 0)
			return -ENOMEM;
		p += 19;
		if (AT(",\n      \"")) {
			p += sizeof(",\n      ") - 1;
			continue;
		}
		if (!AT("\n    ]\n  }"))
			return 0;
		p += sizeof("\n    ]\n  }") - 1;
		break;
	}
#undef AT
	/* no control byte in a plain string: no newline either */
	o->domain = v;
	o->domain_len = vn < sizeof(o->decoded) ? vn : 0;
	c->p = p;
	return 1;
}

/* The full reader: any JSON.  1, -EBADMSG or -ENOMEM. */
static int macs_object_full(struct json_cursor *c, struct macs_obj *o, struct lc_vec *m)
{
	bool first = true;
	char key[16];
	int k;

	while ((k = json_object_next(c, &first, key, sizeof(key))) == 1) {
		if (strcmp(key, "domain") == 0) {
			size_t vlen;
			bool trunc;
			if (!json_string(c, o->decoded, sizeof(o->decoded), &vlen, &trunc))
				return -EBADMSG;
			o->domain = o->decoded;
			o->domain_len = trunc || memchr(o->decoded, '\n', vlen) ? 0 : vlen;
		} else if (strcmp(key, "macs") == 0) {
			bool afirst = true;
			int a;
			while ((a = json_array_next(c, &afirst)) == 1) {
				char val[32];
				size_t vlen;
				bool trunc;
				uint8_t mac[LC_MAC_LEN];
				if (!json_string(c, val, sizeof(val), &vlen, &trunc))
					return -EBADMSG;
				if (trunc || lc_mac_parse(val, vlen, mac) < 0)
					continue;
				if (mac_push(m, mac) < 0)
					return -ENOMEM;
			}
			if (a < 0)
				return -EBADMSG;
		} else if (!json_skip_value(c, 1)) {
			return -EBADMSG;
		}
	}
	return k < 0 ? -EBADMSG : 1;
}

/* One object, the fast reader first: 1 (o->domain_len 0 when it names no
 * usable domain), <0 = a syntax error or -ENOMEM; MACs it adds to m are
 * taken back on an error. */
static int macs_object_read(struct json_cursor *c, struct macs_obj *o, struct lc_vec *m)
{
	const char *start = c->p;
	size_t n0 = m->n;
	int k;

	o->domain_len = 0;
	k = macs_object_libvirt(c, o, m);
	if (k == 0) {
		m->n = n0;
		k = macs_object_fast(c, o, m);
	}
	if (k == 0) {
		m->n = n0;
		o->domain_len = 0;
		c->p = start;
		k = macs_object_full(c, o, m);
	}
	if (k < 0)
		m->n = n0;
	return k;
}

int lease_macs_object(struct json_cursor *c, struct lc_arena *arena, struct lc_macs_entry *e)
{
	struct lc_vec m = {.item_size = LC_MAC_LEN, .arena = arena};
	struct macs_obj o;
	int k = macs_object_read(c, &o, &m);

	e->domain[0] = '\0';
	e->macs = NULL;
	e->n_macs = 0;
	if (k < 0 || !o.domain_len) {
		lc_vec_free(&m);
		return k < 0 ? k : 0;
	}
	memcpy(e->domain, o.domain, o.domain_len);
	e->domain[o.domain_len] = '\0';
	/* a long list outgrows the arena into the heap: the MACs are in the
	 * arena either way */
	e->macs = m.n ? lc_arena_alloc(arena, m.n * LC_MAC_LEN) : NULL;
	if (m.n && !e->macs) {
		lc_vec_free(&m);
		return -ENOMEM;
	}
	if (m.n)
		memcpy(e->macs, m.items, m.n * LC_MAC_LEN);
	e->n_macs = m.n;
	lc_vec_free(&m);
	return 1;
}

void lease_macs_list_free(struct lc_macs_list *l)
{
	lc_vec_free(&l->items);
	lc_vec_free(&l->macs);
	lc_arena_free(&l->names);
}

int lease_parse_macs_list(const char *buf, size_t len, struct lc_macs_list *l)
{
	struct json_cursor c;
	bool first = true;
	int r;

	l->items.item_size = sizeof(struct lc_macs_item);
	l->macs.item_size = LC_MAC_LEN;
	json_init(&c, buf, len);
	while ((r = json_array_next(&c, &first)) == 1) {
		struct macs_obj o;
		size_t n0 = l->macs.n;
		struct lc_macs_item *it;
		if ((r = macs_object_read(&c, &o, &l->macs)) < 0)
			goto fail;
		if (!o.domain_len) {
			l->macs.n = n0; /* no one's MACs */
			continue;
		}
		/* a domain the full reader decoded outlives o */
		if (o.domain == o.decoded &&
		    !(o.domain = lc_arena_strndup(&l->names, o.decoded, o.domain_len)))
			goto oom;
		if (!(it = lease_vec_slot(&l->items)))
			goto oom;
		*it = (struct lc_macs_item){o.domain, o.domain_len, n0, l->macs.n - n0};
	}
	if (r == 0 && json_at_end(&c))
		return 0;
	r = -EBADMSG;
	goto fail;
oom:
	r = -ENOMEM;
fail:
	lease_macs_list_free(l);
	return r;
}

int lease_parse_macs(const char *buf, size_t len, struct lc_vec *entries)
{
	struct lc_macs_list l = {0};
	const struct lc_macs_item *it;
	size_t start = entries->n;
	int r = lease_parse_macs_list(buf, len, &l);

	it = l.items.items;
	for (size_t i = 0; r == 0 && i < l.items.n; i++) {
		struct lc_macs_entry *e = lc_vec_push(entries);
		size_t bytes = it[i].n * LC_MAC_LEN;
		if (!e || (bytes && !(e->macs = malloc(bytes)))) {
			if (e)
				entries->n--;
			r = -ENOMEM;
			break;
		}
		memcpy(e->domain, it[i].domain, it[i].domain_len);
		e->domain[it[i].domain_len] = '\0';
		if (bytes)
			memcpy(e->macs, lc_macs_list_mac(&l, it[i].first), bytes);
		e->n_macs = it[i].n;
	}
	if (r < 0) {
		for (size_t i = start; i < entries->n; i++)
			free(((struct lc_macs_entry *)entries->items)[i].macs);
		entries->n = start;
	}
	lease_macs_list_free(&l);
	return r;
}

/* The next line at or after p (a line's start) that begins with 'i' or
 * 'd', or end: the three keys wanted start so, and most lines of libvirt's
 * file do not.  16 bytes a step, testing each byte and the one before it
 * (a '\n'), not a memchr a line: the file is read on every cold lookup.
 * lc_line_start (AVX2) does the same out of line, for lease_netconf_names'
 * one long skip; here, where the next line is a few bytes on, inlined
 * SSE2 costs less (through lc_line_start a parse cost 230 more). */
static const char *netconf_next(const char *p, const char *end)
{
	const char *q;

	if (p >= end || *p == 'i' || *p == 'd')
		return p;
	q = p + 1; /* q[-1] is in the buffer from here on */
#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8('\n'), ci = _mm_set1_epi8('i'), cd = _mm_set1_epi8('d');
	for (; end - q >= 16; q += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
		__m128i prev = _mm_loadu_si128((const __m128i *)(const void *)(q - 1));
		__m128i key = _mm_or_si128(_mm_cmpeq_epi8(v, ci), _mm_cmpeq_epi8(v, cd));
		unsigned m =
		    (unsigned)_mm_movemask_epi8(_mm_and_si128(key, _mm_cmpeq_epi8(prev, nl)));
		if (m)
			return q + __builtin_ctz(m);
	}
#endif
	for (; q < end; q++)
		if (q[-1] == '\n' && (*q == 'i' || *q == 'd'))
			return q;
	return end;
}

bool lease_netconf_names(const char *buf, size_t len, bool (*want)(void *, const char *, size_t),
			 void *ud)
{
	/* the lines lease_parse_netconf takes a bridge from, and only those
	 * (one line of libvirt's file begins with 'i') */
	for (size_t p = 0; (p = lc_line_start(buf, len, p, 'i')) < len;) {
		const char *l = buf + p, *eol = memchr(l, '\n', len - p);
		size_t n = eol ? (size_t)(eol - l) : len - p;
		if (n > 10 && memcmp(l, "interface=", 10) == 0 &&
		    n - 10 < sizeof(((struct lc_netconf *)0)->bridge) && want(ud, l + 10, n - 10))
			return true;
		p += n;
	}
	return false;
}

int lease_parse_netconf(const char *buf, size_t len, struct lc_netconf *ret)
{
	struct lc_netconf nc = {0};
	const char *p = buf, *end = buf + len;

	while ((p = netconf_next(p, end)) < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		size_t n = (size_t)(eol - p);
		if (n > 10 && memcmp(p, "interface=", 10) == 0 && n - 10 < sizeof(nc.bridge)) {
			memcpy(nc.bridge, p + 10, n - 10);
			nc.bridge[n - 10] = '\0';
		} else if (n > 7 && memcmp(p, "domain=", 7) == 0 && n - 7 < sizeof(nc.domain)) {
			/* domain=NAME[,range]: only the name matters here */
			size_t dl = n - 7;
			const char *comma = memchr(p + 7, ',', dl);
			if (comma)
				dl = (size_t)(comma - (p + 7));
			for (size_t i = 0; i < dl; i++)
				nc.domain[i] = lc_lower(p[7 + i]);
			nc.domain[dl] = '\0';
		} else if (n == 13 && memcmp(p, "dhcp-option=3", 13) == 0) {
			nc.isolated = true;
		}
		p = eol < end ? eol + 1 : end;
	}
	if (!nc.bridge[0])
		return -EBADMSG;
	*ret = nc;
	return 0;
}
