/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt's <bridge>.status: a JSON array of lease objects.  Each object
 * is read first by a fast reader for the layout libvirt writes (strings
 * without escapes, integers: read in place, one pass, no copy), and by
 * the full JSON reader when it holds anything else.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "resolver/json.h"
#include "resolver/lease.h"

/* "iaid": libvirt writes dnsmasq's DNSMASQ_IAID as a string, "%u" with a
 * "T" before it for a temporary address; a number is taken too.  The
 * string's bytes (vlen >= 16: one the full reader cuts short): *ok set
 * when they are a usable IAID. */
static void iaid_text(const char *val, size_t vlen, uint32_t *ret_iaid, bool *ret_ta, bool *ok)
{
	size_t i;
	uint64_t v = 0;

	*ok = false;
	if (vlen >= 16)
		return;
	*ret_ta = vlen > 0 && val[0] == 'T';
	i = *ret_ta ? 1 : 0;
	if (i == vlen || vlen - i > 10)
		return;
	for (; i < vlen; i++) {
		if (val[i] < '0' || val[i] > '9')
			return;
		v = v * 10 + (uint64_t)(val[i] - '0');
	}
	if (v > UINT32_MAX)
		return;
	*ret_iaid = (uint32_t)v;
	*ok = true;
}

/* The same for a number. */
static void iaid_number(int64_t n, uint32_t *ret_iaid, bool *ret_ta, bool *ok)
{
	*ok = n >= 0 && n <= UINT32_MAX;
	if (*ok) {
		*ret_iaid = (uint32_t)n;
		*ret_ta = false;
	}
}

/* An "iaid" value at the cursor: false on a wrong JSON type (the file is
 * broken), else true. */
