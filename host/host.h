/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The host side of libvirt-cluster, written once for the hook and the CLI:
 * the libvirt connection and its errors, the domain XML and metadata, the
 * qemu guest agent, an LXC guest's namespaces, DHCP renewal inside a guest,
 * DHCPv4/v6 releases, dnsmasq's dns-host entries and systemd-resolved.
 *
 * Nothing here logs or prints: a function returns 0 or -errno, and where a
 * face needs words for its log or its output, it passes a buffer (what,
 * msg) that gets a short account.  The faces (hooks/, cli/) decide what to
 * say and where.  host/ includes only the core's public headers.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "host/xml.h"
#include "resolver/resolver.h"

/* CLOCK_MONOTONIC in microseconds. */
uint64_t host_now_usec(void);

/* ---- libvirt ----------------------------------------------------------------------- */

/* URI for a driver ("qemu", "lxc", "network"; anything else: network):
 * LIBVIRT_CLUSTER_HOOK_URI (secure_getenv) when set, else qemu:///system,
 * lxc:///system, network:///system. */
const char *host_uri(const char *driver);
/* Open the driver's URI (host_uri), with libvirt's stderr printing off; for
 * network, falls back to qemu:///system and lxc:///system (the monolithic
 * libvirtd has no network socket of its own).  NULL: host_virt_error(). */
virConnectPtr host_connect(const char *driver);
/* Open uri, read-only when asked, libvirt's stderr printing off. */
virConnectPtr host_connect_uri(const char *uri, bool read_only);
/* Turn libvirt's printing of errors to stderr off (the faces report them). */
void host_virt_quiet(void);
/* The message of libvirt's last error in this thread. */
const char *host_virt_error(void);
/* The guest, if libvirt runs it: by UUID when given, so a namesake is never
 * taken for it, else by name.  NULL when it is unknown or not running. */
virDomainPtr host_domain_running(virConnectPtr conn, const char *uuid, const char *name);
/* The domain's live XML, parsed (host_xml_domain).  -EIO: libvirt failed
 * (host_virt_error), -EBADMSG / -EINVAL: XML we cannot use. */
int host_domain_read(virDomainPtr dom, struct host_domain *ret);
/* The domain's <lc:cluster> metadata (host_xml_metadata): 1 and the raw
 * values when present, 0 when it has none. */
int host_domain_metadata(virDomainPtr dom, char *cluster, size_t csize, char *group, size_t gsize);

/* ---- an LXC guest's namespaces ----------------------------------------------------- */

/*
 * Where a running LXC guest's init is, found without asking libvirt.
 *
 * libvirt 9.0 learns the init's pid from an event of the guest's
 * libvirt_lxc controller; under load that event is sometimes lost, and from
 * then on every namespace call for the guest (virDomainLxcOpenNamespace,
 * `virsh lxc-enter-namespace`) fails with "Init pid is not yet available",
 * for as long as the guest runs.  The controller writes its own pid to
 * /run/libvirt/lxc/NAME.pid, and the init is its child that lives in another
 * network namespace: that is always there.
 */
#define HOST_LXC_RUN_DIR "/run/libvirt/lxc"

/* The host pid of the init of running LXC guest NAME.  run_dir holds
 * libvirt's NAME.pid files (HOST_LXC_RUN_DIR), proc is procfs ("/proc"); the
 * unit tests point both at a fake tree.  -ENOENT: no pid file (the guest
 * does not run); -ESRCH: the controller has no child in another network
 * namespace (yet); -EINVAL: a pid file that holds no pid. */
int host_lxc_init_pid_at(const char *run_dir, const char *proc, const char *name, pid_t *ret_pid);
/* host_lxc_init_pid_at(HOST_LXC_RUN_DIR, "/proc", ...). */
int host_lxc_init_pid(const char *name, pid_t *ret_pid);
/* The inode of /proc/PID/ns/NS (which namespace PID is in). */
int host_lxc_ns_ino(pid_t pid, const char *ns, ino_t *ret_ino);

#define HOST_LXC_N_NS 5
/* Open the namespaces of guest NAME's init that we are not in already:
 * net, uts, ipc, pid, mnt, in that order (fds[i] = -1 where we share it).
 * -ESRCH: no init found, or its network namespace cannot be opened. */
