/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cold path (a db loaded for one name) must answer exactly as a full
 * load does, for every name a full load knows, their FQDNs, case and
 * trailing-dot variants, and names that are no guest.  Run over the module
 * fixture, the libvirt 9.0 captures, and hand-made awkward files: braces
 * and commas inside strings, nested unknown keys, a half-written file.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "resolver/lease.h"
#include "resolver/resolver.h"

static char tmpdir[] = "/tmp/lc-cold.XXXXXX";
/* cold loads that parsed everything (lc_db_complete) */
static size_t n_complete;

static void write_file(const char *dir, const char *name, const char *content)
{
	char path[512];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

/* Describe one lookup's answer as a string, to compare the two paths. */
static void describe(const struct lc_db *db, const char *name, char *out, size_t size)
{
	struct lc_match m;
	char a[64];
	size_t n = 0;
	enum lc_lookup r = lc_db_lookup_name(db, name, AF_UNSPEC, &m);

	n += (size_t)snprintf(out + n, size - n, "%d", (int)r);
	if (r != LC_FOUND && r != LC_NODATA)
		return;
	n += (size_t)snprintf(out + n, size - n, " %s [", m.host->name);
	for (size_t i = 0; i < m.host->n_addrs && n < size; i++)
		if (lc_match_addr(&m, i))
			n += (size_t)snprintf(out + n, size - n, " %s/%s/%d",
					      lc_addr_format(&m.host->addrs[i].addr, a, sizeof(a)),
					      m.host->addrs[i].network, m.host->addrs[i].nic_index);
	n += (size_t)snprintf(out + n, size - n, " ] aliases");
	for (size_t i = 0; i < m.host->n_aliases && n < size; i++)
		n += (size_t)snprintf(out + n, size - n, " %s", m.host->aliases[i]);
}

static void add_variants(char ***names, size_t *n, const char *base)
{
	char buf[600];
	const char *suffixes[] = {"", ".", ".lab.test", ".int.test", ".cluster.test", ".nope.test"};
	for (size_t s = 0; s < sizeof(suffixes) / sizeof(*suffixes); s++) {
		snprintf(buf, sizeof(buf), "%s%s", base, suffixes[s]);
		*names = realloc(*names, (*n + 2) * sizeof(char *));
		(*names)[(*n)++] = strdup(buf);
		for (char *p = buf; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		(*names)[(*n)++] = strdup(buf);
	}
}

/* For every name the full db knows (and some it does not), the db loaded
 * for that one name gives the same answer. */
static void compare_paths(const struct lc_paths *paths, int64_t now)
{
	struct lc_db *full;
	char **names = NULL;
	size_t n = 0, checked = 0;

	assert_int_equal(lc_db_load(paths, now, &full), 0);
	for (size_t i = 0; i < lc_db_n_hosts(full); i++) {
		const struct lc_host *h = lc_db_host(full, i);
		add_variants(&names, &n, h->name);
		for (size_t k = 0; k < h->n_aliases; k++)
			add_variants(&names, &n, h->aliases[k]);
	}
	/* misses, the commonest lookup, and near-misses: a known name with a
	 * byte more, a byte less, or one before it */
	size_t known = n;
	for (size_t i = 0; i < known; i += 12) {
		char near[600];
		size_t l = strlen(names[i]);
		snprintf(near, sizeof(near), "%sx", names[i]);
		add_variants(&names, &n, near);
		snprintf(near, sizeof(near), "x%s", names[i]);
		add_variants(&names, &n, near);
		if (l > 1) {
			snprintf(near, sizeof(near), "%.*s", (int)(l - 1), names[i]);
			add_variants(&names, &n, near);
		}
	}
	static const char *const misses[] = {"www.example.com", "github.com", "example.invalid",
					     "localhost",	"node",	      "52:54:00:bb:00:01"};
	for (size_t i = 0; i < sizeof(misses) / sizeof(*misses); i++)
		add_variants(&names, &n, misses[i]);
	/* each name twice: on the filtered cold path (whole parses off), and
	 * as a process would (a small lab's hit parses the files whole: that
	 * db must then answer every name as the full load does) */
	for (size_t i = 0; i < n; i++) {
		for (int pass = 0; pass < 2; pass++) {
			struct lc_db *part;
			char want[4096], got[4096];
			lc_db_whole_max = pass ? LC_DB_WHOLE_MAX : 0;
			assert_int_equal(
			    lc_db_load_tracked(paths, now, names[i], NULL, NULL, &part), 0);
			size_t from = i, to = i + 1;
			if (lc_db_complete(part)) {
				from = 0, to = n;
				n_complete++;
			}
			for (size_t j = from; j < to; j++) {
				describe(full, names[j], want, sizeof(want));
				describe(part, names[j], got, sizeof(got));
				if (strcmp(want, got) != 0)
					fail_msg("%s (db for %s, whole max %zu): full load says\n  "
						 "%s\ncold path says\n  %s",
						 names[j], names[i], lc_db_whole_max, want, got);
			}
			lc_db_free(part);
		}
		checked++;
	}
	lc_db_whole_max = LC_DB_WHOLE_MAX;
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	assert_true(checked > 10);
	free(names);
	lc_db_free(full);
}

static void paths_for(struct lc_paths *p, const char *leases, const char *run, const char *conf)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->lease_dir, sizeof(p->lease_dir), "%s", leases);
	snprintf(p->runstate_dir, sizeof(p->runstate_dir), "%s", run);
	snprintf(p->config, sizeof(p->config), "%s", conf);
}

