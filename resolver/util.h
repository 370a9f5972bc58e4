/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal helpers of the resolver core: safe file reading, an arena, a
 * small hash, ASCII case folding, directory listing.  Not part of the
 * faces' API (the hash map is resolver/map.h). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

/* What identifies one version of a file: if none of these changed, neither
 * did the content (modulo timestamp granularity, see cache.c). */
struct lc_sig {
	bool exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	mode_t mode;
	int64_t mtime_ns;
	int64_t ctime_ns;
};

void lc_sig_from_stat(struct lc_sig *sig, const struct stat *st);
bool lc_sig_equal(const struct lc_sig *a, const struct lc_sig *b);

/* Read a whole regular file, at most max bytes, never blocking (O_NONBLOCK:
 * a FIFO in place of a lease file is refused, not waited on) and never
 * following anything that is not a regular file (/dev/zero behind a
 * symlink).  The content is NUL-terminated.  A file rewritten while it is
 * read (its signature differs before and after) is read again, a few times,
 * then refused with -EAGAIN, so a half-written mix never reaches a parser.
 * -EFBIG when larger than max, -EINVAL when not a regular file. */
int lc_read_file(const char *path, size_t max, char **ret_buf, size_t *ret_len,
		 struct lc_sig *ret_sig);
int lc_read_fd(int fd, size_t max, char **ret_buf, size_t *ret_len, struct lc_sig *ret_sig);

/* Replace path with content (mode 0644), whole or not at all: a reader sees
 * the old file or the new one, and a writer killed at any point leaves at
 * most a temp file beside it.  The records and the host layer's DNS spool
 * use it. */
int lc_write_atomic(const char *path, const char *content, size_t len);

/* 1 in a build with AddressSanitizer (gcc and clang say it differently):
 * it owns malloc, so what works around malloc must not. */
#if defined(__SANITIZE_ADDRESS__)
#define LC_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LC_UNDER_ASAN 1
#endif
#endif
#ifndef LC_UNDER_ASAN
#define LC_UNDER_ASAN 0
#endif

/* lc_read_file for files that can be large (lease files).  A buffer of
 * 64 KB or more is a mapping of its own, given back to the system by
 * lc_big_free: a process that resolved one name keeps no megabytes of
 * freed heap that malloc's thresholds would hold on to.  Free only with
 * lc_big_free. */
int lc_read_big(const char *path, size_t max, char **ret_buf, size_t *ret_len,
		struct lc_sig *ret_sig);
void lc_big_free(char *buf);
struct lc_arena;
/* lc_read_big, a file under 64 KB into the arena small (one allocation
 * for the many small files of a build).  Free with lc_big_free_in(small,
 * buf, len), or with the arena; a buffer freed last-in first-out gives
 * its room back at once. */
int lc_read_big_in(const char *path, size_t max, struct lc_arena *small, char **ret_buf,
		   size_t *ret_len, struct lc_sig *ret_sig);
void lc_big_free_in(struct lc_arena *small, char *buf, size_t len);

/* ASCII only: DNS names are compared case-insensitively in ASCII. */
static inline char lc_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}
bool lc_streq_fold(const char *a, const char *b);
bool lc_strneq_fold(const char *a, const char *b, size_t n);
bool lc_has_suffix(const char *s, size_t len, const char *suffix);
uint32_t lc_hash_fold(const char *s, size_t len);
/* The core's one hex digit: 0..15, or -1 for anything else. */
static inline int lc_hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = lc_lower(ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* A bump allocator: many small allocations, one free.  first: the size
 * of its first chunk (0: 4 KB), for an arena that lives only as long as
 * one build and would otherwise malloc a second one at once. */
struct lc_arena {
	struct lc_arena_chunk *head;
	size_t first;
};
struct lc_arena_chunk {
	struct lc_arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};
/* A new chunk, then size bytes from it (lc_arena_alloc's slow path). */
void *lc_arena_alloc_chunk(struct lc_arena *a, size_t size);
/* Inline while the chunk has room: a build makes dozens of these. */
static inline void *lc_arena_alloc(struct lc_arena *a, size_t size)
{
	struct lc_arena_chunk *c = a->head;
	size = (size + 15) & ~(size_t)15;
	if (!c || c->size - c->used < size)
		return lc_arena_alloc_chunk(a, size);
	void *p = (char *)c->data + c->used;
	c->used += size;
	return p;
}
/* Give back p, of size bytes, if it was the last allocation; else nothing. */
void lc_arena_unalloc(struct lc_arena *a, void *p, size_t size);
/* p (old bytes, or NULL) as size bytes: in place when it was the last
 * allocation and its chunk has room, else copied into a new one (the old
 * room is the arena's until it is freed). */
void *lc_arena_grow(struct lc_arena *a, void *p, size_t old, size_t size);
char *lc_arena_strndup(struct lc_arena *a, const char *s, size_t len);
char *lc_arena_strdup(struct lc_arena *a, const char *s);
void lc_arena_free(struct lc_arena *a);

/* A growable array of fixed-size items (malloc based).  With an arena,
 * its items live there while they take at most LC_VEC_ARENA_MAX bytes
 * (a build's many short vectors: no malloc, realloc and free each), then
 * on the heap; lc_vec_free frees only those. */
#define LC_VEC_ARENA_MAX 4096
struct lc_vec {
	void *items;
	size_t n, cap, item_size;
	struct lc_arena *arena;
};
void *lc_vec_push_grow(struct lc_vec *v); /* lc_vec_push when v is full */
/* A zeroed new item, or NULL on ENOMEM: inline while there is room (a
 * build pushes hundreds of items, and the call cost more than the item). */
static inline void *lc_vec_push(struct lc_vec *v)
{
	if (v->n == v->cap)
		return lc_vec_push_grow(v);
	void *item = (char *)v->items + v->n++ * v->item_size;
	memset(item, 0, v->item_size);
	return item;
}
void lc_vec_free(struct lc_vec *v);

/* A directory's file names, dot files left out, sorted by strcmp, at
 * most LC_DIR_MAX_ENTRIES of them; one block, freed with lc_names_free.
 * *ret_sig (when not NULL) gets the directory's signature once it is
 * open, even if listing it then fails. */
#define LC_DIR_MAX_ENTRIES 100000
int lc_list_dir(const char *dir, char ***ret_names, size_t *ret_n, struct lc_sig *ret_sig);
void lc_names_free(char **names, size_t n);
/* The same in the arena a (nothing to free), only the names want keeps
 * (NULL: all); names it leaves out do not count towards the limit. */
int lc_list_dir_in(const char *dir, struct lc_arena *a, bool (*want)(const char *name, size_t len),
		   char ***ret_names, size_t *ret_n, struct lc_sig *ret_sig);

/* Whether this CPU (and the OS) runs AVX2 code. */
bool lc_cpu_has_avx2(void);
/* The next line at or after from that begins with byte c (a line starts
 * at 0 or after a '\n'): its offset, or len for none.  32 bytes a step
 * with AVX2. */
size_t lc_line_start(const char *buf, size_t len, size_t from, char c);
