/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvirt-cluster: parse, dispatch through the command table, exit. */
#include "cli/cli.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	struct cli_args args;
	char err[256];

	int r = cli_parse(argc, argv, &args, err, sizeof(err));
	if (r != CLI_EXIT_OK) {
		cli_error("%s", err);
		return r;
	}
	if (args.version) {
		printf("libvirt-cluster %s\n", PACKAGE_VERSION);
		return CLI_EXIT_OK;
	}
	if (args.help) {
		cli_help(stdout, args.command);
		return CLI_EXIT_OK;
	}
	r = args.command->fn(&args);
	cli_metadata_close();
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("writing output failed");
		if (r == CLI_EXIT_OK)
			r = CLI_EXIT_FAILURE;
	}
	return r;
}