static void test_module_fixture(void **state)
{
	char cmd[1024], l[300], r[300], c[300];
	struct lc_paths p;

	snprintf(l, sizeof(l), "%s/fx/leases", tmpdir);
	snprintf(r, sizeof(r), "%s/fx/run", tmpdir);
	snprintf(c, sizeof(c), "%s/fx/conf", tmpdir);
	snprintf(cmd, sizeof(cmd), "python3 %s/tests/nss/mkfixture %s %s %s",
		 getenv("abs_top_srcdir"), l, r, c);
	assert_int_equal(system(cmd), 0);
	paths_for(&p, l, r, c);
	n_complete = 0;
	compare_paths(&p, time(NULL));
	assert_true(n_complete > 0); /* a small lab: its hits parse whole */
}

static void test_libvirt_captures(void **state)
{
	char l[512];
	struct lc_paths p;

	snprintf(l, sizeof(l), "%s/libvirt-9.0/dnsmasq", getenv("LC_FIXTURES"));
	paths_for(&p, l, "/nonexistent", "/nonexistent");
	/* before the captured leases expire, and after */
	compare_paths(&p, 1795781219 - 3600);
	compare_paths(&p, 1795781219 + 1);
}

static void test_awkward_files(void **state)
{
	char d[300];
	struct lc_paths p;

	snprintf(d, sizeof(d), "%s/awk", tmpdir);
	assert_int_equal(mkdir(d, 0755), 0);
	write_file(d, "br0.conf", "interface=br0\ndomain=lab.test\n");
	/* a domain name with braces and commas, nested unknown keys holding
	 * objects, escapes, upper case, a guest whose hostname is another
	 * guest's domain name */
	write_file(
	    d, "br0.macs",
	    "[\n"
	    "  {\"domain\": \"web,{},x\", \"macs\": [\"52:54:00:00:00:01\"]},\n"
	    "  {\"future\": [{\"domain\": \"ghost\", \"macs\": [\"52:54:00:00:00:09\"]}],\n"
	    "   \"domain\": \"Node1\", \"macs\": [\"52:54:00:00:00:02\", \"52:54:00:00:00:03\"]},\n"
	    "  {\"domain\": \"node2\", \"macs\": [\"52:54:00:00:00:04\"]}\n"
	    "]\n");
	write_file(d, "br0.status",
		   "[\n"
		   " {\"ip-address\": \"10.0.0.1\", \"mac-address\": \"52:54:00:00:00:01\", "
		   "\"hostname\": \"web\"},\n"
		   " {\"x\": {\"hostname\": \"node1\", \"y\": [1, {\"z\": \"{\"}]}, "
		   "\"ip-address\": \"10.0.0.2\", \"mac-address\": \"52:54:00:00:00:02\"},\n"
		   " {\"ip-address\": \"10.0.0.3\", \"mac-address\": \"52:54:00:00:00:03\", "
		   "\"hostname\": \"node1-b\"},\n"
		   " {\"ip-address\": \"10.0.0.4\", \"mac-address\": \"52:54:00:00:00:04\", "
		   "\"hostname\": \"node1\"},\n"
		   " {\"ip-address\": \"fd00::4\", \"mac-address\": \"52:54:00:00:00:04\"},\n"
		   " {\"ip-address\": \"10.0.0.9\", \"mac-address\": \"52:54:00:00:00:09\", "
		   "\"hostname\": \"gh\\u006fst\"}\n"
		   "]\n");
	/* cut short: no entries from it on either path */
	write_file(d, "br1.status",
		   "[\n {\"ip-address\": \"10.1.0.1\", \"mac-address\": \"52:54:00:01:00:01\", "
		   "\"hostname\": \"cut\"},\n {\"ip-address\": \"10.1.0.2\"");
	paths_for(&p, d, "/nonexistent", "/nonexistent");
	compare_paths(&p, time(NULL));
}

