/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libnss_libvirt_cluster.so.2: glibc NSS hosts entry points, nothing else.
 * The resolver core answers; this file maps its answers to NSS statuses in
 * one place and packs them into the caller's buffer.
 *
 * Only gethostbyname4_r, gethostbyname3_r and gethostbyaddr2_r do work; the
 * other three are thin wrappers, as glibc's own modules do.
 */
#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <pthread.h>
#include <stdalign.h>
#include <string.h>
#include <sys/socket.h>

#include "resolver/resolver.h"

#define EXPORT __attribute__((visibility("default")))

/* One macro declares the whole hosts family for a module name. */
#define NSS_HOSTS_PROTOTYPES(module)                                                               \
	enum nss_status _nss_##module##_gethostbyname4_r(                                          \
	    const char *name, struct gaih_addrtuple **pat, char *buffer, size_t buflen,            \
	    int *errnop, int *h_errnop, int32_t *ttlp);                                            \
	enum nss_status _nss_##module##_gethostbyname3_r(                                          \
	    const char *name, int af, struct hostent *host, char *buffer, size_t buflen,           \
	    int *errnop, int *h_errnop, int32_t *ttlp, char **canonp);                             \
	enum nss_status _nss_##module##_gethostbyname2_r(                                          \
	    const char *name, int af, struct hostent *host, char *buffer, size_t buflen,           \
	    int *errnop, int *h_errnop);                                                           \
	enum nss_status _nss_##module##_gethostbyname_r(const char *name, struct hostent *host,    \
							char *buffer, size_t buflen, int *errnop,  \
							int *h_errnop);                            \
	enum nss_status _nss_##module##_gethostbyaddr2_r(                                          \
	    const void *addr, socklen_t len, int af, struct hostent *host, char *buffer,           \
	    size_t buflen, int *errnop, int *h_errnop, int32_t *ttlp);                             \
	enum nss_status _nss_##module##_gethostbyaddr_r(const void *addr, socklen_t len, int af,   \
							struct hostent *host, char *buffer,        \
							size_t buflen, int *errnop, int *h_errnop)

NSS_HOSTS_PROTOTYPES(libvirt_cluster);

/* One cache per process, behind one lock: lookups are short and the
 * module must be thread-safe. */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lc_cache *cache;

static void atfork_prepare(void)
{
	pthread_mutex_lock(&cache_lock);
}

static void atfork_release(void)
{
	pthread_mutex_unlock(&cache_lock);
}

/* A child of a threaded parent must not inherit a held lock. */
__attribute__((constructor)) static void module_init(void)
{
	pthread_atfork(atfork_prepare, atfork_release, atfork_release);
}

/* Let valgrind and LeakSanitizer see a clean exit; dlclose frees too. */
__attribute__((destructor)) static void module_fini(void)
{
	pthread_mutex_lock(&cache_lock);
	lc_cache_free(cache);
	cache = NULL;
	pthread_mutex_unlock(&cache_lock);
}

/* ---- the caller's buffer: a bump allocator; running out is ERANGE ----- */

struct buf {
	char *p;
	size_t left;
};

static void *buf_alloc(struct buf *b, size_t size, size_t align)
{
	uintptr_t at = (uintptr_t)b->p, pad = (align - at % align) % align;
	if (pad > b->left || size > b->left - pad)
		return NULL;
	b->p += pad + size;
	b->left -= pad + size;
	return (void *)(at + pad);
}

static char *buf_strdup(struct buf *b, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = buf_alloc(b, n, 1);
	if (d)
		memcpy(d, s, n);
	return d;
}

/* ---- status mapping ---------------------------------------------------- */

static enum nss_status status_of(enum lc_lookup r, int *errnop, int *h_errnop)
{
	switch (r) {
	case LC_FOUND:
		return NSS_STATUS_SUCCESS;
	case LC_NODATA:
		*errnop = ENOENT;
		*h_errnop = NO_DATA;
		return NSS_STATUS_NOTFOUND;
	case LC_UNAVAIL:
		*errnop = ENOENT;
		*h_errnop = NO_RECOVERY;
		return NSS_STATUS_UNAVAIL;
	case LC_NOTFOUND:
	default:
		*errnop = ENOENT;
		*h_errnop = HOST_NOT_FOUND;
		return NSS_STATUS_NOTFOUND;
	}
}

