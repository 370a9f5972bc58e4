/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Hostile files and hostile names, through the module's entry points.
 * The module runs in every process on the host (sudo and passwd included),
 * so whatever sits in the lease directory, and whatever name a program
 * asks for, each lookup must end quickly, in bounded memory, with
 * SUCCESS for the guests that are really there and NOTFOUND or UNAVAIL
 * for the rest.
 *
 * Each case runs in its own child (a fresh module, a fresh cache) under a
 * hard alarm; the parent checks how it ended, how long it took and its
 * peak memory.  A healthy guest "good" (10.9.9.9, fd00::99) sits next to
 * every hostile file: one bad file must not hide the others.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/stress/nssload.h"

#define CASE_ALARM 30	  /* seconds: a case still running then is a hang */
#define CASE_SECONDS 10.0 /* what a case may take on a loaded CI machine */
#ifdef __SANITIZE_ADDRESS__
#define CASE_MAXRSS_MB 800 /* ASan's redzones and quarantine roughly triple the heap */
#else
#define CASE_MAXRSS_MB 400 /* peak memory of a case's process */
#endif

static char top[256];	   /* the test's temp dir */
static char leases[320];   /* LIBVIRT_CLUSTER_LEASE_DIR of the current case */
static char so_path[4096]; /* the module */
static struct nss_module mod;
static int errors; /* in the child: mismatches of this case */

/* ---- a file deleted between the listing and open() ------------------------ */

/* The test program exports getdents64 (linked with -export-dynamic), so
 * the module's calls land here: when the listing reaches the victim, it
 * is unlinked before the module gets to open it. */
static const char *victim;
static int victim_hits;

__attribute__((visibility("default"))) ssize_t getdents64(int fd, void *buf, size_t n);
__attribute__((visibility("default"))) ssize_t getdents64(int fd, void *buf, size_t n)
{
	static ssize_t (*real)(int, void *, size_t);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "getdents64");
	ssize_t k = real(fd, buf, n);
	for (ssize_t o = 0; victim && o < k;) {
		const struct dirent64 *de = (const struct dirent64 *)(void *)((char *)buf + o);
		if (!strcmp(de->d_name, victim)) {
			unlinkat(fd, de->d_name, 0);
			victim_hits++;
		}
		o += de->d_reclen;
	}
	return k;
}

/* ---- helpers ---------------------------------------------------------------- */

static void die(const char *what)
{
	perror(what);
	exit(99);
}

static void put(const char *name, const char *content, size_t len)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", leases, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, content, len) != (ssize_t)len)
		die(path);
	close(fd);
}

static void puts_file(const char *name, const char *content)
{
	put(name, content, strlen(content));
}

static const char good_status[] =
    "[{\"ip-address\": \"10.9.9.9\", \"mac-address\": \"52:54:00:09:09:09\", \"hostname\": "
    "\"good\"},\n"
    " {\"ip-address\": \"fd00::99\", \"mac-address\": \"52:54:00:09:09:09\"}]\n";

/* A fresh lease dir holding only the healthy guest. */
static void fresh(const char *name)
{
	char cmd[700];
	snprintf(leases, sizeof(leases), "%s/%s", top, name);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -m 0755 '%s'", leases, leases);
	if (system(cmd) != 0)
		die("mkdir");
	puts_file("virbr-good.status", good_status);
	puts_file("virbr-good.macs",
		  "[{\"domain\": \"good\", \"macs\": [\"52:54:00:09:09:09\"]}]\n");
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "  FAIL: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	errors++;
}

/* gethostbyname4_r, and for names gethostbyname3_r as well: the two must agree. */
static enum nss_status by_name(const char *name, char *answer, size_t size)
{
	static char buffer[1 << 16];
	struct gaih_addrtuple *pat = NULL;
	int err = 0, herr = 0;
	int32_t ttl;
	enum nss_status st = mod.byname4(name, &pat, buffer, sizeof(buffer), &err, &herr, &ttl);

	answer[0] = '\0';
	if (st == NSS_STATUS_SUCCESS)
		nss_tuples_format(pat, answer, size);
	else if ((st == NSS_STATUS_NOTFOUND && herr != HOST_NOT_FOUND && herr != NO_DATA) ||
		 (st == NSS_STATUS_UNAVAIL && herr != NO_RECOVERY))
		fail("%.40s: %s with h_errno %d", name, nss_status_name(st), herr);

