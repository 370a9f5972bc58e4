/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dlopen the built module and call every entry point as glibc would, over
 * the fixture cluster written by tests/nss/mkfixture.  Includes the
 * poisoned-buffer sweep: from buflen 0 upward, ERANGE until success, and
 * never a byte written past buflen.
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

typedef enum nss_status (*gh4_fn)(const char *, struct gaih_addrtuple **, char *, size_t, int *,
				  int *, int32_t *);
typedef enum nss_status (*gh3_fn)(const char *, int, struct hostent *, char *, size_t, int *, int *,
				  int32_t *, char **);
typedef enum nss_status (*gh2_fn)(const char *, int, struct hostent *, char *, size_t, int *,
				  int *);
typedef enum nss_status (*gh1_fn)(const char *, struct hostent *, char *, size_t, int *, int *);
typedef enum nss_status (*gha2_fn)(const void *, socklen_t, int, struct hostent *, char *, size_t,
				   int *, int *, int32_t *);
typedef enum nss_status (*gha1_fn)(const void *, socklen_t, int, struct hostent *, char *, size_t,
				   int *, int *);

static void *dl;
static gh4_fn gh4;
static gh3_fn gh3;
static gh2_fn gh2;
static gh1_fn gh1;
static gha2_fn gha2;
static gha1_fn gha1;
static char tmpdir[] = "/tmp/lc-nss-test.XXXXXX";
static char lease_dir[256], run_dir[256], conf[256];

#define BUFSZ 4096
#define POISON 0xa5

static int group_setup(void **state)
{
	char cmd[1024], so[512];
	const char *nss_dir = getenv("LC_NSS_DIR");
	const char *srcdir = getenv("abs_top_srcdir");

	if (!nss_dir || !srcdir) {
		fprintf(stderr,
			"LC_NSS_DIR and abs_top_srcdir must be set (run through make check)\n");
		return -1;
	}
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(lease_dir, sizeof(lease_dir), "%s/leases", tmpdir);
	snprintf(run_dir, sizeof(run_dir), "%s/run", tmpdir);
	snprintf(conf, sizeof(conf), "%s/libvirt-cluster.conf", tmpdir);
	snprintf(cmd, sizeof(cmd), "python3 %s/tests/nss/mkfixture %s %s %s", srcdir, lease_dir,
		 run_dir, conf);
	if (system(cmd) != 0)
		return -1;
	setenv("LIBVIRT_CLUSTER_LEASE_DIR", lease_dir, 1);
	setenv("LIBVIRT_CLUSTER_RUNSTATE_DIR", run_dir, 1);
	setenv("LIBVIRT_CLUSTER_CONFIG", conf, 1);

	snprintf(so, sizeof(so), "%s/libnss_libvirt_cluster.so.2", nss_dir);
	dl = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return -1;
	}
	gh4 = (gh4_fn)dlsym(dl, "_nss_libvirt_cluster_gethostbyname4_r");
	gh3 = (gh3_fn)dlsym(dl, "_nss_libvirt_cluster_gethostbyname3_r");
	gh2 = (gh2_fn)dlsym(dl, "_nss_libvirt_cluster_gethostbyname2_r");
	gh1 = (gh1_fn)dlsym(dl, "_nss_libvirt_cluster_gethostbyname_r");
	gha2 = (gha2_fn)dlsym(dl, "_nss_libvirt_cluster_gethostbyaddr2_r");
	gha1 = (gha1_fn)dlsym(dl, "_nss_libvirt_cluster_gethostbyaddr_r");
	return gh4 && gh3 && gh2 && gh1 && gha2 && gha1 ? 0 : -1;
}

