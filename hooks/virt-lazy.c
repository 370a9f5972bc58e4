/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The libvirt calls of the hook program, loaded on first use (lazy.h).
 * Only the detached worker and --sync call libvirt, yet linking it made every hook
 * event pay for loading libvirt.so and the 50-odd libraries it needs (about
 * 13 ms of a 15 ms start on an idle machine, several times that with guests
 * starting in parallel on two cores: test-hook-load.sh).  The program is
 * linked without libvirt; each function here opens libvirt.so.0 (or
 * libvirt-qemu.so.0) the first time it is called and forwards to it.  A
 * libvirt that cannot be loaded fails the call as libvirt would: no
 * connection, no error.  The unit tests link libvirt itself and not this.
 */
#include <libvirt/libvirt-qemu.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "hooks/lazy.h"

LAZY_LIBRARY(virt_sym0, "libvirt.so.0")
LAZY_LIBRARY(virt_sym1, "libvirt-qemu.so.0")
#define VIRT_FORWARD(qemu, ret, name, fail, params, args)                                          \
	LAZY_FORWARD(virt_sym##qemu, ret, name, fail, params, args)

VIRT_FORWARD(0, virConnectPtr, virConnectOpen, NULL, (const char *name), (name))
VIRT_FORWARD(0, virConnectPtr, virConnectOpenReadOnly, NULL, (const char *name), (name))
VIRT_FORWARD(0, int, virConnectClose, -1, (virConnectPtr c), (c))
VIRT_FORWARD(0, const char *, virConnectGetType, NULL, (virConnectPtr c), (c))
VIRT_FORWARD(0, int, virConnectListAllDomains, -1,
	     (virConnectPtr c, virDomainPtr **doms, unsigned int flags), (c, doms, flags))
VIRT_FORWARD(0, int, virConnectListAllNetworks, -1,
	     (virConnectPtr c, virNetworkPtr **nets, unsigned int flags), (c, nets, flags))
VIRT_FORWARD(0, int, virDomainFree, -1, (virDomainPtr d), (d))
VIRT_FORWARD(0, char *, virDomainGetXMLDesc, NULL, (virDomainPtr d, unsigned int flags), (d, flags))
VIRT_FORWARD(0, virDomainPtr, virDomainLookupByName, NULL, (virConnectPtr c, const char *name),
	     (c, name))
VIRT_FORWARD(0, virDomainPtr, virDomainLookupByUUIDString, NULL,
	     (virConnectPtr c, const char *uuid), (c, uuid))
VIRT_FORWARD(0, int, virDomainIsActive, -1, (virDomainPtr d), (d))
VIRT_FORWARD(0, char *, virDomainGetMetadata, NULL,
	     (virDomainPtr d, int type, const char *uri, unsigned int flags), (d, type, uri, flags))
VIRT_FORWARD(0, int, virNetworkFree, -1, (virNetworkPtr n), (n))
VIRT_FORWARD(0, char *, virNetworkGetXMLDesc, NULL, (virNetworkPtr n, unsigned int flags),
	     (n, flags))
VIRT_FORWARD(0, virNetworkPtr, virNetworkLookupByName, NULL, (virConnectPtr c, const char *name),
	     (c, name))
VIRT_FORWARD(0, int, virNetworkIsActive, -1, (virNetworkPtr n), (n))
VIRT_FORWARD(0, int, virNetworkUpdate, -1,
	     (virNetworkPtr n, unsigned int command, unsigned int section, int parent,
	      const char *xml, unsigned int flags),
	     (n, command, section, parent, xml, flags))
VIRT_FORWARD(0, virErrorPtr, virGetLastError, NULL, (void), ())
VIRT_FORWARD(1, char *, virDomainQemuAgentCommand, NULL,
	     (virDomainPtr d, const char *cmd, int timeout, unsigned int flags),
	     (d, cmd, timeout, flags))

LAZY_FORWARD_VOID(virt_sym0, virSetErrorFunc, (void *userdata, virErrorFunc handler),
		  (userdata, handler))
