/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt-cluster resolver core: the one place that knows how guests,
 * leases and networks fit together.  Every face (the NSS module, the CLI,
 * the hook) asks these functions, so they can never disagree.
 *
 * Conventions: functions return 0 or -errno, never log, never print, and
 * leave ret_* outputs untouched on failure.  Nothing here links more than
 * libc.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LC_NAME_MAX 255		/* longest DNS name we accept */
#define LC_LABEL_MAX 63		/* longest DNS label */
#define LC_FILE_MAX (32u << 20) /* largest lease/record/config file read */
#define LC_MAC_LEN 6

/* Network class, in rank order: lower ranks first. */
enum lc_class {
	LC_CLASS_EXTERNAL = 0, /* NAT, routed, open, bridge: a gateway is offered */
	LC_CLASS_UNKNOWN = 1,  /* no record and no readable .conf */
	LC_CLASS_ISOLATED = 2, /* no forward: dhcp-option=3 with no value */
};

const char *lc_class_name(enum lc_class c);

/* Why an address is where it is in the ranked list. */
enum lc_rank_rule {
	LC_RULE_PREFER = 0, /* the config's `prefer` list */
	LC_RULE_CLASS,	    /* external before isolated */
	LC_RULE_NIC_ORDER,  /* NIC order in the domain XML (hook record) */
	LC_RULE_TIEBREAK,   /* address bytes */
};

const char *lc_rule_name(enum lc_rank_rule r);

struct lc_addr {
	int family; /* AF_INET or AF_INET6 */
	uint8_t bytes[16];
};

/* ---- prefixes and address classes (discovery's trust rule) -------------- */

/* An address prefix, host bits zero. */
struct lc_prefix {
	struct lc_addr addr;
	unsigned len; /* 0..32 or 0..128 */
};

/* "192.168.150.0/24", "fd00::/64"; a bare address is a host prefix (/32,
 * /128).  Host bits are cleared: "10.1.2.3/8" is 10.0.0.0/8. */
int lc_prefix_parse(const char *s, size_t len, struct lc_prefix *ret);
int lc_prefix_make(const struct lc_addr *a, unsigned len, struct lc_prefix *ret);
bool lc_prefix_contains(const struct lc_prefix *p, const struct lc_addr *a);
const char *lc_prefix_format(const struct lc_prefix *p, char *buf, size_t size);

/* What kind of address: only a global one means the same thing on the host
 * as inside the guest (an IPv4-mapped IPv6 address counts as its IPv4). */
enum lc_addr_scope {
	LC_SCOPE_GLOBAL = 0,
	LC_SCOPE_LINK,	      /* 169.254/16, fe80::/10 */
	LC_SCOPE_LOOPBACK,    /* 127/8, ::1 */
	LC_SCOPE_MULTICAST,   /* 224/4, ff00::/8 */
	LC_SCOPE_UNSPECIFIED, /* 0.0.0.0/8, 255.255.255.255, :: */
};
enum lc_addr_scope lc_addr_scope(const struct lc_addr *a);
const char *lc_addr_scope_name(enum lc_addr_scope s);

/* Where an address of a guest came from. */
enum lc_addr_source {
	LC_SOURCE_LEASE = 0, /* a dnsmasq lease */
	LC_SOURCE_NETNS,     /* the LXC guest's network namespace, over netlink */
	LC_SOURCE_AGENT,     /* the qemu guest agent */
	LC_SOURCE_NEIGH,     /* the host's neighbour table on the NIC's bridge */
};
const char *lc_source_name(enum lc_addr_source s);
int lc_source_parse(const char *s, size_t len, enum lc_addr_source *ret);

/* Paths of every source.  lc_paths_default() fills compiled-in defaults,
 * then (unless the kernel marked the process secure, AT_SECURE: setuid,
 * setgid or file capabilities, as secure_getenv() decides) the environment
 * overrides LIBVIRT_CLUSTER_LEASE_DIR, LIBVIRT_CLUSTER_RUNSTATE_DIR and
 * LIBVIRT_CLUSTER_CONFIG.  Compare them with strcmp: bytes after each
 * string's NUL are not set. */
