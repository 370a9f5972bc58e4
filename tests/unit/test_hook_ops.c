/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Every operation, in-process, on the libvirt 9.0 captures: what it leaves
 * in the runstate dir, that it logs one line, and that running it twice
 * leaves the same state as running it once.
 */
#include <setjmp.h>
#include <syslog.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hooks/hook.h"
#include "tests/unit/hook_test_util.h"

static struct hook_test_env env;

static int setup(void **state)
{
	(void)state;
	/* no waiting, no renewal: nothing here may reach a real guest */
	return hook_test_env_setup(&env, "renew_after = 0\nrenew_tries = 0\n");
}

static int teardown(void **state)
{
	(void)state;
	hook_test_env_teardown(&env);
	return 0;
}

struct result {
	int exit_code;
	int lines;
	char log[4096];
};

/* Run one event through hook_dispatch as main() would, with the log copied
 * to a file in place of stderr. */
static struct result run_event(const char *driver, const char *object, const char *op,
			       const char *input, size_t input_len)
{
	struct hook_ctx ctx = {0};
	struct result res = {0};
	char logpath[PATH_MAX + 32];
	int saved, fd;

	ctx.args.driver = hook_driver_from_name(driver);
	ctx.args.object = object;
	ctx.args.op = op;
	ctx.args.subop = "begin";
	ctx.args.extra = "-";
	lc_paths_default(&ctx.paths);
	lc_config_defaults(&ctx.config);
	assert_int_equal(lc_config_load(ctx.paths.config, &ctx.config, NULL, NULL), 0);
	ctx.spawn_workers = false;
	if (input) {
		ctx.input = malloc(input_len + 1);
		memcpy(ctx.input, input, input_len);
		ctx.input[input_len] = '\0';
		ctx.input_len = input_len;
	} else {
		ctx.input_error = -ENODATA;
	}

	snprintf(logpath, sizeof(logpath), "%s/log", env.root);
	fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	close(fd);
	setenv("LIBVIRT_CLUSTER_HOOK_STDERR", "1", 1);
	hook_log_open(ctx.config.debug);
	res.exit_code = hook_dispatch(&ctx);
	closelog();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);

	char *log = hook_test_slurp(logpath, NULL);
	assert_non_null(log);
	snprintf(res.log, sizeof(res.log), "%s", log ? log : "");
	for (const char *p = log; *p; p++)
		res.lines += *p == '\n';
	free(log);
	free(ctx.input);
	lc_config_free(&ctx.config);
	return res;
}

static struct result run_fixture(const char *driver, const char *object, const char *op,
				 const char *fixture)
{
	size_t len = 0;
	char *xml = hook_test_stdin(fixture, &len);
	assert_non_null(xml);
	struct result r = run_event(driver, object, op, xml, len);
	free(xml);
	return r;
}

/* The runstate dir as one string: sorted file names and contents. */
static char *snapshot(void)
{
	struct dirent **list;
	int n = scandir(env.run, &list, NULL, alphasort);
	size_t cap = 1 << 16, len = 0;
	char *out = calloc(1, cap);

	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		if (list[i]->d_name[0] != '.') {
			char path[PATH_MAX + 300];
			snprintf(path, sizeof(path), "%s/%s", env.run, list[i]->d_name);
			char *c = hook_test_slurp(path, NULL);
			len += (size_t)snprintf(out + len, cap - len, "== %s\n%s", list[i]->d_name,
						c ? c : "(unreadable)\n");
			free(c);
		}
		free(list[i]);
	}
	free(list);
	return out;
}

/* Run twice; the second run must leave exactly what the first left. */
static struct result run_twice(const char *driver, const char *object, const char *op,
			       const char *fixture)
{
	struct result r1 = run_fixture(driver, object, op, fixture);
	char *s1 = snapshot();
	struct result r2 = run_fixture(driver, object, op, fixture);
	char *s2 = snapshot();

	assert_string_equal(s1, s2);
	assert_int_equal(r1.exit_code, r2.exit_code);
	free(s1);
	free(s2);
	return r1;
}

