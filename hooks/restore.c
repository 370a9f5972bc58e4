/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --refresh's first step: the records that are missing although their
 * network or guest runs, written from libvirt's XML.  A record the started
 * hook could not write (a full /run) or that was deleted (the directory
 * removed) is back within the timer's minute, not at the next boot's
 * --sync.  Records that exist are never rewritten here: the resolvers'
 * caches of every other guest stay valid.
 * And its last: the cluster-DNS updates of the spool that are due, so that
 * one a worker could not deliver (killed in its backoff, or its tries
 * spent while the server was down) does not wait for the next boot.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include "hooks/hook.h"
#include "host/host.h"
#ifdef HAVE_LDNS
#include "host/ddns.h"
#endif

/* Each object's name comes from its XML (the hook loads libvirt lazily,
 * hooks/virt-lazy.c, through the calls it already forwards). */
static unsigned restore_networks(const char *dir, virConnectPtr conn)
{
	virNetworkPtr *nets = NULL;
	int n = virConnectListAllNetworks(conn, &nets, VIR_CONNECT_LIST_NETWORKS_ACTIVE);
	struct host_network *hn = calloc(1, sizeof(*hn));
	struct lc_net_record rec;
	unsigned written = 0;

	for (int i = 0; i < n; i++) {
		char *xml = hn ? virNetworkGetXMLDesc(nets[i], 0) : NULL;

		if (xml && host_xml_network(xml, strlen(xml), hn) == 0 &&
		    lc_net_record_load(dir, hn->name, &rec) == -ENOENT) {
			hook_network_to_record(
			    hn, hn->bridge[0] ? (int)if_nametoindex(hn->bridge) : 0, &rec);
			written += lc_net_record_write(dir, &rec) == 0;
		}
		free(xml);
		virNetworkFree(nets[i]);
	}
	free(hn);
	free(nets);
	return written;
}

static unsigned restore_domains(const char *dir, virConnectPtr conn, enum hook_driver drv,
				struct lc_guest_record *rec)
{
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
	struct host_domain *d = calloc(1, sizeof(*d));
	unsigned written = 0;

	for (int i = 0; i < n; i++) {
		char *xml = d ? virDomainGetXMLDesc(doms[i], 0) : NULL;

		if (xml && host_xml_domain(xml, strlen(xml), d) == 0 &&
		    lc_guest_record_load(dir, d->name, rec) == -ENOENT) {
			hook_domain_to_record(d, drv, dir, rec);
			written += lc_guest_record_write(dir, rec) == 0;
		}
		free(xml);
		virDomainFree(doms[i]);
	}
	free(d);
	free(doms);
	return written;
}

unsigned hook_restore_missing(struct hook_ctx *ctx)
{
	const char *dir = ctx->paths.runstate_dir;
	struct lc_guest_record *rec = malloc(sizeof(*rec));
	unsigned written = 0;
	virConnectPtr conn;

	if (!rec)
		return 0;
	/* networks first: a guest's record takes its bridges from them */
	if ((conn = host_connect("network"))) {
		written += restore_networks(dir, conn);
		virConnectClose(conn);
	}
	for (enum hook_driver drv = HOOK_DRIVER_QEMU; drv <= HOOK_DRIVER_LXC; drv++) {
		if (!(conn = host_connect(hook_driver_name(drv))))
			continue;
		/* one URI for everything (as --sync): its driver is what it serves */
		if (secure_getenv("LIBVIRT_CLUSTER_HOOK_URI")) {
			const char *t = virConnectGetType(conn);
			drv = t && !strcasecmp(t, "LXC") ? HOOK_DRIVER_LXC : HOOK_DRIVER_QEMU;
			written += restore_domains(dir, conn, drv, rec);
			virConnectClose(conn);
			break;
		}
		written += restore_domains(dir, conn, drv, rec);
		virConnectClose(conn);
	}
	free(rec);
	return written;
}

#ifdef HAVE_LDNS
static void log_spooled(const struct ddns_spool_entry *e, const struct ddns_result *r, void *ud)
{
	hook_log(r->status == DDNS_DONE ? LOG_INFO : LOG_WARNING, "refresh: cluster DNS: %s",
		 r->message);
}
#endif

int hook_refresh_spool(struct hook_ctx *ctx, unsigned *ret_delivered, unsigned *ret_failed)
{
#ifdef HAVE_LDNS
	struct ddns_config *c = NULL;
	struct ddns_spool_stats st;
	char err[DDNS_ERR_MAX] = "";
	int r = ddns_settings(&ctx->config, &c, err, sizeof(err));

	if (r == -ENODATA)
		return r;
	if (r < 0)
		hook_log(LOG_WARNING, "refresh: cluster DNS: %s", err[0] ? err : strerror(-r));
	else
		/* due ones only: the backoff spares a server that is down */
		r = ddns_spool_run(c, ddns_spool_dir(), time(NULL), false, log_spooled, NULL, &st);
	free(c);
	if (r < 0)
		return r;
	*ret_delivered = st.delivered;
	*ret_failed = st.failed;
	return 0;
#else
	(void)ctx;
	(void)ret_delivered;
	(void)ret_failed;
	return -ENODATA;
#endif
}

#ifdef HAVE_LDNS
static void log_republished(const char *what, const struct ddns_result *r, void *ud)
{
	(void)what;
	(void)ud;
	hook_log(r->status == DDNS_DONE ? LOG_INFO : LOG_WARNING, "refresh: cluster DNS: %s",
		 r->message);
}
#endif

int hook_refresh_dns(struct hook_ctx *ctx, unsigned *ret_published, unsigned *ret_current)
{
#ifdef HAVE_LDNS
	struct ddns_sync_stats st;
	char err[DDNS_ERR_MAX] = "";
	int r = ddns_publish_changed_recorded(&ctx->paths, &ctx->config, log_republished, NULL, &st,
					      err, sizeof(err));

	if (r == -ENODATA)
		return r;
	if (r < 0) {
		hook_log(LOG_WARNING, "refresh: cluster DNS: zone not checked: %s",
			 err[0] ? err : strerror(-r));
		return r;
	}
	*ret_published = st.published;
	*ret_current = st.current;
	return 0;
#else
	(void)ctx;
	(void)ret_published;
	(void)ret_current;
	return -ENODATA;
#endif
}
