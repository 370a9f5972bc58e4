/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The leases of one guest, straight from libvirt's <bridge>.status files,
 * read and parsed by the resolver core (lc_read_file, lease_parse_status):
 * no second lease parser.  The hook does not go through lc_db here because
 * the db hides a lease whose MAC is no longer in any .macs file, and a guest
 * that is stopping has just been unplugged; the hook also needs each lease's
 * own DHCP hostname.
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
#include "resolver/lease.h"
#include "resolver/util.h"

static bool mac_in(const uint8_t mac[LC_MAC_LEN], const uint8_t (*macs)[LC_MAC_LEN], size_t n,
		   size_t *ret_idx)
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp(mac, macs[i], LC_MAC_LEN)) {
			*ret_idx = i;
			return true;
		}
	return false;
}

static void copy_str(char *dst, size_t size, const char *src)
{
	size_t l = src ? strlen(src) : 0;
	if (l >= size)
		l = size - 1;
	if (l)
		memcpy(dst, src, l);
	dst[l] = '\0';
}

static int scan_status(const char *dir, const char *file, size_t stem,
		       const uint8_t (*macs)[LC_MAC_LEN], size_t n_macs, int64_t now,
		       struct host_lease *ret, size_t max, size_t *io_n)
{
	char path[4096];
	char *buf = NULL;
	size_t len;
	struct lc_arena arena = {0};
	struct lc_vec leases = {.item_size = sizeof(struct lc_lease)};
	int r;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path) ||
	    stem >= sizeof(ret->bridge))
		return 0;
	r = lc_read_file(path, LC_FILE_MAX, &buf, &len, NULL);
	if (r < 0)
		return r == -ENOMEM ? r : 0;
	r = lease_parse_status(buf, len, &arena, &leases);
	free(buf);
	if (r < 0) {
		/* A garbage file contributes nothing, and stops nothing. */
		if (r != -ENOMEM)
			r = 0;
		goto out;
	}
	for (size_t i = 0; i < leases.n && *io_n < max; i++) {
		const struct lc_lease *l = &((struct lc_lease *)leases.items)[i];
		struct host_lease *h;
		size_t idx;

		if (!l->has_mac || !mac_in(l->mac, macs, n_macs, &idx))
			continue;
		if (l->expiry != LC_EXPIRY_INFINITE && l->expiry <= now)
			continue;
		h = &ret[(*io_n)++];
		memset(h, 0, sizeof(*h));
		h->addr = l->addr;
		memcpy(h->mac, l->mac, LC_MAC_LEN);
		memcpy(h->bridge, file, stem);
		h->bridge[stem] = '\0';
		copy_str(h->hostname, sizeof(h->hostname), l->hostname);
		h->nic_index = (int)idx;
		if (l->dhcp6) {
			const struct lc_dhcp6_id *d = l->dhcp6;
			h->has_dhcp6 = true;
			h->iaid = d->iaid;
			h->temporary = d->temporary;
			h->client_duid_len = d->client_duid_len;
			h->server_duid_len = d->server_duid_len;
			memcpy(h->client_duid, d->client_duid, d->client_duid_len);
			memcpy(h->server_duid, d->server_duid, d->server_duid_len);
		}
	}
	r = 0;
out:
	lc_vec_free(&leases);
	lc_arena_free(&arena);
	return r;
}

int host_leases_for_macs(const char *lease_dir, const uint8_t (*macs)[LC_MAC_LEN], size_t n_macs,
			 struct host_lease *ret, size_t max, size_t *ret_n)
{
	DIR *d;
	struct dirent *de;
	size_t n = 0;
	int r = 0;
	int64_t now = (int64_t)time(NULL);

	if (!lease_dir || (n_macs && !macs))
		return -EINVAL;
	if (n_macs == 0) {
		*ret_n = 0;
		return 0;
	}
	d = opendir(lease_dir);
	if (!d)
		return -errno;
	while ((de = readdir(d)) && r >= 0) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.' || l <= 7 || strcmp(de->d_name + l - 7, ".status") != 0)
			continue;
		r = scan_status(lease_dir, de->d_name, l - 7, macs, n_macs, now, ret, max, &n);
	}
	closedir(d);
	if (r < 0)
		return r;
	*ret_n = n;
	return 0;
}

/* Network, domain and class of each lease's bridge, from the network
 * records; then sort the leases into the resolver's rank order. */
void host_leases_rank(struct host_lease *leases, size_t n, const struct lc_guest_record *rec,
		      const struct lc_paths *paths, const struct lc_config *config)
{
	struct lc_host_addr *ha;
	struct host_lease *copy;

	if (n == 0)
		return;
	ha = calloc(n, sizeof(*ha));
	copy = malloc(n * sizeof(*copy));
	if (!ha || !copy)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct host_lease *l = &leases[i];
		struct lc_net_record nr;
		enum lc_class klass = LC_CLASS_UNKNOWN;

		/* The NIC that holds the MAC knows its network by name. */
		for (size_t k = 0; rec && k < rec->n_nics; k++)
			if (!memcmp(rec->nics[k].mac, l->mac, LC_MAC_LEN)) {
				if (!l->network[0])
					copy_str(l->network, sizeof(l->network),
						 rec->nics[k].network);
				l->nic_index = (int)k;
				break;
			}
		if (l->network[0] &&
		    lc_net_record_load(paths->runstate_dir, l->network, &nr) == 0) {
			klass = nr.klass;
			copy_str(l->domain, sizeof(l->domain), nr.domain);
		}
		ha[i].addr = l->addr;
		ha[i].klass = klass;
		ha[i].nic_index = l->nic_index;
		ha[i].prefer_index = -1;
		for (size_t p = 0; config && p < config->n_prefer; p++)
			if (!strcmp(config->prefer[p], l->network)) {
				ha[i].prefer_index = (int)p;
				break;
			}
		/* Carry the original index through the sort. */
		ha[i].expiry = (int64_t)i;
	}
	lc_rank_sort(ha, n);
	memcpy(copy, leases, n * sizeof(*copy));
	for (size_t i = 0; i < n; i++)
		leases[i] = copy[ha[i].expiry];
out:
	free(ha);
	free(copy);
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
