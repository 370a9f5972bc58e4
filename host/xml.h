/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The readers of libvirt's XML: a domain (its NICs and our metadata), a
 * network (and its port), a network's live <dns> hosts.  libxml2 only, no
 * libvirt, so the unit tests and the fuzzer drive them; 0 or -errno, never
 * a log line.  The hook reads what libvirt gives it on stdin, the CLI what
 * it asks libvirt for (host.h).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolver/resolver.h"

/* The namespace of our element inside a domain's <metadata>:
 *   <lc:cluster xmlns:lc="urn:libvirt-cluster:metadata:1" name="lab" group="WEB"/>
 * A URN because the project owns no web domain to put an http URI under. */
#define HOST_XMLNS "urn:libvirt-cluster:metadata:1"
#define HOST_XMLNS_ELEMENT "cluster"

/* One <interface> of a domain, in XML order. */
struct host_nic {
	uint8_t mac[LC_MAC_LEN];
	char network[256];  /* <source network=>, "" for a plain bridge */
	char bridge[64];    /* <source bridge=> (live XML), a macvtap NIC's <source dev=>, or "" */
	char guest_dev[64]; /* lxc <guest dev=>: the name inside the container */
};

#define HOST_MAX_NICS LC_RECORD_MAX_NICS

struct host_domain {
	char name[256];
	char uuid[40];
	char type[16]; /* <domain type=> */
	int id;	       /* <domain id=>, -1 when not running */
	bool has_cluster;
	char cluster[64];
	char group[64];	  /* as written: may be invalid, see lc_group_valid */
	bool cluster_bad; /* name= present but unusable */
	char user[64];	  /* user=: the ssh login, as written (lc_user_valid) */
	struct host_nic nics[HOST_MAX_NICS];
	size_t n_nics;
	size_t n_nics_skipped; /* interfaces without a usable MAC */
};

struct host_port {
	bool present;
	char owner_name[256];
	char owner_uuid[40];
	uint8_t mac[LC_MAC_LEN];
	char bridge[64]; /* <plug bridge=> */
};

struct host_network {
	char name[256];
	char uuid[40];
	char bridge[64];
	char forward[16]; /* "" = no <forward> */
	char domain[256];
	struct lc_addr addrs[LC_RECORD_MAX_ADDRS];
	struct lc_prefix subnets[LC_RECORD_MAX_ADDRS]; /* each <ip>'s range, as addrs */
	size_t n_addrs;
	struct host_port port; /* <networkport>, in port-created/port-deleted */
};

/* A <host> of a network's live <dns>: what dnsmasq answers from its hosts file. */
#define HOST_DNS_MAX_HOSTS 128
#define HOST_DNS_MAX_NAMES 4
struct host_dns_host {
	struct lc_addr addr;
	char names[HOST_DNS_MAX_NAMES][256];
	size_t n_names;
};

struct host_dns {
	struct host_dns_host hosts[HOST_DNS_MAX_HOSTS];
	size_t n_hosts;
};

/* Parse with libxml2, no network access, no entity substitution, no DTD
 * loading, no error output; a document carrying a DTD is refused (-EBADMSG)
 * because libvirt never sends one and entities are how XML bombs work.
 * -EBADMSG: not XML; -EINVAL: XML, but not what the hook expects. */
int host_xml_domain(const char *buf, size_t len, struct host_domain *ret);
/* <hookData><network>..</network>[<networkport>..</networkport>]</hookData>, or
 * a bare <network> (virNetworkGetXMLDesc). */
int host_xml_network(const char *buf, size_t len, struct host_network *ret);
/* The <dns><host> entries of a network's XML. */
int host_xml_dns_hosts(const char *buf, size_t len, struct host_dns *ret);

/* Our <lc:cluster name= group=> element alone, as virDomainGetMetadata
 * returns it (libvirt drops the namespace, having chosen by it): 1 with
 * the raw values (as written, possibly invalid; "?" for one that cannot be
 * copied), 0 when the document is no element of ours, -EBADMSG when it is
 * no XML. */
int host_xml_metadata(const char *buf, size_t len, char *cluster, size_t csize, char *group,
		      size_t gsize);
