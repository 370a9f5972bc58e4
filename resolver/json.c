/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "resolver/json.h"
#include "resolver/util.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

void json_init(struct json_cursor *c, const char *buf, size_t len)
{
	c->p = buf;
	c->end = buf + len;
}

static inline bool is_ws(char ch)
{
	return ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r';
}

/* The whitespace run from p on, p at a whitespace byte. */
static void skip_ws_run(struct json_cursor *c)
{
#ifdef __SSE2__
	/* libvirt pretty-prints: a newline and an indent before most tokens */
	while (c->end - c->p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)c->p);
		__m128i ws = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
						       _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))),
					  _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')),
						       _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))));
		unsigned m = ~(unsigned)_mm_movemask_epi8(ws) & 0xffff;
		if (m) {
			c->p += __builtin_ctz(m);
			return;
		}
		c->p += 16;
	}
#endif
	while (c->p < c->end && is_ws(*c->p))
		c->p++;
}

/* Inline for the common case between tokens on one line, no whitespace
 * at all: a call a token was a tenth of a full parse. */
static inline void skip_ws(struct json_cursor *c)
{
	if (c->p < c->end && is_ws(*c->p))
		skip_ws_run(c);
}

void json_skip_ws(struct json_cursor *c)
{
	skip_ws(c);
}

/* Where the plain run of a string ends: the first '"', '\\' or control
 * byte at or after p (or end). */
static inline const char *string_run_end(const char *p, const char *end)
{
#ifdef __SSE2__
	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)p);
		/* bytes < 0x20: unsigned min(v, 0x1f) == v */
		__m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
		__m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
							 _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
					    ctl);
		unsigned m = (unsigned)_mm_movemask_epi8(stop);
		if (m)
			return p + __builtin_ctz(m);
		p += 16;
	}
#endif
	while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
		p++;
	return p;
}

