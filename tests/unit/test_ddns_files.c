/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host/ddns: the key file (tsig-keygen output, its mode) and the spool's
 * encoding (one file per guest, atomic, read back the same). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "host/ddns.h"
#include "resolver/util.h"
#include "tests/unit/unit.h"

int test_ddns_files_main(void);

/* What `tsig-keygen -a hmac-sha256 lc-key` prints. */
#define KEYGEN                                                                                     \
	"key \"lc-key\" {\n\talgorithm hmac-sha256;\n\tsecret "                                    \
	"\"k3vD6Vwm0QGf1LIyE7xY8o0Ttt1l7CxgGmS9N2f6mQQ=\";\n};\n"

static void test_key_parse(void **state)
{
	struct ddns_key k;
	char err[256];

	assert_int_equal(ddns_key_parse(KEYGEN, strlen(KEYGEN), &k, err, sizeof(err)), 0);
	assert_string_equal(k.name, "lc-key");
	assert_string_equal(k.algorithm, "hmac-sha256.");
	assert_string_equal(k.secret, "k3vD6Vwm0QGf1LIyE7xY8o0Ttt1l7CxgGmS9N2f6mQQ=");
	/* comments of all three kinds, a trailing dot on the name */
	const char *c = "# made by hand\n// for hv-a\n/* two\nlines */ key lc-key. { secret "
			"\"AAAA\"; algorithm HMAC-SHA512; };";
	assert_int_equal(ddns_key_parse(c, strlen(c), &k, err, sizeof(err)), 0);
	assert_string_equal(k.name, "lc-key");
	assert_string_equal(k.algorithm, "hmac-sha512.");

	static const struct {
		const char *text, *why;
	} bad[] = {
	    {"", "expected tsig-keygen output"},
	    {"key \"k\" { algorithm hmac-sha384; secret \"AAAA\"; };",
	     "tsig-keygen -a hmac-sha256"},
	    {"key \"k\" { algorithm hmac-sha256; };", "needs an algorithm and a secret"},
	    {"key \"k\" { algorithm hmac-sha256; secret \"not base64!\"; };", "not base64"},
	    {"key \"k\" { algorithm hmac-sha256; secret \"AAAA\";", "not closed"},
	    {"key \"k\" { algorithm hmac-sha256 secret \"AAAA\"; };", "expected ';'"},
	    {"key \"k\" { secret \"AAAA", "not closed"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(
		    ddns_key_parse(bad[i].text, strlen(bad[i].text), &k, err, sizeof(err)),
		    -EINVAL);
		if (!strstr(err, bad[i].why))
			fail_msg("%s: said \"%s\", not \"%s\"", bad[i].text, err, bad[i].why);
	}
}

static void test_key_mode(void **state)
{
	const char *dir = *state;
	char *path = unit_path(dir, "dns.key"), err[512];
	struct ddns_key k;

	unit_write(dir, "dns.key", KEYGEN, (size_t)-1);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(ddns_key_load(path, &k, err, sizeof(err)), 0);
	assert_string_equal(k.name, "lc-key");
	/* anyone else reading the secret can rewrite the zone */
	static const mode_t modes[] = {0644, 0640, 0604, 0620};
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_int_equal(chmod(path, modes[i]), 0);
		assert_int_equal(ddns_key_load(path, &k, err, sizeof(err)), -EPERM);
		assert_non_null(strstr(err, "refused"));
		assert_non_null(strstr(err, "chmod 600"));
	}
	assert_int_equal(ddns_key_load("/nonexistent/dns.key", &k, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/dns.key"));
	free(path);
}

static void test_config_from(void **state)
{
	const char *dir = *state;
	char *key = unit_path(dir, "dns.key"), *mid = unit_path(dir, "machine-id"), err[512];
	struct lc_config lc;
	struct ddns_config c;
	char text[1024];

	unit_write(dir, "dns.key", KEYGEN, (size_t)-1);
	assert_int_equal(chmod(key, 0600), 0);
	unit_write(dir, "machine-id", "0123456789abcdef0123456789abcdef\n", (size_t)-1);
	lc_config_defaults(&lc);
	assert_int_equal(ddns_config_from(&lc, mid, &c, err, sizeof(err)), -ENODATA);
	snprintf(text, sizeof(text),
		 "dns_server = 192.0.2.53#5353\ndns_zone = Cluster.Test.\n"
		 "dns_reverse_zones = 2.0.192.in-addr.arpa\ndns_key_file = %s\n",
		 key);
	assert_int_equal(lc_config_parse(text, strlen(text), &lc, NULL, NULL), 0);
	assert_int_equal(ddns_config_from(&lc, mid, &c, err, sizeof(err)), 0);
	assert_string_equal(c.zone, "cluster.test");
	assert_string_equal(c.host_id, "0123456789abcdef0123456789abcdef");
	assert_int_equal(c.ttl, 60);
	assert_int_equal(c.n_rev_zones, 1);
	assert_int_equal(c.server.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&c.server)->sin_port), 5353);
	assert_int_equal(c.timeout_ms, 2000);
	assert_int_equal(c.tries, 2);
	lc_config_free(&lc);
	/* a server without a key is refused: updates must be signed */
	const char *nokey = "dns_server = ::1\ndns_zone = cluster.test\n";
	assert_int_equal(lc_config_parse(nokey, strlen(nokey), &lc, NULL, NULL), 0);
	assert_int_equal(ddns_config_from(&lc, mid, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "dns_key_file"));
	lc_config_free(&lc);
	free(key);
	free(mid);
}

