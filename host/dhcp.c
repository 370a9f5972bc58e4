/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * DHCPRELEASE and DHCPv6 Release, built here rather than by running
 * dnsmasq-utils' dhcp_release and dhcp_release6: the hook then needs no extra
 * package, costs no fork+exec per lease, can be unit-tested byte by byte, and
 * reports a send error as an error instead of a child's exit status.  The
 * wire behaviour is the same as theirs: for v4 a UDP datagram to the server
 * address on the bridge, port 67; for v6 one to ff02::1:2 port 547 on the
 * bridge, from port 546; both from a socket bound to the bridge device so
 * dnsmasq sees it arrive on that interface.
 *
 * dnsmasq answers a DHCPv6 message only after looking up the sender's MAC
 * in the neighbour table, and the sender here is the host's own address on
 * the bridge, which is never there: it sends neighbour solicitations and
 * sleeps 5 x 100 ms (dhcp6.c get_client_mac) before it handles the Release
 * and replies.  dhcp_release6 waits that out; a hook, which holds up the
 * guest, does not: the caller says how long to wait, and the hook says 0.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "host/host.h"

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

ssize_t host_dhcp4_release_build(uint8_t *buf, size_t size, const uint8_t mac[LC_MAC_LEN],
				 const struct lc_addr *ciaddr, const struct lc_addr *server,
				 const uint8_t *client_id, size_t client_id_len, uint32_t xid)
{
	uint8_t *o;

	if (!buf || !mac || !ciaddr || !server || ciaddr->family != AF_INET ||
	    server->family != AF_INET || client_id_len > 255 || (client_id_len && !client_id))
		return -EINVAL;
	if (size < HOST_DHCP4_PACKET_SIZE)
		return -ENOBUFS;
	/* 3 (type) + 6 (server id) + 2 + client id + 1 (end) must fit in the
	 * 308 option bytes after the cookie. */
	if (3 + 6 + (client_id_len ? 2 + client_id_len : 0) + 1 >
	    HOST_DHCP4_PACKET_SIZE - OFF_OPTIONS)
		return -EMSGSIZE;

	memset(buf, 0, HOST_DHCP4_PACKET_SIZE);
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
	return HOST_DHCP4_PACKET_SIZE;
}

#define DHCP6_RELEASE 8
#define DHCP6_REPLY 7
#define D6_OPT_CLIENTID 1
#define D6_OPT_SERVERID 2
#define D6_OPT_IA_NA 3
#define D6_OPT_IA_TA 4
#define D6_OPT_IAADDR 5
#define D6_OPT_STATUS_CODE 13
#define D6_STATUS_NOBINDING 3
#define DHCP6_CLIENT_PORT 546
#define DHCP6_SERVER_PORT 547

