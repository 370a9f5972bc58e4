/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "resolver/json.h"
#include "resolver/lease.h"

#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>

/* "xx:xx:xx:xx:xx:xx" (lc_hex_digit's digits) in one pass of vector
 * operations over its first 16 bytes: a byte loop with a test a character
 * was a tenth of reading a lease. */
static int mac_parse_sse2(const char *s, uint8_t ret_mac[LC_MAC_LEN])
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
	/* digits: v - '0' <= 9; letters: (v | 0x20) - 'a' <= 5, unsigned */
	__m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
	__m128i l = _mm_sub_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
	__m128i is_d = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
	__m128i is_l = _mm_cmpeq_epi8(_mm_min_epu8(l, _mm_set1_epi8(5)), l);
	unsigned hex = (unsigned)_mm_movemask_epi8(_mm_or_si128(is_d, is_l));
	unsigned colon = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(':')));
	int last = lc_hex_digit(s[16]);

	/* digits at 0 1 3 4 6 7 9 10 12 13 15 (and 16), colons at 2 5 8 11 14 */
	if ((hex & 0xb6db) != 0xb6db || (colon & 0x4924) != 0x4924 || last < 0)
		return -EINVAL;
	/* the digits' values, 0 at the colons */
	__m128i val = _mm_or_si128(_mm_and_si128(is_d, d),
				   _mm_and_si128(is_l, _mm_add_epi8(l, _mm_set1_epi8(10))));
	/* each byte's value shifted up (values < 16: a 16-bit shift moves no
	 * bit across bytes) with the next byte's: the MAC's bytes at 0, 3, 6,
	 * 9, 12 and 15 */
	__m128i pair = _mm_or_si128(_mm_slli_epi16(val, 4), _mm_srli_si128(val, 1));
	uint64_t lo = (uint64_t)_mm_cvtsi128_si64(pair),
		 hi = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(pair, pair));
	ret_mac[0] = (uint8_t)lo;
	ret_mac[1] = (uint8_t)(lo >> 24);
	ret_mac[2] = (uint8_t)(lo >> 48);
	ret_mac[3] = (uint8_t)(hi >> 8);
	ret_mac[4] = (uint8_t)(hi >> 32);
	ret_mac[5] = (uint8_t)(hi >> 56 | (uint64_t)last);
	return 0;
}
#endif

