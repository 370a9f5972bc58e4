/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "resolver/json.h"
#include "resolver/lease.h"

/* Hex digits as lc_hex_digit reads them, with 0x10 set; 0 = not a digit.
 * A MAC is twelve of them, looked up rather than tested. */
static const uint8_t hexval[256] = {
    ['0'] = 0x10, ['1'] = 0x11, ['2'] = 0x12, ['3'] = 0x13, ['4'] = 0x14, ['5'] = 0x15,
    ['6'] = 0x16, ['7'] = 0x17, ['8'] = 0x18, ['9'] = 0x19, ['a'] = 0x1a, ['b'] = 0x1b,
    ['c'] = 0x1c, ['d'] = 0x1d, ['e'] = 0x1e, ['f'] = 0x1f, ['A'] = 0x1a, ['B'] = 0x1b,
    ['C'] = 0x1c, ['D'] = 0x1d, ['E'] = 0x1e, ['F'] = 0x1f,
};

int lc_mac_parse(const char *s, size_t len, uint8_t ret_mac[LC_MAC_LEN])
{
	const uint8_t *u = (const uint8_t *)s;
	uint8_t mac[LC_MAC_LEN];
	unsigned all = 0x10;

	if (len != 17)
		return -EINVAL;
#define BYTE(i)                                                                                    \
	do {                                                                                       \
		unsigned hi = hexval[u[(i)*3]], lo = hexval[u[(i)*3 + 1]];                         \
		all &= hi & lo;                                                                    \
		mac[i] = (uint8_t)((hi & 15) << 4 | (lo & 15));                                    \
	} while (0)
	/* unrolled: a loop over six bytes cost twice as much */
	BYTE(0);
	BYTE(1);
	BYTE(2);
	BYTE(3);
	BYTE(4);
	BYTE(5);
#undef BYTE
	if (!all || s[2] != ':' || s[5] != ':' || s[8] != ':' || s[11] != ':' || s[14] != ':')
		return -EINVAL;
	memcpy(ret_mac, mac, LC_MAC_LEN);
	return 0;
}

void lc_mac_format(const uint8_t mac[LC_MAC_LEN], char buf[18])
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < LC_MAC_LEN; i++) {
		buf[i * 3] = hex[mac[i] >> 4];
		buf[i * 3 + 1] = hex[mac[i] & 15];
		buf[i * 3 + 2] = i < LC_MAC_LEN - 1 ? ':' : '\0';
	}
}

const char *lease_ipv4(const char *s, const char *end, uint8_t out[4])
{
	for (int part = 0; part < 4; part++) {
		unsigned v, d;
		if (part && (s >= end || *s++ != '.'))
			return NULL;
		if (s >= end || (v = (unsigned)(*s - '0')) > 9)
			return NULL;
		/* up to three digits, no leading zero, at most 255 */
		if (++s < end && (d = (unsigned)(*s - '0')) <= 9) {
			if (v == 0)
				return NULL;
			v = v * 10 + d;
			if (++s < end && (d = (unsigned)(*s - '0')) <= 9) {
				v = v * 10 + d;
				if (v > 255 || (++s < end && (unsigned)(*s - '0') <= 9))
					return NULL;
			}
		}
		out[part] = (uint8_t)v;
	}
	return s;
}

int lc_addr_parse(const char *s, size_t len, struct lc_addr *ret)
{
	char tmp[INET6_ADDRSTRLEN];
	struct lc_addr a = {0};

	if (len >= 7 && len <= 15 && lease_ipv4(s, s + len, a.bytes) == s + len) {
		a.family = AF_INET;
		*ret = a;
		return 0;
	}

	if (len == 0 || len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (memchr(tmp, '\0', len))
		return -EINVAL;
	if (inet_pton(AF_INET, tmp, a.bytes) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, tmp, a.bytes) == 1)
		a.family = AF_INET6;
	else
		return -EINVAL;
	*ret = a;
	return 0;
}

