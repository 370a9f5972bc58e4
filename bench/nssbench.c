/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nssbench: measure one glibc NSS hosts module the way glibc calls it.
 *
 * dlopen()s MODULE (a path), looks up _nss_NAME_gethostbyname4_r or
 * _nss_NAME_gethostbyname2_r and calls it in these steps, in one process:
 *
 *   dlopen          dlopen + dlsym (what glibc pays once per process)
 *   cold            the first call
 *   warm            M more calls, files unchanged
 *   other-K         with --other: each other name once, in order (a
 *                   process resolving many guests); others-again: all of
 *                   them once more
 *   changed-rename  FILE rewritten to a temp file and renamed over (as
 *                   libvirt's leaseshelper does), then the first call
 *   warm-rename     M2 calls after that
 *   changed-inplace FILE rewritten in place (same inode, same size), then
 *                   the first call
 *   warm-inplace    M2 calls after that
 *
 * Under callgrind (valgrind --tool=callgrind --collect-atstart=no), only the
 * module calls themselves are collected (CALLGRIND_TOGGLE_COLLECT around
 * each), and each step ends with CALLGRIND_DUMP_STATS_AT("<step>"), so every
 * dump holds exactly the instructions of that step's calls.  Outside
 * valgrind the same steps report wall time (CLOCK_MONOTONIC around each
 * call).  Every answer is checked against --expect (or, without it, against
 * the cold answer), so a step that got faster by answering wrong fails.
 *
 * Output: one line per step, `step=NAME key=value ...`, then `mem ...`.
 * Exit status: 0 good, 1 a wrong or inconsistent answer, 2 usage or setup.
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <netdb.h>
#include <nss.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "callgrind-compat.h"

typedef enum nss_status (*gethostbyname4_fn)(const char *name, struct gaih_addrtuple **pat,
					     char *buffer, size_t buflen, int *errnop, int *herrnop,
					     int32_t *ttlp);
typedef enum nss_status (*gethostbyname2_fn)(const char *name, int af, struct hostent *result,
					     char *buffer, size_t buflen, int *errnop,
					     int *herrnop);

#define MAX_ADDRS 64
#define ADDR_STR 48

struct answer {
	enum nss_status status;
	int err;
	int herr;
	size_t n;
	char addrs[MAX_ADDRS][ADDR_STR];
};

/* A name to look up and the answer it must get. */
struct query {
	const char *name;
	char want[MAX_ADDRS * ADDR_STR]; /* sorted comma list, "" = not found */
	bool have_want;			 /* false: take the first answer */
};

#define MAX_OTHERS 64

struct opts {
	const char *module;
	const char *name;
	const char *query;
	struct query main;
	struct query others[MAX_OTHERS];
	size_t n_others;
	int fn;	    /* 4 or 2 */
	int af;	    /* for gethostbyname2_r */
	long warm;  /* M */
	long warm2; /* M2 */
	const char *change;
	long age_ms;
};

static gethostbyname4_fn fn4;
static gethostbyname2_fn fn2;
static char *buf;
static size_t buflen = 64 * 1024;
static unsigned long n_wrong;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static const char *status_name(enum nss_status s)
{
	switch (s) {
	case NSS_STATUS_SUCCESS:
		return "SUCCESS";
	case NSS_STATUS_NOTFOUND:
		return "NOTFOUND";
	case NSS_STATUS_UNAVAIL:
		return "UNAVAIL";
	case NSS_STATUS_TRYAGAIN:
		return "TRYAGAIN";
	case NSS_STATUS_RETURN:
		return "RETURN";
	default:
		return "?";
	}
}

/* One lookup, the way glibc does it: grow the buffer on ERANGE. Only the
 * module calls are collected under callgrind. */
static void lookup(const struct opts *o, const char *name, struct answer *ret)
{
	memset(ret, 0, sizeof(*ret));
	for (;;) {
		struct gaih_addrtuple *pat = NULL;
		struct hostent he;
		int err = 0, herr = 0;
		int32_t ttl = 0;
		enum nss_status s;

		CALLGRIND_TOGGLE_COLLECT;
		if (o->fn == 4)
			s = fn4(name, &pat, buf, buflen, &err, &herr, &ttl);
		else
			s = fn2(name, o->af, &he, buf, buflen, &err, &herr);
		CALLGRIND_TOGGLE_COLLECT;

		if (s == NSS_STATUS_TRYAGAIN && err == ERANGE && buflen < (16u << 20)) {
			char *nb = realloc(buf, buflen * 2);
			if (!nb)
				break;
			buf = nb;
			buflen *= 2;
			continue;
		}
		ret->status = s;
		ret->err = err;
		ret->herr = herr;
		if (s != NSS_STATUS_SUCCESS)
			return;
		if (o->fn == 4) {
			for (struct gaih_addrtuple *t = pat; t && ret->n < MAX_ADDRS; t = t->next)
				inet_ntop(t->family, t->addr, ret->addrs[ret->n++], ADDR_STR);
		} else {
			for (char **a = he.h_addr_list; a && *a && ret->n < MAX_ADDRS; a++)
				inet_ntop(he.h_addrtype, *a, ret->addrs[ret->n++], ADDR_STR);
		}
		return;
	}
	ret->status = NSS_STATUS_TRYAGAIN;
	ret->err = ENOMEM;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The answer as a sorted comma list: order is the module's ranking, which
 * the modules legitimately differ on, so compare as a set. */
static void answer_key(const struct answer *a, char *out, size_t outlen)
{
	char sorted[MAX_ADDRS][ADDR_STR];
	size_t off = 0;

	memcpy(sorted, a->addrs, sizeof(sorted));
	qsort(sorted, a->n, ADDR_STR, cmp_str);
	out[0] = '\0';
	for (size_t i = 0; i < a->n && off + ADDR_STR + 1 < outlen; i++)
		off += (size_t)snprintf(out + off, outlen - off, "%s%s", i ? "," : "", sorted[i]);
}

static void answer_list(const struct answer *a, char *out, size_t outlen)
{
	size_t off = 0;

	out[0] = '\0';
	for (size_t i = 0; i < a->n && off + ADDR_STR + 1 < outlen; i++)
		off += (size_t)snprintf(out + off, outlen - off, "%s%s", i ? "," : "", a->addrs[i]);
}

/* --expect "a,b,c": canonicalise each through inet_pton/inet_ntop, keep
 * those of the asked family (gethostbyname2_r), sort. */
static void expect_key(const struct opts *o, const char *expect, char *out, size_t outlen)
{
	struct answer e = {0};
	char *copy = strdup(expect), *save = NULL;

	for (char *t = strtok_r(copy, ",", &save); t && e.n < MAX_ADDRS;
	     t = strtok_r(NULL, ",", &save)) {
		unsigned char bin[16];
		int fam = strchr(t, ':') ? AF_INET6 : AF_INET;

		if (inet_pton(fam, t, bin) != 1) {
			fprintf(stderr, "nssbench: bad address in --expect: %s\n", t);
			exit(2);
		}
		if (o->fn == 2 && fam != o->af)
			continue;
		inet_ntop(fam, bin, e.addrs[e.n++], ADDR_STR);
	}
	free(copy);
	answer_key(&e, out, outlen);
}

static void check(struct query *q, const char *step, const struct answer *a)
{
	char got[MAX_ADDRS * ADDR_STR];

	answer_key(a, got, sizeof(got));
	if (!q->have_want) {
		snprintf(q->want, sizeof(q->want), "%s", got);
		q->have_want = true;
	}
	if (strcmp(got, q->want) != 0 ||
	    (a->status == NSS_STATUS_SUCCESS) != (q->want[0] != '\0')) {
		if (n_wrong++ < 5)
			fprintf(stderr, "nssbench: %s: %s answered %s [%s], expected [%s]\n", step,
				q->name, status_name(a->status), got, q->want);
	}
}

/* "NAME" or "NAME=A,B,.." (the expected answer; "NAME=" = not found) */
static int query_init(const struct opts *o, struct query *q, char *spec)
{
	char *eq = strchr(spec, '=');

	memset(q, 0, sizeof(*q));
	q->name = spec;
	if (eq) {
		*eq = '\0';
		expect_key(o, eq + 1, q->want, sizeof(q->want));
		q->have_want = true;
	}
	return *spec ? 0 : -1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Run `calls` lookups, cycling through qs[0..nq), as one step and print it. */
static void step(const struct opts *o, const char *name, struct query *qs, size_t nq, long calls)
{
	uint64_t *t = calloc((size_t)(calls > 0 ? calls : 1), sizeof(*t));
	uint64_t total = 0;
	struct answer a;
	char list[MAX_ADDRS * ADDR_STR];

	if (calls <= 0) {
		free(t);
		return;
	}
	/* page faults weigh in a cold call's wall time, not in its Ir */
	struct rusage ru0, ru1;
	getrusage(RUSAGE_SELF, &ru0);
	for (long i = 0; i < calls; i++) {
		uint64_t t0 = now_ns();
		struct query *q = &qs[(size_t)i % nq];

		lookup(o, q->name, &a);
		t[i] = now_ns() - t0;
		total += t[i];
		check(q, name, &a);
	}
	CALLGRIND_DUMP_STATS_AT(name);
	getrusage(RUSAGE_SELF, &ru1);
	qsort(t, (size_t)calls, sizeof(*t), cmp_u64);
	answer_list(&a, list, sizeof(list));
	printf("step=%s calls=%ld wall_ns_total=%llu wall_ns_min=%llu wall_ns_median=%llu "
	       "minflt=%ld status=%s errno=%d herrno=%d addrs=%s\n",
	       name, calls, (unsigned long long)total, (unsigned long long)t[0],
	       (unsigned long long)t[calls / 2], ru1.ru_minflt - ru0.ru_minflt,
	       status_name(a.status), a.err, a.herr, list[0] ? list : "-");
	fflush(stdout);
	free(t);
}

/* Change FILE's content without changing its size: bump the last digit of
 * the last "expiry-time" value (a lease renewal), then write it back either
 * through a temp file + rename (libvirt's virFileRewrite writes FILE.new and
 * renames it) or in place (O_TRUNC, same inode). */
static int rewrite(const char *path, bool in_place)
{
	struct stat st;
	char *data = NULL, *p, tmp[4096];
	int fd = -1, r = -1;
	ssize_t n;
	size_t off = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		goto out;
	data = malloc((size_t)st.st_size + 1);
	if (!data)
		goto out;
	while (off < (size_t)st.st_size && (n = read(fd, data + off, (size_t)st.st_size - off)) > 0)
		off += (size_t)n;
	close(fd);
	fd = -1;
	data[off] = '\0';
	p = NULL;
	for (char *q = data; (q = strstr(q, "\"expiry-time\": ")); q++)
		p = q;
	if (!p) {
		fprintf(stderr, "nssbench: no expiry-time in %s to change\n", path);
		goto out;
	}
	p += strlen("\"expiry-time\": ");
	while (p[1] >= '0' && p[1] <= '9')
		p++;
	*p = *p == '9' ? '8' : *p + 1;

	if (in_place) {
		fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	} else {
		snprintf(tmp, sizeof(tmp), "%s.new", path);
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	}
	if (fd < 0)
		goto out;
	if (write(fd, data, off) != (ssize_t)off)
		goto out;
	if (close(fd) < 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (!in_place && rename(tmp, path) < 0)
		goto out;
	r = 0;
out:
	if (r < 0)
		fprintf(stderr, "nssbench: rewriting %s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(data);
	return r;
}

/* After a sleep the core may have clocked down; spin 20 ms so a changed
 * step's wall time measures the module, not the CPU waking up.  (Under
 * callgrind this is not collected.) */
static void spin(void)
{
	uint64_t end = now_ns() + 20000000u;

	while (now_ns() < end)
		;
}

struct mem {
	size_t heap;	/* malloc'd bytes in use (arena + mmapped chunks) */
	size_t mapped;	/* sum of all mappings' sizes (/proc/self/maps) */
	size_t rss_kb;	/* VmRSS */
	size_t hwm_kb;	/* VmHWM: peak RSS */
	unsigned n_fds; /* open descriptors */
};

static void mem_now(struct mem *m)
{
	struct mallinfo2 mi = mallinfo2();
	char line[512];
	FILE *f;

	memset(m, 0, sizeof(*m));
	m->heap = mi.uordblks + mi.hblkhd;
	f = fopen("/proc/self/maps", "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			unsigned long a, b;
			/* brk heap growth is already in `heap`; the stack is ours */
			if (strstr(line, "[heap]") || strstr(line, "[stack]"))
				continue;
			if (sscanf(line, "%lx-%lx", &a, &b) == 2)
				m->mapped += b - a;
		}
		fclose(f);
	}
	f = fopen("/proc/self/status", "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			sscanf(line, "VmRSS: %zu", &m->rss_kb);
			sscanf(line, "VmHWM: %zu", &m->hwm_kb);
		}
		fclose(f);
	}
	for (int fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			m->n_fds++;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: nssbench [options] MODULE.so NAME QUERY\n"
		"  Calls _nss_NAME_gethostbyname{4,2}_r(QUERY) from MODULE.so, step by step.\n"
		"  -f, --fn 4|2            entry point (default 4)\n"
		"  -a, --af inet|inet6     family for gethostbyname2_r (default inet)\n"
		"  -w, --warm M            warm calls after the cold one (default 100)\n"
		"  -W, --warm-after M2     warm calls after each change (default: M)\n"
		"  -c, --change FILE       rewrite FILE (rename, then in place) and measure\n"
		"      --age-ms MS         wait after each rewrite before the call (default 250)\n"
		"  -e, --expect A,B,..     the answer must be exactly these addresses (a set;\n"
		"                          \"\" = not found); default: same as the cold answer\n"
		"  -o, --other NAME[=A,..] after the warm step, look up NAME once (step other-K),\n"
		"                          then all of them again (others-again); repeatable\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"fn", required_argument, NULL, 'f'},     {"af", required_argument, NULL, 'a'},
	    {"warm", required_argument, NULL, 'w'},   {"warm-after", required_argument, NULL, 'W'},
	    {"change", required_argument, NULL, 'c'}, {"age-ms", required_argument, NULL, 'A'},
	    {"expect", required_argument, NULL, 'e'}, {"other", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},	      {NULL, 0, NULL, 0},
	};
	struct opts o = {.fn = 4, .af = AF_INET, .warm = 100, .warm2 = -1, .age_ms = 250};
	const char *expect = NULL;
	char *other_specs[MAX_OTHERS];
	char sym[256];
	struct mem m0, m1, m_warm, m_others, m2;
	uint64_t t0, t_dlopen;
	void *h;
	int c;

	while ((c = getopt_long(argc, argv, "f:a:w:W:c:e:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o.fn = atoi(optarg);
			break;
		case 'a':
			o.af = strcmp(optarg, "inet6") == 0 ? AF_INET6 : AF_INET;
			break;
		case 'w':
			o.warm = atol(optarg);
			break;
		case 'W':
			o.warm2 = atol(optarg);
			break;
		case 'c':
			o.change = optarg;
			break;
		case 'A':
			o.age_ms = atol(optarg);
			break;
		case 'e':
			expect = optarg;
			break;
		case 'o':
			if (o.n_others == MAX_OTHERS) {
				fprintf(stderr, "nssbench: at most %d --other\n", MAX_OTHERS);
				return 2;
			}
			other_specs[o.n_others++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 3 || (o.fn != 4 && o.fn != 2)) {
		usage(stderr);
		return 2;
	}
	o.module = argv[optind];
	o.name = argv[optind + 1];
	o.query = argv[optind + 2];
	if (o.warm2 < 0)
		o.warm2 = o.warm;
	buf = malloc(buflen);
	if (!buf)
		return 2;
	o.main.name = o.query;
	if (expect) {
		expect_key(&o, expect, o.main.want, sizeof(o.main.want));
		o.main.have_want = true;
	}
	for (size_t i = 0; i < o.n_others; i++)
		if (query_init(&o, &o.others[i], other_specs[i]) < 0) {
			usage(stderr);
			return 2;
		}

	mem_now(&m0);
	/* glibc's NSS loads modules with RTLD_LAZY; so do we, so a module
	 * without -z now pays its PLT binding in the first call, as it would
	 * in getaddrinfo(). */
	t0 = now_ns();
	CALLGRIND_TOGGLE_COLLECT;
	h = dlopen(o.module, RTLD_LAZY | RTLD_LOCAL);
	if (h) {
		snprintf(sym, sizeof(sym), "_nss_%s_gethostbyname%d_r", o.name, o.fn);
		if (o.fn == 4)
			*(void **)&fn4 = dlsym(h, sym);
		else
			*(void **)&fn2 = dlsym(h, sym);
	}
	CALLGRIND_TOGGLE_COLLECT;
	t_dlopen = now_ns() - t0;
	CALLGRIND_DUMP_STATS_AT("dlopen");
	if (!h) {
		fprintf(stderr, "nssbench: %s\n", dlerror());
		return 2;
	}
	if (!fn4 && !fn2) {
		fprintf(stderr, "nssbench: %s has no %s\n", o.module, sym);
		return 2;
	}
	printf("step=dlopen calls=1 wall_ns_total=%llu\n", (unsigned long long)t_dlopen);
	mem_now(&m1);

	step(&o, "cold", &o.main, 1, 1);
	step(&o, "warm", &o.main, 1, o.warm);
	mem_now(&m_warm);
	/* Distinct names, each for the first time in this process: what a
	 * process that resolves many guests (ansible, ssh to each) pays. */
	for (size_t i = 0; i < o.n_others; i++) {
		char label[32];

		snprintf(label, sizeof(label), "other-%zu", i + 1);
		step(&o, label, &o.others[i], 1, 1);
	}
	if (o.n_others)
		step(&o, "others-again", o.others, o.n_others, (long)o.n_others);
	mem_now(&m_others);
	if (o.change) {
		struct timespec age = {o.age_ms / 1000, (o.age_ms % 1000) * 1000000L};

		if (rewrite(o.change, false) < 0)
			return 2;
		nanosleep(&age, NULL);
		spin();
		step(&o, "changed-rename", &o.main, 1, 1);
		step(&o, "warm-rename", &o.main, 1, o.warm2);
		if (rewrite(o.change, true) < 0)
			return 2;
		nanosleep(&age, NULL);
		spin();
		step(&o, "changed-inplace", &o.main, 1, 1);
		step(&o, "warm-inplace", &o.main, 1, o.warm2);
	}
	mem_now(&m2);
	/* What the module keeps between lookups: heap and mappings grown since
	 * dlopen (the driver's own allocations are done before m1), after the
	 * warm step (one name), after the other names, and at the end (after
	 * the changes, one name again). */
	printf("mem heap_dlopen=%zd heap_warm=%zd heap_others=%zd heap_end=%zd mapped_dlopen=%zd "
	       "mapped_warm=%zd mapped_others=%zd mapped_end=%zd fds_kept=%d rss_kb=%zu "
	       "hwm_kb=%zu\n",
	       (ssize_t)(m1.heap - m0.heap), (ssize_t)(m_warm.heap - m1.heap),
	       (ssize_t)(m_others.heap - m1.heap), (ssize_t)(m2.heap - m1.heap),
	       (ssize_t)(m1.mapped - m0.mapped), (ssize_t)(m_warm.mapped - m1.mapped),
	       (ssize_t)(m_others.mapped - m1.mapped), (ssize_t)(m2.mapped - m1.mapped),
	       (int)m2.n_fds - (int)m1.n_fds, m2.rss_kb, m2.hwm_kb);
	if (n_wrong) {
		fprintf(stderr, "nssbench: %lu wrong answer(s) for %s\n", n_wrong, o.query);
		return 1;
	}
	return 0;
}