int host_lxc_open_ns(const char *name, int fds[HOST_LXC_N_NS]);
/* In a child process: enter what host_lxc_open_ns opened.  -errno when the
 * mount namespace (without which nothing of the guest's can run) fails. */
int host_lxc_enter_ns(const int fds[HOST_LXC_N_NS]);
void host_lxc_close_ns(int fds[HOST_LXC_N_NS]);

/* ---- the qemu guest agent ------------------------------------------------------------ */

/* The guest agent's JSON, read with the core's JSON reader: the guest-exec
 * command for `sh -c COMMAND sh IFNAME`, the interface with a MAC in a
 * guest-network-get-interfaces reply, and an integer or boolean member of a
 * reply's "return" object. */
int host_agent_exec_json(const char *command, const char *ifname, char *buf, size_t size);
int host_agent_ifname(const char *reply, const char *mac, char *buf, size_t size);
int host_agent_member(const char *reply, const char *member, int64_t *ret);
/* The integer that is a reply's "return" (guest-file-open's handle), and a
 * string member of its "return" object (guest-file-read's "buf-b64"):
 * -EBADMSG no such reply, -ENOENT no such member, -ENOBUFS it does not fit. */
int host_agent_return_int(const char *reply, int64_t *ret);
int host_agent_return_string(const char *reply, const char *member, char *buf, size_t size);
/* Base64 (the agent's file data) into out: its length, -EINVAL, -ENOBUFS. */
ssize_t host_base64_decode(const char *in, uint8_t *out, size_t size);
/* guest-ping: 0 it answers; -EAGAIN a channel whose agent does not answer
 * yet; -EOPNOTSUPP no agent.  what says which. */
int host_agent_ping(virDomainPtr dom, char *what, size_t size);

/* ---- a running guest's ssh host keys and boot state (hostkeys.c, ready.c) ---------- */

/* The public host key files read, as paths inside the guest; NULL-ended. */
extern const char *const host_hostkey_files[];
/* The keys in host_hostkey_files below rootfd (a guest's root, O_PATH),
 * every path resolved inside it (RESOLVE_IN_ROOT), regular files only,
 * each kept when lc_hostkey_parse accepts it; at most max.  0 and *ret_n
 * (0 when there are none yet), or the error that kept every file out. */
int host_hostkeys_from_root(int rootfd, struct lc_hostkey *ret, size_t max, size_t *ret_n);
/* The same for running LXC guest name (its init's /proc/PID/root). */
int host_hostkeys_lxc(const char *name, struct lc_hostkey *ret, size_t max, size_t *ret_n);
/* The same through dom's guest agent (guest-file-open/read/close);
 * host_agent_ping's errors when the agent does not answer. */
int host_hostkeys_qemu(virDomainPtr dom, struct lc_hostkey *ret, size_t max, size_t *ret_n);
/* Has the guest finished booting?  systemctl is-system-running --wait, in
 * the guest (lxc: its namespaces; qemu: guest-exec), within timeout_s:
 * 0 running or degraded; -EAGAIN starting; -EOPNOTSUPP it cannot say (no
 * systemd: an lxc guest whose init is something else, or no systemctl;
 * no guest agent); -EPROTO another state; -ETIMEDOUT.  what says why. */
int host_guest_boot_done(virDomainPtr dom, const char *driver, const char *name, int timeout_s,
			 char *what, size_t wsize);
/* What the two commands' exit code and output mean (the same returns). */
int host_boot_answer(int code, const char *out, char *what, size_t wsize);
int host_cloud_init_answer(int code, const char *out, char *what, size_t wsize);
/* The same with cloud-init status --wait: 0 done; -EPROTO error;
 * -EOPNOTSUPP no cloud-init in the guest. */
int host_guest_cloud_init_done(virDomainPtr dom, const char *driver, const char *name,
			       int timeout_s, char *what, size_t wsize);

/* ---- DHCP renewal inside a guest ------------------------------------------------------ */

/* The DHCP client command run inside a guest when renew_command is not set;
 * `sh -c COMMAND sh IFNAME`.  libvirt-cluster.conf(5) documents it. */
extern const char host_renew_default_command[];
/* The command to run for ifname: the default, or the configured one with
 * the word IF replaced by ifname. */
