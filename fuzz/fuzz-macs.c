/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvirt <bridge>.macs (JSON list of domains and their MACs): lease_parse_macs(),
 * and lease_json_framing_ok() (the cold path's check) against it. */
#include <errno.h>

#include "fuzz/fuzz.h"
#include "resolver/lease.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lc_vec v = {.item_size = sizeof(struct lc_macs_entry)};
	char *buf = fuzz_dup(data, size);
	struct lc_macs_entry *e = lc_vec_push(&v);
	int r;

	FUZZ_CHECK(e);
	strcpy(e->domain, "sentinel");
	r = lease_parse_macs(buf, size, &v);
	e = v.items;
	FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -ENOMEM);
	/* the cold path takes only files whose framing is whole: every file
	 * the full parse takes must pass that check */
	if (r == 0)
		FUZZ_CHECK(lease_json_framing_ok(buf, size));
	FUZZ_CHECK(v.n >= 1 && !strcmp(e[0].domain, "sentinel") && e[0].n_macs == 0);
	if (r < 0)
		FUZZ_CHECK(v.n == 1);
	for (size_t i = 1; i < v.n; i++) {
		/* every entry kept has a name to find the guest by */
		FUZZ_CHECK(e[i].domain[0] &&
			   strnlen(e[i].domain, sizeof(e[i].domain)) < sizeof(e[i].domain));
		FUZZ_CHECK(!strchr(e[i].domain, '\n'));
		FUZZ_CHECK(e[i].n_macs == 0 || e[i].macs);
		/* touch every MAC: ASan checks the array really holds n_macs */
		unsigned sum = 0;
		for (size_t k = 0; k < e[i].n_macs; k++)
			for (int b = 0; b < LC_MAC_LEN; b++)
				sum += e[i].macs[k][b];
		(void)sum;
	}
	lease_macs_free(&v);
	free(buf);
	return 0;
}
