/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where a running LXC guest's init is, found without asking libvirt.
 *
 * libvirt 9.0 learns the init's pid from an event of the guest's
 * libvirt_lxc controller; under load that event is sometimes lost, and from
 * then on every namespace call for the guest (virDomainLxcOpenNamespace,
 * `virsh lxc-enter-namespace`) fails with "Init pid is not yet available",
 * for as long as the guest runs.  The controller writes its own pid to
 * /run/libvirt/lxc/NAME.pid, and the init is its child that lives in another
 * network namespace: that is always there.  The hook's worker and the CLI's
 * renew both use it.  libc only; returns 0 or -errno, never logs.
 */
#pragma once

#include <sys/types.h>

#define LXC_PID_RUN_DIR "/run/libvirt/lxc"

/* The host pid of the init of running LXC guest NAME.  run_dir holds
 * libvirt's NAME.pid files (LXC_PID_RUN_DIR), proc is procfs ("/proc"); the
 * unit tests point both at a fake tree.  -ENOENT: no pid file (the guest
 * does not run); -ESRCH: the controller has no child in another network
 * namespace (yet); -EINVAL: a pid file that holds no pid. */
int lxc_init_pid_at(const char *run_dir, const char *proc, const char *name, pid_t *ret_pid);

/* lxc_init_pid_at(LXC_PID_RUN_DIR, "/proc", ...). */
int lxc_init_pid(const char *name, pid_t *ret_pid);

/* The inode of /proc/PID/ns/NS (which namespace PID is in). */
int lxc_ns_ino(pid_t pid, const char *ns, ino_t *ret_ino);
