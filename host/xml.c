/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "host/xml.h"

static void xml_silent(void *userdata, xmlErrorPtr error)
{
	(void)userdata;
	(void)error;
}

static int xml_open(const char *buf, size_t len, xmlDocPtr *ret_doc)
{
	xmlDocPtr doc;

	if (!buf || len == 0)
		return -ENODATA;
	if (len > INT_MAX)
		return -EFBIG;
	/* The library prints to stderr by default; the hook owns its output. */
	xmlSetStructuredErrorFunc(NULL, xml_silent);
	/* No XML_PARSE_NOENT (entities stay unexpanded), no DTD loading, no
	 * network, no huge-document relaxation. */
	doc = xmlReadMemory(buf, (int)len, "stdin.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc)
		return -EBADMSG;
	if (doc->intSubset || doc->extSubset || !xmlDocGetRootElement(doc)) {
		xmlFreeDoc(doc);
		return -EBADMSG;
	}
	*ret_doc = doc;
	return 0;
}

static bool node_is(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && !n->ns &&
	       strcmp((const char *)n->name, name) == 0;
}

static xmlNodePtr child(const xmlNode *parent, const char *name)
{
	if (!parent)
		return NULL;
	for (xmlNodePtr c = parent->children; c; c = c->next)
		if (node_is(c, name))
			return c;
	return NULL;
}

/* Copy an attribute (or, with attr NULL, the text) into a fixed buffer.
 * Returns 1 when copied, 0 when absent, -ENAMETOOLONG or -EINVAL (control
 * characters: they would break the line-based record) when unusable. */
static int copy_value(const xmlNode *n, const char *attr, char *buf, size_t size)
{
	xmlChar *v;
	int r = 1;

	if (!n)
		return 0;
	if (attr) {
		/* Attribute values: only literal text nodes, never an entity
		 * reference, even though a DTD-free document cannot define one. */
		xmlAttrPtr a = xmlHasNsProp(n, (const xmlChar *)attr, NULL);
		if (!a || !a->children)
			return 0;
		if (a->children->type != XML_TEXT_NODE || a->children->next)
			return -EINVAL;
		v = xmlStrdup(a->children->content);
	} else {
		v = xmlNodeGetContent(n);
	}
	if (!v)
		return 0;
	size_t l = strlen((const char *)v);
	if (l >= size)
		r = -ENAMETOOLONG;
	for (size_t i = 0; r > 0 && i < l; i++)
		if (v[i] < 0x20 || v[i] == 0x7f)
			r = -EINVAL;
	if (r > 0) {
		/* Surrounding blanks in text content are layout, not data. */
		const char *s = (const char *)v;
		if (!attr) {
			while (*s == ' ')
				s++;
			l = strlen(s);
			while (l > 0 && s[l - 1] == ' ')
				l--;
		}
		memcpy(buf, s, l);
		buf[l] = '\0';
	}
	xmlFree(v);
	return r;
}

static void copy_or_empty(const xmlNode *n, const char *attr, char *buf, size_t size)
{
	if (copy_value(n, attr, buf, size) <= 0)
		buf[0] = '\0';
}

static bool is_text_trimmed_valid(const char *s)
{
	return s && *s;
}

/* <lc:cluster> in our namespace, whatever its prefix. */
static bool is_ours(const xmlNode *c)
{
	return c && c->type == XML_ELEMENT_NODE && c->ns && c->ns->href &&
	       strcmp((const char *)c->ns->href, HOST_XMLNS) == 0 &&
	       strcmp((const char *)c->name, HOST_XMLNS_ELEMENT) == 0;
}

static void parse_metadata(const xmlNode *metadata, struct host_domain *d)
{
	if (!metadata)
		return;
	for (xmlNodePtr c = metadata->children; c; c = c->next) {
		if (!is_ours(c))
			continue;
		d->has_cluster = true;
		if (copy_value(c, "name", d->cluster, sizeof(d->cluster)) < 0) {
			d->cluster[0] = '\0';
			d->cluster_bad = true;
		}
		for (const char *p = d->cluster; *p; p++)
			if (*p == ' ' || *p == '/' || (unsigned char)*p >= 0x7f) {
				d->cluster[0] = '\0';
				d->cluster_bad = true;
				break;
			}
		if (copy_value(c, "group", d->group, sizeof(d->group)) < 0)
			/* Too long to be valid anyway: keep a marker the
			 * caller will refuse and report. */
			memcpy(d->group, "?", 2);
		if (copy_value(c, "user", d->user, sizeof(d->user)) < 0)
			d->user[0] = '\0';
		return; /* the first one counts */
	}
}

int host_xml_domain(const char *buf, size_t len, struct host_domain *ret)
{
	struct host_domain *d;
	xmlDocPtr doc = NULL;
	xmlNodePtr root, devices;
	char tmp[32];
	int r;

	r = xml_open(buf, len, &doc);
	if (r < 0)
		return r;
	d = calloc(1, sizeof(*d));
	if (!d) {
		r = -ENOMEM;
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (!node_is(root, "domain")) {
		r = -EINVAL;
		goto out;
	}
	if (copy_value(child(root, "name"), NULL, d->name, sizeof(d->name)) <= 0 ||
	    !is_text_trimmed_valid(d->name)) {
		r = -EINVAL;
		goto out;
	}
	copy_or_empty(child(root, "uuid"), NULL, d->uuid, sizeof(d->uuid));
	copy_or_empty(root, "type", d->type, sizeof(d->type));
	d->id = -1;
	if (copy_value(root, "id", tmp, sizeof(tmp)) > 0) {
		char *end;
		long id = strtol(tmp, &end, 10);
		if (*tmp && !*end && id >= 0 && id <= INT_MAX)
			d->id = (int)id;
	}
	parse_metadata(child(root, "metadata"), d);

	devices = child(root, "devices");
	for (xmlNodePtr c = devices ? devices->children : NULL; c; c = c->next) {
		struct host_nic nic = {{0}};
		char mac[32], type[32];
		xmlNodePtr src;

		if (!node_is(c, "interface"))
			continue;
		if (copy_value(child(c, "mac"), "address", mac, sizeof(mac)) <= 0 ||
		    lc_mac_parse(mac, strlen(mac), nic.mac) < 0 || d->n_nics >= HOST_MAX_NICS) {
			d->n_nics_skipped++;
			continue;
		}
		copy_or_empty(c, "type", type, sizeof(type));
		src = child(c, "source");
		if (strcmp(type, "network") == 0)
			copy_or_empty(src, "network", nic.network, sizeof(nic.network));
		/* Live XML of a network NIC names its bridge too. */
		if (strcmp(type, "network") == 0 || strcmp(type, "bridge") == 0)
			copy_or_empty(src, "bridge", nic.bridge, sizeof(nic.bridge));
		/* a macvtap NIC's host side is its parent device: where
		 * discovery finds the segment the guest is on */
		if (strcmp(type, "direct") == 0)
			copy_or_empty(src, "dev", nic.bridge, sizeof(nic.bridge));
		copy_or_empty(child(c, "guest"), "dev", nic.guest_dev, sizeof(nic.guest_dev));
		d->nics[d->n_nics++] = nic;
	}

	*ret = *d;
	r = 0;
out:
	free(d);
	xmlFreeDoc(doc);
	return r;
}

/* The range of an <ip>: prefix='N', or netmask='255.255.255.0' (IPv4),
 * else the family's libvirt default (/24, /64).  Discovery trusts guest
 * addresses inside it. */
static void ip_range(const xmlNode *ip, const struct lc_addr *addr, struct lc_prefix *ret)
{
	char v[64];
	unsigned len = addr->family == AF_INET ? 24 : 64;
	struct lc_addr mask;

	if (copy_value(ip, "prefix", v, sizeof(v)) > 0) {
		char *end;
		unsigned long p = strtoul(v, &end, 10);
		if (*v && !*end && p <= (addr->family == AF_INET ? 32u : 128u))
			len = (unsigned)p;
	} else if (addr->family == AF_INET && copy_value(ip, "netmask", v, sizeof(v)) > 0 &&
		   lc_addr_parse(v, strlen(v), &mask) == 0 && mask.family == AF_INET) {
		uint32_t m = (uint32_t)mask.bytes[0] << 24 | (uint32_t)mask.bytes[1] << 16 |
			     (uint32_t)mask.bytes[2] << 8 | mask.bytes[3];
		unsigned ones = 0;
		while (ones < 32 && (m & (0x80000000u >> ones)))
			ones++;
		/* a mask with holes is no netmask: keep the default */
		if (ones == 32 || (m << ones) == 0)
			len = ones;
	}
	lc_prefix_make(addr, len, ret);
}

static void parse_network(const xmlNode *net, struct host_network *n)
{
	xmlNodePtr fwd = child(net, "forward");

	copy_or_empty(child(net, "uuid"), NULL, n->uuid, sizeof(n->uuid));
	copy_or_empty(child(net, "bridge"), "name", n->bridge, sizeof(n->bridge));
	copy_or_empty(child(net, "domain"), "name", n->domain, sizeof(n->domain));
	if (fwd) {
		/* <forward/> without mode= means NAT in libvirt. */
		if (copy_value(fwd, "mode", n->forward, sizeof(n->forward)) <= 0 || !n->forward[0])
			memcpy(n->forward, "nat", 4);
	}
	for (xmlNodePtr c = net->children; c; c = c->next) {
		char a[64];
		struct lc_addr addr;

		if (!node_is(c, "ip") || n->n_addrs >= LC_RECORD_MAX_ADDRS)
			continue;
		if (copy_value(c, "address", a, sizeof(a)) <= 0)
			continue;
		if (lc_addr_parse(a, strlen(a), &addr) < 0)
			continue;
		n->addrs[n->n_addrs] = addr;
		ip_range(c, &addr, &n->subnets[n->n_addrs]);
		n->n_addrs++;
	}
}

int host_xml_network(const char *buf, size_t len, struct host_network *ret)
{
	struct host_network *n;
	xmlDocPtr doc = NULL;
	xmlNodePtr root, net, port;
	int r;

	r = xml_open(buf, len, &doc);
	if (r < 0)
		return r;
	n = calloc(1, sizeof(*n));
	if (!n) {
		r = -ENOMEM;
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (node_is(root, "hookData")) {
		net = child(root, "network");
		port = child(root, "networkport");
	} else {
		net = node_is(root, "network") ? root : NULL;
		port = NULL;
	}
	if (!net || copy_value(child(net, "name"), NULL, n->name, sizeof(n->name)) <= 0 ||
	    !n->name[0]) {
		r = -EINVAL;
		goto out;
	}
	parse_network(net, n);

	if (port) {
		xmlNodePtr owner = child(port, "owner");
		char mac[32];

		copy_or_empty(child(owner, "name"), NULL, n->port.owner_name,
			      sizeof(n->port.owner_name));
		copy_or_empty(child(owner, "uuid"), NULL, n->port.owner_uuid,
			      sizeof(n->port.owner_uuid));
		copy_or_empty(child(port, "plug"), "bridge", n->port.bridge,
			      sizeof(n->port.bridge));
		n->port.present = n->port.owner_name[0] &&
				  copy_value(child(port, "mac"), "address", mac, sizeof(mac)) > 0 &&
				  lc_mac_parse(mac, strlen(mac), n->port.mac) == 0;
	}

	*ret = *n;
	r = 0;
out:
	free(n);
	xmlFreeDoc(doc);
	return r;
}

int host_xml_dns_hosts(const char *buf, size_t len, struct host_dns *ret)
{
	struct host_dns *dns;
	xmlDocPtr doc = NULL;
	xmlNodePtr root, dnsn;
	int r;

	r = xml_open(buf, len, &doc);
	if (r < 0)
		return r;
	dns = calloc(1, sizeof(*dns));
	if (!dns) {
		r = -ENOMEM;
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (node_is(root, "hookData"))
		root = child(root, "network");
	if (!node_is(root, "network")) {
		r = -EINVAL;
		goto out;
	}
	dnsn = child(root, "dns");
	for (xmlNodePtr h = dnsn ? dnsn->children : NULL; h; h = h->next) {
		struct host_dns_host *host;
		char a[64];

		if (!node_is(h, "host") || dns->n_hosts >= HOST_DNS_MAX_HOSTS)
			continue;
		host = &dns->hosts[dns->n_hosts];
		memset(host, 0, sizeof(*host));
		if (copy_value(h, "ip", a, sizeof(a)) <= 0 ||
		    lc_addr_parse(a, strlen(a), &host->addr) < 0)
			continue;
		for (xmlNodePtr c = h->children; c; c = c->next) {
			if (!node_is(c, "hostname") || host->n_names >= HOST_DNS_MAX_NAMES)
				continue;
			if (copy_value(c, NULL, host->names[host->n_names],
				       sizeof(host->names[0])) > 0 &&
			    host->names[host->n_names][0])
				host->n_names++;
		}
		dns->n_hosts++;
	}
	*ret = *dns;
	r = 0;
out:
	free(dns);
	xmlFreeDoc(doc);
	return r;
}

static void copy_marked(const xmlNode *n, const char *attr, char *buf, size_t size)
{
	int r = copy_value(n, attr, buf, size);
	if (r <= 0)
		snprintf(buf, size, "%s", r < 0 ? "?" : "");
}

int host_xml_metadata(const char *buf, size_t len, char *cluster, size_t csize, char *group,
		      size_t gsize)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	int r = xml_open(buf, len, &doc);

	if (r < 0)
		return r == -ENODATA ? 0 : r;
	root = xmlDocGetRootElement(doc);
	/* libvirt hands the element back without its namespace (it chose it
	 * by that namespace): the name is what is left to check. */
	r = is_ours(root) || node_is(root, HOST_XMLNS_ELEMENT);
	if (r) {
		/* As written, for the CLI to report when invalid; what cannot
		 * be copied is a marker no group or cluster name matches. */
		copy_marked(root, "name", cluster, csize);
		copy_marked(root, "group", group, gsize);
	}
	xmlFreeDoc(doc);
	return r;
}
