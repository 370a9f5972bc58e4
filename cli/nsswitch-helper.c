/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt-cluster-nsswitch: the hosts-line rewrite of `libvirt-cluster
 * enable` and `disable` (cli/nsswitch.c), alone and linking only libc, for
 * the module package's maintainer scripts.  The module's package must not
 * depend on the CLI's libraries (libvirt, libxml2, libsystemd) just to edit
 * one line, and a second copy of the rules in sed would drift from the C.
 *
 * Unlike the CLI it makes no backup: dpkg runs it on install and removal,
 * and disable gives back the file as it was, byte for byte.  A missing file
 * is left missing: creating one would mean removal cannot restore "none".
 */
#include "cli/nsswitch.h"
#include "cli/system.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: libvirt-cluster-nsswitch enable|disable [FILE]\n"
		   "Put " NSSWITCH_MODULE " into (or take it out of) the hosts line of FILE\n"
		   "(default " SYSCONF_DIR "/nsswitch.conf), as libvirt-cluster enable and\n"
		   "disable do, without a backup.  Exit status 0 when the line is as asked,\n"
		   "1 on error, 64 on a bad command line.\n");
}

/* The hosts line of buf, for the one line of output. */
static void print_hosts_line(const char *path, const char *buf, size_t len)
{
	struct nsswitch_hosts h;

	if (nsswitch_hosts_parse(buf, len, &h) == 0)
		printf("%s: %.*s\n", path, (int)(h.line_end - h.line_start), buf + h.line_start);
}

static int rewrite(const char *path, bool enable)
{
	char real[PATH_MAX];
	char *old = NULL, *neu = NULL;
	size_t old_len = 0, new_len = 0;
	int rc = 1;

	/* Rewrite the file a symlink points to, not the link. */
	if (!realpath(path, real)) {
		if (errno == ENOENT) {
			printf("%s: no such file; nothing changed\n", path);
			return 0;
		}
		fprintf(stderr, "libvirt-cluster-nsswitch: %s: %s\n", path, strerror(errno));
		return 1;
	}
	int r = sys_read_file(real, &old, &old_len);
	if (r < 0) {
		fprintf(stderr, "libvirt-cluster-nsswitch: cannot read %s: %s\n", real,
			strerror(-r));
		return 1;
	}
	r = enable ? nsswitch_enable(old, old_len, &neu, &new_len)
		   : nsswitch_disable(old, old_len, &neu, &new_len);
	if (r < 0) {
		fprintf(stderr, "libvirt-cluster-nsswitch: %s: cannot rewrite the hosts line: %s\n",
			path, r == -E2BIG ? "it names too many services" : strerror(-r));
		goto out;
	}
	if (r == 0) {
		printf("%s: %s\n", path,
		       enable ? "hosts line already asks " NSSWITCH_MODULE " in the right place"
			      : "hosts line does not name " NSSWITCH_MODULE);
		rc = 0;
		goto out;
	}
	r = sys_write_file(real, neu, new_len);
	if (r < 0) {
		fprintf(stderr, "libvirt-cluster-nsswitch: cannot write %s: %s\n", real,
			strerror(-r));
		goto out;
	}
	print_hosts_line(path, neu, new_len);
	rc = 0;
out:
	free(old);
	free(neu);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (argc < 2 || argc > 3 ||
	    (strcmp(argv[1], "enable") != 0 && strcmp(argv[1], "disable") != 0)) {
		usage(stderr);
		return 64;
	}
	int rc = rewrite(argc == 3 ? argv[2] : SYSCONF_DIR "/nsswitch.conf",
			 strcmp(argv[1], "enable") == 0);
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = 1;
	return rc;
}