const char *lc_addr_format(const struct lc_addr *a, char *buf, size_t size)
{
	if (!inet_ntop(a->family, a->bytes, buf, (socklen_t)size)) {
		if (size)
			buf[0] = '\0';
	}
	return buf;
}

/* A DHCP hostname as dnsmasq hands it over: one DNS label or dotted name of
 * printable ASCII.  Anything else is treated as no hostname. */
bool lease_hostname_ok(const char *s, size_t len)
{
	if (len == 0 || len > LC_HOSTNAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch <= 0x20 || ch >= 0x7f)
			return false;
	}
	return true;
}

int lc_hex_parse(const char *s, size_t len, uint8_t *buf, size_t size)
{
	size_t n = 0, i = 0;

	if (len == 0)
		return -EINVAL;
	for (;;) {
		int hi = i < len ? lc_hex_digit(s[i]) : -1, lo;
		if (hi < 0)
			return -EINVAL;
		i++;
		/* dnsmasq writes %.2x, but a single digit is still one byte */
		lo = i < len ? lc_hex_digit(s[i]) : -1;
		if (lo >= 0) {
			hi = hi << 4 | lo;
			i++;
		}
		if (n >= size)
			return -ENOBUFS;
		buf[n++] = (uint8_t)hi;
		if (i == len)
			return (int)n;
		if (s[i] != ':')
			return -EINVAL;
		i++;
	}
}

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

/* One more MAC for an entry: room for 4, then doubling. */
static int macs_add(struct lc_macs_entry *e, const uint8_t mac[LC_MAC_LEN])
{
	size_t ncap = e->n_macs == 0					   ? 4
		      : (e->n_macs >= 4 && !(e->n_macs & (e->n_macs - 1))) ? e->n_macs * 2
									   : 0;
	if (ncap) {
		void *n = realloc(e->macs, ncap * LC_MAC_LEN);
		if (!n)
			return -ENOMEM;
		e->macs = n;
	}
	memcpy(e->macs[e->n_macs++], mac, LC_MAC_LEN);
	return 0;
}

/* "macs": [...] in libvirt's layout, p at its '['. */
static const char *macs_fast_array(const char *p, const char *end, struct lc_macs_entry *e,
				   int *ret_r)
{
	p = json_skip_spaces(p + 1, end);
	if (p < end && *p == ']')
		return p + 1;
	for (;;) {
		const char *v;
		size_t n;
		uint8_t mac[LC_MAC_LEN];
		if (p >= end || *p != '"' || !(p = json_plain_string(p, end, &v, &n)))
			return NULL;
		/* a value of 32 bytes or more is one the full reader cuts short */
		if (n < 32 && lc_mac_parse(v, n, mac) == 0 && (*ret_r = macs_add(e, mac)) < 0)
			return NULL;
		p = json_skip_spaces(p, end);
		if (p < end && *p == ']')
			return p + 1;
		if (p >= end || *p != ',')
			return NULL;
		p = json_skip_spaces(p + 1, end);
	}
}

/* The fast reader of a .macs object, for the layout libvirt writes (as
 * in lease-status.c): 1 = read, 0 = leave it to the full reader, which
 * then decides alone; -ENOMEM. */
static int macs_object_fast(struct json_cursor *c, struct lc_macs_entry *e)
{
	const char *p = c->p, *end = c->end, *k, *v;
	size_t kn, vn;
	bool first = true;
	int64_t num;
	int r = 0, m;

	while ((m = json_plain_next(&p, end, &first, &k, &kn)) == 1) {
		bool is_domain = kn == 6 && !memcmp(k, "domain", 6);
		if (kn == 4 && !memcmp(k, "macs", 4)) {
			if (p >= end || *p != '[' || !(p = macs_fast_array(p, end, e, &r)))
				return r;
		} else if (p < end && *p == '"') {
			if (!(p = json_plain_string(p, end, &v, &vn)))
				return 0;
			/* no control byte in a plain string: no newline either */
			if (is_domain && vn < sizeof(e->domain)) {
				memcpy(e->domain, v, vn);
				e->domain[vn] = '\0';
			} else if (is_domain) {
				e->domain[0] = '\0';
			}
		} else if (is_domain || !(p = json_plain_int(p, end, &num))) {
			return 0;
		}
	}
	if (m < 0)
		return 0;
	c->p = p;
	return 1;
}

