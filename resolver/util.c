/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#endif

#include "resolver/resolver.h"
#include "resolver/util.h"

void lc_sig_from_stat(struct lc_sig *sig, const struct stat *st)
{
	memset(sig, 0, sizeof(*sig));
	sig->exists = true;
	sig->dev = st->st_dev;
	sig->ino = st->st_ino;
	sig->size = st->st_size;
	sig->mode = st->st_mode;
	sig->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	sig->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
}

bool lc_sig_equal(const struct lc_sig *a, const struct lc_sig *b)
{
	if (a->exists != b->exists)
		return false;
	if (!a->exists)
		return true;
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mode == b->mode &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

/* Buffers of lc_read_big: a header before the data holds the size of
 * the mapping (0: the buffer came from malloc; BIG_IN_ARENA: from the
 * caller's arena, freed with it). */
#define BIG_HDR 16
#define BIG_MIN (64u << 10)
#define BIG_IN_ARENA SIZE_MAX

static char *buf_alloc(size_t size, bool big, struct lc_arena *small)
{
	if (!big)
		return malloc(size);
	/* a small file into the build's arena: no malloc and free a file */
	if (small && size < BIG_MIN && !LC_UNDER_ASAN) {
		char *p = lc_arena_alloc(small, BIG_HDR + size);
		size_t total = BIG_IN_ARENA;
		if (!p)
			return NULL;
		memcpy(p, &total, sizeof(total));
		return p + BIG_HDR;
	}
	/* under AddressSanitizer every buffer comes from malloc, so a read
	 * past the end of a large one is caught too */
	if (size < BIG_MIN || LC_UNDER_ASAN) {
		char *p = malloc(BIG_HDR + size);
		if (!p)
			return NULL;
		memset(p, 0, sizeof(size_t));
		return p + BIG_HDR;
	}
	size_t total = BIG_HDR + size;
	char *p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	memcpy(p, &total, sizeof(total));
	return p + BIG_HDR;
}

void lc_big_free(char *buf)
{
	if (!buf)
		return;
	char *p = buf - BIG_HDR;
	size_t total;
	memcpy(&total, p, sizeof(total));
	if (total == BIG_IN_ARENA)
		return;
	if (total)
		munmap(p, total);
	else
		free(p);
}

void lc_big_free_in(struct lc_arena *a, char *buf, size_t len)
{
	if (!buf)
		return;
	char *p = buf - BIG_HDR;
	size_t total;
	memcpy(&total, p, sizeof(total));
	if (total != BIG_IN_ARENA) {
		lc_big_free(buf);
		return;
	}
	/* the last allocation (a file read, parsed and done with): its room
	 * serves the next file, so a build that reads many small files
	 * holds one at a time */
	lc_arena_unalloc(a, p, BIG_HDR + len + 2);
}

static void buf_free(char *buf, bool big)
{
	if (big)
		lc_big_free(buf);
	else
		free(buf);
}

/* lc_sig_equal of the two stats' signatures, without making them. */
static bool same_version(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mode == b->st_mode && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec && a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static int read_once(int fd, size_t max, bool big, struct lc_arena *small, char **ret_buf,
		     size_t *ret_len, struct lc_sig *ret_sig)
{
	struct stat before, after;
	size_t cap, len = 0;
	char *buf;

	if (fstat(fd, &before) < 0)
		return -errno;
	if (!S_ISREG(before.st_mode))
		return -EINVAL;
	if ((uint64_t)before.st_size > max)
		return -EFBIG;
	/* Room for one byte more than stat says, to notice a file that grew. */
	cap = (size_t)before.st_size + 2;
	buf = buf_alloc(cap, big, small);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t k = pread(fd, buf + len, cap - 1 - len, (off_t)len);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			int r = -errno;
			buf_free(buf, big);
			return r;
		}
		if (k == 0)
			break;
		len += (size_t)k;
		if (len == cap - 1) {
			/* Grew while we read: changed under us. */
			buf_free(buf, big);
			return -EAGAIN;
		}
		/* all that stat said: no read for the end of file, the second
		 * fstat tells a change that came after this read */
		if (len == (size_t)before.st_size)
			break;
	}
	if (fstat(fd, &after) < 0) {
		int r = -errno;
		buf_free(buf, big);
		return r;
	}
	if (!same_version(&before, &after) || len != (size_t)before.st_size) {
		buf_free(buf, big);
		return -EAGAIN;
	}
	buf[len] = '\0';
	*ret_buf = buf;
	*ret_len = len;
	if (ret_sig)
		lc_sig_from_stat(ret_sig, &after);
	return 0;
}