struct lc_paths {
	char lease_dir[512];
	char runstate_dir[512];
	char config[512];
};

void lc_paths_default(struct lc_paths *ret_paths);

/* ---- config ------------------------------------------------------------ */

#define LC_CONF_MAX_LIST 32

struct lc_config {
	char *domains[LC_CONF_MAX_LIST]; /* extra cluster suffixes, lower-case, no dots at ends */
	size_t n_domains;
	char *prefer[LC_CONF_MAX_LIST]; /* network names in rank order */
	size_t n_prefer;
	char *leases[LC_CONF_MAX_LIST]; /* extra dnsmasq-format lease files */
	size_t n_leases;
	int renew_after;     /* seconds the hook worker waits for a lease (20) */
	int renew_tries;     /* DHCP renewal attempts (3) */
	char *renew_command; /* DHCP client command, NULL = built-in default */
	bool resolved;	     /* register network domains with systemd-resolved (yes) */
	bool fail_hard;	     /* let hook errors fail guest start (no) */
	bool debug;	     /* hook debug logging (no) */
	bool first_only;     /* `addresses = first`: the module answers only the
				top-ranked address of each family (no) */
	/* Cluster DNS (RFC 2136 updates by the hook's worker); all unset
	 * (NULL) unless configured: with dns_server unset nothing is sent. */
	char *dns_server;			   /* ADDRESS or ADDRESS#PORT of the primary */
	char *dns_zone;				   /* lower-case, no dots at the ends */
	char *dns_reverse_zones[LC_CONF_MAX_LIST]; /* likewise */
	size_t n_dns_reverse_zones;
	char *dns_key_file;	/* absolute path of `tsig-keygen` output */
	char *dns_host_id;	/* NULL: the host layer uses /etc/machine-id */
	int dns_ttl;		/* seconds (60) */
	bool dns_all_addresses; /* `dns_addresses = all` (no: first) */
	int discover_timeout;	/* seconds the worker looks for addresses of a NIC
				   without a lease (300) */
	/* `discover_prefixes`: where a guest-reported address is trusted
	 * besides the NIC's own segment */
	struct lc_prefix discover_prefixes[LC_CONF_MAX_LIST];
	size_t n_discover_prefixes;
};

/* A problem found while reading the config: what the module ignores and
 * `libvirt-cluster doctor` reports. */
struct lc_config_issue {
	unsigned line;
	char message[160];
};

typedef void (*lc_config_issue_fn)(const struct lc_config_issue *issue, void *userdata);

/* Parse a config from memory.  Never fails on bad content: unknown keys and
 * bad lines are skipped (and passed to on_issue when it is not NULL). */
int lc_config_parse(const char *buf, size_t len, struct lc_config *ret_config,
		    lc_config_issue_fn on_issue, void *userdata);
/* Read and parse a file; a missing file gives the defaults (returns 0). */
int lc_config_load(const char *path, struct lc_config *ret_config, lc_config_issue_fn on_issue,
		   void *userdata);
void lc_config_defaults(struct lc_config *ret_config);
void lc_config_free(struct lc_config *config);

/* ---- hook records ------------------------------------------------------ */

