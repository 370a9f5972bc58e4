/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvirt <network>.conf (the dnsmasq config): lease_parse_netconf(), and
 * lease_netconf_names(), which must name the bridge that parse takes. */
#include <errno.h>

#include "fuzz/fuzz.h"
#include "resolver/lease.h"

/* want(): true for one value, the parse's bridge */
static bool is_bridge(void *ud, const char *s, size_t n)
{
	const char *bridge = ud;
	return strlen(bridge) == n && memcmp(bridge, s, n) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lc_netconf nc;
	char *buf = fuzz_dup(data, size);
	int r;

	memset(&nc, 0xa5, sizeof(nc));
	r = lease_parse_netconf(buf, size, &nc);
	FUZZ_CHECK(r == 0 || r == -EBADMSG);
	if (r == 0) {
		FUZZ_CHECK(nc.bridge[0] &&
			   strnlen(nc.bridge, sizeof(nc.bridge)) < sizeof(nc.bridge));
		FUZZ_CHECK(strnlen(nc.domain, sizeof(nc.domain)) < sizeof(nc.domain));
		for (const char *c = nc.domain; *c; c++)
			FUZZ_CHECK(!(*c >= 'A' && *c <= 'Z') && *c != ',');
		/* (a NUL in the file may cut the bridge short as a C string) */
		if (!memchr(buf, 0, size))
			FUZZ_CHECK(lease_netconf_names(buf, size, is_bridge, nc.bridge));
	} else {
		/* ret untouched on failure */
		FUZZ_CHECK((unsigned char)nc.bridge[0] == 0xa5);
	}
	free(buf);
	return 0;
}