static int read_fd(int fd, size_t max, bool big, struct lc_arena *small, char **ret_buf,
		   size_t *ret_len, struct lc_sig *ret_sig)
{
	int r = -EAGAIN;
	for (int attempt = 0; attempt < 4 && r == -EAGAIN; attempt++)
		r = read_once(fd, max, big, small, ret_buf, ret_len, ret_sig);
	return r;
}

int lc_read_fd(int fd, size_t max, char **ret_buf, size_t *ret_len, struct lc_sig *ret_sig)
{
	return read_fd(fd, max, false, NULL, ret_buf, ret_len, ret_sig);
}

static int read_path(const char *path, size_t max, bool big, struct lc_arena *small, char **ret_buf,
		     size_t *ret_len, struct lc_sig *ret_sig)
{
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	r = read_fd(fd, max, big, small, ret_buf, ret_len, ret_sig);
	close(fd);
	return r;
}

int lc_read_file(const char *path, size_t max, char **ret_buf, size_t *ret_len,
		 struct lc_sig *ret_sig)
{
	return read_path(path, max, false, NULL, ret_buf, ret_len, ret_sig);
}

int lc_read_big(const char *path, size_t max, char **ret_buf, size_t *ret_len,
		struct lc_sig *ret_sig)
{
	return read_path(path, max, true, NULL, ret_buf, ret_len, ret_sig);
}

int lc_read_big_in(const char *path, size_t max, struct lc_arena *small, char **ret_buf,
		   size_t *ret_len, struct lc_sig *ret_sig)
{
	return read_path(path, max, true, small, ret_buf, ret_len, ret_sig);
}

bool lc_streq_fold(const char *a, const char *b)
{
	/* equal bytes are the common case: fold only where they differ (the
	 * alias lists of a full build compare thousands of names) */
	for (;; a++, b++) {
		if (*a == *b) {
			if (!*a)
				return true;
		} else if (lc_lower(*a) != lc_lower(*b)) {
			return false;
		}
	}
}

bool lc_strneq_fold(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (lc_lower(a[i]) != lc_lower(b[i]))
			return false;
		if (!a[i])
			return true;
	}
	return true;
}

bool lc_has_suffix(const char *s, size_t len, const char *suffix)
{
	size_t sl = strlen(suffix);
	return len >= sl && memcmp(s + len - sl, suffix, sl) == 0;
}

uint32_t lc_hash_fold(const char *s, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)lc_lower(s[i]);
		h *= 16777619u;
	}
	return h;
}

void *lc_arena_alloc_chunk(struct lc_arena *a, size_t size)
{
	struct lc_arena_chunk *c = a->head;
	/* 4 KB first (or a->first), doubling to 64 KB: the db of a small lab,
	 * kept by every process that resolved a name, needs a few hundred
	 * bytes, not 64 KB */
	size_t want = 65536;
	size = (size + 15) & ~(size_t)15;
	if (!c)
		want = a->first ? a->first : 4096;
	else if (c->size < 32768)
		want = c->size * 2;
	size_t csize = size > want ? size : want;
	c = malloc(sizeof(*c) + csize);
	if (!c)
		return NULL;
	c->used = size;
	c->size = csize;
	c->next = a->head;
	a->head = c;
	return c->data;
}

void lc_arena_unalloc(struct lc_arena *a, void *p, size_t size)
{
	struct lc_arena_chunk *c = a->head;
	size = (size + 15) & ~(size_t)15;
	if (c && c->used >= size && (char *)c->data + c->used - size == (char *)p)
		c->used -= size;
}

void *lc_arena_grow(struct lc_arena *a, void *p, size_t old, size_t size)
{
	struct lc_arena_chunk *c = a->head;
	size_t o = (old + 15) & ~(size_t)15, z = (size + 15) & ~(size_t)15;

	if (p && c && (char *)c->data + c->used - o == (char *)p && c->size - c->used + o >= z) {
		c->used += z - o;
		return p;
	}
	void *n = lc_arena_alloc(a, size);
	if (n && old)
		memcpy(n, p, old < size ? old : size);
	return n;
}

