/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /etc/libvirt-cluster.conf: what the module uses and what doctor reports. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "resolver/resolver.h"
#include "tests/unit/unit.h"

#define MAX_ISSUES 64

struct issues {
	struct lc_config_issue is[MAX_ISSUES];
	size_t n;
	struct lc_config cfg;
	char *dir;
};

static void collect(const struct lc_config_issue *issue, void *userdata)
{
	struct issues *s = userdata;
	assert_true(s->n < MAX_ISSUES);
	s->is[s->n++] = *issue;
}

static int setup(void **state)
{
	struct issues *s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	lc_config_defaults(&s->cfg);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct issues *s = *state;
	lc_config_free(&s->cfg);
	unit_rmrf(s->dir);
	free(s->dir);
	free(s);
	return 0;
}

static void parse(struct issues *s, const char *text)
{
	lc_config_free(&s->cfg);
	s->n = 0;
	assert_int_equal(lc_config_parse(text, strlen(text), &s->cfg, collect, s), 0);
}

/* The issue reported for line, with a message containing what. */
static void assert_issue(struct issues *s, unsigned line, const char *what)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->is[i].line == line && strstr(s->is[i].message, what))
			return;
	fail_msg("no issue on line %u mentioning \"%s\" (%zu issues)", line, what, s->n);
}

static void assert_defaults(const struct lc_config *c)
{
	assert_int_equal(c->n_domains, 0);
	assert_int_equal(c->n_prefer, 0);
	assert_int_equal(c->n_leases, 0);
	assert_int_equal(c->renew_after, 20);
	assert_int_equal(c->renew_tries, 3);
	assert_null(c->renew_command);
	assert_true(c->resolved);
	assert_false(c->fail_hard);
	assert_false(c->debug);
}

static void test_defaults(void **state)
{
	struct issues *s = *state;

	parse(s, "");
	assert_defaults(&s->cfg);
	assert_int_equal(s->n, 0);
	parse(s, "\n\n   \n\t\n# only comments\n");
	assert_defaults(&s->cfg);
	assert_int_equal(s->n, 0);
}

static void test_lists(void **state)
{
	struct issues *s = *state;

	parse(s, "domains = cluster.test .Lab.Example.\n"
		 "prefer = ext, int\tmgmt\n"
		 "leases = /var/lib/misc/dnsmasq.leases,/srv/lxd/dnsmasq.leases\n");
	assert_int_equal(s->n, 0);
	/* suffixes: lower-case, no dots at either end */
	assert_int_equal(s->cfg.n_domains, 2);
	assert_string_equal(s->cfg.domains[0], "cluster.test");
	assert_string_equal(s->cfg.domains[1], "lab.example");
	/* network names are taken as written */
	assert_int_equal(s->cfg.n_prefer, 3);
	assert_string_equal(s->cfg.prefer[0], "ext");
	assert_string_equal(s->cfg.prefer[1], "int");
	assert_string_equal(s->cfg.prefer[2], "mgmt");
	assert_int_equal(s->cfg.n_leases, 2);
	assert_string_equal(s->cfg.leases[0], "/var/lib/misc/dnsmasq.leases");
	assert_string_equal(s->cfg.leases[1], "/srv/lxd/dnsmasq.leases");
}

static void test_list_limits(void **state)
{
	struct issues *s = *state;
	char text[4000] = "domains =";

	for (int i = 0; i < LC_CONF_MAX_LIST + 3; i++) {
		char w[32];
		snprintf(w, sizeof(w), " d%d.test", i);
		strcat(text, w);
	}
	strcat(text, "\nprefer = ext\n");
	parse(s, text);
	assert_int_equal(s->cfg.n_domains, LC_CONF_MAX_LIST);
	assert_string_equal(s->cfg.domains[0], "d0.test");
	assert_string_equal(s->cfg.domains[LC_CONF_MAX_LIST - 1], "d31.test");
	assert_issue(s, 1, "more than");
	/* the next line still counts */
	assert_int_equal(s->cfg.n_prefer, 1);

	/* a lone dot is an empty domain */
	parse(s, "domains = . ok.test ..\n");
	assert_int_equal(s->cfg.n_domains, 1);
	assert_string_equal(s->cfg.domains[0], "ok.test");
	assert_issue(s, 1, "empty");
}