static struct ddns_spool_entry entry(void)
{
	struct ddns_spool_entry e;
	memset(&e, 0, sizeof(e));
	e.op = DDNS_OP_WITHDRAW;
	snprintf(e.guest.name, sizeof(e.guest.name), "node1");
	snprintf(e.guest.cluster, sizeof(e.guest.cluster), "lab");
	snprintf(e.guest.group, sizeof(e.guest.group), "WEB");
	assert_int_equal(ddns_uuid_parse("6f1d43a0-5b1c-4a3e-9d52-0c2f5e7a1b01", e.guest.uuid), 0);
	assert_int_equal(lc_addr_parse("10.250.0.11", 11, &e.guest.addrs[0]), 0);
	assert_int_equal(lc_addr_parse("fd00::11", 8, &e.guest.addrs[1]), 0);
	e.guest.n_addrs = 2;
	e.tries = 3;
	e.next_try = 1764700000;
	snprintf(e.last_error, sizeof(e.last_error), "no answer\nfrom 192.0.2.53");
	return e;
}

#define SPOOL_TEXT                                                                                 \
	"libvirt-cluster ddns 1\nop withdraw\nname node1\n"                                        \
	"uuid 6f1d43a0-5b1c-4a3e-9d52-0c2f5e7a1b01\ncluster lab\ngroup WEB\n"                      \
	"address 10.250.0.11\naddress fd00::11\ntries 3\nnext 1764700000\n"                        \
	"error no answer from 192.0.2.53\n"

