/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Concurrency stress: THREADS threads each make ITERATIONS lookups through
 * the module's entry points while a second process rewrites the lease files
 * as fast as it can, one file by rename (as libvirt's leaseshelper does) and
 * one in place (truncate + two writes, so half-written states are visible).
 *
 * Every version k of a file gives guest gI the addresses 10.k.I.x (and
 * fd00::F:k:I), x and F telling the file, and every version has the same
 * size, so only timestamps tell versions apart.  An answer passes when, for
 * each file, the guest's addresses from it are exactly the set of one
 * version (or, for the file written in place, none: a half-written file is
 * dropped whole).  A mix of two versions, a stray address, a missing
 * renamed file or a crash fails.
 *
 *   test_stress [ITERATIONS [THREADS [MODULE.so]]]   (10000, 16, LC_NSS_DIR)
 * ITERATIONS defaults to $LC_STRESS_ITERATIONS when set (the sanitizer run
 * uses fewer: ASan makes each lookup several times dearer).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/stress/nssload.h"

#define GUESTS 24
#define VMIN 100 /* versions 100..199: three digits, so every version has the same size */
#define VMAX 199

static struct nss_module mod;
static char dir[256], lease_dir[300];
static int iterations = 10000;
static atomic_int failures, versions_seen_a, versions_seen_b, b_missing, lookups_done;
static atomic_uchar seen_a[256], seen_b[256];

/* ---- the writer: another process, like libvirt's -------------------------------- */

static size_t status_json(char *buf, size_t size, int k, char file)
{
	size_t len = 0;
	int o1 = file == 'a' ? 1 : 3;

	len += (size_t)snprintf(buf + len, size - len, "[\n");
	for (int i = 0; i < GUESTS; i++) {
		len += (size_t)snprintf(buf + len, size - len,
					"  {\"ip-address\": \"10.%d.%d.%d\", \"mac-address\": "
					"\"52:54:00:0%c:%02x:01\", "
					"\"hostname\": \"h%d\", \"expiry-time\": 4102444800},\n"
					"  {\"ip-address\": \"10.%d.%d.%d\", \"mac-address\": "
					"\"52:54:00:0%c:%02x:02\"},\n"
					"  {\"ip-address\": \"fd00::%c:%x:%x\", \"mac-address\": "
					"\"52:54:00:0%c:%02x:01\", "
					"\"iaid\": \"7\"}%s\n",
					k, i, o1, file, i, i, k, i, o1 + 1, file, i, file, k, i,
					file, i, i == GUESTS - 1 ? "" : ",");
	}
	len += (size_t)snprintf(buf + len, size - len, "]\n");
	return len;
}

static void write_file(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len) {
		perror(path);
		_exit(2);
	}
	close(fd);
}

static void write_macs(char file)
{
	char buf[8192], path[400];
	size_t len = 0;

	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "[\n");
	for (int i = 0; i < GUESTS; i++)
		len +=
		    (size_t)snprintf(buf + len, sizeof(buf) - len,
				     "  {\"domain\": \"g%d\", \"macs\": [\"52:54:00:0%c:%02x:01\", "
				     "\"52:54:00:0%c:%02x:02\"]}%s\n",
				     i, file, i, file, i, i == GUESTS - 1 ? "" : ",");
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "]\n");
	snprintf(path, sizeof(path), "%s/virbr-%c.macs", lease_dir, file);
	write_file(path, buf, len);
}

static void writer_loop(pid_t parent)
{
	char buf[16384], a[400], a_tmp[400], b[400];
	unsigned seed = (unsigned)getpid();
	int ka = VMIN, kb = VMIN;

	/* never outlive the test, whatever kills it */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	snprintf(a, sizeof(a), "%s/virbr-a.status", lease_dir);
	snprintf(a_tmp, sizeof(a_tmp), "%s/.virbr-a.status.new", lease_dir);
	snprintf(b, sizeof(b), "%s/virbr-b.status", lease_dir);
	for (;;) {
		/* by rename: readers see the old file or the new one */
		ka = ka == VMAX ? VMIN : ka + 1;
		write_file(a_tmp, buf, status_json(buf, sizeof(buf), ka, 'a'));
		if (rename(a_tmp, a) < 0)
			_exit(2);
		/* in place: truncate, half, a pause, the rest */
		kb = kb == VMAX ? VMIN : kb + 1;
		size_t len = status_json(buf, sizeof(buf), kb, 'b');
		int fd = open(b, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || ftruncate(fd, 0) < 0 || write(fd, buf, len / 2) != (ssize_t)(len / 2))
			_exit(2);
		if (rand_r(&seed) % 4 == 0)
			usleep((useconds_t)(rand_r(&seed) % 300));
		if (write(fd, buf + len / 2, len - len / 2) != (ssize_t)(len - len / 2))
			_exit(2);
		close(fd);
		usleep((useconds_t)(rand_r(&seed) % 500));
	}
}

/* ---- the checks ---------------------------------------------------------------- */

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;
	if (atomic_fetch_add(&failures, 1) >= 10)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "FAIL: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

