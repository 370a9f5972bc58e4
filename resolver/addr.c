/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Addresses as lease files and queries spell them: MACs, IPv4 and IPv6
 * addresses, hex strings, DHCP hostnames.  Each is read in place, in the
 * form libvirt and dnsmasq write, with inet_pton where that is not enough.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
