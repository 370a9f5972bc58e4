/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Address discovery: the addresses of a running guest that has no dnsmasq
 * lease (a host bridge, macvtap, a static address, SLAAC), found from the
 * guest itself and matched to each libvirt NIC by its MAC only.
 *
 * Sources, in the order the worker asks them:
 *  - lxc: the guest's own network namespace, read over rtnetlink by a
 *    forked child that entered it through the init's /proc/PID/ns/net (the
 *    caller's namespace never changes);
 *  - qemu: the guest agent's guest-network-get-interfaces reply;
 *  - any guest: the host's neighbour table on the NIC's bridge.
 *
 * A guest-reported address is guest-controlled, so the trust rule keeps only
 * global unicast addresses inside a prefix that the host itself vouches for
 * (see discover_judge).  The parsers take bytes, so the unit tests drive
 * them with captured netlink dumps and real qemu-ga replies.  Functions
 * return 0 or -errno and never log.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "resolver/resolver.h"

#define DISCOVER_MAX_ADDRS 256	     /* candidates from one source */
#define DISCOVER_MAX_PREFIXES 64     /* trusted prefixes of one NIC */
#define DISCOVER_DUMP_MAX (4u << 20) /* netlink bytes taken from one namespace */

/* An address some source says the guest has, on the interface with mac. */
struct discover_addr {
	uint8_t mac[LC_MAC_LEN];
	struct lc_addr addr;
	unsigned prefix_len; /* as reported; 0 = unknown */
	enum lc_addr_source source;
};

struct discover_list {
	struct discover_addr addrs[DISCOVER_MAX_ADDRS];
	size_t n;
};

/* The same address on the same NIC (MAC).  Addresses compare by family
 * and all 16 bytes: every parser here zeroes the bytes an IPv4 address
 * does not use. */
bool discover_same(const uint8_t mac_a[LC_MAC_LEN], const struct lc_addr *a,
		   const uint8_t mac_b[LC_MAC_LEN], const struct lc_addr *b);

/* ---- netlink dumps (discover-netlink.c) ----------------------------------- */

struct discover_link {
	int ifindex;
	char name[16];
	uint8_t mac[LC_MAC_LEN];
	bool has_mac;
	int master; /* ifindex of the bridge it is a port of, 0 none */
	int link;   /* IFLA_LINK: a macvlan's parent, 0 none */
};

struct discover_ifaddr {
	int ifindex;
	struct lc_addr addr;
	unsigned prefix_len;
	bool tentative; /* IPv6 DAD not done (IFA_F_TENTATIVE|IFA_F_DADFAILED) */
};

struct discover_neigh {
	int ifindex;
	struct lc_addr addr;
	uint8_t mac[LC_MAC_LEN];
	uint16_t state; /* NUD_* */
};

struct discover_route {
	int oif;
	struct lc_prefix dst;
	bool gateway; /* RTA_GATEWAY or RTA_VIA: not on-link */
};

#define DISCOVER_NL_MAX 512
/* What one or more dumps said.  Fixed arrays: the parent parses a child's
 * bytes without trusting their counts. */
struct discover_nl {
	struct discover_link links[DISCOVER_NL_MAX];
	size_t n_links;
	struct discover_ifaddr addrs[DISCOVER_NL_MAX];
	size_t n_addrs;
	struct discover_neigh neighs[DISCOVER_NL_MAX];
	size_t n_neighs;
	struct discover_route routes[DISCOVER_NL_MAX];
	size_t n_routes;
	bool truncated; /* more entries than fit: some were left out */
};

/* Parse a stream of netlink messages (RTM_NEWLINK, RTM_NEWADDR,
 * RTM_NEWNEIGH, RTM_NEWROUTE, NLMSG_DONE, NLMSG_ERROR) into nl.  Returns
 * the number of NLMSG_DONE seen, -EBADMSG for a message that runs past the
 * buffer or is too short for its type, or the -errno of an NLMSG_ERROR. */
int discover_nl_parse(const void *buf, size_t len, struct discover_nl *nl);

/* Dump the current namespace: RTM_GETLINK, RTM_GETADDR and, when what asks
 * for them, RTM_GETNEIGH and RTM_GETROUTE.  Appends the raw reply bytes
 * to buf (at most size; -EFBIG past it) and returns their length. */
