/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What ssh reads from us: Host blocks for an ssh config, and known_hosts
 * lines for KnownHostsCommand.  Pure formatting and parsing, so the units
 * test exactly what ssh gets.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct lc_hostkey;

/* The drop-in `enable --ssh` installs (under --root). */
#define SSH_DROPIN_DIR "/etc/ssh/ssh_config.d"
#define SSH_DROPIN_NAME "libvirt-cluster.conf"

/* A name ssh can take as a host pattern and a known_hosts name as it is:
 * letters, digits, '.', '-', '_' only (no pattern or list characters). */
bool ssh_name_ok(const char *name);

/* ssh's %H: "NAME" or "[NAME]:PORT" (a port other than 22).  The name goes
 * to host (lower-cased), the port to *ret_port (22 when none).  -EINVAL for
 * anything else. */
int ssh_host_arg_parse(const char *arg, char *host, size_t size, int *ret_port);

/* The name list of a known_hosts line: names[0..n) without repeats (case
 * folded) and without names ssh_name_ok refuses (addresses pass), each as
 * "[NAME]:PORT" when port is not 22, joined by ','.  -ENOBUFS when it does
 * not fit, -ENOENT when no name is left. */
int ssh_known_hosts_names(const char *const *names, size_t n, int port, char *buf, size_t size);

/* One known_hosts line per key: "NAMES TYPE BASE64". */
void ssh_known_hosts_print(FILE *f, const char *names, const struct lc_hostkey *keys, size_t n);

/* One Host block for a guest: the patterns (name first; those ssh_name_ok
 * refuses are left out), HostName, HostKeyAlias name, and User when user is
 * not empty. */
void ssh_config_print(FILE *f, const char *name, const char *const *aliases, size_t n_aliases,
		      const char *address, const char *user);

/* The drop-in's text: KnownHostsCommand runs `program %H` (known-hosts). */
int ssh_dropin_text(const char *cli_path, char *buf, size_t size);
