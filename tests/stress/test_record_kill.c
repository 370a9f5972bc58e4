/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * "Nothing lost": a hook killed while it writes a record must leave the old
 * record or the new one, complete, never a torn one.  A child writes two
 * different records of one guest in turn (lc_guest_record_write: a file
 * with no name, fsync, a temp name, rename) until it is SIGKILLed at a
 * random moment; the record on disk is then read back, and read while the
 * writer runs too.  Every other round starts from no record at all: then
 * "absent" is a valid outcome.  Killed writers may leave a temp file only
 * when killed between the link and the rename: rarely, never most times
 * (as they did when the temp file was named while it was written).
 *
 *   test_record_kill [ROUNDS]   (default 400)
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "resolver/resolver.h"

static struct lc_guest_record rec_a, rec_b;

static void make_records(void)
{
	/* of very different sizes, so a torn one cannot pass for either */
	strcpy(rec_a.name, "node1");
	strcpy(rec_a.uuid, "112a8f63-2000-4068-ae26-97774bdc30d8");
	strcpy(rec_a.driver, "lxc");
	strcpy(rec_a.cluster, "alpha");
	rec_a.n_nics = 1;
	rec_a.nics[0] = (struct lc_nic){{0x52, 0x54, 0, 0x15, 0, 1}, "labnet", "virbr-lab"};

	rec_b = rec_a;
	strcpy(rec_b.driver, "qemu");
	strcpy(rec_b.cluster, "beta");
	strcpy(rec_b.group, "WEB");
	rec_b.n_nics = LC_RECORD_MAX_NICS;
	for (size_t i = 0; i < LC_RECORD_MAX_NICS; i++) {
		rec_b.nics[i] =
		    (struct lc_nic){{0x52, 0x54, 0, 0x16, 0, (uint8_t)i}, "", "virbr-iso"};
		snprintf(rec_b.nics[i].network, sizeof(rec_b.nics[i].network), "network-%03zu", i);
	}
}

static bool same(const struct lc_guest_record *x, const struct lc_guest_record *y)
{
	if (strcmp(x->name, y->name) || strcmp(x->uuid, y->uuid) || strcmp(x->driver, y->driver) ||
	    strcmp(x->cluster, y->cluster) || strcmp(x->group, y->group) || x->n_nics != y->n_nics)
		return false;
	for (size_t i = 0; i < x->n_nics; i++)
		if (memcmp(x->nics[i].mac, y->nics[i].mac, LC_MAC_LEN) ||
		    strcmp(x->nics[i].network, y->nics[i].network) ||
		    strcmp(x->nics[i].bridge, y->nics[i].bridge))
			return false;
	return true;
}

/* 'A', 'B', '-' (absent, when allowed) or 0 with a message. */
static char check(const char *dir, bool absent_ok, const char *when)
{
	static struct lc_guest_record got;
	int r = lc_guest_record_load(dir, "node1", &got);
	if (r == -ENOENT && absent_ok)
		return '-';
	if (r < 0) {
		fprintf(stderr, "FAIL %s: the record does not load: %s\n", when, strerror(-r));
		return 0;
	}
	if (same(&got, &rec_a))
		return 'A';
	if (same(&got, &rec_b))
		return 'B';
	fprintf(stderr, "FAIL %s: the record is neither the old nor the new one (%zu NICs)\n", when,
		got.n_nics);
	return 0;
}

static size_t count_temps(const char *dir)
{
	size_t n = 0;
	DIR *d = opendir(dir);
	for (struct dirent *de; d && (de = readdir(d));)
		if (strstr(de->d_name, ".tmp"))
			n++;
	if (d)
		closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 400;
	char dir[256], cmd[400];
	unsigned seed = (unsigned)time(NULL);
	int failures = 0, seen[128] = {0};

	make_records();
	snprintf(dir, sizeof(dir), "%s/lc-record-kill.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 99;
	}
	for (int i = 0; i < rounds && failures < 5; i++) {
		bool fresh = i % 2 == 1;
		if (fresh)
			lc_guest_record_remove(dir, "node1");
		else if (lc_guest_record_write(dir, &rec_a) < 0) {
			perror("first write");
			return 99;
		}
		pid_t pid = fork();
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (unsigned k = 0;; k++)
				if (lc_guest_record_write(dir, k % 2 ? &rec_a : &rec_b) < 0)
					_exit(2);
		}
		if (pid < 0) {
			perror("fork");
			return 99;
		}
		/* read while it writes, then kill it at a random point */
		usleep((useconds_t)(rand_r(&seed) % 1500));
		char c = check(dir, fresh, "while the writer runs");
		failures += !c;
		usleep((useconds_t)(rand_r(&seed) % 1500));
		kill(pid, SIGKILL);
		int status;
		waitpid(pid, &status, 0);
		if (!WIFSIGNALED(status)) {
			fprintf(stderr, "FAIL: the writer stopped by itself (status %#x)\n",
				status);
			failures++;
		}
		c = check(dir, fresh, "after SIGKILL");
		failures += !c;
		seen[(unsigned char)c & 127]++;
	}
	size_t temps = count_temps(dir);
	printf("%d rounds: after the kill the record was the first one %d times, the second %d, "
	       "absent %d; torn: %d; temp files left by killed writers: %zu\n",
	       rounds, seen['A'], seen['B'], seen['-'], failures, temps);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	if (!failures && (seen['A'] == 0 || seen['B'] == 0)) {
		fprintf(stderr, "FAIL: the kills never caught the writer between records\n");
		return 1;
	}
	if (!failures && temps * 10 > (size_t)rounds) {
		fprintf(stderr, "FAIL: %zu temp files left by %d killed writers\n", temps, rounds);
		return 1;
	}
	return failures ? 1 : 0;
}