int lc_mac_parse(const char *s, size_t len, uint8_t ret_mac[LC_MAC_LEN])
{
	uint8_t mac[LC_MAC_LEN];

	if (len != 17)
		return -EINVAL;
#if defined(__SSE2__) && defined(__x86_64__)
	return mac_parse_sse2(s, ret_mac);
#endif
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

/* Each byte's two hex digits, "00" to "ff", as one string. */
#define HEX16(h)                                                                                   \
	h "0" h "1" h "2" h "3" h "4" h "5" h "6" h "7" h "8" h "9" h "a" h "b" h "c" h "d" h      \
	  "e" h "f"
static const char hex_pairs[] =
    HEX16("0") HEX16("1") HEX16("2") HEX16("3") HEX16("4") HEX16("5") HEX16("6") HEX16("7")
	HEX16("8") HEX16("9") HEX16("a") HEX16("b") HEX16("c") HEX16("d") HEX16("e") HEX16("f");
#undef HEX16

void lc_mac_format(const uint8_t mac[LC_MAC_LEN], char buf[18])
{
	/* a byte's two digits in one copy from the table, the colons written
	 * as they are (a loop with a ':' test a byte cost three times as
	 * much): a lease's MAC string is formatted at every full build */
#pragma GCC unroll 6
	for (int i = 0; i < LC_MAC_LEN; i++)
		memcpy(buf + i * 3, hex_pairs + mac[i] * 2, 2);
	buf[2] = buf[5] = buf[8] = buf[11] = buf[14] = ':';
	buf[17] = '\0';
}

/* lease_ipv4, bounded by end or not: no quad reads past s + 16 (fifteen
 * characters and one to see the last part end), so where 16 bytes are
 * left no byte is checked against end. */
static inline const char *ipv4_scan(const char *s, const char *end, bool bounded, uint8_t out[4])
{
#define AT(q) (!bounded || (q) < end ? *(q) : '\0')
	for (int part = 0; part < 4; part++) {
		unsigned v, d;
		if (part && AT(s) != '.')
			return NULL;
		s += part != 0;
		if ((v = (unsigned)(AT(s) - '0')) > 9)
			return NULL;
		/* up to three digits, no leading zero, at most 255 */
		if ((d = (unsigned)(AT(s + 1) - '0')) <= 9) {
			if (v == 0)
				return NULL;
			v = v * 10 + d;
			if ((d = (unsigned)(AT(s + 2) - '0')) <= 9) {
				v = v * 10 + d;
				if (v > 255 || (unsigned)(AT(s + 3) - '0') <= 9)
					return NULL;
				s++;
			}
			s++;
		}
		s++;
		out[part] = (uint8_t)v;
	}
#undef AT
	return s;
}

const char *lease_ipv4(const char *s, const char *end, uint8_t out[4])
{
	return end - s >= 16 ? ipv4_scan(s, end, false, out) : ipv4_scan(s, end, true, out);
}

/*
 * An IPv6 address of hex groups and colons only, read step for step as
 * glibc's inet_pton6 reads one (up to four digits a group, one "::" at
 * most, no colon at either end but as part of a "::"), without the copy
 * and the NUL inet_pton needs (it was half of an IPv6 lease's cost).
 * false when not sure: a dotted IPv4 tail, or anything inet_pton6 would
 * reject; inet_pton then decides.  Such a string has a colon, so
 * inet_pton's AF_INET parse, tried first, would not have taken it.
 */
static bool ipv6_plain(const char *s, size_t len, uint8_t out[16])
{
	uint8_t tmp[16] = {0};
	size_t tp = 0, colonp = SIZE_MAX, digits = 0, i = 0;
	unsigned val = 0;

	if (len == 0)
		return false;
	if (s[0] == ':') {
		if (len < 2 || s[1] != ':')
			return false;
		i = 1; /* the second colon of a leading "::" marks its place */
	}
	while (i < len) {
		char ch = s[i++];
		int d = lc_hex_digit(ch);
		if (d >= 0) {
			if (digits == 4)
				return false;
			val = val << 4 | (unsigned)d;
			digits++;
			continue;
		}
		if (ch != ':')
			return false;
		if (!digits) {
			if (colonp != SIZE_MAX)
				return false;
			colonp = tp;
			continue;
		}
		if (i == len || tp + 2 > sizeof(tmp))
			return false;
		tmp[tp++] = (uint8_t)(val >> 8);
		tmp[tp++] = (uint8_t)val;
		digits = val = 0;
	}
	if (digits) {
		if (tp + 2 > sizeof(tmp))
			return false;
		tmp[tp++] = (uint8_t)(val >> 8);
		tmp[tp++] = (uint8_t)val;
	}
	if (colonp != SIZE_MAX) {
		if (tp == sizeof(tmp))
			return false; /* a "::" that stands for no group */
		/* the groups after it to the end, zeros in their place (from the
		 * last one down: none is overwritten before it is moved) */
		for (size_t k = tp; k-- > colonp;) {
			tmp[k + sizeof(tmp) - tp] = tmp[k];
			tmp[k] = 0;
		}
		tp = sizeof(tmp);
	}
	if (tp != sizeof(tmp))
		return false;
	memcpy(out, tmp, sizeof(tmp));
	return true;
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
	if (len < sizeof(tmp) && ipv6_plain(s, len, a.bytes)) {
		a.family = AF_INET6;
		*ret = a;
		return 0;
	}

	if (len == 0 || len >= sizeof(tmp))
		return -EINVAL;
	/* inet_pton takes digits, hex letters, ':' and '.', nothing else (nor
	 * a NUL): a name fails at its first other letter, with no copy and
	 * two parses */
	for (size_t i = 0; i < len; i++)
		if (lc_hex_digit(s[i]) < 0 && s[i] != ':' && s[i] != '.')
			return -EINVAL;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
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

int lease_macs_object(struct json_cursor *c, struct lc_macs_entry *e)
{
	struct lc_vec m = {.item_size = LC_MAC_LEN};
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
	e->macs = m.items; /* the heap's (no arena): the caller frees it */
	e->n_macs = m.n;
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
