/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The systemd-resolved calls over a bus we own: a private dbus-daemon and a
 * small stand-in for org.freedesktop.resolve1 written with sd-bus, which
 * keeps per-link state the way resolved does and answers like it does
 * (NoSuchLink, LinkBusy).  The real resolved is exercised by the lab.
 */
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <systemd/sd-bus.h>

#include "hooks/hook.h"
#include "tests/unit/hook_test_util.h"

#define LINK_GONE 99 /* the stand-in answers NoSuchLink */
#define LINK_BUSY 98 /* ... and LinkBusy */
#define LINK_HANG 97 /* ... and never answers */
#define MAX_LINKS 128

/* ---- the stand-in service (runs in a child) ----------------------------------- */

struct link_state {
	char dns[512];
	char domains[512];
	char default_route[8];
};
static struct link_state links[MAX_LINKS];
static char calls[4096];
static bool quit;

static int check_link(int32_t i, sd_bus_error *e)
{
	if (i == LINK_GONE)
		return sd_bus_error_set(e, "org.freedesktop.resolve1.NoSuchLink", "no such link");
	if (i == LINK_BUSY)
		return sd_bus_error_set(e, "org.freedesktop.resolve1.LinkBusy", "link busy");
	if (i <= 0 || i >= MAX_LINKS)
		return sd_bus_error_set(e, SD_BUS_ERROR_INVALID_ARGS, "bad ifindex");
	return 0;
}

static void log_call(const char *fmt, ...)
{
	va_list ap;
	size_t l = strlen(calls);
	va_start(ap, fmt);
	vsnprintf(calls + l, sizeof(calls) - l, fmt, ap);
	va_end(ap);
}

static int m_set_dns(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	int32_t i;
	int r;
	char out[512] = "";
	(void)ud;

	if ((r = sd_bus_message_read(m, "i", &i)) < 0)
		return r;
	if (i == LINK_HANG) {
		/* keep the call, answer never: a hung resolved */
		sd_bus_message_ref(m);
		return 1;
	}
	if ((r = check_link(i, e)) < 0)
		return r;
	if ((r = sd_bus_message_enter_container(m, 'a', "(iay)")) < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'r', "iay")) > 0) {
		int32_t fam;
		const void *p;
		size_t n;
		struct lc_addr a = {0};
		char s[64];
		if ((r = sd_bus_message_read(m, "i", &fam)) < 0 ||
		    (r = sd_bus_message_read_array(m, 'y', &p, &n)) < 0)
			return r;
		if (!((fam == AF_INET && n == 4) || (fam == AF_INET6 && n == 16)))
			return sd_bus_error_set(e, SD_BUS_ERROR_INVALID_ARGS, "bad address");
		a.family = fam;
		memcpy(a.bytes, p, n);
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", out[0] ? " " : "",
			 lc_addr_format(&a, s, sizeof(s)));
		if ((r = sd_bus_message_exit_container(m)) < 0)
			return r;
	}
	if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
		return r;
	snprintf(links[i].dns, sizeof(links[i].dns), "%s", out);
	log_call("SetLinkDNS %d %s\n", i, out);
	return sd_bus_reply_method_return(m, NULL);
}

static int m_set_domains(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	int32_t i;
	int r, route;
	const char *d;
	char out[512] = "";
	(void)ud;

	if ((r = sd_bus_message_read(m, "i", &i)) < 0)
		return r;
	if ((r = check_link(i, e)) < 0)
		return r;
	if ((r = sd_bus_message_enter_container(m, 'a', "(sb)")) < 0)
		return r;
	while ((r = sd_bus_message_read(m, "(sb)", &d, &route)) > 0)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s%s", out[0] ? " " : "",
			 route ? "~" : "", d);
	if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
		return r;
	snprintf(links[i].domains, sizeof(links[i].domains), "%s", out);
	log_call("SetLinkDomains %d %s\n", i, out);
	return sd_bus_reply_method_return(m, NULL);
}