struct group {
	int k;	       /* version seen, -1 none yet */
	unsigned mask; /* which of the file's addresses: bit 0,1 = v4, bit 2 = v6 */
	bool mixed;
};

/* Sort one address of guest g into its file's group; false when it is no
 * address of g in any version. */
static bool classify(int family, const uint8_t *bytes, int g, struct group grp[2])
{
	int file, k, bit;

	if (family == AF_INET) {
		if (bytes[0] != 10 || bytes[2] != g || bytes[3] < 1 || bytes[3] > 4)
			return false;
		k = bytes[1];
		file = bytes[3] <= 2 ? 0 : 1;
		bit = (bytes[3] - 1) % 2;
	} else {
		/* fd00::F:K:I with F = 0xa or 0xb, the file */
		if (bytes[0] != 0xfd || bytes[1] != 0 || bytes[10] != 0 || bytes[14] != 0 ||
		    bytes[15] != g || bytes[12] != 0 || (bytes[11] != 0xa && bytes[11] != 0xb))
			return false;
		for (int z = 2; z < 10; z++)
			if (bytes[z])
				return false;
		k = bytes[13];
		file = bytes[11] == 0xa ? 0 : 1;
		bit = 2;
	}
	if (k < VMIN || k > VMAX)
		return false;
	if (grp[file].k >= 0 && grp[file].k != k)
		grp[file].mixed = true;
	grp[file].k = k;
	grp[file].mask |= 1u << bit;
	return true;
}

/* want: the address bits a complete version shows for this query's family */
static void check_groups(const char *what, int g, struct group grp[2], unsigned want,
			 const char *answer)
{
	for (int f = 0; f < 2; f++) {
		if (grp[f].mixed)
			fail("%s g%d: file %c mixes versions: %s", what, g, "ab"[f], answer);
		else if (grp[f].k >= 0 && grp[f].mask != want)
			fail("%s g%d: file %c version %d incomplete (%#x of %#x): %s", what, g,
			     "ab"[f], grp[f].k, grp[f].mask, want, answer);
	}
	/* renamed into place: never absent */
	if (grp[0].k < 0)
		fail("%s g%d: nothing from the renamed file: %s", what, g, answer);
	if (grp[0].k >= 0 && !atomic_exchange(&seen_a[grp[0].k], 1))
		atomic_fetch_add(&versions_seen_a, 1);
	if (grp[1].k >= 0 && !atomic_exchange(&seen_b[grp[1].k], 1))
		atomic_fetch_add(&versions_seen_b, 1);
	if (grp[1].k < 0)
		atomic_fetch_add(&b_missing, 1);
}

static void lookup_name4(int g, bool by_hostname)
{
	char name[32], buffer[8192], answer[2048];
	struct gaih_addrtuple *pat = NULL;
	int err, herr;
	int32_t ttl;
	struct group grp[2] = {{-1, 0, false}, {-1, 0, false}};

	snprintf(name, sizeof(name), "%c%d", by_hostname ? 'h' : 'g', g);
	enum nss_status st = mod.byname4(name, &pat, buffer, sizeof(buffer), &err, &herr, &ttl);
	if (st != NSS_STATUS_SUCCESS) {
		fail("gethostbyname4_r(%s) = %s errno %d", name, nss_status_name(st), err);
		return;
	}
	nss_tuples_format(pat, answer, sizeof(answer));
	for (struct gaih_addrtuple *t = pat; t; t = t->next)
		if (!classify(t->family, (const uint8_t *)t->addr, g, grp))
			fail("gethostbyname4_r(%s): stray address in %s", name, answer);
	/* the canonical name is the domain name, whichever name was asked */
	if (!pat->name || pat->name[0] != 'g' || atoi(pat->name + 1) != g)
		fail("gethostbyname4_r(%s): name %s", name, pat->name ? pat->name : "(null)");
	check_groups("gethostbyname4_r", g, grp, 7, answer);
}

static void lookup_name3(int g, int af)
{
	char name[32], buffer[8192], answer[2048] = "";
	struct hostent he;
	int err, herr;
	struct group grp[2] = {{-1, 0, false}, {-1, 0, false}};

	snprintf(name, sizeof(name), "g%d", g);
	enum nss_status st =
	    mod.byname3(name, af, &he, buffer, sizeof(buffer), &err, &herr, NULL, NULL);
	if (st != NSS_STATUS_SUCCESS) {
		fail("gethostbyname3_r(%s, %d) = %s", name, af, nss_status_name(st));
		return;
	}
	if (strcmp(he.h_name, name) != 0 || he.h_addrtype != af)
		fail("gethostbyname3_r(%s): h_name %s type %d", name, he.h_name, he.h_addrtype);
	for (char **a = he.h_addr_list; *a; a++) {
		char s[INET6_ADDRSTRLEN];
		size_t l = strlen(answer);
		inet_ntop(af, *a, s, sizeof(s));
		snprintf(answer + l, sizeof(answer) - l, "%s ", s);
	}
	for (char **a = he.h_addr_list; *a; a++)
		if (!classify(af, (const uint8_t *)*a, g, grp))
			fail("gethostbyname3_r(%s): stray address in %s", name, answer);
	check_groups("gethostbyname3_r", g, grp, af == AF_INET ? 3 : 4, answer);
}

