/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * renew: get a guest fresh DHCP leases now, the way the hook's worker does
 * when a lease is late: the one renewal of the host layer (host_renew, with
 * the one default command), for each NIC of the guest's live XML.  Then the
 * leases are read back through the resolver and reported.  This file is the
 * command's arguments and output only.
 */
#include "cli/cli.h"
#include "cli/json-writer.h"
#include "resolver/resolver.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#ifndef BUILD_HOST

static int cmd_renew(const struct cli_args *args)
{
	(void)args;
	cli_error("renew: this libvirt-cluster was built without libvirt (configure found no "
		  "libvirt, libxml2 and libsystemd development files)");
	return CLI_EXIT_FAILURE;
}

#else

#include "host/host.h"

struct renew_nic {
	uint8_t mac_bytes[LC_MAC_LEN];
	char mac[18];
	char network[256];
	char guest_dev[64];
	char iface[64];
	bool ok;
	char error[256];
};

struct renew {
	const struct cli_args *args;
	const char *name;
	struct lc_paths paths;
	struct lc_config cfg;
	struct renew_nic nics[LC_RECORD_MAX_NICS];
	size_t n_nics;
	int timeout; /* seconds per NIC */
};

/* The guest's NICs from its live XML: the truth even without a hook
 * record or a lease. */
static int read_nics(struct renew *rn, virDomainPtr dom)
{
	struct host_domain *d = calloc(1, sizeof(*d));
	int r;

	if (!d)
		return -ENOMEM;
	r = host_domain_read(dom, d);
	for (size_t i = 0; r == 0 && i < d->n_nics && i < LC_RECORD_MAX_NICS; i++) {
		struct renew_nic *n = &rn->nics[rn->n_nics++];
		const struct host_nic *x = &d->nics[i];
		memcpy(n->mac_bytes, x->mac, LC_MAC_LEN);
		lc_mac_format(x->mac, n->mac);
		snprintf(n->network, sizeof(n->network), "%s",
			 x->network[0] ? x->network : x->bridge);
		snprintf(n->guest_dev, sizeof(n->guest_dev), "%s", x->guest_dev);
	}
	free(d);
	return r;
}

static void renew_nics(struct renew *rn, virDomainPtr dom, const char *driver)
{
	for (size_t i = 0; i < rn->n_nics; i++) {
		struct renew_nic *nic = &rn->nics[i];
		struct host_renew_req req = {
		    .driver = driver,
		    .name = rn->name,
		    .mac = nic->mac_bytes,
		    .guest_dev = nic->guest_dev,
		    .command = rn->cfg.renew_command,
		    .timeout_s = rn->timeout,
		};
		int r = host_renew(dom, &req, nic->iface, sizeof(nic->iface), nic->error,
				   sizeof(nic->error));
		nic->ok = r == 0;
	}
}

/* The live lease for a MAC, through the resolver.  Leases appear a moment
 * after the client is done (libvirt's leaseshelper writes them). */
static const struct lc_host_addr *find_lease(const struct lc_db *db, const char *name,
					     const char *mac)
{
	for (size_t i = 0; i < lc_db_n_hosts(db); i++) {
		const struct lc_host *h = lc_db_host(db, i);
		for (size_t k = 0; k < h->n_addrs; k++)
			if (strcasecmp(h->addrs[k].mac_str, mac) == 0)
				return &h->addrs[k];
	}
	(void)name;
	return NULL;
}