/* Names spelled with escapes in small files (the cold path parses those
 * whole), names only in a .macs (a guest with no lease), dotted domain
 * names, and a network without a .macs (DHCP-only hosts). */
static void test_escaped_names(void **state)
{
	char d[300];
	struct lc_paths p;
	char *status;

	snprintf(d, sizeof(d), "%s/esc", tmpdir);
	assert_int_equal(mkdir(d, 0755), 0);
	write_file(d, "br0.conf", "interface=br0\ndomain=lab.test\n");
	write_file(d, "br1.conf", "interface=br1\ndomain=iso.test\n");
	write_file(d, "br0.macs",
		   "[\n"
		   "  {\"domain\": \"w\\u0065b\", \"macs\": [\"52:54:00:00:00:01\"]},\n"
		   "  {\"domain\": \"node2\", \"macs\": [\"52:54:00:00:00:02\"]},\n"
		   "  {\"domain\": \"db.prod\", \"macs\": [\"52:54:00:00:00:03\"]},\n"
		   "  {\"domain\": \"lonely\", \"macs\": [\"52:54:00:00:00:04\"]},\n"
		   "  {\"domain\": \"sl\\/ash\", \"macs\": [\"52:54:00:00:00:05\"]}\n"
		   "]\n");
	assert_true(
	    asprintf(&status,
		     "[\n"
		     " {\"ip-address\": \"10.0.0.1\", \"mac-address\": \"52:54:00:00:00:01\", "
		     "\"hostname\": \"web\", \"expiry-time\": %lld},\n"
		     " {\"ip-address\": \"10.0.0.2\", \"mac-address\": \"52:54:00:00:00:02\", "
		     "\"hostname\": \"n\\u006fde2-dhcp\", \"expiry-time\": %lld},\n"
		     " {\"ip-address\": \"10.0.0.3\", \"mac-address\": \"52:54:00:00:00:03\", "
		     "\"hostname\": \"db\"},\n"
		     " {\"ip-address\": \"10.0.0.5\", \"mac-address\": \"52:54:00:00:00:05\"}\n"
		     "]\n",
		     (long long)time(NULL) + 3600, (long long)time(NULL) + 3600) > 0);
	write_file(d, "br0.status", status);
	free(status);
	/* no .macs: every lease a DHCP-only host by its hostname */
	write_file(d, "br1.status",
		   "[\n"
		   " {\"ip-address\": \"10.1.0.9\", \"mac-address\": \"52:54:00:01:00:09\", "
		   "\"hostname\": \"gh\\u006fst\"},\n"
		   " {\"ip-address\": \"10.1.0.8\", \"mac-address\": \"52:54:00:01:00:08\", "
		   "\"hostname\": \"\\u0047host2\"},\n"
		   " {\"ip-address\": \"10.1.0.7\", \"mac-address\": \"52:54:00:01:00:07\", "
		   "\"hostname\": \"plain\"}\n"
		   "]\n");
	paths_for(&p, d, "/nonexistent", "/nonexistent");
	compare_paths(&p, time(NULL));

	/* the same lab without a backslash: names only in a .macs, and misses
	 * that parse nothing */
	write_file(d, "br0.macs",
		   "[\n"
		   "  {\"domain\": \"web\", \"macs\": [\"52:54:00:00:00:01\"]},\n"
		   "  {\"domain\": \"db.prod\", \"macs\": [\"52:54:00:00:00:03\"]},\n"
		   "  {\"domain\": \"lonely\", \"macs\": [\"52:54:00:00:00:04\"]}\n"
		   "]\n");
	write_file(d, "br0.status",
		   "[\n"
		   " {\"ip-address\": \"10.0.0.1\", \"mac-address\": \"52:54:00:00:00:01\", "
		   "\"hostname\": \"web\"},\n"
		   " {\"ip-address\": \"10.0.0.3\", \"mac-address\": \"52:54:00:00:00:03\", "
		   "\"hostname\": \"db\"}\n"
		   "]\n");
	write_file(d, "br1.status",
		   "[\n"
		   " {\"ip-address\": \"10.1.0.7\", \"mac-address\": \"52:54:00:01:00:07\", "
		   "\"hostname\": \"plain\"}\n"
		   "]\n");
	compare_paths(&p, time(NULL));
}

