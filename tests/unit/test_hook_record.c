/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* From libvirt's XML to the records the resolver reads, through the
 * resolver's own writer and reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "hooks/hook.h"
#include "tests/unit/hook_test_util.h"

static struct hook_test_env env;

static int setup(void **state)
{
	(void)state;
	return hook_test_env_setup(&env, NULL);
}

static int teardown(void **state)
{
	(void)state;
	hook_test_env_teardown(&env);
	return 0;
}

static void test_group_suggest(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"web", "WEB"}, {"Web-1", "WEB_1"}, {"db.primary", "DB_PRIMARY"},	{"1web", "G_1WEB"},
	    {"_x", "G__X"}, {"WEB", "WEB"},	{"web servers", "WEB_SERVERS"},
	};
	char buf[64];
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(lc_group_suggest(cases[i].in, buf, sizeof(buf)), 0);
		assert_string_equal(buf, cases[i].out);
		assert_true(lc_group_valid(buf));
	}
	/* empty: still a valid suggestion */
	assert_int_equal(lc_group_suggest("", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "G");
	/* long input: cut to 63 */
	char longg[200];
	memset(longg, 'a', sizeof(longg) - 1);
	longg[sizeof(longg) - 1] = '\0';
	assert_int_equal(lc_group_suggest(longg, buf, sizeof(buf)), 0);
	assert_int_equal(strlen(buf), 63);
}

static void test_domain_to_record(void **state)
{
	size_t len = 0;
	char *xml = hook_test_stdin("lxc.c1.prepare.begin", &len);
	struct host_domain *d = calloc(1, sizeof(*d));
	struct lc_guest_record *rec = calloc(1, sizeof(*rec)), *back = calloc(1, sizeof(*back));
	struct lc_net_record nr = {0};
	(void)state;

	assert_int_equal(host_xml_domain(xml, len, d), 0);
	/* a network record supplies the bridge that prepare's XML lacks */
	strcpy(nr.name, "labnet");
	strcpy(nr.bridge, "virbr-lab");
	nr.klass = LC_CLASS_EXTERNAL;
	assert_int_equal(lc_net_record_write(env.run, &nr), 0);

	hook_domain_to_record(d, HOOK_DRIVER_LXC, env.run, rec);
	assert_string_equal(rec->name, "c1");
	assert_string_equal(rec->driver, "lxc");
	assert_int_equal(rec->n_nics, 2);
	assert_string_equal(rec->nics[0].network, "isonet");
	assert_string_equal(rec->nics[0].bridge, ""); /* no isonet record */
	assert_string_equal(rec->nics[1].network, "labnet");
	assert_string_equal(rec->nics[1].bridge, "virbr-lab");

	assert_int_equal(lc_guest_record_write(env.run, rec), 0);
	assert_int_equal(lc_guest_record_load(env.run, "c1", back), 0);
	assert_memory_equal(rec, back, sizeof(*rec));

	/* mode 0644, whole, with the header */
	char path[PATH_MAX + 256];
	struct stat st;
	snprintf(path, sizeof(path), "%s/guest-c1.rec", env.run);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	free(xml);
	free(d);
	free(rec);
	free(back);
}

static void test_cluster_and_group(void **state)
{
	struct host_domain d = {0};
	struct lc_guest_record *rec = calloc(1, sizeof(*rec));
	(void)state;

	strcpy(d.name, "node1");
	d.has_cluster = true;
	strcpy(d.cluster, "lab");
	strcpy(d.group, "WEB");
	hook_domain_to_record(&d, HOOK_DRIVER_QEMU, NULL, rec);
	assert_string_equal(rec->cluster, "lab");
	assert_string_equal(rec->group, "WEB");
	assert_string_equal(rec->driver, "qemu");

	/* an invalid group leaves the guest ungrouped, still in its cluster */
	strcpy(d.group, "web");
	hook_domain_to_record(&d, HOOK_DRIVER_QEMU, NULL, rec);
	assert_string_equal(rec->cluster, "lab");
	assert_string_equal(rec->group, "");
	assert_int_equal(lc_guest_record_write(env.run, rec), 0);

	d.cluster_bad = true;
	hook_domain_to_record(&d, HOOK_DRIVER_QEMU, NULL, rec);
	assert_string_equal(rec->cluster, "");
	free(rec);
}

