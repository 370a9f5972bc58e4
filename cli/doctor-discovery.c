/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * doctor's discovery check: the addresses the hook's worker refused (a
 * guest record's dropped lines), each one a guest claiming what is not its
 * segment's, or a segment the host does not know, which discover_prefixes
 * can name.
 */
#include "cli/cli.h"
#include "resolver/resolver.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void report_drops(const struct lc_guest_record *rec, const char *config, cli_finding_fn fn,
			 void *ud)
{
	for (size_t i = 0; i < rec->n_dropped; i++) {
		char a[64], m[18], msg[512], fx[512];
		lc_addr_format(&rec->dropped[i].addr, a, sizeof(a));
		lc_mac_format(rec->dropped[i].mac, m);
		snprintf(msg, sizeof(msg),
			 "guest %s reports %s on its NIC %s (%s), outside every prefix the host "
			 "trusts for that NIC: it is never answered",
			 rec->name, a, m, lc_source_name(rec->dropped[i].source));
		snprintf(fx, sizeof(fx),
			 "nothing, if the guest should not have it; if it is the guest's own on a "
			 "segment this host does not route, add that prefix to discover_prefixes "
			 "in %s",
			 config);
		fn(ud, true, msg, fx);
	}
}

void cli_doctor_discovery(const char *runstate_dir, const char *config, cli_finding_fn fn, void *ud)
{
	DIR *dir = opendir(runstate_dir);
	struct lc_guest_record *rec = malloc(sizeof(*rec));
	size_t guests = 0, found = 0, dropped = 0;
	struct dirent *de;
	char msg[256];

	while (dir && rec && (de = readdir(dir))) {
		size_t l = strlen(de->d_name);
		char name[256];
		if (strncmp(de->d_name, "guest-", 6) || l < 10 ||
		    strcmp(de->d_name + l - 4, ".rec") || l - 10 >= sizeof(name))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(l - 10), de->d_name + 6);
		if (lc_guest_record_load(runstate_dir, name, rec) < 0)
			continue;
		guests++;
		found += rec->n_seen;
		dropped += rec->n_dropped;
		report_drops(rec, config, fn, ud);
	}
	if (dir)
		closedir(dir);
	free(rec);
	if (dropped)
		return;
	snprintf(msg, sizeof(msg), "%zu guest record%s, %zu discovered address%s, none refused",
		 guests, guests == 1 ? "" : "s", found, found == 1 ? "" : "es");
	fn(ud, false, msg, NULL);
}
