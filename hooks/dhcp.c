/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * DHCPRELEASE, built here rather than by running dnsmasq-utils' dhcp_release:
 * the hook then needs no extra package, costs no fork+exec per lease, can be
 * unit-tested byte by byte, and reports a send error as an error instead of
 * a child's exit status.  The wire behaviour is the same as dhcp_release's: a
 * UDP datagram to the server address on the bridge, port 67, from a socket
 * bound to the bridge device so dnsmasq sees it arrive on that interface.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hooks/hook.h"

#define BOOTREQUEST 1
#define HTYPE_ETHER 1
#define DHCP_COOKIE 0x63825363u
#define OPT_PAD 0
#define OPT_SERVER_ID 54
#define OPT_MESSAGE_TYPE 53
#define OPT_CLIENT_ID 61
#define OPT_END 255
#define DHCPRELEASE 7
#define DHCP_SERVER_PORT 67

/* Offsets into the BOOTP header (RFC 2131 figure 1). */
#define OFF_OP 0
#define OFF_HTYPE 1
#define OFF_HLEN 2
#define OFF_XID 4
#define OFF_CIADDR 12
#define OFF_CHADDR 28
#define OFF_COOKIE 236
#define OFF_OPTIONS 240

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

ssize_t hook_dhcp4_release_build(uint8_t *buf, size_t size, const uint8_t mac[LC_MAC_LEN],
				 const struct lc_addr *ciaddr, const struct lc_addr *server,
				 const uint8_t *client_id, size_t client_id_len, uint32_t xid)
{
	uint8_t *o;

	if (!buf || !mac || !ciaddr || !server || ciaddr->family != AF_INET ||
	    server->family != AF_INET || client_id_len > 255 || (client_id_len && !client_id))
		return -EINVAL;
	if (size < HOOK_DHCP4_PACKET_SIZE)
		return -ENOBUFS;
	/* 3 (type) + 6 (server id) + 2 + client id + 1 (end) must fit in the
	 * 308 option bytes after the cookie. */
	if (3 + 6 + (client_id_len ? 2 + client_id_len : 0) + 1 >
	    HOOK_DHCP4_PACKET_SIZE - OFF_OPTIONS)
		return -EMSGSIZE;

	memset(buf, 0, HOOK_DHCP4_PACKET_SIZE);
	buf[OFF_OP] = BOOTREQUEST;
	buf[OFF_HTYPE] = HTYPE_ETHER;
	buf[OFF_HLEN] = LC_MAC_LEN;
	put_be32(buf + OFF_XID, xid);
	memcpy(buf + OFF_CIADDR, ciaddr->bytes, 4);
	memcpy(buf + OFF_CHADDR, mac, LC_MAC_LEN);
	put_be32(buf + OFF_COOKIE, DHCP_COOKIE);

	o = buf + OFF_OPTIONS;
	*o++ = OPT_MESSAGE_TYPE;
	*o++ = 1;
	*o++ = DHCPRELEASE;
	*o++ = OPT_SERVER_ID;
	*o++ = 4;
	memcpy(o, server->bytes, 4);
	o += 4;
	if (client_id_len) {
		*o++ = OPT_CLIENT_ID;
		*o++ = (uint8_t)client_id_len;
		memcpy(o, client_id, client_id_len);
		o += client_id_len;
	}
	*o++ = OPT_END;
	/* The rest stays OPT_PAD (zero). */
	(void)OPT_PAD;
	return HOOK_DHCP4_PACKET_SIZE;
}

#define DHCP6_RELEASE 8
#define D6_OPT_CLIENTID 1
#define D6_OPT_SERVERID 2
#define D6_OPT_IA_NA 3
#define D6_OPT_IAADDR 5

