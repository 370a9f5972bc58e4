/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The TSIG key file (`tsig-keygen` output) and the cluster-DNS settings. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/ddns.h"
#include "resolver/util.h"

static int fail(char *err, size_t errlen, int r, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int r, const char *fmt, ...)
{
	va_list ap;
	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return r;
}

/* A named.conf-style tokenizer: words, "quoted strings", and the single
 * characters { } ;, with #, // and C comments skipped. */
struct lexer {
	const char *p, *end;
	char tok[512];
	bool quoted;
};

static void skip_space(struct lexer *lx)
{
	while (lx->p < lx->end) {
		if (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\n' || *lx->p == '\r') {
			lx->p++;
		} else if (*lx->p == '#' ||
			   (*lx->p == '/' && lx->p + 1 < lx->end && lx->p[1] == '/')) {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
		} else if (*lx->p == '/' && lx->p + 1 < lx->end && lx->p[1] == '*') {
			const char *e = lx->p + 2;
			while (e + 1 < lx->end && !(e[0] == '*' && e[1] == '/'))
				e++;
			lx->p = e + 1 < lx->end ? e + 2 : lx->end;
		} else {
			return;
		}
	}
}

/* The next token in lx->tok: 1, 0 at the end, -EINVAL when too long or
 * unterminated. */
static int next(struct lexer *lx)
{
	size_t n = 0;

	skip_space(lx);
	lx->quoted = false;
	if (lx->p >= lx->end)
		return 0;
	if (*lx->p == '{' || *lx->p == '}' || *lx->p == ';') {
		lx->tok[0] = *lx->p++;
		lx->tok[1] = '\0';
		return 1;
	}
	if (*lx->p == '"') {
		lx->quoted = true;
		for (lx->p++; lx->p < lx->end && *lx->p != '"'; lx->p++) {
			if (n + 1 >= sizeof(lx->tok) || *lx->p == '\n' || *lx->p == '\0')
				return -EINVAL;
			lx->tok[n++] = *lx->p;
		}
		if (lx->p >= lx->end)
			return -EINVAL;
		lx->p++;
	} else {
		while (lx->p < lx->end && !strchr(" \t\r\n{};\"#", *lx->p)) {
			if (n + 1 >= sizeof(lx->tok) || *lx->p == '\0')
				return -EINVAL;
			lx->tok[n++] = *lx->p++;
		}
	}
	lx->tok[n] = '\0';
	return 1;
}

static bool expect(struct lexer *lx, const char *what)
{
	return next(lx) == 1 && !lx->quoted && !strcmp(lx->tok, what);
}

/* The algorithms ldns 1.8 signs with, under the names it expects.  It
 * misspells hmac-sha384, and has no hmac-sha224. */
static const char *ldns_algorithm(const char *alg)
{
	static const char *const names[][2] = {
	    {"hmac-sha256", "hmac-sha256."},
	    {"hmac-sha512", "hmac-sha512."},
	    {"hmac-sha1", "hmac-sha1."},
	    {"hmac-md5", "hmac-md5.sig-alg.reg.int."},
	    {"hmac-md5.sig-alg.reg.int", "hmac-md5.sig-alg.reg.int."},
	};
	size_t n = strlen(alg);
	if (n && alg[n - 1] == '.')
		n--;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i][0]) == n && !strncasecmp(alg, names[i][0], n))
			return names[i][1];
	return NULL;
}

static bool base64_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || n % 4)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '/' ||
		      (s[i] == '=' && i >= n - 2)))
			return false;
	return true;
}

/* The statements inside key { ... }; into k. */
static int parse_body(struct lexer *lx, struct ddns_key *k, char *err, size_t errlen)
{
	char alg[64] = "";
	int r;

	while ((r = next(lx)) == 1 && !(lx->tok[0] == '}' && !lx->quoted)) {
		char stmt[32];
		snprintf(stmt, sizeof(stmt), "%s", lx->tok);
		if (next(lx) != 1)
			return fail(err, errlen, -EINVAL,
				    "a quoted string or the key's { ... } is not closed");
		if (!strcmp(stmt, "algorithm"))
			snprintf(alg, sizeof(alg), "%s", lx->tok);
		else if (!strcmp(stmt, "secret"))
			snprintf(k->secret, sizeof(k->secret), "%s", lx->tok);
		if (!expect(lx, ";"))
			return fail(err, errlen, -EINVAL, "expected ';' after %s", stmt);
	}
	if (r != 1)
		return fail(err, errlen, -EINVAL, "the key's { ... } is not closed");
	if (!alg[0] || !k->secret[0])
		return fail(err, errlen, -EINVAL, "the key needs an algorithm and a secret");
	const char *a = ldns_algorithm(alg);
	if (!a)
		return fail(err, errlen, -EINVAL,
			    "algorithm %s is not one this build can sign with; make the key with "
			    "tsig-keygen -a hmac-sha256",
			    alg);
	snprintf(k->algorithm, sizeof(k->algorithm), "%s", a);
	if (!base64_ok(k->secret))
		return fail(err, errlen, -EINVAL, "the secret is not base64");
	return 0;
}

