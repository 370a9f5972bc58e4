/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli/nsswitch.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What glibc assumes when nsswitch.conf has no hosts line. */
#define GLIBC_DEFAULT_HOSTS "dns [!UNAVAIL=return] files"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static bool word_eq(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/*
 * Does an action list ("[...]", brackets included) make glibc stop on
 * NOTFOUND?  glibc grammar: [ ['!'] STATUS '=' ACTION ... ], case-blind,
 * blanks allowed around the tokens.
 */
static bool actions_return_on_notfound(const char *s, size_t n)
{
	bool result = false;
	size_t i = 0;

	while (i < n && (s[i] == '[' || is_blank(s[i])))
		i++;
	while (i < n && s[i] != ']') {
		bool negate = false;
		if (s[i] == '!') {
			negate = true;
			i++;
		}
		size_t st = i;
		while (i < n && isalpha((unsigned char)s[i]))
			i++;
		size_t st_len = i - st;
		while (i < n && is_blank(s[i]))
			i++;
		if (i >= n || s[i] != '=')
			break; /* malformed: glibc ignores the rest too */
		i++;
		while (i < n && is_blank(s[i]))
			i++;
		size_t ac = i;
		while (i < n && isalpha((unsigned char)s[i]))
			i++;
		size_t ac_len = i - ac;
		bool is_notfound = word_eq(s + st, st_len, "notfound");
		bool applies = negate ? !is_notfound : is_notfound;
		if (applies)
			result = word_eq(s + ac, ac_len, "return");
		while (i < n && is_blank(s[i]))
			i++;
	}
	return result;
}

/* nss-mdns's *_minimal modules answer NOTFOUND only for .local names and
 * UNAVAIL for everything else, so their [NOTFOUND=return] never hides a
 * guest (the Debian default relies on that). */
static bool notfound_only_for_local(const char *name)
{
	return strcmp(name, "mdns_minimal") == 0 || strcmp(name, "mdns4_minimal") == 0 ||
	       strcmp(name, "mdns6_minimal") == 0;
}

/* Parse the service list in buf[from, to). */
static int parse_list(const char *buf, size_t from, size_t to, struct nsswitch_hosts *h)
{
	size_t i = from;

	h->n = 0;
	h->module = -1;
	while (i < to) {
		while (i < to && is_blank(buf[i]))
			i++;
		if (i >= to)
			break;
		if (buf[i] == '[') {
			/* Actions without a service before them: glibc
			 * rejects the line; keep them attached to nothing. */
			while (i < to && buf[i] != ']')
				i++;
			if (i < to)
				i++;
			continue;
		}
		if (h->n == NSSWITCH_MAX_SOURCES)
			return -E2BIG;
		struct nsswitch_source *s = &h->src[h->n];
		memset(s, 0, sizeof(*s));
		s->start = i;
		while (i < to && !is_blank(buf[i]) && buf[i] != '[')
			i++;
		s->end = i;
		size_t nl = s->end - s->start;
		if (nl >= sizeof(s->name))
			nl = sizeof(s->name) - 1;
		memcpy(s->name, buf + s->start, nl);
		s->name[nl] = '\0';

		/* One or more "[...]" groups may follow, after blanks. */
		size_t j = i;
		s->act_start = s->act_end = i;
		for (;;) {
			while (j < to && is_blank(buf[j]))
				j++;
			if (j >= to || buf[j] != '[')
				break;
			if (s->act_start == s->act_end)
				s->act_start = j;
			while (j < to && buf[j] != ']')
				j++;
			if (j < to)
				j++;
			s->act_end = j;
			i = j;
		}
		if (s->act_end > s->act_start)
			s->notfound_returns = actions_return_on_notfound(buf + s->act_start,
									 s->act_end - s->act_start);
		if (strcmp(s->name, NSSWITCH_MODULE) == 0 && h->module < 0)
			h->module = (int)h->n;
		h->n++;
	}
	return 0;
}

int nsswitch_hosts_parse(const char *buf, size_t len, struct nsswitch_hosts *ret)
{
	struct nsswitch_hosts h;
	size_t pos = 0;
	unsigned lineno = 0;
	bool found = false;

	memset(&h, 0, sizeof(h));
	h.module = -1;
	while (pos < len) {
		size_t start = pos, end = pos;
		while (end < len && buf[end] != '\n')
			end++;
		lineno++;
		pos = end < len ? end + 1 : end;

		/* glibc cuts a line at the first '#'. */
		size_t content_end = start;
		while (content_end < end && buf[content_end] != '#')
			content_end++;
		size_t i = start;
		while (i < content_end && is_blank(buf[i]))
			i++;
		size_t name = i;
		while (i < content_end && !is_blank(buf[i]) && buf[i] != ':')
			i++;
		size_t name_len = i - name;
		while (i < content_end && is_blank(buf[i]))
			i++;
		if (i >= content_end || buf[i] != ':' || !word_eq(buf + name, name_len, "hosts"))
			continue;
		h.n_lines++;
		if (found)
			continue;
		found = true;
		h.line = lineno;
		h.line_start = start;
		h.line_end = end;
		h.list_start = i + 1;
		/* The list ends before trailing blanks and any comment. */
		size_t le = content_end;
		while (le > h.list_start && is_blank(buf[le - 1]))
			le--;
		h.list_end = le;
		int r = parse_list(buf, h.list_start, h.list_end, &h);
		if (r < 0)
			return r;
	}
	if (!found)
		return -ENOENT;
	*ret = h;
	return 0;
}

