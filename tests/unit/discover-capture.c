/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writes the raw rtnetlink dump of the current network namespace to
 * stdout: how tests/fixtures/netlink/ was made (see capture.sh there).
 * Usage: discover-capture [links] [addrs] [neighs] [routes] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/discover.h"

int main(int argc, char **argv)
{
	unsigned what = 0;
	uint8_t *buf = malloc(DISCOVER_DUMP_MAX);
	ssize_t n;

	for (int i = 1; i < argc; i++)
		what |= !strcmp(argv[i], "links")    ? DISCOVER_DUMP_LINKS
			: !strcmp(argv[i], "addrs")  ? DISCOVER_DUMP_ADDRS
			: !strcmp(argv[i], "neighs") ? DISCOVER_DUMP_NEIGHS
			: !strcmp(argv[i], "routes") ? DISCOVER_DUMP_ROUTES
						     : 0;
	if (!buf || !what) {
		fprintf(stderr, "usage: %s [links] [addrs] [neighs] [routes] > dump\n", argv[0]);
		return 2;
	}
	n = discover_nl_dump(what, buf, DISCOVER_DUMP_MAX);
	if (n < 0) {
		fprintf(stderr, "dump: %s\n", strerror((int)-n));
		return 1;
	}
	if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
		return 1;
	free(buf);
	return 0;
}
