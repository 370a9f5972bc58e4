/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Plain dnsmasq lease files (`expiry mac ip hostname client-id`):
 * lease_parse_dnsmasq(). */
#include <errno.h>
#include <sys/socket.h>

#include "fuzz/fuzz.h"
#include "resolver/lease.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lc_arena arena = {0};
	struct lc_vec v = {.item_size = sizeof(struct lc_lease)};
	char *buf = fuzz_dup(data, size);
	struct lc_lease *l = lc_vec_push(&v);
	int r;

	FUZZ_CHECK(l);
	l->expiry = 42;
	r = lease_parse_dnsmasq(buf, size, &arena, &v);
	l = v.items;
	FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -ENOMEM);
	FUZZ_CHECK(v.n >= 1 && l[0].expiry == 42 && l[0].hostname == NULL);
	if (r < 0)
		FUZZ_CHECK(v.n == 1);
	/* a file that does not end in a newline is one caught mid-write */
	if (r == 0 && v.n > 1)
		FUZZ_CHECK(size > 0 && buf[size - 1] == '\n');
	for (size_t i = 1; i < v.n; i++) {
		FUZZ_CHECK(l[i].addr.family == AF_INET || l[i].addr.family == AF_INET6);
		FUZZ_CHECK(l[i].expiry > 0);
		FUZZ_CHECK(!l[i].hostname ||
			   (l[i].hostname[0] && fuzz_printable(l[i].hostname, LC_HOSTNAME_MAX)));
	}
	lc_vec_free(&v);
	lc_arena_free(&arena);
	free(buf);
	return 0;
}