static int report(struct renew *rn)
{
	struct lc_db *db = NULL;
	int rc = CLI_EXIT_OK;
	const struct lc_host_addr *found[LC_RECORD_MAX_NICS] = {0};

	/* Up to 5 s for libvirt to write what dnsmasq handed out. */
	for (int tries = 0; tries < 50; tries++) {
		lc_db_free(db);
		db = NULL;
		if (lc_db_load(&rn->paths, (int64_t)time(NULL), &db) < 0)
			break;
		bool all = true;
		for (size_t i = 0; i < rn->n_nics; i++) {
			found[i] =
			    rn->nics[i].ok ? find_lease(db, rn->name, rn->nics[i].mac) : NULL;
			if (rn->nics[i].ok && !found[i])
				all = false;
		}
		if (all)
			break;
		struct timespec nap = {.tv_sec = 0, .tv_nsec = 100 * 1000 * 1000};
		nanosleep(&nap, NULL);
	}
	int64_t now = (int64_t)time(NULL);
	char ab[64], eb[64];
	struct cli_json j;
	if (rn->args->json) {
		cli_json_init(&j, stdout, true);
		cli_json_begin_object(&j);
		cli_json_kv_string(&j, "name", rn->name);
		cli_json_key(&j, "nics");
		cli_json_begin_array(&j);
	}
	for (size_t i = 0; i < rn->n_nics; i++) {
		struct renew_nic *nic = &rn->nics[i];
		const struct lc_host_addr *a = found[i];
		if (nic->ok && !a)
			snprintf(
			    nic->error, sizeof(nic->error),
			    "the client got a lease, but libvirt's lease file does not show it");
		bool ok = nic->ok && a;
		if (!ok)
			rc = CLI_EXIT_FAILURE;
		if (rn->args->json) {
			cli_json_begin_object(&j);
			cli_json_kv_string(&j, "mac", nic->mac);
			cli_json_kv_string(&j, "network", nic->network);
			cli_json_kv_string(&j, "interface", nic->iface[0] ? nic->iface : NULL);
			cli_json_kv_bool(&j, "ok", ok);
			if (ok) {
				cli_json_kv_string(&j, "address",
						   lc_addr_format(&a->addr, ab, sizeof(ab)));
				cli_json_kv_string(&j, "class", lc_class_name(a->klass));
				cli_json_key(&j, "expiry");
				if (a->expiry == INT64_MAX)
					cli_json_null(&j);
				else
					cli_json_int(&j, a->expiry);
			} else {
				cli_json_kv_string(&j, "error", nic->error);
			}
			cli_json_end_object(&j);
		} else if (ok) {
			printf("%s: %s (%s) on %s: %s, %s, lease %s\n", rn->name, nic->mac,
			       nic->iface[0] ? nic->iface : "?", nic->network,
			       lc_addr_format(&a->addr, ab, sizeof(ab)), lc_class_name(a->klass),
			       cli_format_expiry(a->expiry, now, eb, sizeof(eb)));
		} else {
			cli_error("%s: %s (%s) on %s: %s", rn->name, nic->mac,
				  nic->iface[0] ? nic->iface : "?", nic->network, nic->error);
		}
	}
	if (rn->args->json) {
		cli_json_end_array(&j);
		cli_json_end_object(&j);
		cli_json_finish(&j);
	}
	lc_db_free(db);
	return rc;
}

static virConnectPtr connect_for(const struct renew *rn, virDomainPtr *ret_dom, char *ret_why,
				 size_t why_size)
{
	const char *uris[3] = {NULL, NULL, NULL};
	struct lc_guest_record rec;
	bool connected = false;

	if (rn->args->connect) {
		uris[0] = rn->args->connect;
	} else if (lc_guest_record_load(rn->paths.runstate_dir, rn->name, &rec) == 0 &&
		   strcmp(rec.driver, "qemu") == 0) {
		uris[0] = "qemu:///system";
		uris[1] = "lxc:///system";
	} else {
		uris[0] = "lxc:///system";
		uris[1] = "qemu:///system";
	}
	for (size_t i = 0; i < 3 && uris[i]; i++) {
		virConnectPtr c = host_connect_uri(uris[i], false);
		if (!c) {
			/* Keep why: "no such guest" is wrong when libvirt is down. */
			snprintf(ret_why, why_size, "%s: %s", uris[i], host_virt_error());
			continue;
		}
		connected = true;
		virDomainPtr d = virDomainLookupByName(c, rn->name);
		if (d) {
			*ret_dom = d;
			return c;
		}
		virConnectClose(c);
	}
	if (connected)
		ret_why[0] = '\0'; /* libvirt answered: there is no such guest */
	return NULL;
}

