/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the libFuzzer targets.  Each target feeds one reader of the
 * resolver core and then checks the reader's own promises (see lease.h and
 * resolver.h): a violated promise aborts, so libFuzzer records it as a
 * crash just like a sanitizer report.
 */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A violated promise: print what and where, then abort. */
#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: promise broken: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* The input in a heap block of exactly its size, without a terminating NUL:
 * the readers take (buf, len), so any read past len is an ASan report
 * rather than a silent use of libFuzzer's padding. */
static inline char *fuzz_dup(const uint8_t *data, size_t size)
{
	char *p = malloc(size ? size : 1);
	if (!p)
		abort();
	if (size)
		memcpy(p, data, size);
	return p;
}

/* True when s is a NUL-terminated string of printable ASCII without spaces,
 * at most max bytes: what the readers promise for every name they keep. */
static inline int fuzz_printable(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);
	if (n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}
