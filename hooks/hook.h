/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt-cluster-hook internals.  The pure parts (argv, stdin, XML, packet
 * building) return 0/-errno and never log, so the unit tests can drive them;
 * only the operation handlers in ops.c and the worker log, through hook_log.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "resolver/resolver.h"

/* The namespace of our element inside a domain's <metadata>:
 *   <lc:cluster xmlns:lc="urn:libvirt-cluster:metadata:1" name="lab" group="WEB"/>
 * A URN because the project owns no web domain to put an http URI under. */
#define HOOK_XMLNS "urn:libvirt-cluster:metadata:1"
#define HOOK_XMLNS_ELEMENT "cluster"

#define HOOK_INPUT_MAX (16u << 20) /* stdin bound */
#define HOOK_INPUT_TIMEOUT_MS 500  /* stdin time bound */

/* ---- argv ------------------------------------------------------------------ */

enum hook_driver {
	HOOK_DRIVER_NONE = 0,
	HOOK_DRIVER_QEMU,
	HOOK_DRIVER_LXC,
	HOOK_DRIVER_NETWORK,
};

enum hook_mode {
	HOOK_MODE_HOOK = 0, /* called by libvirt: OBJECT OPERATION SUBOP EXTRA */
	HOOK_MODE_SYNC,	    /* --sync */
	HOOK_MODE_HELP,	    /* --help */
	HOOK_MODE_VERSION,  /* --version */
};

struct hook_args {
	enum hook_mode mode;
	enum hook_driver driver;
	const char *object; /* guest or network name, NULL when missing */
	const char *op;
	const char *subop;
	const char *extra;
	const char *bad_option; /* set when an unknown --option was given */
};

const char *hook_driver_name(enum hook_driver d);
enum hook_driver hook_driver_from_name(const char *s);
/* The driver implied by argv[0]: ".../qemu.d/x" -> qemu, ".../lxc.d/x" -> lxc,
 * ".../network.d/x" -> network; a plain ".../hooks/qemu" works too. */
enum hook_driver hook_driver_from_argv0(const char *argv0);
/* Never fails: what is missing stays NULL / NONE, and the caller logs it. */
void hook_args_parse(int argc, const char *const *argv, struct hook_args *ret);

/* ---- stdin ------------------------------------------------------------------ */

/* Read fd until EOF, at most max bytes, for at most timeout_ms in total.
 * Returns 0 with a NUL-terminated *ret_buf (caller frees), -EFBIG when more
 * than max bytes came, -ETIMEDOUT when EOF did not come in time (the part read
 * is discarded in both cases), or another -errno. */
int hook_read_input(int fd, size_t max, int timeout_ms, char **ret_buf, size_t *ret_len);

/* ---- XML ----------------------------------------------------------------------- */

/* One <interface> of a domain, in XML order. */
struct hook_nic {
	uint8_t mac[LC_MAC_LEN];
	char network[256];  /* <source network=>, "" for a plain bridge */
	char bridge[64];    /* <source bridge=> (live XML) or "" */
	char guest_dev[64]; /* lxc <guest dev=>: the name inside the container */
};

#define HOOK_MAX_NICS LC_RECORD_MAX_NICS

struct hook_domain {
	char name[256];
	char uuid[40];
	char type[16]; /* <domain type=> */
	int id;	       /* <domain id=>, -1 when not running */
	bool has_cluster;
	char cluster[64];
	char group[64];	  /* as written: may be invalid, see lc_group_valid */
	bool cluster_bad; /* name= present but unusable */
	struct hook_nic nics[HOOK_MAX_NICS];
	size_t n_nics;
	size_t n_nics_skipped; /* interfaces without a usable MAC */
};

struct hook_port {
	bool present;
	char owner_name[256];
	char owner_uuid[40];
	uint8_t mac[LC_MAC_LEN];
	char bridge[64]; /* <plug bridge=> */
};

struct hook_network {
	char name[256];
	char uuid[40];
	char bridge[64];
	char forward[16]; /* "" = no <forward> */
	char domain[256];
	struct lc_addr addrs[LC_RECORD_MAX_ADDRS];
	size_t n_addrs;
	struct hook_port port; /* <networkport>, in port-created/port-deleted */
};

/* A <host> of a network's live <dns>: what dnsmasq answers from its hosts file. */
#define HOOK_DNS_MAX_HOSTS 128
#define HOOK_DNS_MAX_NAMES 4
struct hook_dns_host {
	struct lc_addr addr;
	char names[HOOK_DNS_MAX_NAMES][256];
	size_t n_names;
};

struct hook_dns {
	struct hook_dns_host hosts[HOOK_DNS_MAX_HOSTS];
	size_t n_hosts;
};