/*
 * Records live in the runstate dir, one file per object, written atomically
 * (temp file + rename), mode 0644.  Line-based, `key value` per line, `#`
 * comments, unknown keys ignored, the first line must be `libvirt-cluster
 * record 1`:
 *
 *   guest-<name>.rec                      net-<name>.rec
 *   libvirt-cluster record 1              libvirt-cluster record 1
 *   kind guest                            kind network
 *   name node1                            name ext
 *   uuid 112a8f63-...                     uuid 3326...
 *   driver lxc                            bridge virbr-ext
 *   cluster lab                           ifindex 5
 *   group WEB                             forward nat
 *   nic 52:54:00:16:00:01 int virbr-int   class external
 *   nic 52:54:00:15:00:01 ext virbr-ext   domain lab.test
 *   user debian                           address 192.168.150.1
 *   hostkey ssh-ed25519 AAAAC3Nza...      subnet 192.168.150.0/24
 *
 * `user` is the ssh login the admin named in the guest's metadata;
 * `hostkey TYPE BASE64` (one line each) are the guest's own ssh host keys
 * (public), read through the hypervisor after boot.  A user or host key
 * line that is not valid is left out, not the record.
 *
 * After a guest's nic lines comes what discovery found:
 *
 *   addr 52:54:00:15:00:01 192.168.150.55 netns 1764700000
 *   dropped 52:54:00:15:00:01 8.8.8.8 netns 1764700000
 *
 * `addr MAC ADDRESS SOURCE SEEN` is an address the worker discovered for
 * the NIC with that MAC (SOURCE netns, agent or neigh; SEEN the epoch
 * second it first saw it, kept while it stays) that passed the trust rule;
 * `dropped` lines are what the rule refused, kept for `doctor`.  An
 * `addr`/`dropped` line with an unknown SOURCE is skipped (a newer
 * writer), a malformed one fails the record.  `subnet` is one of the
 * network's <ip> ranges.
 * A record missing `name` or with a bad header is ignored whole.
 */

#define LC_RECORD_MAX_NICS 64
#define LC_RECORD_MAX_ADDRS 16
#define LC_RECORD_MAX_HOSTKEYS 8
#define LC_USER_MAX 32

/* An ssh public host key: "ssh-ed25519", "ecdsa-sha2-nistp256", ... and its
 * base64 blob (an RSA key of 8192 bits fits). */
struct lc_hostkey {
	char type[48];
	char key[1500];
};
#define LC_RECORD_MAX_SEEN 64
#define LC_RECORD_MAX_DROPPED 8

struct lc_nic {
	uint8_t mac[LC_MAC_LEN];
	char network[256];
	char bridge[64];
};

/* An address found by discovery (not from a lease). */
struct lc_seen_addr {
	uint8_t mac[LC_MAC_LEN]; /* the NIC it belongs to */
	struct lc_addr addr;
	enum lc_addr_source source;
	int64_t seen; /* epoch seconds */
};

struct lc_guest_record {
	char name[256];
	char uuid[40];
	char driver[16]; /* "qemu" or "lxc" */
	char cluster[64];
	char group[64];
	struct lc_nic nics[LC_RECORD_MAX_NICS];
	size_t n_nics;
	char user[LC_USER_MAX + 1]; /* ssh login from the metadata, "" = none */
	struct lc_hostkey hostkeys[LC_RECORD_MAX_HOSTKEYS];
	size_t n_hostkeys;
	struct lc_seen_addr seen[LC_RECORD_MAX_SEEN]; /* `addr` lines */
	size_t n_seen;
	struct lc_seen_addr dropped[LC_RECORD_MAX_DROPPED]; /* `dropped` lines */
	size_t n_dropped;
};

struct lc_net_record {
	char name[256];
	char uuid[40];
	char bridge[64];
	int ifindex;
	char forward[16]; /* libvirt forward mode, "" = none */
	enum lc_class klass;
	char domain[256];
	struct lc_addr addrs[LC_RECORD_MAX_ADDRS];
	size_t n_addrs;
	struct lc_prefix subnets[LC_RECORD_MAX_ADDRS]; /* `subnet` lines */
	size_t n_subnets;
};

int lc_guest_record_parse(const char *buf, size_t len, struct lc_guest_record *ret);
int lc_net_record_parse(const char *buf, size_t len, struct lc_net_record *ret);
/* Carry old's addr and dropped lines over to rec, for the NICs rec still
 * has, when both are the same guest (same name, and uuid when both have
 * one): a hook rewriting a record from the XML (started, reconnect) must
 * not leave a running guest without its discovered addresses until
 * discovery looks again. */