static void test_network_to_record(void **state)
{
	size_t len = 0;
	char *xml = hook_test_stdin("network.labnet.started.begin", &len);
	struct host_network *n = calloc(1, sizeof(*n));
	struct lc_net_record rec, back;
	char a[64];
	(void)state;

	assert_int_equal(host_xml_network(xml, len, n), 0);
	hook_network_to_record(n, 7, &rec);
	assert_string_equal(rec.name, "labnet");
	assert_string_equal(rec.bridge, "virbr-lab");
	assert_int_equal(rec.ifindex, 7);
	assert_string_equal(rec.forward, "nat");
	assert_int_equal(rec.klass, LC_CLASS_EXTERNAL);
	assert_string_equal(rec.domain, "lab.test");
	assert_int_equal(rec.n_addrs, 1);
	assert_string_equal(lc_addr_format(&rec.addrs[0], a, sizeof(a)), "192.168.150.1");
	assert_int_equal(lc_net_record_write(env.run, &rec), 0);
	assert_int_equal(lc_net_record_load(env.run, "labnet", &back), 0);
	assert_string_equal(back.bridge, "virbr-lab");
	assert_int_equal(back.ifindex, 7);
	assert_int_equal(back.klass, LC_CLASS_EXTERNAL);

	/* every forward mode is external; none is isolated */
	static const char *const ext[] = {"nat",    "route",	   "open",
					  "bridge", "passthrough", "hostdev"};
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		assert_int_equal(hook_forward_class(ext[i]), LC_CLASS_EXTERNAL);
	assert_int_equal(hook_forward_class(""), LC_CLASS_ISOLATED);
	assert_int_equal(hook_forward_class(NULL), LC_CLASS_ISOLATED);
	free(xml);
	free(n);
}

