/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The built binary under bad input, as libvirt would run it: whatever is on
 * stdin and in argv, it exits 0 within 1 s, prints nothing on stdout, logs
 * exactly one line; and killed at any moment it never leaves a half-written
 * record.
 */
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>

#include <cmocka.h>

#include "hooks/hook.h"
#include "tests/unit/hook_test_util.h"

static struct hook_test_env env;
static char bin[PATH_MAX];

enum in_mode {
	IN_FILE,   /* a fixture file */
	IN_DATA,   /* bytes from a writer process, then EOF */
	IN_EMPTY,  /* /dev/null */
	IN_ZERO,   /* /dev/zero: endless, fast */
	IN_SLOW,   /* a writer that never closes */
	IN_CLOSED, /* no fd 0 at all */
};

struct run {
	int status;	   /* exit code, or 128 + signal */
	uint64_t usec;	   /* until the process exited and both pipes closed */
	size_t stdout_len; /* must stay 0 */
	int lines;	   /* log lines on stderr */
	char err[2048];
};

static int setup(void **state)
{
	const char *top = getenv("abs_top_builddir");
	(void)state;
	snprintf(bin, sizeof(bin), "%s/hooks/libvirt-cluster-hook", top ? top : "..");
	if (access(bin, X_OK) != 0)
		return -1;
	/* the worker of "started" lives 2 s: long enough to show it does not
	 * hold the hook's stdout and stderr */
	return hook_test_env_setup(&env, "renew_after = 2\nrenew_tries = 0\n");
}

static int teardown(void **state)
{
	(void)state;
	hook_test_env_teardown(&env);
	return 0;
}

static pid_t spawn_writer(int fd, const char *data, size_t len, bool forever)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	signal(SIGPIPE, SIG_DFL);
	while (len > 0) {
		ssize_t w = write(fd, data, len > 65536 ? 65536 : len);
		if (w <= 0)
			_exit(0);
		data += w;
		len -= (size_t)w;
	}
	while (forever) {
		if (write(fd, "<", 1) != 1)
			_exit(0);
		usleep(50000);
	}
	_exit(0);
}

static struct run run_hook(const char *const *args, enum in_mode mode, const char *data, size_t len)
{
	struct run res = {0};
	int out[2], err[2], in[2] = {-1, -1};
	pid_t writer = 0, pid;
	char path[PATH_MAX + 256];

	/* the writer first, so that it holds no end of the output pipes */
	if (mode == IN_DATA || mode == IN_SLOW) {
		assert_int_equal(pipe2(in, O_CLOEXEC), 0);
		writer = spawn_writer(in[1], data, len, mode == IN_SLOW);
		close(in[1]);
	}
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	assert_int_equal(pipe2(err, O_CLOEXEC), 0);
	uint64_t t0 = host_now_usec();
	pid = fork();
	if (pid == 0) {
		int fd = -1;
		if (mode == IN_FILE) {
			snprintf(path, sizeof(path), "%s/hook-stdin/%s.xml",
				 hook_test_fixture_dir(), data);
			fd = open(path, O_RDONLY);
		} else if (mode == IN_EMPTY) {
			fd = open("/dev/null", O_RDONLY);
		} else if (mode == IN_ZERO) {
			fd = open("/dev/zero", O_RDONLY);
		} else if (mode != IN_CLOSED) {
			fd = in[0];
		}
		if (mode == IN_CLOSED)
			close(0);
		else if (fd < 0 || dup2(fd, 0) < 0)
			_exit(99);
		dup2(out[1], 1);
		dup2(err[1], 2);
		setenv("LIBVIRT_CLUSTER_HOOK_STDERR", "1", 1);
		size_t n = 0;
		while (args[n])
			n++;
		const char **argv = calloc(n + 2, sizeof(*argv));
		argv[0] = "libvirt-cluster-hook";
		for (size_t i = 0; i < n; i++)
			argv[i + 1] = args[i];
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	if (in[0] >= 0)
		close(in[0]);

	/* read both pipes to EOF: a worker that kept them open would show here */
	size_t elen = 0;
	char buf[4096];
	struct pollfd p[2] = {{.fd = out[0], .events = POLLIN}, {.fd = err[0], .events = POLLIN}};
	int open_fds = 2;
	while (open_fds > 0) {
		if (poll(p, 2, 3000) <= 0)
			break;
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !p[i].revents)
				continue;
			ssize_t k = read(p[i].fd, buf, sizeof(buf));
			if (k <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				open_fds--;
			} else if (i == 0) {
				res.stdout_len += (size_t)k;
			} else {
				size_t c = (size_t)k;
				if (elen + c >= sizeof(res.err))
					c = sizeof(res.err) - elen - 1;
				memcpy(res.err + elen, buf, c);
				elen += c;
			}
		}
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	res.usec = host_now_usec() - t0;
	res.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	for (int i = 0; i < 2; i++)
		if (p[i].fd >= 0)
			close(p[i].fd);
	for (size_t i = 0; i < elen; i++)
		res.lines += res.err[i] == '\n';
	if (writer > 0) {
		kill(writer, SIGKILL);
		waitpid(writer, NULL, 0);
	}
	return res;
}

