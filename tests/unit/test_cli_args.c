/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The CLI's command line: the real command table, real getopt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "cli/cli.h"

#define MAX_ARGS 16

/* Parse a space-separated command line (argv[0] included). */
static int parse(const char *line, struct cli_args *a, char *err, size_t errlen)
{
	static char buf[512];
	static char *argv[MAX_ARGS + 1];
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *s = strtok(buf, " "); s && argc < MAX_ARGS; s = strtok(NULL, " "))
		argv[argc++] = s;
	argv[argc] = NULL;
	return cli_parse(argc, argv, a, err, errlen);
}

static void expect_ok(const char *line, struct cli_args *a)
{
	char err[256];
	int r = parse(line, a, err, sizeof(err));
	if (r != CLI_EXIT_OK)
		print_error("'%s' failed: %s\n", line, err);
	assert_int_equal(r, CLI_EXIT_OK);
}

/* A usage error, and its message names what is wrong. */
static void expect_usage(const char *line, const char *needle)
{
	struct cli_args a;
	char err[256];
	int r = parse(line, &a, err, sizeof(err));
	if (r != CLI_EXIT_USAGE || !strstr(err, needle))
		print_error("'%s': want usage error with '%s', got %d '%s'\n", line, needle, r,
			    err);
	assert_int_equal(r, CLI_EXIT_USAGE);
	assert_non_null(strstr(err, needle));
	/* One line, not the whole help. */
	assert_null(strchr(err, '\n'));
	assert_true(strlen(err) < 200);
}

static void test_commands(void **state)
{
	struct cli_args a;

	expect_ok("libvirt-cluster resolve node1 node2", &a);
	assert_string_equal(a.command->name, "resolve");
	assert_int_equal(a.argc, 2);
	assert_string_equal(a.argv[0], "node1");
	assert_string_equal(a.argv[1], "node2");
	assert_false(a.json);
	assert_int_equal(a.family, AF_UNSPEC);

	expect_ok("libvirt-cluster --json resolve -4 node1", &a);
	assert_true(a.json);
	assert_int_equal(a.family, AF_INET);

	expect_ok("libvirt-cluster list --all", &a);
	assert_string_equal(a.command->name, "list");
	assert_true(a.all);
	assert_int_equal(a.argc, 0);

	/* Options after the arguments (GNU order), short and long. */
	expect_ok("libvirt-cluster wait node1 node2 --port 22 -t 5", &a);
	assert_string_equal(a.command->name, "wait");
	assert_int_equal(a.port, 22);
	assert_int_equal(a.timeout, 5);
	assert_int_equal(a.argc, 2);
	expect_ok("libvirt-cluster wait node1 --port=2222 --timeout=0", &a);
	assert_int_equal(a.port, 2222);
	assert_int_equal(a.timeout, 0);
	expect_ok("libvirt-cluster wait node1", &a);
	assert_int_equal(a.port, 0);
	assert_int_equal(a.timeout, 120);

	expect_ok("libvirt-cluster enable --dry-run --root /tmp/x --hook /usr/lib/h", &a);
	assert_true(a.dry_run);
	assert_string_equal(a.root, "/tmp/x");
	assert_string_equal(a.hook, "/usr/lib/h");

	expect_ok("libvirt-cluster renew node3 -c lxc:///system", &a);
	assert_string_equal(a.connect, "lxc:///system");

	expect_ok("libvirt-cluster doctor --json", &a);
	assert_true(a.json);
}

static void test_inventory(void **state)
{
	struct cli_args a;

	expect_ok("libvirt-cluster inventory --list", &a);
	assert_true(a.list);
	expect_ok("libvirt-cluster inventory --host node1", &a);
	assert_string_equal(a.host, "node1");
	/* Ansible runs the script itself with --list: the name implies it. */
	expect_ok("/usr/bin/libvirt-cluster-inventory --list", &a);
	assert_string_equal(a.command->name, "inventory");
	assert_true(a.list);
	expect_ok("./inventory --host node2", &a);
	assert_string_equal(a.command->name, "inventory");
	assert_string_equal(a.host, "node2");

	expect_usage("libvirt-cluster inventory", "exactly one of --list and --host");
	expect_usage("libvirt-cluster inventory --list --host x", "exactly one of");
	expect_usage("/usr/bin/libvirt-cluster-inventory", "exactly one of");
	expect_usage("libvirt-cluster inventory --list extra", "takes no arguments");
	expect_usage("libvirt-cluster inventory --host", "needs an argument");
}

