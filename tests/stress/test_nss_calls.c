/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Every entry point of the module over the real libvirt 9.0 captures
 * (tests/fixtures/libvirt-9.0/dnsmasq, expiry moved to 2096), answers
 * checked, and every buffer length from 0 up: a short buffer must give
 * TRYAGAIN/ERANGE and nothing may be written past buflen.  Small and
 * deterministic, so it is what runs under valgrind and the sanitizers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/stress/nssload.h"

#define POISON 0xa5
#define MAXBUF 1024

static struct nss_module mod;
static int failures;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "FAIL: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	failures++;
}

/* Copy a fixture, moving the capture's 2026 expiry times to 2096 so the
 * test does not depend on today's date. */
static void copy_fixture(const char *fixtures, const char *name, const char *dst_dir)
{
	char src[1024], dst[1024], buf[65536];
	snprintf(src, sizeof(src), "%s/libvirt-9.0/dnsmasq/%s", fixtures, name);
	snprintf(dst, sizeof(dst), "%s/%s", dst_dir, name);
	int in = open(src, O_RDONLY | O_CLOEXEC);
	ssize_t n = in < 0 ? -1 : read(in, buf, sizeof(buf) - 1);
	if (n < 0) {
		perror(src);
		exit(99);
	}
	close(in);
	buf[n] = '\0';
	for (char *p = buf; (p = strstr(p, "17957812"));)
		memcpy(p, "40000000", 8);
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0 || write(out, buf, (size_t)n) != n) {
		perror(dst);
		exit(99);
	}
	close(out);
}

static bool poison_intact(const unsigned char *buf, size_t from)
{
	for (size_t i = from; i < MAXBUF + 64; i++)
		if (buf[i] != POISON)
			return false;
	return true;
}

/* gethostbyname4_r: answer as sorted text, or the status name. */
static void expect4(const char *name, const char *want)
{
	static unsigned char buf[MAXBUF + 64];
	char answer[1024];
	size_t need = 0;

	for (size_t len = 0; len <= MAXBUF; len++) {
		struct gaih_addrtuple *pat = NULL;
		int err = 0, herr = 0;
		int32_t ttl;
		memset(buf, POISON, sizeof(buf));
		errno = 4242;
		enum nss_status st = mod.byname4(name, &pat, (char *)buf, len, &err, &herr, &ttl);
		if (!poison_intact(buf, len))
			fail("gethostbyname4_r(%s, buflen %zu) wrote past buflen", name, len);
		if (st == NSS_STATUS_TRYAGAIN) {
			if (err != ERANGE || herr != NETDB_INTERNAL)
				fail("gethostbyname4_r(%s, %zu): TRYAGAIN without ERANGE", name,
				     len);
			continue;
		}
		if (st == NSS_STATUS_SUCCESS) {
			nss_tuples_format(pat, answer, sizeof(answer));
			if (errno != 4242)
				fail("gethostbyname4_r(%s) changed errno on success", name);
		} else {
			snprintf(answer, sizeof(answer), "%s", nss_status_name(st));
		}
		need = len;
		break;
	}
	if (strcmp(answer, want) != 0)
		fail("gethostbyname4_r(%s) = \"%s\", expected \"%s\"", name, answer, want);
	printf("gethostbyname4_r %-14s %-32s (fits from %zu bytes)\n", name, answer, need);
}

static void format_hostent(const struct hostent *he, char *out, size_t size)
{
	size_t l = (size_t)snprintf(out, size, "%s", he->h_name);
	for (char **a = he->h_aliases; *a && l < size; a++)
		l += (size_t)snprintf(out + l, size - l, " %s", *a);
	for (char **a = he->h_addr_list; *a && l < size; a++) {
		char s[INET6_ADDRSTRLEN];
		inet_ntop(he->h_addrtype, *a, s, sizeof(s));
		l += (size_t)snprintf(out + l, size - l, " %s", s);
	}
}

/* which: 3 = gethostbyname3_r, 2 = 2_r, 1 = gethostbyname_r (AF_INET) */
static void expect_hostent(int which, const char *name, int af, const char *want)
{
	static unsigned char buf[MAXBUF + 64];
	char answer[1024] = "";

	for (size_t len = 0; len <= MAXBUF; len++) {
		struct hostent he;
		int err = 0, herr = 0;
		int32_t ttl;
		char *canon = NULL;
		enum nss_status st;
		memset(buf, POISON, sizeof(buf));
		if (which == 3)
			st =
			    mod.byname3(name, af, &he, (char *)buf, len, &err, &herr, &ttl, &canon);
		else if (which == 2)
			st = mod.byname2(name, af, &he, (char *)buf, len, &err, &herr);
		else
			st = mod.byname(name, &he, (char *)buf, len, &err, &herr);
		if (!poison_intact(buf, len))
			fail("gethostbyname%d_r(%s, buflen %zu) wrote past buflen", which, name,
			     len);
		if (st == NSS_STATUS_TRYAGAIN && err == ERANGE)
			continue;
		if (st == NSS_STATUS_SUCCESS) {
			format_hostent(&he, answer, sizeof(answer));
			if (which == 3 && (!canon || strcmp(canon, he.h_name) != 0))
				fail("gethostbyname3_r(%s): canonical name not set", name);
		} else {
			snprintf(answer, sizeof(answer), "%s/%d", nss_status_name(st), herr);
		}
		break;
	}
	if (strcmp(answer, want) != 0)
		fail("gethostbyname%d_r(%s, %d) = \"%s\", expected \"%s\"", which, name, af, answer,
		     want);
}