const char *json_plain_string(const char *p, const char *end, const char **ret_s, size_t *ret_n)
{
	const char *q = string_run_end(p + 1, end);
	if (q >= end || *q != '"')
		return NULL;
	*ret_s = p + 1;
	*ret_n = (size_t)(q - p - 1);
	return q + 1;
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Eight ASCII digits in a word, the first in its low byte: whether they
 * are, and their value (three multiplies instead of eight steps). */
static inline bool eight_digits(uint64_t w)
{
	return ((w & UINT64_C(0xf0f0f0f0f0f0f0f0)) |
		(((w + UINT64_C(0x0606060606060606)) & UINT64_C(0xf0f0f0f0f0f0f0f0)) >> 4)) ==
	       UINT64_C(0x3333333333333333);
}

static inline uint64_t eight_digits_value(uint64_t w)
{
	w = (w & UINT64_C(0x0f0f0f0f0f0f0f0f)) * 2561 >> 8;
	w = (w & UINT64_C(0x00ff00ff00ff00ff)) * 6553601 >> 16;
	return (w & UINT64_C(0x0000ffff0000ffff)) * UINT64_C(42949672960001) >> 32;
}
#endif

const char *json_plain_int(const char *p, const char *end, int64_t *ret)
{
	bool neg = p < end && *p == '-';
	const char *s = p + neg, *q = s;
	uint64_t v = 0;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* an expiry time has ten digits: the first eight at once */
	if (end - q >= 8) {
		uint64_t w;
		memcpy(&w, q, 8);
		if (eight_digits(w)) {
			v = eight_digits_value(w);
			q += 8;
			/* and its last two, when no third follows (the loop
			 * below then stops at once) */
			if (end - q >= 3 && (unsigned)(q[0] - '0') < 10 &&
			    (unsigned)(q[1] - '0') < 10 && (unsigned)(q[2] - '0') >= 10) {
				v = v * 100 + (uint64_t)(q[0] - '0') * 10 + (uint64_t)(q[1] - '0');
				q += 2;
			}
		}
	}
#endif
	for (; q < end && (unsigned)(*q - '0') < 10 && q - s <= 18; q++)
		v = v * 10 + (uint64_t)(*q - '0');
	if (q == s || q - s > 18 || (q < end && (*q == '.' || *q == 'e' || *q == 'E')))
		return NULL;
	*ret = neg ? -(int64_t)v : (int64_t)v;
	return q;
}

bool json_peek(struct json_cursor *c, char ch)
{
	skip_ws(c);
	return c->p < c->end && *c->p == ch;
}

bool json_accept(struct json_cursor *c, char ch)
{
	if (!json_peek(c, ch))
		return false;
	c->p++;
	return true;
}

bool json_at_end(struct json_cursor *c)
{
	skip_ws(c);
	return c->p == c->end;
}

static size_t put_utf8(char *buf, uint32_t cp)
{
	if (cp < 0x80) {
		buf[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		buf[0] = (char)(0xc0 | (cp >> 6));
		buf[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		buf[0] = (char)(0xe0 | (cp >> 12));
		buf[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		buf[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	buf[0] = (char)(0xf0 | (cp >> 18));
	buf[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	buf[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	buf[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Four hex digits of a \\u escape. */
static bool hex4(const char *p, uint32_t *ret)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		int h = lc_hex_digit(p[i]);
		if (h < 0)
			return false;
		v = v << 4 | (uint32_t)h;
	}
	*ret = v;
	return true;
}

/* The escape after a backslash, the cursor past the backslash: its UTF-8
 * bytes into tmp. */
static bool unescape(struct json_cursor *c, char tmp[4], size_t *ret_n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	uint32_t cp, lo;

	if (c->p >= c->end)
		return false;
	char e = *c->p++;
	const char *k = e ? strchr(from, e) : NULL;
	if (k) {
		tmp[0] = to[k - from];
		*ret_n = 1;
		return true;
	}
	if (e != 'u' || c->end - c->p < 4 || !hex4(c->p, &cp))
		return false;
	c->p += 4;
	if (cp >= 0xd800 && cp < 0xdc00) {
		/* a surrogate pair */
		if (c->end - c->p < 6 || c->p[0] != '\\' || c->p[1] != 'u' || !hex4(c->p + 2, &lo))
			return false;
		if (lo < 0xdc00 || lo > 0xdfff)
			return false;
		c->p += 6;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	} else if (cp >= 0xdc00 && cp <= 0xdfff) {
		return false;
	}
	if (cp == 0)
		return false; /* an embedded NUL would cut a name short */
	*ret_n = put_utf8(tmp, cp);
	return true;
}

bool json_string(struct json_cursor *c, char *out, size_t size, size_t *ret_len,
		 bool *ret_truncated)
{
	size_t len = 0;
	bool truncated = false;

	if (!json_accept(c, '"'))
		return false;
	for (;;) {
		/* Fast path: copy a run of plain bytes at once. */
		const char *run = c->p;
		c->p = string_run_end(c->p, c->end);
		size_t n = (size_t)(c->p - run);
		if (n) {
			if (out && len + n < size)
				memcpy(out + len, run, n);
			else
				truncated = true;
			len += n;
		}
		if (c->p >= c->end)
			return false;
		char ch = *c->p++;
		if (ch == '"')
			break;
		if ((unsigned char)ch < 0x20)
			return false; /* raw control characters are not JSON */
		/* an escape */
		if (c->p >= c->end)
			return false;
		char tmp[4];
		size_t tn;
		if (!unescape(c, tmp, &tn))
			return false;
		if (out && len + tn < size)
			memcpy(out + len, tmp, tn);
		else
			truncated = true;
		len += tn;
	}
	if (out && size)
		out[len < size ? len : size - 1] = '\0';
	if (ret_len)
		*ret_len = len;
	if (ret_truncated)
		*ret_truncated = truncated;
	return true;
}

bool json_int(struct json_cursor *c, int64_t *ret)
{
	bool neg = false;
	uint64_t v = 0;
	int digits = 0;

	skip_ws(c);
	if (c->p < c->end && *c->p == '-') {
		neg = true;
		c->p++;
	}
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		/* 18 digits always fit: only longer numbers need the check
		 * (an expiry time has 10) */
		if (digits >= 18 &&
		    v > (UINT64_C(9223372036854775807) - (uint64_t)(*c->p - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*c->p - '0');
		c->p++;
		digits++;
	}
	if (!digits)
		return false;
	/* a fraction or an exponent is not an expiry time */
	if (c->p < c->end && (*c->p == '.' || *c->p == 'e' || *c->p == 'E'))
		return false;
	*ret = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

/* One or more digits. */
static bool skip_digits(struct json_cursor *c)
{
	const char *start = c->p;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > start;
}

/* -digits[.digits][(e|E)[+|-]digits]: "1.2.3" or "1e" is a broken file,
 * not a number. */
static bool skip_number(struct json_cursor *c)
{
	if (c->p < c->end && *c->p == '-')
		c->p++;
	if (!skip_digits(c))
		return false;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (!skip_digits(c))
			return false;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (!skip_digits(c))
			return false;
	}
	return true;
}

static bool skip_literal(struct json_cursor *c, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0)
		return false;
	c->p += n;
	return true;
}

bool json_skip_value(struct json_cursor *c, int depth)
{
	bool first = true;
	int r;

	if (depth > JSON_MAX_DEPTH)
		return false;
	skip_ws(c);
	if (c->p >= c->end)
		return false;
	switch (*c->p) {
	case '"':
		return json_string(c, NULL, 0, NULL, NULL);
	case '[':
		while ((r = json_array_next(c, &first)) == 1)
			if (!json_skip_value(c, depth + 1))
				return false;
		return r == 0;
	case '{': {
		char key[1];
		while ((r = json_object_next(c, &first, key, sizeof(key))) == 1)
			if (!json_skip_value(c, depth + 1))
				return false;
		return r == 0;
	}
	case 't':
		return skip_literal(c, "true");
	case 'f':
		return skip_literal(c, "false");
	case 'n':
		return skip_literal(c, "null");
	default:
		return skip_number(c);
	}
}

int json_array_next(struct json_cursor *c, bool *first)
{
	/* one whitespace skip a token, as in json_object_next */
	skip_ws(c);
	if (c->p >= c->end)
		return -1;
	if (*first) {
		if (*c->p != '[')
			return -1;
		c->p++;
		*first = false;
		skip_ws(c);
		if (c->p < c->end && *c->p == ']') {
			c->p++;
			return 0;
		}
		return 1;
	}
	if (*c->p == ']') {
		c->p++;
		return 0;
	}
	if (*c->p != ',')
		return -1;
	c->p++;
	return 1;
}

int json_object_next(struct json_cursor *c, bool *first, char *key, size_t key_size)
{
	bool truncated;

	/* each call skips the whitespace once and looks at the bytes
	 * directly: four accepts a member were a fifth of a full parse */
	skip_ws(c);
	if (c->p >= c->end)
		return -1;
	if (*first) {
		if (*c->p != '{')
			return -1;
		c->p++;
		*first = false;
		skip_ws(c);
		if (c->p < c->end && *c->p == '}') {
			c->p++;
			return 0;
		}
	} else {
		if (*c->p == '}') {
			c->p++;
			return 0;
		}
		if (*c->p != ',')
			return -1;
		c->p++;
		skip_ws(c);
	}
	/* a key without escapes, the common case, is copied as it stands */
	const char *s = c->p + 1,
		   *e = c->p < c->end && *c->p == '"' ? string_run_end(s, c->end) : NULL;
	if (e && e < c->end && *e == '"') {
		size_t n = (size_t)(e - s);
		if (n < key_size) {
			memcpy(key, s, n);
			key[n] = '\0';
		} else if (key_size) {
			key[0] = '\0'; /* an over-long key is an unknown key */
		}
		c->p = e + 1;
	} else {
		if (!json_string(c, key, key_size, NULL, &truncated))
			return -1;
		if (truncated && key_size > 1)
			key[0] = '\0'; /* an over-long key is an unknown key */
	}
	skip_ws(c);
	if (c->p >= c->end || *c->p != ':')
		return -1;
	c->p++;
	return 1;
}
