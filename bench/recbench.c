/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One cold build of the core's db for one name, as a process's first lookup
 * makes it, over a lease dir and a runstate dir of hook records: what
 * bench/records-cost runs under callgrind (bench/run's lab has no records).
 * Linked with the core's static library; only the second build is counted
 * (the first binds libc's symbols).
 *
 *   recbench LEASE_DIR RUNSTATE_DIR NAME WHOLE   (WHOLE 0: whole parses off,
 *                                                 a number > 1: the limit in bytes)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench/callgrind-compat.h"

#include "resolver/lease.h"
#include "resolver/resolver.h"

int main(int argc, char **argv)
{
	struct lc_paths p = {{0}};
	struct lc_db *db;

	if (argc != 5)
		return 2;
	snprintf(p.lease_dir, sizeof(p.lease_dir), "%s", argv[1]);
	snprintf(p.runstate_dir, sizeof(p.runstate_dir), "%s", argv[2]);
	snprintf(p.config, sizeof(p.config), "/nonexistent");
	size_t w = strtoul(argv[4], NULL, 10);
	lc_db_whole_max = w > 1 ? w : w == 1 ? LC_DB_WHOLE_MAX : 0;
	if (lc_db_load_tracked(&p, time(NULL), argv[3], NULL, NULL, &db) < 0)
		return 1;
	lc_db_free(db);
	CALLGRIND_TOGGLE_COLLECT;
	int r = lc_db_load_tracked(&p, time(NULL), argv[3], NULL, NULL, &db);
	CALLGRIND_TOGGLE_COLLECT;
	if (r < 0)
		return 1;
	printf("%s: %zu hosts%s\n", argv[3], lc_db_n_hosts(db),
	       lc_db_complete(db) ? ", complete" : "");
	lc_db_free(db);
	return 0;
}