static void test_leases_for_macs(void **state)
{
	/* the real .status capture: c1, c2, c3 on virbr-lab (expiry moved
	 * to tomorrow) */
	char *buf;
	size_t n = 0;
	uint8_t macs[2][LC_MAC_LEN];
	struct host_lease leases[8];
	struct lc_paths paths;
	char a[64];
	(void)state;

	buf = hook_test_status_fresh("virbr-lab.status");
	assert_non_null(buf);
	assert_int_equal(hook_test_write(env.leases, "virbr-lab.status", buf), 0);
	free(buf);
	buf = hook_test_status_fresh("virbr-iso.status");
	assert_non_null(buf);
	assert_int_equal(hook_test_write(env.leases, "virbr-iso.status", buf), 0);
	free(buf);
	/* garbage next to it changes nothing */
	assert_int_equal(hook_test_write(env.leases, "virbr-bad.status", "[{\"ip-address\":"), 0);

	lc_paths_default(&paths); /* env's: the scratch lease dir, run dir and config */
	assert_int_equal(lc_mac_parse("52:54:00:15:00:03", 17, macs[0]), 0);
	assert_int_equal(lc_mac_parse("52:54:00:99:99:99", 17, macs[1]), 0);
	assert_int_equal(
	    host_guest_leases(&paths, (const uint8_t(*)[LC_MAC_LEN])macs, 2, leases, 8, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(lc_addr_format(&leases[0].addr, a, sizeof(a)), "192.168.150.12");
	assert_string_equal(leases[0].bridge, "virbr-lab");
	assert_string_equal(leases[0].hostname, "c3-host");
	assert_int_equal(leases[0].nic_index, 0);

	/* an expired lease is no lease */
	assert_int_equal(hook_test_write(env.leases, "virbr-old.status",
					 "[{\"ip-address\":\"10.0.0.5\",\"mac-address\":"
					 "\"52:54:00:99:99:99\",\"expiry-time\":1000}]"),
			 0);
	assert_int_equal(
	    host_guest_leases(&paths, (const uint8_t(*)[LC_MAC_LEN])macs, 2, leases, 8, &n), 0);
	assert_int_equal(n, 1);
	/* an infinite one is */
	assert_int_equal(hook_test_write(env.leases, "virbr-old.status",
					 "[{\"ip-address\":\"10.0.0.5\",\"mac-address\":"
					 "\"52:54:00:99:99:99\"}]"),
			 0);
	assert_int_equal(
	    host_guest_leases(&paths, (const uint8_t(*)[LC_MAC_LEN])macs, 2, leases, 8, &n), 0);
	assert_int_equal(n, 2);
	/* no lease dir */
	strcpy(paths.lease_dir, "/nonexistent-lc");
	assert_int_equal(
	    host_guest_leases(&paths, (const uint8_t(*)[LC_MAC_LEN])macs, 2, leases, 8, &n),
	    -ENOENT);
}

static void test_leases_rank(void **state)
{
	/* node1: int NIC first in the XML, ext second; external ranks first */
	struct lc_guest_record rec = {0};
	struct lc_net_record ext = {0}, in = {0};
	struct host_lease l[2];
	memset(l, 0, sizeof(l));
	struct lc_paths paths;
	char a[64];
	(void)state;

	lc_paths_default(&paths);
	strcpy(ext.name, "ext");
	strcpy(ext.bridge, "virbr-ext");
	strcpy(ext.domain, "lab.test");
	ext.klass = LC_CLASS_EXTERNAL;
	strcpy(in.name, "int");
	strcpy(in.bridge, "virbr-int");
	in.klass = LC_CLASS_ISOLATED;
	assert_int_equal(lc_net_record_write(env.run, &ext), 0);
	assert_int_equal(lc_net_record_write(env.run, &in), 0);

	strcpy(rec.name, "node1");
	rec.n_nics = 2;
	lc_mac_parse("52:54:00:16:00:01", 17, rec.nics[0].mac);
	strcpy(rec.nics[0].network, "int");
	lc_mac_parse("52:54:00:15:00:01", 17, rec.nics[1].mac);
	strcpy(rec.nics[1].network, "ext");

	assert_int_equal(hook_test_write(env.leases, "virbr-int.status",
					 "[{\"ip-address\":\"192.168.160.10\",\"mac-address\":"
					 "\"52:54:00:16:00:01\"}]"),
			 0);
	assert_int_equal(hook_test_write(env.leases, "virbr-ext.status",
					 "[{\"ip-address\":\"192.168.150.10\",\"mac-address\":"
					 "\"52:54:00:15:00:01\"}]"),
			 0);
	uint8_t macs[2][LC_MAC_LEN];
	size_t n = 0;
	memcpy(macs[0], rec.nics[0].mac, 6);
	memcpy(macs[1], rec.nics[1].mac, 6);
	assert_int_equal(lc_guest_record_write(env.run, &rec), 0);
	assert_int_equal(host_guest_leases(&paths, (const uint8_t(*)[LC_MAC_LEN])macs, 2, l, 2, &n),
			 0);
	assert_int_equal(n, 2);
	assert_string_equal(lc_addr_format(&l[0].addr, a, sizeof(a)), "192.168.150.10");
	assert_string_equal(l[0].network, "ext");
	assert_string_equal(l[0].domain, "lab.test");
	assert_int_equal(l[0].nic_index, 1);
	assert_string_equal(l[1].network, "int");
}

/* Issue 11's bug: with no network records but readable <network>.conf
 * files, the hook ranked a guest's leases by NIC order alone (class
 * unknown) while the module took the class from the .conf: the address
 * the hook gave dnsmasq was not the one getent answers first.  c1 of the
 * libvirt 9.0 captures has its isolated NIC (isonet) first in its XML and
 * a lease on each network. */
static void test_leases_rank_as_module(void **state)
{
	struct lc_guest_record rec = {0};
	struct host_lease l[4];
	struct lc_paths paths;
	struct lc_db *db = NULL;
	struct lc_match m;
	uint8_t macs[2][LC_MAC_LEN];
	size_t n = 0;
	char a[64], b[64];
	(void)state;

	lc_paths_default(&paths);
	for (size_t i = 0; i < 2; i++) {
		static const char *const conf[] = {"labnet.conf", "isonet.conf"};
		static const char *const status[] = {"virbr-lab.status", "virbr-iso.status"};
		char path[PATH_MAX + 64], *buf;

		snprintf(path, sizeof(path), "%s/dnsmasq/%s", hook_test_fixture_dir(), conf[i]);
		buf = hook_test_slurp(path, NULL);
		assert_non_null(buf);
		assert_int_equal(hook_test_write(env.leases, conf[i], buf), 0);
		free(buf);
		buf = hook_test_status_fresh(status[i]);
		assert_non_null(buf);
		assert_int_equal(hook_test_write(env.leases, status[i], buf), 0);
		free(buf);
	}
	strcpy(rec.name, "c1");
	strcpy(rec.driver, "lxc");
	rec.n_nics = 2;
	lc_mac_parse("52:54:00:16:00:01", 17, rec.nics[0].mac);
	strcpy(rec.nics[0].network, "isonet");
	strcpy(rec.nics[0].bridge, "virbr-iso");
	lc_mac_parse("52:54:00:15:00:01", 17, rec.nics[1].mac);
	strcpy(rec.nics[1].network, "labnet");
	strcpy(rec.nics[1].bridge, "virbr-lab");
	assert_int_equal(lc_guest_record_write(env.run, &rec), 0);
	memcpy(macs[0], rec.nics[0].mac, 6);
	memcpy(macs[1], rec.nics[1].mac, 6);

	assert_int_equal(host_guest_leases(&paths, (const uint8_t(*)[LC_MAC_LEN])macs, 2, l, 4, &n),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(lc_db_load(&paths, (int64_t)time(NULL), &db), 0);
	assert_int_equal(lc_db_lookup_name(db, "c1", AF_UNSPEC, &m), LC_FOUND);
	assert_true(m.host->n_addrs >= 1);
	/* the hook's first is the module's first: the external network's */
	assert_string_equal(lc_addr_format(&l[0].addr, a, sizeof(a)),
			    lc_addr_format(&m.host->addrs[0].addr, b, sizeof(b)));
	assert_string_equal(a, "192.168.150.10");
	assert_string_equal(l[0].network, "labnet");
	assert_string_equal(l[0].domain, "lab.test");
	lc_db_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_group_suggest),
	    cmocka_unit_test_setup_teardown(test_domain_to_record, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cluster_and_group, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_network_to_record, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_leases_for_macs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_leases_rank, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_leases_rank_as_module, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