static struct lc_guest_record *load_guest(const char *name)
{
	struct lc_guest_record *rec = calloc(1, sizeof(*rec));
	assert_int_equal(lc_guest_record_load(env.run, name, rec), 0);
	return rec;
}

static void write_fresh_status(const char *bridge_file)
{
	char *buf = hook_test_status_fresh(bridge_file);
	assert_non_null(buf);
	assert_int_equal(hook_test_write(env.leases, bridge_file, buf), 0);
	free(buf);
}

/* ---- guests ---------------------------------------------------------------- */

static void test_guest_record_ops(void **state)
{
	static const char *const ops[] = {"prepare",   "start",	  "started",
					  "reconnect", "restore", "attach"};
	(void)state;

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		const char *fx = !strcmp(ops[i], "prepare") ? "lxc.c1.prepare.begin"
				 : !strcmp(ops[i], "start") ? "lxc.c1.start.begin"
							    : "lxc.c1.started.begin";
		struct result r = run_twice("lxc", "c1", ops[i], fx);
		assert_int_equal(r.exit_code, 0);
		assert_int_equal(r.lines, 1);
		assert_non_null(strstr(r.log, "record written: 2 NICs"));
		struct lc_guest_record *rec = load_guest("c1");
		assert_string_equal(rec->driver, "lxc");
		assert_string_equal(rec->uuid, "112a8f63-2000-4068-ae26-97774bdc30d8");
		assert_int_equal(rec->n_nics, 2);
		assert_string_equal(rec->nics[0].network, "isonet"); /* XML order */
		assert_string_equal(rec->nics[1].network, "labnet");
		free(rec);
	}
	/* started's live XML carries the bridges */
	struct lc_guest_record *rec = load_guest("c1");
	assert_string_equal(rec->nics[0].bridge, "virbr-iso");
	assert_string_equal(rec->nics[1].bridge, "virbr-lab");
	free(rec);
}

/* A rewrite of the record (reconnect, restore) keeps what discovery found
 * for the NICs the guest still has. */
static void test_record_rewrite_keeps_discovered(void **state)
{
	(void)state;
	assert_int_equal(run_fixture("lxc", "c1", "started", "lxc.c1.started.begin").exit_code, 0);
	struct lc_guest_record *rec = load_guest("c1");
	memcpy(rec->seen[0].mac, rec->nics[1].mac, LC_MAC_LEN);
	assert_int_equal(lc_addr_parse("192.168.50.55", 13, &rec->seen[0].addr), 0);
	rec->seen[0].source = LC_SOURCE_NETNS;
	rec->seen[0].seen = 1764700000;
	rec->seen[1] = rec->seen[0];
	rec->seen[1].mac[5] ^= 0xff; /* a NIC the guest no longer has */
	rec->n_seen = 2;
	rec->dropped[0] = rec->seen[0];
	rec->n_dropped = 1;
	assert_int_equal(lc_guest_record_write(env.run, rec), 0);
	free(rec);

	assert_int_equal(run_fixture("lxc", "c1", "reconnect", "lxc.c1.started.begin").exit_code,
			 0);
	rec = load_guest("c1");
	assert_int_equal(rec->n_seen, 1);
	assert_memory_equal(rec->seen[0].mac, rec->nics[1].mac, LC_MAC_LEN);
	assert_int_equal(rec->seen[0].seen, 1764700000);
	assert_int_equal(rec->n_dropped, 1);
	free(rec);
	/* another guest of that name (another uuid) starts afresh */
	rec = load_guest("c1");
	strcpy(rec->uuid, "00000000-0000-4000-8000-000000000000");
	assert_int_equal(lc_guest_record_write(env.run, rec), 0);
	free(rec);
	assert_int_equal(run_fixture("lxc", "c1", "started", "lxc.c1.started.begin").exit_code, 0);
	rec = load_guest("c1");
	assert_int_equal(rec->n_seen, 0);
	assert_int_equal(rec->n_dropped, 0);
	free(rec);
}

