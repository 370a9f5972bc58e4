/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * wait --ready=agent|boot|cloud-init: asked of the guest through the host
 * layer (its agent, or its namespaces).  Without libvirt support every
 * guest gets the same clear answer: this build cannot ask.
 */
#include "cli/cli.h"
#include "cli/wait.h"
#include "resolver/resolver.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifdef BUILD_HOST
#include "host/host.h"

/* One connection per driver for the whole wait. */
static virConnectPtr conns[2];

static virConnectPtr conn_for(const char *driver)
{
	int i = !strcmp(driver, "lxc");
	if (!conns[i])
		conns[i] = host_connect(driver);
	return conns[i];
}

void wait_guest_close(void)
{
	for (size_t i = 0; i < 2; i++)
		if (conns[i]) {
			virConnectClose(conns[i]);
			conns[i] = NULL;
		}
}

int wait_guest_ready(const struct lc_host *h, enum cli_ready_kind kind, int timeout_s, char *detail,
		     size_t size)
{
	const char *driver = h->driver;
	int r;

	if (!driver || (strcmp(driver, "qemu") && strcmp(driver, "lxc"))) {
		snprintf(
		    detail, size,
		    "its driver is unknown (no hook record): cannot ask it whether it is ready");
		return -EOPNOTSUPP;
	}
	if (kind == CLI_READY_AGENT && !strcmp(driver, "lxc")) {
		snprintf(detail, size, "an lxc guest has no guest agent");
		return -EOPNOTSUPP;
	}
	virConnectPtr conn = conn_for(driver);
	if (!conn) {
		snprintf(detail, size, "cannot connect to %s: %s", host_uri(driver),
			 host_virt_error());
		return -EAGAIN;
	}
	virDomainPtr dom = host_domain_running(conn, NULL, h->name);
	if (!dom) {
		snprintf(detail, size, "libvirt does not run it (yet)");
		return -EAGAIN;
	}
	if (kind == CLI_READY_AGENT)
		r = host_agent_ping(dom, detail, size);
	else if (kind == CLI_READY_BOOT)
		r = host_guest_boot_done(dom, driver, h->name, timeout_s, detail, size);
	else
		r = host_guest_cloud_init_done(dom, driver, h->name, timeout_s, detail, size);
	virDomainFree(dom);
	return r;
}
#else
void wait_guest_close(void)
{
}

int wait_guest_ready(const struct lc_host *h, enum cli_ready_kind kind, int timeout_s, char *detail,
		     size_t size)
{
	(void)h;
	(void)timeout_s;
	snprintf(detail, size,
		 "--ready=%s asks the guest through libvirt: this build has no host layer",
		 cli_ready_name(kind));
	return -EOPNOTSUPP;
}
#endif
