/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * syslog(3), and nothing else: libvirt reads a migrate/restore hook's stdout
 * as XML and shows its stderr as the error of a failed start.  Setting
 * LIBVIRT_CLUSTER_HOOK_STDERR=1 also copies each line to stderr (LOG_PERROR),
 * which is how the tests count log lines without a syslog daemon.
 * LIBVIRT_CLUSTER_HOOK_LOG_FILE=PATH appends each line to PATH too: the
 * worker's lines as well, where no syslog daemon runs (containers, the lab).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "hooks/hook.h"

static bool log_debug_on;
static const char *log_file;

void hook_log_open(bool debug)
{
	const char *e = secure_getenv("LIBVIRT_CLUSTER_HOOK_STDERR");
	int opt = LOG_PID | LOG_NDELAY;

	if (e && strcmp(e, "1") == 0)
		opt |= LOG_PERROR;
	log_debug_on = debug;
	log_file = secure_getenv("LIBVIRT_CLUSTER_HOOK_LOG_FILE");
	if (log_file && !*log_file)
		log_file = NULL;
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
	if (log_file) {
		char line[2048];
		int n = snprintf(line, sizeof(line),
				 "%lld libvirt-cluster-hook[%d]: ", (long long)time(NULL),
				 (int)getpid());
		va_start(ap, fmt);
		if (n > 0 && (size_t)n < sizeof(line))
			vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
		va_end(ap);
		size_t l = strlen(line);
		if (l + 1 < sizeof(line)) {
			line[l++] = '\n';
			line[l] = '\0';
		}
		/* one write with O_APPEND: lines of concurrent workers do not mix */
		int fd =
		    open(log_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd >= 0) {
			ssize_t w = write(fd, line, l);
			(void)w;
			close(fd);
		}
	}
}
