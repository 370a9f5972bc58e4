/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a guest's records hold: the DHCID, the TXT, the reverse names. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

#include "host/ddns.h"
#include "resolver/util.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lc_lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int ddns_uuid_parse(const char *s, uint8_t ret[16])
{
	uint8_t u[16];
	size_t n = 0;

	for (size_t i = 0; s[i] && n < 16; i++) {
		if (s[i] == '-' && (i == 8 || i == 13 || i == 18 || i == 23))
			continue;
		int hi = hexval(s[i]), lo = s[i + 1] ? hexval(s[i + 1]) : -1;
		if (hi < 0 || lo < 0)
			return -EINVAL;
		u[n++] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	if (n != 16 || strlen(s) != 36)
		return -EINVAL;
	memcpy(ret, u, 16);
	return 0;
}

int ddns_guest_from_record(const struct lc_guest_record *rec, const struct lc_addr *addrs,
			   size_t n_addrs, struct ddns_guest *ret)
{
	struct ddns_guest g;
	size_t n = strlen(rec->name);

	memset(&g, 0, sizeof(g));
	if (!n || n >= sizeof(g.name) || strchr(rec->name, '.') ||
	    ddns_uuid_parse(rec->uuid, g.uuid) < 0)
		return -EINVAL;
	memcpy(g.name, rec->name, n + 1);
	snprintf(g.cluster, sizeof(g.cluster), "%s", rec->cluster);
	snprintf(g.group, sizeof(g.group), "%s", rec->group);
	for (size_t i = 0; i < n_addrs && g.n_addrs < DDNS_MAX_ADDRS; i++)
		g.addrs[g.n_addrs++] = addrs[i];
	*ret = g;
	return 0;
}

/* The name in canonical wire form (RFC 4034 6.2: lower-case) through ldns. */
static int canonical_wire(const char *fqdn, uint8_t *buf, size_t size, size_t *ret_len)
{
	ldns_rdf *d = ldns_dname_new_frm_str(fqdn);
	int r = 0;

	if (!d)
		return -EINVAL;
	ldns_dname2canonical(d);
	if (ldns_rdf_size(d) > size)
		r = -ENOBUFS;
	else {
		memcpy(buf, ldns_rdf_data(d), ldns_rdf_size(d));
		*ret_len = ldns_rdf_size(d);
	}
	ldns_rdf_deep_free(d);
	return r;
}

int ddns_dhcid(uint16_t id_type, const uint8_t *id, size_t id_len, const char *fqdn,
	       uint8_t ret[DDNS_DHCID_LEN])
{
	uint8_t in[512 + 256];
	size_t name_len;
	int r;

	if (id_len > 512)
		return -EINVAL;
	memcpy(in, id, id_len);
	r = canonical_wire(fqdn, in + id_len, sizeof(in) - id_len, &name_len);
	if (r < 0)
		return r;
	ret[0] = (uint8_t)(id_type >> 8);
	ret[1] = (uint8_t)id_type;
	ret[2] = 1; /* digest type: SHA-256 */
	ldns_sha256(in, (unsigned)(id_len + name_len), ret + 3);
	return 0;
}

int ddns_dhcid_uuid(const uint8_t uuid[16], const char *fqdn, uint8_t ret[DDNS_DHCID_LEN])
{
	uint8_t duid[18] = {0x00, 0x04}; /* DUID-UUID, RFC 6355 */
	memcpy(duid + 2, uuid, 16);
	return ddns_dhcid(2, duid, sizeof(duid), fqdn, ret);
}

int ddns_txt(const char *host_id, const char *cluster, const char *group, char *buf, size_t size)
{
	int n = snprintf(buf, size, DDNS_TXT_TAG " host=%s%s%s%s%s", host_id,
			 cluster && *cluster ? " cluster=" : "", cluster ? cluster : "",
			 group && *group ? " group=" : "", group ? group : "");
	if (n < 0 || (size_t)n >= size || n > 255)
		return -ENOBUFS;
	return 0;
}

int ddns_txt_field(const char *txt, const char *key, char *buf, size_t size)
{
	size_t tag = strlen(DDNS_TXT_TAG), kl = strlen(key);

	if (strncmp(txt, DDNS_TXT_TAG " ", tag + 1))
		return -ENOENT;
	for (const char *p = txt + tag; *p;) {
		while (*p == ' ')
			p++;
		size_t w = strcspn(p, " ");
		if (w > kl && p[kl] == '=' && !strncmp(p, key, kl)) {
			size_t v = w - kl - 1;
			if (v >= size)
				return -ENOBUFS;
			memcpy(buf, p + kl + 1, v);
			buf[v] = '\0';
			return 0;
		}
		p += w;
	}
	return -ENOENT;
}

int ddns_reverse_name(const struct lc_addr *a, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	int w;

	if (a->family == AF_INET) {
		w = snprintf(buf, size, "%u.%u.%u.%u.in-addr.arpa", a->bytes[3], a->bytes[2],
			     a->bytes[1], a->bytes[0]);
		return w < 0 || (size_t)w >= size ? -ENOBUFS : 0;
	}
	if (a->family != AF_INET6)
		return -EAFNOSUPPORT;
	if (size < 64 + sizeof("ip6.arpa"))
		return -ENOBUFS;
	for (int i = 15; i >= 0; i--) {
		buf[n++] = hex[a->bytes[i] & 15];
		buf[n++] = '.';
		buf[n++] = hex[a->bytes[i] >> 4];
		buf[n++] = '.';
	}
	memcpy(buf + n, "ip6.arpa", sizeof("ip6.arpa"));
	return 0;
}

/* name is zone or below it (both lower-case, no trailing dots). */
static bool in_zone(const char *name, const char *zone)
{
	size_t n = strlen(name), z = strlen(zone);
	if (n == z)
		return lc_streq_fold(name, zone);
	return n > z && name[n - z - 1] == '.' && lc_streq_fold(name + n - z, zone);
}

const char *ddns_reverse_zone(const struct ddns_config *c, const char *name)
{
	const char *best = NULL;
	for (size_t i = 0; i < c->n_rev_zones; i++)
		if (in_zone(name, c->rev_zones[i]) &&
		    (!best || strlen(c->rev_zones[i]) > strlen(best)))
			best = c->rev_zones[i];
	return best;
}

static int guest_fqdn(const struct ddns_config *c, const struct ddns_guest *g, char *buf,
		      size_t size)
{
	size_t n = strlen(g->name);
	if (!n || n > LC_LABEL_MAX || strchr(g->name, '.'))
		return -EINVAL;
	int w = snprintf(buf, size, "%s.%s", g->name, c->zone);
	if (w < 0 || (size_t)w >= size || w > LC_NAME_MAX - 1)
		return -ENAMETOOLONG;
	for (char *p = buf; *p; p++)
		*p = lc_lower(*p);
	return 0;
}

int ddns_set_forward(const struct ddns_config *c, const struct ddns_guest *g, struct ddns_set *ret)
{
	struct ddns_set s;
	bool have4 = false, have6 = false;
	int r;

	memset(&s, 0, sizeof(s));
	r = guest_fqdn(c, g, s.owner, sizeof(s.owner));
	if (r < 0)
		return r;
	snprintf(s.zone, sizeof(s.zone), "%s", c->zone);
	r = ddns_dhcid_uuid(g->uuid, s.owner, s.dhcid);
	if (r == 0)
		r = ddns_txt(c->host_id, g->cluster, g->group, s.txt, sizeof(s.txt));
	if (r < 0)
		return r;
	for (size_t i = 0; i < g->n_addrs && i < DDNS_MAX_ADDRS; i++) {
		bool *seen = g->addrs[i].family == AF_INET ? &have4 : &have6;
		if (!c->all_addresses && *seen)
			continue;
		*seen = true;
		s.addrs[s.n_addrs++] = g->addrs[i];
	}
	*ret = s;
	return 0;
}

int ddns_set_reverse(const struct ddns_config *c, const struct ddns_guest *g,
		     const struct lc_addr *a, struct ddns_set *ret)
{
	struct ddns_set s;
	const char *zone;
	int r;

	memset(&s, 0, sizeof(s));
	r = ddns_reverse_name(a, s.owner, sizeof(s.owner));
	if (r < 0)
		return r;
	zone = ddns_reverse_zone(c, s.owner);
	if (!zone)
		return -ENOENT;
	snprintf(s.zone, sizeof(s.zone), "%s", zone);
	r = guest_fqdn(c, g, s.ptr, sizeof(s.ptr));
	/* the same DHCID as the forward name: the owner is the guest */
	if (r == 0)
		r = ddns_dhcid_uuid(g->uuid, s.ptr, s.dhcid);
	if (r == 0)
		r = ddns_txt(c->host_id, g->cluster, g->group, s.txt, sizeof(s.txt));
	if (r < 0)
		return r;
	*ret = s;
	return 0;
}