/* The .conf files the filtered path parses: only those whose interface=
 * lines name a bridge it took a lease on.  Networks named unlike their
 * bridges; a .conf with two interface= lines (the last one counts); two
 * .conf files for one bridge (the first in order counts); a .conf with
 * none; a bridge with leases and no .conf; a guest with NICs on an
 * external and an isolated network (the order of its addresses), each
 * with its own domain (the FQDN aliases). */
static void test_conf_files(void **state)
{
	char d[300];
	struct lc_paths p;

	snprintf(d, sizeof(d), "%s/confs", tmpdir);
	assert_int_equal(mkdir(d, 0755), 0);
	write_file(d, "alpha.conf", "domain=alpha.test\ninterface=virbr-a\n");
	write_file(d, "beta.conf",
		   "interface=virbr-b\ndomain=beta.test\ndhcp-option=3\ninterface=virbr-c\n");
	write_file(d, "gamma.conf", "interface=virbr-a\ndomain=gamma.test\n");
	write_file(d, "none.conf", "domain=none.test\n");
	write_file(d, "virbr-a.macs",
		   "[{\"domain\": \"two\", \"macs\": [\"52:54:00:00:0a:01\"]},\n"
		   " {\"domain\": \"one\", \"macs\": [\"52:54:00:00:0a:02\"]}]\n");
	write_file(d, "virbr-c.macs",
		   "[{\"domain\": \"two\", \"macs\": [\"52:54:00:00:0c:01\"]},\n"
		   " {\"domain\": \"iso\", \"macs\": [\"52:54:00:00:0c:02\"]}]\n");
	write_file(d, "virbr-a.status",
		   "[{\"ip-address\": \"10.10.0.1\", \"mac-address\": \"52:54:00:00:0a:01\", "
		   "\"hostname\": \"two\"},\n"
		   " {\"ip-address\": \"10.10.0.2\", \"mac-address\": \"52:54:00:00:0a:02\", "
		   "\"hostname\": \"one-dhcp\"}]\n");
	write_file(d, "virbr-c.status",
		   "[{\"ip-address\": \"10.12.0.1\", \"mac-address\": \"52:54:00:00:0c:01\"},\n"
		   " {\"ip-address\": \"fd12::2\", \"mac-address\": \"52:54:00:00:0c:02\", "
		   "\"hostname\": \"iso\"}]\n");
	/* bridges whose network no .conf names (b: beta's last line is c) */
	write_file(d, "virbr-b.status",
		   "[{\"ip-address\": \"10.11.0.5\", \"mac-address\": \"52:54:00:00:0b:05\", "
		   "\"hostname\": \"bee\"}]\n");
	write_file(d, "virbr-d.status",
		   "[{\"ip-address\": \"10.13.0.5\", \"mac-address\": \"52:54:00:00:0d:05\", "
		   "\"hostname\": \"dee\"}]\n");
	paths_for(&p, d, "/nonexistent", "/nonexistent");
	compare_paths(&p, time(NULL));
}

