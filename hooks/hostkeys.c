/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The worker's last step after a guest starts: read its ssh host keys
 * through the hypervisor (host/hostkeys.c) and keep them in its record, so
 * that `libvirt-cluster known-hosts` can vouch for them.  sshd makes its
 * keys on first boot, maybe after the lease, so the worker asks again for
 * a while; a guest with no sshd simply has no keys.
 */
#include "hooks/hook.h"
#include "host/host.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HOSTKEY_TRIES 60 /* one every 2 s: two minutes of boot (TCG, first-boot keygen) */
/* An LXC guest's keys are files in its root from the start, unless its own
 * init makes them: a few tries, so that a guest with no sshd does not keep
 * a worker for two minutes (test-hook-load.sh's settled check). */
#define HOSTKEY_TRIES_LXC 5
#define HOSTKEY_INTERVAL_MS 2000

static int read_keys(virConnectPtr conn, const struct lc_guest_record *rec, struct lc_hostkey *keys,
		     size_t *n)
{
	if (!strcmp(rec->driver, "lxc"))
		return host_hostkeys_lxc(rec->name, keys, LC_RECORD_MAX_HOSTKEYS, n);
	virDomainPtr dom = conn ? host_domain_running(conn, rec->uuid, rec->name) : NULL;
	if (!dom)
		return -ESRCH;
	int r = host_hostkeys_qemu(dom, keys, LC_RECORD_MAX_HOSTKEYS, n);
	virDomainFree(dom);
	return r;
}

static bool same_keys(const struct lc_guest_record *rec, const struct lc_hostkey *keys, size_t n)
{
	if (rec->n_hostkeys != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(rec->hostkeys[i].type, keys[i].type) ||
		    strcmp(rec->hostkeys[i].key, keys[i].key))
			return false;
	return true;
}

/* Put the keys into the record as it is now (the hook may have rewritten
 * it since the worker started): only while it is still this guest's. */
static int store_keys(const struct hook_work *w, const struct lc_hostkey *keys, size_t n)
{
	struct lc_guest_record *cur = calloc(1, sizeof(*cur));
	int r;

	if (!cur)
		return -ENOMEM;
	r = lc_guest_record_load(w->paths.runstate_dir, w->rec.name, cur);
	if (r == 0 && strcmp(cur->uuid, w->rec.uuid) != 0)
		r = -ESRCH; /* another guest of that name now */
	if (r == 0 && !same_keys(cur, keys, n)) {
		memcpy(cur->hostkeys, keys, n * sizeof(*keys));
		cur->n_hostkeys = n;
		r = lc_guest_record_write(w->paths.runstate_dir, cur);
	}
	free(cur);
	return r;
}

void hook_worker_hostkeys(virConnectPtr conn, const struct hook_work *w, char *msg, size_t size)
{
	struct lc_hostkey *keys = calloc(LC_RECORD_MAX_HOSTKEYS, sizeof(*keys));
	size_t n = 0;
	int r = -ENOENT, tries = 0;

	msg[0] = '\0';
	if (!keys)
		return;
	int max = strcmp(w->rec.driver, "lxc") ? HOSTKEY_TRIES : HOSTKEY_TRIES_LXC;
	for (; tries < max; tries++) {
		if (tries) {
			struct timespec ts = {HOSTKEY_INTERVAL_MS / 1000, 0};
			nanosleep(&ts, NULL);
		}
		n = 0;
		r = read_keys(conn, &w->rec, keys, &n);
		/* no way in (no agent), or the guest is gone: asking again won't help */
		if (r == -EOPNOTSUPP || r == -ESRCH || r == -ENOENT || (r == 0 && n > 0))
			break;
	}
	if (r == 0 && n > 0) {
		int s = store_keys(w, keys, n);
		snprintf(msg, size,
			 s < 0 ? "; %zu ssh host key%s read, not stored: %s"
			       : "; %zu ssh host key%s in the record%s",
			 n, n == 1 ? "" : "s", s < 0 ? strerror(-s) : "");
	} else {
		snprintf(msg, size, "; no ssh host keys%s%s", r < 0 ? ": " : "",
			 r < 0 ? strerror(-r) : "");
	}
	free(keys);
}

void hook_record_keep_hostkeys(const char *dir, struct lc_guest_record *rec)
{
	struct lc_guest_record *old = calloc(1, sizeof(*old));

	/* the record is written again while the guest runs (started,
	 * reconnect, attach): keep what the worker read, but never another
	 * guest's (a new UUID under the name) */
	if (old && lc_guest_record_load(dir, rec->name, old) == 0 && rec->uuid[0] &&
	    !strcmp(old->uuid, rec->uuid) && rec->n_hostkeys == 0) {
		memcpy(rec->hostkeys, old->hostkeys, old->n_hostkeys * sizeof(old->hostkeys[0]));
		rec->n_hostkeys = old->n_hostkeys;
	}
	free(old);
}
