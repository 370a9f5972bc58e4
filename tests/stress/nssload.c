/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/stress/nssload.h"

#define SYM(field, name)                                                                           \
	do {                                                                                       \
		*(void **)&m->field = dlsym(m->handle, "_nss_libvirt_cluster_" name);              \
		if (!m->field) {                                                                   \
			fprintf(stderr, "%s: no _nss_libvirt_cluster_%s\n", path, name);           \
			dlclose(m->handle);                                                        \
			return -1;                                                                 \
		}                                                                                  \
	} while (0)

int nss_module_load(struct nss_module *m, const char *path)
{
	char buf[4096];

	if (!path) {
		const char *dir = getenv("LC_NSS_DIR");
		if (!dir) {
			fprintf(stderr, "LC_NSS_DIR is not set (run from make check)\n");
			return -1;
		}
		snprintf(buf, sizeof(buf), "%s/libnss_libvirt_cluster.so.2", dir);
		path = buf;
	}
	memset(m, 0, sizeof(*m));
	m->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!m->handle) {
		fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
		return -1;
	}
	SYM(byname4, "gethostbyname4_r");
	SYM(byname3, "gethostbyname3_r");
	SYM(byname2, "gethostbyname2_r");
	SYM(byname, "gethostbyname_r");
	SYM(byaddr2, "gethostbyaddr2_r");
	SYM(byaddr, "gethostbyaddr_r");
	return 0;
}

void nss_module_unload(struct nss_module *m)
{
	if (m->handle)
		dlclose(m->handle);
	m->handle = NULL;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int nss_tuples_format(const struct gaih_addrtuple *t, char *out, size_t size)
{
	char lines[64][INET6_ADDRSTRLEN];
	char *ptrs[64];
	int n = 0;
	size_t len = 0;

	for (; t && n < 64; t = t->next, n++) {
		if (!inet_ntop(t->family, t->addr, lines[n], sizeof(lines[n])))
			strcpy(lines[n], "?");
		ptrs[n] = lines[n];
	}
	qsort(ptrs, (size_t)n, sizeof(*ptrs), cmp_line);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		int k = snprintf(out + len, size - len, "%s%s", i ? " " : "", ptrs[i]);
		if (k < 0 || (size_t)k >= size - len)
			break;
		len += (size_t)k;
	}
	return n;
}

const char *nss_status_name(enum nss_status s)
{
	switch (s) {
	case NSS_STATUS_SUCCESS:
		return "SUCCESS";
	case NSS_STATUS_NOTFOUND:
		return "NOTFOUND";
	case NSS_STATUS_UNAVAIL:
		return "UNAVAIL";
	case NSS_STATUS_TRYAGAIN:
		return "TRYAGAIN";
	default:
		return "RETURN";
	}
}
