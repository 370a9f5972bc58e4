/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * doctor's systemd-resolved check: for each network record with a DNS
 * domain, does resolved send that domain to the network's dnsmasq (what the
 * network hook registers, through host/'s resolved client)?
 */
#include "cli/cli.h"
#include "cli/doctor.h"
#include "resolver/resolver.h"

#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifdef BUILD_HOST
#include "host/host.h"
#endif

static void skipped(struct doctor *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void skipped(struct doctor *d, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	doctor_add(d, FIND_SKIPPED, "resolved", msg, NULL);
}

#ifdef BUILD_HOST
struct resolved_walk {
	struct doctor *d;
	const struct lc_paths *lp;
	struct sd_bus *bus;
	size_t checked;
};

/* One network record: does resolved send its domain to its dnsmasq? */
static int check_resolved_net(enum lc_record_kind kind, const char *name, void *userdata)
{
	struct resolved_walk *w = userdata;
	struct doctor *d = w->d;
	char msg[768], fixtext[1024];

	if (kind != LC_RECORD_NET)
		return 0;
	struct lc_net_record *net = calloc(1, sizeof(*net));
	if (!net) {
		doctor_oom(d);
		return -ENOMEM;
	}
	if (lc_net_record_load(w->lp->runstate_dir, name, net) < 0 || !net->domain[0])
		goto out;
	/* The bridge's index now; the record's may be stale. */
	int ifindex = (int)if_nametoindex(net->bridge);
	if (ifindex <= 0)
		ifindex = net->ifindex;
	if (ifindex <= 0)
		goto out;
	bool dns, dom;
	int r = host_resolved_link_state(w->bus, ifindex, net->addrs, net->n_addrs, net->domain,
					 &dns, &dom);
	w->checked++;
	if (r < 0) {
		snprintf(msg, sizeof(msg),
			 "network %s (%s): systemd-resolved does not know the link: %s", name,
			 net->bridge, strerror(-r));
	} else if (dns && dom) {
		snprintf(msg, sizeof(msg),
			 "network %s (%s): systemd-resolved sends *.%s to its dnsmasq", name,
			 net->bridge, net->domain);
		doctor_add(d, FIND_OK, "resolved", msg, NULL);
		goto out;
	} else {
		snprintf(msg, sizeof(msg),
			 "network %s (%s): systemd-resolved has %s for the link, so *.%s "
			 "does not reach libvirt's dnsmasq",
			 name, net->bridge,
			 !dns && !dom ? "neither its DNS server nor its routing domain"
			 : !dns	      ? "no DNS server"
				      : "no routing domain",
			 net->domain);
	}
	char ab[64] = "ADDRESS";
	if (net->n_addrs > 0)
		lc_addr_format(&net->addrs[0], ab, sizeof(ab));
	snprintf(fixtext, sizeof(fixtext),
		 "restart the network so the hook registers it (virsh net-destroy %s && "
		 "virsh net-start %s), or by hand:\n  resolvectl dns %s %s\n  resolvectl "
		 "domain %s '~%s'\n  resolvectl default-route %s false",
		 name, name, net->bridge, ab, net->bridge, net->domain, net->bridge);
	doctor_add(d, FIND_PROBLEM, "resolved", msg, fixtext);
out:
	free(net);
	return 0;
}

void doctor_check_resolved(struct doctor *d, const struct lc_paths *lp, const struct lc_config *cfg)
{
	struct resolved_walk w = {.d = d, .lp = lp};
	struct stat st;

	if (!cfg->resolved) {
		skipped(d, "resolved = no in %s: links are not registered", lp->config);
		return;
	}
	if (stat(lp->runstate_dir, &st) < 0) {
		skipped(d, "no network records in %s (%s): the network hook has not run yet",
			lp->runstate_dir, strerror(errno));
		return;
	}
	int r = host_bus_open(&w.bus);
	if (r < 0) {
		skipped(d, "no system bus (%s): systemd-resolved not checked", strerror(-r));
		return;
	}
	/* Ask the bus whether resolved is there, rather than guessing from
	 * the error of a call that may also start it. */
	if (host_resolved_running(w.bus) <= 0) {
		host_bus_close(w.bus);
		skipped(d,
			"systemd-resolved is not running: nothing to register (the hook carries on "
			"without it)");
		return;
	}
	r = lc_record_dir_foreach(lp->runstate_dir, check_resolved_net, &w);
	host_bus_close(w.bus);
	if (r < 0 && r != -ENOMEM)
		skipped(d, "no network records in %s (%s)", lp->runstate_dir, strerror(-r));
	else if (w.checked == 0)
		skipped(d, "no network record with a DNS domain in %s", lp->runstate_dir);
}
#else
void doctor_check_resolved(struct doctor *d, const struct lc_paths *lp, const struct lc_config *cfg)
{
	(void)cfg;
	skipped(d, "built without libvirt, libxml2 and libsystemd: systemd-resolved not checked");
}
#endif