static bool status_iaid(struct json_cursor *c, uint32_t *ret_iaid, bool *ret_ta, bool *ok)
{
	char val[16];
	size_t vlen;
	int64_t n;

	if (!json_peek(c, '"')) {
		if (!json_int(c, &n))
			return false;
		iaid_number(n, ret_iaid, ret_ta, ok);
		return true;
	}
	if (!json_string(c, val, sizeof(val), &vlen, NULL))
		return false;
	iaid_text(val, vlen, ret_iaid, ret_ta, ok);
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

/* What one lease object says, member by member (a later member of the
 * same key counts over an earlier one, as it reads). */
struct status_obj {
	struct lc_lease l;
	bool has_ip, bad, has_iaid, ta;
	const char *cid_at, *sid_at; /* at the string's opening quote */
	uint32_t iaid;
};

enum status_key { K_OTHER, K_IP, K_MAC, K_HOSTNAME, K_EXPIRY, K_CID, K_SID, K_IAID, K_FAIL };

static enum status_key status_key(const char *k, size_t n)
{
#define IS(lit) (n == sizeof(lit) - 1 && memcmp(k, lit, n) == 0)
	switch (k[0]) {
	case 'i':
		return IS("ip-address") ? K_IP : IS("iaid") ? K_IAID : K_OTHER;
	case 'm':
		return IS("mac-address") ? K_MAC : K_OTHER;
	case 'h':
		return IS("hostname") ? K_HOSTNAME : K_OTHER;
	case 'e':
		return IS("expiry-time") ? K_EXPIRY : K_OTHER;
	case 'c':
		return IS("client-id") ? K_CID : K_OTHER;
	case 's':
		return IS("server-duid") ? K_SID : K_OTHER;
	default:
		return K_OTHER;
	}
#undef IS
}

/* A string member's value (trunc: longer than LC_HOSTNAME_MAX, which no
 * field we take can be). */
static int status_string(struct status_obj *o, enum status_key key, const char *v, size_t n,
			 bool trunc, struct lc_arena *arena)
{
	switch (key) {
	case K_IP:
		o->has_ip = !trunc && lc_addr_parse(v, n, &o->l.addr) == 0;
		if (!o->has_ip)
			o->bad = true;
		break;
	case K_MAC:
		o->l.has_mac = !trunc && lc_mac_parse(v, n, o->l.mac) == 0;
		break;
	case K_HOSTNAME:
		if (!trunc && lease_hostname_ok(v, n)) {
			o->l.hostname = lc_arena_strndup(arena, v, n);
			if (!o->l.hostname)
				return -ENOMEM;
		}
		break;
	default:
		break;
	}
	return 0;
}

/* The full reader: any JSON, escapes and all. */
static int status_object_full(struct json_cursor *c, struct lc_arena *arena, struct status_obj *o)
{
	bool first = true;
	char key[32];
	int k;

	while ((k = json_object_next(c, &first, key, sizeof(key))) == 1) {
		char val[LC_HOSTNAME_MAX + 1];
		size_t vlen;
		bool trunc;
		enum status_key sk = status_key(key, strlen(key));

		switch (sk) {
		case K_IP:
		case K_MAC:
		case K_HOSTNAME:
			if (!json_string(c, val, sizeof(val), &vlen, &trunc))
				return -EBADMSG;
			if (status_string(o, sk, val, vlen, trunc, arena) < 0)
				return -ENOMEM;
			break;
		case K_EXPIRY:
			if (!json_int(c, &o->l.expiry))
				return -EBADMSG;
			break;
		case K_CID:
		case K_SID:
			/* v4 leases carry a client-id too: keep only its place,
			 * and decode it once the address says IPv6 */
			if (!json_peek(c, '"'))
				return -EBADMSG;
			*(sk == K_CID ? &o->cid_at : &o->sid_at) = c->p;
			if (!json_string(c, NULL, 0, NULL, NULL))
				return -EBADMSG;
			break;
		case K_IAID:
			if (!status_iaid(c, &o->iaid, &o->ta, &o->has_iaid))
				return -EBADMSG;
			break;
		default:
			if (!json_skip_value(c, 1))
				return -EBADMSG;
		}
	}
	return k < 0 ? -EBADMSG : 0;
}

/* ---- the fast reader ------------------------------------------------------ */

/* The member at p (its key's opening quote): which key, and where its
 * value starts.  The members libvirt writes are told by their first byte
 * and one compare of a fixed size (JSON_MEMBER_IS); any other is read as
 * a plain string and a ':'.  K_FAIL: an escape or a control byte in the
 * key, or no ':' (the full reader's). */
static enum status_key fast_member(const char *p, const char *end, const char **ret)
{
	size_t kn;
	const char *k;
	enum status_key sk;

#define LIT(lit, key)                                                                              \
	if (JSON_MEMBER_IS(p, end, lit)) {                                                         \
		*ret = p + sizeof(lit) + 3;                                                        \
		return key;                                                                        \
	}
	if (end - p > 1) {
		switch (p[1]) {
		case 'i':
			LIT("ip-address", K_IP);
			LIT("iaid", K_IAID);
			break;
		case 'm':
			LIT("mac-address", K_MAC);
			break;
		case 'h':
			LIT("hostname", K_HOSTNAME);
			break;
		case 'e':
			LIT("expiry-time", K_EXPIRY);
			break;
		case 'c':
			LIT("client-id", K_CID);
			break;
		case 's':
			LIT("server-duid", K_SID);
			break;
		default:
			break;
		}
	}
#undef LIT
	if (!(p = json_plain_string(p, end, &k, &kn)))
		return K_FAIL;
	sk = status_key(k, kn);
	return (*ret = json_plain_colon(p, end)) ? sk : K_FAIL;
}

/* Where the bytes at p stop being ones a hostname may hold (printable
 * ASCII, lease_hostname_ok) that a plain JSON string holds as they are
 * (not '"' or '\\'): a hostname's closing quote, in one pass. */
static const char *hostname_run_end(const char *p, const char *end)
{
#ifdef __SSE2__
	for (; end - p >= 16; p += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		/* signed: 0x21..0x7f, then not 0x7f, '"' or '\\' */
		__m128i in = _mm_cmpgt_epi8(v, _mm_set1_epi8(0x20));
		__m128i out = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)),
					   _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
							_mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
		unsigned stop = ~(unsigned)_mm_movemask_epi8(_mm_andnot_si128(out, in)) & 0xffff;
		if (stop)
			return p + __builtin_ctz(stop);
	}