/* Parse with libxml2, no network access, no entity substitution, no DTD
 * loading, no error output; a document carrying a DTD is refused (-EBADMSG)
 * because libvirt never sends one and entities are how XML bombs work.
 * -EBADMSG: not XML; -EINVAL: XML, but not what the hook expects. */
int hook_xml_domain(const char *buf, size_t len, struct hook_domain *ret);
/* <hookData><network>..</network>[<networkport>..</networkport>]</hookData>, or
 * a bare <network> (virNetworkGetXMLDesc). */
int hook_xml_network(const char *buf, size_t len, struct hook_network *ret);
/* The <dns><host> entries of a network's XML. */
int hook_xml_dns_hosts(const char *buf, size_t len, struct hook_dns *ret);


/* Domain -> record.  Bridges missing from the XML are taken from the
 * network records under runstate_dir (may be NULL). */
void hook_domain_to_record(const struct hook_domain *d, enum hook_driver driver,
			   const char *runstate_dir, struct lc_guest_record *ret);
void hook_network_to_record(const struct hook_network *n, int ifindex, struct lc_net_record *ret);
enum lc_class hook_forward_class(const char *forward);

/* ---- DHCP release --------------------------------------------------------------- */

#define HOOK_DHCP4_PACKET_SIZE 548 /* BOOTP header + 312 option bytes: what servers expect */

/* Build a DHCPRELEASE (RFC 2131 section 4.4.6) for ciaddr from mac, naming
 * server as the server identifier, with an optional client identifier.
 * Returns the packet length or -errno. */
ssize_t hook_dhcp4_release_build(uint8_t *buf, size_t size, const uint8_t mac[LC_MAC_LEN],
				 const struct lc_addr *ciaddr, const struct lc_addr *server,
				 const uint8_t *client_id, size_t client_id_len, uint32_t xid);
/* What a DHCPv6 Release names, copied out of the resolver's lease
 * (struct lc_dhcp6_id) so that it outlives the parse. */
#define HOOK_DUID_MAX 130
struct hook_dhcp6_id {
	uint32_t iaid;
	bool temporary; /* the address is in an IA_TA, not an IA_NA */
	uint8_t client_duid_len, server_duid_len;
	uint8_t client_duid[HOOK_DUID_MAX], server_duid[HOOK_DUID_MAX];
};

/* Build a DHCPv6 Release (RFC 8415 section 18.2.7) for one address, in an
 * IA_NA, or an IA_TA when temporary. */
ssize_t hook_dhcp6_release_build(uint8_t *buf, size_t size, const uint8_t *client_duid,
				 size_t client_duid_len, const uint8_t *server_duid,
				 size_t server_duid_len, uint32_t iaid, bool temporary,
				 const struct lc_addr *addr, uint32_t xid);
/* What the server's Reply to our Release says: 0 = released, -ENOENT =
 * NoBinding (the server holds no such lease for this DUID and IAID),
 * -EPROTO = another failure status, -EAGAIN = not a Reply to xid (keep
 * waiting), -EBADMSG = a Reply cut short. */
int hook_dhcp6_reply_status(const uint8_t *buf, size_t len, uint32_t xid);
/* Parse "01:52:54:.." (hex bytes separated by ':'); returns the length. */
ssize_t hook_hex_parse(const char *s, uint8_t *buf, size_t size);
/* The address of ifname to name as the DHCP server for client: the one in
 * the same subnet, else the first of that family. */
int hook_dhcp_server_addr(const char *ifname, const struct lc_addr *client, struct lc_addr *ret);
/* Send the release for addr/mac to the dnsmasq on bridge, as a packet
 * arriving on that bridge (SO_BINDTODEVICE), like dnsmasq's dhcp_release. */
int hook_dhcp4_release_send(const char *bridge, const struct lc_addr *addr,
			    const uint8_t mac[LC_MAC_LEN]);
/* Send a DHCPv6 Release for addr to the dnsmasq on bridge, as dnsmasq's
 * dhcp_release6 does: to All_DHCP_Relay_Agents_and_Servers (ff02::1:2)
 * port 547 on the bridge, from port 546 (any port when 546 is taken), on a
 * socket bound to the bridge.  Sent once.  With timeout_ms > 0, waits that
 * long for the Reply and returns what it says (see hook_dhcp6_reply_status)
 * or -ETIMEDOUT; dnsmasq takes about 500 ms to answer (see dhcp.c).  With
 * timeout_ms <= 0, returns 0 once sent.  Another -errno: sending failed. */
int hook_dhcp6_release_send(const char *bridge, const struct lc_addr *addr,
			    const struct hook_dhcp6_id *id, int timeout_ms);

/* ---- systemd-resolved ------------------------------------------------------------ */

