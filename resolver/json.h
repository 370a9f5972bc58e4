/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A strict pull parser for the little JSON that libvirt writes (.status,
 * .macs).  It validates as it goes: any syntax error, an unterminated
 * string, nesting deeper than JSON_MAX_DEPTH or trailing garbage makes the
 * caller drop the whole file.
 *
 * Public on purpose beyond the core: host/'s guest-agent client reads
 * qemu-ga's replies with it, so the project has one JSON reader. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define JSON_MAX_DEPTH 32

struct json_cursor {
	const char *p, *end;
};

void json_init(struct json_cursor *c, const char *buf, size_t len);
void json_skip_ws(struct json_cursor *c);
/* Consume ch (after whitespace); false if the next token is not ch. */
bool json_accept(struct json_cursor *c, char ch);
/* True if the next token (after whitespace) is ch; consumes nothing. */
bool json_peek(struct json_cursor *c, char ch);
/* Parse a string token, decoding escapes into out (NUL-terminated).  A
 * string longer than size-1 bytes is still consumed and validated, and
 * *ret_truncated is set.  Returns false on a syntax error. */
bool json_string(struct json_cursor *c, char *out, size_t size, size_t *ret_len,
		 bool *ret_truncated);
/* Readers of the layout libvirt writes, straight on the bytes (the fast
 * paths of lease.c and lease-status.c); NULL when the token is anything
 * else, which the cursor functions above then read.
 * A string without escapes or control bytes at p (its quote): its bytes,
 * and past its end. */
const char *json_plain_string(const char *p, const char *end, const char **ret_s, size_t *ret_n);
/* An integer of at most 18 digits, read as json_int reads it. */
const char *json_plain_int(const char *p, const char *end, int64_t *ret);
/* Whitespace.  Most tokens follow the one before at once, or after a
 * newline and an indent of spaces: those first (a byte loop over indents
 * was a fifth of a full build). */
static inline const char *json_skip_spaces(const char *p, const char *end)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* libvirt's: a newline, then an indent of up to seven spaces */
	if (end - p >= 9 && *p == '\n') {
		uint64_t w;
		memcpy(&w, p + 1, 8);
		if ((w ^= UINT64_C(0x2020202020202020))) {
			const char *q = p + 1 + (__builtin_ctzll(w) >> 3);
			if ((unsigned char)*q > ' ')
				return q;
		}
	}
#endif
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}
/* Whether the member at p (its key's opening quote) is `"lit": ` as
 * libvirt writes it: its key told, and its ':', by one compare of a fixed
 * size ("iaidx" is not "iaid").  Its value then starts at
 * p + sizeof(lit) + 3. */
#define JSON_MEMBER_IS(p, end, lit)                                                                \
	((size_t)((end) - (p)) > sizeof(lit) + 2 && !memcmp((p) + 1, lit "\": ", sizeof(lit) + 2))
/* p after a key: past the ':' and the whitespace around it (libvirt
 * writes `": "`), NULL when no ':' follows. */
static inline const char *json_plain_colon(const char *p, const char *end)
{
	if (end - p > 2 && p[0] == ':' && p[1] == ' ' && (unsigned char)p[2] > ' ')
		return p + 2;
	p = json_skip_spaces(p, end);
	if (p >= end || *p != ':')
		return NULL;
	return json_skip_spaces(p + 1, end);
}
/* An object in libvirt's layout, on the bytes: at p ('{' after any
 * whitespace), its first key's opening quote, or NULL for anything else
 * (an empty object too). */
static inline const char *json_plain_first(const char *p, const char *end)
{
	p = json_skip_spaces(p, end);
	if (p >= end || *p != '{')
		return NULL;
	p = json_skip_spaces(p + 1, end);
	return p < end && *p == '"' ? p : NULL;
}
/* After a member's value at *pp: 1 = another member follows (*pp at its
 * key's opening quote), 0 = the object ends (*pp past its '}'), -1 =
 * anything else.  libvirt's separator, `,\n    "`, is told at once. */
static inline int json_plain_after(const char **pp, const char *end)
{
	const char *p = *pp;

	if (end - p > 7 && !memcmp(p, ",\n    \"", 7)) {
		*pp = p + 6;
		return 1;
	}
	p = json_skip_spaces(p, end);
	if (p < end && *p == '}') {
		*pp = p + 1;
		return 0;
	}
	if (p >= end || *p != ',')
		return -1;
	p = json_skip_spaces(p + 1, end);
	if (p >= end || *p != '"')
		return -1;
	*pp = p;
	return 1;
}
/* An integer number token (no fraction, no exponent) that fits int64. */
bool json_int(struct json_cursor *c, int64_t *ret);
/* Any value, validated and skipped. */
bool json_skip_value(struct json_cursor *c, int depth);
/* True when only whitespace is left. */
bool json_at_end(struct json_cursor *c);

/* Iterate `[ elem, elem, ... ]`: call first with *first = true. Returns 1
 * when an element follows, 0 at `]`, -1 on a syntax error. */
int json_array_next(struct json_cursor *c, bool *first);
/* Iterate `{ "key": value, ... }`: returns 1 and the key when a member
 * follows (cursor is at the value), 0 at `}`, -1 on a syntax error. */
int json_object_next(struct json_cursor *c, bool *first, char *key, size_t key_size);