	struct hostent he;
	enum nss_status st3 =
	    mod.byname3(name, AF_INET, &he, buffer, sizeof(buffer), &err, &herr, NULL, NULL);
	if (st3 != st &&
	    !(st == NSS_STATUS_SUCCESS && st3 == NSS_STATUS_NOTFOUND && !strchr(answer, '.')))
		fail("%.40s: gethostbyname4_r %s but gethostbyname3_r %s", name,
		     nss_status_name(st), nss_status_name(st3));
	return st;
}

static void expect(const char *name, enum nss_status want, const char *want_answer)
{
	char answer[4096];
	enum nss_status st = by_name(name, answer, sizeof(answer));
	if (st != want)
		fail("%.60s%s: %s, expected %s", name, strlen(name) > 60 ? "..." : "",
		     nss_status_name(st), nss_status_name(want));
	else if (want_answer && strcmp(answer, want_answer) != 0)
		fail("%.60s: answered \"%s\", expected \"%s\"", name, answer, want_answer);
}

static void expect_addr(const char *addr, enum nss_status want, const char *want_name)
{
	char buffer[4096];
	struct hostent he;
	uint8_t bytes[16];
	int err, herr, af = strchr(addr, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(af, addr, bytes) != 1)
		die(addr);
	enum nss_status st = mod.byaddr2(bytes, af == AF_INET ? 4 : 16, af, &he, buffer,
					 sizeof(buffer), &err, &herr, NULL);
	if (st != want)
		fail("reverse %s: %s, expected %s", addr, nss_status_name(st),
		     nss_status_name(want));
	else if (st == NSS_STATUS_SUCCESS && want_name && strcmp(he.h_name, want_name) != 0)
		fail("reverse %s: %s, expected %s", addr, he.h_name, want_name);
}

static void expect_good(void)
{
	expect("good", NSS_STATUS_SUCCESS, "10.9.9.9 fd00::99");
}

/* ---- the cases ---------------------------------------------------------------- */

struct hostile_case {
	const char *id; /* its lease dir and config file under the temp dir */
	const char *name;
	void (*prepare)(void); /* in the parent: lay out the files */
	void (*check)(void);   /* in the child: the lookups */
	bool as_nobody;	       /* drop root first (permission cases) */
};

static void big_prepare(void)
{
	char path[600];
	fresh("big");
	snprintf(path, sizeof(path), "%s/virbr-big.status", leases);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	/* sparse: a 1 GiB file that costs no disk */
	if (fd < 0 || ftruncate(fd, 1L << 30) < 0)
		die(path);
	close(fd);
	/* and a dense one just over the 32 MiB limit, starting like real JSON */
	snprintf(path, sizeof(path), "%s/virbr-over.status", leases);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || ftruncate(fd, (32L << 20) + 1) < 0 ||
	    pwrite(fd, good_status, sizeof(good_status) - 1, 0) < 0)
		die(path);
	close(fd);
}

static void big_check(void)
{
	expect_good();
	expect("big", NSS_STATUS_NOTFOUND, NULL);
}

static void many_prepare(void)
{
	fresh("many");
	size_t cap = 100000 * 120, len = 0;
	char *buf = malloc(cap);
	if (!buf)
		die("malloc");
	len += (size_t)snprintf(buf + len, cap - len, "[");
	for (int i = 0; i < 100000; i++)
		len += (size_t)snprintf(buf + len, cap - len,
					"%s{\"ip-address\": \"10.%d.%d.%d\", \"mac-address\": "
					"\"52:54:%02x:%02x:%02x:01\", \"hostname\": \"n%d\"}\n",
					i ? "," : "", 64 + i / 65536, (i / 256) % 256, i % 256,
					i / 65536, (i / 256) % 256, i % 256, i);
	len += (size_t)snprintf(buf + len, cap - len, "]\n");
	put("virbr-many.status", buf, len);
	free(buf);
}

