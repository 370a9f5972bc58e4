/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What ssh reads from us (Host blocks, known_hosts lines, the drop-in) and
 * what wait --ready understands (kinds, SSH banners). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/cli.h"
#include "cli/ssh.h"
#include "resolver/resolver.h"

#define ED "AAAAC3NzaC1lZDI1NTE5AAAAIHkPc0XnhTNAd2rtbA1f3kFP4K/zB+1eQ3+HYRn9nQv1"

static void test_host_arg(void **state)
{
	(void)state;
	char h[256];
	int port = 0;
	assert_int_equal(ssh_host_arg_parse("node1", h, sizeof(h), &port), 0);
	assert_string_equal(h, "node1");
	assert_int_equal(port, 22);
	assert_int_equal(ssh_host_arg_parse("[Node1.Lab.Test]:2222", h, sizeof(h), &port), 0);
	assert_string_equal(h, "node1.lab.test");
	assert_int_equal(port, 2222);
	assert_int_equal(ssh_host_arg_parse("[fd00::5]:22", h, sizeof(h), &port), 0);
	assert_string_equal(h, "fd00::5");
	static const char *const bad[] = {
	    "",	 "[node1]", "[node1]:", "[node1]:0",	  "[node1]:x",	  "[]:22",
	    "*", "node?",   "a,b",	"-oProxyCommand", "[node1]:70000"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ssh_host_arg_parse(bad[i], h, sizeof(h), &port) != -EINVAL)
			fail_msg("accepted '%s'", bad[i]);
	assert_int_equal(ssh_host_arg_parse("node1", h, 3, &port), -EINVAL);
}

static void test_known_hosts_names(void **state)
{
	(void)state;
	char buf[256];
	const char *names[] = {"node1.lab.test", "node1",    "NODE1",	"node1.lab.test",
			       "bad*name",	 "10.0.0.5", "fd00::5", NULL};
	assert_int_equal(ssh_known_hosts_names(names, 8, 22, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "node1.lab.test,node1,10.0.0.5,fd00::5");
	assert_int_equal(ssh_known_hosts_names(names, 2, 2222, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "[node1.lab.test]:2222,[node1]:2222");
	assert_int_equal(ssh_known_hosts_names(names, 8, 22, buf, 10), -ENOBUFS);
	const char *none[] = {"*", "a b"};
	assert_int_equal(ssh_known_hosts_names(none, 2, 22, buf, sizeof(buf)), -ENOENT);
}

static char *captured(void (*fn)(FILE *, const void *), const void *ud)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	fn(f, ud);
	fclose(f);
	return buf;
}

static void print_keys(FILE *f, const void *ud)
{
	(void)ud;
	struct lc_hostkey k[2] = {{"ssh-ed25519", ED}, {"ssh-rsa", "AAAAB3NzaC1yc2EAAAADAQAB"}};
	ssh_known_hosts_print(f, "node1,10.0.0.5", k, 2);
}

static void test_known_hosts_print(void **state)
{
	(void)state;
	char *s = captured(print_keys, NULL);
	assert_string_equal(s, "node1,10.0.0.5 ssh-ed25519 " ED "\n"
			       "node1,10.0.0.5 ssh-rsa AAAAB3NzaC1yc2EAAAADAQAB\n");
	free(s);
}

static void print_config(FILE *f, const void *ud)
{
	const char *aliases[] = {"node1-dhcp", "node1.lab.test", "NODE1", "x*y"};
	ssh_config_print(f, "node1", aliases, 4, "10.250.1.5", ud);
}

static void test_config_block(void **state)
{
	(void)state;
	char *s = captured(print_config, "debian");
	assert_string_equal(s, "Host node1 node1-dhcp node1.lab.test\n"
			       "\tHostName 10.250.1.5\n"
			       "\tHostKeyAlias node1\n"
			       "\tUser debian\n");
	free(s);
	s = captured(print_config, "");
	assert_null(strstr(s, "User"));
	free(s);
}

static void test_dropin(void **state)
{
	(void)state;
	char buf[2048];
	assert_int_equal(
	    ssh_dropin_text("/usr/libexec/libvirt-cluster/known-hosts", buf, sizeof(buf)), 0);
	assert_non_null(strstr(
	    buf, "\nHost *\n\tKnownHostsCommand /usr/libexec/libvirt-cluster/known-hosts %H\n"));
	assert_int_equal(ssh_dropin_text("/usr/bin/libvirt-cluster", buf, 20), -ENOBUFS);
}

static void test_ready_parse(void **state)
{
	(void)state;
	struct cli_ready r;
	assert_int_equal(cli_ready_parse("tcp:8080", &r), 0);
	assert_int_equal(r.kind, CLI_READY_TCP);
	assert_int_equal(r.port, 8080);
	assert_int_equal(cli_ready_parse("ssh", &r), 0);
	assert_int_equal(r.kind, CLI_READY_SSH);
	assert_int_equal(r.port, 22);
	assert_int_equal(cli_ready_parse("agent", &r), 0);
	assert_int_equal(r.kind, CLI_READY_AGENT);
	assert_int_equal(cli_ready_parse("boot", &r), 0);
	assert_int_equal(r.kind, CLI_READY_BOOT);
	assert_int_equal(cli_ready_parse("cloud-init", &r), 0);
	assert_string_equal(cli_ready_name(r.kind), "cloud-init");
	static const char *const bad[] = {"",	     "tcp", "tcp:",	 "tcp:0", "tcp:65536",
					  "tcp:22x", "SSH", "cloudinit", "boot "};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cli_ready_parse(bad[i], &r) != -EINVAL)
			fail_msg("accepted '%s'", bad[i]);
}

static int banner(const char *s)
{
	return cli_ssh_banner_check(s, strlen(s));
}

static void test_ssh_banner(void **state)
{
	(void)state;
	assert_int_equal(banner("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"), 1);
	assert_int_equal(banner("SSH-1.99-Cisco-1.25\r\n"), 1);
	assert_int_equal(banner("SSH-2.0-dropbear\n"), 1);
	/* lines before the version line are allowed (RFC 4253 4.2) */
	assert_int_equal(banner("Welcome\r\nSSH-2.0-x\r\n"), 1);
	/* not yet: nothing, part of a line */
	assert_int_equal(banner(""), 0);
	assert_int_equal(banner("SS"), 0);
	assert_int_equal(banner("SSH-2.0-OpenSSH"), 0);
	assert_int_equal(banner("hello\r\n"), 0);
	/* never: protocol 1, an HTTP server, endless garbage */
	assert_int_equal(banner("SSH-1.5-old\r\n"), -EPROTO);
	assert_int_equal(banner("SSH-\r\n"), -EPROTO);
	char big[9000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(banner(big), -EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_host_arg),
	    cmocka_unit_test(test_known_hosts_names),
	    cmocka_unit_test(test_known_hosts_print),
	    cmocka_unit_test(test_config_block),
	    cmocka_unit_test(test_dropin),
	    cmocka_unit_test(test_ready_parse),
	    cmocka_unit_test(test_ssh_banner),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
