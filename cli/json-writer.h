/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A small streaming JSON writer for the CLI's --json output.  It tracks
 * nesting so callers never place commas by hand, and escapes every string
 * (control bytes, quotes, backslashes; invalid UTF-8 becomes U+FFFD so the
 * output always parses).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_JSON_MAX_DEPTH 32

struct cli_json {
	FILE *f;
	bool pretty;
	int depth;
	bool first[CLI_JSON_MAX_DEPTH]; /* nothing written yet at this level */
	bool after_key;
	bool failed; /* nesting error: too deep or unbalanced */
};

void cli_json_init(struct cli_json *j, FILE *f, bool pretty);
void cli_json_begin_object(struct cli_json *j);
void cli_json_end_object(struct cli_json *j);
void cli_json_begin_array(struct cli_json *j);
void cli_json_end_array(struct cli_json *j);
void cli_json_key(struct cli_json *j, const char *key);
void cli_json_string(struct cli_json *j, const char *s); /* NULL -> null */
void cli_json_int(struct cli_json *j, int64_t v);
void cli_json_bool(struct cli_json *j, bool v);
void cli_json_null(struct cli_json *j);
/* Shorthands for "key": value. */
void cli_json_kv_string(struct cli_json *j, const char *key, const char *s);
void cli_json_kv_int(struct cli_json *j, const char *key, int64_t v);
void cli_json_kv_bool(struct cli_json *j, const char *key, bool v);
/* Finish: newline at the end; false when the nesting was wrong. */
bool cli_json_finish(struct cli_json *j);

/* Write s as a quoted JSON string. */
void cli_json_write_string(FILE *f, const char *s);
