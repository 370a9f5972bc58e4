/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolver/resolver.h"
#include "resolver/util.h"

void lc_config_defaults(struct lc_config *ret_config)
{
	memset(ret_config, 0, sizeof(*ret_config));
	ret_config->renew_after = 20;
	ret_config->renew_tries = 3;
	ret_config->discover_timeout = 300;
	ret_config->resolved = true;
	ret_config->dns_ttl = 60;
}

void lc_config_free(struct lc_config *config)
{
	for (size_t i = 0; i < config->n_domains; i++)
		free(config->domains[i]);
	for (size_t i = 0; i < config->n_prefer; i++)
		free(config->prefer[i]);
	for (size_t i = 0; i < config->n_leases; i++)
		free(config->leases[i]);
	for (size_t i = 0; i < config->n_dns_reverse_zones; i++)
		free(config->dns_reverse_zones[i]);
	free(config->renew_command);
	free(config->dns_server);
	free(config->dns_zone);
	free(config->dns_key_file);
	free(config->dns_host_id);
	lc_config_defaults(config);
}

static void issue(lc_config_issue_fn fn, void *ud, unsigned line, const char *fmt, ...)
{
	struct lc_config_issue is = {.line = line};
	va_list ap;

	if (!fn)
		return;
	va_start(ap, fmt);
	vsnprintf(is.message, sizeof(is.message), fmt, ap);
	va_end(ap);
	fn(&is, ud);
}

static bool parse_bool(const char *v, bool *ret)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1"))
		*ret = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0"))
		*ret = false;
	else
		return false;
	return true;
}

static bool parse_uint(const char *v, int max, int *ret)
{
	char *e;
	errno = 0;
	long n = strtol(v, &e, 10);
	if (errno || *e || e == v || n < 0 || n > max)
		return false;
	*ret = (int)n;
	return true;
}

/* A domain lower-cased in place without dots at its ends; NULL when that
 * leaves it empty or over-long. */
static char *fold_domain(char *w)
{
	while (*w == '.')
		w++;
	size_t l = strlen(w);
	while (l && w[l - 1] == '.')
		w[--l] = '\0';
	for (char *q = w; *q; q++)
		*q = lc_lower(*q);
	return *w && l <= LC_NAME_MAX ? w : NULL;
}

/* `discover_prefixes = CIDR...`: a word that is no prefix is reported and
 * skipped, the others kept. */