static void test_comments(void **state)
{
	struct issues *s = *state;

	parse(s, "# a comment\n"
		 "   # an indented comment\n"
		 "domains = a.test # the cluster\n"
		 "prefer=ext#no space before the comment\n"
		 "resolved = no   # off here\n");
	assert_int_equal(s->n, 0);
	assert_int_equal(s->cfg.n_domains, 1);
	assert_string_equal(s->cfg.domains[0], "a.test");
	assert_int_equal(s->cfg.n_prefer, 1);
	assert_string_equal(s->cfg.prefer[0], "ext");
	assert_false(s->cfg.resolved);
}

static void test_issues_with_line_numbers(void **state)
{
	struct issues *s = *state;

	parse(s, "# header\n"					       /* 1 */
		 "colour = blue\n"				       /* 2 unknown key */
		 "this line has no equals sign\n"		       /* 3 */
		 "domains = ok.test\n"				       /* 4 fine */
		 "renew_after = 99999\n"			       /* 5 out of range */
		 "\n"						       /* 6 */
		 "resolved = maybe\n"				       /* 7 not a bool */
		 "leases = relative/dnsmasq.leases /abs/ok.leases\n"); /* 8 */
	assert_issue(s, 2, "colour");
	assert_issue(s, 3, "key = value");
	assert_issue(s, 5, "renew_after");
	assert_issue(s, 7, "resolved");
	assert_issue(s, 8, "relative/dnsmasq.leases");
	assert_int_equal(s->n, 5);
	/* bad lines are ignored, good ones kept */
	assert_int_equal(s->cfg.n_domains, 1);
	assert_string_equal(s->cfg.domains[0], "ok.test");
	assert_int_equal(s->cfg.renew_after, 20);
	assert_true(s->cfg.resolved);
	/* a relative lease path would be read relative to the cwd of whatever
	 * process resolves a name: reported, and not used */
	assert_int_equal(s->cfg.n_leases, 1);
	assert_string_equal(s->cfg.leases[0], "/abs/ok.leases");
}

static void test_no_callback(void **state)
{
	struct lc_config c;
	const char *text = "bogus\nx = y\nrenew_tries = 7\n";

	/* issues are optional to collect */
	assert_int_equal(lc_config_parse(text, strlen(text), &c, NULL, NULL), 0);
	assert_int_equal(c.renew_tries, 7);
	lc_config_free(&c);
}

static void test_bools(void **state)
{
	struct issues *s = *state;
	static const char *yes[] = {"yes", "true", "on", "1"};
	static const char *no[] = {"no", "false", "off", "0"};
	char text[128];

	for (size_t i = 0; i < 4; i++) {
		snprintf(text, sizeof(text), "resolved = %s\nfail_hard = %s\ndebug=%s\n", no[i],
			 yes[i], yes[i]);
		parse(s, text);
		assert_int_equal(s->n, 0);
		assert_false(s->cfg.resolved);
		assert_true(s->cfg.fail_hard);
		assert_true(s->cfg.debug);
	}
	parse(s, "fail_hard = yep\ndebug = 2\nresolved =\n");
	assert_int_equal(s->n, 3);
	assert_issue(s, 1, "fail_hard");
	assert_issue(s, 2, "debug");
	assert_issue(s, 3, "resolved");
	assert_false(s->cfg.fail_hard);
	assert_false(s->cfg.debug);
	assert_true(s->cfg.resolved);
}

static void test_numbers(void **state)
{
	struct issues *s = *state;

	parse(s, "renew_after = 0\nrenew_tries = 100\n");
	assert_int_equal(s->n, 0);
	assert_int_equal(s->cfg.renew_after, 0);
	assert_int_equal(s->cfg.renew_tries, 100);
	parse(s, "renew_after = 3600\nrenew_tries = 0\n");
	assert_int_equal(s->n, 0);
	assert_int_equal(s->cfg.renew_after, 3600);
	assert_int_equal(s->cfg.renew_tries, 0);

	static const char *bad[] = {"3601", "-1", "10s", "", "1e3", "99999999999999999999", "0x10"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "renew_after = %s\nrenew_tries = %s\n", bad[i],
			 bad[i]);
		parse(s, text);
		if (s->n != 2)
			fail_msg("\"%s\": %zu issues, expected 2", bad[i], s->n);
		assert_issue(s, 1, "renew_after");
		assert_issue(s, 2, "renew_tries");
		assert_int_equal(s->cfg.renew_after, 20);
		assert_int_equal(s->cfg.renew_tries, 3);
	}
	parse(s, "renew_tries = 101\n");
	assert_issue(s, 1, "renew_tries");
	assert_int_equal(s->cfg.renew_tries, 3);
}

