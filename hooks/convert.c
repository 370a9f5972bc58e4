/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* From what libvirt sent to what the resolver reads. */
#include <errno.h>
#include <string.h>

#include "hooks/hook.h"

enum lc_class hook_forward_class(const char *forward)
{
	/* Every forward mode hands the guest a way out; no <forward> is the
	 * isolated network libvirt gives no gateway. */
	return forward && *forward ? LC_CLASS_EXTERNAL : LC_CLASS_ISOLATED;
}

static void copy_str(char *dst, size_t size, const char *src)
{
	size_t l = strlen(src);
	if (l >= size)
		l = size - 1;
	memcpy(dst, src, l);
	dst[l] = '\0';
}

void hook_domain_to_record(const struct host_domain *d, enum hook_driver driver,
			   const char *runstate_dir, struct lc_guest_record *ret)
{
	memset(ret, 0, sizeof(*ret));
	copy_str(ret->name, sizeof(ret->name), d->name);
	copy_str(ret->uuid, sizeof(ret->uuid), d->uuid);
	copy_str(ret->driver, sizeof(ret->driver), hook_driver_name(driver));
	if (d->has_cluster && !d->cluster_bad)
		copy_str(ret->cluster, sizeof(ret->cluster), d->cluster);
	if (d->has_cluster && lc_group_valid(d->group))
		copy_str(ret->group, sizeof(ret->group), d->group);
	if (d->has_cluster && lc_user_valid(d->user))
		copy_str(ret->user, sizeof(ret->user), d->user);

	for (size_t i = 0; i < d->n_nics && ret->n_nics < LC_RECORD_MAX_NICS; i++) {
		const struct host_nic *nic = &d->nics[i];
		struct lc_nic *out = &ret->nics[ret->n_nics++];

		memcpy(out->mac, nic->mac, LC_MAC_LEN);
		copy_str(out->network, sizeof(out->network), nic->network);
		copy_str(out->bridge, sizeof(out->bridge), nic->bridge);
		/* prepare/start XML has no bridge yet: the network record has. */
		if (!out->bridge[0] && out->network[0] && runstate_dir) {
			struct lc_net_record nr;
			if (lc_net_record_load(runstate_dir, out->network, &nr) == 0)
				copy_str(out->bridge, sizeof(out->bridge), nr.bridge);
		}
	}
}

void hook_network_to_record(const struct host_network *n, int ifindex, struct lc_net_record *ret)
{
	memset(ret, 0, sizeof(*ret));
	copy_str(ret->name, sizeof(ret->name), n->name);
	copy_str(ret->uuid, sizeof(ret->uuid), n->uuid);
	copy_str(ret->bridge, sizeof(ret->bridge), n->bridge);
	ret->ifindex = ifindex;
	copy_str(ret->forward, sizeof(ret->forward), n->forward);
	ret->klass = hook_forward_class(n->forward);
	copy_str(ret->domain, sizeof(ret->domain), n->domain);
	for (size_t i = 0; i < n->n_addrs && i < LC_RECORD_MAX_ADDRS; i++) {
		ret->addrs[ret->n_addrs++] = n->addrs[i];
		ret->subnets[ret->n_subnets++] = n->subnets[i];
	}
}
