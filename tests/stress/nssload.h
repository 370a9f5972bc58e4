/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The module as glibc sees it: dlopen the built .so and take its six entry
 * points.  Shared by the stress, hostile-input and setuid test programs. */
#pragma once

#include <netdb.h>
#include <nss.h>
#include <stdint.h>
#include <sys/socket.h>

struct nss_module {
	void *handle;
	enum nss_status (*byname4)(const char *, struct gaih_addrtuple **, char *, size_t, int *,
				   int *, int32_t *);
	enum nss_status (*byname3)(const char *, int, struct hostent *, char *, size_t, int *,
				   int *, int32_t *, char **);
	enum nss_status (*byname2)(const char *, int, struct hostent *, char *, size_t, int *,
				   int *);
	enum nss_status (*byname)(const char *, struct hostent *, char *, size_t, int *, int *);
	enum nss_status (*byaddr2)(const void *, socklen_t, int, struct hostent *, char *, size_t,
				   int *, int *, int32_t *);
	enum nss_status (*byaddr)(const void *, socklen_t, int, struct hostent *, char *, size_t,
				  int *, int *);
};

/* Load PATH, or LC_NSS_DIR/libnss_libvirt_cluster.so.2 when path is NULL.
 * Prints why and returns -1 on failure. */
int nss_module_load(struct nss_module *m, const char *path);
void nss_module_unload(struct nss_module *m);

/* The addresses of a gethostbyname4_r answer, formatted and sorted, one per
 * line, into out (for comparisons).  Returns the count. */
int nss_tuples_format(const struct gaih_addrtuple *t, char *out, size_t size);
const char *nss_status_name(enum nss_status s);
