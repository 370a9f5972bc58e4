/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lc-lookup MODULE NAME: resolve NAME through the module's
 * gethostbyname4_r, as a program the module was loaded into would.  For
 * the setuid test: it says whether it runs in secure mode (AT_SECURE: a
 * setuid or setgid program) so the test knows what it proved.
 * Exit 0 found, 1 NOTFOUND, 2 UNAVAIL, 3 anything else.
 */
#include <stdio.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "tests/stress/nssload.h"

int main(int argc, char **argv)
{
	struct nss_module mod;
	struct gaih_addrtuple *pat = NULL;
	char buffer[8192], answer[2048] = "";
	int err = 0, herr = 0;
	int32_t ttl;

	if (argc != 3) {
		fprintf(stderr, "usage: %s MODULE NAME\n", argv[0]);
		return 3;
	}
	printf("uid=%d euid=%d secure=%lu\n", (int)getuid(), (int)geteuid(), getauxval(AT_SECURE));
	if (nss_module_load(&mod, argv[1]) < 0)
		return 3;
	enum nss_status st = mod.byname4(argv[2], &pat, buffer, sizeof(buffer), &err, &herr, &ttl);
	if (st == NSS_STATUS_SUCCESS)
		nss_tuples_format(pat, answer, sizeof(answer));
	printf("%s %s %s\n", argv[2], nss_status_name(st), answer);
	nss_module_unload(&mod);
	return st == NSS_STATUS_SUCCESS	   ? 0
	       : st == NSS_STATUS_NOTFOUND ? 1
	       : st == NSS_STATUS_UNAVAIL  ? 2
					   : 3;
}