static void test_spool_encoding(void **state)
{
	struct ddns_spool_entry e = entry(), back;
	char buf[4096];

	assert_int_equal(ddns_spool_format(&e, buf, sizeof(buf)), 0);
	assert_string_equal(buf, SPOOL_TEXT);
	assert_int_equal(ddns_spool_parse(buf, strlen(buf), &back), 0);
	assert_int_equal(back.op, DDNS_OP_WITHDRAW);
	assert_string_equal(back.guest.name, "node1");
	assert_memory_equal(back.guest.uuid, e.guest.uuid, 16);
	assert_int_equal(back.guest.n_addrs, 2);
	assert_memory_equal(&back.guest.addrs[1], &e.guest.addrs[1], sizeof(struct lc_addr));
	assert_int_equal(back.tries, 3);
	assert_int_equal(back.next_try, 1764700000);
	assert_string_equal(back.last_error, "no answer from 192.0.2.53");
	/* formatting what was read gives the same bytes */
	char again[4096];
	assert_int_equal(ddns_spool_format(&back, again, sizeof(again)), 0);
	assert_string_equal(again, buf);
	/* too small a buffer */
	assert_int_equal(ddns_spool_format(&e, buf, 40), -ENOBUFS);

	static const char *const bad[] = {
	    "",
	    "libvirt-cluster ddns 2\nop publish\nname n\nuuid "
	    "6f1d43a0-5b1c-4a3e-9d52-0c2f5e7a1b01\n",
	    /* torn: the last line has no newline */
	    "libvirt-cluster ddns 1\nop publish\nname n\nuuid 6f1d43a0-5b1c-4a3e-9d52-0c2f5e7a1b01",
	    "libvirt-cluster ddns 1\nop publish\nname a.b\nuuid "
	    "6f1d43a0-5b1c-4a3e-9d52-0c2f5e7a1b01\n",
	    "libvirt-cluster ddns 1\nop publish\nname n\n",
	    "libvirt-cluster ddns 1\nop burn\nname n\nuuid 6f1d43a0-5b1c-4a3e-9d52-0c2f5e7a1b01\n",
	    "libvirt-cluster ddns 1\nop publish\nname n\nuuid "
	    "6f1d43a0-5b1c-4a3e-9d52-0c2f5e7a1b01\n"
	    "address 300.1.1.1\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ddns_spool_parse(bad[i], strlen(bad[i]), &back), -EINVAL);
	/* a later version's keys are skipped */
	const char *newer = "libvirt-cluster ddns 1\nop publish\nname n\n"
			    "uuid 6f1d43a0-5b1c-4a3e-9d52-0c2f5e7a1b01\ncolour blue\n";
	assert_int_equal(ddns_spool_parse(newer, strlen(newer), &back), 0);
	assert_int_equal(back.op, DDNS_OP_PUBLISH);
}

static void test_spool_files(void **state)
{
	const char *dir = *state;
	char *spool = unit_path(dir, "lib/ddns"), *file = unit_path(dir, "lib/ddns/node1.ddns");
	struct ddns_spool_entry e = entry();
	struct stat st;

	/* the spool and its parent are made when missing */
	assert_int_equal(ddns_spool_put(spool, &e), 0);
	assert_int_equal(stat(file, &st), 0);
	char *text = NULL;
	size_t len;
	assert_int_equal(lc_read_file(file, 1 << 16, &text, &len, NULL), 0);
	assert_string_equal(text, SPOOL_TEXT);
	free(text);
	/* a later update of the same guest replaces it */
	e.op = DDNS_OP_PUBLISH;
	assert_int_equal(ddns_spool_put(spool, &e), 0);
	assert_int_equal(lc_read_file(file, 1 << 16, &text, &len, NULL), 0);
	assert_non_null(strstr(text, "op publish\n"));
	free(text);
	assert_int_equal(ddns_spool_drop(spool, "node1"), 0);
	assert_int_equal(stat(file, &st), -1);
	assert_int_equal(ddns_spool_drop(spool, "node1"), 0);
	assert_int_equal(ddns_spool_drop(spool, "../x"), -EINVAL);
	free(spool);
	free(file);
}

static void on_entry(const struct ddns_spool_entry *e, void *ud)
{
	char *seen = ud;
	strcat(seen, e->guest.name);
	strcat(seen, e->op == DDNS_OP_PUBLISH ? ":publish " : ":withdraw ");
}

static void on_conflict(const struct ddns_conflict *c, void *ud)
{
	char *seen = ud;
	char line[200];
	snprintf(line, sizeof(line), "%s:conflict(%s,%lld) ", c->name, c->owner,
		 (long long)c->since);
	strcat(seen, line);
}

static void test_spool_list(void **state)
{
	const char *dir = *state;
	struct ddns_spool_entry e = entry();
	char seen[1024] = "";

	assert_int_equal(ddns_spool_list("/nonexistent/spool", on_entry, on_conflict, seen), 0);
	assert_string_equal(seen, "");
	assert_int_equal(ddns_spool_put(dir, &e), 0);
	unit_write(dir, "web1.conflict", "owner hv-b\nsince 1764700000\n", (size_t)-1);
	unit_write(dir, "junk.ddns", "not a spool file\n", (size_t)-1);
	unit_write(dir, ".hidden.ddns", SPOOL_TEXT, (size_t)-1);
	assert_int_equal(ddns_spool_list(dir, on_entry, on_conflict, seen), 0);
	/* readdir order: look for each */
	assert_non_null(strstr(seen, "node1:withdraw "));
	assert_non_null(strstr(seen, "web1:conflict(hv-b,1764700000) "));
	assert_null(strstr(seen, "junk"));
	assert_null(strstr(seen, "hidden"));
}

static void test_guest_from_record(void **state)
{
	struct lc_guest_record rec;
	struct ddns_guest g;
	struct lc_addr a[2];

	memset(&rec, 0, sizeof(rec));
	snprintf(rec.name, sizeof(rec.name), "node1");
	snprintf(rec.uuid, sizeof(rec.uuid), "6f1d43a0-5b1c-4a3e-9d52-0c2f5e7a1b01");
	snprintf(rec.cluster, sizeof(rec.cluster), "lab");
	snprintf(rec.group, sizeof(rec.group), "WEB");
	assert_int_equal(lc_addr_parse("10.250.0.11", 11, &a[0]), 0);
	assert_int_equal(lc_addr_parse("fd00::11", 8, &a[1]), 0);
	assert_int_equal(ddns_guest_from_record(&rec, a, 2, &g), 0);
	assert_string_equal(g.name, "node1");
	assert_string_equal(g.group, "WEB");
	assert_int_equal(g.n_addrs, 2);
	assert_int_equal(g.uuid[0], 0x6f);
	rec.uuid[0] = '\0';
	assert_int_equal(ddns_guest_from_record(&rec, a, 2, &g), -EINVAL);
	snprintf(rec.uuid, sizeof(rec.uuid), "6f1d43a0-5b1c-4a3e-9d52-0c2f5e7a1b01");
	snprintf(rec.name, sizeof(rec.name), "node.1");
	assert_int_equal(ddns_guest_from_record(&rec, a, 2, &g), -EINVAL);
}

/* --sync publishes what the module answers: a bridged guest whose only
 * addresses are discovery's (a record's addr lines, no lease) has them,
 * ranked as the module ranks them; a record without a UUID is left out. */
static void test_guests_recorded(void **state)
{
	char *root, *lease, *run;
	struct lc_paths paths;
	struct ddns_guest *all = NULL;
	size_t n = 0;
	char ip[64];
	long long now = (long long)time(NULL);

	(void)state;
	assert_int_equal(unit_world_new(&root, &lease, &run, &paths), 0);
	unit_writef(run, "guest-lan1.rec",
		    "libvirt-cluster record 1\nkind guest\nname lan1\n"
		    "uuid 6f1d43a0-5b1c-4a3e-9d52-0c2f5e7a1b55\ndriver lxc\ncluster lab\n"
		    "nic 52:54:00:1c:00:55 - br-lan\n"
		    "addr 52:54:00:1c:00:55 fd00:50::55 netns %lld\n"
		    "addr 52:54:00:1c:00:55 192.168.50.55 netns %lld\n",
		    now, now);
	unit_writef(run, "guest-nouuid.rec",
		    "libvirt-cluster record 1\nkind guest\nname nouuid\ndriver lxc\n"
		    "nic 52:54:00:1c:00:56 - br-lan\n"
		    "addr 52:54:00:1c:00:56 192.168.50.56 netns %lld\n",
		    now);
	assert_int_equal(ddns_guests_recorded(&paths, &all, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(all[0].name, "lan1");
	assert_string_equal(all[0].cluster, "lab");
	assert_int_equal(all[0].n_addrs, 2);
	assert_string_equal(lc_addr_format(&all[0].addrs[0], ip, sizeof(ip)), "192.168.50.55");
	assert_string_equal(lc_addr_format(&all[0].addrs[1], ip, sizeof(ip)), "fd00:50::55");
	free(all);
	unit_world_free(root, lease, run);
}

static void test_backoff(void **state)
{
	assert_int_equal(ddns_spool_backoff(0), 30);
	assert_int_equal(ddns_spool_backoff(1), 30);
	assert_int_equal(ddns_spool_backoff(2), 60);
	assert_int_equal(ddns_spool_backoff(5), 480);
	assert_int_equal(ddns_spool_backoff(8), 3600);
	assert_int_equal(ddns_spool_backoff(1000), 3600);
}

int test_ddns_files_main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_key_parse),
	    cmocka_unit_test_setup_teardown(test_key_mode, unit_setup_tmpdir, unit_teardown_tmpdir),
	    cmocka_unit_test_setup_teardown(test_config_from, unit_setup_tmpdir,
					    unit_teardown_tmpdir),
	    cmocka_unit_test(test_spool_encoding),
	    cmocka_unit_test_setup_teardown(test_spool_files, unit_setup_tmpdir,
					    unit_teardown_tmpdir),
	    cmocka_unit_test_setup_teardown(test_spool_list, unit_setup_tmpdir,
					    unit_teardown_tmpdir),
	    cmocka_unit_test(test_guest_from_record),
	    cmocka_unit_test(test_guests_recorded),
	    cmocka_unit_test(test_backoff),
	};
	return cmocka_run_group_tests_name("ddns files", tests, NULL, NULL);
}