int host_renew_command(const char *configured, const char *ifname, char *buf, size_t size);

/* One renewal: the NIC with mac in guest dom. */
struct host_renew_req {
	const char *driver;    /* "lxc" or "qemu" */
	const char *name;      /* the guest's name (lxc: its NAME.pid file) */
	const uint8_t *mac;    /* LC_MAC_LEN bytes */
	const char *guest_dev; /* lxc: the name inside, when no NIC has mac; or NULL */
	const char *command;   /* renew_command, NULL or "": the default */
	int timeout_s;	       /* the DHCP client is given this long */
};

/* Run the DHCP client for one NIC inside running guest dom: for lxc in the
 * guest's namespaces (host_lxc_open_ns, not libvirt's), for qemu through the
 * guest agent's guest-exec.  The interface's name inside goes to ifname
 * ("" when not found), a short account to what.  0: the client succeeded;
 * -EOPNOTSUPP: no way in (no guest agent, another driver); -EAGAIN: the
 * agent does not answer yet; -ESRCH: the guest or its init is gone;
 * -ENODEV: no interface with the MAC; -ETIMEDOUT; -EIO: the client failed. */
int host_renew(virDomainPtr dom, const struct host_renew_req *req, char *ifname, size_t ifsize,
	       char *what, size_t size);

/* ---- DHCP release --------------------------------------------------------------- */

#define HOST_DHCP4_PACKET_SIZE 548 /* BOOTP header + 312 option bytes: what servers expect */

/* Build a DHCPRELEASE (RFC 2131 section 4.4.6) for ciaddr from mac, naming
 * server as the server identifier, with an optional client identifier.
 * Returns the packet length or -errno. */
ssize_t host_dhcp4_release_build(uint8_t *buf, size_t size, const uint8_t mac[LC_MAC_LEN],
				 const struct lc_addr *ciaddr, const struct lc_addr *server,
				 const uint8_t *client_id, size_t client_id_len, uint32_t xid);
/* Build a DHCPv6 Release (RFC 8415 section 18.2.7) for one address, in an
 * IA_NA, or an IA_TA when temporary. */
ssize_t host_dhcp6_release_build(uint8_t *buf, size_t size, const uint8_t *client_duid,
				 size_t client_duid_len, const uint8_t *server_duid,
				 size_t server_duid_len, uint32_t iaid, bool temporary,
				 const struct lc_addr *addr, uint32_t xid);
/* What the server's Reply to our Release says: 0 = released, -ENOENT =
 * NoBinding (the server holds no such lease for this DUID and IAID),
 * -EPROTO = another failure status, -EAGAIN = not a Reply to xid (keep
 * waiting), -EBADMSG = a Reply cut short. */
int host_dhcp6_reply_status(const uint8_t *buf, size_t len, uint32_t xid);
/* The address of ifname to name as the DHCP server for client: the one in
 * the same subnet, else the first of that family. */
int host_dhcp_server_addr(const char *ifname, const struct lc_addr *client, struct lc_addr *ret);
/* Send the release for addr/mac to the dnsmasq on bridge, as a packet
 * arriving on that bridge (SO_BINDTODEVICE), like dnsmasq's dhcp_release. */
int host_dhcp4_release_send(const char *bridge, const struct lc_addr *addr,
			    const uint8_t mac[LC_MAC_LEN]);
/* Send a DHCPv6 Release for addr to the dnsmasq on bridge, as dnsmasq's
 * dhcp_release6 does: to All_DHCP_Relay_Agents_and_Servers (ff02::1:2)
 * port 547 on the bridge, from port 546 (any port when 546 is taken), on a
 * socket bound to the bridge.  Sent once.  With timeout_ms > 0, waits that
 * long for the Reply and returns what it says (see host_dhcp6_reply_status)
 * or -ETIMEDOUT; dnsmasq takes about 500 ms to answer (see dhcp.c).  With
 * timeout_ms <= 0, returns 0 once sent.  Another -errno: sending failed. */
int host_dhcp6_release_send(const char *bridge, const struct lc_addr *addr,
			    const struct lc_dhcp6_id *id, int timeout_ms);

/* ---- systemd-resolved ------------------------------------------------------------ */