void lc_guest_record_keep_seen(struct lc_guest_record *rec, const struct lc_guest_record *old);
/* Serialise into buf (NUL-terminated).  -ENOBUFS when it does not fit,
 * -EINVAL when a field holds a newline or the name is not a valid file name. */
int lc_guest_record_format(const struct lc_guest_record *r, char *buf, size_t size);
int lc_net_record_format(const struct lc_net_record *r, char *buf, size_t size);
/* Atomic write (temp file in the same dir, fsync, rename, mode 0644) and
 * removal of `guest-<name>.rec` / `net-<name>.rec` under dir. */
int lc_guest_record_write(const char *dir, const struct lc_guest_record *r);
int lc_net_record_write(const char *dir, const struct lc_net_record *r);
int lc_guest_record_remove(const char *dir, const char *name);
int lc_net_record_remove(const char *dir, const char *name);
int lc_guest_record_load(const char *dir, const char *name, struct lc_guest_record *ret);
int lc_net_record_load(const char *dir, const char *name, struct lc_net_record *ret);
/* Only `^[A-Z][A-Z0-9_]*$` (max 63) is a valid group (also a valid Ansible group). */
bool lc_group_valid(const char *group);
/* The valid group nearest to group, for a message that says what to write
 * instead: letters upper-cased, anything else '_', "G_" before a group that
 * does not start with a letter, cut to 63.  -EINVAL when buf is too small
 * for a valid one. */
int lc_group_suggest(const char *group, char *buf, size_t size);
/* A login name: 1..32 of [A-Za-z0-9._-], not starting with '-'. */
bool lc_user_valid(const char *user);
/* "TYPE BASE64" of an ssh public key: a known key type, a base64 blob
 * that fits struct lc_hostkey; a comment after it is ignored.  Parses
 * s[0..len) (the text of a .pub file or a record line). */
int lc_hostkey_parse(const char *s, size_t len, struct lc_hostkey *ret);
/* A name usable in a record file name: 1..255 bytes, no '/', no NUL, not "." or "..". */
bool lc_record_name_valid(const char *name);

enum lc_record_kind {
	LC_RECORD_GUEST, /* guest-<name>.rec */
	LC_RECORD_NET,	 /* net-<name>.rec */
};

/* Is fname (a name in the runstate dir, no '/') a record file?  The one
 * place that knows the names: guest-<name>.rec or net-<name>.rec with a
 * name of at least one byte.  A writer's temp file (`X.rec.tmp.PID`) is
 * not one.  On true, *ret_name points into fname at the name, *ret_len
 * bytes long (not NUL-terminated there). */
bool lc_record_file_name(const char *fname, enum lc_record_kind *ret_kind, const char **ret_name,
			 size_t *ret_len);

/* Called once per record file, name NUL-terminated.  A negative return
 * stops the walk and is what lc_record_dir_foreach returns. */
typedef int (*lc_record_fn)(enum lc_record_kind kind, const char *name, void *userdata);

/* Every record file in dir (runstate dir), in byte order of file names, so
 * each face sees them in the same order.  Only the name is looked at: load
 * the record with lc_guest_record_load or lc_net_record_load.  -errno when
 * dir cannot be read; -ENOMEM. */
int lc_record_dir_foreach(const char *dir, lc_record_fn fn, void *userdata);

/* The value of key in the record of that kind and name in dir, exactly as
 * written (the bytes after `key `): what the parsers refuse and drop, such
 * as a group that is not a valid group, is seen here, so the CLI can say
 * what is wrong with it.  The file must still be a record (header, kind);
 * the last line with the key wins, as in the parsers.  1 = found and
 * copied NUL-terminated into buf, 0 = the record has no such key,
 * -ENOBUFS = the value does not fit in size, -EBADMSG = not a record,
 * -ENOENT and other -errno from reading it, -EINVAL for a bad name. */
