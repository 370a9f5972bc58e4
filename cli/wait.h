/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wait's probes and its watch on the sources (wait-ready.c). */
#pragma once

#include <stdbool.h>

#include "cli/cli.h"

struct lc_addr;
struct lc_host;
struct lc_paths;

/* 0 when addr:port accepts a TCP connection within timeout_ms, else -errno. */
int wait_probe_tcp(const struct lc_addr *a, int port, int timeout_ms);
/* 0 when addr:port sends an SSH version line within timeout_ms; -ENODATA
 * when it accepts but sends none, -EPROTO when it sends something else,
 * else the connect error. */
int wait_probe_ssh(const struct lc_addr *a, int port, int timeout_ms);
/* An inotify fd on the lease and runstate directories, or -errno. */
int wait_watch_open(const struct lc_paths *paths);
/* Sleep up to ms, less when a source changes (true then).  fd < 0: sleep. */
bool wait_watch_sleep(int fd, int ms);
/* Whether guest h is ready in the sense of kind (agent, boot, cloud-init),
 * asked of the guest itself, waiting at most timeout_s: 0 ready; -EAGAIN
 * or -ETIMEDOUT not yet; -EOPNOTSUPP it cannot tell (no agent, no systemd,
 * no cloud-init, no libvirt support) and -EPROTO it failed; detail says
 * what was seen (wait-guest.c). */
int wait_guest_ready(const struct lc_host *h, enum cli_ready_kind kind, int timeout_s, char *detail,
		     size_t size);
void wait_guest_close(void);
