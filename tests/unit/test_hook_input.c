/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* stdin with a size bound and a time bound, whatever is on the other end. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "hooks/hook.h"

/* A writer child: n bytes in chunks, then close (or, with forever, keep
 * writing one byte every 100 ms and never close). */
static pid_t writer(int fd, size_t n, bool forever)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	signal(SIGPIPE, SIG_DFL);
	char chunk[4096];
	memset(chunk, 'x', sizeof(chunk));
	while (n > 0) {
		size_t k = n < sizeof(chunk) ? n : sizeof(chunk);
		ssize_t w = write(fd, chunk, k);
		if (w <= 0)
			_exit(0);
		n -= (size_t)w;
	}
	while (forever) {
		if (write(fd, "y", 1) != 1)
			_exit(0);
		usleep(100000);
	}
	_exit(0);
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void test_small(void **state)
{
	int p[2];
	char *buf = NULL;
	size_t len = 0;
	(void)state;

	assert_int_equal(pipe(p), 0);
	pid_t w = writer(p[1], 1000, false);
	close(p[1]);
	assert_int_equal(hook_read_input(p[0], HOOK_INPUT_MAX, 500, &buf, &len), 0);
	assert_int_equal(len, 1000);
	assert_int_equal(buf[999], 'x');
	assert_int_equal(buf[1000], '\0');
	free(buf);
	close(p[0]);
	reap(w);
}

static void test_empty(void **state)
{
	int p[2];
	char *buf = NULL;
	size_t len = 99;
	(void)state;

	assert_int_equal(pipe(p), 0);
	close(p[1]);
	assert_int_equal(hook_read_input(p[0], HOOK_INPUT_MAX, 500, &buf, &len), 0);
	assert_int_equal(len, 0);
	assert_non_null(buf);
	assert_int_equal(buf[0], '\0');
	free(buf);
	close(p[0]);
}

static void test_exactly_max_and_one_more(void **state)
{
	int p[2];
	char *buf = NULL;
	size_t len;
	(void)state;

	assert_int_equal(pipe(p), 0);
	pid_t w = writer(p[1], 100000, false);
	close(p[1]);
	assert_int_equal(hook_read_input(p[0], 100000, 2000, &buf, &len), 0);
	assert_int_equal(len, 100000);
	free(buf);
	close(p[0]);
	reap(w);

	buf = NULL;
	assert_int_equal(pipe(p), 0);
	w = writer(p[1], 100001, false);
	close(p[1]);
	assert_int_equal(hook_read_input(p[0], 100000, 2000, &buf, &len), -EFBIG);
	assert_null(buf);
	close(p[0]);
	reap(w);
}

static void test_huge_fast(void **state)
{
	/* /dev/zero: endless and fast; the size bound ends it. */
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	char *buf = NULL;
	size_t len;
	uint64_t t0 = host_now_usec();
	(void)state;

	assert_true(fd >= 0);
	assert_int_equal(hook_read_input(fd, HOOK_INPUT_MAX, 500, &buf, &len), -EFBIG);
	assert_null(buf);
	assert_true(host_now_usec() - t0 < 1000000);
	close(fd);
}

static void test_endless_slow(void **state)
{
	/* A writer that never closes: the time bound ends it. */
	int p[2];
	char *buf = NULL;
	size_t len;
	(void)state;

	assert_int_equal(pipe(p), 0);
	pid_t w = writer(p[1], 10, true);
	close(p[1]);
	uint64_t t0 = host_now_usec();
	assert_int_equal(hook_read_input(p[0], HOOK_INPUT_MAX, 300, &buf, &len), -ETIMEDOUT);
	uint64_t dt = host_now_usec() - t0;
	assert_true(dt >= 290000);
	assert_true(dt < 1000000); /* slack for a loaded machine */
	assert_null(buf);
	close(p[0]);
	reap(w);
}

static void test_silent_open(void **state)
{
	/* Nothing written and never closed (the write end kept open here). */
	int p[2];
	char *buf = NULL;
	size_t len;
	(void)state;

	assert_int_equal(pipe(p), 0);
	uint64_t t0 = host_now_usec();
	assert_int_equal(hook_read_input(p[0], HOOK_INPUT_MAX, 200, &buf, &len), -ETIMEDOUT);
	assert_true(host_now_usec() - t0 < 1000000);
	/* the blocking flag is restored */
	assert_false(fcntl(p[0], F_GETFL) & O_NONBLOCK);
	close(p[0]);
	close(p[1]);
}

static void test_closed_fd(void **state)
{
	char *buf = NULL;
	size_t len;
	int p[2];
	(void)state;

	assert_int_equal(pipe(p), 0);
	close(p[0]);
	close(p[1]);
	assert_int_equal(hook_read_input(p[0], HOOK_INPUT_MAX, 100, &buf, &len), -EBADF);
	assert_null(buf);
}

static void test_regular_file(void **state)
{
	char path[] = "/tmp/lc-hook-input.XXXXXX";
	int fd = mkstemp(path);
	char *buf = NULL;
	size_t len;
	(void)state;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "<domain/>", 9), 9);
	lseek(fd, 0, SEEK_SET);
	assert_int_equal(hook_read_input(fd, HOOK_INPUT_MAX, 500, &buf, &len), 0);
	assert_int_equal(len, 9);
	assert_string_equal(buf, "<domain/>");
	free(buf);
	close(fd);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_small),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_exactly_max_and_one_more),
	    cmocka_unit_test(test_huge_fast),
	    cmocka_unit_test(test_endless_slow),
	    cmocka_unit_test(test_silent_open),
	    cmocka_unit_test(test_closed_fd),
	    cmocka_unit_test(test_regular_file),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