struct sd_bus;
/* SetLinkDNS + SetLinkDomains (domain, route-only) + SetLinkDefaultRoute(false),
 * all three within timeout_usec.  -ENXIO: NoSuchLink, -EBUSY: LinkBusy,
 * -EHOSTUNREACH: resolved not on the bus, -ETIMEDOUT: no answer in time. */
int host_resolved_register(struct sd_bus *bus, int ifindex, const struct lc_addr *addrs,
			   size_t n_addrs, const char *domain, uint64_t timeout_usec);
int host_resolved_revert(struct sd_bus *bus, int ifindex, uint64_t timeout_usec);
/* Open the system bus (DBUS_SYSTEM_BUS_ADDRESS honoured). */
int host_bus_open(struct sd_bus **ret);
/* Drop what host_bus_open gave (NULL is fine). */
void host_bus_close(struct sd_bus *bus);
/* Whether resolved is on the bus now (NameHasOwner: asking never starts
 * it): 1 or 0, or -errno when the bus does not answer. */
int host_resolved_running(struct sd_bus *bus);
/* What resolved has for a link (doctor's check): *ret_dns when one of its
 * DNS servers is in addrs (any server, when n_addrs is 0), *ret_domain when
 * domain is one of its route-only domains.  -ENXIO: resolved does not
 * know the link; another -errno: the bus failed. */
int host_resolved_link_state(struct sd_bus *bus, int ifindex, const struct lc_addr *addrs,
			     size_t n_addrs, const char *domain, bool *ret_dns, bool *ret_domain);

/* ---- leases (the resolver core reads .status) ---------------------------------------- */

struct host_lease {
	struct lc_addr addr;
	uint8_t mac[LC_MAC_LEN];
	char bridge[64];    /* the .status file it came from */
	char network[256];  /* from the guest record, "" when unknown */
	char domain[256];   /* the network's DNS domain, from its record */
	char hostname[256]; /* the lease's DHCP hostname, "" when none was sent */
	int nic_index;	    /* index into the MAC list given */
	bool has_dhcp6;	    /* IPv6 with client-id, iaid and server-duid */
	/* What a DHCPv6 Release names, copied out of the core's parse (its
	 * lc_dhcp6_id points into memory freed with it); host_lease_dhcp6
	 * makes the lc_dhcp6_id that host_dhcp6_release_send takes. */
	uint32_t iaid;
	bool temporary; /* the address is in an IA_TA, not an IA_NA */
	uint8_t client_duid_len, server_duid_len;
	uint8_t client_duid[LC_DUID_MAX], server_duid[LC_DUID_MAX];
};

/* The DHCPv6 identity of lease l (has_dhcp6), pointing into l. */
void host_lease_dhcp6(const struct host_lease *l, struct lc_dhcp6_id *ret);

#define HOST_MAX_LEASES 64
/* Every live lease (not expired) held by one of the MACs (in the domain
 * XML's NIC order: nic_index is the index into them), from every
 * <bridge>.status under paths->lease_dir, whether or not the NIC is still
 * plugged, in the module's rank order (lc_guest_leases): network and
 * domain as the module sees them.  At most max; -errno when the lease dir
 * cannot be listed (-ENOENT when missing). */
int host_guest_leases(const struct lc_paths *paths, const uint8_t (*macs)[LC_MAC_LEN],
		      size_t n_macs, struct host_lease *ret, size_t max, size_t *ret_n);

/* ---- dnsmasq's dns-host entries ---------------------------------------------------------- */

/* Make each network's dnsmasq answer the guest's name with its ranked
 * address on that network, unless its DHCP hostname already does.  leases
 * in rank order.  msg gets a short account for the log. */
int host_dns_register(virConnectPtr conn, const struct lc_guest_record *rec,
		      const struct host_lease *leases, size_t n_leases, unsigned *ret_added,
		      unsigned *ret_kept, char *msg, size_t size);
/* Remove the entries host_dns_register added for rec->name. */
int host_dns_unregister(virConnectPtr conn, const struct lc_guest_record *rec,
			unsigned *ret_removed, char *msg, size_t size);
/* Same, for one network by name (--sync uses it). */
int host_dns_unregister_net(virConnectPtr conn, const char *network, const char *name,
			    unsigned *ret_removed, char *msg, size_t size);
