/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wait's probes and its watch on the sources (wait-ready.c). */
#pragma once

#include <stdbool.h>

struct lc_addr;
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
