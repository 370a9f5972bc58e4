/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Address prefixes (CIDR) and the address classes that discovery drops.
 * A guest can claim any address; these decide which of its claims mean
 * something on this host.  libc only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "resolver/resolver.h"

static unsigned family_bits(int family)
{
	return family == AF_INET ? 32 : family == AF_INET6 ? 128 : 0;
}

/* Zero every bit past len, so that two spellings of one prefix compare equal. */
static void clear_host_bits(struct lc_addr *a, unsigned len)
{
	unsigned bytes = family_bits(a->family) / 8;

	for (unsigned i = 0; i < bytes; i++) {
		unsigned keep = len > i * 8 ? len - i * 8 : 0;
		if (keep < 8)
			a->bytes[i] &= (uint8_t)(0xff00u >> keep);
	}
}

int lc_prefix_make(const struct lc_addr *a, unsigned len, struct lc_prefix *ret)
{
	unsigned max = family_bits(a->family);
	struct lc_prefix p;

	if (max == 0 || len > max)
		return -EINVAL;
	p.addr = *a;
	p.len = len;
	clear_host_bits(&p.addr, len);
	*ret = p;
	return 0;
}

int lc_prefix_parse(const char *s, size_t len, struct lc_prefix *ret)
{
	const char *slash = memchr(s, '/', len);
	struct lc_addr a;
	unsigned bits;
	int r;

	r = lc_addr_parse(s, slash ? (size_t)(slash - s) : len, &a);
	if (r < 0)
		return r;
	bits = family_bits(a.family);
	if (slash) {
		const char *d = slash + 1, *end = s + len;
		unsigned n = 0;
		if (d == end || end - d > 3)
			return -EINVAL;
		for (; d < end; d++) {
			if (*d < '0' || *d > '9')
				return -EINVAL;
			n = n * 10 + (unsigned)(*d - '0');
		}
		/* "10.0.0.0/08" is a typo more likely than an intent */
		if (slash[1] == '0' && end - slash > 2)
			return -EINVAL;
		bits = n;
	}
	return lc_prefix_make(&a, bits, ret);
}

bool lc_prefix_contains(const struct lc_prefix *p, const struct lc_addr *a)
{
	struct lc_addr masked;

	if (p->addr.family != a->family || p->len > family_bits(a->family))
		return false;
	masked = *a;
	clear_host_bits(&masked, p->len);
	return memcmp(masked.bytes, p->addr.bytes, family_bits(a->family) / 8) == 0;
}

const char *lc_prefix_format(const struct lc_prefix *p, char *buf, size_t size)
{
	char a[64];
	int n;

	lc_addr_format(&p->addr, a, sizeof(a));
	n = snprintf(buf, size, "%s/%u", a, p->len);
	if (n < 0 || (size_t)n >= size) {
		if (size)
			buf[0] = '\0';
	}
	return buf;
}

/* Only one spelling of an address per family: an IPv4-mapped IPv6 address
 * is judged as the IPv4 address it carries. */
enum lc_addr_scope lc_addr_scope(const struct lc_addr *a)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	const uint8_t *b = a->bytes;

	if (a->family == AF_INET6 && !memcmp(b, mapped, sizeof(mapped))) {
		struct lc_addr v4 = {.family = AF_INET};
		memcpy(v4.bytes, b + 12, 4);
		return lc_addr_scope(&v4);
	}
	if (a->family == AF_INET) {
		if (b[0] == 0 || (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255))
			return LC_SCOPE_UNSPECIFIED;
		if (b[0] == 127)
			return LC_SCOPE_LOOPBACK;
		if (b[0] == 169 && b[1] == 254)
			return LC_SCOPE_LINK;
		if (b[0] >= 224 && b[0] <= 239)
			return LC_SCOPE_MULTICAST;
		return LC_SCOPE_GLOBAL;
	}
	if (a->family == AF_INET6) {
		static const uint8_t zero[16];
		if (!memcmp(b, zero, 15))
			return b[15] == 1 ? LC_SCOPE_LOOPBACK : LC_SCOPE_UNSPECIFIED;
		if (b[0] == 0xff)
			return LC_SCOPE_MULTICAST;
		if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
			return LC_SCOPE_LINK;
		return LC_SCOPE_GLOBAL;
	}
	return LC_SCOPE_UNSPECIFIED;
}

const char *lc_addr_scope_name(enum lc_addr_scope s)
{
	switch (s) {
	case LC_SCOPE_GLOBAL:
		return "global";
	case LC_SCOPE_LINK:
		return "link-local";
	case LC_SCOPE_LOOPBACK:
		return "loopback";
	case LC_SCOPE_MULTICAST:
		return "multicast";
	default:
		return "unspecified";
	}
}

const char *lc_source_name(enum lc_addr_source s)
{
	switch (s) {
	case LC_SOURCE_LEASE:
		return "lease";
	case LC_SOURCE_NETNS:
		return "netns";
	case LC_SOURCE_AGENT:
		return "agent";
	case LC_SOURCE_NEIGH:
		return "neigh";
	}
	return "?";
}

int lc_source_parse(const char *s, size_t len, enum lc_addr_source *ret)
{
	static const enum lc_addr_source all[] = {LC_SOURCE_LEASE, LC_SOURCE_NETNS, LC_SOURCE_AGENT,
						  LC_SOURCE_NEIGH};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		const char *n = lc_source_name(all[i]);
		if (strlen(n) == len && !memcmp(n, s, len)) {
			*ret = all[i];
			return 0;
		}
	}
	return -EINVAL;
}