/* What every bad-input run must look like. */
static void assert_calm(const struct run *r)
{
	if (r->status != 0 || r->usec >= 1000000 || r->stdout_len || r->lines != 1)
		print_message("status %d, %llu us, stdout %zu, stderr:\n%s", r->status,
			      (unsigned long long)r->usec, r->stdout_len, r->err);
	assert_int_equal(r->status, 0);
	assert_true(r->usec < 1000000);
	assert_int_equal(r->stdout_len, 0);
	assert_int_equal(r->lines, 1);
}

static const char *const PREPARE_C1[] = {"--driver=lxc", "c1", "prepare", "begin", "-", NULL};

static void test_valid_input_control(void **state)
{
	(void)state;
	struct run r = run_hook(PREPARE_C1, IN_FILE, "lxc.c1.prepare.begin", 0);
	assert_calm(&r);
	assert_non_null(strstr(r.err, "record written"));
	assert_true(hook_test_exists(env.run, "guest-c1.rec"));
}

static void test_empty(void **state)
{
	(void)state;
	struct run r = run_hook(PREPARE_C1, IN_EMPTY, NULL, 0);
	assert_calm(&r);
	assert_non_null(strstr(r.err, "no XML on stdin"));
	assert_false(hook_test_exists(env.run, "guest-c1.rec"));
}

static void test_garbage(void **state)
{
	static const char *const junk[] = {
	    "garbage",
	    "<domain><name>c1</name>",
	    "<?xml version='1.0'?><!DOCTYPE d [<!ENTITY a 'aaaaaaaaaa'>"
	    "<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'><!ENTITY c "
	    "'&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>"
	    "<!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'><!ENTITY e "
	    "'&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;'>"
	    "<!ENTITY f '&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;'><!ENTITY g "
	    "'&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;'>"
	    "]><domain><name>&g;</name></domain>",
	    "<hookData><network><name>c1</name></network></hookData>",
	    "\x01\x02\x03\xff\xfe",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		struct run r = run_hook(PREPARE_C1, IN_DATA, junk[i], strlen(junk[i]));
		assert_calm(&r);
	}
	const char *const net[] = {"--driver=network", "labnet", "started", "begin", "-", NULL};
	struct run r = run_hook(net, IN_DATA, "<domain/>", 9);
	assert_calm(&r);
	assert_false(hook_test_exists(env.run, "guest-c1.rec"));
	assert_false(hook_test_exists(env.run, "net-labnet.rec"));
}

static void test_huge(void **state)
{
	size_t len = 20u << 20;
	char *big = malloc(len);
	(void)state;

	memset(big, '<', len);
	struct run r = run_hook(PREPARE_C1, IN_DATA, big, len);
	free(big);
	assert_calm(&r);
	assert_non_null(strstr(r.err, "larger than 16 MiB"));

	r = run_hook(PREPARE_C1, IN_ZERO, NULL, 0);
	assert_calm(&r);
	assert_non_null(strstr(r.err, "larger than 16 MiB"));
}

static void test_endless(void **state)
{
	(void)state;
	struct run r = run_hook(PREPARE_C1, IN_SLOW, "<domain>", 8);
	assert_calm(&r);
	assert_non_null(strstr(r.err, "not closed within 500 ms"));
	assert_true(r.usec >= 450000);
}

static void test_closed_stdin(void **state)
{
	(void)state;
	struct run r = run_hook(PREPARE_C1, IN_CLOSED, NULL, 0);
	assert_calm(&r);
}

