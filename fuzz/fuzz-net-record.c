/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hook network records (net-<name>.rec): lc_net_record_parse(), and the
 * round trip through lc_net_record_format(). */
#include <errno.h>
#include <sys/socket.h>

#include "fuzz/fuzz.h"
#include "resolver/resolver.h"

static bool same_net(const struct lc_net_record *a, const struct lc_net_record *b)
{
	if (strcmp(a->name, b->name) || strcmp(a->uuid, b->uuid) || strcmp(a->bridge, b->bridge) ||
	    strcmp(a->forward, b->forward) || strcmp(a->domain, b->domain) ||
	    a->ifindex != b->ifindex || a->klass != b->klass || a->n_addrs != b->n_addrs)
		return false;
	for (size_t i = 0; i < a->n_addrs; i++)
		if (a->addrs[i].family != b->addrs[i].family ||
		    memcmp(a->addrs[i].bytes, b->addrs[i].bytes,
			   a->addrs[i].family == AF_INET ? 4 : 16))
			return false;
	if (a->n_subnets != b->n_subnets)
		return false;
	for (size_t i = 0; i < a->n_subnets; i++)
		if (a->subnets[i].len != b->subnets[i].len ||
		    a->subnets[i].addr.family != b->subnets[i].addr.family ||
		    memcmp(a->subnets[i].addr.bytes, b->subnets[i].addr.bytes,
			   sizeof(a->subnets[i].addr.bytes)))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lc_net_record n, n2;
	char out[8192]; /* what lc_net_record_write() formats into */
	char *buf = fuzz_dup(data, size);
	int r;

	memset(&n, 0xa5, sizeof(n));
	r = lc_net_record_parse(buf, size, &n);
	FUZZ_CHECK(r == 0 || r == -EBADMSG);
	if (r < 0) {
		FUZZ_CHECK((unsigned char)n.name[0] == 0xa5);
		goto out;
	}
	FUZZ_CHECK(lc_record_name_valid(n.name));
	FUZZ_CHECK(n.n_addrs <= LC_RECORD_MAX_ADDRS && n.ifindex >= 0);
	FUZZ_CHECK(n.klass == LC_CLASS_EXTERNAL || n.klass == LC_CLASS_ISOLATED ||
		   n.klass == LC_CLASS_UNKNOWN);
	for (size_t i = 0; i < n.n_addrs; i++)
		FUZZ_CHECK(n.addrs[i].family == AF_INET || n.addrs[i].family == AF_INET6);
	for (const char *c = n.domain; *c; c++)
		FUZZ_CHECK(!(*c >= 'A' && *c <= 'Z'));
	r = lc_net_record_format(&n, out, sizeof(out));
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOBUFS);
	if (r == 0) {
		FUZZ_CHECK(lc_net_record_parse(out, strlen(out), &n2) == 0);
		FUZZ_CHECK(same_net(&n, &n2));
	}
out:
	free(buf);
	return 0;
}