ssize_t host_dhcp6_release_build(uint8_t *buf, size_t size, const uint8_t *client_duid,
				 size_t client_duid_len, const uint8_t *server_duid,
				 size_t server_duid_len, uint32_t iaid, bool temporary,
				 const struct lc_addr *addr, uint32_t xid)
{
	size_t need, o = 0;
	/* IA_NA: IAID, T1, T2; IA_TA: IAID only (RFC 8415 21.4, 21.5) */
	size_t ia_head = temporary ? 4 : 12;

	if (!buf || !client_duid || !server_duid || !addr || addr->family != AF_INET6 ||
	    client_duid_len == 0 || server_duid_len == 0 || client_duid_len > LC_DUID_MAX ||
	    server_duid_len > LC_DUID_MAX)
		return -EINVAL; /* a DUID is at most 130 bytes (RFC 8415 11.1) */
	/* header 4, client id 4+n, server id 4+n, IA 4+head + IAADDR 4+24 */
	need = 4 + 4 + client_duid_len + 4 + server_duid_len + 4 + ia_head + 28;
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

	put_be16(buf + o, temporary ? D6_OPT_IA_TA : D6_OPT_IA_NA);
	put_be16(buf + o + 2, (uint16_t)(ia_head + 28));
	put_be32(buf + o + 4, iaid);
	if (!temporary) {
		put_be32(buf + o + 8, 0); /* T1, T2: zero in a Release */
		put_be32(buf + o + 12, 0);
	}
	o += 4 + ia_head;

	put_be16(buf + o, D6_OPT_IAADDR);
	put_be16(buf + o + 2, 24);
	memcpy(buf + o + 4, addr->bytes, 16);
	put_be32(buf + o + 20, 0); /* lifetimes: zero in a Release */
	put_be32(buf + o + 24, 0);
	o += 28;

	return (ssize_t)o;
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The worst status among the Status Code options in [p, end): 0, or the
 * first failure.  -EBADMSG when an option runs past end. */
static int d6_options_status(const uint8_t *p, const uint8_t *end, int depth)
{
	int worst = 0;

	while (p < end) {
		uint16_t code, len;
		if (end - p < 4)
			return -EBADMSG;
		code = get_be16(p);
		len = get_be16(p + 2);
		p += 4;
		if (len > end - p)
			return -EBADMSG;
		if (code == D6_OPT_STATUS_CODE) {
			if (len < 2)
				return -EBADMSG;
			if (!worst && get_be16(p) != 0)
				worst = get_be16(p);
		} else if (depth == 0 && (code == D6_OPT_IA_NA || code == D6_OPT_IA_TA)) {
			/* an IA's own status: dnsmasq says NoBinding there */
			size_t head = code == D6_OPT_IA_NA ? 12 : 4;
			int r;
			if (len < head)
				return -EBADMSG;
			r = d6_options_status(p + head, p + len, depth + 1);
			if (r < 0)
				return r;
			if (!worst)
				worst = r;
		} else if (depth == 1 && code == D6_OPT_IAADDR) {
			int r;
			if (len < 24)
				return -EBADMSG;
			r = d6_options_status(p + 24, p + len, depth + 1);
			if (r < 0)
				return r;
			if (!worst)
				worst = r;
		}
		p += len;
	}
	return worst;
}

int host_dhcp6_reply_status(const uint8_t *buf, size_t len, uint32_t xid)
{
	int st;

	if (!buf || len < 4 || buf[0] != DHCP6_REPLY ||
	    ((uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3]) != (xid & 0xffffff))
		return -EAGAIN;
	st = d6_options_status(buf + 4, buf + len, 0);
	if (st < 0)
		return st;
	if (st == 0)
		return 0;
	return st == D6_STATUS_NOBINDING ? -ENOENT : -EPROTO;
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

int host_dhcp_server_addr(const char *ifname, const struct lc_addr *client, struct lc_addr *ret)
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

int host_dhcp4_release_send(const char *bridge, const struct lc_addr *addr,
			    const uint8_t mac[LC_MAC_LEN])
{
	uint8_t pkt[HOST_DHCP4_PACKET_SIZE];
	struct lc_addr server;
	struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(DHCP_SERVER_PORT)};
	uint32_t xid;
	ssize_t n;
	int fd, r;

	if (!bridge || !*bridge || strlen(bridge) >= IFNAMSIZ)
		return -EINVAL;
	r = host_dhcp_server_addr(bridge, addr, &server);
	if (r < 0)
		return r;
	/* The xid only has to differ between clients; no answer is expected. */
	xid = (uint32_t)getpid() ^ ((uint32_t)addr->bytes[3] << 24 | (uint32_t)mac[5] << 16);
	n = host_dhcp4_release_build(pkt, sizeof(pkt), mac, addr, &server, NULL, 0, xid);
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

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until deadline for the Reply to xid; -ETIMEDOUT when none came. */
static int d6_wait_reply(int fd, uint32_t xid, int64_t deadline)
{
	uint8_t buf[1500];

	for (;;) {
		int64_t left = deadline - mono_ms();
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t n;
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -errno;
		}
		r = host_dhcp6_reply_status(buf, (size_t)n, xid);
		if (r != -EAGAIN && r != -EBADMSG)
			return r;
		/* someone else's Reply, or garbage: keep listening */
	}
}

int host_dhcp6_release_send(const char *bridge, const struct lc_addr *addr,
			    const struct lc_dhcp6_id *id, int timeout_ms)
{
	uint8_t pkt[4 + 2 * (4 + LC_DUID_MAX) + 16 + 28];
	struct sockaddr_in6 src = {.sin6_family = AF_INET6, .sin6_port = htons(DHCP6_CLIENT_PORT)};
	struct sockaddr_in6 dst = {.sin6_family = AF_INET6, .sin6_port = htons(DHCP6_SERVER_PORT)};
	struct timespec ts;
	unsigned int ifindex;
	uint32_t xid;
	int64_t deadline;
	ssize_t n;
	int fd, r, one = 1;

	if (!bridge || !*bridge || strlen(bridge) >= IFNAMSIZ || !addr || !id)
		return -EINVAL;
	ifindex = if_nametoindex(bridge);
	if (ifindex == 0)
		return -errno;
	/* The xid only has to tell our Reply from another client's. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	xid = ((uint32_t)ts.tv_nsec ^ (uint32_t)getpid() << 8 ^ addr->bytes[15]) & 0xffffff;
	n = host_dhcp6_release_build(pkt, sizeof(pkt), id->client_duid, id->client_duid_len,
				     id->server_duid, id->server_duid_len, id->iaid, id->temporary,
				     addr, xid);
	if (n < 0)
		return (int)n;

	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_UDP);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, bridge, (socklen_t)strlen(bridge) + 1) <
		0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) < 0 ||
	    /* dnsmasq runs on this host: it must hear our own multicast */
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) {
		r = -errno;
		goto out;
	}
	/* dnsmasq replies to port 546; a DHCPv6 client of the host's own may
	 * hold it, and then the Release still goes out, unconfirmed */
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
		src.sin6_port = 0;
		if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
			r = -errno;
			goto out;
		}
	}
	/* ff02::1:2, All_DHCP_Relay_Agents_and_Servers (RFC 8415 7.1): a
	 * server ignores a unicast Release it did not ask for */
	dst.sin6_addr.s6_addr[0] = 0xff;
	dst.sin6_addr.s6_addr[1] = 0x02;
	dst.sin6_addr.s6_addr[13] = 0x01;
	dst.sin6_addr.s6_addr[15] = 0x02;
	dst.sin6_scope_id = ifindex;
	deadline = mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	/* Sent once: a datagram to a local address is not lost on the way,
	 * and every copy costs dnsmasq the half second described above. */
	if (sendto(fd, pkt, (size_t)n, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
		r = -errno;
		goto out;
	}
	r = timeout_ms > 0 ? d6_wait_reply(fd, xid, deadline) : 0;
out:
	close(fd);
	return r;
}
