/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvirt-cluster-hook: one binary for the qemu, lxc and network hooks. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "hooks/hook.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: libvirt-cluster-hook [--driver=qemu|lxc|network] OBJECT OPERATION SUBOP "
		"EXTRA\n"
		"       libvirt-cluster-hook --sync | --refresh\n"
		"Installed in /etc/libvirt/hooks/{qemu,lxc,network}.d/, libvirt runs it with the\n"
		"event's XML on stdin.  See libvirt-cluster-hook(8).\n");
}

int main(int argc, char **argv)
{
	struct hook_ctx ctx = {0};
	int r;

	ctx.start_usec = host_now_usec();
	ctx.spawn_workers = true;
	/* A reader that went away must not kill us half-way through a record. */
	signal(SIGPIPE, SIG_IGN);
	hook_args_parse(argc, (const char *const *)argv, &ctx.args);
	lc_paths_default(&ctx.paths);
	lc_config_defaults(&ctx.config);

	switch (ctx.args.mode) {
	case HOOK_MODE_HELP:
		usage(stdout);
		return 0;
	case HOOK_MODE_VERSION:
		printf("libvirt-cluster-hook %s\n", PACKAGE_VERSION);
		return 0;
	default:
		break;
	}

	hook_log_open(false);
	/* A missing config gives the defaults; a broken one is reported by
	 * `libvirt-cluster doctor`, not here (one line per event). */
	r = lc_config_load(ctx.paths.config, &ctx.config, NULL, NULL);
	if (r < 0)
		lc_config_defaults(&ctx.config);
	hook_log_open(ctx.config.debug);

	if (ctx.args.mode == HOOK_MODE_SYNC || ctx.args.mode == HOOK_MODE_REFRESH) {
		ctx.spawn_workers = false;
		r = ctx.args.mode == HOOK_MODE_SYNC ? hook_sync(&ctx) : hook_refresh(&ctx);
		lc_config_free(&ctx.config);
		return r;
	}
	if (ctx.args.bad_option) {
		hook_log(LOG_WARNING, "unknown option \"%.64s\"; nothing done",
			 ctx.args.bad_option);
		lc_config_free(&ctx.config);
		return 0;
	}

	/* Always drain stdin (bounded): libvirt writes the XML whether or not
	 * the event needs it. */
	r = hook_read_input(STDIN_FILENO, HOOK_INPUT_MAX, HOOK_INPUT_TIMEOUT_MS, &ctx.input,
			    &ctx.input_len);
	if (r < 0) {
		ctx.input = NULL;
		ctx.input_error = r;
	} else if (ctx.input_len == 0) {
		free(ctx.input);
		ctx.input = NULL;
		ctx.input_error = -ENODATA;
	}

	r = hook_dispatch(&ctx);
	hook_debug("%s %s %s: done in %llu ms", hook_driver_name(ctx.args.driver),
		   ctx.args.object ? ctx.args.object : "-", ctx.args.op ? ctx.args.op : "-",
		   (unsigned long long)((host_now_usec() - ctx.start_usec) / 1000));
	free(ctx.input);
	lc_config_free(&ctx.config);
	return r;
}
