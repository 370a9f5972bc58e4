/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /etc/libvirt-cluster.conf: lc_config_parse(). */
#include <errno.h>

#include "fuzz/fuzz.h"
#include "resolver/resolver.h"

static void on_issue(const struct lc_config_issue *is, void *ud)
{
	unsigned *lines = ud;
	FUZZ_CHECK(is->line >= 1 && is->line <= *lines);
	FUZZ_CHECK(strnlen(is->message, sizeof(is->message)) < sizeof(is->message));
}

static void check_list(char *const *list, size_t n, bool domain)
{
	FUZZ_CHECK(n <= LC_CONF_MAX_LIST);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(list[i]);
		FUZZ_CHECK(l > 0);
		if (!domain)
			continue;
		/* a suffix: lower-case, no dot at either end, fits a DNS name */
		FUZZ_CHECK(l <= LC_NAME_MAX && list[i][0] != '.' && list[i][l - 1] != '.');
		for (size_t k = 0; k < l; k++)
			FUZZ_CHECK(!(list[i][k] >= 'A' && list[i][k] <= 'Z'));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lc_config cfg;
	char *buf = fuzz_dup(data, size);
	unsigned lines = 1;
	int r;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	r = lc_config_parse(buf, size, &cfg, on_issue, &lines);
	/* bad content never fails the parse: only memory does */
	FUZZ_CHECK(r == 0 || r == -ENOMEM);
	if (r == 0) {
		check_list(cfg.domains, cfg.n_domains, true);
		check_list(cfg.prefer, cfg.n_prefer, false);
		check_list(cfg.leases, cfg.n_leases, false);
		FUZZ_CHECK(cfg.renew_after >= 0 && cfg.renew_after <= 3600);
		FUZZ_CHECK(cfg.renew_tries >= 0 && cfg.renew_tries <= 100);
		FUZZ_CHECK(!cfg.renew_command || cfg.renew_command[0]);
		lc_config_free(&cfg);
	}
	free(buf);
	return 0;
}