static enum nss_status erange(int *errnop, int *h_errnop)
{
	*errnop = ERANGE;
	*h_errnop = NETDB_INTERNAL;
	return NSS_STATUS_TRYAGAIN;
}

static enum nss_status internal_error(int r, int *errnop, int *h_errnop)
{
	*errnop = -r;
	*h_errnop = NO_RECOVERY;
	return NSS_STATUS_UNAVAIL;
}

static enum nss_status no_family(int *errnop, int *h_errnop)
{
	*errnop = EAFNOSUPPORT;
	*h_errnop = NO_RECOVERY;
	return NSS_STATUS_UNAVAIL;
}

/* A success: errno as the caller had it, h_errno NETDB_SUCCESS, as
 * systemd's nss-resolve does, and the TTL nscd will cache it for. */
static enum nss_status success(int saved_errno, int *h_errnop, int32_t *ttlp, int32_t ttl)
{
	errno = saved_errno;
	*h_errnop = NETDB_SUCCESS;
	if (ttlp)
		*ttlp = ttl;
	return NSS_STATUS_SUCCESS;
}

/* Take the lock and the current db as of now_ns (the clock is read once
 * per lookup: the TTL uses the same instant).  On failure the lock is
 * released. */
/* q: the query, normalized (lc_name_normalize) once by the entry point
 * for the cache and the lookup both; NULL for none. */
static int db_acquire(const char *q, int64_t now_ns, const struct lc_db **ret_db)
{
	struct lc_paths paths;
	int r;

	lc_paths_default(&paths);
	pthread_mutex_lock(&cache_lock);
	if (!cache && !(cache = lc_cache_new())) {
		pthread_mutex_unlock(&cache_lock);
		return -ENOMEM;
	}
	r = lc_cache_get_normalized(cache, &paths, now_ns, q, ret_db);
	if (r < 0)
		pthread_mutex_unlock(&cache_lock);
	return r;
}

