/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The strict pull parser behind .status and .macs. */
#include <stdlib.h>
#include <string.h>

#include "resolver/json.h"
#include "tests/unit/unit.h"

/* Parse one string token from src; returns the parser's verdict. */
static bool str(const char *src, char *out, size_t size, size_t *len, bool *trunc)
{
	struct json_cursor c;
	json_init(&c, src, strlen(src));
	return json_string(&c, out, size, len, trunc);
}

static void test_string_plain(void **state)
{
	char out[64];
	size_t len = 0;
	bool trunc = true;

	assert_true(str("  \"node1\" ", out, sizeof(out), &len, &trunc));
	assert_string_equal(out, "node1");
	assert_int_equal(len, 5);
	assert_false(trunc);
	assert_true(str("\"\"", out, sizeof(out), &len, &trunc));
	assert_string_equal(out, "");
	assert_int_equal(len, 0);
}

static void test_string_escapes(void **state)
{
	char out[64];
	size_t len;
	bool trunc;

	assert_true(str("\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\"", out, sizeof(out), &len, &trunc));
	assert_string_equal(out, "a\"b\\c/d\be\ff\ng\rh\ti");
	assert_int_equal(len, strlen("a\"b\\c/d\be\ff\ng\rh\ti"));
	/* \u: one, two and three UTF-8 bytes */
	assert_true(str("\"\\u0041\\u00e9\\u20AC\"", out, sizeof(out), &len, &trunc));
	assert_string_equal(out, "A\xc3\xa9\xe2\x82\xac");
	assert_int_equal(len, 6);
	/* unknown escapes and short \u are errors */
	assert_false(str("\"\\x41\"", out, sizeof(out), NULL, NULL));
	assert_false(str("\"\\u12\"", out, sizeof(out), NULL, NULL));
	assert_false(str("\"\\u12g4\"", out, sizeof(out), NULL, NULL));
	assert_false(str("\"abc\\", out, sizeof(out), NULL, NULL));
}

static void test_string_surrogates(void **state)
{
	char out[64];
	size_t len;
	bool trunc;

	/* U+1F600 as a surrogate pair: four UTF-8 bytes */
	assert_true(str("\"x\\ud83d\\ude00y\"", out, sizeof(out), &len, &trunc));
	assert_string_equal(out, "x\xf0\x9f\x98\x80y");
	assert_int_equal(len, 6);
	/* U+10FFFF, the last code point */
	assert_true(str("\"\\uDBFF\\uDFFF\"", out, sizeof(out), &len, &trunc));
	assert_string_equal(out, "\xf4\x8f\xbf\xbf");
	/* a lone high surrogate, one followed by a non-surrogate, a lone low one */
	assert_false(str("\"\\ud83d\"", out, sizeof(out), NULL, NULL));
	assert_false(str("\"\\ud83dx\"", out, sizeof(out), NULL, NULL));
	assert_false(str("\"\\ud83d\\u0041\"", out, sizeof(out), NULL, NULL));
	assert_false(str("\"\\ude00\"", out, sizeof(out), NULL, NULL));
}

static void test_string_control_chars(void **state)
{
	char out[16];
	char raw[] = "\"a?b\"";

	/* every raw byte below 0x20 is rejected inside a string */
	for (int ch = 0; ch < 0x20; ch++) {
		struct json_cursor c;
		raw[2] = (char)ch;
		json_init(&c, raw, sizeof(raw) - 1);
		assert_false(json_string(&c, out, sizeof(out), NULL, NULL));
	}
	/* DEL and high bytes are plain string content in JSON */
	assert_true(str("\"a\x7f\xc3\xa9\"", out, sizeof(out), NULL, NULL));
	assert_string_equal(out, "a\x7f\xc3\xa9");
}

static void test_string_nul_escape(void **state)
{
	char out[16];

	/* \u0000 would cut a name short: the string is refused */
	assert_false(str("\"c1\\u0000.evil\"", out, sizeof(out), NULL, NULL));
	assert_false(str("\"\\u0000\"", out, sizeof(out), NULL, NULL));
}