static void expect_addr(int which, const char *addr, const char *want)
{
	static unsigned char buf[MAXBUF + 64];
	char answer[1024] = "";
	uint8_t bytes[16];
	int af = strchr(addr, ':') ? AF_INET6 : AF_INET;
	socklen_t alen = af == AF_INET ? 4 : 16;

	inet_pton(af, addr, bytes);
	for (size_t len = 0; len <= MAXBUF; len++) {
		struct hostent he;
		int err = 0, herr = 0;
		int32_t ttl;
		enum nss_status st;
		memset(buf, POISON, sizeof(buf));
		if (which == 2)
			st = mod.byaddr2(bytes, alen, af, &he, (char *)buf, len, &err, &herr, &ttl);
		else
			st = mod.byaddr(bytes, alen, af, &he, (char *)buf, len, &err, &herr);
		if (!poison_intact(buf, len))
			fail("gethostbyaddr%s_r(%s, buflen %zu) wrote past buflen",
			     which == 2 ? "2" : "", addr, len);
		if (st == NSS_STATUS_TRYAGAIN && err == ERANGE)
			continue;
		if (st == NSS_STATUS_SUCCESS)
			format_hostent(&he, answer, sizeof(answer));
		else
			snprintf(answer, sizeof(answer), "%s/%d", nss_status_name(st), herr);
		break;
	}
	if (strcmp(answer, want) != 0)
		fail("gethostbyaddr%s_r(%s) = \"%s\", expected \"%s\"", which == 2 ? "2" : "", addr,
		     answer, want);
}

int main(void)
{
	const char *fixtures = getenv("LC_FIXTURES");
	char dir[256], sub[300], cmd[400];
	static const char *const files[] = {"labnet.conf",	"isonet.conf",
					    "virbr-lab.macs",	"virbr-iso.macs",
					    "virbr-lab.status", "virbr-iso.status"};

	if (!fixtures) {
		fprintf(stderr, "LC_FIXTURES is not set (run from make check)\n");
		return 99;
	}
	snprintf(dir, sizeof(dir), "%s/lc-nss-calls.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return 99;
	snprintf(sub, sizeof(sub), "%s/leases", dir);
	mkdir(sub, 0755);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		copy_fixture(fixtures, files[i], sub);
	setenv("LIBVIRT_CLUSTER_LEASE_DIR", sub, 1);
	snprintf(sub, sizeof(sub), "%s/run", dir);
	setenv("LIBVIRT_CLUSTER_RUNSTATE_DIR", sub, 1);
	snprintf(sub, sizeof(sub), "%s/none.conf", dir);
	setenv("LIBVIRT_CLUSTER_CONFIG", sub, 1);
	if (nss_module_load(&mod, NULL) < 0)
		return 99;

	/* c2 and c3 are plugged into labnet (.macs); c1's NICs are not: stopped */
	expect4("c2", "192.168.150.11");
	expect4("c3", "192.168.150.12");
	expect4("c3-host", "192.168.150.12");
	expect4("C2.", "192.168.150.11");
	expect4("c2.lab.test", "192.168.150.11");
	expect4("c1", "NOTFOUND");
	expect4("c2.iso.test", "NOTFOUND");
	expect4("example.com", "NOTFOUND");
	expect4("192.168.150.12", "192.168.150.12");
	expect_hostent(3, "c3", AF_INET, "c3 c3-host c3.lab.test c3-host.lab.test 192.168.150.12");
	expect_hostent(3, "c2", AF_INET6, "NOTFOUND/4");  /* NO_DATA: the guest, no v6 lease */
	expect_hostent(3, "nope", AF_INET, "NOTFOUND/1"); /* HOST_NOT_FOUND */
	expect_hostent(2, "c2.lab.test", AF_INET, "c2 c2.lab.test 192.168.150.11");
	expect_hostent(1, "c2", AF_INET, "c2 c2.lab.test 192.168.150.11");
	expect_addr(2, "192.168.150.11", "c2 c2.lab.test 192.168.150.11");
	expect_addr(1, "192.168.150.12", "c3 c3-host c3.lab.test c3-host.lab.test 192.168.150.12");
	expect_addr(2, "192.168.160.55", "NOTFOUND/1"); /* c1: stopped */
	expect_addr(1, "fd00::1", "NOTFOUND/1");

	nss_module_unload(&mod);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return failures ? 1 : 0;
}