char *lc_arena_strndup(struct lc_arena *a, const char *s, size_t len)
{
	char *p = lc_arena_alloc(a, len + 1);
	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *lc_arena_strdup(struct lc_arena *a, const char *s)
{
	return lc_arena_strndup(a, s, strlen(s));
}

void lc_arena_free(struct lc_arena *a)
{
	struct lc_arena_chunk *c = a->head;
	while (c) {
		struct lc_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
}

/* Whether v's items, at capacity cap, are in its arena. */
static bool vec_in_arena(const struct lc_vec *v, size_t cap)
{
	return v->arena && cap * v->item_size <= LC_VEC_ARENA_MAX;
}

static int vec_grow(struct lc_vec *v)
{
	size_t ncap = v->cap ? v->cap * 2 : 16;
	void *n;

	if (vec_in_arena(v, ncap)) {
		n = lc_arena_grow(v->arena, v->items, v->cap * v->item_size, ncap * v->item_size);
	} else if (v->cap && vec_in_arena(v, v->cap)) {
		/* outgrew the arena: to the heap, where realloc takes over */
		n = malloc(ncap * v->item_size);
		if (n)
			memcpy(n, v->items, v->n * v->item_size);
	} else {
		n = realloc(v->items, ncap * v->item_size);
	}
	if (!n)
		return -ENOMEM;
	v->items = n;
	v->cap = ncap;
	return 0;
}

void *lc_vec_push_grow(struct lc_vec *v)
{
	if (vec_grow(v) < 0)
		return NULL;
	void *item = (char *)v->items + v->n * v->item_size;
	memset(item, 0, v->item_size);
	v->n++;
	return item;
}

void lc_vec_free(struct lc_vec *v)
{
	if (!vec_in_arena(v, v->cap))
		free(v->items);
	v->items = NULL;
	v->n = v->cap = 0;
}

int64_t lc_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* strcmp's order, inline: a directory's names differ within a few bytes,
 * where a call to strcmp costs more than the compare. */
static int name_cmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

/* Sorted in place: a few names by insertion (no allocation), many by qsort. */
static void sort_names(char **names, size_t n)
{
	if (n > 32) {
		qsort(names, n, sizeof(*names), cmp_str);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		char *x = names[i];
		size_t k = i;
		for (; k > 0 && name_cmp(names[k - 1], x) > 0; k--)
			names[k] = names[k - 1];
		names[k] = x;
	}
}

/* A listing's block, of cap bytes, grown to ncap: in the arena a, else
 * the heap. */
static char *grow_text(struct lc_arena *a, char *text, size_t cap, size_t ncap)
{
	return a ? lc_arena_grow(a, text, cap, ncap) : realloc(text, ncap);
}

/* Where getdents64 puts a directory's entries: a small lab's lease dir
 * (a dozen files) fits the first, on the stack; a directory that fills it
 * is read on in a larger one from the heap, a syscall per DENTS_BIG. */
#define DENTS_SMALL 2048
#define DENTS_BIG (32u << 10)

/* The layout getdents64 fills (linux_dirent64): glibc's struct dirent64
 * is the same, but this states what the loop below relies on. */
struct dent64 {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/* The names, NUL-terminated one after another in text, then the array of
 * pointers to them after the text, in the same block: one allocation for
 * the names of a directory (a cold lookup in a small lab lists a dozen).
 * getdents64 on an fd of our own, not opendir: no 32 KB DIR from malloc
 * and a readdir call a name.  tests/stress interposes getdents64 to delete
 * a file between the listing and the open. */
int lc_list_dir_in(const char *dir, struct lc_arena *a, bool (*want)(const char *name, size_t len),
		   char ***ret_names, size_t *ret_n, struct lc_sig *ret_sig)
{
	_Alignas(8) char small[DENTS_SMALL];
	char *dents = small, *text = NULL;
	size_t n = 0, used = 0, cap = 0, dcap = sizeof(small);
	struct stat st;
	int fd, r = 0;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (ret_sig && fstat(fd, &st) == 0)
		lc_sig_from_stat(ret_sig, &st);
	while (n < LC_DIR_MAX_ENTRIES) {
		ssize_t k = getdents64(fd, dents, dcap);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		if (k == 0)
			break;
		for (size_t o = 0; o < (size_t)k && n < LC_DIR_MAX_ENTRIES;) {
			const struct dent64 *de = (const struct dent64 *)(void *)(dents + o);
			const char *name = de->name;
			o += de->reclen;
			if (name[0] == '.')
				continue;
			size_t l = strlen(name);
			if (want && !want(name, l))
				continue;
			if (used + l + 1 > cap) {
				size_t ncap = cap ? cap * 2 : 512;
				while (ncap < used + l + 1)
					ncap *= 2;
				char *nt = grow_text(a, text, cap, ncap);
				if (!nt) {
					r = -ENOMEM;
					goto out;
				}
				text = nt;
				cap = ncap;
			}
			memcpy(text + used, name, l + 1);
			used += l + 1;
			n++;
		}
		/* a full buffer: a big directory, read on in big steps */
		if (dents == small && (size_t)k + 512 > sizeof(small)) {
			char *big = malloc(DENTS_BIG);
			if (big) {
				dents = big;
				dcap = DENTS_BIG;
			}
		}
	}
	/* the pointers after the text, aligned */
	size_t at = (used + sizeof(char *) - 1) & ~(sizeof(char *) - 1);
	char *block = grow_text(a, text, cap, at + (n + 1) * sizeof(char *));
	if (!block) {
		r = -ENOMEM;
		goto out;
	}
	text = NULL;
	char **names = (char **)(void *)(block + at);
	for (size_t i = 0, o = 0; i < n; i++, o += strlen(block + o) + 1)
		names[i] = block + o;
	names[n] = block;
	sort_names(names, n);
	*ret_names = names;
	*ret_n = n;
out:
	if (!a)
		free(text);
	if (dents != small)
		free(dents);
	close(fd);
	return r;
}

int lc_list_dir(const char *dir, char ***ret_names, size_t *ret_n, struct lc_sig *ret_sig)
{
	return lc_list_dir_in(dir, NULL, NULL, ret_names, ret_n, ret_sig);
}

void lc_names_free(char **names, size_t n)
{
	free(names[n]); /* the block: the text, then names itself */
}

#if defined(__x86_64__) && defined(__GNUC__)
bool lc_cpu_has_avx2(void)
{
	static int cached = -1; /* benign race: every thread computes the same */
	int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
	if (v >= 0)
		return v;
	unsigned a, b, c, d;
	v = 0;
	if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_OSXSAVE) && (c & bit_AVX)) {
		unsigned lo, hi;
		/* the OS must save the YMM state */
		__asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		if ((lo & 6) == 6 && __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_AVX2))
			v = 1;
	}
	__atomic_store_n(&cached, v, __ATOMIC_RELAXED);
	return v;
}

