/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libexec/libvirt-cluster/known-hosts NAME [ADDRESS]: what
 * `libvirt-cluster known-hosts` prints, from a program that loads libc
 * alone, for KnownHostsCommand (ssh runs it for every host it checks).
 */
#include "cli/cli.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	struct cli_args a = {0};

	if (argc < 2 || argc > 3) {
		fputs("usage: known-hosts NAME [ADDRESS] (see libvirt-cluster(1))\n", stderr);
		return CLI_EXIT_USAGE;
	}
	a.argc = argc - 1;
	a.argv = argv + 1;
	int r = cli_known_hosts_run(&a);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fputs("libvirt-cluster: writing output failed\n", stderr);
		if (r == CLI_EXIT_OK)
			r = CLI_EXIT_FAILURE;
	}
	return r;
}