static void test_strings_and_whitespace(void **state)
{
	struct issues *s = *state;

	parse(s, "  renew_command =   /usr/bin/udhcpc -i eth0 -n -q  \r\n"
		 "\tresolved\t=\toff\r\n"
		 "domains = a.test\r\n");
	assert_int_equal(s->n, 0);
	assert_string_equal(s->cfg.renew_command, "/usr/bin/udhcpc -i eth0 -n -q");
	assert_false(s->cfg.resolved);
	assert_int_equal(s->cfg.n_domains, 1);
	assert_string_equal(s->cfg.domains[0], "a.test");
	/* an empty command is the built-in default; the last line needs no newline */
	parse(s, "renew_command = /bin/x\nrenew_command =");
	assert_null(s->cfg.renew_command);
}

static void test_long_and_nul_lines(void **state)
{
	struct issues *s = *state;
	size_t n = 5000;
	char *text = malloc(n + 64);

	assert_non_null(text);
	memcpy(text, "domains = ", 10);
	memset(text + 10, 'a', n - 10);
	strcpy(text + n, "\nprefer = ext\n");
	parse(s, text);
	free(text);
	assert_issue(s, 1, "too long");
	assert_int_equal(s->cfg.n_domains, 0);
	assert_int_equal(s->cfg.n_prefer, 1);

	const char nul[] = "prefer = e\0t\nrenew_tries = 5\n";
	lc_config_free(&s->cfg);
	s->n = 0;
	assert_int_equal(lc_config_parse(nul, sizeof(nul) - 1, &s->cfg, collect, s), 0);
	assert_issue(s, 1, "NUL");
	assert_int_equal(s->cfg.n_prefer, 0);
	assert_int_equal(s->cfg.renew_tries, 5);
}

static void test_load_missing_file(void **state)
{
	struct issues *s = *state;
	char *path;

	s->dir = unit_tmpdir();
	path = unit_path(s->dir, "does-not-exist.conf");
	lc_config_free(&s->cfg);
	s->cfg.renew_after = 77; /* overwritten with the defaults */
	assert_int_equal(lc_config_load(path, &s->cfg, collect, s), 0);
	assert_defaults(&s->cfg);
	assert_int_equal(s->n, 0);
	free(path);
}

static void test_load_file(void **state)
{
	struct issues *s = *state;
	char *path;

	s->dir = unit_tmpdir();
	unit_write(s->dir, "lc.conf", "domains = cluster.test\nprefer = ext\nnope\n", (size_t)-1);
	path = unit_path(s->dir, "lc.conf");
	lc_config_free(&s->cfg);
	assert_int_equal(lc_config_load(path, &s->cfg, collect, s), 0);
	assert_int_equal(s->cfg.n_domains, 1);
	assert_string_equal(s->cfg.domains[0], "cluster.test");
	assert_int_equal(s->cfg.n_prefer, 1);
	assert_issue(s, 3, "key = value");
	free(path);

	/* a directory where the file should be is an error, not defaults */
	struct lc_config c;
	memset(&c, 0x5a, sizeof(c));
	assert_true(lc_config_load(s->dir, &c, NULL, NULL) < 0);
	assert_int_equal(c.renew_after, 0x5a5a5a5a); /* untouched */
}

static void test_free_resets(void **state)
{
	struct issues *s = *state;

	parse(s, "domains = a.test\nrenew_command = x\nfail_hard = yes\nrenew_after = 5\n");
	lc_config_free(&s->cfg);
	assert_defaults(&s->cfg);
	/* freeing twice is harmless */
	lc_config_free(&s->cfg);
	assert_defaults(&s->cfg);
}