int lc_record_raw_field(const char *dir, enum lc_record_kind kind, const char *name,
			const char *key, char *buf, size_t size);

/* ---- small parsers shared by the faces --------------------------------- */

int lc_mac_parse(const char *s, size_t len, uint8_t ret_mac[LC_MAC_LEN]);
/* The core's one hex decoder, public for the hook (DHCP client ids and
 * DUIDs as dnsmasq writes them): "00:01:0a:.." (1 or 2 hex digits a byte,
 * ':' between) -> bytes; returns the length, -EINVAL for anything else,
 * -ENOBUFS past size. */
int lc_hex_parse(const char *s, size_t len, uint8_t *buf, size_t size);
void lc_mac_format(const uint8_t mac[LC_MAC_LEN], char buf[18]);
int lc_addr_parse(const char *s, size_t len, struct lc_addr *ret);
const char *lc_addr_format(const struct lc_addr *a, char *buf, size_t size);

/* ---- the database: everything the sources say, at one moment ------------ */

struct lc_db; /* opaque: an immutable snapshot */

/* One address of a host, in rank order. */
struct lc_host_addr {
	struct lc_addr addr;
	const char *network; /* network name (or bridge name when the network is unknown) */
	const char *domain;  /* the network's DNS domain, or NULL */
	const char *bridge;
	const char *mac_str; /* "52:54:00:..", never NULL */
	enum lc_class klass;
	int64_t expiry;		    /* epoch seconds; INT64_MAX = infinite */
	enum lc_rank_rule rule;	    /* the rule that put it ahead of the next one */
	int nic_index;		    /* position in the domain XML, -1 unknown */
	int prefer_index;	    /* position in `prefer`, -1 not listed */
	enum lc_addr_source source; /* a lease, or which discovery found it */
	int64_t seen;		    /* discovered: epoch second first seen; lease: 0 */
};

/* A host: a guest known by domain name, or a DHCP client known only by its
 * hostname.  All strings are owned by the db. */
struct lc_host {
	const char *name;     /* domain name if known, else the DHCP hostname */
	const char *driver;   /* "qemu", "lxc" or NULL (no record) */
	const char *cluster;  /* from the guest record, or NULL */
	const char *group;    /* from the guest record, or NULL */
	bool running;	      /* NICs plugged (.macs) or a hook record */
	bool guest;	      /* a libvirt guest (domain name known), not a DHCP-only client */
	const char **aliases; /* DHCP hostnames != name, then every FQDN; NULL-terminated */
	size_t n_aliases;
	struct lc_host_addr *addrs; /* live addresses, ranked */
	size_t n_addrs;
};

/* Why a lookup found nothing: the module maps these to NSS statuses. */
enum lc_lookup {
	LC_FOUND = 0,
	LC_NOTFOUND, /* no such guest (or filtered out) */
	LC_NODATA,   /* the guest exists, but has no address of that family */
	LC_UNAVAIL,  /* the lease directory is missing or unreadable */
};

/* Query options. */
struct lc_query {
	int family; /* AF_INET, AF_INET6 or AF_UNSPEC (both) */
};

/* Build a fresh db from the sources.  now = wall clock in epoch seconds
 * (injected so tests never depend on the date). */
int lc_db_load(const struct lc_paths *paths, int64_t now, struct lc_db **ret_db);
void lc_db_free(struct lc_db *db);
/* True when the lease dir could not be read when the db was built. */
bool lc_db_unavailable(const struct lc_db *db);
/* True when the db answers every name: a full load, or a load for one name
 * whose files were small enough to parse whole (lc_db_whole_max). */
bool lc_db_complete(const struct lc_db *db);
/* The cold path (a load for one name) parses the lease dir's .macs and
 * .status whole when they total at most this many bytes and the name's
 * first label stands in them.  A tunable for tests: 0 keeps the cold path
 * filtered at every size. */
