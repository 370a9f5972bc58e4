/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* argv: the driver from the directory libvirt called us through, the
 * event from the positional arguments, options only outside *.d/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hooks/hook.h"

static void test_driver_from_argv0(void **state)
{
	(void)state;
	assert_int_equal(hook_driver_from_argv0("/etc/libvirt/hooks/qemu.d/libvirt-cluster"),
			 HOOK_DRIVER_QEMU);
	assert_int_equal(hook_driver_from_argv0("/etc/libvirt/hooks/lxc.d/libvirt-cluster"),
			 HOOK_DRIVER_LXC);
	assert_int_equal(hook_driver_from_argv0("/etc/libvirt/hooks/network.d/50-cluster"),
			 HOOK_DRIVER_NETWORK);
	/* relative, doubled slashes */
	assert_int_equal(hook_driver_from_argv0("lxc.d/x"), HOOK_DRIVER_LXC);
	assert_int_equal(hook_driver_from_argv0("/a//network.d//x"), HOOK_DRIVER_NETWORK);
	/* installed as the single-file hook */
	assert_int_equal(hook_driver_from_argv0("/etc/libvirt/hooks/qemu"), HOOK_DRIVER_QEMU);
	assert_int_equal(hook_driver_from_argv0("network"), HOOK_DRIVER_NETWORK);
	/* not a driver */
	assert_int_equal(
	    hook_driver_from_argv0("/usr/libexec/libvirt-cluster/libvirt-cluster-hook"),
	    HOOK_DRIVER_NONE);
	assert_int_equal(hook_driver_from_argv0("/etc/libvirt/hooks/daemon.d/x"), HOOK_DRIVER_NONE);
	assert_int_equal(hook_driver_from_argv0("/etc/libvirt/hooks/qemu.dx/x"), HOOK_DRIVER_NONE);
	assert_int_equal(hook_driver_from_argv0("/etc/libvirt/hooks/xqemu.d/x"), HOOK_DRIVER_NONE);
	assert_int_equal(hook_driver_from_argv0("/qemu.d"), HOOK_DRIVER_NONE);
	assert_int_equal(hook_driver_from_argv0(""), HOOK_DRIVER_NONE);
	assert_int_equal(hook_driver_from_argv0(NULL), HOOK_DRIVER_NONE);
}

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(hook_driver_from_name("qemu"), HOOK_DRIVER_QEMU);
	assert_int_equal(hook_driver_from_name("lxc"), HOOK_DRIVER_LXC);
	assert_int_equal(hook_driver_from_name("network"), HOOK_DRIVER_NETWORK);
	assert_int_equal(hook_driver_from_name("QEMU"), HOOK_DRIVER_NONE);
	assert_int_equal(hook_driver_from_name(NULL), HOOK_DRIVER_NONE);
	assert_string_equal(hook_driver_name(HOOK_DRIVER_LXC), "lxc");
	assert_string_equal(hook_driver_name(HOOK_DRIVER_NONE), "unknown");
}

static void test_libvirt_call(void **state)
{
	const char *argv[] = {
	    "/etc/libvirt/hooks/lxc.d/libvirt-cluster", "node1", "prepare", "begin", "-", NULL};
	struct hook_args a;
	(void)state;

	hook_args_parse(5, argv, &a);
	assert_int_equal(a.mode, HOOK_MODE_HOOK);
	assert_int_equal(a.driver, HOOK_DRIVER_LXC);
	assert_string_equal(a.object, "node1");
	assert_string_equal(a.op, "prepare");
	assert_string_equal(a.subop, "begin");
	assert_string_equal(a.extra, "-");
	assert_null(a.bad_option);
}

static void test_guest_named_like_an_option(void **state)
{
	/* Through a .d dir, "--sync" is a guest name, not an option. */
	const char *argv[] = {
	    "/etc/libvirt/hooks/qemu.d/libvirt-cluster", "--sync", "started", "begin", "-", NULL};
	struct hook_args a;
	(void)state;

	hook_args_parse(5, argv, &a);
	assert_int_equal(a.mode, HOOK_MODE_HOOK);
	assert_int_equal(a.driver, HOOK_DRIVER_QEMU);
	assert_string_equal(a.object, "--sync");
	assert_string_equal(a.op, "started");
}

