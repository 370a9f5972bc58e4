/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading what shares the host with libvirt: nscd.conf, Docker's
 * daemon.json, and the firewall's FORWARD path as iptables-save and nft
 * print it.  Read only; doctor-neighbours.c turns the answers into
 * findings and fixes.
 */
#include "cli/doctor.h"
#include "resolver/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The next line of buf (without its newline), or false at the end. */
static bool next_line(const char **p, const char *end, const char **ret, size_t *ret_len)
{
	if (*p >= end)
		return false;
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	*ret = *p;
	*ret_len = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
	*p = nl ? nl + 1 : end;
	return true;
}

/* Whitespace-separated words of a line, at most max. */
static size_t words(const char *l, size_t n, char (*w)[128], size_t max)
{
	size_t k = 0, i = 0;
	while (i < n && k < max) {
		while (i < n && (l[i] == ' ' || l[i] == '\t'))
			i++;
		size_t s = i;
		while (i < n && l[i] != ' ' && l[i] != '\t')
			i++;
		if (i == s)
			break;
		snprintf(w[k++], sizeof(w[0]), "%.*s", (int)(i - s), l + s);
	}
	return k;
}

void nb_nscd_conf_hosts(const char *buf, size_t len, bool *ret_enabled, long *ret_ttl)
{
	const char *p = buf, *end = buf + len, *l;
	size_t n;
	bool enabled = false;
	long ttl = 3600;
	char w[3][128];

	while (next_line(&p, end, &l, &n)) {
		const char *hash = memchr(l, '#', n);
		if (hash)
			n = (size_t)(hash - l);
		if (words(l, n, w, 3) != 3 || strcmp(w[1], "hosts") != 0)
			continue;
		if (!strcmp(w[0], "enable-cache"))
			enabled = !strcmp(w[2], "yes");
		else if (!strcmp(w[0], "positive-time-to-live"))
			ttl = strtol(w[2], NULL, 10);
	}
	*ret_enabled = enabled;
	*ret_ttl = ttl;
}

int nb_daemon_json_dns(const char *buf, size_t len, char (*ret)[64], size_t max, size_t *ret_n)
{
	struct json_cursor c;
	char key[64];
	bool first = true, truncated;
	size_t n = 0;
	int r;

	json_init(&c, buf, len);
	if (!json_peek(&c, '{'))
		return -EINVAL;
	while ((r = json_object_next(&c, &first, key, sizeof(key))) == 1) {
		if (strcmp(key, "dns") != 0 || !json_peek(&c, '[')) {
			if (!json_skip_value(&c, 1))
				return -EINVAL;
			continue;
		}
		bool afirst = true;
		int a;
		while ((a = json_array_next(&c, &afirst)) == 1) {
			char v[64];
			if (!json_peek(&c, '"')) {
				if (!json_skip_value(&c, 2))
					return -EINVAL;
				continue;
			}
			if (!json_string(&c, v, sizeof(v), NULL, &truncated))
				return -EINVAL;
			if (n < max && !truncated)
				memcpy(ret[n++], v, sizeof(v));
		}
		if (a < 0)
			return -EINVAL;
	}
	if (r < 0 || !json_at_end(&c))
		return -EINVAL;
	*ret_n = n;
	return 0;
}

#define MAX_CHAINS 64

static bool listed(char (*set)[128], size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(set[i], s))
			return true;
	return false;
}

/* "-A CHAIN ... -j TARGET": chain and target; the line has `-i bridge`
 * (not negated) when *ret_in. */
static bool rule_of(const char *l, size_t n, const char *bridge, char *chain, char *target,
		    bool *ret_in)
{
	char w[48][128];
	size_t k = words(l, n, w, 48);
	bool in = false;

	if (k < 2 || strcmp(w[0], "-A") != 0)
		return false;
	snprintf(chain, 128, "%s", w[1]);
	target[0] = '\0';
	for (size_t i = 2; i + 1 < k; i++) {
		if (!strcmp(w[i], "-j") || !strcmp(w[i], "-g"))
			snprintf(target, 128, "%s", w[i + 1]);
		if (!strcmp(w[i], "-i") && !strcmp(w[i + 1], bridge) && strcmp(w[i - 1], "!") != 0)
			in = true;
	}
	*ret_in = in;
	return true;
}

