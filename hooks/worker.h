/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parts of the hook that talk to libvirt: only ever run in the
 * detached worker or in --sync, never in the hook process itself. */
#pragma once

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "hooks/hook.h"

/* Open the driver's URI (hook_uri), with libvirt's stderr printing off. */
virConnectPtr hook_connect(enum hook_driver d);
void hook_virt_silent(void *userdata, virErrorPtr err);
const char *hook_virt_error(void);

/* Run the DHCP client for NIC i inside the guest.  what gets a short
 * account for the log.  -ESRCH: guest not running; -EOPNOTSUPP: no way in
 * (no guest agent). */
int hook_renew_lxc(virConnectPtr conn, const struct hook_work *w, size_t i, char *what,
		   size_t size);
int hook_renew_qemu(virConnectPtr conn, const struct hook_work *w, size_t i, char *what,
		    size_t size);

/* Make each network's dnsmasq answer the guest's name with its ranked
 * address on that network, unless its DHCP hostname already does.  leases
 * in rank order.  msg gets a short account for the log. */
int hook_dns_register(virConnectPtr conn, const struct lc_guest_record *rec,
		      const struct hook_lease *leases, size_t n_leases, unsigned *ret_added,
		      unsigned *ret_kept, char *msg, size_t size);
/* Remove the entries hook_dns_register added for rec->name. */
int hook_dns_unregister(virConnectPtr conn, const struct lc_guest_record *rec,
			unsigned *ret_removed, char *msg, size_t size);
/* Same, for one network by name (--sync uses it). */
int hook_dns_unregister_net(virConnectPtr conn, const char *network, const char *name,
			    unsigned *ret_removed, char *msg, size_t size);