int ddns_key_parse(const char *buf, size_t len, struct ddns_key *ret, char *err, size_t errlen)
{
	struct lexer lx = {.p = buf, .end = buf + len};
	struct ddns_key k = {0};
	int r;

	if (!expect(&lx, "key"))
		return fail(err, errlen, -EINVAL,
			    "expected tsig-keygen output: key \"NAME\" { ... };");
	if (next(&lx) != 1 || !lx.tok[0] || lx.tok[0] == '{')
		return fail(err, errlen, -EINVAL, "expected the key's name after 'key'");
	size_t n = strlen(lx.tok);
	if (lx.tok[n - 1] == '.')
		lx.tok[--n] = '\0';
	if (!n || n > LC_NAME_MAX - 1)
		return fail(err, errlen, -EINVAL, "the key's name is empty or too long");
	memcpy(k.name, lx.tok, n + 1);
	if (!expect(&lx, "{"))
		return fail(err, errlen, -EINVAL, "expected '{' after the key's name");
	r = parse_body(&lx, &k, err, errlen);
	if (r < 0)
		return r;
	if (!expect(&lx, ";"))
		return fail(err, errlen, -EINVAL, "expected ';' after the key's '}'");
	*ret = k;
	return 0;
}

int ddns_key_load(const char *path, struct ddns_key *ret, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t len;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return fail(err, errlen, -errno, "dns_key_file %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		r = fail(err, errlen, -errno, "dns_key_file %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = fail(err, errlen, -EINVAL, "dns_key_file %s is not a regular file", path);
		goto out;
	}
	/* The secret lets anyone who reads it rewrite the zone: only root
	 * may read the file (a test running as another user owns its own). */
	if ((st.st_mode & 077) || (st.st_uid != 0 && st.st_uid != geteuid())) {
		r = fail(
		    err, errlen, -EPERM,
		    "dns_key_file %s is mode %04o owned by uid %u: others than root could read "
		    "the TSIG secret; refused (chown root:root %s && chmod 600 %s)",
		    path, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, path, path);
		goto out;
	}
	r = lc_read_fd(fd, 64u << 10, &buf, &len, NULL);
	if (r < 0) {
		fail(err, errlen, r, "dns_key_file %s: %s", path, strerror(-r));
		goto out;
	}
	char why[256];
	r = ddns_key_parse(buf, len, ret, why, sizeof(why));
	if (r < 0)
		fail(err, errlen, r, "dns_key_file %s: %s", path, why);
out:
	free(buf);
	close(fd);
	return r;
}

int ddns_server_parse(const char *s, struct sockaddr_storage *ret, socklen_t *ret_len)
{
	const char *hash = strchr(s, '#');
	size_t n = hash ? (size_t)(hash - s) : strlen(s);
	struct sockaddr_storage ss = {0};
	struct lc_addr a;
	unsigned long port = 53;
	char *e;

	if (lc_addr_parse(s, n, &a) < 0)
		return -EINVAL;
	if (hash) {
		errno = 0;
		port = strtoul(hash + 1, &e, 10);
		if (errno || *e || e == hash + 1 || port == 0 || port > 65535)
			return -EINVAL;
	}
	if (a.family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		memcpy(&sin->sin_addr, a.bytes, 4);
		*ret_len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		memcpy(&sin6->sin6_addr, a.bytes, 16);
		*ret_len = sizeof(*sin6);
	}
	*ret = ss;
	return 0;
}

/* The first line of machine-id: 32 hex digits. */
static int machine_host_id(const char *path, char *buf, size_t size)
{
	char *text;
	size_t len, n;
	int r = lc_read_file(path, 4096, &text, &len, NULL);
	if (r < 0)
		return r;
	n = strcspn(text, "\n");
	if (n == 0 || n >= size) {
		free(text);
		return -EINVAL;
	}
	memcpy(buf, text, n);
	buf[n] = '\0';
	free(text);
	return 0;
}

int ddns_config_from(const struct lc_config *cfg, const char *machine_id, struct ddns_config *ret,
		     char *err, size_t errlen)
{
	struct ddns_config *c;
	int r;

	if (!cfg->dns_server)
		return -ENODATA;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	snprintf(c->server_text, sizeof(c->server_text), "%s", cfg->dns_server);
	r = ddns_server_parse(cfg->dns_server, &c->server, &c->server_len);
	if (r < 0) {
		fail(err, errlen, r, "dns_server %s: expected ADDRESS or ADDRESS#PORT",
		     cfg->dns_server);
		goto out;
	}
	if (!cfg->dns_zone) {
		r = fail(err, errlen, -EINVAL, "dns_server is set but dns_zone is not");
		goto out;
	}
	snprintf(c->zone, sizeof(c->zone), "%s", cfg->dns_zone);
	for (size_t i = 0; i < cfg->n_dns_reverse_zones && i < LC_CONF_MAX_LIST; i++)
		snprintf(c->rev_zones[c->n_rev_zones++], sizeof(c->rev_zones[0]), "%s",
			 cfg->dns_reverse_zones[i]);
	if (!cfg->dns_key_file) {
		r = fail(err, errlen, -EINVAL,
			 "dns_server is set but dns_key_file is not: updates must be signed "
			 "(tsig-keygen -a hmac-sha256 NAME > /etc/libvirt-cluster/dns.key)");
		goto out;
	}
	snprintf(c->key_file, sizeof(c->key_file), "%s", cfg->dns_key_file);
	r = ddns_key_load(cfg->dns_key_file, &c->key, err, errlen);
	if (r < 0)
		goto out;
	if (cfg->dns_host_id) {
		snprintf(c->host_id, sizeof(c->host_id), "%s", cfg->dns_host_id);
	} else if ((r = machine_host_id(machine_id, c->host_id, sizeof(c->host_id))) < 0) {
		fail(err, errlen, r, "dns_host_id is not set and %s gives none: %s", machine_id,
		     strerror(-r));
		goto out;
	}
	c->ttl = (uint32_t)cfg->dns_ttl;
	c->all_addresses = cfg->dns_all_addresses;
	c->timeout_ms = DDNS_TIMEOUT_MS;
	c->tries = DDNS_TRIES;
	*ret = *c;
	r = 0;
out:
	free(c);
	return r;
}