#endif
	while (p < end && (unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f && *p != '"' &&
	       *p != '\\')
		p++;
	return p;
}

/* An "iaid" value at p: past it, or NULL for anything but a plain string
 * or an integer. */
static const char *fast_iaid(const char *p, const char *end, struct status_obj *o)
{
	const char *v;
	size_t vn;
	int64_t n;

	if (*p != '"') {
		if ((p = json_plain_int(p, end, &n)))
			iaid_number(n, &o->iaid, &o->ta, &o->has_iaid);
		return p;
	}
	if ((p = json_plain_string(p, end, &v, &vn)))
		iaid_text(v, vn, &o->iaid, &o->ta, &o->has_iaid);
	return p;
}

/* One member's value at *pp (past the ':'), *pp then past it: 1, or 0
 * for anything the fast reader leaves to the full one, or -ENOMEM.  An
 * IPv4 address and a MAC are parsed where they stand (what they hold
 * proves the string plain); anything else is read as a string first, as
 * the full reader reads it. */
static inline __attribute__((always_inline)) int fast_value(const char **pp, const char *end,
							    enum status_key sk,
							    struct status_obj *o,
							    struct lc_arena *arena)
{
	const char *p = *pp, *v, *q;
	size_t vn;
	int64_t n;
	uint8_t a4[4];

	switch (sk) {
	case K_HOSTNAME:
		/* one pass: where the string ends is where its bytes stop
		 * being a hostname's, and then it is taken as it stands */
		q = hostname_run_end(p + 1, end);
		if (*p == '"' && q < end && *q == '"' && q > p + 1 &&
		    q - p - 1 <= LC_HOSTNAME_MAX) {
			if (!(o->l.hostname = lc_arena_strndup(arena, p + 1, (size_t)(q - p - 1))))
				return -ENOMEM;
			*pp = q + 1;
			return 1;
		}
		break;
	case K_IP:
		if (*p == '"' && (q = lease_ipv4(p + 1, end, a4)) && q < end && *q == '"') {
			o->l.addr = (struct lc_addr){.family = AF_INET};
			memcpy(o->l.addr.bytes, a4, sizeof(a4));
			o->has_ip = true;
			*pp = q + 1;
			return 1;
		}
		break;
	case K_MAC:
		if (end - p > 18 && *p == '"' && p[18] == '"' &&
		    lc_mac_parse(p + 1, 17, o->l.mac) == 0) {
			o->l.has_mac = true;
			*pp = p + 19;
			return 1;
		}
		break;
	case K_EXPIRY:
		return (*pp = json_plain_int(p, end, &o->l.expiry)) != NULL;
	case K_IAID:
		return (*pp = fast_iaid(p, end, o)) != NULL;
	case K_CID:
	case K_SID:
		/* only its place: see status_object_full */
		*(sk == K_CID ? &o->cid_at : &o->sid_at) = p;
		return *p == '"' && (*pp = json_plain_string(p, end, &v, &vn));
	case K_OTHER:
		if (*p != '"')
			return (*pp = json_plain_int(p, end, &n)) != NULL;
		return (*pp = json_plain_string(p, end, &v, &vn)) != NULL;
	default:
		break;
	}
	/* ip-address, mac-address and hostname: a string */
	if (*p != '"' || !(*pp = json_plain_string(p, end, &v, &vn)))
		return 0;
	return status_string(o, sk, v, vn, vn > LC_HOSTNAME_MAX, arena) < 0 ? -ENOMEM : 1;
}

/*
 * The fast reader, for the layout libvirt writes: members whose values
 * are strings without escapes, or integers.  No copy, no key buffer, one
 * pass.  1 = read (the cursor past the object); 0 = anything else (an
 * escape, a nested value, a number with a fraction, bad syntax, an empty
 * object): the full reader reads the object again from its start and
 * decides alone, so what this one takes is exactly what that one would.
 */
