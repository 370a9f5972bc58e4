/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Output formatting: JSON escaping and nesting, times, rules, group names,
 * and the diff that enable --dry-run prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/cli.h"
#include "cli/json-writer.h"
#include "cli/system.h"
#include "resolver/resolver.h"

static char *escaped(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cli_json_write_string(f, s);
	fclose(f);
	return buf;
}

static void check_escape(const char *in, const char *want)
{
	char *got = escaped(in);
	assert_string_equal(got, want);
	free(got);
}

static void test_escape(void **state)
{
	check_escape("node1", "\"node1\"");
	check_escape("", "\"\"");
	check_escape("a\"b", "\"a\\\"b\"");
	check_escape("back\\slash", "\"back\\\\slash\"");
	check_escape("tab\tnl\ncr\rbs\bff\f", "\"tab\\tnl\\ncr\\rbs\\bff\\f\"");
	check_escape("\x01\x1f", "\"\\u0001\\u001f\"");
	check_escape("del\x7f", "\"del\\u007f\"");
	check_escape("/", "\"/\"");
	/* Valid UTF-8 passes through: 2, 3 and 4 byte sequences. */
	check_escape("caf\xc3\xa9", "\"caf\xc3\xa9\"");
	check_escape("\xe2\x82\xac", "\"\xe2\x82\xac\"");
	check_escape("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");
	/* Anything else becomes U+FFFD, byte by byte: the output parses. */
	check_escape("\xff", "\"\\ufffd\"");
	check_escape("a\xc3", "\"a\\ufffd\"");				      /* truncated */
	check_escape("\xc0\x80", "\"\\ufffd\\ufffd\"");			      /* overlong NUL */
	check_escape("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");	      /* surrogate */
	check_escape("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* > U+10FFFF */
	check_escape("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"");	      /* overlong '/' */
}

static char *render(bool pretty, void (*fn)(struct cli_json *), bool *ret_ok)
{
	char *buf = NULL;
	size_t len = 0;
	struct cli_json j;
	FILE *f = open_memstream(&buf, &len);
	cli_json_init(&j, f, pretty);
	fn(&j);
	*ret_ok = cli_json_finish(&j);
	fclose(f);
	return buf;
}

static void doc(struct cli_json *j)
{
	cli_json_begin_object(j);
	cli_json_kv_string(j, "name", "node\"1");
	cli_json_kv_int(j, "n", -42);
	cli_json_kv_bool(j, "up", true);
	cli_json_kv_string(j, "group", NULL);
	cli_json_key(j, "empty");
	cli_json_begin_array(j);
	cli_json_end_array(j);
	cli_json_key(j, "list");
	cli_json_begin_array(j);
	cli_json_int(j, 1);
	cli_json_begin_object(j);
	cli_json_end_object(j);
	cli_json_string(j, "x");
	cli_json_end_array(j);
	cli_json_end_object(j);
}

static void unbalanced(struct cli_json *j)
{
	cli_json_begin_object(j);
	cli_json_key(j, "a");
}

static void too_many_ends(struct cli_json *j)
{
	cli_json_begin_array(j);
	cli_json_end_array(j);
	cli_json_end_array(j);
}

static void test_nesting(void **state)
{
	bool ok;
	char *s = render(false, doc, &ok);
	assert_true(ok);
	assert_string_equal(s, "{\"name\":\"node\\\"1\",\"n\":-42,\"up\":true,\"group\":null,"
			       "\"empty\":[],\"list\":[1,{},\"x\"]}\n");
	free(s);

	s = render(true, doc, &ok);
	assert_true(ok);
	assert_string_equal(s, "{\n"
			       "  \"name\": \"node\\\"1\",\n"
			       "  \"n\": -42,\n"
			       "  \"up\": true,\n"
			       "  \"group\": null,\n"
			       "  \"empty\": [],\n"
			       "  \"list\": [\n"
			       "    1,\n"
			       "    {},\n"
			       "    \"x\"\n"
			       "  ]\n"
			       "}\n");
	free(s);

	s = render(false, unbalanced, &ok);
	assert_false(ok);
	free(s);
	s = render(false, too_many_ends, &ok);
	assert_false(ok);
	free(s);
}

static void test_expiry(void **state)
{
	char b[64];
	assert_string_equal(cli_format_expiry(INT64_MAX, 1000, b, sizeof(b)), "never expires");
	assert_string_equal(cli_format_expiry(1000 + 59, 1000, b, sizeof(b)), "expires in 59s");
	assert_string_equal(cli_format_expiry(1000 + 3540, 1000, b, sizeof(b)), "expires in 59m");
	assert_string_equal(cli_format_expiry(1000 + 3 * 3600 + 300, 1000, b, sizeof(b)),
			    "expires in 3h05m");
	assert_string_equal(cli_format_expiry(1000 + 3 * 86400 + 7200, 1000, b, sizeof(b)),
			    "expires in 3d02h");
	assert_string_equal(cli_format_expiry(1000 - 7200, 1000, b, sizeof(b)),
			    "expired 2h00m ago");
	assert_string_equal(cli_format_expiry(1000, 1000, b, sizeof(b)), "expires in 0s");
}

static void test_source(void **state)
{
	char b[64];
	struct lc_host_addr a = {.source = LC_SOURCE_LEASE, .expiry = 1000 + 3540};

	assert_string_equal(cli_format_source(&a, 1000, b, sizeof(b)), "lease expires in 59m");
	a.expiry = INT64_MAX;
	assert_string_equal(cli_format_source(&a, 1000, b, sizeof(b)), "lease never expires");
	a = (struct lc_host_addr){.source = LC_SOURCE_NETNS, .seen = 1000 - 300};
	assert_string_equal(cli_format_source(&a, 1000, b, sizeof(b)), "netns, seen 5m ago");
	a.source = LC_SOURCE_AGENT;
	a.seen = 1000 - 7;
	assert_string_equal(cli_format_source(&a, 1000, b, sizeof(b)), "agent, seen 7s ago");
	a.source = LC_SOURCE_NEIGH;
	a.seen = 1000 + 60; /* the clock went back */
	assert_string_equal(cli_format_source(&a, 1000, b, sizeof(b)), "neigh, seen 0s ago");
	a.seen = 0;
	assert_string_equal(cli_format_source(&a, 1000, b, sizeof(b)), "neigh");
}

static void test_rules(void **state)
{
	assert_string_equal(cli_rule_text(LC_RULE_CLASS, -1, -1),
			    "external network before isolated");
	assert_string_equal(cli_rule_text(LC_RULE_PREFER, 0, -1),
			    "network is #1 in the config's prefer list");
	assert_string_equal(cli_rule_text(LC_RULE_NIC_ORDER, -1, 1), "NIC #2 in the domain XML");
	assert_string_equal(cli_rule_text(LC_RULE_TIEBREAK, -1, -1), "lower address (tie-break)");
}

static void test_cluster_group(void **state)
{
	char g[64];
	assert_true(cli_cluster_group("lab", g, sizeof(g)));
	assert_string_equal(g, "LAB");
	assert_true(cli_cluster_group("prod-eu.west", g, sizeof(g)));
	assert_string_equal(g, "PROD_EU_WEST");
	assert_true(cli_cluster_group("LAB_2", g, sizeof(g)));
	assert_string_equal(g, "LAB_2");
	assert_false(cli_cluster_group("9lab", g, sizeof(g)));
	assert_false(cli_cluster_group("", g, sizeof(g)));
	assert_false(cli_cluster_group("a b", g, sizeof(g)));
	assert_false(cli_cluster_group("_x", g, sizeof(g)));
	char tiny[4];
	assert_false(cli_cluster_group("long", tiny, sizeof(tiny)));
}

static void test_group_suggest(void **state)
{
	char fix[512];
	/* the fix names the valid group nearest to the one written
	 * (lc_group_suggest, tested with the records) */
	assert_string_equal(cli_metadata_fix("node3", NULL, "1st", fix, sizeof(fix)),
			    "virsh metadata node3 urn:libvirt-cluster:metadata:1 --key lc --set "
			    "'<cluster name=\"CLUSTER\" group=\"G_1ST\"/>' --live --config, then "
			    "restart the guest");
	assert_string_equal(cli_metadata_fix("node2", "lab", "db", fix, sizeof(fix)),
			    "virsh metadata node2 urn:libvirt-cluster:metadata:1 --key lc --set "
			    "'<cluster name=\"lab\" group=\"DB\"/>' --live --config, then restart "
			    "the guest");
}

static char *diff(const char *a, const char *b)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	sys_diff(f, "F", a, strlen(a), b, strlen(b));
	fclose(f);
	return buf;
}

static void test_diff(void **state)
{
	char *d = diff("a\nhosts: files dns\nc\n", "a\nhosts: files libvirt_cluster dns\nc\n");
	assert_string_equal(d, "--- F\n+++ F\n@@ -2 +2 @@\n-hosts: files dns\n"
			       "+hosts: files libvirt_cluster dns\n");
	free(d);
	d = diff("a\n", "a\nhosts: x\n");
	assert_string_equal(d, "--- F\n+++ F\n@@ -1,0 +2 @@\n+hosts: x\n");
	free(d);
	d = diff("", "hosts: x\n");
	assert_string_equal(d, "--- F\n+++ F\n@@ -0,0 +1 @@\n+hosts: x\n");
	free(d);
	d = diff("hosts: dns", "hosts: x dns");
	assert_string_equal(d,
			    "--- F\n+++ F\n@@ -1 +1 @@\n-hosts: dns\n\\ No newline at end of file\n"
			    "+hosts: x dns\n\\ No newline at end of file\n");
	free(d);
	d = diff("same\n", "same\n");
	assert_string_equal(d, "");
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape),	  cmocka_unit_test(test_nesting),
	    cmocka_unit_test(test_expiry),	  cmocka_unit_test(test_source),
	    cmocka_unit_test(test_rules),	  cmocka_unit_test(test_cluster_group),
	    cmocka_unit_test(test_group_suggest), cmocka_unit_test(test_diff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