static int macs_object_full(struct json_cursor *c, struct lc_macs_entry *e);

int lease_macs_object(struct json_cursor *c, struct lc_macs_entry *e)
{
	const char *start = c->p;
	int k;

	e->domain[0] = '\0';
	e->macs = NULL;
	e->n_macs = 0;
	k = macs_object_fast(c, e);
	if (k == 0) {
		free(e->macs);
		e->macs = NULL;
		e->n_macs = 0;
		e->domain[0] = '\0';
		c->p = start;
		k = macs_object_full(c, e);
	}
	if (k == -ENOMEM) {
		free(e->macs);
		e->macs = NULL;
		e->n_macs = 0;
	}
	if (k == 1 && !e->domain[0]) {
		free(e->macs);
		e->macs = NULL;
		e->n_macs = 0;
		return 0;
	}
	return k;
}

/* The full reader: any JSON. */
static int macs_object_full(struct json_cursor *c, struct lc_macs_entry *e)
{
	bool first = true;
	char key[16];
	int k;

	while ((k = json_object_next(c, &first, key, sizeof(key))) == 1) {
		if (strcmp(key, "domain") == 0) {
			size_t vlen;
			bool trunc;
			if (!json_string(c, e->domain, sizeof(e->domain), &vlen, &trunc))
				goto fail;
			if (trunc || vlen == 0 || memchr(e->domain, '\n', vlen))
				e->domain[0] = '\0';
		} else if (strcmp(key, "macs") == 0) {
			bool afirst = true;
			int a;
			while ((a = json_array_next(c, &afirst)) == 1) {
				char val[32];
				size_t vlen;
				bool trunc;
				uint8_t mac[LC_MAC_LEN];
				if (!json_string(c, val, sizeof(val), &vlen, &trunc))
					goto fail;
				if (trunc || lc_mac_parse(val, vlen, mac) < 0)
					continue;
				if (macs_add(e, mac) < 0)
					return -ENOMEM;
			}
			if (a < 0)
				goto fail;
		} else if (!json_skip_value(c, 1)) {
			goto fail;
		}
	}
	if (k < 0)
		goto fail;
	return 1;
fail:
	free(e->macs);
	e->macs = NULL;
	e->n_macs = 0;
	return -EBADMSG;
}

int lease_parse_macs(const char *buf, size_t len, struct lc_vec *entries)
{
	struct json_cursor c;
	size_t start = entries->n;
	bool first = true;
	int r;

	json_init(&c, buf, len);
	while ((r = json_array_next(&c, &first)) == 1) {
		/* read into its slot: an entry is 280 bytes, not worth a copy */
		struct lc_macs_entry *slot = lc_vec_push(entries);
		if (!slot) {
			r = -ENOMEM;
			goto out;
		}
		int k = lease_macs_object(&c, slot);
		if (k <= 0)
			entries->n--; /* nothing to free: see lease_macs_object */
		if (k < 0) {
			r = k;
			goto out;
		}
	}
	if (r == 0 && json_at_end(&c))
		return 0;
	r = -EBADMSG;
out:
	for (size_t i = start; i < entries->n; i++)
		free(((struct lc_macs_entry *)entries->items)[i].macs);
	entries->n = start;
	return r;
}

int lease_parse_netconf(const char *buf, size_t len, struct lc_netconf *ret)
{
	struct lc_netconf nc = {0};
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		size_t n = (size_t)(eol - p);
		/* the three keys wanted start with 'i' or 'd': most lines of
		 * libvirt's file are passed over on their first byte */
		if (n == 0 || (*p != 'i' && *p != 'd')) {
			p = eol + 1;
			continue;
		}
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
		p = eol + 1;
	}
	if (!nc.bridge[0])
		return -EBADMSG;
	*ret = nc;
	return 0;
}
