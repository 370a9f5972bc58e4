/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A guest's cluster and group as the admin wrote them in its domain XML:
 *   <metadata><lc:cluster xmlns:lc="urn:libvirt-cluster:metadata:1"
 *                         name="lab" group="WEB"/></metadata>
 * The hook records only valid values, so a guest whose record has no group
 * may still carry an invalid one here; inventory and doctor ask, so that an
 * invalid group is reported rather than silently dropped.
 */
#include "cli/cli.h"

#include <errno.h>
#include <string.h>

#ifdef BUILD_HOST
#include "host/host.h"

static virConnectPtr conns[2]; /* lxc, qemu: opened on first use */
static bool tried[2];

static virConnectPtr conn_for(const char *driver)
{
	int i = strcmp(driver, "qemu") == 0 ? 1 : 0;
	if (!tried[i]) {
		tried[i] = true;
		/* Read-only is enough for metadata and works for more users. */
		conns[i] = host_connect_uri(i ? "qemu:///system" : "lxc:///system", true);
	}
	return conns[i];
}

int cli_guest_metadata(const char *name, const char *driver, char *cluster, size_t csize,
		       char *group, size_t gsize)
{
	if (!driver || (strcmp(driver, "lxc") != 0 && strcmp(driver, "qemu") != 0))
		return -EOPNOTSUPP;
	virConnectPtr c = conn_for(driver);
	if (!c)
		return -ECONNREFUSED;
	virDomainPtr dom = virDomainLookupByName(c, name);
	if (!dom)
		return -ENOENT;
	cluster[0] = group[0] = '\0';
	int r = host_domain_metadata(dom, cluster, csize, group, gsize);
	virDomainFree(dom);
	return r;
}

void cli_metadata_close(void)
{
	for (int i = 0; i < 2; i++) {
		if (conns[i])
			virConnectClose(conns[i]);
		conns[i] = NULL;
		tried[i] = false;
	}
}

#else

int cli_guest_metadata(const char *name, const char *driver, char *cluster, size_t csize,
		       char *group, size_t gsize)
{
	(void)name;
	(void)driver;
	(void)cluster;
	(void)csize;
	(void)group;
	(void)gsize;
	return -EOPNOTSUPP;
}

void cli_metadata_close(void)
{
}

#endif