static void test_errors(void **state)
{
	expect_usage("libvirt-cluster", "no command given");
	expect_usage("libvirt-cluster frobnicate", "unknown command 'frobnicate'");
	/* the message names every command of the table, none written out by hand */
	for (size_t i = 0; i < cli_n_commands; i++)
		expect_usage("libvirt-cluster frobnicate", cli_commands[i]->name);
	expect_usage("libvirt-cluster resolve", "'resolve' needs at least one NAME");
	expect_usage("libvirt-cluster renew", "'renew' needs NAME");
	expect_usage("libvirt-cluster renew a b", "at most 1 argument ('b' is extra)");
	expect_usage("libvirt-cluster list node1", "'list' takes no arguments ('node1' is extra)");
	expect_usage("libvirt-cluster list --port 22", "'--port' does not apply to 'list'");
	expect_usage("libvirt-cluster resolve x --all", "'--all' does not apply to 'resolve'");
	expect_usage("libvirt-cluster doctor --dry-run", "'--dry-run' does not apply to 'doctor'");
	expect_usage("libvirt-cluster --frob list", "unknown option '--frob'");
	expect_usage("libvirt-cluster -z list", "unknown option '-z'");
	expect_usage("libvirt-cluster wait n --port", "'--port' needs an argument (PORT)");
	expect_usage("libvirt-cluster wait n -p", "'--port' needs an argument");
	expect_usage("libvirt-cluster wait n --port 0", "not a TCP port");
	expect_usage("libvirt-cluster wait n --port 65536", "not a TCP port");
	expect_usage("libvirt-cluster wait n --port 22x", "not a TCP port");
	expect_usage("libvirt-cluster wait n --timeout -1", "not a number of seconds");
	expect_usage("libvirt-cluster wait n --timeout soon", "not a number of seconds");
	expect_usage("libvirt-cluster resolve -4 -6 n", "-4 and -6 exclude each other");
	expect_usage("libvirt-cluster doctor --root relative/dir", "must be an absolute path");
	expect_usage("libvirt-cluster enable --hook hook", "must be an absolute path");
}

static void test_help(void **state)
{
	struct cli_args a;

	expect_ok("libvirt-cluster --help", &a);
	assert_true(a.help);
	assert_null(a.command);
	expect_ok("libvirt-cluster help wait", &a);
	assert_true(a.help);
	assert_string_equal(a.command->name, "wait");
	expect_ok("libvirt-cluster wait --help", &a);
	assert_true(a.help);
	/* --help wins over a missing argument. */
	expect_ok("libvirt-cluster resolve --help", &a);
	assert_true(a.help);
	expect_ok("libvirt-cluster --version", &a);
	assert_true(a.version);
	expect_usage("libvirt-cluster help frob", "unknown command 'frob'");
}

/* The help is generated from the tables: every command is listed, and a
 * command's help lists exactly the options it accepts. */
static void test_help_text(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cli_help(f, NULL);
	fclose(f);
	for (size_t i = 0; i < cli_n_commands; i++) {
		assert_non_null(cli_commands[i]->fn);
		assert_true(strlen(cli_commands[i]->help) > 10);
		assert_non_null(strstr(buf, cli_commands[i]->name));
	}
	free(buf);

	f = open_memstream(&buf, &len);
	cli_help(f, cli_command_find("wait"));
	fclose(f);
	assert_non_null(strstr(buf, "Usage: libvirt-cluster wait [OPTIONS] NAME..."));
	assert_non_null(strstr(buf, "--port PORT"));
	assert_non_null(strstr(buf, "--timeout SECONDS"));
	assert_null(strstr(buf, "--dry-run"));
	assert_null(strstr(buf, "--all"));
	free(buf);

	f = open_memstream(&buf, &len);
	cli_help(f, cli_command_find("list"));
	fclose(f);
	assert_non_null(strstr(buf, "--all"));
	assert_non_null(strstr(buf, "--json"));
	assert_null(strstr(buf, "--port"));
	free(buf);
}

static void test_command_table(void **state)
{
	/* Names are unique and every accepted argument count is sane. */
	for (size_t i = 0; i < cli_n_commands; i++) {
		const struct cli_command *c = cli_commands[i];
		assert_ptr_equal(cli_command_find(c->name), c);
		assert_true(c->min_args >= 0);
		assert_true(c->max_args == -1 || c->max_args >= c->min_args);
		assert_true((c->min_args > 0) == (c->usage[0] != '\0'));
	}
	assert_null(cli_command_find("nope"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_commands),  cmocka_unit_test(test_inventory),
	    cmocka_unit_test(test_errors),    cmocka_unit_test(test_help),
	    cmocka_unit_test(test_help_text), cmocka_unit_test(test_command_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