int nb_iptables_forward_drops(const char *save, const char *bridge, bool *ret_docker_user)
{
	const char *end = save + strlen(save), *p, *l;
	char reach[MAX_CHAINS][128], chain[128], target[128];
	size_t n, nreach = 1;
	bool drop = false, in, docker_user = false, table = false, grew = true, accepted = false;

	snprintf(reach[0], sizeof(reach[0]), "FORWARD");
	for (p = save; next_line(&p, end, &l, &n);) {
		if (n >= 7 && !memcmp(l, "*filter", 7))
			table = true;
		else if (n >= 1 && l[0] == '*')
			table = false;
		if (table && n >= 14 && !memcmp(l, ":FORWARD DROP", 13))
			drop = true;
		if (table && n >= 12 && !memcmp(l, ":DOCKER-USER", 12))
			docker_user = true;
	}
	*ret_docker_user = docker_user;
	if (!drop)
		return 0;
	/* the chains FORWARD reaches, through jumps (a fixpoint: few chains) */
	while (grew && nreach < MAX_CHAINS) {
		grew = false;
		for (p = save, table = false; next_line(&p, end, &l, &n);) {
			if (n >= 1 && l[0] == '*')
				table = n >= 7 && !memcmp(l, "*filter", 7);
			if (!table || !rule_of(l, n, bridge, chain, target, &in) || !target[0])
				continue;
			if (listed(reach, nreach, chain) && !listed(reach, nreach, target) &&
			    strcmp(target, "ACCEPT") && strcmp(target, "DROP") &&
			    strcmp(target, "RETURN") && strcmp(target, "REJECT") &&
			    nreach < MAX_CHAINS) {
				snprintf(reach[nreach++], sizeof(reach[0]), "%s", target);
				grew = true;
			}
		}
	}
	for (p = save, table = false; next_line(&p, end, &l, &n) && !accepted;) {
		if (n >= 1 && l[0] == '*')
			table = n >= 7 && !memcmp(l, "*filter", 7);
		if (table && rule_of(l, n, bridge, chain, target, &in) && in &&
		    !strcmp(target, "ACCEPT") && listed(reach, nreach, chain))
			accepted = true;
	}
	return accepted ? 0 : 1;
}

int nb_nft_forward_drops(const char *ruleset, const char *bridge, char *where, size_t size)
{
	const char *end = ruleset + strlen(ruleset), *p = ruleset, *l;
	char w[8][128], family[128] = "", tbl[128] = "", chain[128] = "", iif[160];
	size_t n;
	bool in_chain = false, forward_drop = false, accepted = false;
	int depth = 0;

	snprintf(iif, sizeof(iif), "iifname \"%s\"", bridge);
	while (next_line(&p, end, &l, &n)) {
		size_t k = words(l, n, w, 8);
		if (k >= 3 && !strcmp(w[0], "table")) {
			snprintf(family, sizeof(family), "%s", w[1]);
			snprintf(tbl, sizeof(tbl), "%s", w[2]);
		} else if (k >= 2 && !strcmp(w[0], "chain")) {
			snprintf(chain, sizeof(chain), "%s", w[1]);
			/* iptables-nft's own chain: judged from iptables-save,
			 * whose jumps (libvirt's LIBVIRT_FW*) are followed */
			in_chain = strcmp(chain, "FORWARD") != 0;
			forward_drop = accepted = false;
			depth = 0;
		} else if (in_chain) {
			const char *hook = memmem(l, n, "hook forward", 12);
			if (hook && memmem(l, n, "policy drop", 11))
				forward_drop = true;
			if (memmem(l, n, iif, strlen(iif)) && memmem(l, n, "accept", 6))
				accepted = true;
			if (k == 1 && !strcmp(w[0], "}")) {
				if (depth-- == 0) {
					if (forward_drop && !accepted) {
						snprintf(where, size, "%s %s %s", family, tbl,
							 chain);
						return 1;
					}
					in_chain = false;
				}
			} else if (n && l[n - 1] == '{') {
				depth++;
			}
		}
	}
	return 0;
}