static void test_string_unterminated(void **state)
{
	char out[16];

	assert_false(str("\"abc", out, sizeof(out), NULL, NULL));
	assert_false(str("abc\"", out, sizeof(out), NULL, NULL));
	assert_false(str("", out, sizeof(out), NULL, NULL));
}

static void test_string_truncated(void **state)
{
	char out[4];
	size_t len = 0;
	bool trunc = false;
	struct json_cursor c;
	const char *src = "\"abcdefgh\",1";

	json_init(&c, src, strlen(src));
	assert_true(json_string(&c, out, sizeof(out), &len, &trunc));
	assert_true(trunc);
	assert_int_equal(len, 8);		      /* the full length, though only part fits */
	assert_int_equal(out[sizeof(out) - 1], '\0'); /* terminated within size */
	/* the whole token was consumed */
	assert_true(json_accept(&c, ','));
	/* exactly size-1 bytes fit */
	assert_true(str("\"abc\"", out, sizeof(out), &len, &trunc));
	assert_false(trunc);
	assert_string_equal(out, "abc");
	/* no output buffer: validate and skip */
	assert_true(str("\"abc\\n\"", NULL, 0, &len, NULL));
	assert_int_equal(len, 4);
}

static void test_int(void **state)
{
	static const struct {
		const char *src;
		bool ok;
		int64_t v;
	} cases[] = {
	    {"0", true, 0},
	    {"1795781219", true, 1795781219},
	    {" -42 ", true, -42},
	    {"9223372036854775807", true, INT64_MAX},
	    {"9223372036854775808", false, 0},
	    {"99999999999999999999", false, 0},
	    {"-", false, 0},
	    {"", false, 0},
	    {"1.5", false, 0},
	    {"1e3", false, 0},
	    {"1E3", false, 0},
	    {"\"5\"", false, 0},
	    {"true", false, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct json_cursor c;
		int64_t v = -7;
		json_init(&c, cases[i].src, strlen(cases[i].src));
		bool ok = json_int(&c, &v);
		if (ok != cases[i].ok)
			fail_msg("json_int(\"%s\") = %d, expected %d", cases[i].src, ok,
				 cases[i].ok);
		if (ok)
			assert_int_equal(v, cases[i].v);
	}
}

/* Skip one value and require that only whitespace follows. */
static bool skip_all(const char *src)
{
	struct json_cursor c;
	json_init(&c, src, strlen(src));
	return json_skip_value(&c, 0) && json_at_end(&c);
}

/* json_plain_int, read straight on the bytes, takes no number json_int
 * would read otherwise: the same value and the same end, for random runs
 * of digits (an expiry's ten among them) and what may follow a number.
 * Each string is read where it ends, and inside a longer buffer. */
static void test_plain_int_like_json_int(void **state)
{
	char buf[40];
	unsigned seed = 5;

	(void)state;
	for (int i = 0; i < 100000; i++) {
		size_t len = 1 + (seed = seed * 1103515245 + 12345) % 24;
		for (size_t k = 0; k < len; k++) {
			unsigned x = ((seed = seed * 1103515245 + 12345) >> 16) % 40;
			buf[k] = x < 30 ? (char)('0' + x % 10) : "-.eE ,}x\n0"[x - 30];
		}
		for (size_t cut = len; cut >= len - 1 && cut > 0; cut--) {
			struct json_cursor c;
			int64_t a = 0, b = 0;
			const char *e = json_plain_int(buf, buf + cut, &a);
			json_init(&c, buf, cut);
			if (!e)
				continue;			      /* left to json_int */
			assert_true(buf[0] != ' ' && buf[0] != '\n'); /* json_int would skip it */
			assert_true(json_int(&c, &b));
			assert_true(a == b);
			assert_ptr_equal(e, c.p);
		}
	}
}

static void test_skip_values(void **state)
{
	assert_true(skip_all("1"));
	assert_true(skip_all("-0"));
	assert_true(skip_all("1.5e+3"));
	assert_true(skip_all("-2.25E-7"));
	assert_true(skip_all("true"));
	assert_true(skip_all("false"));
	assert_true(skip_all("null"));
	assert_true(skip_all("\"x\\u00e9\""));
	assert_true(skip_all("[]"));
	assert_true(skip_all("{}"));
	assert_true(skip_all(" [1, \"a\", {\"k\": [null, {}]}, -3.5] "));
	assert_true(skip_all("{\"a\": {\"b\": {\"c\": []}}, \"d\": false}"));

	assert_false(skip_all("tru"));
	assert_false(skip_all("nul"));
	assert_false(skip_all("True"));
	assert_false(skip_all("-"));
	assert_false(skip_all("+1"));
	assert_false(skip_all(".5"));
	assert_false(skip_all("[1,]"));
	assert_false(skip_all("[,1]"));
	assert_false(skip_all("[1 2]"));
	assert_false(skip_all("{\"a\" 1}"));
	assert_false(skip_all("{\"a\": 1,}"));
	assert_false(skip_all("{a: 1}"));
	assert_false(skip_all("{\"a\": }"));
	assert_false(skip_all("[1"));
	assert_false(skip_all("{\"a\": [1}"));
	assert_false(skip_all(""));
}

static void test_skip_numbers_strict(void **state)
{
	/* what is not a JSON number must not pass as one, even when skipped */
	assert_false(skip_all("1.2.3"));
	assert_false(skip_all("1e"));
	assert_false(skip_all("1e+"));
	assert_false(skip_all("1."));
	assert_false(skip_all("1-2"));
	assert_false(skip_all("1ee5"));
	assert_false(skip_all("[1.2.3]"));
	assert_false(skip_all("[1e]"));
	assert_true(skip_all("[0.5, 10, -1e9, 2E+2]"));
}

/* n nested arrays around a number. */
static char *nested(int n)
{
	char *s = malloc((size_t)n * 2 + 2);
	assert_non_null(s);
	memset(s, '[', (size_t)n);
	s[n] = '1';
	memset(s + n + 1, ']', (size_t)n);
	s[2 * n + 1] = '\0';
	return s;
}

static void test_depth_limit(void **state)
{
	char *s;

	/* the value at depth JSON_MAX_DEPTH is the deepest accepted */
	s = nested(JSON_MAX_DEPTH);
	assert_true(skip_all(s));
	free(s);
	s = nested(JSON_MAX_DEPTH + 1);
	assert_false(skip_all(s));
	free(s);
	/* deep hostile input fails fast instead of exhausting the stack */
	s = nested(1000000);
	assert_false(skip_all(s));
	free(s);
	/* objects count too */
	char obj[JSON_MAX_DEPTH * 8 + 16] = "";
	for (int i = 0; i < JSON_MAX_DEPTH + 1; i++)
		strcat(obj, "{\"a\":");
	strcat(obj, "1");
	for (int i = 0; i < JSON_MAX_DEPTH + 1; i++)
		strcat(obj, "}");
	assert_false(skip_all(obj));
}

static void test_array_iteration(void **state)
{
	const char *src = " [ 10 , 20,30 ] ";
	struct json_cursor c;
	bool first = true;
	int64_t vals[4], v;
	size_t n = 0;
	int r;

	json_init(&c, src, strlen(src));
	while ((r = json_array_next(&c, &first)) == 1) {
		assert_true(json_int(&c, &v));
		assert_true(n < 4);
		vals[n++] = v;
	}
	assert_int_equal(r, 0);
	assert_int_equal(n, 3);
	assert_int_equal(vals[0], 10);
	assert_int_equal(vals[1], 20);
	assert_int_equal(vals[2], 30);
	assert_true(json_at_end(&c));

	/* empty array: no element */
	json_init(&c, "[ ]", 3);
	first = true;
	assert_int_equal(json_array_next(&c, &first), 0);
	/* not an array */
	json_init(&c, "{}", 2);
	first = true;
	assert_int_equal(json_array_next(&c, &first), -1);
	/* a missing comma */
	json_init(&c, "[1 2]", 5);
	first = true;
	assert_int_equal(json_array_next(&c, &first), 1);
	assert_true(json_int(&c, &v));
	assert_int_equal(json_array_next(&c, &first), -1);
}

static void test_object_iteration(void **state)
{
	const char *src = "{\"ip-address\": \"192.168.150.10\", \"a-very-long-key-name\": 1, "
			  "\"n\": 2}";
	struct json_cursor c;
	bool first = true;
	char key[8], val[32];
	int64_t v;

	json_init(&c, src, strlen(src));
	assert_int_equal(json_object_next(&c, &first, key, sizeof(key)), 1);
	/* an over-long key reads as no key at all (an unknown key) */
	assert_string_equal(key, "");
	assert_true(json_string(&c, val, sizeof(val), NULL, NULL));
	assert_string_equal(val, "192.168.150.10");
	assert_int_equal(json_object_next(&c, &first, key, sizeof(key)), 1);
	assert_string_equal(key, "");
	assert_true(json_int(&c, &v));
	assert_int_equal(v, 1);
	assert_int_equal(json_object_next(&c, &first, key, sizeof(key)), 1);
	assert_string_equal(key, "n");
	assert_true(json_int(&c, &v));
	assert_int_equal(v, 2);
	assert_int_equal(json_object_next(&c, &first, key, sizeof(key)), 0);
	assert_true(json_at_end(&c));

	/* a key that is not a string, a missing colon */
	json_init(&c, "{1: 2}", 6);
	first = true;
	assert_int_equal(json_object_next(&c, &first, key, sizeof(key)), -1);
	json_init(&c, "{\"k\" 2}", 7);
	first = true;
	assert_int_equal(json_object_next(&c, &first, key, sizeof(key)), -1);
}

static void test_trailing_garbage(void **state)
{
	struct json_cursor c;
	const char *src = "[] x";

	json_init(&c, src, strlen(src));
	assert_true(json_skip_value(&c, 0));
	assert_false(json_at_end(&c));
	assert_false(skip_all("[]]"));
	assert_false(skip_all("{}{}"));
	assert_false(skip_all("1 2"));
	assert_true(skip_all("[] \n\t\r "));
	/* a NUL byte after the value is garbage, not an end */
	json_init(&c, "[]\0", 3);
	assert_true(json_skip_value(&c, 0));
	assert_false(json_at_end(&c));
}

static void test_peek_accept(void **state)
{
	struct json_cursor c;

	json_init(&c, "  ,x", 4);
	assert_true(json_peek(&c, ','));
	assert_false(json_peek(&c, 'x'));
	assert_true(json_accept(&c, ','));
	assert_false(json_accept(&c, ','));
	assert_true(json_accept(&c, 'x'));
	assert_true(json_at_end(&c));
	assert_false(json_peek(&c, 'x'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_string_plain),
	    cmocka_unit_test(test_string_escapes),
	    cmocka_unit_test(test_string_surrogates),
	    cmocka_unit_test(test_string_control_chars),
	    cmocka_unit_test(test_string_nul_escape),
	    cmocka_unit_test(test_string_unterminated),
	    cmocka_unit_test(test_string_truncated),
	    cmocka_unit_test(test_int),
	    cmocka_unit_test(test_plain_int_like_json_int),
	    cmocka_unit_test(test_skip_values),
	    cmocka_unit_test(test_skip_numbers_strict),
	    cmocka_unit_test(test_depth_limit),
	    cmocka_unit_test(test_array_iteration),
	    cmocka_unit_test(test_object_iteration),
	    cmocka_unit_test(test_trailing_garbage),
	    cmocka_unit_test(test_peek_accept),
	};
	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
