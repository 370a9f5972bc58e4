/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The resolver's paths as the CLI sees them: its own file, so that the
 * small known-hosts program needs nothing else of the CLI. */
#include "cli/cli.h"
#include "resolver/resolver.h"

#include <stdio.h>
#include <stdlib.h>

static void prefix_unless_env(char *path, size_t size, const char *env, const char *root)
{
	char tmp[512];
	const char *e = getenv(env);

	if (!root || (e && *e))
		return;
	snprintf(tmp, sizeof(tmp), "%s%s", root, path);
	snprintf(path, size, "%s", tmp);
}

void cli_lc_paths(const struct cli_args *args, struct lc_paths *ret)
{
	struct lc_paths p;

	lc_paths_default(&p);
	prefix_unless_env(p.lease_dir, sizeof(p.lease_dir), "LIBVIRT_CLUSTER_LEASE_DIR",
			  args->root);
	prefix_unless_env(p.runstate_dir, sizeof(p.runstate_dir), "LIBVIRT_CLUSTER_RUNSTATE_DIR",
			  args->root);
	prefix_unless_env(p.config, sizeof(p.config), "LIBVIRT_CLUSTER_CONFIG", args->root);
	*ret = p;
}
