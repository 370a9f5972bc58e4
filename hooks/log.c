/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * syslog(3), and nothing else: libvirt reads a migrate/restore hook's stdout
 * as XML and shows its stderr as the error of a failed start.  Setting
 * LIBVIRT_CLUSTER_HOOK_STDERR=1 also copies each line to stderr (LOG_PERROR),
 * which is how the tests count log lines without a syslog daemon.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "hooks/hook.h"

static bool log_debug_on;

void hook_log_open(bool debug)
{
	const char *e = secure_getenv("LIBVIRT_CLUSTER_HOOK_STDERR");
	int opt = LOG_PID | LOG_NDELAY;

	if (e && strcmp(e, "1") == 0)
		opt |= LOG_PERROR;
	log_debug_on = debug;
	closelog();
	openlog("libvirt-cluster-hook", opt, LOG_DAEMON);
}

bool hook_log_debug(void)
{
	return log_debug_on;
}

void hook_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsyslog(prio, fmt, ap);
	va_end(ap);
}
