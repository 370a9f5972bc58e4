/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Words for numbers: lease times, address sources and ages, rank rules,
 * group names. */
#include "cli/cli.h"
#include "cli/system.h"
#include "host/xml.h"
#include "resolver/resolver.h"

#include <stdint.h>
#include <string.h>

static void span(long long s, char *buf, size_t size)
{
	if (s < 120)
		snprintf(buf, size, "%llds", s);
	else if (s < 2 * 3600)
		snprintf(buf, size, "%lldm", s / 60);
	else if (s < 2 * 86400)
		snprintf(buf, size, "%lldh%02lldm", s / 3600, (s % 3600) / 60);
	else
		snprintf(buf, size, "%lldd%02lldh", s / 86400, (s % 86400) / 3600);
}

const char *cli_format_expiry(long long expiry, long long now, char *buf, size_t size)
{
	char d[32];

	if (expiry == INT64_MAX) {
		snprintf(buf, size, "never expires");
		return buf;
	}
	if (expiry >= now) {
		span(expiry - now, d, sizeof(d));
		snprintf(buf, size, "expires in %s", d);
	} else {
		span(now - expiry, d, sizeof(d));
		snprintf(buf, size, "expired %s ago", d);
	}
	return buf;
}

const char *cli_format_source(const struct lc_host_addr *a, long long now, char *buf, size_t size)
{
	char d[64];

	if (a->source == LC_SOURCE_LEASE) {
		snprintf(buf, size, "lease %s", cli_format_expiry(a->expiry, now, d, sizeof(d)));
		return buf;
	}
	if (a->seen <= 0) {
		snprintf(buf, size, "%s", lc_source_name(a->source));
		return buf;
	}
	/* a clock set back makes a future first sighting: "0s ago" */
	span(now > a->seen ? now - a->seen : 0, d, sizeof(d));
	snprintf(buf, size, "%s, seen %s ago", lc_source_name(a->source), d);
	return buf;
}

const char *cli_rule_text(int rule, int prefer_index, int nic_index)
{
	static char buf[96];

	switch (rule) {
	case LC_RULE_PREFER:
		if (prefer_index >= 0) {
			snprintf(buf, sizeof(buf), "network is #%d in the config's prefer list",
				 prefer_index + 1);
			return buf;
		}
		return "the next one's network is not in the config's prefer list";
	case LC_RULE_CLASS:
		return "external network before isolated";
	case LC_RULE_NIC_ORDER:
		if (nic_index >= 0) {
			snprintf(buf, sizeof(buf), "NIC #%d in the domain XML", nic_index + 1);
			return buf;
		}
		return "earlier NIC in the domain XML";
	case LC_RULE_TIEBREAK:
		return "lower address (tie-break)";
	}
	return "?";
}

bool cli_cluster_group(const char *cluster, char *buf, size_t size)
{
	size_t n = strlen(cluster);

	if (n == 0 || n >= size)
		return false;
	/* Cluster names are DNS-ish ("prod-eu"); the group is the same
	 * name in Ansible's alphabet. */
	for (size_t i = 0; i <= n; i++) {
		char c = cluster[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (c == '-' || c == '.')
			c = '_';
		buf[i] = c;
	}
	return lc_group_valid(buf);
}

void cli_guest_labels(const struct lc_host *h, const char *runstate_dir, char *cluster,
		      size_t csize, char *group, size_t gsize)
{
	char mc[256], mg[256];

	snprintf(cluster, csize, "%s", h->cluster ? h->cluster : "");
	snprintf(group, gsize, "%s", h->group ? h->group : "");
	if (!h->driver || (h->cluster && h->group))
		return;
	if (!h->group &&
	    lc_record_raw_field(runstate_dir, LC_RECORD_GUEST, h->name, "group", group, gsize) >
		0 &&
	    group[0])
		return;
	/* Only a guest the hook recorded can have metadata it refused. */
	if (cli_guest_metadata(h->name, h->driver, mc, sizeof(mc), mg, sizeof(mg)) <= 0)
		return;
	if (!h->cluster && mc[0])
		snprintf(cluster, csize, "%s", mc);
	if (!h->group && mg[0])
		snprintf(group, gsize, "%s", mg);
}

const char *cli_metadata_fix(const char *name, const char *cluster, const char *group, char *buf,
			     size_t size)
{
	char g[LC_LABEL_MAX + 2];

	if (lc_group_suggest(group ? group : "", g, sizeof(g)) < 0)
		g[0] = '\0';
	snprintf(buf, size,
		 "virsh metadata %s " HOST_XMLNS " --key lc --set "
		 "'<" HOST_XMLNS_ELEMENT " name=\"%s\" group=\"%s\"/>' --live --config, then "
		 "restart the guest",
		 name, cluster && *cluster ? cluster : "CLUSTER", g);
	return buf;
}
