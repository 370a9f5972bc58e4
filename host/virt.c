/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The libvirt connection, for the hook's worker, --sync and the CLI: which
 * URI, libvirt's errors kept off stderr (the faces report them, to syslog
 * or as one clear line), and the guest's live XML and metadata.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host/host.h"

uint64_t host_now_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void virt_silent(void *userdata, virErrorPtr err)
{
	(void)userdata;
	(void)err;
}

void host_virt_quiet(void)
{
	/* libvirt prints its errors to stderr by default: in the hook that
	 * is libvirtd's log, in the CLI a second, rawer copy of our message. */
	virSetErrorFunc(NULL, virt_silent);
}

const char *host_virt_error(void)
{
	virErrorPtr e = virGetLastError();
	return e && e->message ? e->message : "unknown libvirt error";
}

const char *host_uri(const char *driver)
{
	const char *e = secure_getenv("LIBVIRT_CLUSTER_HOOK_URI");

	if (e && *e)
		return e;
	if (driver && strcmp(driver, "qemu") == 0)
		return "qemu:///system";
	if (driver && strcmp(driver, "lxc") == 0)
		return "lxc:///system";
	return "network:///system";
}

virConnectPtr host_connect_uri(const char *uri, bool read_only)
{
	host_virt_quiet();
	return read_only ? virConnectOpenReadOnly(uri) : virConnectOpen(uri);
}

virConnectPtr host_connect(const char *driver)
{
	bool network = !driver || (strcmp(driver, "qemu") != 0 && strcmp(driver, "lxc") != 0);
	virConnectPtr c = host_connect_uri(host_uri(driver), false);

	if (!c && network && !secure_getenv("LIBVIRT_CLUSTER_HOOK_URI")) {
		/* The monolithic libvirtd (Debian 12) has no network:///system
		 * socket of its own; its hypervisor URIs reach the network
		 * driver too. */
		c = virConnectOpen("qemu:///system");
		if (!c)
			c = virConnectOpen("lxc:///system");
	}
	return c;
}

virDomainPtr host_domain_running(virConnectPtr conn, const char *uuid, const char *name)
{
	virDomainPtr dom = uuid && *uuid ? virDomainLookupByUUIDString(conn, uuid)
					 : virDomainLookupByName(conn, name);
	if (dom && virDomainIsActive(dom) == 1)
		return dom;
	if (dom)
		virDomainFree(dom);
	return NULL;
}

int host_domain_read(virDomainPtr dom, struct host_domain *ret)
{
	char *xml = virDomainGetXMLDesc(dom, 0);
	int r;

	if (!xml)
		return -EIO;
	r = host_xml_domain(xml, strlen(xml), ret);
	free(xml);
	return r;
}

int host_domain_metadata(virDomainPtr dom, char *cluster, size_t csize, char *group, size_t gsize)
{
	char *xml = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, HOST_XMLNS,
					 VIR_DOMAIN_AFFECT_CURRENT);
	int r;

	if (!xml) {
		virErrorPtr e = virGetLastError();
		/* libvirt's answer for "no element of ours" */
		return e && e->code == VIR_ERR_NO_DOMAIN_METADATA ? 0 : -EIO;
	}
	r = host_xml_metadata(xml, strlen(xml), cluster, csize, group, gsize);
	free(xml);
	return r;
}