static void test_network_then_prepare_fills_bridges(void **state)
{
	(void)state;
	assert_int_equal(
	    run_twice("network", "labnet", "started", "network.labnet.started.begin").exit_code, 0);
	assert_int_equal(run_twice("lxc", "c3", "prepare", "lxc.c3.prepare.begin").exit_code, 0);
	struct lc_guest_record *rec = load_guest("c3");
	assert_int_equal(rec->n_nics, 1);
	assert_string_equal(rec->nics[0].network, "labnet");
	assert_string_equal(rec->nics[0].bridge, "virbr-lab");
	free(rec);
}

static void test_stopped_release(void **state)
{
	(void)state;
	write_fresh_status("virbr-lab.status");
	write_fresh_status("virbr-iso.status");
	assert_int_equal(run_fixture("lxc", "c1", "started", "lxc.c1.started.begin").exit_code, 0);
	assert_true(hook_test_exists(env.run, "guest-c1.rec"));

	/* The captured bridges do not exist here, so the DHCPRELEASE cannot go
	 * out: logged, and the record still goes (it must never outlive the
	 * guest). */
	struct result r = run_twice("lxc", "c1", "stopped", "lxc.c1.stopped.end");
	assert_int_equal(r.exit_code, 0);
	assert_int_equal(r.lines, 1);
	assert_non_null(strstr(r.log, "record removed"));
	/* both of c1's leases were tried (virbr-iso and virbr-lab) */
	assert_non_null(strstr(r.log, "0 of 2 leases released"));
	assert_non_null(strstr(r.log, "Cannot assign requested address"));
	assert_false(hook_test_exists(env.run, "guest-c1.rec"));

	/* release after stopped: nothing left, one line, exit 0 */
	r = run_twice("lxc", "c1", "release", "lxc.c1.release.end");
	assert_int_equal(r.exit_code, 0);
	assert_int_equal(r.lines, 1);
	assert_non_null(strstr(r.log, "record already gone"));

	/* stopped with garbage on stdin still drops the record by name */
	assert_int_equal(run_fixture("lxc", "c2", "started", "lxc.c2.started.begin").exit_code, 0);
	r = run_event("lxc", "c2", "stopped", "garbage", 7);
	assert_int_equal(r.exit_code, 0);
	assert_int_equal(r.lines, 1);
	assert_false(hook_test_exists(env.run, "guest-c2.rec"));
}

static void test_metadata_groups(void **state)
{
	const char *good = "<domain type='kvm'><name>web1</name><uuid>u1</uuid><metadata>"
			   "<lc:cluster xmlns:lc='" HOST_XMLNS "' name='lab' group='WEB'/>"
			   "</metadata></domain>";
	const char *bad = "<domain type='kvm'><name>web2</name><uuid>u2</uuid><metadata>"
			  "<lc:cluster xmlns:lc='" HOST_XMLNS "' name='lab' group='web'/>"
			  "</metadata></domain>";
	(void)state;

	struct result r = run_event("qemu", "web1", "prepare", good, strlen(good));
	assert_int_equal(r.lines, 1);
	struct lc_guest_record *rec = load_guest("web1");
	assert_string_equal(rec->cluster, "lab");
	assert_string_equal(rec->group, "WEB");
	assert_string_equal(rec->driver, "qemu");
	free(rec);

	r = run_event("qemu", "web2", "prepare", bad, strlen(bad));
	assert_int_equal(r.exit_code, 0);
	assert_int_equal(r.lines, 1);
	/* the log line says what to write instead */
	assert_non_null(strstr(r.log, "group \"web\" is invalid"));
	assert_non_null(strstr(r.log, "group=\"WEB\""));
	rec = load_guest("web2");
	assert_string_equal(rec->cluster, "lab");
	assert_string_equal(rec->group, "");
	free(rec);
}

