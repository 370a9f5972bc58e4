/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Candidates from each source, matched to the guest's NICs by MAC.  The MAC
 * is the only thing libvirt and the guest agree on: interface names inside
 * a guest are the guest's to choose.
 */
#include <errno.h>
#include <linux/neighbour.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "host/discover.h"
#include "resolver/json.h"

static bool mac_known(const uint8_t mac[LC_MAC_LEN], const uint8_t (*macs)[LC_MAC_LEN], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp(mac, macs[i], LC_MAC_LEN))
			return true;
	return false;
}

static void push(struct discover_list *out, const uint8_t mac[LC_MAC_LEN], const struct lc_addr *a,
		 unsigned prefix_len, enum lc_addr_source source)
{
	struct discover_addr *d;

	if (out->n >= DISCOVER_MAX_ADDRS)
		return;
	d = &out->addrs[out->n++];
	memset(d, 0, sizeof(*d));
	memcpy(d->mac, mac, LC_MAC_LEN);
	d->addr = *a;
	d->prefix_len = prefix_len;
	d->source = source;
}

void discover_from_netns(const struct discover_nl *nl, const uint8_t (*macs)[LC_MAC_LEN],
			 size_t n_macs, struct discover_list *out)
{
	for (size_t i = 0; i < nl->n_addrs; i++) {
		const struct discover_ifaddr *a = &nl->addrs[i];
		if (a->tentative)
			continue;
		for (size_t k = 0; k < nl->n_links; k++) {
			const struct discover_link *l = &nl->links[k];
			if (l->ifindex != a->ifindex)
				continue;
			if (l->has_mac && mac_known(l->mac, macs, n_macs))
				push(out, l->mac, &a->addr, a->prefix_len, LC_SOURCE_NETNS);
			break;
		}
	}
}

void discover_from_neigh(const struct discover_nl *nl, int bridge_ifindex,
			 const uint8_t (*macs)[LC_MAC_LEN], size_t n_macs,
			 struct discover_list *out)
{
	/* what `virsh domifaddr --source arp` counts as the guest's */
	const uint16_t live = NUD_REACHABLE | NUD_STALE | NUD_PERMANENT;

	for (size_t i = 0; i < nl->n_neighs; i++) {
		const struct discover_neigh *n = &nl->neighs[i];
		if (n->ifindex == bridge_ifindex && (n->state & live) &&
		    mac_known(n->mac, macs, n_macs))
			push(out, n->mac, &n->addr, 0, LC_SOURCE_NEIGH);
	}
}

/* Call fn for each member of the object at the cursor (anything else is
 * skipped whole); fn leaves the cursor past the member's value. */
typedef int (*member_fn)(struct json_cursor *c, const char *key, void *ud);

static int each_member(struct json_cursor *c, member_fn fn, void *ud)
{
	bool first = true;
	char key[32];

	if (!json_peek(c, '{'))
		return json_skip_value(c, 1) ? 0 : -EBADMSG;
	for (;;) {
		int r = json_object_next(c, &first, key, sizeof(key));
		if (r <= 0)
			return r < 0 ? -EBADMSG : 0;
		if (fn(c, key, ud) < 0)
			return -EBADMSG;
	}
}

/* A JSON string of at most size-1 bytes into buf; -EBADMSG on a syntax
 * error, 0 with *ok false when it is longer or not a string. */
static int string_member(struct json_cursor *c, char *buf, size_t size, size_t *ret_len, bool *ok)
{
	bool trunc;

	*ok = false;
	if (!json_peek(c, '"'))
		return json_skip_value(c, 1) ? 0 : -EBADMSG;
	if (!json_string(c, buf, size, ret_len, &trunc))
		return -EBADMSG;
	*ok = !trunc;
	return 0;
}

/* {"ip-address-type": "ipv4", "ip-address": "..", "prefix": 24} */
struct agent_ip {
	struct lc_addr addr;
	bool have;
	char type[16];
	int64_t prefix;
};