static int status_object_fast(struct json_cursor *c, struct lc_arena *arena, struct status_obj *o)
{
	const char *p = json_plain_first(c->p, c->end), *end = c->end;
	int r, next;

	if (!p)
		return 0;
	do {
		enum status_key sk = fast_member(p, end, &p);
		if (sk == K_FAIL || p >= end)
			return 0;
		if ((r = fast_value(&p, end, sk, o, arena)) <= 0)
			return r;
	} while ((next = json_plain_after(&p, end)) == 1);
	if (next < 0)
		return 0;
	c->p = p;
	return 1;
}

/*
 * Quicker still, the object exactly as libvirt writes it (virLeaseNew,
 * pretty-printed: two spaces an indent level): its members one a line,
 * each at most once and in libvirt's order (iaid, ip-address,
 * mac-address, hostname, client-id, server-duid, expiry-time).  Each key
 * is told by one compare in the order it must come, and each separator
 * by another: no dispatch on the key, no whitespace skip.  The values
 * are read by fast_value, as the fast reader reads them, so what this
 * one takes is a subset of what that one takes, read the same.  1 =
 * read, 0 = anything else (then the fast reader reads the object from
 * its start, and decides), -ENOMEM.
 */
static int status_object_libvirt(struct json_cursor *c, struct lc_arena *arena,
				 struct status_obj *o)
{
	const char *end = c->end, *p = json_skip_spaces(c->p, end);
	int at = 0, r;

	if (end - p < 7 || memcmp(p, "{\n    \"", 7))
		return 0;
	p += 6; /* at the first key's opening quote */
	for (;;) {
		enum status_key sk;
		/* at: how many of libvirt's keys can no longer come */
#define KEY(n, lit, key)                                                                           \
	if (at < n && JSON_MEMBER_IS(p, end, lit)) {                                               \
		sk = key, at = n, p += sizeof(lit) + 3;                                            \
	} else
		KEY(1, "iaid", K_IAID)
		KEY(2, "ip-address", K_IP)
		KEY(3, "mac-address", K_MAC)
		KEY(4, "hostname", K_HOSTNAME)
		KEY(5, "client-id", K_CID)
		KEY(6, "server-duid", K_SID)
		KEY(7, "expiry-time", K_EXPIRY)
		return 0;
#undef KEY
		if (p >= end)
			return 0;
		if ((r = fast_value(&p, end, sk, o, arena)) <= 0)
			return r;
		if (end - p > 7 && !memcmp(p, ",\n    \"", 7)) {
			p += 6;
			continue;
		}
		if (end - p < 4 || memcmp(p, "\n  }", 4))
			return 0;
		c->p = p + 4;
		return 1;
	}
}

int lease_status_object(struct json_cursor *c, struct lc_arena *arena, unsigned flags,
			struct lc_lease *ret)
{
	const char *start = c->p;
	struct status_obj o = {.l.expiry = LC_EXPIRY_INFINITE};
	int r = status_object_libvirt(c, arena, &o);

	if (r == 0) {
		o = (struct status_obj){.l.expiry = LC_EXPIRY_INFINITE};
		r = status_object_fast(c, arena, &o);
	}
	if (r == 0) {
		o = (struct status_obj){.l.expiry = LC_EXPIRY_INFINITE};
		c->p = start;
		r = status_object_full(c, arena, &o);
	}
	if (r < 0)
		return r;
	if (!o.has_ip || o.bad)
		return 0; /* an entry we cannot use, in a well-formed file */
	if (o.l.addr.family == AF_INET6 && o.has_iaid && o.cid_at && o.sid_at &&
	    !(flags & LEASE_SKIP_DHCP6_ID) &&
	    status_dhcp6(o.cid_at, o.sid_at, c->end, o.iaid, o.ta, arena, &o.l.dhcp6) < 0)
		return -ENOMEM;
	*ret = o.l;
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
		struct lc_lease *slot = lease_vec_slot(leases);
		if (!slot) {
			leases->n = start;
			return -ENOMEM;
		}
		*slot = l;
		/* the rest of a larger item zero, as lc_vec_push leaves it */
		if (leases->item_size > sizeof(l))
			memset(slot + 1, 0, leases->item_size - sizeof(l));
	}
	if (r < 0 || !json_at_end(&c)) {
		leases->n = start;
		return -EBADMSG;
	}
	return 0;
}
