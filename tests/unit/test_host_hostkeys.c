/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading a guest's ssh host keys from its root, and the guest agent's
 * file replies. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/host.h"
#include "tests/unit/unit.h"

#define ED "AAAAC3NzaC1lZDI1NTE5AAAAIHkPc0XnhTNAd2rtbA1f3kFP4K/zB+1eQ3+HYRn9nQv1"
#define EC                                                                                         \
	"AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBDtLn2Wq9c5Cw1x2lX3X0l3j3c8sZgQ7vV1m" \
	"vFqSg3p5b0gR4nQjvF0eZ4a3Kqz3l1m7o2pQ5yY8fT3c1xk2rXk="

static int root_fd(const char *dir)
{
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

static void test_from_root(void **state)
{
	const char *root = *state;
	char *ssh = unit_path(root, "etc"), *keys = unit_path(root, "etc/ssh");
	struct lc_hostkey k[8];
	size_t n = 99;

	assert_int_equal(mkdir(ssh, 0755), 0);
	assert_int_equal(mkdir(keys, 0755), 0);
	int fd = root_fd(root);
	/* no keys yet (sshd has not made them): none, not an error */
	assert_int_equal(host_hostkeys_from_root(fd, k, 8, &n), 0);
	assert_int_equal(n, 0);

	unit_writef(keys, "ssh_host_ed25519_key.pub", "ssh-ed25519 %s root@guest\n", ED);
	unit_writef(keys, "ssh_host_ecdsa_key.pub", "ecdsa-sha2-nistp256 %s root@guest\n", EC);
	/* the private half is never read, a broken .pub is left out */
	unit_writef(keys, "ssh_host_ed25519_key", "-----BEGIN OPENSSH PRIVATE KEY-----\n");
	unit_writef(keys, "ssh_host_rsa_key.pub", "not a key\n");
	assert_int_equal(host_hostkeys_from_root(fd, k, 8, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(k[0].type, "ssh-ed25519");
	assert_string_equal(k[0].key, ED);
	assert_string_equal(k[1].type, "ecdsa-sha2-nistp256");

	/* a symlink the guest made to a host path stays inside its root:
	 * /etc/ssh/ssh_host_rsa_key.pub -> /host-key.pub means ROOT/host-key.pub */
	char *rsa = unit_path(keys, "ssh_host_rsa_key.pub");
	assert_int_equal(unlink(rsa), 0);
	char outside[4096];
	snprintf(outside, sizeof(outside), "%s.outside.pub", root);
	FILE *f = fopen(outside, "w");
	assert_non_null(f);
	fprintf(f, "ssh-ed25519 %s host@outside\n", ED);
	fclose(f);
	assert_int_equal(symlink(outside, rsa), 0);
	assert_int_equal(host_hostkeys_from_root(fd, k, 8, &n), 0);
	assert_int_equal(n, 2); /* the host's file was not read */
	unlink(outside);

	/* a FIFO in its place does not hang the worker */
	assert_int_equal(unlink(rsa), 0);
	assert_int_equal(mkfifo(rsa, 0644), 0);
	assert_int_equal(host_hostkeys_from_root(fd, k, 8, &n), 0);
	assert_int_equal(n, 2);
	/* at most max */
	assert_int_equal(host_hostkeys_from_root(fd, k, 1, &n), 0);
	assert_int_equal(n, 1);
	close(fd);
	free(rsa);
	free(ssh);
	free(keys);
}

static void test_agent_replies(void **state)
{
	(void)state;
	int64_t h = 0;
	char buf[256];
	assert_int_equal(host_agent_return_int("{\"return\": 1000}", &h), 0);
	assert_int_equal(h, 1000);
	assert_int_equal(host_agent_return_int("{\"error\": {\"class\": \"GenericError\"}}", &h),
			 -EBADMSG);
	const char *read = "{\"return\": {\"count\": 5, \"buf-b64\": \"aGVsbG8=\", \"eof\": true}}";
	assert_int_equal(host_agent_return_string(read, "buf-b64", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "aGVsbG8=");
	assert_int_equal(host_agent_return_string(read, "nope", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(host_agent_return_string(read, "buf-b64", buf, 4), -ENOBUFS);
}

static void test_base64(void **state)
{
	(void)state;
	uint8_t out[64];
	assert_int_equal(host_base64_decode("aGVsbG8=", out, sizeof(out)), 5);
	assert_memory_equal(out, "hello", 5);
	assert_int_equal(host_base64_decode("", out, sizeof(out)), 0);
	assert_int_equal(host_base64_decode("c3NoLWVkMjU1MTkg", out, sizeof(out)), 12);
	assert_memory_equal(out, "ssh-ed25519 ", 12);
	assert_int_equal(host_base64_decode("a*b=", out, sizeof(out)), -EINVAL);
	assert_int_equal(host_base64_decode("aGVsbG8=", out, 3), -ENOBUFS);
}

static void test_boot_answers(void **state)
{
	(void)state;
	char w[128];
	assert_int_equal(host_boot_answer(0, "running\n", w, sizeof(w)), 0);
	assert_string_equal(w, "systemd says running");
	assert_int_equal(host_boot_answer(1, "degraded\n", w, sizeof(w)), 0);
	assert_int_equal(host_boot_answer(1, "starting\n", w, sizeof(w)), -EAGAIN);
	assert_int_equal(host_boot_answer(1, "maintenance\n", w, sizeof(w)), -EPROTO);
	assert_int_equal(host_boot_answer(1, "", w, sizeof(w)), -EPROTO);
	assert_string_equal(w, "systemd says nothing");
	assert_int_equal(host_boot_answer(127, "", w, sizeof(w)), -EOPNOTSUPP);
	assert_non_null(strstr(w, "no systemctl"));

	assert_int_equal(host_cloud_init_answer(0, "\n....\nstatus: done\n", w, sizeof(w)), 0);
	assert_string_equal(w, "cloud-init says 'status: done' (exit 0)");
	assert_int_equal(host_cloud_init_answer(1, "status: error\n", w, sizeof(w)), -EPROTO);
	assert_int_equal(host_cloud_init_answer(0, "status: running\n", w, sizeof(w)), -EAGAIN);
	assert_int_equal(host_cloud_init_answer(127, "", w, sizeof(w)), -EOPNOTSUPP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_from_root, unit_setup_tmpdir,
					    unit_teardown_tmpdir),
	    cmocka_unit_test(test_agent_replies),
	    cmocka_unit_test(test_base64),
	    cmocka_unit_test(test_boot_answers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
