/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a query name is normalised to, and what is refused before any lookup. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "resolver/resolver.h"
#include "tests/unit/unit.h"

static void ok(const char *in, const char *expected)
{
	char buf[LC_NAME_MAX + 1];
	memset(buf, 0x5a, sizeof(buf));
	int r = lc_name_normalize(in, buf, sizeof(buf));
	if (r != 0)
		fail_msg("\"%s\" refused (%d), expected \"%s\"", in, r, expected);
	assert_string_equal(buf, expected);
}

static void bad(const char *in)
{
	char buf[LC_NAME_MAX + 1];
	int r = lc_name_normalize(in, buf, sizeof(buf));
	if (r != -EINVAL)
		fail_msg("\"%s\" gave %d, expected -EINVAL", in, r);
}

static void test_plain(void **state)
{
	ok("node1", "node1");
	ok("c3-host", "c3-host");
	ok("node1.lab.test", "node1.lab.test");
	ok("under_score", "under_score");
	ok("192.168.150.11", "192.168.150.11");
	ok("fd00:150::5c", "fd00:150::5c");
}

static void test_trailing_dot(void **state)
{
	ok("node1.", "node1");
	ok("node1.lab.test.", "node1.lab.test");
	/* only one: two dots leave an empty label */
	bad("node1..");
	bad("node1.lab.test..");
}

static void test_case(void **state)
{
	ok("NODE1", "node1");
	ok("Node1.Lab.TEST.", "node1.lab.test");
	ok("AZaz09-_", "azaz09-_");
}

static void test_empty_and_dots(void **state)
{
	bad("");
	bad(".");
	bad("..");
	bad("...");
	bad(".node1");
	bad("a..b");
	assert_int_equal(lc_name_normalize(NULL, (char[8]){0}, 8), -EINVAL);
}

/* Eight bytes a step where no byte is special: every kind of byte at every
 * place of a word, and around words. */
static void test_words(void **state)
{
	ok("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz");
	ok("@[`{!~AZaz@[`{!~", "@[`{!~az"
			       "az@[`{!~");
	ok("Node-0001.LAB.test", "node-0001.lab.test");
	ok("abcdefgh.ABCDEFGH.x", "abcdefgh.abcdefgh.x");
	for (size_t at = 0; at < 17; at++) {
		static const char bad_bytes[] = {' ', '\x7f', '\x80', '\xff', '\x01', '\t'};
		char name[32];
		memset(name, 'Q', 17);
		name[17] = '\0';
		for (size_t k = 0; k < sizeof(bad_bytes); k++) {
			name[at] = bad_bytes[k];
			bad(name);
		}
		/* a dot: fine inside or last (the absolute form), not first */
		name[at] = '.';
		if (at == 0) {
			bad(name);
		} else {
			char want[32];
			for (size_t i = 0; i < 17; i++)
				want[i] = name[i] == 'Q' ? 'q' : name[i];
			want[at == 16 ? 16 : 17] = '\0';
			ok(name, want);
		}
		name[at] = 'Q';
	}
}

/* A name of n bytes made of 62-byte labels. */
static char *long_name(size_t n)
{
	char *s = malloc(n + 1);
	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		s[i] = (i % 63 == 62) ? '.' : (char)('a' + i % 26);
	if (s[n - 1] == '.')
		s[n - 1] = 'z';
	s[n] = '\0';
	return s;
}

static void test_length(void **state)
{
	char buf[LC_NAME_MAX + 1];
	char *s = long_name(255);

	ok(s, s);
	/* 255 bytes plus the trailing dot is still 255 */
	char *dotted = malloc(257);
	assert_non_null(dotted);
	strcpy(dotted, s);
	strcat(dotted, ".");
	ok(dotted, s);
	free(dotted);
	free(s);
	s = long_name(256);
	bad(s);
	free(s);
	s = long_name(10000);
	bad(s);
	free(s);
	/* a buffer too small for the name */
	assert_int_equal(lc_name_normalize("node1", buf, 5), -EINVAL);
	assert_int_equal(lc_name_normalize("node1", buf, 6), 0);
	assert_string_equal(buf, "node1");
}

static void test_label_length(void **state)
{
	char label[80];

	memset(label, 'l', 63);
	label[63] = '\0';
	ok(label, label);
	strcpy(label + 63, ".test");
	ok(label, label);
	memset(label, 'l', 64);
	label[64] = '\0';
	bad(label);
	strcpy(label + 64, ".test");
	bad(label);
	char mid[90] = "a.";
	memset(mid + 2, 'm', 64);
	strcpy(mid + 66, ".b");
	bad(mid);
}

static void test_bytes(void **state)
{
	bad("caf\xc3\xa9");
	bad("\x80");
	bad("node\xff");
	bad("node 1");
	bad(" node1");
	bad("node1 ");
	bad("node1\t");
	bad("node1\n");
	bad("node\x7f");
	bad("node\x01");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain),	   cmocka_unit_test(test_words),
	    cmocka_unit_test(test_trailing_dot),   cmocka_unit_test(test_case),
	    cmocka_unit_test(test_empty_and_dots), cmocka_unit_test(test_length),
	    cmocka_unit_test(test_label_length),   cmocka_unit_test(test_bytes),
	};
	return cmocka_run_group_tests_name("name", tests, NULL, NULL);
}