static void test_name_mismatch(void **state)
{
	(void)state;
	struct result r = run_fixture("lxc", "c2", "prepare", "lxc.c1.prepare.begin");
	assert_int_equal(r.exit_code, 0);
	assert_int_equal(r.lines, 1);
	assert_false(hook_test_exists(env.run, "guest-c1.rec"));
	assert_false(hook_test_exists(env.run, "guest-c2.rec"));
}

/* ---- networks ---------------------------------------------------------------- */

static void test_network_ops(void **state)
{
	(void)state;
	struct result r = run_twice("network", "labnet", "started", "network.labnet.started.begin");
	assert_int_equal(r.lines, 1);
	struct lc_net_record n;
	assert_int_equal(lc_net_record_load(env.run, "labnet", &n), 0);
	assert_string_equal(n.bridge, "virbr-lab");
	assert_int_equal(n.klass, LC_CLASS_EXTERNAL);
	assert_string_equal(n.domain, "lab.test");

	r = run_twice("network", "isonet", "started", "network.isonet.started.begin");
	assert_int_equal(lc_net_record_load(env.run, "isonet", &n), 0);
	assert_int_equal(n.klass, LC_CLASS_ISOLATED);

	/* updated: the same as started */
	r = run_twice("network", "isonet", "updated", "network.isonet.started.begin");
	assert_int_equal(r.exit_code, 0);

	/* start: nothing written yet (no bridge until started) */
	r = run_twice("network", "other", "start", "network.labnet.start.begin");
	assert_int_equal(r.lines, 0);

	r = run_twice("network", "isonet", "stopped", "network.isonet.stopped.end");
	assert_int_equal(r.lines, 1);
	assert_int_equal(lc_net_record_load(env.run, "isonet", &n), -ENOENT);
	assert_int_equal(lc_net_record_load(env.run, "labnet", &n), 0);
}

static void test_ports(void **state)
{
	(void)state;
	/* no record for c4 yet: nothing to keep in step, no line */
	struct result r =
	    run_twice("network", "labnet", "port-created", "network.labnet.port-created.begin");
	assert_int_equal(r.lines, 0);
	assert_false(hook_test_exists(env.run, "guest-c4.rec"));

	assert_int_equal(run_fixture("lxc", "c4", "prepare", "lxc.c4.prepare.begin").exit_code, 0);
	struct lc_guest_record *rec = load_guest("c4");
	size_t before = rec->n_nics;
	free(rec);

	/* the port's NIC is already there: only its bridge is filled in */
	r = run_twice("network", "labnet", "port-created", "network.labnet.port-created.begin");
	rec = load_guest("c4");
	assert_int_equal(rec->n_nics, before);
	assert_string_equal(rec->nics[before - 1].bridge, "virbr-lab");
	free(rec);

	/* c1: hot-unplug its labnet NIC, then its isonet one, then plug the
	 * isonet one back: removed, removed, appended at the end */
	assert_int_equal(run_fixture("lxc", "c1", "prepare", "lxc.c1.prepare.begin").exit_code, 0);
	r = run_twice("network", "labnet", "port-deleted", "network.labnet.port-deleted.begin");
	assert_int_equal(r.lines, 1);
	rec = load_guest("c1");
	assert_int_equal(rec->n_nics, 1);
	assert_string_equal(rec->nics[0].network, "isonet");
	free(rec);
	r = run_twice("network", "isonet", "port-deleted", "network.isonet.port-deleted.begin");
	rec = load_guest("c1");
	assert_int_equal(rec->n_nics, 0);
	free(rec);
	r = run_twice("network", "isonet", "port-created", "network.isonet.port-created.begin");
	assert_int_equal(r.exit_code, 0);
	rec = load_guest("c1");
	assert_int_equal(rec->n_nics, 1);
	char mac[18];
	lc_mac_format(rec->nics[0].mac, mac);
	assert_string_equal(mac, "52:54:00:16:00:01");
	assert_string_equal(rec->nics[0].network, "isonet");
	assert_string_equal(rec->nics[0].bridge, "virbr-iso");
	free(rec);
	/* c4 untouched by c1's ports */
	rec = load_guest("c4");
	assert_int_equal(rec->n_nics, before);
	free(rec);
}