static void test_dns_keys(void **state)
{
	struct issues *s = *state;

	/* unset by default: cluster DNS is off */
	assert_null(s->cfg.dns_server);
	assert_int_equal(s->cfg.dns_ttl, 60);
	assert_false(s->cfg.dns_all_addresses);
	parse(s, "dns_server = 192.0.2.53#5353   # the primary\n"
		 "dns_zone = .Cluster.Test.\n"
		 "dns_reverse_zones = 1.250.10.in-addr.arpa, 2.250.10.IN-ADDR.ARPA.\n"
		 "dns_key_file = /etc/libvirt-cluster/dns.key\n"
		 "dns_ttl = 30\n"
		 "dns_host_id = hv-a\n"
		 "dns_addresses = all\n");
	assert_int_equal(s->n, 0);
	assert_string_equal(s->cfg.dns_server, "192.0.2.53#5353");
	assert_string_equal(s->cfg.dns_zone, "cluster.test");
	assert_int_equal(s->cfg.n_dns_reverse_zones, 2);
	assert_string_equal(s->cfg.dns_reverse_zones[1], "2.250.10.in-addr.arpa");
	assert_string_equal(s->cfg.dns_key_file, "/etc/libvirt-cluster/dns.key");
	assert_int_equal(s->cfg.dns_ttl, 30);
	assert_string_equal(s->cfg.dns_host_id, "hv-a");
	assert_true(s->cfg.dns_all_addresses);

	/* a '#' that is no port still starts a comment there */
	parse(s, "dns_server = 2001:db8::53 #5353\ndns_server=::1#x\n");
	assert_string_equal(s->cfg.dns_server, "::1");

	/* each bad value: line, what the issue says */
	static const char *const bad[][2] = {
	    {"dns_server = ns.example.test", "ADDRESS or ADDRESS#PORT"},
	    {"dns_server = 192.0.2.1#0", "ADDRESS or ADDRESS#PORT"},
	    {"dns_zone = .", "dns_zone"},
	    {"dns_key_file = dns.key", "not an absolute path"},
	    {"dns_ttl = -1", "dns_ttl"},
	    {"dns_host_id = hv a", "dns_host_id"},
	    {"dns_addresses = some", "all or first"},
	    {"dns_colour = blue", "unknown key"},
	};
	char text[1024] = "";
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s\n", bad[i][0]);
	parse(s, text);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_issue(s, (unsigned)i + 1, bad[i][1]);
	assert_null(s->cfg.dns_server);
	assert_null(s->cfg.dns_zone);
	assert_null(s->cfg.dns_key_file);
	assert_null(s->cfg.dns_host_id);
	assert_int_equal(s->cfg.dns_ttl, 60);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

static void test_discover(void **state)
{
	struct issues *s = *state;
	char buf[80];

	parse(s, "discover_timeout = 45\n"
		 "discover_prefixes = 10.20.0.0/16, fd00:99::/64 192.168.7.9\n"
		 "discover_prefixes = 172.16.0.0/12\n");
	assert_int_equal(s->n, 0);
	assert_int_equal(s->cfg.discover_timeout, 45);
	assert_int_equal(s->cfg.n_discover_prefixes, 4);
	assert_string_equal(lc_prefix_format(&s->cfg.discover_prefixes[0], buf, sizeof(buf)),
			    "10.20.0.0/16");
	assert_string_equal(lc_prefix_format(&s->cfg.discover_prefixes[1], buf, sizeof(buf)),
			    "fd00:99::/64");
	assert_string_equal(lc_prefix_format(&s->cfg.discover_prefixes[2], buf, sizeof(buf)),
			    "192.168.7.9/32");
	assert_string_equal(lc_prefix_format(&s->cfg.discover_prefixes[3], buf, sizeof(buf)),
			    "172.16.0.0/12");

	/* a bad word loses only itself; a bad timeout keeps the default */
	parse(s, "discover_prefixes = 10.0.0.0/33 lan 10.30.0.0/16\n"
		 "discover_timeout = forever\n"
		 "discover_timeout = 100000\n");
	assert_int_equal(s->cfg.n_discover_prefixes, 1);
	assert_string_equal(lc_prefix_format(&s->cfg.discover_prefixes[0], buf, sizeof(buf)),
			    "10.30.0.0/16");
	assert_int_equal(s->cfg.discover_timeout, 300);
	assert_issue(s, 1, "\"10.0.0.0/33\" is not an address prefix");
	assert_issue(s, 1, "\"lan\" is not an address prefix");
	assert_issue(s, 2, "discover_timeout: expected seconds");
	assert_issue(s, 3, "discover_timeout: expected seconds");
	assert_int_equal(s->n, 4);

	char text[4000] = "discover_prefixes =";
	for (int i = 0; i < LC_CONF_MAX_LIST + 2; i++) {
		char w[32];
		snprintf(w, sizeof(w), " 10.%d.0.0/16", i);
		strcat(text, w);
	}
	parse(s, text);
	assert_int_equal(s->cfg.n_discover_prefixes, LC_CONF_MAX_LIST);
	assert_issue(s, 1, "more than 32 entries");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_defaults),
	    T(test_lists),
	    T(test_list_limits),
	    T(test_comments),
	    T(test_issues_with_line_numbers),
	    cmocka_unit_test(test_no_callback),
	    T(test_bools),
	    T(test_numbers),
	    T(test_strings_and_whitespace),
	    T(test_long_and_nul_lines),
	    T(test_load_missing_file),
	    T(test_load_file),
	    T(test_free_resets),
	    T(test_dns_keys),
	    T(test_discover),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
