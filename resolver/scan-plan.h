/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal to scan.c: how a pass of one needle is planned (which of its
 * bytes the vector loops test), apart from the loops themselves. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "resolver/scan.h"

/* A buffer this big has its bytes sampled for a rare one (choose_bytes);
 * a smaller one's plan is the needle's alone. */
#define SAMPLE_MIN_LEN (32u << 10)

static inline unsigned char fold(unsigned char c)
{
	return c | 0x20;
}

static inline bool is_letter(char c)
{
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'z';
}

/* A needle made ready for verify_folded: its bytes with letters folded,
 * and 0x20 where they are letters (so a byte ORed with mask equals the
 * folded needle byte exactly when it matches, in either case). */
struct folded {
	unsigned char s[256];
	unsigned char mask[256];
};

/* One needle's pass: the two bytes it tests (choose_bytes), whether each
 * is a letter (then compared folded), and the needle folded for
 * verify_folded.  Made once, used by the 128-byte loop and its tail. */
struct pass {
	size_t po, so;
	bool ff, fl;
	bool pair; /* a small file: po and so tested together (scan_avx2_pair) */
	/* a big file: fd made for the many candidates; a small file has few,
	 * and folding the needle would cost more than verify() on them */
	bool folded;
	struct folded fd;
};

/* The pass of needle nd over buf (its bytes looked at only when len is at
 * least SAMPLE_MIN_LEN). */
void plan_pass(const char *buf, size_t len, const struct scan_needle *nd, struct pass *ret);