#define DISCOVER_DUMP_LINKS 1u
#define DISCOVER_DUMP_ADDRS 2u
#define DISCOVER_DUMP_NEIGHS 4u
#define DISCOVER_DUMP_ROUTES 8u
ssize_t discover_nl_dump(unsigned what, uint8_t *buf, size_t size);

/* The same, inside the network namespace of pid (/proc/PID/ns/net), from a
 * forked child that passes the bytes back over a pipe; parsed into nl.
 * timeout_ms bounds the whole exchange.  Needs CAP_SYS_ADMIN.  -ESRCH: no
 * such process. */
int discover_netns_dump(pid_t pid, unsigned what, int timeout_ms, struct discover_nl *nl);

/* ---- candidates from each source (discover-source.c) ---------------------- */

/* Every address of an interface whose MAC is one of macs, from a guest
 * namespace's links and addresses.  Tentative IPv6 addresses are skipped
 * (they are not the guest's yet). */
void discover_from_netns(const struct discover_nl *nl, const uint8_t (*macs)[LC_MAC_LEN],
			 size_t n_macs, struct discover_list *out);
/* The neighbour entries on bridge_ifindex in state REACHABLE, STALE or
 * PERMANENT whose MAC is one of macs. */
void discover_from_neigh(const struct discover_nl *nl, int bridge_ifindex,
			 const uint8_t (*macs)[LC_MAC_LEN], size_t n_macs,
			 struct discover_list *out);
/* The guest agent's reply to {"execute":"guest-network-get-interfaces"}:
 * every address of an interface whose hardware-address is one of macs.
 * -EBADMSG when the reply is not that command's answer. */
int discover_from_agent(const char *reply, size_t len, const uint8_t (*macs)[LC_MAC_LEN],
			size_t n_macs, struct discover_list *out);

/* ---- the trust rule (discover-filter.c) ----------------------------------- */

/* What the host vouches for on one NIC's segment. */
struct discover_trust {
	uint8_t mac[LC_MAC_LEN];
	struct lc_prefix prefixes[DISCOVER_MAX_PREFIXES];
	size_t n_prefixes;
	/* the host's own addresses on that segment: a guest claiming one is
	 * lying, whatever the prefix says */
	struct lc_addr host_addrs[DISCOVER_MAX_PREFIXES];
	size_t n_host_addrs;
};

/* Add the host side of a NIC from a dump of the host's namespace: every
 * address (as its prefix) and every on-link route (no gateway, not the
 * default route) on the interface ifindex. */
void discover_trust_add_host(struct discover_trust *t, const struct discover_nl *host, int ifindex);
/* Add prefixes (the libvirt network's <ip> ranges, discover_prefixes). */
void discover_trust_add(struct discover_trust *t, const struct lc_prefix *p, size_t n);

enum discover_verdict {
	DISCOVER_ACCEPT = 0,
	DISCOVER_DROP_SCOPE,  /* link-local, loopback, multicast, unspecified */
	DISCOVER_DROP_MAC,    /* not the NIC's MAC */
	DISCOVER_DROP_PREFIX, /* outside every trusted prefix */
	DISCOVER_DROP_HOST,   /* the host's own address */
};
const char *discover_verdict_name(enum discover_verdict v);

enum discover_verdict discover_judge(const struct discover_trust *t, const struct discover_addr *a);

/* Sort candidates into accepted and dropped against the trust of each NIC
 * (found by MAC).  Scope drops are not kept in dropped (every guest has a
 * loopback and link-local addresses); MAC, prefix and host drops are.
 * Duplicates (one address from two interfaces or sources) count once. */
void discover_filter(const struct discover_list *in, const struct discover_trust *trust,
		     size_t n_trust, struct discover_list *accepted, struct discover_list *dropped);

/* ---- one guest, all together (discover-guest.c) --------------------------- */

/* The current namespace's links, addresses, neighbours and routes (the
 * host side of every NIC), parsed into nl. */
int discover_host_dump(struct discover_nl *nl);

/* What the worker carries through one discovery of one guest. */
struct host_discover {
	struct discover_trust trust[LC_RECORD_MAX_NICS];
	uint8_t macs[LC_RECORD_MAX_NICS][LC_MAC_LEN];
	int host_ifindex[LC_RECORD_MAX_NICS]; /* the NIC's host-side device, 0 unknown */
	bool wanted[LC_RECORD_MAX_NICS];      /* looked for (no lease) */
	/* a source answered for it (the namespace was read, the agent
	 * replied, the neighbour table knew it): what it says replaces the
	 * NIC's addr lines; a NIC no source answered for keeps them */
	bool answered[LC_RECORD_MAX_NICS];
	size_t n_nics;
	struct discover_list accepted, dropped;
};