struct sd_bus;
/* SetLinkDNS + SetLinkDomains (domain, route-only) + SetLinkDefaultRoute(false),
 * all three within timeout_usec.  -ENXIO: NoSuchLink, -EBUSY: LinkBusy,
 * -EHOSTUNREACH: resolved not on the bus, -ETIMEDOUT: no answer in time. */
int hook_resolved_register(struct sd_bus *bus, int ifindex, const struct lc_addr *addrs,
			   size_t n_addrs, const char *domain, uint64_t timeout_usec);
int hook_resolved_revert(struct sd_bus *bus, int ifindex, uint64_t timeout_usec);
/* Open the system bus (DBUS_SYSTEM_BUS_ADDRESS honoured). */
int hook_bus_open(struct sd_bus **ret);

/* ---- leases (the resolver core reads .status) ---------------------------------------- */

struct hook_lease {
	struct lc_addr addr;
	uint8_t mac[LC_MAC_LEN];
	char bridge[64];    /* the .status file it came from */
	char network[256];  /* from the guest record, "" when unknown */
	char domain[256];   /* the network's DNS domain, from its record */
	char hostname[256]; /* the lease's DHCP hostname, "" when none was sent */
	int nic_index;	    /* index into the MAC list given */
	bool has_dhcp6;	    /* IPv6 with client-id, iaid and server-duid */
	struct hook_dhcp6_id dhcp6;
};

#define HOOK_MAX_LEASES 64
/* Every live lease (not expired) held by one of the MACs, from every
 * <bridge>.status under lease_dir, whether or not the NIC is still plugged. */
int hook_leases_for_macs(const char *lease_dir, const uint8_t (*macs)[LC_MAC_LEN], size_t n_macs,
			 struct hook_lease *ret, size_t max, size_t *ret_n);
/* Fill network/domain from rec and the network records, then sort into the
 * resolver's rank order (lc_rank_sort). */
void hook_leases_rank(struct hook_lease *leases, size_t n, const struct lc_guest_record *rec,
		      const struct lc_paths *paths, const struct lc_config *config);

/* ---- logging ----------------------------------------------------------------------- */

void hook_log_open(bool debug);
bool hook_log_debug(void);
void hook_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define hook_debug(...)                                                                            \
	do {                                                                                       \
		if (hook_log_debug())                                                              \
			hook_log(LOG_DEBUG, __VA_ARGS__);                                          \
	} while (0)

/* ---- the program ------------------------------------------------------------------- */

struct hook_ctx {
	struct hook_args args;
	struct lc_paths paths;
	struct lc_config config;
	char *input; /* stdin, NUL-terminated, NULL when unusable */
	size_t input_len;
	int input_error;     /* why input is NULL */
	uint64_t start_usec; /* CLOCK_MONOTONIC at start */
	bool spawn_workers;  /* false in --sync: work is done in-process */
	int exit_code;
};

uint64_t hook_now_usec(void);
/* Run one libvirt hook event; returns the process exit code. */
int hook_dispatch(struct hook_ctx *ctx);
/* --sync: rebuild every record from the running daemon. */
int hook_sync(struct hook_ctx *ctx);

/* ---- the detached worker ------------------------------------------------------------- */

/* Run fn(userdata) in a grandchild in its own session with fds 0-2 on
 * /dev/null and every other fd closed, after the hook has returned.  The
 * caller gets 0 as soon as the intermediate child is reaped. */
int hook_spawn_detached(void (*fn)(void *userdata), void *userdata);

/* URI the worker and --sync connect to for a driver: LIBVIRT_CLUSTER_HOOK_URI
 * (secure_getenv) when set, else qemu:///system, lxc:///system,
 * network:///system (falling back to qemu/lxc for the monolithic daemon). */
const char *hook_uri(enum hook_driver d);

/* What the worker is given: a copy of the record, and the XML's guest dev names. */
struct hook_work {
	struct lc_guest_record rec;
	char guest_dev[HOOK_MAX_NICS][64];
	struct lc_paths paths;
	struct lc_config config;
};

void hook_worker_started(void *work);
void hook_worker_stopped(void *work);

/* The DHCP client command run inside a guest when it has no lease;
 * `sh -c COMMAND sh IFNAME`. */
extern const char hook_renew_default_command[];
/* The qemu guest agent's JSON: the guest-exec command for `sh -c COMMAND sh
 * IFNAME`, the interface with a MAC in a guest-network-get-interfaces reply,
 * and an integer or boolean member of a reply's "return" object. */
int hook_agent_exec_json(const char *command, const char *ifname, char *buf, size_t size);
int hook_agent_ifname(const char *reply, const char *mac, char *buf, size_t size);
int hook_agent_member(const char *reply, const char *member, int64_t *ret);
/* The command to run for ifname: the default, or the configured one with
 * the word IF replaced by ifname. */
int hook_renew_command(const char *configured, const char *ifname, char *buf, size_t size);