ssize_t hook_dhcp6_release_build(uint8_t *buf, size_t size, const uint8_t *client_duid,
				 size_t client_duid_len, const uint8_t *server_duid,
				 size_t server_duid_len, uint32_t iaid, const struct lc_addr *addr,
				 uint32_t xid)
{
	size_t need, o = 0;

	if (!buf || !client_duid || !server_duid || !addr || addr->family != AF_INET6 ||
	    client_duid_len == 0 || server_duid_len == 0 || client_duid_len > 130 ||
	    server_duid_len > 130)
		return -EINVAL; /* a DUID is at most 130 bytes (RFC 8415 11.1) */
	/* header 4, client id 4+n, server id 4+n, IA_NA 4+12 + IAADDR 4+24 */
	need = 4 + 4 + client_duid_len + 4 + server_duid_len + 16 + 28;
	if (size < need)
		return -ENOBUFS;

	buf[o++] = DHCP6_RELEASE;
	buf[o++] = (uint8_t)(xid >> 16);
	buf[o++] = (uint8_t)(xid >> 8);
	buf[o++] = (uint8_t)xid;

	put_be16(buf + o, D6_OPT_CLIENTID);
	put_be16(buf + o + 2, (uint16_t)client_duid_len);
	memcpy(buf + o + 4, client_duid, client_duid_len);
	o += 4 + client_duid_len;

	put_be16(buf + o, D6_OPT_SERVERID);
	put_be16(buf + o + 2, (uint16_t)server_duid_len);
	memcpy(buf + o + 4, server_duid, server_duid_len);
	o += 4 + server_duid_len;

	put_be16(buf + o, D6_OPT_IA_NA);
	put_be16(buf + o + 2, 12 + 28);
	put_be32(buf + o + 4, iaid);
	put_be32(buf + o + 8, 0); /* T1, T2: zero in a Release */
	put_be32(buf + o + 12, 0);
	o += 16;

	put_be16(buf + o, D6_OPT_IAADDR);
	put_be16(buf + o + 2, 24);
	memcpy(buf + o + 4, addr->bytes, 16);
	put_be32(buf + o + 20, 0); /* lifetimes: zero in a Release */
	put_be32(buf + o + 24, 0);
	o += 28;

	return (ssize_t)o;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

ssize_t hook_hex_parse(const char *s, uint8_t *buf, size_t size)
{
	size_t n = 0;

	if (!s || !*s)
		return -EINVAL;
	for (;;) {
		int hi = hexval(s[0]), lo;
		if (hi < 0)
			return -EINVAL;
		/* dnsmasq writes single-digit bytes without a leading zero. */
		lo = hexval(s[1]);
		if (n >= size)
			return -ENOBUFS;
		if (lo >= 0) {
			buf[n++] = (uint8_t)(hi << 4 | lo);
			s += 2;
		} else {
			buf[n++] = (uint8_t)hi;
			s += 1;
		}
		if (!*s)
			return (ssize_t)n;
		if (*s != ':')
			return -EINVAL;
		s++;
	}
}

static bool same_subnet(const struct lc_addr *a, const struct sockaddr *addr,
			const struct sockaddr *mask)
{
	const uint8_t *x, *m;
	size_t len;

	if (a->family == AF_INET) {
		x = (const uint8_t *)&((const struct sockaddr_in *)addr)->sin_addr;
		m = (const uint8_t *)&((const struct sockaddr_in *)mask)->sin_addr;
		len = 4;
	} else {
		x = (const uint8_t *)&((const struct sockaddr_in6 *)addr)->sin6_addr;
		m = (const uint8_t *)&((const struct sockaddr_in6 *)mask)->sin6_addr;
		len = 16;
	}
	for (size_t i = 0; i < len; i++)
		if ((x[i] & m[i]) != (a->bytes[i] & m[i]))
			return false;
	return true;
}

int hook_dhcp_server_addr(const char *ifname, const struct lc_addr *client, struct lc_addr *ret)
{
	struct ifaddrs *ifa = NULL;
	struct lc_addr first = {0}, match = {0};
	bool have_first = false, have_match = false;

	if (!ifname || !client)
		return -EINVAL;
	if (getifaddrs(&ifa) < 0)
		return -errno;
	for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != client->family ||
		    strcmp(i->ifa_name, ifname) != 0)
			continue;
		struct lc_addr a = {.family = client->family};
		if (a.family == AF_INET)
			memcpy(a.bytes, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
		else
			memcpy(a.bytes, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
		if (!have_first) {
			first = a;
			have_first = true;
		}
		if (!have_match && i->ifa_netmask &&
		    same_subnet(client, i->ifa_addr, i->ifa_netmask)) {
			match = a;
			have_match = true;
		}
	}
	freeifaddrs(ifa);
	if (!have_first)
		return -EADDRNOTAVAIL;
	*ret = have_match ? match : first;
	return 0;
}

int hook_dhcp4_release_send(const char *bridge, const struct lc_addr *addr,
			    const uint8_t mac[LC_MAC_LEN])
{
	uint8_t pkt[HOOK_DHCP4_PACKET_SIZE];
	struct lc_addr server;
	struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(DHCP_SERVER_PORT)};
	uint32_t xid;
	ssize_t n;
	int fd, r;

	if (!bridge || !*bridge || strlen(bridge) >= IFNAMSIZ)
		return -EINVAL;
	r = hook_dhcp_server_addr(bridge, addr, &server);
	if (r < 0)
		return r;
	/* The xid only has to differ between clients; no answer is expected. */
	xid = (uint32_t)getpid() ^ ((uint32_t)addr->bytes[3] << 24 | (uint32_t)mac[5] << 16);
	n = hook_dhcp4_release_build(pkt, sizeof(pkt), mac, addr, &server, NULL, 0, xid);
	if (n < 0)
		return (int)n;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, bridge, (socklen_t)strlen(bridge) + 1) <
	    0) {
		r = -errno;
		goto out;
	}
	memcpy(&dst.sin_addr, server.bytes, 4);
	if (sendto(fd, pkt, (size_t)n, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
		r = -errno;
		goto out;
	}
	r = 0;
out:
	close(fd);
	return r;
}