/* Set d up for rec's NICs for which want[i] is true (NULL: all): each
 * NIC's trust from the host side of its bridge or macvtap parent (nic
 * bridge, else the network record's), the network record's subnets under
 * runstate_dir, and cfg's discover_prefixes. */
void host_discover_prepare(struct host_discover *d, const struct lc_guest_record *rec,
			   const bool *want, const char *runstate_dir, const struct lc_config *cfg,
			   const struct discover_nl *host);
/* Each source into d->accepted / d->dropped, through the trust rule. */
int host_discover_netns(struct host_discover *d, pid_t pid, int timeout_ms);
int host_discover_agent(struct host_discover *d, const char *reply, size_t len);
/* The neighbour table is a fallback: only NICs nothing else found yet. */
void host_discover_neigh(struct host_discover *d, const struct discover_nl *host);
/* True when every wanted NIC has an accepted address. */
bool host_discover_complete(const struct host_discover *d);
/* Put what d found into rec: the `addr` lines of the answered NICs become
 * the accepted addresses (an address already there keeps its first-seen
 * time, so an unchanged guest gives an unchanged record), those of other
 * NICs stay; `dropped` likewise.  now: epoch seconds.  Returns true when
 * rec changed; *ret_new_drops (may be NULL) counts drops not in rec
 * before, what the worker logs once. */
bool host_discover_apply(const struct host_discover *d, struct lc_guest_record *rec, int64_t now,
			 size_t *ret_new_drops);

/* ---- polling until found, into the record (discover-run.c) ---------------- */

/* How the run reaches one guest; the worker fills it from libvirt. */
struct host_discover_guest {
	/* lxc: the host pid of the guest's init (0, or < 0 on error: none yet) */
	pid_t (*init_pid)(void *ud);
	/* qemu: the agent's guest-network-get-interfaces reply (malloc'd,
	 * NUL-terminated) or -errno (no agent, not answering yet) */
	int (*agent)(void *ud, char **ret_reply);
	/* whether the guest still runs (after a record was written: a guest
	 * that stopped meanwhile must not keep a record) */
	bool (*running)(void *ud);
	/* which NICs have a live dnsmasq lease now (ret[i] for the record's
	 * NIC i): they are not looked for this round, and lose what an earlier
	 * round found for them.  NULL: none has. */
	int (*leased)(void *ud, const struct lc_guest_record *rec, bool *ret);
	/* which NICs are on a network that hands out leases: for them an
	 * address found is provisional, and the run goes on until the lease
	 * comes (or the timeout).  NULL: none is. */
	int (*dhcp)(void *ud, const struct lc_guest_record *rec, bool *ret);
	void *ud;
};

/* What a run did, for the worker's log line. */
struct host_discover_result {
	unsigned rounds;
	size_t n_found;	    /* addresses in the record's addr lines for the wanted NICs */
	size_t n_new_drops; /* drops not in the record before: log them once */
	struct lc_seen_addr drops[LC_RECORD_MAX_DROPPED];
	bool complete;	 /* every wanted NIC has a lease, or an address and no DHCP */
	bool gone;	 /* the guest stopped or its record went */
	unsigned writes; /* records written */
	int error;	 /* the last source error, 0 none */
};

/* Look for the addresses of the NICs of guest `name` for which want[i] is
 * true (want NULL: all) and that have no lease, from the source of its driver (lxc: netns; qemu:
 * agent, else the neighbour table), polling 0.2 s doubling to 5 s until every one has an address or
 * timeout_s passed (0: one round).  After each round that changed something, the record under
 * paths->runstate_dir is read again and rewritten with the result (atomically, as the hook does),
 * and removed again when g->running says the guest stopped meanwhile.  A record that is gone, or
 * names another uuid than uuid, ends the run (gone). */
int host_discover_run(const struct lc_paths *paths, const struct lc_config *cfg, const char *name,
		      const char *uuid, const bool *want, const struct host_discover_guest *g,
		      unsigned timeout_s, struct host_discover_result *ret);