static void test_bad_argv(void **state)
{
	static const char *const unknown_op[] = {"--driver=lxc", "c1", "frobnicate",
						 "begin",	 "-",  NULL};
	static const char *const no_args[] = {NULL};
	static const char *const only_driver[] = {"--driver=lxc", NULL};
	static const char *const only_object[] = {"--driver=qemu", "c1", NULL};
	static const char *const bad_driver[] = {"--driver=xen", "c1", "prepare",
						 "begin",	 "-",  NULL};
	static const char *const bad_option[] = {"--frob", "c1", "prepare", NULL};
	static const char *const bad_name[] = {"--driver=lxc", "../../etc/x", "prepare",
					       "begin",	       "-",	      NULL};
	const char *const *cases[] = {unknown_op, no_args,    only_driver, only_object,
				      bad_driver, bad_option, bad_name};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r = run_hook(cases[i], IN_FILE, "lxc.c1.prepare.begin", 0);
		assert_calm(&r);
	}
	assert_false(hook_test_exists(env.run, "guest-c1.rec"));
}

static void test_started_detaches(void **state)
{
	(void)state;
	/* the worker lives on (renew_after = 2), but the hook is back at once
	 * and its pipes are closed */
	const char *const args[] = {"--driver=lxc", "c1", "started", "begin", "-", NULL};
	struct run r = run_hook(args, IN_FILE, "lxc.c1.started.begin", 0);
	assert_calm(&r);
	/* assert_calm's 1 s, against the worker's 2 s, is the proof */
	assert_non_null(strstr(r.err, "lease worker started"));
}

static void test_help_and_version(void **state)
{
	(void)state;
	const char *const help[] = {"--help", NULL};
	struct run r = run_hook(help, IN_EMPTY, NULL, 0);
	assert_int_equal(r.status, 0);
	assert_true(r.stdout_len > 0); /* not a hook call: usage on stdout */
}

/* Kill the hook at random moments while it writes a record: every record
 * file there is whole, or absent. */
static void test_kill_midway(void **state)
{
	char *xml = malloc(1 << 16);
	size_t o;
	unsigned whole = 0, absent = 0;
	(void)state;

	/* a big record (64 NICs), so the write takes long enough to be hit */
	o = (size_t)snprintf(xml, 1 << 16,
			     "<domain type='kvm'><name>big</name><uuid>u</uuid><devices>");
	for (int i = 0; i < 64; i++)
		o += (size_t)snprintf(
		    xml + o, (1 << 16) - o,
		    "<interface type='network'><mac address='52:54:00:00:10:%02x'/>"
		    "<source network='network-with-a-rather-long-name-%02d'/>"
		    "</interface>",
		    i, i);
	o += (size_t)snprintf(xml + o, (1 << 16) - o, "</devices></domain>");
	const char *const args[] = {"--driver=qemu", "big", "prepare", "begin", "-", NULL};
	srand((unsigned)time(NULL));

	for (int round = 0; round < 150; round++) {
		int in[2];
		assert_int_equal(pipe2(in, O_CLOEXEC), 0);
		assert_int_equal(write(in[1], xml, o), (ssize_t)o);
		close(in[1]);
		pid_t pid = fork();
		if (pid == 0) {
			dup2(in[0], 0);
			int nul = open("/dev/null", O_WRONLY);
			dup2(nul, 1);
			dup2(nul, 2);
			execl(bin, "libvirt-cluster-hook", args[0], args[1], args[2], args[3],
			      args[4], (char *)NULL);
			_exit(127);
		}
		close(in[0]);
		/* 0..40 ms: a run takes 10-40 ms, so this lands anywhere from
		 * before main() to after the rename */
		usleep((useconds_t)(rand() % 40000));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);

		struct lc_guest_record *rec = calloc(1, sizeof(*rec));
		int r = lc_guest_record_load(env.run, "big", rec);
		if (r == -ENOENT) {
			absent++;
		} else {
			/* present means complete: every NIC, in order */
			assert_int_equal(r, 0);
			assert_int_equal(rec->n_nics, 64);
			assert_string_equal(rec->nics[63].network,
					    "network-with-a-rather-long-name-63");
			whole++;
			assert_int_equal(lc_guest_record_remove(env.run, "big"), 0);
		}
		free(rec);
	}
	print_message("kill midway: %u runs left a whole record, %u none\n", whole, absent);
	assert_int_equal(whole + absent, 150);
	free(xml);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_valid_input_control, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_huge, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_endless, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_closed_stdin, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_argv, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_started_detaches, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_help_and_version, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kill_midway, setup, teardown),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