static void lookup_addr(int g, unsigned *seed)
{
	uint8_t a[4] = {10, (uint8_t)(VMIN + rand_r(seed) % (VMAX - VMIN + 1)), (uint8_t)g,
			(uint8_t)(1 + rand_r(seed) % 4)};
	char buffer[8192], want[32];
	struct hostent he;
	int err, herr;

	enum nss_status st =
	    mod.byaddr2(a, 4, AF_INET, &he, buffer, sizeof(buffer), &err, &herr, NULL);
	if (st == NSS_STATUS_NOTFOUND)
		return; /* not the current version */
	snprintf(want, sizeof(want), "g%d", g);
	if (st != NSS_STATUS_SUCCESS)
		fail("gethostbyaddr2_r(10.%d.%d.%d) = %s", a[1], a[2], a[3], nss_status_name(st));
	else if (strcmp(he.h_name, want) != 0 || !he.h_addr_list[0] ||
		 memcmp(he.h_addr_list[0], a, 4) != 0 || he.h_addr_list[1])
		fail("gethostbyaddr2_r(10.%d.%d.%d): %s", a[1], a[2], a[3], he.h_name);
}

static void *reader(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg * 7919u + 1;

	for (int i = 0; i < iterations; i++) {
		int g = rand_r(&seed) % GUESTS;
		switch (rand_r(&seed) % 5) {
		case 0:
			lookup_name4(g, false);
			break;
		case 1:
			lookup_name4(g, true);
			break;
		case 2:
			lookup_name3(g, AF_INET);
			break;
		case 3:
			lookup_name3(g, AF_INET6);
			break;
		default:
			lookup_addr(g, &seed);
			break;
		}
		atomic_fetch_add(&lookups_done, 1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = 16;
	const char *so = argc > 3 ? argv[3] : NULL;
	char path[400], buf[16384], cmd[300];
	pthread_t tids[256];
	struct timespec t0, t1;
	pid_t writer;
	int status;

	if (argc > 1)
		iterations = atoi(argv[1]);
	else if (getenv("LC_STRESS_ITERATIONS"))
		iterations = atoi(getenv("LC_STRESS_ITERATIONS"));
	if (argc > 2)
		threads = atoi(argv[2]);
	if (threads < 1 || threads > 256 || iterations < 1) {
		fprintf(stderr, "usage: %s [ITERATIONS [THREADS [MODULE]]]\n", argv[0]);
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/lc-stress.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(lease_dir, sizeof(lease_dir), "%s/leases", dir);
	mkdir(lease_dir, 0755);
	write_macs('a');
	write_macs('b');
	snprintf(path, sizeof(path), "%s/virbr-a.status", lease_dir);
	write_file(path, buf, status_json(buf, sizeof(buf), VMIN, 'a'));
	snprintf(path, sizeof(path), "%s/virbr-b.status", lease_dir);
	write_file(path, buf, status_json(buf, sizeof(buf), VMIN, 'b'));
	setenv("LIBVIRT_CLUSTER_LEASE_DIR", lease_dir, 1);
	snprintf(path, sizeof(path), "%s/run", dir);
	setenv("LIBVIRT_CLUSTER_RUNSTATE_DIR", path, 1);
	snprintf(path, sizeof(path), "%s/none.conf", dir);
	setenv("LIBVIRT_CLUSTER_CONFIG", path, 1);

	/* fork before any thread exists */
	pid_t parent = getpid();
	writer = fork();
	if (writer == 0)
		writer_loop(parent);
	if (writer < 0 || nss_module_load(&mod, so) < 0) {
		if (writer > 0)
			kill(writer, SIGKILL);
		return 99;
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < threads; i++)
		if (pthread_create(&tids[i], NULL, reader, (void *)(uintptr_t)i) != 0) {
			fprintf(stderr, "pthread_create failed\n");
			return 99;
		}
	for (int i = 0; i < threads; i++)
		pthread_join(tids[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	kill(writer, SIGKILL);
	waitpid(writer, &status, 0);
	nss_module_unload(&mod);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);

	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf(
	    "%d threads x %d lookups = %d in %.1f s (%.0f/s); versions seen: %d of the renamed "
	    "file, %d of the one written in place; answers without the latter: %d; failures: %d\n",
	    threads, iterations, atomic_load(&lookups_done), secs,
	    atomic_load(&lookups_done) / secs, atomic_load(&versions_seen_a),
	    atomic_load(&versions_seen_b), atomic_load(&b_missing), atomic_load(&failures));
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
		/* the writer ran until we stopped it */
	} else {
		fprintf(stderr, "FAIL: the writer died early (status %#x)\n", status);
		return 1;
	}
	/* a run that saw one version raced nothing */
	if (atomic_load(&versions_seen_a) < 2 || atomic_load(&versions_seen_b) < 2) {
		fprintf(stderr, "FAIL: the files did not change under the readers\n");
		return 1;
	}
	return atomic_load(&failures) ? 1 : 0;
}
