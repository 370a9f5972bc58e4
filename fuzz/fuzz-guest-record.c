/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hook guest records (guest-<name>.rec): lc_guest_record_parse(), and the
 * round trip through lc_guest_record_format(): whatever the writer accepts
 * to write back, the reader must read back the same. */
#include <errno.h>

#include "fuzz/fuzz.h"
#include "resolver/resolver.h"

static bool same_seen(const struct lc_seen_addr *a, const struct lc_seen_addr *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(a[i].mac, b[i].mac, LC_MAC_LEN) ||
		    a[i].addr.family != b[i].addr.family ||
		    memcmp(a[i].addr.bytes, b[i].addr.bytes, sizeof(a[i].addr.bytes)) ||
		    a[i].source != b[i].source || a[i].seen != b[i].seen)
			return false;
	return true;
}

static bool same_guest(const struct lc_guest_record *a, const struct lc_guest_record *b)
{
	if (a->n_seen != b->n_seen || a->n_dropped != b->n_dropped ||
	    !same_seen(a->seen, b->seen, a->n_seen) ||
	    !same_seen(a->dropped, b->dropped, a->n_dropped))
		return false;
	if (strcmp(a->name, b->name) || strcmp(a->uuid, b->uuid) || strcmp(a->driver, b->driver) ||
	    strcmp(a->cluster, b->cluster) || strcmp(a->group, b->group) || a->n_nics != b->n_nics)
		return false;
	for (size_t i = 0; i < a->n_nics; i++)
		if (memcmp(a->nics[i].mac, b->nics[i].mac, LC_MAC_LEN) ||
		    strcmp(a->nics[i].network, b->nics[i].network) ||
		    strcmp(a->nics[i].bridge, b->nics[i].bridge))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lc_guest_record g, g2;
	static char out[256 << 10];
	char *buf = fuzz_dup(data, size);
	int r;

	memset(&g, 0xa5, sizeof(g));
	r = lc_guest_record_parse(buf, size, &g);
	FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -ENOMEM);
	if (r < 0) {
		FUZZ_CHECK((unsigned char)g.name[0] == 0xa5); /* untouched */
		goto out;
	}
	FUZZ_CHECK(lc_record_name_valid(g.name));
	FUZZ_CHECK(g.n_nics <= LC_RECORD_MAX_NICS);
	FUZZ_CHECK(g.n_seen <= LC_RECORD_MAX_SEEN && g.n_dropped <= LC_RECORD_MAX_DROPPED);
	for (size_t i = 0; i < g.n_seen; i++)
		FUZZ_CHECK(g.seen[i].source != LC_SOURCE_LEASE && g.seen[i].seen >= 0);
	FUZZ_CHECK(!g.group[0] || lc_group_valid(g.group));
	r = lc_guest_record_format(&g, out, sizeof(out));
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOBUFS);
	if (r == 0) {
		FUZZ_CHECK(lc_guest_record_parse(out, strlen(out), &g2) == 0);
		FUZZ_CHECK(same_guest(&g, &g2));
	}
out:
	free(buf);
	return 0;
}