/* ---- what is not a real event ---------------------------------------------------- */

static void test_unknown_and_noop(void **state)
{
	(void)state;
	struct result r = run_twice("lxc", "c1", "frobnicate", "lxc.c1.prepare.begin");
	assert_int_equal(r.exit_code, 0);
	assert_int_equal(r.lines, 1);
	assert_non_null(strstr(r.log, "unknown operation"));
	assert_false(hook_test_exists(env.run, "guest-c1.rec"));

	/* network ops are not guest ops */
	r = run_twice("lxc", "c1", "port-created", "lxc.c1.prepare.begin");
	assert_int_equal(r.lines, 1);

	r = run_twice("qemu", "c1", "migrate", "lxc.c1.prepare.begin");
	assert_int_equal(r.lines, 0);
	assert_false(hook_test_exists(env.run, "guest-c1.rec"));

	r = run_event("lxc", "c1", "prepare", NULL, 0);
	assert_int_equal(r.lines, 1);
	assert_non_null(strstr(r.log, "no XML on stdin"));

	r = run_event(NULL, "c1", "prepare", NULL, 0);
	assert_int_equal(r.lines, 1);
	r = run_event("lxc", NULL, "prepare", NULL, 0);
	assert_int_equal(r.lines, 1);
	r = run_event("lxc", "../etc", NULL, NULL, 0);
	assert_int_equal(r.lines, 1);
	r = run_event("lxc", "a/b", "prepare", NULL, 0);
	assert_int_equal(r.lines, 1);
	assert_int_equal(r.exit_code, 0);
}

static void test_fail_hard(void **state)
{
	(void)state;
	/* a runstate "dir" that is a file: every write fails */
	assert_int_equal(hook_test_write(env.root, "notadir", "x"), 0);
	char bad[PATH_MAX + 32];
	snprintf(bad, sizeof(bad), "%s/notadir", env.root);
	setenv("LIBVIRT_CLUSTER_RUNSTATE_DIR", bad, 1);

	/* default: log, exit 0 */
	struct result r = run_fixture("lxc", "c1", "prepare", "lxc.c1.prepare.begin");
	assert_int_equal(r.exit_code, 0);
	assert_int_equal(r.lines, 1);
	assert_non_null(strstr(r.log, "cannot write record"));

	assert_int_equal(
	    hook_test_write(env.root, "libvirt-cluster.conf", "fail_hard = yes\nrenew_after = 0\n"),
	    0);
	/* on the start path, our own failure fails the event */
	r = run_fixture("lxc", "c1", "prepare", "lxc.c1.prepare.begin");
	assert_int_equal(r.exit_code, 1);
	assert_non_null(strstr(r.log, "cannot write record"));
	r = run_fixture("lxc", "c1", "started", "lxc.c1.started.begin");
	assert_int_equal(r.exit_code, 1);
	/* a failing reconnect would kill a running guest: never */
	r = run_fixture("lxc", "c1", "reconnect", "lxc.c1.started.begin");
	assert_int_equal(r.exit_code, 0);
	/* garbage input never fails a start, even with fail_hard */
	r = run_event("lxc", "c1", "prepare", "<<<", 3);
	assert_int_equal(r.exit_code, 0);
	assert_int_equal(r.lines, 1);
	setenv("LIBVIRT_CLUSTER_RUNSTATE_DIR", env.run, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_guest_record_ops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_record_rewrite_keeps_discovered, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_network_then_prepare_fills_bridges, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_stopped_release, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_metadata_groups, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_name_mismatch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_network_ops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ports, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_and_noop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fail_hard, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
