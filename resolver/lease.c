/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "resolver/json.h"
#include "resolver/lease.h"

int lc_mac_parse(const char *s, size_t len, uint8_t ret_mac[LC_MAC_LEN])
{
	uint8_t mac[LC_MAC_LEN];

	if (len != 17)
		return -EINVAL;
	for (int i = 0; i < LC_MAC_LEN; i++) {
		int hi = lc_hex_digit(s[i * 3]), lo = lc_hex_digit(s[i * 3 + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		if (i < LC_MAC_LEN - 1 && s[i * 3 + 2] != ':')
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
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

/* A dotted quad as inet_pton takes it (four decimal parts of 0..255, no
 * leading zero): most leases, parsed without the copy inet_pton needs.
 * false: not one, or not sure (inet_pton decides). */
static bool parse_ipv4(const char *s, size_t len, uint8_t out[4])
{
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;
		if (part && (i >= len || s[i++] != '.'))
			return false;
		while (i < len && s[i] >= '0' && s[i] <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(s[i++] - '0');
			digits++;
		}
		if (!digits || digits > 3 || v > 255 || (digits > 1 && s[i - digits] == '0'))
			return false;
		out[part] = (uint8_t)v;
	}
	return i == len;
}

int lc_addr_parse(const char *s, size_t len, struct lc_addr *ret)
{
	char tmp[INET6_ADDRSTRLEN];
	struct lc_addr a = {0};

	if (len >= 7 && len <= 15 && parse_ipv4(s, len, a.bytes)) {
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
static bool hostname_ok(const char *s, size_t len)
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

/* "iaid": libvirt writes dnsmasq's DNSMASQ_IAID as a string, "%u" with a
 * "T" before it for a temporary address; a number is taken too.  Returns
 * false on a wrong JSON type (the file is broken), else true with *ok set
 * when the value is a usable IAID. */
static bool status_iaid(struct json_cursor *c, uint32_t *ret_iaid, bool *ret_ta, bool *ok)
{
	char val[16];
	size_t vlen, i = 0;
	bool trunc;
	uint64_t v = 0;
	int64_t n;

	*ok = false;
	if (!json_peek(c, '"')) {
		if (!json_int(c, &n))
			return false;
		if (n >= 0 && n <= UINT32_MAX) {
			*ret_iaid = (uint32_t)n;
			*ret_ta = false;
			*ok = true;
		}
		return true;
	}
	if (!json_string(c, val, sizeof(val), &vlen, &trunc))
		return false;
	if (trunc)
		return true;
	*ret_ta = vlen > 0 && val[0] == 'T';
	i = *ret_ta ? 1 : 0;
	if (i == vlen || vlen - i > 10)
		return true;
	for (; i < vlen; i++) {
		if (val[i] < '0' || val[i] > '9')
			return true;
		v = v * 10 + (uint64_t)(val[i] - '0');
	}
	if (v > UINT32_MAX)
		return true;
	*ret_iaid = (uint32_t)v;
	*ok = true;
	return true;
}

/* A DUID string whose place in the file was kept while the object was
 * read: parsed only once the lease is known to be IPv6. */
static int status_duid(const char *at, const char *end, uint8_t *buf, size_t *ret_len)
{
	struct json_cursor c;
	char val[LC_DUID_MAX * 3];
	size_t vlen;
	bool trunc;
	int n;

	json_init(&c, at, (size_t)(end - at));
	if (!json_string(&c, val, sizeof(val), &vlen, &trunc) || trunc)
		return -EINVAL;
	n = lc_hex_parse(val, vlen, buf, LC_DUID_MAX);
	if (n < 0)
		return n;
	*ret_len = (size_t)n;
	return 0;
}

static int status_dhcp6(const char *cid_at, const char *sid_at, const char *end, uint32_t iaid,
			bool ta, struct lc_arena *arena, const struct lc_dhcp6_id **ret)
{
	uint8_t cid[LC_DUID_MAX], sid[LC_DUID_MAX];
	size_t cl, sl;
	struct lc_dhcp6_id *d;
	uint8_t *bytes;

	if (status_duid(cid_at, end, cid, &cl) < 0 || status_duid(sid_at, end, sid, &sl) < 0)
		return 0; /* a lease that resolves, but cannot be released */
	d = lc_arena_alloc(arena, sizeof(*d) + cl + sl);
	if (!d)
		return -ENOMEM;
	bytes = (uint8_t *)(d + 1);
	memcpy(bytes, cid, cl);
	memcpy(bytes + cl, sid, sl);
	*d = (struct lc_dhcp6_id){.iaid = iaid,
				  .temporary = ta,
				  .client_duid_len = (uint8_t)cl,
				  .server_duid_len = (uint8_t)sl,
				  .client_duid = bytes,
				  .server_duid = bytes + cl};
	*ret = d;
	return 0;
}

int lease_status_object(struct json_cursor *c, struct lc_arena *arena, unsigned flags,
			struct lc_lease *ret)
{
	struct lc_lease l = {.expiry = LC_EXPIRY_INFINITE};
	bool has_ip = false, bad = false, first = true, has_iaid = false, ta = false;
	const char *cid_at = NULL, *sid_at = NULL;
	uint32_t iaid = 0;
	char key[32];
	int k;

	while ((k = json_object_next(c, &first, key, sizeof(key))) == 1) {
		char val[LC_HOSTNAME_MAX + 1];
		size_t vlen;
		bool trunc;

		/* one strcmp a member: the first byte tells the only key it
		 * can be */
		char k0 = key[0];
		if (k0 == 'i' && strcmp(key, "ip-address") == 0) {
			if (!json_string(c, val, sizeof(val), &vlen, &trunc))
				return -EBADMSG;
			has_ip = !trunc && lc_addr_parse(val, vlen, &l.addr) == 0;
			if (!has_ip)
				bad = true;
		} else if (k0 == 'm' && strcmp(key, "mac-address") == 0) {
			if (!json_string(c, val, sizeof(val), &vlen, &trunc))
				return -EBADMSG;
			l.has_mac = !trunc && lc_mac_parse(val, vlen, l.mac) == 0;
		} else if (k0 == 'h' && strcmp(key, "hostname") == 0) {
			if (!json_string(c, val, sizeof(val), &vlen, &trunc))
				return -EBADMSG;
			if (!trunc && hostname_ok(val, vlen)) {
				l.hostname = lc_arena_strndup(arena, val, vlen);
				if (!l.hostname)
					return -ENOMEM;
			}
		} else if (k0 == 'e' && strcmp(key, "expiry-time") == 0) {
			int64_t e;
			if (!json_int(c, &e))
				return -EBADMSG;
			l.expiry = e;
		} else if ((k0 == 'c' && strcmp(key, "client-id") == 0) ||
			   (k0 == 's' && strcmp(key, "server-duid") == 0)) {
			/* v4 leases carry a client-id too: keep only its place,
			 * and decode it once the address says IPv6 */
			if (!json_peek(c, '"'))
				return -EBADMSG;
			if (key[0] == 'c')
				cid_at = c->p;
			else
				sid_at = c->p;
			if (!json_string(c, NULL, 0, NULL, NULL))
				return -EBADMSG;
		} else if (k0 == 'i' && strcmp(key, "iaid") == 0) {
			if (!status_iaid(c, &iaid, &ta, &has_iaid))
				return -EBADMSG;
		} else if (!json_skip_value(c, 1)) {
			return -EBADMSG;
		}
	}
	if (k < 0)
		return -EBADMSG;
	if (!has_ip || bad)
		return 0; /* an entry we cannot use, in a well-formed file */
	if (l.addr.family == AF_INET6 && has_iaid && cid_at && sid_at &&
	    !(flags & LEASE_SKIP_DHCP6_ID) &&
	    status_dhcp6(cid_at, sid_at, c->end, iaid, ta, arena, &l.dhcp6) < 0)
		return -ENOMEM;
	*ret = l;
	return 1;
}

int lease_parse_status(const char *buf, size_t len, struct lc_arena *arena, struct lc_vec *leases)
{
	return lease_parse_status_flags(buf, len, arena, leases, 0);
}

int lease_parse_status_flags(const char *buf, size_t len, struct lc_arena *arena,
			     struct lc_vec *leases, unsigned flags)
{
	struct json_cursor c;
	size_t start = leases->n;
	bool first = true;
	int r;

	json_init(&c, buf, len);
	while ((r = json_array_next(&c, &first)) == 1) {
		struct lc_lease l;
		int k = lease_status_object(&c, arena, flags, &l);
		if (k < 0) {
			leases->n = start;
			return k;
		}
		if (k == 0)
			continue;
		struct lc_lease *slot = lc_vec_push(leases);
		if (!slot) {
			leases->n = start;
			return -ENOMEM;
		}
		*slot = l;
	}
	if (r < 0 || !json_at_end(&c)) {
		leases->n = start;
		return -EBADMSG;
	}
	return 0;
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
		if (!(fl[3] == 1 && f[3][0] == '*') && hostname_ok(f[3], fl[3])) {
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

int lease_macs_object(struct json_cursor *c, struct lc_macs_entry *e)
{
	bool first = true;
	char key[16];
	int k;

	memset(e, 0, sizeof(*e));
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
				size_t ncap = e->n_macs == 0 ? 4
					      : (e->n_macs >= 4 && !(e->n_macs & (e->n_macs - 1)))
						  ? e->n_macs * 2
						  : 0;
				if (ncap) {
					void *n = realloc(e->macs, ncap * LC_MAC_LEN);
					if (!n) {
						free(e->macs);
						e->macs = NULL;
						return -ENOMEM;
					}
					e->macs = n;
				}
				memcpy(e->macs[e->n_macs++], mac, LC_MAC_LEN);
			}
			if (a < 0)
				goto fail;
		} else if (!json_skip_value(c, 1)) {
			goto fail;
		}
	}
	if (k < 0)
		goto fail;
	if (!e->domain[0]) {
		free(e->macs);
		e->macs = NULL;
		e->n_macs = 0;
		return 0;
	}
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
		struct lc_macs_entry e;
		int k = lease_macs_object(&c, &e);
		if (k < 0) {
			r = k;
			goto out;
		}
		if (k == 0)
			continue;
		struct lc_macs_entry *slot = lc_vec_push(entries);
		if (!slot) {
			free(e.macs);
			r = -ENOMEM;
			goto out;
		}
		*slot = e;
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