/* First source glibc would stop at, or that is DNS-backed: the module
 * belongs before it.  Returns n when there is none. */
static size_t insert_index(const struct nsswitch_hosts *h)
{
	for (size_t i = 0; i < h->n; i++) {
		const struct nsswitch_source *s = &h->src[i];
		if ((int)i == h->module)
			continue;
		if (strcmp(s->name, "dns") == 0 || strcmp(s->name, "resolve") == 0)
			return i;
		if (s->notfound_returns && !notfound_only_for_local(s->name))
			return i;
	}
	return h->n;
}

static void judge(const char *buf, const struct nsswitch_hosts *h, struct nsswitch_check *c)
{
	int dns_like = -1;

	c->line = h->line;
	if (h->module < 0) {
		c->verdict = NSSWITCH_MISSING;
		return;
	}
	/* A source that stops the lookup is the worse problem: report it
	 * even when a dns-like source comes earlier. */
	for (int i = 0; i < h->module; i++) {
		const struct nsswitch_source *s = &h->src[i];
		if (s->notfound_returns && !notfound_only_for_local(s->name)) {
			size_t n = s->act_end - s->act_start;
			if (n >= sizeof(c->culprit_action))
				n = sizeof(c->culprit_action) - 1;
			memcpy(c->culprit_action, buf + s->act_start, n);
			c->culprit_action[n] = '\0';
			snprintf(c->culprit, sizeof(c->culprit), "%s", s->name);
			c->verdict = NSSWITCH_BLOCKED;
			return;
		}
		if (dns_like < 0 &&
		    (strcmp(s->name, "dns") == 0 || strcmp(s->name, "resolve") == 0))
			dns_like = i;
	}
	if (dns_like >= 0) {
		snprintf(c->culprit, sizeof(c->culprit), "%s", h->src[dns_like].name);
		c->verdict = strcmp(h->src[dns_like].name, "dns") == 0 ? NSSWITCH_AFTER_DNS
								       : NSSWITCH_AFTER_RESOLVE;
		return;
	}
	c->verdict = NSSWITCH_OK;
}

int nsswitch_check(const char *buf, size_t len, struct nsswitch_check *ret)
{
	struct nsswitch_hosts h;
	struct nsswitch_check c;

	memset(&c, 0, sizeof(c));
	int r = nsswitch_hosts_parse(buf, len, &h);
	if (r == -ENOENT) {
		c.verdict = NSSWITCH_NO_HOSTS_LINE;
		*ret = c;
		return 0;
	}
	if (r < 0)
		return r;
	judge(buf, &h, &c);
	*ret = c;
	return 0;
}

const char *nsswitch_verdict_text(enum nsswitch_verdict v)
{
	switch (v) {
	case NSSWITCH_OK:
		return "ok";
	case NSSWITCH_NO_HOSTS_LINE:
		return "no hosts line";
	case NSSWITCH_MISSING:
		return "module missing";
	case NSSWITCH_BLOCKED:
		return "module never reached";
	case NSSWITCH_AFTER_DNS:
		return "module after dns";
	case NSSWITCH_AFTER_RESOLVE:
		return "module after resolve";
	}
	return "?";
}

/* A growable output buffer. */
struct out {
	char *p;
	size_t len, cap;
	bool oom;
};

