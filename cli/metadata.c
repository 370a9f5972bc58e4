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

#ifdef WITH_LIBVIRT
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#define CLI_XMLNS "urn:libvirt-cluster:metadata:1"

static virConnectPtr conns[2]; /* lxc, qemu: opened on first use */
static bool tried[2];

static void quiet(void *ud, virErrorPtr e)
{
	(void)ud;
	(void)e;
}

static virConnectPtr conn_for(const char *driver)
{
	int i = strcmp(driver, "qemu") == 0 ? 1 : 0;
	if (!tried[i]) {
		tried[i] = true;
		virSetErrorFunc(NULL, quiet);
		/* Read-only is enough for metadata and works for more users. */
		conns[i] = virConnectOpenReadOnly(i ? "qemu:///system" : "lxc:///system");
	}
	return conns[i];
}

static void copy_attr(xmlNodePtr n, const char *attr, char *buf, size_t size)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST attr);
	if (v)
		snprintf(buf, size, "%s", (const char *)v);
	xmlFree(v);
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
	char *xml = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, CLI_XMLNS,
					 VIR_DOMAIN_AFFECT_CURRENT);
	virDomainFree(dom);
	if (!xml)
		return 0; /* no element of ours */
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "metadata.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	free(xml);
	if (!doc)
		return -EBADMSG;
	xmlNodePtr root = xmlDocGetRootElement(doc);
	cluster[0] = group[0] = '\0';
	if (root) {
		copy_attr(root, "name", cluster, csize);
		copy_attr(root, "group", group, gsize);
	}
	xmlFreeDoc(doc);
	return root ? 1 : 0;
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