static void test_explicit_driver(void **state)
{
	const char *argv[] = {
	    "./libvirt-cluster-hook", "--driver=network", "ext", "started", "begin", "-", NULL};
	struct hook_args a;
	(void)state;

	hook_args_parse(6, argv, &a);
	assert_int_equal(a.driver, HOOK_DRIVER_NETWORK);
	assert_string_equal(a.object, "ext");
	assert_string_equal(a.op, "started");
	assert_string_equal(a.extra, "-");

	const char *argv2[] = {"./libvirt-cluster-hook", "--driver=xen", "g", "start", NULL};
	hook_args_parse(4, argv2, &a);
	assert_int_equal(a.driver, HOOK_DRIVER_NONE);
	assert_string_equal(a.object, "g");

	const char *argv3[] = {
	    "./libvirt-cluster-hook", "--driver=lxc", "--", "--weird", "start", NULL};
	hook_args_parse(5, argv3, &a);
	assert_int_equal(a.driver, HOOK_DRIVER_LXC);
	assert_string_equal(a.object, "--weird");
	assert_string_equal(a.op, "start");
	assert_null(a.subop);
}

static void test_modes_and_bad_options(void **state)
{
	struct hook_args a;
	(void)state;

	const char *s[] = {"libvirt-cluster-hook", "--sync", NULL};
	hook_args_parse(2, s, &a);
	assert_int_equal(a.mode, HOOK_MODE_SYNC);
	assert_null(a.object);

	const char *rf[] = {"libvirt-cluster-hook", "--refresh", NULL};
	hook_args_parse(2, rf, &a);
	assert_int_equal(a.mode, HOOK_MODE_REFRESH);
	assert_null(a.object);
	/* called by libvirt, "--refresh" is a guest's name */
	const char *lv[] = {
	    "/etc/libvirt/hooks/lxc.d/libvirt-cluster", "--refresh", "started", "begin", "-", NULL};
	hook_args_parse(5, lv, &a);
	assert_int_equal(a.mode, HOOK_MODE_HOOK);
	assert_string_equal(a.object, "--refresh");

	const char *h[] = {"libvirt-cluster-hook", "--help", NULL};
	hook_args_parse(2, h, &a);
	assert_int_equal(a.mode, HOOK_MODE_HELP);

	const char *b[] = {
	    "libvirt-cluster-hook", "--frobnicate", "--driver=lxc", "x", "start", NULL};
	hook_args_parse(5, b, &a);
	assert_string_equal(a.bad_option, "--frobnicate");
	assert_int_equal(a.driver, HOOK_DRIVER_LXC);
	assert_string_equal(a.object, "x");
}

static void test_missing(void **state)
{
	struct hook_args a;
	(void)state;

	const char *none[] = {"/etc/libvirt/hooks/lxc.d/h", NULL};
	hook_args_parse(1, none, &a);
	assert_int_equal(a.driver, HOOK_DRIVER_LXC);
	assert_null(a.object);
	assert_null(a.op);

	const char *one[] = {"/etc/libvirt/hooks/lxc.d/h", "c1", NULL};
	hook_args_parse(2, one, &a);
	assert_string_equal(a.object, "c1");
	assert_null(a.op);

	/* argc 0: execve with an empty argv */
	hook_args_parse(0, none, &a);
	assert_int_equal(a.driver, HOOK_DRIVER_NONE);
	assert_null(a.object);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_driver_from_argv0),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_libvirt_call),
	    cmocka_unit_test(test_guest_named_like_an_option),
	    cmocka_unit_test(test_explicit_driver),
	    cmocka_unit_test(test_modes_and_bad_options),
	    cmocka_unit_test(test_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