static int m_set_default_route(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	int32_t i;
	int r, b;
	(void)ud;

	if ((r = sd_bus_message_read(m, "ib", &i, &b)) < 0)
		return r;
	if ((r = check_link(i, e)) < 0)
		return r;
	snprintf(links[i].default_route, sizeof(links[i].default_route), "%s", b ? "yes" : "no");
	log_call("SetLinkDefaultRoute %d %s\n", i, b ? "yes" : "no");
	return sd_bus_reply_method_return(m, NULL);
}

static int m_revert(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	int32_t i;
	int r;
	(void)ud;

	if ((r = sd_bus_message_read(m, "i", &i)) < 0)
		return r;
	if ((r = check_link(i, e)) < 0)
		return r;
	memset(&links[i], 0, sizeof(links[i]));
	log_call("RevertLink %d\n", i);
	return sd_bus_reply_method_return(m, NULL);
}

/* Test-only: the calls so far, and one link's state. */
static int m_calls(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	(void)ud;
	(void)e;
	return sd_bus_reply_method_return(m, "s", calls);
}

static int m_state(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	int32_t i;
	int r;
	char out[1200];
	(void)ud;

	if ((r = sd_bus_message_read(m, "i", &i)) < 0)
		return r;
	if (i <= 0 || i >= MAX_LINKS)
		return sd_bus_error_set(e, SD_BUS_ERROR_INVALID_ARGS, "bad ifindex");
	snprintf(out, sizeof(out), "dns=[%s] domains=[%s] default-route=[%s]", links[i].dns,
		 links[i].domains, links[i].default_route);
	return sd_bus_reply_method_return(m, "s", out);
}

static int m_reset(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	(void)ud;
	(void)e;
	calls[0] = '\0';
	memset(links, 0, sizeof(links));
	return sd_bus_reply_method_return(m, NULL);
}

static int m_quit(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	(void)ud;
	(void)e;
	quit = true;
	return sd_bus_reply_method_return(m, NULL);
}

static const sd_bus_vtable resolve_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("SetLinkDNS", "ia(iay)", "", m_set_dns, 0),
    SD_BUS_METHOD("SetLinkDomains", "ia(sb)", "", m_set_domains, 0),
    SD_BUS_METHOD("SetLinkDefaultRoute", "ib", "", m_set_default_route, 0),
    SD_BUS_METHOD("RevertLink", "i", "", m_revert, 0),
    SD_BUS_VTABLE_END,
};

static const sd_bus_vtable test_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("Calls", "", "s", m_calls, 0),
    SD_BUS_METHOD("State", "i", "s", m_state, 0),
    SD_BUS_METHOD("Reset", "", "", m_reset, 0),
    SD_BUS_METHOD("Quit", "", "", m_quit, 0),
    SD_BUS_VTABLE_END,
};

static void __attribute__((noreturn)) serve(void)
{
	sd_bus *bus = NULL;
	sd_bus_slot *s1 = NULL, *s2 = NULL;

	if (sd_bus_open_system(&bus) < 0 ||
	    sd_bus_add_object_vtable(bus, &s1, "/org/freedesktop/resolve1",
				     "org.freedesktop.resolve1.Manager", resolve_vtable,
				     NULL) < 0 ||
	    sd_bus_add_object_vtable(bus, &s2, "/org/freedesktop/resolve1",
				     "net.libvirtcluster.Test", test_vtable, NULL) < 0 ||
	    sd_bus_request_name(bus, "org.freedesktop.resolve1", 0) < 0)
		_exit(2);
	while (!quit) {
		int r = sd_bus_process(bus, NULL);
		if (r < 0)
			_exit(3);
		if (r == 0 && sd_bus_wait(bus, UINT64_MAX) < 0)
			_exit(4);
	}
	sd_bus_flush(bus);
	_exit(0);
}

/* ---- fixture: a bus, and the service on it ------------------------------------ */

static struct hook_test_env env;
static pid_t bus_pid, svc_pid;

static int call_test(const char *member, int32_t arg, char *out, size_t size);

static int start_service(void)
{
	svc_pid = fork();
	if (svc_pid == 0)
		serve();
	/* wait until it answers: up to 10 s, for a machine busy with other
	 * builds (2 s was seen to run out) */
	for (int i = 0; i < 500; i++) {
		if (call_test("Calls", 0, NULL, 0) >= 0)
			return 0;
		usleep(20000);
	}
	return -1;
}

