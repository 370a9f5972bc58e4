/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The hook's stdin: domain XML (qemu, lxc) and <hookData> (network), as
 * libvirt hands it over.  Every input goes through host_xml_domain(),
 * host_xml_network() and host_xml_dns_hosts(); what parses is turned into
 * the record the hook would write (hook_domain_to_record(),
 * hook_network_to_record()), and a record the writer accepts must read
 * back the same: the hook can never write what the module misreads.
 */
#include <errno.h>
#include <sys/socket.h>

#include "fuzz/fuzz.h"
#include "hooks/hook.h"

/* No byte the record's line format cannot carry. */
static bool clean(const char *s, size_t size)
{
	size_t n = strnlen(s, size);
	if (n >= size)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static void check_domain(const struct host_domain *d)
{
	static struct lc_guest_record rec, back;
	static char out[256 << 10];

	FUZZ_CHECK(d->name[0] && clean(d->name, sizeof(d->name)));
	FUZZ_CHECK(clean(d->uuid, sizeof(d->uuid)) && clean(d->type, sizeof(d->type)));
	FUZZ_CHECK(clean(d->cluster, sizeof(d->cluster)) && clean(d->group, sizeof(d->group)));
	FUZZ_CHECK(!d->cluster_bad || !d->cluster[0]);
	FUZZ_CHECK(d->n_nics <= HOST_MAX_NICS && d->id >= -1);
	for (size_t i = 0; i < d->n_nics; i++)
		FUZZ_CHECK(clean(d->nics[i].network, sizeof(d->nics[i].network)) &&
			   clean(d->nics[i].bridge, sizeof(d->nics[i].bridge)) &&
			   clean(d->nics[i].guest_dev, sizeof(d->nics[i].guest_dev)));

	hook_domain_to_record(d, HOOK_DRIVER_LXC, NULL, &rec);
	FUZZ_CHECK(!rec.group[0] || lc_group_valid(rec.group));
	int r = lc_guest_record_format(&rec, out, sizeof(out));
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOBUFS);
	if (r == 0) {
		FUZZ_CHECK(lc_guest_record_parse(out, strlen(out), &back) == 0);
		FUZZ_CHECK(!strcmp(back.name, rec.name) && !strcmp(back.cluster, rec.cluster) &&
			   !strcmp(back.group, rec.group) && back.n_nics == rec.n_nics);
		for (size_t i = 0; i < rec.n_nics; i++)
			FUZZ_CHECK(!memcmp(back.nics[i].mac, rec.nics[i].mac, LC_MAC_LEN) &&
				   !strcmp(back.nics[i].network, rec.nics[i].network) &&
				   !strcmp(back.nics[i].bridge, rec.nics[i].bridge));
	}
}

static void check_network(const struct host_network *n)
{
	struct lc_net_record rec, back;
	char out[8192];

	FUZZ_CHECK(n->name[0] && clean(n->name, sizeof(n->name)));
	FUZZ_CHECK(clean(n->bridge, sizeof(n->bridge)) && clean(n->domain, sizeof(n->domain)) &&
		   clean(n->forward, sizeof(n->forward)) && clean(n->uuid, sizeof(n->uuid)));
	FUZZ_CHECK(n->n_addrs <= LC_RECORD_MAX_ADDRS);
	for (size_t i = 0; i < n->n_addrs; i++)
		FUZZ_CHECK(n->addrs[i].family == AF_INET || n->addrs[i].family == AF_INET6);
	FUZZ_CHECK(!n->port.present || n->port.owner_name[0]);

	hook_network_to_record(n, 7, &rec);
	int r = lc_net_record_format(&rec, out, sizeof(out));
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOBUFS);
	if (r == 0) {
		FUZZ_CHECK(lc_net_record_parse(out, strlen(out), &back) == 0);
		FUZZ_CHECK(!strcmp(back.name, rec.name) && !strcmp(back.bridge, rec.bridge) &&
			   back.klass == rec.klass && back.n_addrs == rec.n_addrs &&
			   back.ifindex == 7);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct host_domain d;
	static struct host_network n;
	static struct host_dns dns;
	char *buf = fuzz_dup(data, size);
	int r;

	r = host_xml_domain(buf, size, &d);
	FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -EINVAL || r == -ENODATA || r == -ENOMEM);
	if (r == 0)
		check_domain(&d);

	r = host_xml_network(buf, size, &n);
	FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -EINVAL || r == -ENODATA || r == -ENOMEM);
	if (r == 0)
		check_network(&n);

	r = host_xml_dns_hosts(buf, size, &dns);
	FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -EINVAL || r == -ENODATA || r == -ENOMEM);
	if (r == 0) {
		FUZZ_CHECK(dns.n_hosts <= HOST_DNS_MAX_HOSTS);
		for (size_t i = 0; i < dns.n_hosts; i++) {
			FUZZ_CHECK(dns.hosts[i].n_names <= HOST_DNS_MAX_NAMES);
			for (size_t k = 0; k < dns.hosts[i].n_names; k++)
				FUZZ_CHECK(
				    dns.hosts[i].names[k][0] &&
				    clean(dns.hosts[i].names[k], sizeof(dns.hosts[i].names[k])));
		}
	}
	free(buf);
	return 0;
}
