/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The DHCP client command the worker and `libvirt-cluster renew` run inside
 * a guest (host/renew.c).  The default one
 * is run here by a real /bin/sh against stand-in udhcpc, dhclient and ip
 * commands that log what they are asked, in a private mount namespace whose
 * /run is a fresh tmpfs (the default writes its udhcpc script
 * there, as it would in a bare busybox guest).
 */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "host/host.h"
#include "resolver/json.h"
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

static void test_configured_command(void **state)
{
	char buf[256];
	(void)state;

	assert_int_equal(host_renew_command("dhclient -1 IF", "eth1", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "dhclient -1 eth1");
	/* only the word IF: not IFACE, not xIF, not IF_X */
	assert_int_equal(host_renew_command("IF=IF $IFACE xIF IF_X IF;IF", "e0", buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "e0=e0 $IFACE xIF IF_X e0;e0");
	assert_int_equal(host_renew_command("udhcpc -i IF", "a-very-long-name", buf, 10), -ENOBUFS);
	/* none configured: the default */
	assert_int_equal(host_renew_command(NULL, "eth0", buf, sizeof(buf)), -ENOBUFS);
	char *big = malloc(1 << 15);
	assert_int_equal(host_renew_command("", "eth0", big, 1 << 15), 0);
	assert_string_equal(big, host_renew_default_command);
	free(big);
}

static int make_tool(const char *dir, const char *name, const char *body)
{
	char path[PATH_MAX + 300];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "we");
	if (!f)
		return -1;
	fprintf(f, "#!/bin/sh\n%s", body);
	fclose(f);
	return chmod(path, 0755);
}

/* Run the default command for ifname with PATH=bindir only (plus the
 * coreutils it needs), in a fresh mount namespace; returns the exit code. */
static int run_default(const char *bindir, const char *ifname)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWNS) < 0 && (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0))
			_exit(77);
		/* /run is the first place the default writes its script (the
		 * scratch dir, under /tmp, stays visible) */
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") < 0)
			_exit(77);
		/* the distribution scripts, if the host has them, are hidden:
		 * the bare-busybox path is the one under test */
		if (access("/usr/share/udhcpc", F_OK) == 0 &&
		    mount("tmpfs", "/usr/share/udhcpc", "tmpfs", 0, NULL) < 0)
			_exit(77);
		if (access("/etc/udhcpc", F_OK) == 0 &&
		    mount("tmpfs", "/etc/udhcpc", "tmpfs", 0, NULL) < 0)
			_exit(77);
		char path_env[PATH_MAX + 64];
		snprintf(path_env, sizeof(path_env), "PATH=%s", bindir);
		char *envp[] = {path_env, NULL};
		execle("/bin/sh", "sh", "-c", host_renew_default_command, "sh", ifname,
		       (char *)NULL, envp);
		_exit(127);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void link_tool(const char *bindir, const char *name)
{
	char dst[PATH_MAX + 64];
	const char *dirs[] = {"/usr/bin", "/bin", "/usr/sbin", "/sbin"};
	snprintf(dst, sizeof(dst), "%s/%s", bindir, name);
	for (size_t i = 0; i < 4; i++) {
		char src[64];
		snprintf(src, sizeof(src), "%s/%s", dirs[i], name);
		if (access(src, X_OK) == 0) {
			assert_int_equal(symlink(src, dst), 0);
			return;
		}
	}
	fail_msg("no %s on this host", name);
}

