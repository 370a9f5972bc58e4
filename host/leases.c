/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The leases of one guest, as the core's lc_guest_leases finds and ranks
 * them: the same lease reader, the same network classes (network records
 * merged with readable <network>.conf files) and the same rank as the
 * module, so the address the hook gives dnsmasq is the one getent answers
 * first.  Unplugged NICs' leases are included: a stopping guest has just
 * been unplugged, and its leases are what DHCPRELEASE needs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "host/host.h"

static void copy_str(char *dst, size_t size, const char *src)
{
	size_t l = src ? strlen(src) : 0;
	if (l >= size)
		l = size - 1;
	if (l)
		memcpy(dst, src, l);
	dst[l] = '\0';
}

/* One of the core's leases as the hook keeps it: copied out, so that it
 * outlives the core's snapshot (the worker holds leases across waits). */
static void lease_copy(const struct lc_guest_lease *g, struct host_lease *h)
{
	memset(h, 0, sizeof(*h));
	h->addr = g->a.addr;
	memcpy(h->mac, g->mac, LC_MAC_LEN);
	copy_str(h->bridge, sizeof(h->bridge), g->a.bridge);
	copy_str(h->network, sizeof(h->network), g->a.network);
	copy_str(h->domain, sizeof(h->domain), g->a.domain);
	copy_str(h->hostname, sizeof(h->hostname), g->hostname);
	h->nic_index = g->a.nic_index;
	if (g->dhcp6) {
		const struct lc_dhcp6_id *d = g->dhcp6;
		h->has_dhcp6 = true;
		h->iaid = d->iaid;
		h->temporary = d->temporary;
		h->client_duid_len = d->client_duid_len;
		h->server_duid_len = d->server_duid_len;
		memcpy(h->client_duid, d->client_duid, d->client_duid_len);
		memcpy(h->server_duid, d->server_duid, d->server_duid_len);
	}
}

int host_guest_leases(const struct lc_paths *paths, const uint8_t (*macs)[LC_MAC_LEN],
		      size_t n_macs, struct host_lease *ret, size_t max, size_t *ret_n)
{
	struct lc_guest_leases gl;
	size_t n = 0;
	int r;

	if (!paths || (n_macs && !macs))
		return -EINVAL;
	r = lc_guest_leases(paths, (int64_t)time(NULL), macs, n_macs, &gl);
	if (r < 0)
		return r;
	for (size_t i = 0; i < gl.n && n < max; i++)
		lease_copy(&gl.leases[i], &ret[n++]);
	lc_guest_leases_free(&gl);
	*ret_n = n;
	return 0;
}

void host_lease_dhcp6(const struct host_lease *l, struct lc_dhcp6_id *ret)
{
	ret->iaid = l->iaid;
	ret->temporary = l->temporary;
	ret->client_duid_len = l->client_duid_len;
	ret->server_duid_len = l->server_duid_len;
	ret->client_duid = l->client_duid;
	ret->server_duid = l->server_duid;
}