static void many_check(void)
{
	expect_good();
	expect("n77777", NSS_STATUS_SUCCESS, "10.65.47.209"); /* 77777 = 65536 + 47 * 256 + 209 */
	expect("n0", NSS_STATUS_SUCCESS, "10.64.0.0");
	expect("n99999", NSS_STATUS_SUCCESS, "10.65.134.159");
	expect("n100000", NSS_STATUS_NOTFOUND, NULL);
	expect_addr("10.65.47.209", NSS_STATUS_SUCCESS, "n77777");
	/* warm: the same db, no re-parse, so many more lookups are cheap */
	for (int i = 0; i < 2000; i++) {
		char name[16], want[32];
		int n = (i * 7919) % 100000;
		snprintf(name, sizeof(name), "n%d", n);
		snprintf(want, sizeof(want), "10.%d.%d.%d", 64 + n / 65536, (n / 256) % 256,
			 n % 256);
		expect(name, NSS_STATUS_SUCCESS, want);
		if (errors)
			break;
	}
}

static void fifo_prepare(void)
{
	char path[600];
	fresh("fifo");
	snprintf(path, sizeof(path), "%s/virbr-fifo.status", leases);
	if (mkfifo(path, 0644) < 0)
		die(path);
	snprintf(path, sizeof(path), "%s/virbr-fifo.macs", leases);
	if (mkfifo(path, 0644) < 0)
		die(path);
	snprintf(path, sizeof(path), "%s/fifonet.conf", leases);
	if (mkfifo(path, 0644) < 0)
		die(path);
	/* and a directory where a file should be */
	snprintf(path, sizeof(path), "%s/virbr-dir.status", leases);
	if (mkdir(path, 0755) < 0)
		die(path);
}

static void simple_check(void)
{
	expect_good();
	expect("other", NSS_STATUS_NOTFOUND, NULL);
}

static void symlinks_prepare(void)
{
	char path[600], path2[600];
	fresh("symlinks");
	snprintf(path, sizeof(path), "%s/virbr-zero.status", leases);
	if (symlink("/dev/zero", path) < 0)
		die(path);
	snprintf(path, sizeof(path), "%s/virbr-urandom.macs", leases);
	if (symlink("/dev/urandom", path) < 0)
		die(path);
	snprintf(path, sizeof(path), "%s/virbr-self.status", leases);
	if (symlink("virbr-self.status", path) < 0)
		die(path);
	snprintf(path, sizeof(path), "%s/virbr-ping.status", leases);
	snprintf(path2, sizeof(path2), "%s/virbr-pong.status", leases);
	if (symlink("virbr-pong.status", path) < 0 || symlink("virbr-ping.status", path2) < 0)
		die(path);
	snprintf(path, sizeof(path), "%s/zero.conf", leases);
	if (symlink("/dev/zero", path) < 0)
		die(path);
}

static void perm_prepare(void)
{
	char path[600];
	fresh("perm");
	puts_file("virbr-secret.status",
		  "[{\"ip-address\": \"10.9.9.20\", \"mac-address\": \"52:54:00:09:09:20\", "
		  "\"hostname\": \"secret\"}]\n");
	snprintf(path, sizeof(path), "%s/virbr-secret.status", leases);
	chmod(path, 0);
	/* and a root-only .conf, as libvirt writes it */
	puts_file("secretnet.conf", "interface=virbr-good\ndomain=secret.test\n");
	snprintf(path, sizeof(path), "%s/secretnet.conf", leases);
	chmod(path, 0600);
}

static void perm_check(void)
{
	expect_good();
	expect("secret", NSS_STATUS_NOTFOUND, NULL);
	expect("good.secret.test", NSS_STATUS_NOTFOUND, NULL);
}

static void permdir_prepare(void)
{
	fresh("permdir");
	chmod(leases, 0311); /* a lease dir this user may not list */
}

static void unavail_check(void)
{
	expect("good", NSS_STATUS_UNAVAIL, NULL);
	expect("anything", NSS_STATUS_UNAVAIL, NULL);
	expect_addr("10.9.9.9", NSS_STATUS_UNAVAIL, NULL);
}

static void missing_prepare(void)
{
	snprintf(leases, sizeof(leases), "%s/no-such-dir", top);
}

static void notdir_prepare(void)
{
	fresh("notdir");
	snprintf(leases, sizeof(leases), "%s/notdir/virbr-good.status", top);
}

static void crowd_prepare(void)
{
	fresh("crowd");
	for (int i = 0; i < 10000; i++) {
		char name[64];
		snprintf(name, sizeof(name), "unrelated-%05d.%s", i,
			 i % 3 == 0   ? "txt"
			 : i % 3 == 1 ? "status~"
				      : "hostsfile");
		put(name, "x\n", 2);
	}
}