/* 32 places a step: the byte, and a '\n' before it (the load one byte
 * back).  From q >= 1. */
__attribute__((target("avx2"))) static size_t line_start_avx2(const char *buf, size_t len, size_t q,
							      char c)
{
	const __m256i nl = _mm256_set1_epi8('\n'), want = _mm256_set1_epi8(c);
	for (; q + 32 <= len; q += 32) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(buf + q));
		__m256i prev = _mm256_loadu_si256((const __m256i *)(const void *)(buf + q - 1));
		uint32_t m = (uint32_t)_mm256_movemask_epi8(
		    _mm256_and_si256(_mm256_cmpeq_epi8(v, want), _mm256_cmpeq_epi8(prev, nl)));
		if (m)
			return q + (size_t)__builtin_ctz(m);
	}
	return q;
}
#else
bool lc_cpu_has_avx2(void)
{
	return false;
}
#endif

size_t lc_line_start(const char *buf, size_t len, size_t from, char c)
{
	if (from >= len)
		return len;
	if ((from == 0 || buf[from - 1] == '\n') && buf[from] == c)
		return from;
	size_t q = from + 1;
#if defined(__x86_64__) && defined(__GNUC__)
	if (lc_cpu_has_avx2()) {
		q = line_start_avx2(buf, len, q, c);
		if (q < len && buf[q] == c && buf[q - 1] == '\n')
			return q;
	}
#endif
	for (; q < len; q++)
		if (buf[q] == c && buf[q - 1] == '\n')
			return q;
	return len;
}