static int call_test(const char *member, int32_t arg, char *out, size_t size)
{
	sd_bus *bus = NULL;
	sd_bus_message *reply = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	const char *s = "";
	int r = sd_bus_open_system(&bus);

	if (r >= 0)
		r = !strcmp(member, "State")
			? sd_bus_call_method(bus, "org.freedesktop.resolve1",
					     "/org/freedesktop/resolve1", "net.libvirtcluster.Test",
					     member, &e, &reply, "i", arg)
			: sd_bus_call_method(bus, "org.freedesktop.resolve1",
					     "/org/freedesktop/resolve1", "net.libvirtcluster.Test",
					     member, &e, &reply, "");
	if (r >= 0 && out && sd_bus_message_read(reply, "s", &s) >= 0)
		snprintf(out, size, "%s", s);
	sd_bus_error_free(&e);
	sd_bus_message_unref(reply);
	sd_bus_unref(bus);
	return r;
}

static int group_setup(void **state)
{
	char cfg[PATH_MAX * 2], sock[PATH_MAX + 32], addr[PATH_MAX + 64];
	(void)state;

	if (access("/usr/bin/dbus-daemon", X_OK) != 0)
		return 0; /* tests skip themselves */
	if (hook_test_env_setup(&env, NULL) < 0)
		return -1;
	snprintf(sock, sizeof(sock), "%s/bus", env.root);
	/* the stock session bus policy, on an address of our own */
	snprintf(cfg, sizeof(cfg), "--address=unix:path=%s", sock);
	bus_pid = fork();
	if (bus_pid == 0) {
		int nul = open("/dev/null", O_RDWR);
		dup2(nul, 1);
		dup2(nul, 2);
		execl("/usr/bin/dbus-daemon", "dbus-daemon", "--session", "--nofork", "--nopidfile",
		      cfg, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 500 && access(sock, F_OK) != 0; i++)
		usleep(20000);
	snprintf(addr, sizeof(addr), "unix:path=%s", sock);
	setenv("DBUS_SYSTEM_BUS_ADDRESS", addr, 1);
	return start_service();
}

static int group_teardown(void **state)
{
	(void)state;
	if (svc_pid > 0) {
		call_test("Quit", 0, NULL, 0);
		kill(svc_pid, SIGTERM);
		waitpid(svc_pid, NULL, 0);
	}
	if (bus_pid > 0) {
		kill(bus_pid, SIGTERM);
		waitpid(bus_pid, NULL, 0);
	}
	if (env.root[0])
		hook_test_env_teardown(&env);
	return 0;
}

static int reset(void **state)
{
	(void)state;
	if (bus_pid > 0)
		call_test("Reset", 0, NULL, 0);
	return 0;
}

#define NEED_BUS()                                                                                 \
	do {                                                                                       \
		if (bus_pid <= 0)                                                                  \
			skip(); /* no dbus-daemon (package dbus) */                                \
	} while (0)

static void addrs2(struct lc_addr a[2])
{
	lc_addr_parse("192.168.150.1", 13, &a[0]);
	lc_addr_parse("fd00:150::1", 11, &a[1]);
}

static void test_register(void **state)
{
	sd_bus *bus = NULL;
	struct lc_addr a[2];
	char calls_s[4096], st[1200];
	(void)state;
	NEED_BUS();

	addrs2(a);
	assert_int_equal(host_bus_open(&bus), 0);
	assert_int_equal(host_resolved_register(bus, 5, a, 2, "lab.test", 1000000), 0);
	assert_int_equal(call_test("Calls", 0, calls_s, sizeof(calls_s)), 1);
	assert_string_equal(calls_s, "SetLinkDNS 5 192.168.150.1 fd00:150::1\n"
				     "SetLinkDomains 5 ~lab.test\n"
				     "SetLinkDefaultRoute 5 no\n");
	assert_true(call_test("State", 5, st, sizeof(st)) >= 0);
	assert_string_equal(st, "dns=[192.168.150.1 fd00:150::1] domains=[~lab.test] "
				"default-route=[no]");
	sd_bus_unref(bus);
}

static void test_register_twice_same_state(void **state)
{
	sd_bus *bus = NULL;
	struct lc_addr a[2];
	char st1[1200], st2[1200];
	(void)state;
	NEED_BUS();

	addrs2(a);
	assert_int_equal(host_bus_open(&bus), 0);
	assert_int_equal(host_resolved_register(bus, 6, a, 1, "lab.test", 1000000), 0);
	assert_true(call_test("State", 6, st1, sizeof(st1)) >= 0);
	assert_int_equal(host_resolved_register(bus, 6, a, 1, "lab.test", 1000000), 0);
	assert_true(call_test("State", 6, st2, sizeof(st2)) >= 0);
	assert_string_equal(st1, st2);
	assert_string_equal(st1, "dns=[192.168.150.1] domains=[~lab.test] default-route=[no]");

	/* revert twice: the second finds nothing to undo, same state */
	assert_int_equal(host_resolved_revert(bus, 6, 1000000), 0);
	assert_true(call_test("State", 6, st1, sizeof(st1)) >= 0);
	assert_int_equal(host_resolved_revert(bus, 6, 1000000), 0);
	assert_true(call_test("State", 6, st2, sizeof(st2)) >= 0);
	assert_string_equal(st1, st2);
	assert_string_equal(st1, "dns=[] domains=[] default-route=[]");
	sd_bus_unref(bus);
}

static void test_no_domain(void **state)
{
	sd_bus *bus = NULL;
	struct lc_addr a[2];
	char st[1200];
	(void)state;
	NEED_BUS();

	addrs2(a);
	assert_int_equal(host_bus_open(&bus), 0);
	assert_int_equal(host_resolved_register(bus, 7, a, 1, NULL, 1000000), 0);
	assert_true(call_test("State", 7, st, sizeof(st)) >= 0);
	assert_string_equal(st, "dns=[192.168.150.1] domains=[] default-route=[no]");
	sd_bus_unref(bus);
}

static void test_errors(void **state)
{
	sd_bus *bus = NULL;
	struct lc_addr a[2];
	char calls_s[4096];
	(void)state;
	NEED_BUS();

	addrs2(a);
	assert_int_equal(host_bus_open(&bus), 0);
	assert_int_equal(host_resolved_register(bus, LINK_GONE, a, 1, "x.test", 1000000), -ENXIO);
	assert_int_equal(host_resolved_register(bus, LINK_BUSY, a, 1, "x.test", 1000000), -EBUSY);
	assert_int_equal(host_resolved_revert(bus, LINK_GONE, 1000000), -ENXIO);
	assert_int_equal(host_resolved_register(bus, 0, a, 1, "x.test", 1000000), -EINVAL);
	assert_int_equal(host_resolved_revert(NULL, 5, 1000000), -EINVAL);
	/* a resolved that never answers: the whole sequence ends in its budget */
	uint64_t t0 = host_now_usec();
	assert_int_equal(host_resolved_register(bus, LINK_HANG, a, 1, "x.test", 300000),
			 -ETIMEDOUT);
	uint64_t dt = host_now_usec() - t0;
	assert_true(dt >= 290000 && dt < 900000); /* slack for a loaded machine */
	/* the first refusal stops the sequence: nothing half-applied */
	assert_int_equal(call_test("Calls", 0, calls_s, sizeof(calls_s)), 1);
	assert_string_equal(calls_s, "");
	sd_bus_unref(bus);
}

static void test_resolved_absent(void **state)
{
	sd_bus *bus = NULL;
	struct lc_addr a[2];
	char saved[PATH_MAX + 64];
	(void)state;
	NEED_BUS();

	/* a bus with nobody owning the name: ServiceUnknown, at once (no
	 * activation is attempted) */
	assert_int_equal(call_test("Quit", 0, NULL, 0), 1);
	waitpid(svc_pid, NULL, 0);
	svc_pid = 0;
	addrs2(a);
	assert_int_equal(host_bus_open(&bus), 0);
	uint64_t t0 = host_now_usec();
	assert_int_equal(host_resolved_register(bus, 5, a, 1, "lab.test", 1000000), -EHOSTUNREACH);
	assert_int_equal(host_resolved_revert(bus, 5, 1000000), -EHOSTUNREACH);
	assert_true(host_now_usec() - t0 < 500000);
	sd_bus_unref(bus);

	/* no bus at all */
	snprintf(saved, sizeof(saved), "%s", getenv("DBUS_SYSTEM_BUS_ADDRESS"));
	setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/lc-bus", 1);
	bus = NULL;
	int r = host_bus_open(&bus);
	if (r >= 0)
		r = host_resolved_register(bus, 5, a, 1, "lab.test", 1000000);
	assert_true(r < 0);
	sd_bus_unref(bus);
	setenv("DBUS_SYSTEM_BUS_ADDRESS", saved, 1);
	assert_int_equal(start_service(), 0);
}

/* The binary, end to end: network started and stopped, with a bridge of
 * the captured name in a private network namespace. */
static int run_hook_in_netns(const char *bridge, const char *net, const char *op,
			     const char *fixture, int *ret_ifindex)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		char cmd[256], bin[PATH_MAX + 64], drv[] = "--driver=network";
		const char *top = getenv("abs_top_builddir");
		close(p[0]);
		if (unshare(CLONE_NEWNET) < 0)
			_exit(2);
		snprintf(cmd, sizeof(cmd), "ip link add %s type bridge && ip link set %s up",
			 bridge, bridge);
		if (system(cmd) != 0)
			_exit(3);
		int idx = (int)if_nametoindex(bridge);
		if (write(p[1], &idx, sizeof(idx)) != sizeof(idx))
			_exit(4);
		snprintf(bin, sizeof(bin), "%s/hooks/libvirt-cluster-hook", top ? top : "..");
		char path[PATH_MAX + 256];
		snprintf(path, sizeof(path), "%s/hook-stdin/%s.xml", hook_test_fixture_dir(),
			 fixture);
		int in = open(path, O_RDONLY);
		if (in < 0)
			_exit(5);
		dup2(in, 0);
		execl(bin, "libvirt-cluster-hook", drv, net, op, "begin", "-", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	if (read(p[0], ret_ifindex, sizeof(*ret_ifindex)) != sizeof(*ret_ifindex))
		*ret_ifindex = -1;
	close(p[0]);
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void test_binary_network_started_stopped(void **state)
{
	char st[1200];
	int idx = 0;
	(void)state;
	NEED_BUS();
	if (access("/sbin/ip", X_OK) != 0 && access("/usr/sbin/ip", X_OK) != 0)
		skip();
	pid_t probe = fork();
	if (probe == 0)
		_exit(unshare(CLONE_NEWNET) == 0 ? 0 : 1);
	int ps;
	waitpid(probe, &ps, 0);
	if (!WIFEXITED(ps) || WEXITSTATUS(ps) != 0)
		skip(); /* not root, or no namespaces */

	/* a fresh namespace's first link after lo: a small ifindex, which the
	 * stand-in accepts */
	assert_int_equal(run_hook_in_netns("virbr-lab", "labnet", "started",
					   "network.labnet.started.begin", &idx),
			 0);
	assert_true(idx > 0 && idx < MAX_LINKS);
	assert_true(call_test("State", idx, st, sizeof(st)) >= 0);
	assert_string_equal(st, "dns=[192.168.150.1] domains=[~lab.test] default-route=[no]");
	/* the record carries the ifindex for stopped */
	struct lc_net_record rec;
	assert_int_equal(lc_net_record_load(env.run, "labnet", &rec), 0);
	assert_int_equal(rec.ifindex, idx);

	assert_int_equal(run_hook_in_netns("virbr-lab", "labnet", "stopped",
					   "network.labnet.started.begin", &idx),
			 0);
	assert_true(call_test("State", rec.ifindex, st, sizeof(st)) >= 0);
	assert_string_equal(st, "dns=[] domains=[] default-route=[]");
	assert_int_equal(lc_net_record_load(env.run, "labnet", &rec), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_register, reset),
	    cmocka_unit_test_setup(test_register_twice_same_state, reset),
	    cmocka_unit_test_setup(test_no_domain, reset),
	    cmocka_unit_test_setup(test_errors, reset),
	    cmocka_unit_test_setup(test_resolved_absent, reset),
	    cmocka_unit_test_setup(test_binary_network_started_stopped, reset),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