static void test_generated_world(void **state)
{
	char cmd[1024], d[300];
	struct lc_paths p;
	int64_t now = time(NULL);
	static const char *const files[] = {"virbr0.status", "virbr1.status", "virbr0.macs",
					    "virbr1.macs"};

	snprintf(d, sizeof(d), "%s/gen", tmpdir);
	/* 480 guests with a NIC on each of two networks: nodeN, some with a
	 * DHCP hostname of their own, some stopped, some with DHCPv6 leases */
	snprintf(cmd, sizeof(cmd),
		 "python3 %s/bench/gen-leases %s -n 480 -k 2 --nics 2 --seed 7 --now %lld "
		 ">/dev/null",
		 getenv("abs_top_srcdir"), d, (long long)now);
	assert_int_equal(system(cmd), 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		char path[400];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", d, files[i]);
		assert_int_equal(stat(path, &st), 0);
		assert_true(st.st_size >= 32 << 10);
	}
	paths_for(&p, d, "/nonexistent", "/nonexistent");
	n_complete = 0;
	compare_paths(&p, now);
	assert_int_equal(n_complete, 0); /* too big to parse whole for one name */
}

/* gen-leases' lab in TMP/name (N guests, seed, extra gen-leases options),
 * and in TMP/name-run the hook's guest record of every guest, as a real
 * host has them (its NICs on each bridge whose .macs lists it); *p the
 * paths of both.  Then every name compared (n_complete counts the dbs
 * that were complete). */
static void compare_records_lab(const char *name, int n, int seed, const char *opts, int64_t now,
				struct lc_paths *p)
{
	char cmd[2048], d[300], run[300];

	snprintf(d, sizeof(d), "%s/%s", tmpdir, name);
	snprintf(run, sizeof(run), "%s/%s-run", tmpdir, name);
	snprintf(cmd, sizeof(cmd),
		 "python3 %s/bench/gen-leases %s -n %d -k 2 --seed %d %s --now %lld >/dev/null && "
		 "mkdir -p %s && python3 -c '\n"
		 "import json, os, sys\n"
		 "d, run = sys.argv[1:]\n"
		 "nics = {}\n"
		 "for f in sorted(os.listdir(d)):\n"
		 "    if f.endswith(\".macs\"):\n"
		 "        for e in json.load(open(os.path.join(d, f))):\n"
		 "            nics.setdefault(e[\"domain\"], []).extend((m, f[:-5]) for m in "
		 "e[\"macs\"])\n"
		 "for name, l in nics.items():\n"
		 "    with open(os.path.join(run, \"guest-\" + name + \".rec\"), \"w\") as r:\n"
		 "        r.write(\"libvirt-cluster record 1\\nkind guest\\nname "
		 "%%s\\ndriver qemu\\n\" %% name)\n"
		 "        r.writelines(\"nic %%s - %%s\\n\" %% x for x in l)\n"
		 "' %s %s",
		 getenv("abs_top_srcdir"), d, n, seed, opts, (long long)now, run, d, run);
	assert_int_equal(system(cmd), 0);
	paths_for(p, d, run, "/nonexistent");
	n_complete = 0;
	compare_paths(p, now);
}

/* A small lab with the records: a hit parses the files whole, and that db
 * answers every name as the full load does.  A miss stays filtered, and
 * cheap: only the recorded guests whose names can match are followed. */
static void test_records_world(void **state)
{
	struct lc_paths p;
	struct lc_db *db;
	int64_t now = time(NULL);

	compare_records_lab("recs", 12, 3, "", now, &p);
	assert_true(n_complete > 0);
	assert_int_equal(lc_db_load_tracked(&p, now, "www.example.com", NULL, NULL, &db), 0);
	assert_false(lc_db_complete(db));
	lc_db_free(db);
}

/* Too big to parse whole, with records of every guest, two NICs each on
 * two bridges, DHCP hostnames of their own: the filtered path, following
 * recorded guests through the leases it finds, answers as the full load. */
static void test_records_big_world(void **state)
{
	struct lc_paths p;

	compare_records_lab("recs-big", 60, 11, "--nics 2", time(NULL), &p);
	assert_int_equal(n_complete, 0); /* over lc_db_whole_max: every name filtered */
}

static int setup(void **state)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_module_fixture),    cmocka_unit_test(test_libvirt_captures),
	    cmocka_unit_test(test_awkward_files),     cmocka_unit_test(test_escaped_names),
	    cmocka_unit_test(test_generated_world),   cmocka_unit_test(test_records_world),
	    cmocka_unit_test(test_records_big_world), cmocka_unit_test(test_conf_files),
	};
	if (!getenv("abs_top_srcdir") || !getenv("LC_FIXTURES")) {
		fprintf(stderr, "run through make check\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
