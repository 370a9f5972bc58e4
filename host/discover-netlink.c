/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rtnetlink dumps, taken and parsed.  Taking (discover_nl_dump) is a few
 * syscalls on a stack buffer, so it is safe in a forked child of a threaded
 * process; parsing is separate and never trusts the bytes it is given.
 */
#include <errno.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host/discover.h"

/* The attributes of one message, by type (those past RTA_MAX_SEEN ignored). */
#define ATTR_MAX 64
struct attrs {
	const uint8_t *v[ATTR_MAX];
	size_t len[ATTR_MAX];
};

static int attrs_parse(const uint8_t *p, size_t len, struct attrs *a)
{
	memset(a, 0, sizeof(*a));
	while (len >= sizeof(struct rtattr)) {
		struct rtattr rta;
		memcpy(&rta, p, sizeof(rta));
		if (rta.rta_len < sizeof(rta) || rta.rta_len > len)
			return -EBADMSG;
		unsigned type =
		    rta.rta_type & ~(unsigned)NLA_F_NESTED & ~(unsigned)NLA_F_NET_BYTEORDER;
		if (type < ATTR_MAX) {
			a->v[type] = p + RTA_LENGTH(0);
			a->len[type] = rta.rta_len - RTA_LENGTH(0);
		}
		size_t step = RTA_ALIGN(rta.rta_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return 0;
}

/* A message body: its fixed header (hsize bytes into hdr), then attributes. */
static int msg_parse(const uint8_t *p, size_t len, void *hdr, size_t hsize, struct attrs *a)
{
	if (len < hsize)
		return -EBADMSG;
	memcpy(hdr, p, hsize);
	return attrs_parse(p + NLMSG_ALIGN(hsize), len - NLMSG_ALIGN(hsize), a);
}

/* Keep v in nl's array arr, or mark the dump truncated when it is full. */
#define STORE(nl, arr, n, v)                                                                       \
	do {                                                                                       \
		if ((nl)->n < DISCOVER_NL_MAX)                                                     \
			(nl)->arr[(nl)->n++] = (v);                                                \
		else                                                                               \
			(nl)->truncated = true;                                                    \
	} while (0)

static bool attr_addr(const struct attrs *a, unsigned type, int family, struct lc_addr *ret)
{
	size_t want = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;

	if (!want || !a->v[type] || a->len[type] != want)
		return false;
	memset(ret, 0, sizeof(*ret));
	ret->family = family;
	memcpy(ret->bytes, a->v[type], want);
	return true;
}

static bool attr_mac(const struct attrs *a, unsigned type, uint8_t mac[LC_MAC_LEN])
{
	if (!a->v[type] || a->len[type] != LC_MAC_LEN)
		return false;
	memcpy(mac, a->v[type], LC_MAC_LEN);
	return true;
}

static int attr_int(const struct attrs *a, unsigned type)
{
	uint32_t v = 0;
	if (a->v[type] && a->len[type] == sizeof(v))
		memcpy(&v, a->v[type], sizeof(v));
	return v > 0x7fffffffu ? 0 : (int)v;
}

static int parse_link(const uint8_t *p, size_t len, struct discover_nl *nl)
{
	struct ifinfomsg ifi;
	struct attrs a;
	struct discover_link l = {0};

	if (msg_parse(p, len, &ifi, sizeof(ifi), &a) < 0)
		return -EBADMSG;
	l.ifindex = ifi.ifi_index;
	/* only Ethernet-like links have a MAC a libvirt NIC can carry */
	l.has_mac = ifi.ifi_type == ARPHRD_ETHER && attr_mac(&a, IFLA_ADDRESS, l.mac);
	if (a.v[IFLA_IFNAME] && a.len[IFLA_IFNAME] > 0) {
		size_t n = strnlen((const char *)a.v[IFLA_IFNAME], a.len[IFLA_IFNAME]);
		if (n >= sizeof(l.name))
			n = sizeof(l.name) - 1;
		memcpy(l.name, a.v[IFLA_IFNAME], n);
	}
	l.master = attr_int(&a, IFLA_MASTER);
	l.link = attr_int(&a, IFLA_LINK);
	STORE(nl, links, n_links, l);
	return 0;
}

static int parse_addr(const uint8_t *p, size_t len, struct discover_nl *nl)
{
	struct ifaddrmsg ifa;
	struct attrs a;
	struct discover_ifaddr d = {0};
	uint32_t flags;

	if (msg_parse(p, len, &ifa, sizeof(ifa), &a) < 0)
		return -EBADMSG;
	/* IFA_LOCAL is the interface's own address on a point-to-point link,
	 * where IFA_ADDRESS is the peer's; elsewhere the two are the same */
	if (!attr_addr(&a, IFA_LOCAL, ifa.ifa_family, &d.addr) &&
	    !attr_addr(&a, IFA_ADDRESS, ifa.ifa_family, &d.addr))
		return 0;
	flags = ifa.ifa_flags;
	if (a.v[IFA_FLAGS] && a.len[IFA_FLAGS] == sizeof(uint32_t))
		memcpy(&flags, a.v[IFA_FLAGS], sizeof(flags));
	d.ifindex = (int)ifa.ifa_index;
	d.prefix_len = ifa.ifa_prefixlen;
	d.tentative = (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) != 0;
	STORE(nl, addrs, n_addrs, d);
	return 0;
}

static int parse_neigh(const uint8_t *p, size_t len, struct discover_nl *nl)
{
	struct ndmsg nd;
	struct attrs a;
	struct discover_neigh n = {0};

	if (msg_parse(p, len, &nd, sizeof(nd), &a) < 0)
		return -EBADMSG;
	if (!attr_addr(&a, NDA_DST, nd.ndm_family, &n.addr) || !attr_mac(&a, NDA_LLADDR, n.mac))
		return 0;
	n.ifindex = nd.ndm_ifindex;
	n.state = nd.ndm_state;
	STORE(nl, neighs, n_neighs, n);
	return 0;
}

static int parse_route(const uint8_t *p, size_t len, struct discover_nl *nl)
{
	struct rtmsg rt;
	struct attrs a;
	struct discover_route r = {0};
	struct lc_addr dst;
	uint32_t table;

	if (msg_parse(p, len, &rt, sizeof(rt), &a) < 0)
		return -EBADMSG;
	table = rt.rtm_table;
	if (a.v[RTA_TABLE] && a.len[RTA_TABLE] == sizeof(table))
		memcpy(&table, a.v[RTA_TABLE], sizeof(table));
	/* the local table holds the host's own and broadcast addresses, not
	 * segments; only unicast routes say where a segment is */
	if (table == RT_TABLE_LOCAL || rt.rtm_type != RTN_UNICAST)
		return 0;
	if (!attr_addr(&a, RTA_DST, rt.rtm_family, &dst)) {
		if (rt.rtm_dst_len != 0 || (rt.rtm_family != AF_INET && rt.rtm_family != AF_INET6))
			return 0;
		memset(&dst, 0, sizeof(dst));
		dst.family = rt.rtm_family;
	}
	if (lc_prefix_make(&dst, rt.rtm_dst_len, &r.dst) < 0)
		return 0;
	r.oif = attr_int(&a, RTA_OIF);
	r.gateway = a.v[RTA_GATEWAY] || a.v[RTA_VIA] || a.v[RTA_MULTIPATH];
	STORE(nl, routes, n_routes, r);
	return 0;
}

int discover_nl_parse(const void *buf, size_t len, struct discover_nl *nl)
{
	const uint8_t *p = buf;
	int done = 0;

	while (len > 0) {
		struct nlmsghdr h;
		int r = 0;

		if (len < sizeof(h))
			return -EBADMSG;
		memcpy(&h, p, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > len)
			return -EBADMSG;
		const uint8_t *body = p + NLMSG_HDRLEN;
		size_t blen = h.nlmsg_len - NLMSG_HDRLEN;
		switch (h.nlmsg_type) {
		case NLMSG_DONE:
			done++;
			break;
		case NLMSG_ERROR: {
			struct nlmsgerr e;
			if (blen < sizeof(e))
				return -EBADMSG;
			memcpy(&e, body, sizeof(e));
			if (e.error < 0)
				return e.error < -4095 ? -EBADMSG : e.error;
			break;
		}
		case RTM_NEWLINK:
			r = parse_link(body, blen, nl);
			break;
		case RTM_NEWADDR:
			r = parse_addr(body, blen, nl);
			break;
		case RTM_NEWNEIGH:
			r = parse_neigh(body, blen, nl);
			break;
		case RTM_NEWROUTE:
			r = parse_route(body, blen, nl);
			break;
		default:
			break;
		}
		if (r < 0)
			return r;
		size_t step = NLMSG_ALIGN(h.nlmsg_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return done;
}

/* One dump request of type (with family), its replies appended to buf.
 * Only syscalls and the stack: safe between fork and _exit. */
static ssize_t dump_one(int fd, uint16_t type, uint8_t family, uint32_t seq, uint8_t *buf,
			size_t size)
{
	struct {
		struct nlmsghdr h;
		struct rtgenmsg g;
		uint8_t pad[16]; /* room for the largest header the kernel reads */
	} req;
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	size_t used = 0;

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(type == RTM_GETLINK    ? sizeof(struct ifinfomsg)
				       : type == RTM_GETADDR  ? sizeof(struct ifaddrmsg)
				       : type == RTM_GETNEIGH ? sizeof(struct ndmsg)
							      : sizeof(struct rtmsg));
	req.h.nlmsg_type = type;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = seq;
	req.g.rtgen_family = family;
	if (sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	for (;;) {
		/* a dump message is at most 32 KiB: twice that always fits */
		uint8_t chunk[65536];
		ssize_t k = recv(fd, chunk, sizeof(chunk), MSG_TRUNC);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			return -EPIPE;
		if ((size_t)k > sizeof(chunk))
			return -EMSGSIZE;
		if (used + (size_t)k > size)
			return -EFBIG;
		memcpy(buf + used, chunk, (size_t)k);
		used += (size_t)k;
		/* the dump ends with NLMSG_DONE (or an NLMSG_ERROR) */
		for (size_t off = 0; off + sizeof(struct nlmsghdr) <= (size_t)k;) {
			struct nlmsghdr h;
			memcpy(&h, chunk + off, sizeof(h));
			if (h.nlmsg_len < sizeof(h))
				return -EBADMSG;
			if (h.nlmsg_seq == seq &&
			    (h.nlmsg_type == NLMSG_DONE || h.nlmsg_type == NLMSG_ERROR))
				return (ssize_t)used;
			off += NLMSG_ALIGN(h.nlmsg_len);
		}
	}
}

ssize_t discover_nl_dump(unsigned what, uint8_t *buf, size_t size)
{
	static const struct {
		unsigned bit;
		uint16_t type;
	} kinds[] = {
	    {DISCOVER_DUMP_LINKS, RTM_GETLINK},
	    {DISCOVER_DUMP_ADDRS, RTM_GETADDR},
	    {DISCOVER_DUMP_NEIGHS, RTM_GETNEIGH},
	    {DISCOVER_DUMP_ROUTES, RTM_GETROUTE},
	};
	struct sockaddr_nl local = {.nl_family = AF_NETLINK};
	size_t used = 0;
	ssize_t r = 0;
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0) {
		r = -errno;
		goto out;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!(what & kinds[i].bit))
			continue;
		r = dump_one(fd, kinds[i].type, AF_UNSPEC, (uint32_t)i + 1, buf + used,
			     size - used);
		if (r < 0)
			goto out;
		used += (size_t)r;
	}
	r = (ssize_t)used;
out:
	close(fd);
	return r;
}
