/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One guest's discovery, start to record: the trust of each NIC from the
 * host side, the sources through the trust rule, and the result merged
 * into the guest record so that a guest whose addresses did not change
 * gets a record that did not change (every process's resolver cache keys
 * on the record file's signature: a rewrite costs each of them a rebuild).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host/discover.h"

int discover_host_dump(struct discover_nl *nl)
{
	uint8_t *buf = malloc(DISCOVER_DUMP_MAX);
	ssize_t n;
	int r;

	if (!buf)
		return -ENOMEM;
	n = discover_nl_dump(DISCOVER_DUMP_LINKS | DISCOVER_DUMP_ADDRS | DISCOVER_DUMP_NEIGHS |
				 DISCOVER_DUMP_ROUTES,
			     buf, DISCOVER_DUMP_MAX);
	r = n < 0 ? (int)n : discover_nl_parse(buf, (size_t)n, nl);
	free(buf);
	return r < 0 ? r : 0;
}

static int ifindex_by_name(const struct discover_nl *nl, const char *name)
{
	if (!name || !*name)
		return 0;
	for (size_t i = 0; i < nl->n_links; i++)
		if (!strcmp(nl->links[i].name, name))
			return nl->links[i].ifindex;
	return 0;
}

void host_discover_prepare(struct host_discover *d, const struct lc_guest_record *rec,
			   const bool *want, const char *runstate_dir, const struct lc_config *cfg,
			   const struct discover_nl *host)
{
	memset(d, 0, sizeof(*d));
	d->n_nics = rec->n_nics < LC_RECORD_MAX_NICS ? rec->n_nics : LC_RECORD_MAX_NICS;
	for (size_t i = 0; i < d->n_nics; i++) {
		const struct lc_nic *nic = &rec->nics[i];
		struct discover_trust *t = &d->trust[i];
		struct lc_net_record nr;
		bool have_nr = nic->network[0] && runstate_dir &&
			       lc_net_record_load(runstate_dir, nic->network, &nr) == 0;

		memcpy(d->macs[i], nic->mac, LC_MAC_LEN);
		memcpy(t->mac, nic->mac, LC_MAC_LEN);
		d->wanted[i] = !want || want[i];
		/* the host-side device: the bridge (or a macvtap NIC's parent)
		 * the record names, else the network's bridge */
		d->host_ifindex[i] = ifindex_by_name(host, nic->bridge);
		if (!d->host_ifindex[i] && have_nr)
			d->host_ifindex[i] = ifindex_by_name(host, nr.bridge);
		discover_trust_add_host(t, host, d->host_ifindex[i]);
		if (have_nr)
			discover_trust_add(t, nr.subnets, nr.n_subnets);
		if (cfg)
			discover_trust_add(t, cfg->discover_prefixes, cfg->n_discover_prefixes);
	}
}

/* The MACs of the wanted NICs, into macs; their number. */
static size_t wanted_macs(const struct host_discover *d, uint8_t (*macs)[LC_MAC_LEN])
{
	size_t n = 0;
	for (size_t i = 0; i < d->n_nics; i++)
		if (d->wanted[i])
			memcpy(macs[n++], d->macs[i], LC_MAC_LEN);
	return n;
}

static void answer_all(struct host_discover *d)
{
	for (size_t i = 0; i < d->n_nics; i++)
		d->answered[i] = d->wanted[i];
}

static void judge(struct host_discover *d, const struct discover_list *in)
{
	discover_filter(in, d->trust, d->n_nics, &d->accepted, &d->dropped);
}

int host_discover_netns(struct host_discover *d, pid_t pid, int timeout_ms)
{
	uint8_t macs[LC_RECORD_MAX_NICS][LC_MAC_LEN];
	struct discover_nl *nl = calloc(1, sizeof(*nl));
	struct discover_list *in = calloc(1, sizeof(*in));
	int r = -ENOMEM;

	if (nl && in)
		r = discover_netns_dump(pid, DISCOVER_DUMP_LINKS | DISCOVER_DUMP_ADDRS, timeout_ms,
					nl);
	if (r == 0) {
		answer_all(d);
		discover_from_netns(nl, (const uint8_t(*)[LC_MAC_LEN])macs, wanted_macs(d, macs),
				    in);
		judge(d, in);
	}
	free(nl);
	free(in);
	return r;
}

int host_discover_agent(struct host_discover *d, const char *reply, size_t len)
{
	uint8_t macs[LC_RECORD_MAX_NICS][LC_MAC_LEN];
	struct discover_list *in = calloc(1, sizeof(*in));
	size_t n = wanted_macs(d, macs);
	int r;

	if (!in)
		return -ENOMEM;
	r = discover_from_agent(reply, len, (const uint8_t(*)[LC_MAC_LEN])macs, n, in);
	if (r == 0) {
		/* the agent lists every interface: a NIC it shows no address
		 * on has none */
		answer_all(d);
		judge(d, in);
	}
	free(in);
	return r;
}

static bool has_mac(const struct discover_list *l, const uint8_t mac[LC_MAC_LEN])
{
	for (size_t i = 0; i < l->n; i++)
		if (!memcmp(l->addrs[i].mac, mac, LC_MAC_LEN))
			return true;
	return false;
}

void host_discover_neigh(struct host_discover *d, const struct discover_nl *host)
{
	struct discover_list *in = calloc(1, sizeof(*in));

	if (!in)
		return;
	/* each NIC on its own bridge: the same MAC on another bridge is
	 * another segment */
	for (size_t i = 0; i < d->n_nics; i++) {
		/* a fallback: a NIC another source found stays as it found it
		 * (the table keeps a guest's old addresses a while) */
		if (!d->wanted[i] || !d->host_ifindex[i] || has_mac(&d->accepted, d->macs[i]))
			continue;
		size_t before = in->n;
		discover_from_neigh(host, d->host_ifindex[i],
				    (const uint8_t(*)[LC_MAC_LEN])d->macs[i], 1, in);
		/* no entry is no news: the guest may just have been quiet */
		d->answered[i] |= in->n > before;
	}
	judge(d, in);
	free(in);
}

bool host_discover_complete(const struct host_discover *d)
{
	for (size_t i = 0; i < d->n_nics; i++)
		if (d->wanted[i] && !has_mac(&d->accepted, d->macs[i]))
			return false;
	return true;
}

static bool mac_answered(const struct host_discover *d, const uint8_t mac[LC_MAC_LEN])
{
	for (size_t i = 0; i < d->n_nics; i++)
		if (d->answered[i] && !memcmp(d->macs[i], mac, LC_MAC_LEN))
			return true;
	return false;
}

static bool same_seen(const struct lc_seen_addr *a, const struct lc_seen_addr *b)
{
	return discover_same(a->mac, &a->addr, b->mac, &b->addr) && a->source == b->source &&
	       a->seen == b->seen;
}

static const struct lc_seen_addr *find_seen(const struct lc_seen_addr *l, size_t n,
					    const uint8_t mac[LC_MAC_LEN], const struct lc_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (discover_same(l[i].mac, &l[i].addr, mac, a))
			return &l[i];
	return NULL;
}

/* One list of rec (seen or dropped, of max entries) rebuilt: the entries
 * of NICs no source answered for, then what was found, each keeping the time it
 * was first seen.  Returns true when it differs from before; *ret_new
 * counts found entries that were not there. */
static bool merge(const struct host_discover *d, struct lc_seen_addr *list, size_t *n, size_t max,
		  const struct discover_list *found, int64_t now, size_t *ret_new)
{
	struct lc_seen_addr *old = malloc(sizeof(*old) * (max ? max : 1));
	size_t n_old = *n, k = 0, fresh = 0;
	bool changed;

	if (!old)
		return false;
	memcpy(old, list, sizeof(*old) * n_old);
	for (size_t i = 0; i < n_old; i++)
		if (!mac_answered(d, old[i].mac))
			list[k++] = old[i];
	for (size_t i = 0; i < found->n && k < max; i++) {
		const struct discover_addr *a = &found->addrs[i];
		const struct lc_seen_addr *was = find_seen(old, n_old, a->mac, &a->addr);
		struct lc_seen_addr s = {.addr = a->addr, .source = a->source, .seen = now};
		memcpy(s.mac, a->mac, LC_MAC_LEN);
		if (was && was->source == a->source)
			s.seen = was->seen;
		fresh += !was;
		list[k++] = s;
	}
	changed = k != n_old;
	for (size_t i = 0; i < k && !changed; i++)
		changed = !same_seen(&old[i], &list[i]);
	*n = k;
	if (ret_new)
		*ret_new = fresh;
	free(old);
	return changed;
}

bool host_discover_apply(const struct host_discover *d, struct lc_guest_record *rec, int64_t now,
			 size_t *ret_new_drops)
{
	bool a = merge(d, rec->seen, &rec->n_seen, LC_RECORD_MAX_SEEN, &d->accepted, now, NULL);
	bool b = merge(d, rec->dropped, &rec->n_dropped, LC_RECORD_MAX_DROPPED, &d->dropped, now,
		       ret_new_drops);
	return a || b;
}