#define LC_DB_WHOLE_MAX (8u << 10)
extern size_t lc_db_whole_max;
/* A db of at most this many hosts is searched in order, without the name
 * and address maps (db-index.c).  A tunable for tests: 0 builds the maps
 * at every size. */
#define LC_DB_LINEAR_MAX 16
extern size_t lc_db_linear_max;
const struct lc_config *lc_db_config(const struct lc_db *db);

/* What a forward lookup matched: a host, and which of its addresses the
 * query covers.  A name + network-domain FQDN (node1.lab.test where lab.test
 * is the `domain=` of network ext) covers only the addresses on networks
 * with that domain; a bare name or a configured cluster suffix covers all. */
struct lc_match {
	const struct lc_host *host;
	int family;	    /* AF_INET, AF_INET6, AF_UNSPEC */
	const char *domain; /* NULL, or: only addresses on networks with this domain */
	int only_idx;	    /* -1, or: only this address (an address literal) */
};

/* Forward lookup.  On LC_FOUND, *ret_match is set; walk host->addrs (already
 * in rank order) and keep those for which lc_match_addr() is true. */
enum lc_lookup lc_db_lookup_name(const struct lc_db *db, const char *name, int family,
				 struct lc_match *ret_match);
/* The same for a name already normalized (lc_name_normalize), len bytes. */
enum lc_lookup lc_db_lookup_normalized(const struct lc_db *db, const char *q, size_t len,
				       int family, struct lc_match *ret_match);
bool lc_match_addr(const struct lc_match *m, size_t i);
/* The TTL to report with an answer (seconds): LC_TTL_MAX, or less when a
 * lease the answer covers ends sooner (at least 1).  now = epoch seconds.
 * nscd caches an answer for that long (see ttl.c). */
#define LC_TTL_MAX 30
int32_t lc_match_ttl(const struct lc_match *m, int64_t now);
/* The same for the one address a reverse lookup answered. */
int32_t lc_addr_ttl(const struct lc_host *h, const struct lc_addr *a, int64_t now);
/* Reverse lookup of one live address. */
enum lc_lookup lc_db_lookup_addr(const struct lc_db *db, const struct lc_addr *addr,
				 const struct lc_host **ret_host);
/* Every host: running guests, running DHCP-only clients, then stopped
 * hosts, each by name. */
size_t lc_db_n_hosts(const struct lc_db *db);
const struct lc_host *lc_db_host(const struct lc_db *db, size_t i);

/* ---- the per-process cache ---------------------------------------------- */

/*
 * A cache holds the last db and the stat signature of every file it was
 * built from.  lc_cache_get() re-checks the signatures (stat calls only),
 * rebuilds when anything changed (a rename, a rewrite in place, a new or
 * removed file), and returns the current db.  It is not locked: the caller
 * serialises access (the module holds a mutex around get + use).
 */
struct lc_cache;

struct lc_cache *lc_cache_new(void);
void lc_cache_free(struct lc_cache *c);
/* CLOCK_REALTIME in ns: the now_ns the cache calls below take.  Public on
 * purpose: every face that asks the cache reads the clock the same way. */
int64_t lc_now_ns(void);
/* now_ns: CLOCK_REALTIME in ns.  The returned db stays valid until the next
 * lc_cache_get or lc_cache_free. */
int lc_cache_get(struct lc_cache *c, const struct lc_paths *paths, int64_t now_ns,
		 const struct lc_db **ret_db);
/* The same for a forward lookup of one name: a process's first lookups
 * over a set of files load only what can matter to that name (a fraction
 * of a full parse); the db then answers for that name only.  After a few
 * different names, the full db is built once and serves every name. */
int lc_cache_get_for(struct lc_cache *c, const struct lc_paths *paths, int64_t now_ns,
		     const char *name, const struct lc_db **ret_db);