static int agent_ip_member(struct json_cursor *c, const char *key, void *ud)
{
	struct agent_ip *ip = ud;
	char val[64];
	size_t vlen = 0;
	bool ok;

	if (!strcmp(key, "ip-address")) {
		if (string_member(c, val, sizeof(val), &vlen, &ok) < 0)
			return -EBADMSG;
		ip->have = ok && lc_addr_parse(val, vlen, &ip->addr) == 0;
		return 0;
	}
	if (!strcmp(key, "ip-address-type"))
		return string_member(c, ip->type, sizeof(ip->type), NULL, &ok);
	if (!strcmp(key, "prefix") && !json_peek(c, '"') && !json_peek(c, '{') &&
	    !json_peek(c, '['))
		return json_int(c, &ip->prefix) || json_skip_value(c, 1) ? 0 : -EBADMSG;
	return json_skip_value(c, 1) ? 0 : -EBADMSG;
}

/* One interface: {"name": .., "hardware-address": .., "ip-addresses": [..]} */
struct agent_iface {
	uint8_t mac[LC_MAC_LEN];
	bool has_mac;
	struct lc_addr found[DISCOVER_MAX_ADDRS];
	unsigned plen[DISCOVER_MAX_ADDRS];
	size_t n_found;
};

static int agent_iface_addrs(struct json_cursor *c, struct agent_iface *f)
{
	bool first = true;

	for (;;) {
		struct agent_ip ip = {.have = false};
		int r = json_array_next(c, &first);
		if (r <= 0)
			return r < 0 ? -EBADMSG : 0;
		if (each_member(c, agent_ip_member, &ip) < 0)
			return -EBADMSG;
		/* the type must agree with the address: a guest that says
		 * "ipv4" for "::1" is confused, not informative */
		bool ok = ip.have && ((!strcmp(ip.type, "ipv4") && ip.addr.family == AF_INET) ||
				      (!strcmp(ip.type, "ipv6") && ip.addr.family == AF_INET6));
		if (ok && f->n_found < DISCOVER_MAX_ADDRS) {
			f->found[f->n_found] = ip.addr;
			f->plen[f->n_found++] =
			    ip.prefix > 0 && ip.prefix <= 128 ? (unsigned)ip.prefix : 0;
		}
	}
}

static int agent_iface_member(struct json_cursor *c, const char *key, void *ud)
{
	struct agent_iface *f = ud;

	if (!strcmp(key, "hardware-address")) {
		char hw[32];
		size_t hl = 0;
		bool ok;
		if (string_member(c, hw, sizeof(hw), &hl, &ok) < 0)
			return -EBADMSG;
		f->has_mac = ok && lc_mac_parse(hw, hl, f->mac) == 0;
		return 0;
	}
	if (!strcmp(key, "ip-addresses") && json_peek(c, '['))
		return agent_iface_addrs(c, f);
	return json_skip_value(c, 1) ? 0 : -EBADMSG;
}

int discover_from_agent(const char *reply, size_t len, const uint8_t (*macs)[LC_MAC_LEN],
			size_t n_macs, struct discover_list *out)
{
	struct json_cursor c;
	bool first = true, found = false;
	char key[32];
	size_t before = out->n;
	struct agent_iface *f = malloc(sizeof(*f));
	int ret = -EBADMSG;

	if (!f)
		return -ENOMEM;
	json_init(&c, reply, len);
	for (;;) {
		int r = json_object_next(&c, &first, key, sizeof(key));
		if (r < 0)
			goto bad;
		if (r == 0)
			break;
		if (strcmp(key, "return") || found) {
			if (!json_skip_value(&c, 1))
				goto bad;
			continue;
		}
		found = true;
		if (!json_peek(&c, '['))
			goto bad;
		bool afirst = true;
		for (;;) {
			r = json_array_next(&c, &afirst);
			if (r < 0)
				goto bad;
			if (r == 0)
				break;
			f->n_found = 0;
			f->has_mac = false;
			if (each_member(&c, agent_iface_member, f) < 0)
				goto bad;
			/* the MAC may come after the addresses: decide at the end */
			if (f->has_mac && mac_known(f->mac, macs, n_macs))
				for (size_t i = 0; i < f->n_found; i++)
					push(out, f->mac, &f->found[i], f->plen[i],
					     LC_SOURCE_AGENT);
		}
	}
	if (found && json_at_end(&c))
		ret = 0;
bad:
	/* a reply that is not whole gives nothing, not its first half */
	if (ret < 0)
		out->n = before;
	free(f);
	return ret;
}
