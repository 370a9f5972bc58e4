/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt's <network>.conf (lease_parse_netconf): libvirt's own files, the
 * forms of its keys, and the reader against a plain one, line by line, over
 * random files (it looks for line starts 16 bytes a step, so where a line
 * falls against those steps must not matter).  lease_netconf_names, the
 * cold path's look at a file's interface= lines, against the same.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolver/lease.h"
#include "tests/unit/unit.h"

/* libvirt's own files: an isolated network and a NAT one. */
static void test_netconf_libvirt(void **state)
{
	static const struct {
		const char *file, *bridge, *domain;
		bool isolated;
	} files[] = {
	    {"libvirt-9.0/dnsmasq/isonet.conf", "virbr-iso", "iso.test", true},
	    {"libvirt-9.0/dnsmasq/labnet.conf", "virbr-lab", "lab.test", false},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		size_t len;
		char *buf = unit_fixture(files[i].file, &len);
		struct lc_netconf nc;
		assert_int_equal(lease_parse_netconf(buf, len, &nc), 0);
		free(buf);
		assert_string_equal(nc.bridge, files[i].bridge);
		assert_string_equal(nc.domain, files[i].domain);
		assert_int_equal(nc.isolated, files[i].isolated);
	}
}

static void test_netconf_domain_forms(void **state)
{
	(void)state;
	struct lc_netconf nc;
	const char *a = "interface=virbr0\ndomain=\ndhcp-option=3,192.168.1.1\n";
	const char *b = "domain=Lab.Example,192.168.150.0/24,local\ninterface=virbr1";
	const char *c = "domain=example.org\n";

	/* an empty domain= is no domain; dhcp-option=3 with a router is not isolated */
	assert_int_equal(lease_parse_netconf(a, strlen(a), &nc), 0);
	assert_string_equal(nc.bridge, "virbr0");
	assert_string_equal(nc.domain, "");
	assert_false(nc.isolated);
	/* domain=NAME,RANGE: the name, lower-cased; a last line without newline */
	assert_int_equal(lease_parse_netconf(b, strlen(b), &nc), 0);
	assert_string_equal(nc.domain, "lab.example");
	assert_string_equal(nc.bridge, "virbr1");
	/* no interface=: not a libvirt network config */
	memset(&nc, 0x5a, sizeof(nc));
	assert_int_equal(lease_parse_netconf(c, strlen(c), &nc), -EBADMSG);
	assert_int_equal((unsigned char)nc.bridge[0], 0x5a); /* untouched on failure */
	assert_int_equal(lease_parse_netconf("", 0, &nc), -EBADMSG);
}

/* The reader as it was, a memchr a line: what the fast one must equal. */
static int plain_netconf(const char *buf, size_t len, struct lc_netconf *ret)
{
	struct lc_netconf nc = {0};
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		size_t n = (size_t)(eol - p);
		if (n > 10 && !memcmp(p, "interface=", 10) && n - 10 < sizeof(nc.bridge)) {
			memcpy(nc.bridge, p + 10, n - 10);
			nc.bridge[n - 10] = '\0';
		} else if (n > 7 && !memcmp(p, "domain=", 7) && n - 7 < sizeof(nc.domain)) {
			size_t dl = n - 7;
			const char *comma = memchr(p + 7, ',', dl);
			if (comma)
				dl = (size_t)(comma - (p + 7));
			for (size_t i = 0; i < dl; i++)
				nc.domain[i] =
				    (p[7 + i] >= 'A' && p[7 + i] <= 'Z') ? p[7 + i] + 32 : p[7 + i];
			nc.domain[dl] = '\0';
		} else if (n == 13 && !memcmp(p, "dhcp-option=3", 13)) {
			nc.isolated = true;
		}
		p = eol + 1;
	}
	if (!nc.bridge[0])
		return -EBADMSG;
	*ret = nc;
	return 0;
}

/* lease_netconf_names' want(): the bridge it asks for, and how often it
 * was asked. */
struct want_one {
	const char *bridge;
	int asked;
};

static bool want_one(void *ud, const char *s, size_t n)
{
	struct want_one *w = ud;
	w->asked++;
	return strlen(w->bridge) == n && memcmp(w->bridge, s, n) == 0;
}

/* Whether some line is interface=BRIDGE, a memchr a line. */
static bool plain_names(const char *buf, size_t len, const char *bridge)
{
	const char *p = buf, *end = buf + len;
	size_t bl = strlen(bridge);

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		size_t n = (size_t)(eol - p);
		if (n > 10 && n - 10 < sizeof(((struct lc_netconf *)0)->bridge) &&
		    !memcmp(p, "interface=", 10) && n - 10 == bl && !memcmp(p + 10, bridge, bl))
			return true;
		p = eol + 1;
	}
	return false;
}