static int group_teardown(void **state)
{
	char cmd[512];
	if (dl)
		dlclose(dl);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *ntop(int af, const void *a, char *buf)
{
	return inet_ntop(af, a, buf, INET6_ADDRSTRLEN);
}

/* ---- gethostbyname4_r ---------------------------------------------------- */

static void expect4(const char *name, const char *const *want, size_t n_want, const char *canon)
{
	char buf[BUFSZ], a[INET6_ADDRSTRLEN];
	struct gaih_addrtuple *pat = NULL;
	int e = 0, he = 0;
	int32_t ttl = -1;
	size_t i = 0;

	assert_int_equal(gh4(name, &pat, buf, sizeof(buf), &e, &he, &ttl), NSS_STATUS_SUCCESS);
	assert_int_equal(ttl, 30);
	assert_non_null(pat);
	assert_string_equal(pat->name, canon);
	for (struct gaih_addrtuple *t = pat; t; t = t->next, i++) {
		assert_true(i < n_want);
		assert_string_equal(ntop(t->family, t->addr, a), want[i]);
	}
	assert_int_equal(i, n_want);
}

static void test_gh4_external_first(void **state)
{
	/* int is node1's first NIC and its lease is the newer one */
	static const char *const want[] = {"192.168.150.10", "192.168.160.10"};
	expect4("node1", want, 2, "node1");
	expect4("NODE1.", want, 2, "node1");
}

static void test_gh4_both_families(void **state)
{
	static const char *const want[] = {"192.168.150.11", "fd00:150::11"};
	expect4("node2", want, 2, "node2");
	/* the DHCP hostname finds the same guest, named by its domain name */
	expect4("node2-dhcp", want, 2, "node2");
}

static void test_gh4_fqdn(void **state)
{
	static const char *const ext[] = {"192.168.150.10"};
	static const char *const intl[] = {"192.168.160.10"};
	static const char *const all[] = {"192.168.150.10", "192.168.160.10"};
	/* a network's domain covers only that network's address */
	expect4("node1.lab.test", ext, 1, "node1");
	expect4("node1.int.test", intl, 1, "node1");
	/* a configured cluster suffix covers them all */
	expect4("node1.cluster.test", all, 2, "node1");
}

static void test_gh4_record_only(void **state)
{
	static const char *const want[] = {"192.168.150.15", "192.168.160.15"};
	expect4("node5", want, 2, "node5");
}

static void test_gh4_dhcp_only(void **state)
{
	static const char *const want[] = {"192.168.170.20"};
	expect4("plainhost", want, 1, "plainhost");
}

static void expect_notfound4(const char *name, int want_he)
{
	char buf[BUFSZ];
	struct gaih_addrtuple *pat = NULL;
	int e = 0, he = 0;

	assert_int_equal(gh4(name, &pat, buf, sizeof(buf), &e, &he, NULL), NSS_STATUS_NOTFOUND);
	assert_int_equal(he, want_he);
	assert_null(pat);
}

static void test_gh4_notfound(void **state)
{
	expect_notfound4("www.example.com", HOST_NOT_FOUND);
	expect_notfound4("c9", HOST_NOT_FOUND); /* stopped: lease kept, NIC unplugged */
	expect_notfound4("node4", NO_DATA);	/* running, but its lease expired */
	expect_notfound4("", HOST_NOT_FOUND);
	expect_notfound4(".", HOST_NOT_FOUND);
	expect_notfound4("node1..lab.test", HOST_NOT_FOUND);
	expect_notfound4("node1.other.test", HOST_NOT_FOUND);
}

static void test_gh4_pat_honoured(void **state)
{
	/* nscd passes a tuple of its own: it must be filled, not replaced */
	char buf[BUFSZ], a[INET6_ADDRSTRLEN];
	struct gaih_addrtuple mine = {0}, *pat = &mine;
	int e = 0, he = 0;

	assert_int_equal(gh4("node1", &pat, buf, sizeof(buf), &e, &he, NULL), NSS_STATUS_SUCCESS);
	assert_ptr_equal(pat, &mine);
	assert_string_equal(ntop(mine.family, mine.addr, a), "192.168.150.10");
	assert_non_null(mine.next);
	assert_string_equal(ntop(mine.next->family, mine.next->addr, a), "192.168.160.10");
}

static void test_errno_preserved(void **state)
{
	char buf[BUFSZ];
	struct gaih_addrtuple *pat = NULL;
	struct hostent h;
	int e = 0, he = 0;

	errno = 12345;
	assert_int_equal(gh4("node1", &pat, buf, sizeof(buf), &e, &he, NULL), NSS_STATUS_SUCCESS);
	assert_int_equal(errno, 12345);
	errno = 54321;
	assert_int_equal(gh2("node2", AF_INET, &h, buf, sizeof(buf), &e, &he), NSS_STATUS_SUCCESS);
	assert_int_equal(errno, 54321);
}

/* A success sets h_errno to NETDB_SUCCESS in every entry point that does
 * work, whatever the caller left in it. */
static void test_h_errno_success(void **state)
{
	char buf[BUFSZ];
	struct gaih_addrtuple *pat = NULL;
	struct hostent h;
	struct in_addr a4;
	int e = 0, he;

	he = HOST_NOT_FOUND;
	assert_int_equal(gh4("node1", &pat, buf, sizeof(buf), &e, &he, NULL), NSS_STATUS_SUCCESS);
	assert_int_equal(he, NETDB_SUCCESS);
	he = TRY_AGAIN;
	assert_int_equal(gh2("node2", AF_INET, &h, buf, sizeof(buf), &e, &he), NSS_STATUS_SUCCESS);
	assert_int_equal(he, NETDB_SUCCESS);
	he = NO_RECOVERY;
	inet_pton(AF_INET, "192.168.150.11", &a4);
	assert_int_equal(gha1(&a4, sizeof(a4), AF_INET, &h, buf, sizeof(buf), &e, &he),
			 NSS_STATUS_SUCCESS);
	assert_int_equal(he, NETDB_SUCCESS);
}

/* ---- hostent entry points -------------------------------------------------- */

static void check_hostent(const struct hostent *h, int af, const char *name,
			  const char *const *addrs, size_t n)
{
	char a[INET6_ADDRSTRLEN];
	size_t i = 0;

	assert_string_equal(h->h_name, name);
	assert_int_equal(h->h_addrtype, af);
	assert_int_equal(h->h_length, af == AF_INET ? 4 : 16);
	for (; h->h_addr_list[i]; i++) {
		assert_true(i < n);
		assert_string_equal(ntop(af, h->h_addr_list[i], a), addrs[i]);
	}
	assert_int_equal(i, n);
}

static bool has_alias(const struct hostent *h, const char *alias)
{
	for (char **a = h->h_aliases; *a; a++)
		if (!strcmp(*a, alias))
			return true;
	return false;
}

static void test_gh3_gh2_gh1(void **state)
{
	static const char *const v4[] = {"192.168.150.10", "192.168.160.10"};
	static const char *const v6[] = {"fd00:150::11"};
	static const char *const n2v4[] = {"192.168.150.11"};
	char buf[BUFSZ], *canon = NULL;
	struct hostent h;
	int e, he;
	int32_t ttl = -1;

	/* AF_UNSPEC to gethostbyname3_r means AF_INET */
	assert_int_equal(gh3("node1", AF_UNSPEC, &h, buf, sizeof(buf), &e, &he, &ttl, &canon),
			 NSS_STATUS_SUCCESS);
	check_hostent(&h, AF_INET, "node1", v4, 2);
	assert_string_equal(canon, "node1");
	/* nscd caches for this long: 30 s, the leases last longer (resolver/ttl.c) */
	assert_int_equal(ttl, 30);
	assert_int_equal(gh2("node1", AF_INET, &h, buf, sizeof(buf), &e, &he), NSS_STATUS_SUCCESS);
	check_hostent(&h, AF_INET, "node1", v4, 2);
	assert_true(has_alias(&h, "node1.lab.test"));
	assert_true(has_alias(&h, "node1.cluster.test"));
	assert_int_equal(gh1("node2-dhcp", &h, buf, sizeof(buf), &e, &he), NSS_STATUS_SUCCESS);
	check_hostent(&h, AF_INET, "node2", n2v4, 1);
	assert_true(has_alias(&h, "node2-dhcp"));
	assert_int_equal(gh2("node2", AF_INET6, &h, buf, sizeof(buf), &e, &he), NSS_STATUS_SUCCESS);
	check_hostent(&h, AF_INET6, "node2", v6, 1);
	/* node1 has no IPv6 lease: no data for that family */
	assert_int_equal(gh2("node1", AF_INET6, &h, buf, sizeof(buf), &e, &he),
			 NSS_STATUS_NOTFOUND);
	assert_int_equal(he, NO_DATA);
	assert_int_equal(gh2("nosuchguest", AF_INET, &h, buf, sizeof(buf), &e, &he),
			 NSS_STATUS_NOTFOUND);
	assert_int_equal(he, HOST_NOT_FOUND);
}

static void test_gethostbyaddr(void **state)
{
	static const char *const want[] = {"192.168.150.11"};
	static const char *const want6[] = {"fd00:150::11"};
	char buf[BUFSZ];
	struct hostent h;
	struct in_addr a4;
	struct in6_addr a6;
	int e, he;

	inet_pton(AF_INET, "192.168.150.11", &a4);
	assert_int_equal(gha2(&a4, sizeof(a4), AF_INET, &h, buf, sizeof(buf), &e, &he, NULL),
			 NSS_STATUS_SUCCESS);
	check_hostent(&h, AF_INET, "node2", want, 1);
	assert_true(has_alias(&h, "node2-dhcp"));
	inet_pton(AF_INET6, "fd00:150::11", &a6);
	assert_int_equal(gha1(&a6, sizeof(a6), AF_INET6, &h, buf, sizeof(buf), &e, &he),
			 NSS_STATUS_SUCCESS);
	check_hostent(&h, AF_INET6, "node2", want6, 1);
	/* the stopped guest's address is not answered */
	inet_pton(AF_INET, "192.168.150.19", &a4);
	assert_int_equal(gha1(&a4, sizeof(a4), AF_INET, &h, buf, sizeof(buf), &e, &he),
			 NSS_STATUS_NOTFOUND);
	assert_int_equal(he, HOST_NOT_FOUND);
	/* a wrong length is refused, not read past */
	assert_int_equal(gha1(&a4, 3, AF_INET, &h, buf, sizeof(buf), &e, &he), NSS_STATUS_UNAVAIL);
}

/* ---- the poisoned-buffer sweep -------------------------------------------------- */

enum call { C4, C3, C2_6, CADDR };

static enum nss_status call(enum call c, char *buf, size_t len, int *e, int *he)
{
	struct gaih_addrtuple *pat = NULL;
	struct hostent h;
	struct in_addr a4;

	switch (c) {
	case C4:
		return gh4("node1", &pat, buf, len, e, he, NULL);
	case C3:
		return gh3("node1", AF_INET, &h, buf, len, e, he, NULL, NULL);
	case C2_6:
		return gh2("node2-dhcp", AF_INET6, &h, buf, len, e, he);
	case CADDR:
	default:
		inet_pton(AF_INET, "192.168.150.11", &a4);
		return gha1(&a4, sizeof(a4), AF_INET, &h, buf, len, e, he);
	}
}

static void test_buffer_sweep(void **state)
{
	for (enum call c = C4; c <= CADDR; c++) {
		bool ok = false;
		for (size_t len = 0; len < BUFSZ && !ok; len++) {
			/* the buffer sits at the end of a poisoned area: a write past
			 * len lands in the guard bytes */
			static unsigned char area[BUFSZ + 64];
			int e = 0, he = 0;
			memset(area, POISON, sizeof(area));
			enum nss_status st = call(c, (char *)area, len, &e, &he);
			for (size_t k = len; k < sizeof(area); k++)
				if (area[k] != POISON)
					fail_msg(
					    "call %d, buflen %zu: byte %zu written past buflen", c,
					    len, k);
			if (st == NSS_STATUS_SUCCESS) {
				ok = true;
			} else {
				assert_int_equal(st, NSS_STATUS_TRYAGAIN);
				assert_int_equal(e, ERANGE);
				assert_int_equal(he, NETDB_INTERNAL);
			}
		}
		assert_true(ok);
	}
}

static void test_unavail(void **state)
{
	char buf[BUFSZ], missing[300];
	struct gaih_addrtuple *pat = NULL;
	int e = 0, he = 0;

	snprintf(missing, sizeof(missing), "%s/no-such-dir", tmpdir);
	setenv("LIBVIRT_CLUSTER_LEASE_DIR", missing, 1);
	assert_int_equal(gh4("node1", &pat, buf, sizeof(buf), &e, &he, NULL), NSS_STATUS_UNAVAIL);
	setenv("LIBVIRT_CLUSTER_LEASE_DIR", lease_dir, 1);
	assert_int_equal(gh4("node1", &pat, buf, sizeof(buf), &e, &he, NULL), NSS_STATUS_SUCCESS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_gh4_external_first),
	    cmocka_unit_test(test_gh4_both_families),
	    cmocka_unit_test(test_gh4_fqdn),
	    cmocka_unit_test(test_gh4_record_only),
	    cmocka_unit_test(test_gh4_dhcp_only),
	    cmocka_unit_test(test_gh4_notfound),
	    cmocka_unit_test(test_gh4_pat_honoured),
	    cmocka_unit_test(test_errno_preserved),
	    cmocka_unit_test(test_h_errno_success),
	    cmocka_unit_test(test_gh3_gh2_gh1),
	    cmocka_unit_test(test_gethostbyaddr),
	    cmocka_unit_test(test_buffer_sweep),
	    cmocka_unit_test(test_unavail),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
