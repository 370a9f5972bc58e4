/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * doctor's discovery check: the addresses the hook's worker refused (a
 * guest record's dropped lines), each one a guest claiming what is not its
 * segment's, or a segment the host does not know, which discover_prefixes
 * can name.
 */
#include "cli/cli.h"
#include "resolver/resolver.h"

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

struct walk {
	const char *dir, *config;
	cli_finding_fn fn;
	void *ud;
	struct lc_guest_record *rec;
	size_t guests, found, dropped;
};

static int walk_one(enum lc_record_kind kind, const char *name, void *ud)
{
	struct walk *w = ud;

	if (kind != LC_RECORD_GUEST || lc_guest_record_load(w->dir, name, w->rec) < 0)
		return 0;
	w->guests++;
	w->found += w->rec->n_seen;
	w->dropped += w->rec->n_dropped;
	report_drops(w->rec, w->config, w->fn, w->ud);
	return 0;
}

void cli_doctor_discovery(const char *runstate_dir, const char *config, cli_finding_fn fn, void *ud)
{
	struct walk w = {runstate_dir, config, fn, ud, malloc(sizeof(*w.rec)), 0, 0, 0};
	char msg[256];

	if (w.rec)
		lc_record_dir_foreach(runstate_dir, walk_one, &w);
	free(w.rec);
	if (w.dropped)
		return;
	snprintf(msg, sizeof(msg), "%zu guest record%s, %zu discovered address%s, none refused",
		 w.guests, w.guests == 1 ? "" : "s", w.found, w.found == 1 ? "" : "es");
	fn(ud, false, msg, NULL);
}