/* "lxc" or "qemu", from the driver that answered. */
static const char *driver_of(virConnectPtr conn)
{
	const char *type = virConnectGetType(conn);

	if (type && strcasecmp(type, "LXC") == 0)
		return "lxc";
	if (type && strcasecmp(type, "QEMU") == 0)
		return "qemu";
	return NULL;
}

/* Connect, find the running guest and its NICs; a CLI exit code. */
static int renew_prepare(struct renew *rn, virConnectPtr *ret_conn, virDomainPtr *ret_dom)
{
	char why[512] = "";

	*ret_conn = connect_for(rn, ret_dom, why, sizeof(why));
	if (!*ret_conn) {
		if (!why[0]) {
			cli_error("%s: no such guest on %s", rn->name,
				  rn->args->connect ? rn->args->connect
						    : "lxc:///system or qemu:///system");
			return CLI_EXIT_NOTFOUND;
		}
		cli_error("%s: cannot ask libvirt (%s)", rn->name, why);
		return CLI_EXIT_FAILURE;
	}
	if (virDomainIsActive(*ret_dom) != 1) {
		cli_error("%s: the guest is not running; start it first (virsh start %s)", rn->name,
			  rn->name);
		return CLI_EXIT_FAILURE;
	}
	if (read_nics(rn, *ret_dom) < 0) {
		cli_error("%s: cannot read the domain XML: %s", rn->name, host_virt_error());
		return CLI_EXIT_FAILURE;
	}
	if (rn->n_nics == 0) {
		cli_error("%s: the guest has no network interface", rn->name);
		return CLI_EXIT_FAILURE;
	}
	return CLI_EXIT_OK;
}

static int cmd_renew(const struct cli_args *args)
{
	struct renew *rn = calloc(1, sizeof(*rn));
	virConnectPtr conn = NULL;
	virDomainPtr dom = NULL;
	int rc;

	if (!rn)
		return CLI_EXIT_FAILURE;
	rn->args = args;
	rn->name = args->argv[0];
	rn->timeout = (args->seen & CLI_OPT_TIMEOUT) ? args->timeout : 30;
	if (rn->timeout < 1)
		rn->timeout = 1;
	cli_lc_paths(args, &rn->paths);
	lc_config_load(rn->paths.config, &rn->cfg, NULL, NULL);

	rc = renew_prepare(rn, &conn, &dom);
	if (rc == CLI_EXIT_OK) {
		const char *driver = driver_of(conn);
		if (!driver) {
			cli_error("%s: renew knows lxc and qemu guests, not %s", rn->name,
				  virConnectGetType(conn) ? virConnectGetType(conn)
							  : "this driver");
			rc = CLI_EXIT_FAILURE;
		} else {
			renew_nics(rn, dom, driver);
			rc = report(rn);
		}
	}
	if (dom)
		virDomainFree(dom);
	if (conn)
		virConnectClose(conn);
	lc_config_free(&rn->cfg);
	free(rn);
	return rc;
}

#endif

CLI_COMMAND(renew) = {
    .name = "renew",
    .min_args = 1,
    .max_args = 1,
    .fn = cmd_renew,
    .options = CLI_OPT_JSON | CLI_OPT_CONNECT | CLI_OPT_TIMEOUT | CLI_OPT_ROOT,
    .usage = "NAME",
    .help = "Renew a guest's DHCP leases now, as the hook's worker would.\n"
	    "lxc: runs a DHCP client in the guest's network namespace; qemu: asks the\n"
	    "guest agent.  Prints the leases it got.",
};