/* The same for a name already normalized (lc_name_normalize), "" or NULL
 * for none: a face that normalizes a query once passes it on as it is. */
int lc_cache_get_normalized(struct lc_cache *c, const struct lc_paths *paths, int64_t now_ns,
			    const char *name, const struct lc_db **ret_db);
/* How many times the cache rebuilt (for tests and the benchmark). */
unsigned long lc_cache_builds(const struct lc_cache *c);

/* ---- one guest's leases, for the hook ------------------------------------------- */

#define LC_DUID_MAX 130 /* 2 type bytes + 128 (RFC 8415 section 11.1) */

/* What a DHCPv6 Release must name (RFC 8415 section 18.2.7): the client's
 * DUID, its IA's IAID and type, and the server's DUID.  The bytes are
 * owned by whatever returned the id (a db arena, a struct lc_guest_leases). */
struct lc_dhcp6_id {
	uint32_t iaid;
	bool temporary; /* an IA_TA address: dnsmasq writes "T" before the IAID */
	uint8_t client_duid_len, server_duid_len;
	const uint8_t *client_duid, *server_duid;
};

/* One lease of a guest.  `a` comes first so the list ranks with the same
 * code as a host's addresses: a.addr, a.network (the network the db puts
 * the bridge on: a network record's or a readable <network>.conf's name,
 * merged as for the module, else the bridge's name), a.domain, a.bridge
 * (the <bridge>.status it came from), a.mac_str, a.klass, a.expiry,
 * a.rule, a.nic_index (the MAC's index in the list asked for) and
 * a.prefer_index. */
struct lc_guest_lease {
	struct lc_host_addr a;
	uint8_t mac[LC_MAC_LEN];
	const char *hostname;		 /* the lease's DHCP hostname, NULL when none was sent */
	const struct lc_dhcp6_id *dhcp6; /* IPv6 with a valid client-id, iaid and server-duid */
};

struct lc_guest_leases {
	struct lc_guest_lease *leases; /* in rank order */
	size_t n;
	struct lc_db *owner; /* holds every string and id: free with lc_guest_leases_free */
};

/* Every live (unexpired) lease held by one of macs, from every
 * <bridge>.status in the lease dir, whether or not the NIC is still
 * plugged (a stopped guest's leases are what DHCPRELEASE needs), ranked
 * as the module ranks a guest's addresses: networks are read as lc_db_load
 * reads them (network records, then readable <network>.conf files; the
 * config's `prefer` from paths->config).  Pass the MACs in the domain
 * XML's NIC order, as a guest record lists them: that order is the
 * nic-order rule, as the record's is for the module (which, for a guest
 * with no record, knows no NIC order).  -errno when the lease dir cannot be listed (-ENOENT
 * when it does not exist); a lease file that cannot be read or parsed adds
 * nothing. */
int lc_guest_leases(const struct lc_paths *paths, int64_t now, const uint8_t (*macs)[LC_MAC_LEN],
		    size_t n_macs, struct lc_guest_leases *ret);
void lc_guest_leases_free(struct lc_guest_leases *l);

/* ---- ranking -------------------------------------------------------------- */

/* Sort a host's addresses into rank order and set each `rule`.  Exposed for
 * unit tests; the db calls it. */
void lc_rank_sort(struct lc_host_addr *addrs, size_t n);
/* The same for n items of size bytes that each begin with a struct
 * lc_host_addr (struct lc_guest_lease). */
void lc_rank_sort_items(void *items, size_t n, size_t size);

/* ---- names ------------------------------------------------------------------ */

/* Normalise a query: strip one trailing dot, lower-case ASCII, reject the
 * empty name, ".", names over 255 bytes, labels over 63, empty labels and
 * bytes that are not printable ASCII.  Writes into buf (size >= 256). */
int lc_name_normalize(const char *name, char *buf, size_t size);
