/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvirt <bridge>.status (JSON lease array): lease_parse_status(), and
 * lease_json_framing_ok() (the cold path's check) against it. */
#include <errno.h>
#include <sys/socket.h>

#include "fuzz/fuzz.h"
#include "resolver/lease.h"

/* Shared with fuzz-dnsmasq.c through copy: the promises of both lease readers. */
static void check_leases(int r, const struct lc_vec *v)
{
	const struct lc_lease *l = v->items;

	FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -ENOMEM);
	/* the sentinel pushed before the call survives, and a failure adds nothing */
	FUZZ_CHECK(v->n >= 1 && l[0].expiry == 42 && l[0].hostname == NULL);
	if (r < 0)
		FUZZ_CHECK(v->n == 1);
	for (size_t i = 1; i < v->n; i++) {
		FUZZ_CHECK(l[i].addr.family == AF_INET || l[i].addr.family == AF_INET6);
		FUZZ_CHECK(!l[i].hostname || fuzz_printable(l[i].hostname, LC_HOSTNAME_MAX));
		FUZZ_CHECK(!l[i].hostname || l[i].hostname[0]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lc_arena arena = {0};
	struct lc_vec v = {.item_size = sizeof(struct lc_lease)};
	char *buf = fuzz_dup(data, size);
	struct lc_lease *sentinel = lc_vec_push(&v);

	FUZZ_CHECK(sentinel);
	sentinel->expiry = 42;
	int r = lease_parse_status(buf, size, &arena, &v);
	check_leases(r, &v);
	/* the cold path takes only files whose framing is whole: every file
	 * the full parse takes must pass that check */
	if (r == 0)
		FUZZ_CHECK(lease_json_framing_ok(buf, size));
	lc_vec_free(&v);
	lc_arena_free(&arena);
	free(buf);
	return 0;
}
