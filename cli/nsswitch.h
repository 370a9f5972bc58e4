/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The `hosts` line of nsswitch.conf: where our module sits, whether glibc
 * will ever ask it, and the rewrite that puts it in the right place.  Pure
 * functions over a buffer, so every real-world line can be unit-tested.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define NSSWITCH_MODULE "libvirt_cluster"
#define NSSWITCH_MAX_SOURCES 32

struct nsswitch_source {
	size_t start, end;	   /* the service name, as offsets into the buffer */
	size_t act_start, act_end; /* "[...]" after it, or act_start == act_end */
	char name[64];
	bool notfound_returns; /* its actions stop the lookup on NOTFOUND */
};

struct nsswitch_hosts {
	unsigned line;		     /* 1-based line number of the first `hosts` line */
	size_t line_start, line_end; /* the whole line, without its newline */
	size_t list_start, list_end; /* the service list: after "hosts:", before a comment */
	struct nsswitch_source src[NSSWITCH_MAX_SOURCES];
	size_t n;
	int module;	  /* index of our module in src, -1 when absent */
	unsigned n_lines; /* how many `hosts` lines there are */
};

/* Find and parse the first `hosts` line.  -ENOENT when there is none,
 * -E2BIG when it names more than NSSWITCH_MAX_SOURCES services. */
int nsswitch_hosts_parse(const char *buf, size_t len, struct nsswitch_hosts *ret);

enum nsswitch_verdict {
	NSSWITCH_OK = 0,
	NSSWITCH_NO_HOSTS_LINE, /* glibc's default `dns [!UNAVAIL=return] files` applies */
	NSSWITCH_MISSING,	/* the hosts line does not name the module */
	NSSWITCH_BLOCKED,	/* a source before it returns on NOTFOUND */
	NSSWITCH_AFTER_DNS,	/* `dns` is asked first */
	NSSWITCH_AFTER_RESOLVE, /* `resolve` is asked first */
};

struct nsswitch_check {
	enum nsswitch_verdict verdict;
	unsigned line;
	char culprit[64];	 /* the source at fault (BLOCKED, AFTER_*) */
	char culprit_action[64]; /* its "[...]" (BLOCKED) */
};

/* Judge a whole nsswitch.conf.  -E2BIG as nsswitch_hosts_parse. */
int nsswitch_check(const char *buf, size_t len, struct nsswitch_check *ret);
const char *nsswitch_verdict_text(enum nsswitch_verdict v);

/*
 * Rewrite a whole nsswitch.conf.  enable puts the module before the first
 * of `resolve`, `dns` or a source whose actions return on NOTFOUND (or last
 * when there is none), moving it there if it sits behind one of those;
 * disable removes it and the actions that follow it.  Everything else is
 * kept byte for byte.  Returns 1 and a malloc'ed *ret_buf when the file
 * changes, 0 (and *ret_buf NULL) when it is already as wanted, -errno on
 * failure.
 */
int nsswitch_enable(const char *buf, size_t len, char **ret_buf, size_t *ret_len);
int nsswitch_disable(const char *buf, size_t len, char **ret_buf, size_t *ret_len);