static void out_put(struct out *o, const char *s, size_t n)
{
	if (o->oom)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 256;
		while (cap < o->len + n + 1)
			cap *= 2;
		char *p = realloc(o->p, cap);
		if (!p) {
			o->oom = true;
			return;
		}
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void out_str(struct out *o, const char *s)
{
	out_put(o, s, strlen(s));
}

static int out_finish(struct out *o, char **ret_buf, size_t *ret_len)
{
	if (o->oom) {
		free(o->p);
		return -ENOMEM;
	}
	if (!o->p)
		out_put(o, "", 0);
	if (o->oom)
		return -ENOMEM;
	*ret_buf = o->p;
	*ret_len = o->len;
	return 1;
}

/*
 * Copy buf[from, to) to o while leaving out the module's token, the actions
 * that belong to it, and the blanks that separated it from the previous
 * token (or, when it is first, from the next one).
 */
static void copy_without_module(struct out *o, const char *buf, size_t from, size_t to,
				const struct nsswitch_hosts *h)
{
	size_t pos = from;

	for (size_t i = 0; i < h->n; i++) {
		const struct nsswitch_source *s = &h->src[i];
		if (strcmp(s->name, NSSWITCH_MODULE) != 0)
			continue;
		size_t cut_from = s->start, cut_to = s->act_end > s->end ? s->act_end : s->end;
		if (cut_from < pos || cut_to > to)
			continue;
		size_t before = cut_from;
		while (before > h->list_start && is_blank(buf[before - 1]))
			before--;
		if (before > h->list_start && before >= pos) {
			cut_from = before;
		} else {
			while (cut_to < h->list_end && is_blank(buf[cut_to]))
				cut_to++;
			/* Alone on the line: drop the blanks after the colon too. */
			if (cut_to >= h->list_end && before >= pos)
				cut_from = before;
		}
		out_put(o, buf + pos, cut_from - pos);
		pos = cut_to;
	}
	out_put(o, buf + pos, to - pos);
}

static bool ends_with_newline(const char *buf, size_t len)
{
	return len == 0 || buf[len - 1] == '\n';
}

int nsswitch_enable(const char *buf, size_t len, char **ret_buf, size_t *ret_len)
{
	struct nsswitch_hosts h;
	struct nsswitch_check c;
	struct out o = {0};

	int r = nsswitch_hosts_parse(buf, len, &h);
	if (r == -ENOENT) {
		/* Keep glibc's implicit default, with the module in front of dns. */
		out_put(&o, buf, len);
		if (!ends_with_newline(buf, len))
			out_str(&o, "\n");
		out_str(&o, "hosts:          " NSSWITCH_MODULE " " GLIBC_DEFAULT_HOSTS "\n");
		return out_finish(&o, ret_buf, ret_len);
	}
	if (r < 0)
		return r;
	memset(&c, 0, sizeof(c));
	judge(buf, &h, &c);
	if (c.verdict == NSSWITCH_OK)
		return 0;

	size_t at = insert_index(&h);
	/* Text up to the insertion point, without any misplaced copy. */
	if (at < h.n) {
		const struct nsswitch_source *t = &h.src[at];
		size_t sep = t->start;
		while (sep > h.list_start && is_blank(buf[sep - 1]))
			sep--;
		bool first = true;
		for (size_t i = 0; i < at; i++)
			if ((int)i != h.module && strcmp(h.src[i].name, NSSWITCH_MODULE) != 0)
				first = false;
		copy_without_module(&o, buf, 0, t->start, &h);
		out_str(&o, NSSWITCH_MODULE);
		if (first || sep == t->start)
			out_str(&o, " ");
		else
			out_put(&o, buf + sep, t->start - sep); /* reuse the file's separator */
		copy_without_module(&o, buf, t->start, len, &h);
	} else {
		copy_without_module(&o, buf, 0, h.list_end, &h);
		/* Separator: the one before the last kept source, else a space. */
		const char *sepc = " ";
		size_t sepn = 1;
		for (size_t i = h.n; i-- > 0;) {
			if (strcmp(h.src[i].name, NSSWITCH_MODULE) == 0)
				continue;
			size_t sep = h.src[i].start;
			while (sep > h.list_start && is_blank(buf[sep - 1]))
				sep--;
			if (i > 0 && sep < h.src[i].start) {
				sepc = buf + sep;
				sepn = h.src[i].start - sep;
			}
			break;
		}
		bool any = false;
		for (size_t i = 0; i < h.n; i++)
			if (strcmp(h.src[i].name, NSSWITCH_MODULE) != 0)
				any = true;
		if (!any) {
			/* "hosts:" with nothing left: one space after the colon. */
			sepc = " ";
			sepn = 1;
			if (o.len > 0 && is_blank(o.p[o.len - 1]))
				sepn = 0;
		}
		out_put(&o, sepc, sepn);
		out_str(&o, NSSWITCH_MODULE);
		out_put(&o, buf + h.list_end, len - h.list_end);
	}
	return out_finish(&o, ret_buf, ret_len);
}

int nsswitch_disable(const char *buf, size_t len, char **ret_buf, size_t *ret_len)
{
	struct nsswitch_hosts h;
	struct out o = {0};

	int r = nsswitch_hosts_parse(buf, len, &h);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (h.module < 0)
		return 0;
	copy_without_module(&o, buf, 0, len, &h);
	return out_finish(&o, ret_buf, ret_len);
}