static void db_release(void)
{
	pthread_mutex_unlock(&cache_lock);
}

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* With `addresses = first`, only the top-ranked address of each family:
 * getaddrinfo re-sorts several IPv4 answers by RFC 3484 rule 9 (prefix
 * match with the host's own address), which can undo our ranking. */
static bool keep_addr(const struct lc_match *m, size_t i, bool first_only, bool *seen4, bool *seen6)
{
	if (!lc_match_addr(m, i))
		return false;
	if (!first_only)
		return true;
	bool *seen = m->host->addrs[i].addr.family == AF_INET ? seen4 : seen6;
	if (*seen)
		return false;
	*seen = true;
	return true;
}

/* Fill a hostent: h_name, aliases, and the matched addresses (or only one). */
static enum nss_status fill_hostent(const struct lc_host *h, int family, bool first_only,
				    const struct lc_match *m, const struct lc_addr *only,
				    struct hostent *result, char *buffer, size_t buflen,
				    int *errnop, int *h_errnop)
{
	struct buf b = {buffer, buflen};
	size_t n = 0, k = 0;
	char *name, **aliases, **list;

	name = buf_strdup(&b, h->name);
	if (!name)
		return erange(errnop, h_errnop);
	aliases = buf_alloc(&b, (h->n_aliases + 1) * sizeof(char *), alignof(char *));
	if (!aliases)
		return erange(errnop, h_errnop);
	for (size_t i = 0; i < h->n_aliases; i++)
		if (!(aliases[i] = buf_strdup(&b, h->aliases[i])))
			return erange(errnop, h_errnop);
	aliases[h->n_aliases] = NULL;

	bool s4 = false, s6 = false;
	if (only)
		n = 1;
	else
		for (size_t i = 0; i < h->n_addrs; i++)
			n += keep_addr(m, i, first_only, &s4, &s6);
	s4 = s6 = false;
	list = buf_alloc(&b, (n + 1) * sizeof(char *), alignof(char *));
	if (!list)
		return erange(errnop, h_errnop);
	for (size_t i = 0; i < h->n_addrs && k < n; i++) {
		const struct lc_addr *a = &h->addrs[i].addr;
		if (only ? (a->family != only->family ||
			    memcmp(a->bytes, only->bytes, addr_len(a->family)) != 0)
			 : !keep_addr(m, i, first_only, &s4, &s6))
			continue;
		if (!(list[k] = buf_alloc(&b, addr_len(family), alignof(uint32_t))))
			return erange(errnop, h_errnop);
		memcpy(list[k], a->bytes, addr_len(family));
		k++;
	}
	list[k] = NULL;

	result->h_name = name;
	result->h_aliases = aliases;
	result->h_addrtype = family;
	result->h_length = (int)addr_len(family);
	result->h_addr_list = list;
	return NSS_STATUS_SUCCESS;
}

/* Every entry point has one shape: checks that need no lock fail straight
 * to `out`; once the db is held, every way out passes `unlock`. */
EXPORT enum nss_status
_nss_libvirt_cluster_gethostbyname4_r(const char *name, struct gaih_addrtuple **pat, char *buffer,
				      size_t buflen, int *errnop, int *h_errnop, int32_t *ttlp)
{
	int saved_errno = errno;
	int64_t now = lc_now_ns();
	struct buf b = {buffer, buflen};
	struct gaih_addrtuple *first = NULL, *prev = NULL;
	const struct lc_db *db;
	struct lc_match m;
	enum nss_status st;
	enum lc_lookup lr;
	bool first_only, s4 = false, s6 = false;
	char *hname, q[LC_NAME_MAX + 1];
	int r;

	/* a name no lookup can match (lc_db_lookup_name's first check) */
	if (lc_name_normalize(name, q, sizeof(q)) < 0) {
		st = status_of(LC_NOTFOUND, errnop, h_errnop);
		goto out;
	}
	r = db_acquire(q, now, &db);
	if (r < 0) {
		st = internal_error(r, errnop, h_errnop);
		goto out;
	}
	lr = lc_db_lookup_normalized(db, q, strlen(q), AF_UNSPEC, &m);
	if (lr != LC_FOUND) {
		st = status_of(lr, errnop, h_errnop);
		goto unlock;
	}
	hname = buf_strdup(&b, m.host->name);
	if (!hname) {
		st = erange(errnop, h_errnop);
		goto unlock;
	}
	first_only = lc_db_config(db)->first_only;
	for (size_t i = 0; i < m.host->n_addrs; i++) {
		if (!keep_addr(&m, i, first_only, &s4, &s6))
			continue;
		struct gaih_addrtuple *t =
		    buf_alloc(&b, sizeof(*t), alignof(struct gaih_addrtuple));
		if (!t) {
			st = erange(errnop, h_errnop);
			goto unlock;
		}
		memset(t, 0, sizeof(*t));
		t->name = first ? NULL : hname;
		t->family = m.host->addrs[i].addr.family;
		memcpy(t->addr, m.host->addrs[i].addr.bytes, addr_len(t->family));
		if (prev)
			prev->next = t;
		else
			first = t;
		prev = t;
	}
	/* nscd hands in a tuple of its own: fill it, chain the rest */
	if (*pat)
		**pat = *first;
	else
		*pat = first;
	st = success(saved_errno, h_errnop, ttlp, lc_match_ttl(&m, now / 1000000000));
unlock:
	db_release();
out:
	return st;
}

EXPORT enum nss_status _nss_libvirt_cluster_gethostbyname3_r(const char *name, int af,
							     struct hostent *result, char *buffer,
							     size_t buflen, int *errnop,
							     int *h_errnop, int32_t *ttlp,
							     char **canonp)
{
	int saved_errno = errno;
	int64_t now = lc_now_ns();
	const struct lc_db *db;
	struct lc_match m;
	enum nss_status st;
	enum lc_lookup lr;
	char q[LC_NAME_MAX + 1];
	int r;

	if (af == AF_UNSPEC)
		af = AF_INET;
	if (af != AF_INET && af != AF_INET6) {
		st = no_family(errnop, h_errnop);
		goto out;
	}
	if (lc_name_normalize(name, q, sizeof(q)) < 0) {
		st = status_of(LC_NOTFOUND, errnop, h_errnop);
		goto out;
	}
	r = db_acquire(q, now, &db);
	if (r < 0) {
		st = internal_error(r, errnop, h_errnop);
		goto out;
	}
	lr = lc_db_lookup_normalized(db, q, strlen(q), af, &m);
	if (lr != LC_FOUND) {
		st = status_of(lr, errnop, h_errnop);
		goto unlock;
	}
	st = fill_hostent(m.host, af, lc_db_config(db)->first_only, &m, NULL, result, buffer,
			  buflen, errnop, h_errnop);
	if (st != NSS_STATUS_SUCCESS)
		goto unlock;
	if (canonp)
		*canonp = result->h_name;
	st = success(saved_errno, h_errnop, ttlp, lc_match_ttl(&m, now / 1000000000));
unlock:
	db_release();
out:
	return st;
}

EXPORT enum nss_status _nss_libvirt_cluster_gethostbyname2_r(const char *name, int af,
							     struct hostent *result, char *buffer,
							     size_t buflen, int *errnop,
							     int *h_errnop)
{
	return _nss_libvirt_cluster_gethostbyname3_r(name, af, result, buffer, buflen, errnop,
						     h_errnop, NULL, NULL);
}

EXPORT enum nss_status _nss_libvirt_cluster_gethostbyname_r(const char *name,
							    struct hostent *result, char *buffer,
							    size_t buflen, int *errnop,
							    int *h_errnop)
{
	return _nss_libvirt_cluster_gethostbyname3_r(name, AF_INET, result, buffer, buflen, errnop,
						     h_errnop, NULL, NULL);
}

EXPORT enum nss_status _nss_libvirt_cluster_gethostbyaddr2_r(const void *addr, socklen_t len,
							     int af, struct hostent *result,
							     char *buffer, size_t buflen,
							     int *errnop, int *h_errnop,
							     int32_t *ttlp)
{
	int saved_errno = errno;
	int64_t now = lc_now_ns();
	const struct lc_db *db;
	const struct lc_host *h;
	struct lc_addr a = {.family = af};
	enum nss_status st;
	enum lc_lookup lr;
	int r;

	if ((af != AF_INET && af != AF_INET6) || !addr || (size_t)len != addr_len(af)) {
		st = no_family(errnop, h_errnop);
		goto out;
	}
	memcpy(a.bytes, addr, len);
	r = db_acquire(NULL, now, &db);
	if (r < 0) {
		st = internal_error(r, errnop, h_errnop);
		goto out;
	}
	lr = lc_db_lookup_addr(db, &a, &h);
	if (lr != LC_FOUND) {
		st = status_of(lr, errnop, h_errnop);
		goto unlock;
	}
	st = fill_hostent(h, af, false, NULL, &a, result, buffer, buflen, errnop, h_errnop);
	if (st != NSS_STATUS_SUCCESS)
		goto unlock;
	st = success(saved_errno, h_errnop, ttlp, lc_addr_ttl(h, &a, now / 1000000000));
unlock:
	db_release();
out:
	return st;
}

EXPORT enum nss_status _nss_libvirt_cluster_gethostbyaddr_r(const void *addr, socklen_t len, int af,
							    struct hostent *result, char *buffer,
							    size_t buflen, int *errnop,
							    int *h_errnop)
{
	return _nss_libvirt_cluster_gethostbyaddr2_r(addr, len, af, result, buffer, buflen, errnop,
						     h_errnop, NULL);
}