static void deleted_prepare(void)
{
	fresh("deleted");
	puts_file("virbr-victim.status",
		  "[{\"ip-address\": \"10.9.9.30\", \"mac-address\": \"52:54:00:09:09:30\", "
		  "\"hostname\": \"victim\"}]\n");
}

static void deleted_check(void)
{
	victim = "virbr-victim.status";
	expect_good();
	expect("victim", NSS_STATUS_NOTFOUND, NULL);
	if (victim_hits == 0)
		fail("the module never listed the victim: the interposed getdents64 was not used");
	victim = NULL;
}

static void longname_prepare(void)
{
	char *h = malloc(65536 + 1), *buf = malloc(65536 + 4096);
	char path[600], conf[700];
	if (!h || !buf)
		die("malloc");
	memset(h, 'a', 65536);
	h[65536] = '\0';
	fresh("longname");
	int n =
	    snprintf(buf, 65536 + 4096,
		     "[{\"ip-address\": \"10.9.9.40\", \"mac-address\": \"52:54:00:09:09:40\", "
		     "\"hostname\": \"%s\"},\n {\"ip-address\": \"10.9.9.41\", \"mac-address\": "
		     "\"52:54:00:09:09:41\", \"hostname\": \"fine\"}]\n",
		     h);
	put("virbr-long.status", buf, (size_t)n);
	/* the same in a plain dnsmasq lease file, named in the config */
	snprintf(path, sizeof(path), "%s/dnsmasq.leases", top);
	n = snprintf(buf, 65536 + 4096,
		     "0 52:54:00:09:09:42 10.9.9.42 %s *\n0 52:54:00:09:09:43 10.9.9.43 dfine *\n",
		     h);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, buf, (size_t)n) != n)
		die(path);
	close(fd);
	snprintf(conf, sizeof(conf), "%s/longname.conf", top);
	fd = open(conf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	n = snprintf(buf, 4096, "leases = %s\n", path);
	if (fd < 0 || write(fd, buf, (size_t)n) != n)
		die(conf);
	close(fd);
	free(h);
	free(buf);
}

static void longname_check(void)
{
	char name[300];
	expect_good();
	expect("fine", NSS_STATUS_SUCCESS, "10.9.9.41");
	expect("dfine", NSS_STATUS_SUCCESS, "10.9.9.43");
	/* a lease whose name could not be kept is found by no name */
	expect_addr("10.9.9.40", NSS_STATUS_NOTFOUND, NULL);
	expect_addr("10.9.9.42", NSS_STATUS_NOTFOUND, NULL);
	memset(name, 'a', 63);
	name[63] = '\0';
	expect(name, NSS_STATUS_NOTFOUND, NULL);
}

static void nul_prepare(void)
{
	static const char status[] =
	    "[{\"ip-address\": \"10.9.9.50\", \"mac-address\": \"52:54:00:09:09:50\", "
	    "\"hostname\": \"nul\0x\"},\n {\"ip-address\": \"10.9.9.51\", \"mac-address\": "
	    "\"52:54:00:09:09:51\", \"hostname\": \"nul2\"}]\n\0\0\0";
	static const char macs[] =
	    "[{\"domain\": \"nulguest\0\", \"macs\": [\"52:54:00:09:09:09\"]}]\n";
	static const char lease[] = "0 52:54:00:09:09:52 10.9.9.52 nul3 *\n\0\n";
	char path[600], conf[700];

	fresh("nul");
	put("virbr-nul.status", status, sizeof(status) - 1);
	put("virbr-nul.macs", macs, sizeof(macs) - 1);
	puts_file("virbr-nul2.status",
		  "[{\"ip-address\": \"10.9.9.53\", \"hostname\": \"nul4\\u0000\"}]\n");
	snprintf(path, sizeof(path), "%s/nul.leases", top);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, lease, sizeof(lease) - 1) != (ssize_t)(sizeof(lease) - 1))
		die(path);
	close(fd);
	snprintf(conf, sizeof(conf), "%s/nul.conf", top);
	fd = open(conf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	dprintf(fd, "leases = %s\n", path);
	close(fd);
}

static void nul_check(void)
{
	/* a file with a NUL byte is garbage: nothing of it counts, and a
	 * .macs that does not parse does not hide the guests it would name */
	expect_good();
	expect("nul", NSS_STATUS_NOTFOUND, NULL);
	expect("nul2", NSS_STATUS_NOTFOUND, NULL);
	expect("nul3", NSS_STATUS_NOTFOUND, NULL);
	expect("nul4", NSS_STATUS_NOTFOUND, NULL);
	expect("nulguest", NSS_STATUS_NOTFOUND, NULL);
}