static void test_default_busybox_guest(void **state)
{
	char bindir[1100], log[1100], tool[4096];
	(void)state;

	snprintf(bindir, sizeof(bindir), "%s/bin", env.root);
	snprintf(log, sizeof(log), "%s/calls", env.root);
	assert_int_equal(mkdir(bindir, 0755), 0);
	/* what a bare busybox root has besides udhcpc and ip */
	link_tool(bindir, "cat");
	link_tool(bindir, "chmod");
	link_tool(bindir, "grep");
	/* udhcpc: log the call, then drive the script like busybox does
	 * (deconfig, then bound with the lease in the environment) */
	snprintf(
	    tool, sizeof(tool),
	    "echo \"udhcpc $*\" >>%s\n"
	    "while [ $# -gt 0 ]; do case $1 in -s) s=$2; shift;; -i) i=$2; shift;; esac; shift; "
	    "done\n"
	    "[ -x \"$s\" ] || exit 9\n"
	    "interface=$i \"$s\" deconfig\n"
	    "interface=$i ip=192.168.150.77 mask=24 subnet=255.255.255.0 "
	    "router='192.168.150.1 192.168.150.2' \"$s\" bound\n",
	    log);
	assert_int_equal(make_tool(bindir, "udhcpc", tool), 0);
	snprintf(tool, sizeof(tool), "echo \"ip $*\" >>%s\n", log);
	assert_int_equal(make_tool(bindir, "ip", tool), 0);

	int r = run_default(bindir, "eth1");
	if (r == 77)
		skip(); /* no mount namespace here */
	assert_int_equal(r, 0);
	char *calls = hook_test_slurp(log, NULL);
	assert_non_null(calls);
	/* udhcpc without -q (it stays to renew), with our script, a pid file
	 * (the next renewal replaces it) and the guest's own hostname */
	char want[512], host[256] = "";
	FILE *hf = fopen("/proc/sys/kernel/hostname", "re");
	if (hf) {
		if (!fgets(host, sizeof(host), hf))
			host[0] = '\0';
		fclose(hf);
	}
	host[strcspn(host, "\n")] = '\0';
	if (!strcmp(host, "(none)") || !strncmp(host, "localhost", 9))
		host[0] = '\0';
	snprintf(want, sizeof(want),
		 "udhcpc -n -i eth1 -s /run/libvirt-cluster-udhcpc.sh -p "
		 "/run/libvirt-cluster-udhcpc.eth1.pid%s%s\n",
		 host[0] ? " -x hostname:" : "", host);
	assert_non_null(strstr(calls, want));
	/* deconfig keeps what the guest has: only bound replaces the address */
	assert_null(
	    strstr(calls, "ip -4 addr flush dev eth1\nip link set eth1 up\nip -4 addr show"));
	/* the address, the link, one default route via the first router */
	assert_non_null(strstr(calls, "ip -4 addr flush dev eth1\n"));
	assert_non_null(strstr(calls, "ip addr add 192.168.150.77/24 dev eth1\n"));
	assert_non_null(strstr(calls, "ip link set eth1 up\n"));
	assert_non_null(strstr(calls, "ip route add default via 192.168.150.1 dev eth1\n"));
	assert_null(strstr(calls, "192.168.150.2 dev"));
	free(calls);
}

static void test_default_falls_back_to_dhclient(void **state)
{
	char bindir[1100], log[1100], tool[2048];
	(void)state;

	snprintf(bindir, sizeof(bindir), "%s/bin", env.root);
	snprintf(log, sizeof(log), "%s/calls", env.root);
	assert_int_equal(mkdir(bindir, 0755), 0);
	/* no udhcpc, no busybox: dhclient, which configures by itself */
	snprintf(tool, sizeof(tool), "echo \"dhclient $*\" >>%s\n", log);
	assert_int_equal(make_tool(bindir, "dhclient", tool), 0);
	int r = run_default(bindir, "enp1s0");
	if (r == 77)
		skip();
	assert_int_equal(r, 0);
	char *calls = hook_test_slurp(log, NULL);
	assert_non_null(calls);
	assert_string_equal(calls, "dhclient -1 enp1s0\n");
	free(calls);

	/* nothing at all: a non-zero exit, which the worker logs */
	unlink(log);
	char p[PATH_MAX + 32];
	snprintf(p, sizeof(p), "%s/dhclient", bindir);
	unlink(p);
	r = run_default(bindir, "enp1s0");
	assert_int_equal(r, 1);
}

/* ---- qemu: the guest agent's JSON --------------------------------------------- */

/* What qemu-ga 7.2 answers (shape as documented in qapi/qga). */
static const char IFACES_REPLY[] =
    "{\"return\": [{\"name\": \"lo\", \"ip-addresses\": [{\"ip-address-type\": \"ipv4\", "
    "\"ip-address\": \"127.0.0.1\", \"prefix\": 8}], \"statistics\": {\"tx-packets\": 0, "
    "\"rx-bytes\": 0}, \"hardware-address\": \"00:00:00:00:00:00\"}, {\"name\": \"enp1s0\", "
    "\"ip-addresses\": [{\"ip-address-type\": \"ipv6\", \"ip-address\": "
    "\"fe80::5054:ff:fe1c:5\", \"prefix\": 64}], \"hardware-address\": \"52:54:00:1c:00:05\"}, "
    "{\"name\": \"enp2s0\", \"hardware-address\": \"52:54:00:1C:01:05\"}]}";

