/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dnsmasq answers a guest's DHCP hostname by itself.  When the guest sent
 * none, or one that differs from its domain name, we add a live-only
 * <dns><host> entry (virNetworkUpdate) so that the network's dnsmasq
 * answers NAME and NAME.<domain> too.
 *
 * The guest's own DHCP hostname goes first in the entry: once an address
 * has a name in dnsmasq's hosts files, dnsmasq reports the first such name
 * as the lease's hostname (in .status too), and answers the client's own
 * name no more.  First, it stays what the client sent.
 *
 * Our entries are known by their names: NAME and NAME.<domain> (or NAME
 * alone without a domain), plus at most one other, the DHCP hostname.
 * Live-only: a network restart forgets them, as it forgets the leases.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "host/host.h"

struct names {
	char n[2][256];
	size_t count;
};

static bool dns_name_ok(const char *s)
{
	if (!*s || strlen(s) > LC_LABEL_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

static void names_for(const char *name, const char *domain, struct names *ret)
{
	ret->count = 0;
	snprintf(ret->n[ret->count++], sizeof(ret->n[0]), "%s", name);
	if (domain && *domain &&
	    (size_t)snprintf(ret->n[ret->count], sizeof(ret->n[0]), "%s.%s", name, domain) <
		sizeof(ret->n[0]))
		ret->count++;
}

static bool host_has(const struct host_dns_host *h, const char *name)
{
	for (size_t i = 0; i < h->n_names; i++)
		if (strcasecmp(h->names[i], name) == 0)
			return true;
	return false;
}

static bool host_is_ours(const struct host_dns_host *h, const struct names *ours)
{
	if (h->n_names < ours->count || h->n_names > ours->count + 1)
		return false;
	for (size_t k = 0; k < ours->count; k++)
		if (!host_has(h, ours->n[k]))
			return false;
	return true;
}

static bool host_mentions(const struct host_dns_host *h, const struct names *ours)
{
	for (size_t i = 0; i < h->n_names; i++)
		for (size_t k = 0; k < ours->count; k++)
			if (strcasecmp(h->names[i], ours->n[k]) == 0)
				return true;
	return false;
}

static bool addr_eq(const struct lc_addr *a, const struct lc_addr *b)
{
	return a->family == b->family && !memcmp(a->bytes, b->bytes, a->family == AF_INET ? 4 : 16);
}

static int host_xml(char *buf, size_t size, const struct lc_addr *addr, const char (*names)[256],
		    size_t n)
{
	char a[64];
	size_t o;
	int k;

	/* Names passed dns_name_ok (or came from libvirt's own XML, which we
	 * parsed): nothing in them needs escaping except what libvirt echoed
	 * back, and that is escaped below. */
	k = snprintf(buf, size, "<host ip='%s'>", lc_addr_format(addr, a, sizeof(a)));
	if (k < 0 || (size_t)k >= size)
		return -ENOBUFS;
	o = (size_t)k;
	for (size_t i = 0; i < n; i++) {
		k = snprintf(buf + o, size - o, "<hostname>");
		if (k < 0 || (size_t)k >= size - o)
			return -ENOBUFS;
		o += (size_t)k;
		for (const char *s = names[i]; *s; s++) {
			const char *rep = *s == '&'   ? "&amp;"
					  : *s == '<' ? "&lt;"
					  : *s == '>' ? "&gt;"
						      : NULL;
			k = rep ? snprintf(buf + o, size - o, "%s", rep)
				: snprintf(buf + o, size - o, "%c", *s);
			if (k < 0 || (size_t)k >= size - o)
				return -ENOBUFS;
			o += (size_t)k;
		}
		k = snprintf(buf + o, size - o, "</hostname>");
		if (k < 0 || (size_t)k >= size - o)
			return -ENOBUFS;
		o += (size_t)k;
	}
	k = snprintf(buf + o, size - o, "</host>");
	return k < 0 || (size_t)k >= size - o ? -ENOBUFS : 0;
}

static int net_update(virNetworkPtr net, unsigned command, const struct lc_addr *addr,
		      const char (*names)[256], size_t n)
{
	char xml[2048];
	int r = host_xml(xml, sizeof(xml), addr, names, n);
	if (r < 0)
		return r;
	/* Live only: the persistent definition stays the admin's. */
	if (virNetworkUpdate(net, command, VIR_NETWORK_SECTION_DNS_HOST, -1, xml,
			     VIR_NETWORK_UPDATE_AFFECT_LIVE) < 0)
		return -EIO;
	return 0;
}

static int net_state(virNetworkPtr net, struct host_dns *dns, struct host_network *n);

/* Delete one entry; one that is gone already (another worker was faster)
 * is no failure. */
static int net_delete(virNetworkPtr net, const struct host_dns_host *host)
{
	struct host_dns *now;
	struct host_network *n;
	bool still = true;

	if (net_update(net, VIR_NETWORK_UPDATE_COMMAND_DELETE, &host->addr, host->names,
		       host->n_names) == 0)
		return 0;
	now = malloc(sizeof(*now));
	n = malloc(sizeof(*n));
	if (now && n && net_state(net, now, n) == 0) {
		still = false;
		for (size_t i = 0; i < now->n_hosts && !still; i++)
			still = addr_eq(&now->hosts[i].addr, &host->addr) &&
				now->hosts[i].n_names &&
				!strcasecmp(now->hosts[i].names[0], host->names[0]);
	}
	free(now);
	free(n);
	return still ? -EIO : 0;
}

/* The live <dns> and <domain> of a network. */
static int net_state(virNetworkPtr net, struct host_dns *dns, struct host_network *n)
{
	char *xml = virNetworkGetXMLDesc(net, 0);
	int r;

	if (!xml)
		return -EIO;
	r = host_xml_dns_hosts(xml, strlen(xml), dns);
	if (r == 0)
		r = host_xml_network(xml, strlen(xml), n);
	free(xml);
	return r;
}

static void append(char *msg, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void append(char *msg, size_t size, const char *fmt, ...)
{
	size_t l = strlen(msg);
	va_list ap;

	if (l + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(msg + l, size - l, fmt, ap);
	va_end(ap);
}

/* The entry: the lease's own hostname first (see above), then ours. */
static int add_entry(virNetworkPtr net, const struct host_lease *l, const struct names *ours)
{
	char names[3][256];
	size_t n = 0;

	if (l->hostname[0] && dns_name_ok(l->hostname) && strcasecmp(l->hostname, ours->n[0]) != 0)
		snprintf(names[n++], sizeof(names[0]), "%s", l->hostname);
	for (size_t k = 0; k < ours->count; k++)
		snprintf(names[n++], sizeof(names[0]), "%s", ours->n[k]);
	return net_update(net, VIR_NETWORK_UPDATE_COMMAND_ADD_LAST, &l->addr,
			  (const char(*)[256])names, n);
}

int host_dns_register(virConnectPtr conn, const struct lc_guest_record *rec,
		      const struct host_lease *leases, size_t n_leases, unsigned *ret_added,
		      unsigned *ret_kept, char *msg, size_t size)
{
	struct host_dns *dns = malloc(sizeof(*dns));
	struct host_network *n = malloc(sizeof(*n));
	unsigned added = 0, kept = 0;
	int result = 0;

	*ret_added = *ret_kept = 0;
	if (!dns || !n) {
		free(dns);
		free(n);
		return -ENOMEM;
	}
	if (!dns_name_ok(rec->name)) {
		append(msg, size, "; DNS: \"%s\" is not a DNS label: not added", rec->name);
		goto out;
	}
	for (size_t i = 0; i < n_leases; i++) {
		const struct host_lease *best = &leases[i];
		bool seen = false, dhcp_answers = false, present = false, admin = false,
		     ip_taken = false;
		struct names ours;
		virNetworkPtr net;

		if (!best->network[0])
			continue;
		/* leases are ranked: the first one on a network is its best */
		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcmp(leases[k].network, best->network);
		if (seen)
			continue;
		for (size_t k = 0; k < n_leases; k++)
			if (!strcmp(leases[k].network, best->network) &&
			    !strcasecmp(leases[k].hostname, rec->name))
				dhcp_answers = true;

		net = virNetworkLookupByName(conn, best->network);
		if (!net || virNetworkIsActive(net) != 1) {
			if (net)
				virNetworkFree(net);
			continue;
		}
		if (net_state(net, dns, n) < 0) {
			append(msg, size, "; DNS: cannot read network %s", best->network);
			result = -EIO;
			virNetworkFree(net);
			continue;
		}
		names_for(rec->name, n->domain, &ours);
		for (size_t h = 0; h < dns->n_hosts; h++) {
			const struct host_dns_host *host = &dns->hosts[h];
			if (host_is_ours(host, &ours)) {
				/* Ours and right: keep, whatever the lease's hostname
				 * says (dnsmasq reports a name from its hosts files as
				 * the lease's hostname once we added one). */
				if (!present && addr_eq(&host->addr, &best->addr)) {
					present = true;
				} else if (net_delete(net, host) < 0) {
					append(msg, size,
					       "; DNS: cannot remove stale entry on %s: %s",
					       best->network, host_virt_error());
					result = -EIO;
				}
			} else if (host_mentions(host, &ours)) {
				admin = true;
			} else if (addr_eq(&host->addr, &best->addr)) {
				ip_taken = true;
			}
		}
		if (present || admin || dhcp_answers) {
			kept++;
		} else if (ip_taken) {
			char a[64];
			append(msg, size, "; DNS: %s already has an entry for %s: not added",
			       best->network, lc_addr_format(&best->addr, a, sizeof(a)));
		} else if (add_entry(net, best, &ours) < 0) {
			append(msg, size, "; DNS: cannot add %s on %s: %s", rec->name,
			       best->network, host_virt_error());
			result = -EIO;
		} else {
			char a[64];
			added++;
			append(msg, size, "; DNS: %s answers %s%s%s with %s", best->network,
			       ours.n[0], ours.count > 1 ? " and " : "",
			       ours.count > 1 ? ours.n[1] : "",
			       lc_addr_format(&best->addr, a, sizeof(a)));
		}
		virNetworkFree(net);
	}
out:
	*ret_added = added;
	*ret_kept = kept;
	free(dns);
	free(n);
	return result;
}

int host_dns_unregister_net(virConnectPtr conn, const char *network, const char *name,
			    unsigned *ret_removed, char *msg, size_t size)
{
	struct host_dns *dns = malloc(sizeof(*dns));
	struct host_network *n = malloc(sizeof(*n));
	virNetworkPtr net = NULL;
	struct names ours;
	int r = 0;

	if (!dns || !n) {
		r = -ENOMEM;
		goto out;
	}
	net = virNetworkLookupByName(conn, network);
	if (!net || virNetworkIsActive(net) != 1)
		goto out; /* a stopped network has no live entries */
	r = net_state(net, dns, n);
	if (r < 0) {
		append(msg, size, "; cannot read network %s", network);
		goto out;
	}
	names_for(name, n->domain, &ours);
	for (size_t h = 0; h < dns->n_hosts; h++) {
		const struct host_dns_host *host = &dns->hosts[h];
		if (!host_is_ours(host, &ours))
			continue;
		if (net_delete(net, host) < 0) {
			append(msg, size, "; cannot remove %s from %s: %s", name, network,
			       host_virt_error());
			r = -EIO;
		} else {
			(*ret_removed)++;
		}
	}
out:
	if (net)
		virNetworkFree(net);
	free(dns);
	free(n);
	return r;
}

int host_dns_unregister(virConnectPtr conn, const struct lc_guest_record *rec,
			unsigned *ret_removed, char *msg, size_t size)
{
	int result = 0;

	*ret_removed = 0;
	for (size_t i = 0; i < rec->n_nics; i++) {
		bool seen = false;
		if (!rec->nics[i].network[0])
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcmp(rec->nics[k].network, rec->nics[i].network);
		if (seen)
			continue;
		int r = host_dns_unregister_net(conn, rec->nics[i].network, rec->name, ret_removed,
						msg, size);
		if (r < 0)
			result = r;
	}
	return result;
}