static void test_netconf_names(void **state)
{
	(void)state;
	const char *f = "domain=lab.test\ninterface=virbr1\ninterface=virbr2\ndhcp-option=3\n";
	struct want_one w = {"virbr1", 0};

	/* any interface= line, not only the last one the parse takes */
	assert_true(lease_netconf_names(f, strlen(f), want_one, &w));
	assert_int_equal(w.asked, 1);
	w = (struct want_one){"virbr2", 0};
	assert_true(lease_netconf_names(f, strlen(f), want_one, &w));
	assert_int_equal(w.asked, 2);
	w = (struct want_one){"virbr", 0};
	assert_false(lease_netconf_names(f, strlen(f), want_one, &w));
	/* the first line, and a last one without its newline */
	w = (struct want_one){"br0", 0};
	assert_true(lease_netconf_names("interface=br0", 13, want_one, &w));
	assert_false(lease_netconf_names("xinterface=br0\n interface=br0", 30, want_one, &w));
	assert_false(lease_netconf_names("", 0, want_one, &w));
}

static void test_netconf_random(void **state)
{
	static const char *const lines[] = {
	    "##WARNING:  THIS IS AN AUTO-GENERATED FILE.",
	    "strict-order",
	    "interface=virbr0",
	    "interface=virbr-lab",
	    "xinterface=wrong",
	    " interface=indented",
	    "domain=Lab.Test",
	    "domain=net0.test,10.0.0.0/24,local",
	    "domain=",
	    "dhcp-option=3",
	    "dhcp-option=3,10.0.0.1",
	    "dhcp-range=10.0.0.10,10.0.255.250,255.240.0.0",
	    "d",
	    "i",
	    "",
	    "except-interface=lo",
	    "bind-dynamic",
	    "interface=virbr0-but-a-name-longer-than-a-bridge-can-be-0123456789abcdef",
	    "ipset=/x/y",
	    "pid-file=/run/libvirt/network/default.pid-and-more-bytes-to-cross-a-vector",
	};
	static const char *const bridges[] = {"virbr0", "virbr-lab", "wrong", "indented",
					      "virbr0-but-a-name-longer-than-a-bridge-can-be-"
					      "0123456789abcdef"};
	const size_t n_lines = sizeof(lines) / sizeof(lines[0]);
	uint64_t seed = 0x9e3779b97f4a7c15u;
	char buf[2048];
	(void)state;

	for (int round = 0; round < 20000; round++) {
		size_t len = 0;
		int count = (int)(seed % 24);
		for (int i = 0; i < count; i++) {
			seed = seed * 6364136223846793005u + 1442695040888963407u;
			const char *l = lines[(seed >> 33) % n_lines];
			size_t ll = strlen(l);
			if (len + ll + 1 > sizeof(buf))
				break;
			memcpy(buf + len, l, ll);
			len += ll;
			/* a last line without its newline, now and then */
			if (i + 1 < count || (seed >> 20) % 3)
				buf[len++] = '\n';
		}
		/* some rounds cut the file anywhere: a line broken off */
		if ((seed >> 40) % 4 == 0 && len)
			len = (size_t)((seed >> 8) % len);
		struct lc_netconf fast, plain;
		memset(&fast, 0x5a, sizeof(fast));
		memset(&plain, 0x5a, sizeof(plain));
		/* a heap copy of exactly len bytes: a read past the end is ASan's */
		char *copy = malloc(len ? len : 1);
		assert_non_null(copy);
		memcpy(copy, buf, len);
		int rf = lease_parse_netconf(copy, len, &fast);
		int rp = plain_netconf(copy, len, &plain);
		for (size_t b = 0; b < sizeof(bridges) / sizeof(bridges[0]); b++) {
			struct want_one w = {bridges[b], 0};
			bool named = lease_netconf_names(copy, len, want_one, &w);
			assert_int_equal(named, plain_names(copy, len, bridges[b]));
			/* what it says no to, the parse does not give */
			if (!named && rf == 0)
				assert_string_not_equal(fast.bridge, bridges[b]);
		}
		free(copy);
		assert_int_equal(rf, rp);
		if (rf == 0) {
			assert_string_equal(fast.bridge, plain.bridge);
			assert_string_equal(fast.domain, plain.domain);
			assert_int_equal(fast.isolated, plain.isolated);
		}
		seed = seed * 6364136223846793005u + 1442695040888963407u;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_netconf_libvirt),
	    cmocka_unit_test(test_netconf_domain_forms),
	    cmocka_unit_test(test_netconf_names),
	    cmocka_unit_test(test_netconf_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