static void parse_prefixes(char *v, struct lc_config *cfg, lc_config_issue_fn fn, void *ud,
			   unsigned line)
{
	char *save = NULL;
	for (char *w = strtok_r(v, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
		struct lc_prefix p;
		if (lc_prefix_parse(w, strlen(w), &p) < 0) {
			issue(
			    fn, ud, line,
			    "discover_prefixes: \"%.60s\" is not an address prefix (CIDR), ignored",
			    w);
			continue;
		}
		if (cfg->n_discover_prefixes >= LC_CONF_MAX_LIST) {
			issue(fn, ud, line,
			      "discover_prefixes: more than %d entries, the rest are ignored",
			      LC_CONF_MAX_LIST);
			return;
		}
		cfg->discover_prefixes[cfg->n_discover_prefixes++] = p;
	}
}

/* Split a space-separated list into words; words are copied lower-cased and
 * without leading/trailing dots when fold is set (suffixes). */
static int parse_list(char *v, char **list, size_t *n, bool fold, lc_config_issue_fn fn, void *ud,
		      unsigned line, const char *key)
{
	char *save = NULL;
	for (char *w = strtok_r(v, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
		if (fold && !(w = fold_domain(w))) {
			issue(fn, ud, line, "%s: ignoring an empty or over-long domain", key);
			continue;
		}
		if (*n >= LC_CONF_MAX_LIST) {
			issue(fn, ud, line, "%s: more than %d entries, the rest are ignored", key,
			      LC_CONF_MAX_LIST);
			break;
		}
		char *copy = strdup(w);
		if (!copy)
			return -ENOMEM;
		list[(*n)++] = copy;
	}
	return 0;
}

/* '#' starts a comment, but for the one in dns_server's ADDRESS#PORT (how
 * BIND's tools write a port): right after the address, before a digit. */
static char *comment_start(char *line)
{
	char *h = strchr(line, '#');
	const char *k = line + strspn(line, " \t");

	if (h && !strncmp(k, "dns_server", 10) && h > k && !strchr(" \t=", h[-1]) && h[1] >= '0' &&
	    h[1] <= '9')
		h = strchr(h + 1, '#');
	return h;
}

/* ADDRESS or ADDRESS#PORT, the form BIND's tools use. */
static bool valid_server(const char *v)
{
	const char *hash = strchr(v, '#');
	size_t n = hash ? (size_t)(hash - v) : strlen(v);
	struct lc_addr a;
	int port;

	if (lc_addr_parse(v, n, &a) < 0)
		return false;
	return !hash || (parse_uint(hash + 1, 65535, &port) && port > 0);
}

/* It goes into the TXT record as host=<id>: one token of name characters. */
static bool valid_host_id(const char *v)
{
	size_t n = strlen(v);
	if (!n || n > LC_LABEL_MAX)
		return false;
	for (const char *p = v; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return false;
	return true;
}

/* Replace *dst by a copy of v (NULL when v is empty). */
static int set_string(char **dst, const char *v)
{
	char *copy = *v ? strdup(v) : NULL;
	if (*v && !copy)
		return -ENOMEM;
	free(*dst);
	*dst = copy;
	return 0;
}

/* The dns_* keys: 1 when key is one of them (handled), 0 when not, -ENOMEM. */
static int parse_dns_key(struct lc_config *cfg, const char *key, char *val, lc_config_issue_fn fn,
			 void *ud, unsigned line)
{
	if (strncmp(key, "dns_", 4))
		return 0;
	if (!strcmp(key, "dns_server")) {
		if (*val && !valid_server(val)) {
			issue(fn, ud, line,
			      "dns_server: expected ADDRESS or ADDRESS#PORT, got \"%.60s\"", val);
			return 1;
		}
		return set_string(&cfg->dns_server, val) < 0 ? -ENOMEM : 1;
	}
	if (!strcmp(key, "dns_zone")) {
		char *z = fold_domain(val);
		if (!z) {
			issue(fn, ud, line, "dns_zone: ignoring an empty or over-long domain");
			return 1;
		}
		return set_string(&cfg->dns_zone, z) < 0 ? -ENOMEM : 1;
	}
	if (!strcmp(key, "dns_reverse_zones"))
		return parse_list(val, cfg->dns_reverse_zones, &cfg->n_dns_reverse_zones, true, fn,
				  ud, line, key) < 0
			   ? -ENOMEM
			   : 1;
	if (!strcmp(key, "dns_key_file")) {
		if (val[0] != '/') {
			issue(fn, ud, line,
			      "dns_key_file: \"%.100s\" is not an absolute path, ignored", val);
			return 1;
		}
		return set_string(&cfg->dns_key_file, val) < 0 ? -ENOMEM : 1;
	}
	if (!strcmp(key, "dns_host_id")) {
		if (!valid_host_id(val)) {
			issue(
			    fn, ud, line,
			    "dns_host_id: expected up to 63 letters, digits, '-', '_' or '.', got "
			    "\"%.40s\"",
			    val);
			return 1;
		}
		return set_string(&cfg->dns_host_id, val) < 0 ? -ENOMEM : 1;
	}
	if (!strcmp(key, "dns_ttl")) {
		if (!parse_uint(val, 604800, &cfg->dns_ttl))
			issue(fn, ud, line, "dns_ttl: expected seconds 0..604800, got \"%.40s\"",
			      val);
		return 1;
	}
	if (!strcmp(key, "dns_addresses")) {
		if (!strcmp(val, "first") || !strcmp(val, "all"))
			cfg->dns_all_addresses = !strcmp(val, "all");
		else
			issue(fn, ud, line, "dns_addresses: expected all or first, got \"%.40s\"",
			      val);
		return 1;
	}
	return 0;
}

/* One `key = value` line of the config: a bad value is an issue, not an
 * error; only -ENOMEM fails the parse. */
static int config_key(struct lc_config *cfg, const char *key, char *val,
		      lc_config_issue_fn on_issue, void *userdata, unsigned lineno)
{
	int r = 0;

	if (!strcmp(key, "domains")) {
		r = parse_list(val, cfg->domains, &cfg->n_domains, true, on_issue, userdata, lineno,
			       key);
	} else if (!strcmp(key, "prefer")) {
		r = parse_list(val, cfg->prefer, &cfg->n_prefer, false, on_issue, userdata, lineno,
			       key);
	} else if (!strcmp(key, "leases")) {
		size_t before = cfg->n_leases;
		r = parse_list(val, cfg->leases, &cfg->n_leases, false, on_issue, userdata, lineno,
			       key);
		/* a relative path would be read relative to the cwd of
		 * whichever process resolves a name: drop it */
		for (size_t i = before; i < cfg->n_leases;) {
			if (cfg->leases[i][0] == '/') {
				i++;
				continue;
			}
			issue(on_issue, userdata, lineno,
			      "leases: \"%.100s\" is not an absolute path, ignored",
			      cfg->leases[i]);
			free(cfg->leases[i]);
			memmove(&cfg->leases[i], &cfg->leases[i + 1],
				(cfg->n_leases - i - 1) * sizeof(cfg->leases[0]));
			cfg->n_leases--;
		}
	} else if (!strcmp(key, "renew_after")) {
		if (!parse_uint(val, 3600, &cfg->renew_after))
			issue(on_issue, userdata, lineno,
			      "renew_after: expected seconds 0..3600, got \"%.40s\"", val);
	} else if (!strcmp(key, "renew_tries")) {
		if (!parse_uint(val, 100, &cfg->renew_tries))
			issue(on_issue, userdata, lineno,
			      "renew_tries: expected a count 0..100, got \"%.40s\"", val);
	} else if (!strcmp(key, "discover_timeout")) {
		if (!parse_uint(val, 86400, &cfg->discover_timeout))
			issue(on_issue, userdata, lineno,
			      "discover_timeout: expected seconds 0..86400, got \"%.40s\"", val);
	} else if (!strcmp(key, "discover_prefixes")) {
		parse_prefixes(val, cfg, on_issue, userdata, lineno);
	} else if (!strcmp(key, "renew_command")) {
		free(cfg->renew_command);
		cfg->renew_command = *val ? strdup(val) : NULL;
		if (*val && !cfg->renew_command)
			r = -ENOMEM;
	} else if (!strcmp(key, "addresses")) {
		if (!strcmp(val, "first"))
			cfg->first_only = true;
		else if (!strcmp(val, "all"))
			cfg->first_only = false;
		else
			issue(on_issue, userdata, lineno,
			      "addresses: expected all or first, got \"%.40s\"", val);
	} else if (!strcmp(key, "resolved") || !strcmp(key, "fail_hard") || !strcmp(key, "debug")) {
		bool *dst = !strcmp(key, "resolved")	? &cfg->resolved
			    : !strcmp(key, "fail_hard") ? &cfg->fail_hard
							: &cfg->debug;
		if (!parse_bool(val, dst))
			issue(on_issue, userdata, lineno, "%s: expected yes or no, got \"%.40s\"",
			      key, val);
	} else if ((r = parse_dns_key(cfg, key, val, on_issue, userdata, lineno)) != 0) {
		r = r > 0 ? 0 : r;
	} else {
		issue(on_issue, userdata, lineno, "unknown key \"%.60s\"", key);
	}
	return r;
}

int lc_config_parse(const char *buf, size_t len, struct lc_config *ret_config,
		    lc_config_issue_fn on_issue, void *userdata)
{
	struct lc_config cfg;
	const char *p = buf, *end = buf + len;
	unsigned lineno = 0;
	int r = 0;

	lc_config_defaults(&cfg);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		char line[4096], *key, *val, *eq;
		size_t n;

		if (!eol)
			eol = end;
		n = (size_t)(eol - p);
		lineno++;
		if (n >= sizeof(line)) {
			issue(on_issue, userdata, lineno, "line too long (over %zu bytes), ignored",
			      sizeof(line) - 1);
			p = eol + 1;
			continue;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		p = eol + 1;
		if (memchr(line, '\0', n)) {
			issue(on_issue, userdata, lineno, "NUL byte in line, ignored");
			continue;
		}
		char *hash = comment_start(line);
		if (hash)
			*hash = '\0';
		key = line;
		while (*key == ' ' || *key == '\t' || *key == '\r')
			key++;
		if (!*key)
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			issue(on_issue, userdata, lineno, "expected 'key = value': \"%.60s\"", key);
			continue;
		}
		*eq = '\0';
		val = eq + 1;
		for (char *t = eq - 1; t >= key && (*t == ' ' || *t == '\t'); t--)
			*t = '\0';
		while (*val == ' ' || *val == '\t')
			val++;
		for (size_t l = strlen(val);
		     l && (val[l - 1] == ' ' || val[l - 1] == '\t' || val[l - 1] == '\r');)
			val[--l] = '\0';

		r = config_key(&cfg, key, val, on_issue, userdata, lineno);
		if (r < 0) {
			lc_config_free(&cfg);
			return r;
		}
	}
	*ret_config = cfg;
	return 0;
}

int lc_config_load(const char *path, struct lc_config *ret_config, lc_config_issue_fn on_issue,
		   void *userdata)
{
	char *buf;
	size_t len;
	int r;

	r = lc_read_file(path, 1u << 20, &buf, &len, NULL);
	if (r == -ENOENT) {
		lc_config_defaults(ret_config);
		return 0;
	}
	if (r < 0)
		return r;
	r = lc_config_parse(buf, len, ret_config, on_issue, userdata);
	free(buf);
	return r;
}