/* Back-date every file of dir by an hour: no file is then "just written",
 * which would make the cache distrust it and take another path. */
static void age_files(const char *dir)
{
	struct timespec ts[2] = {{time(NULL) - 3600, 0}, {time(NULL) - 3600, 0}};
	DIR *d = opendir(dir);
	for (struct dirent *de; d && (de = readdir(d));)
		if (de->d_name[0] != '.')
			utimensat(dirfd(d), de->d_name, ts, 0);
	if (d)
		closedir(d);
	utimensat(AT_FDCWD, dir, ts, 0);
}

static void badaddr_prepare(void)
{
	char path[600], conf[700];
	fresh("badaddr");
	puts_file("virbr-bad.status",
		  "[{\"ip-address\": \"10.9.9.300\", \"mac-address\": \"52:54:00:09:09:60\", "
		  "\"hostname\": \"badaddr\"},\n"
		  " {\"ip-address\": \"\", \"hostname\": \"emptyaddr\"},\n"
		  " {\"ip-address\": \"10.9.9.61/24\", \"hostname\": \"cidraddr\"},\n"
		  " {\"ip-address\": \"fd00::zz\", \"hostname\": \"bad6\"},\n"
		  " {\"ip-address\": \"10.9.9.62\", \"mac-address\": \"52:54:00:09:09:62\", "
		  "\"hostname\": \"okaddr\"}]\n");
	/* an address of the wrong JSON type: not libvirt's writing, garbage */
	puts_file("virbr-typed.status",
		  "[{\"ip-address\": 167772161, \"hostname\": \"numaddr\"},\n"
		  " {\"ip-address\": \"10.9.9.65\", \"hostname\": \"typedok\"}]\n");
	/* a syntax error in one object, a well-formed one after it */
	puts_file("virbr-syntax.status",
		  "[{\"ip-address\": \"10.9.9.66\", \"hostname\": \"syn\", \"x\": [1,2,}]},\n"
		  " {\"ip-address\": \"10.9.9.67\", \"hostname\": \"synok\"}]\n");
	snprintf(path, sizeof(path), "%s/bad.leases", top);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	dprintf(fd, "0 52:54:00:09:09:63 10.9.9.999 dbad *\n0 52:54:00:09:09:64 10.9.9.64 dok *\n");
	close(fd);
	age_files(leases);
	snprintf(conf, sizeof(conf), "%s/badaddr.conf", top);
	fd = open(conf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	dprintf(fd, "leases = %s\n", path);
	close(fd);
}

static void badaddr_check(void)
{
	/* first, while the module takes the cold path (a process's first
	 * names).  These files are a small lab's (under 8 KiB), so a name that
	 * stands in them has them parsed whole, as the full load does: a file
	 * broken inside gives nothing from the first lookup on.  (In a big lab
	 * the cold path checks a file's framing and the objects it uses, not
	 * every byte, and would still answer from such a file, as the man page
	 * says: test_db_xfail.) */
	expect("typedok", NSS_STATUS_NOTFOUND, NULL);
	expect("synok", NSS_STATUS_NOTFOUND, NULL);
	expect_good();
	/* enough different names that the process builds the full index */
	for (int i = 0; i < 40; i++) {
		char n[32];
		snprintf(n, sizeof(n), "no-such-guest-%d", i);
		expect(n, NSS_STATUS_NOTFOUND, NULL);
	}
	/* in .status: a lease whose address does not parse is skipped, the
	 * file's other leases stand (dnsmasq wrote them whole) */
	expect("badaddr", NSS_STATUS_NOTFOUND, NULL);
	expect("emptyaddr", NSS_STATUS_NOTFOUND, NULL);
	expect("cidraddr", NSS_STATUS_NOTFOUND, NULL);
	expect("bad6", NSS_STATUS_NOTFOUND, NULL);
	expect("okaddr", NSS_STATUS_SUCCESS, "10.9.9.62");
	/* a value of the wrong type or a syntax error marks a broken file:
	 * nothing from it, on the full load too */
	expect("numaddr", NSS_STATUS_NOTFOUND, NULL);
	expect("typedok", NSS_STATUS_NOTFOUND, NULL);
	expect("synok", NSS_STATUS_NOTFOUND, NULL);
	/* in a plain lease file a bad line makes the file suspect: dropped whole */
	expect("dbad", NSS_STATUS_NOTFOUND, NULL);
	expect("dok", NSS_STATUS_NOTFOUND, NULL);
}

static void names_check(void)
{
	char name[400], buffer[4096];
	struct hostent he;
	int err, herr;

	expect_good();
	expect("GOOD", NSS_STATUS_SUCCESS, "10.9.9.9 fd00::99");
	expect("good.", NSS_STATUS_SUCCESS, "10.9.9.9 fd00::99");
	expect("", NSS_STATUS_NOTFOUND, NULL);
	expect(".", NSS_STATUS_NOTFOUND, NULL);
	expect("..", NSS_STATUS_NOTFOUND, NULL);
	expect("good..", NSS_STATUS_NOTFOUND, NULL);
	expect(".good", NSS_STATUS_NOTFOUND, NULL);
	expect("go od", NSS_STATUS_NOTFOUND, NULL);
	expect("good\n", NSS_STATUS_NOTFOUND, NULL);
	expect("g\xc3\xb6od", NSS_STATUS_NOTFOUND, NULL); /* UTF-8 */
	expect("good\xff", NSS_STATUS_NOTFOUND, NULL);
	expect("\x80", NSS_STATUS_NOTFOUND, NULL);
	/* over 255 bytes, with and without a trailing dot; a label over 63 */
	memset(name, 'a', sizeof(name));
	for (int i = 63; i < 300; i += 64)
		name[i] = '.';
	name[256] = '\0';
	expect(name, NSS_STATUS_NOTFOUND, NULL);
	name[300] = '\0';
	expect(name, NSS_STATUS_NOTFOUND, NULL);
	memset(name, 'b', 64);
	name[64] = '\0';
	expect(name, NSS_STATUS_NOTFOUND, NULL);
	memset(name, 'a', 399);
	name[399] = '\0';
	expect(name, NSS_STATUS_NOTFOUND, NULL);
	/* address literals: a guest's answers through the reverse path,
	 * anything else is no guest */
	expect("10.9.9.9", NSS_STATUS_SUCCESS, "10.9.9.9");
	expect("fd00::99", NSS_STATUS_SUCCESS, "fd00::99");
	expect("FD00::99", NSS_STATUS_SUCCESS, "fd00::99");
	expect("10.9.9.10", NSS_STATUS_NOTFOUND, NULL);
	expect("127.0.0.1", NSS_STATUS_NOTFOUND, NULL);
	expect("::1", NSS_STATUS_NOTFOUND, NULL);
	expect("::ffff:10.9.9.9", NSS_STATUS_NOTFOUND, NULL);
	expect_addr("10.9.9.9", NSS_STATUS_SUCCESS, "good");
	expect_addr("fd00::99", NSS_STATUS_SUCCESS, "good");
	expect_addr("10.9.9.8", NSS_STATUS_NOTFOUND, NULL);
	/* the other entry points, with what glibc never sends but a program may */
	if (mod.byname("", &he, buffer, sizeof(buffer), &err, &herr) != NSS_STATUS_NOTFOUND)
		fail("gethostbyname_r(\"\") did not say NOTFOUND");
	if (mod.byname2("good", AF_UNIX, &he, buffer, sizeof(buffer), &err, &herr) !=
	    NSS_STATUS_UNAVAIL)
		fail("gethostbyname2_r(AF_UNIX) did not say UNAVAIL");
	if (mod.byaddr("\x0a\x09\x09\x09\x00", 5, AF_INET, &he, buffer, sizeof(buffer), &err,
		       &herr) != NSS_STATUS_UNAVAIL)
		fail("gethostbyaddr_r(5 bytes, AF_INET) did not say UNAVAIL");
	if (mod.byaddr("\x0a\x09\x09\x09", 4, AF_INET6, &he, buffer, sizeof(buffer), &err, &herr) !=
	    NSS_STATUS_UNAVAIL)
		fail("gethostbyaddr_r(4 bytes, AF_INET6) did not say UNAVAIL");
	if (mod.byaddr(NULL, 4, AF_INET, &he, buffer, sizeof(buffer), &err, &herr) !=
	    NSS_STATUS_UNAVAIL)
		fail("gethostbyaddr_r(NULL) did not say UNAVAIL");
}

static void names_prepare(void)
{
	fresh("names");
}

static const struct hostile_case cases[] = {
    {"big", "a 1 GiB sparse .status and a 32 MiB + 1 one", big_prepare, big_check, false},
    {"many", "100,000 leases in one .status", many_prepare, many_check, false},
    {"fifo", "FIFOs as .status, .macs, .conf; a directory as .status", fifo_prepare, simple_check,
     false},
    {"symlinks", "symlinks to /dev/zero, /dev/urandom, to themselves, in a loop", symlinks_prepare,
     simple_check, false},
    {"perm", "a .status and a .conf this user may not read", perm_prepare, perm_check, true},
    {"permdir", "a lease dir this user may not list", permdir_prepare, unavail_check, true},
    {"missing", "no lease dir", missing_prepare, unavail_check, false},
    {"notdir", "a lease dir that is a file", notdir_prepare, unavail_check, false},
    {"crowd", "10,000 unrelated files in the lease dir", crowd_prepare, simple_check, false},
    {"deleted", "a .status deleted between the listing and open", deleted_prepare, deleted_check,
     false},
    {"longname", "a 64 KiB hostname (.status and dnsmasq leases)", longname_prepare, longname_check,
     false},
    {"nul", "NUL bytes in .status, .macs and dnsmasq leases", nul_prepare, nul_check, false},
    {"badaddr", "addresses that do not parse", badaddr_prepare, badaddr_check, false},
    {"names", "hostile names", names_prepare, names_check, false},
};

static void drop_to_nobody(void)
{
	if (geteuid() != 0)
		return; /* not root: file modes already bind us */
	if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
		die("dropping to nobody");
	if (setuid(0) == 0) {
		fprintf(stderr, "could get root back\n");
		exit(99);
	}
}

static int run_case(const struct hostile_case *c)
{
	char path[700];
	struct timespec t0, t1;
	struct rusage ru;
	int status;

	c->prepare();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		setenv("LIBVIRT_CLUSTER_LEASE_DIR", leases, 1);
		snprintf(path, sizeof(path), "%s/run", top);
		setenv("LIBVIRT_CLUSTER_RUNSTATE_DIR", path, 1);
		snprintf(path, sizeof(path), "%s/%s.conf", top, c->id);
		setenv("LIBVIRT_CLUSTER_CONFIG", path, 1);
		if (c->as_nobody)
			drop_to_nobody();
		alarm(CASE_ALARM);
		if (nss_module_load(&mod, so_path) < 0)
			_exit(99);
		c->check();
		nss_module_unload(&mod);
		fflush(stderr);
		_exit(errors ? 1 : 0);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		die("wait4");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	long mb = ru.ru_maxrss / 1024;
	const char *verdict = NULL;

	if (WIFSIGNALED(status))
		verdict = WTERMSIG(status) == SIGALRM ? "HANG" : strsignal(WTERMSIG(status));
	else if (WEXITSTATUS(status) == 99)
		verdict = "could not run";
	else if (WEXITSTATUS(status) != 0)
		verdict = "wrong answers";
	else if (secs > CASE_SECONDS)
		verdict = "too slow";
	else if (mb > CASE_MAXRSS_MB)
		verdict = "too much memory";
	printf("%-4s %-62s %6.2f s %4ld MB%s%s\n", verdict ? "FAIL" : "ok", c->name, secs, mb,
	       verdict ? "  " : "", verdict ? verdict : "");
	fflush(stdout);
	return verdict ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *dir = getenv("LC_NSS_DIR");
	const char *only = argc > 1 ? argv[1] : NULL;
	char cmd[700];
	int failed = 0;

	if (!dir) {
		fprintf(stderr, "LC_NSS_DIR is not set (run from make check)\n");
		return 99;
	}
	snprintf(so_path, sizeof(so_path), "%s/libnss_libvirt_cluster.so.2", dir);
	snprintf(top, sizeof(top), "%s/lc-hostile.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(top) || chmod(top, 0755) < 0)
		die("mkdtemp");
	if (geteuid() == 0)
		printf("# running as root: the permission cases drop to nobody\n");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!only || !strcmp(only, cases[i].id))
			failed += run_case(&cases[i]);
	snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", top, top);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", top);
	return failed ? 1 : 0;
}