static void test_agent_ifname(void **state)
{
	char ifname[64];
	(void)state;

	assert_int_equal(
	    host_agent_ifname(IFACES_REPLY, "52:54:00:1c:00:05", ifname, sizeof(ifname)), 0);
	assert_string_equal(ifname, "enp1s0");
	/* MACs compare case-insensitively */
	assert_int_equal(
	    host_agent_ifname(IFACES_REPLY, "52:54:00:1c:01:05", ifname, sizeof(ifname)), 0);
	assert_string_equal(ifname, "enp2s0");
	assert_int_equal(
	    host_agent_ifname(IFACES_REPLY, "52:54:00:99:99:99", ifname, sizeof(ifname)), -ENODEV);
	assert_int_equal(host_agent_ifname("{\"error\": {\"class\": \"CommandNotFound\"}}", "x",
					   ifname, sizeof(ifname)),
			 -EBADMSG);
	assert_int_equal(host_agent_ifname("{\"return\": [", "x", ifname, sizeof(ifname)),
			 -EBADMSG);
	assert_int_equal(host_agent_ifname("", "x", ifname, sizeof(ifname)), -EBADMSG);
}

static void test_agent_member(void **state)
{
	int64_t v = -5;
	(void)state;

	assert_int_equal(host_agent_member("{\"return\": {\"pid\": 1234}}", "pid", &v), 0);
	assert_int_equal(v, 1234);
	assert_int_equal(
	    host_agent_member("{\"return\": {\"exitcode\": 0, \"exited\": true}}", "exited", &v),
	    0);
	assert_int_equal(v, 1);
	assert_int_equal(
	    host_agent_member("{\"return\": {\"exitcode\": 3, \"exited\": true}}", "exitcode", &v),
	    0);
	assert_int_equal(v, 3);
	assert_int_equal(host_agent_member("{\"return\": {\"exited\": false}}", "exited", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(host_agent_member("{\"return\": {\"exited\": false}}", "exitcode", &v),
			 -ENOENT);
	assert_int_equal(host_agent_member("{\"return\": {\"pid\": \"x\"}}", "pid", &v), -EBADMSG);
	assert_int_equal(host_agent_member("[1]", "pid", &v), -EBADMSG);
}

/* The guest-exec command carries the default script intact: parse it back
 * with the resolver's JSON reader and compare. */
static void test_agent_exec_json(void **state)
{
	static char buf[1 << 15], got[1 << 14];
	struct json_cursor c;
	char key[32];
	bool first = true, afirst = true, trunc = false;
	size_t len;
	int n_args = 0;
	(void)state;

	assert_int_equal(
	    host_agent_exec_json(host_renew_default_command, "enp1s0", buf, sizeof(buf)), 0);
	json_init(&c, buf, strlen(buf));
	assert_int_equal(json_object_next(&c, &first, key, sizeof(key)), 1);
	assert_string_equal(key, "execute");
	assert_true(json_string(&c, got, sizeof(got), &len, &trunc));
	assert_string_equal(got, "guest-exec");
	assert_int_equal(json_object_next(&c, &first, key, sizeof(key)), 1);
	assert_string_equal(key, "arguments");
	bool ofirst = first;
	first = true;
	for (;;) {
		int r = json_object_next(&c, &first, key, sizeof(key));
		assert_true(r >= 0);
		if (r == 0)
			break;
		if (!strcmp(key, "arg")) {
			while (json_array_next(&c, &afirst) == 1) {
				assert_true(json_string(&c, got, sizeof(got), &len, &trunc));
				assert_false(trunc);
				if (n_args == 1)
					assert_string_equal(got, host_renew_default_command);
				if (n_args == 3)
					assert_string_equal(got, "enp1s0");
				n_args++;
			}
		} else {
			assert_true(json_skip_value(&c, 1));
		}
	}
	assert_int_equal(n_args, 4); /* -c COMMAND sh IFNAME */
	first = ofirst;
	assert_int_equal(json_object_next(&c, &first, key, sizeof(key)), 0);
	assert_true(json_at_end(&c));

	/* control characters are escaped; a command too big is refused */
	assert_int_equal(host_agent_exec_json("a\001\"\\b", "e", buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "\"a\\u0001\\\"\\\\b\""));
	assert_int_equal(host_agent_exec_json(host_renew_default_command, "e", buf, 100), -ENOBUFS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_configured_command),
	    cmocka_unit_test(test_agent_ifname),
	    cmocka_unit_test(test_agent_member),
	    cmocka_unit_test(test_agent_exec_json),
	    cmocka_unit_test_setup_teardown(test_default_busybox_guest, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_default_falls_back_to_dhclient, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
