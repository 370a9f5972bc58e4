/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "hooks/hook.h"

const char *hook_driver_name(enum hook_driver d)
{
	switch (d) {
	case HOOK_DRIVER_QEMU:
		return "qemu";
	case HOOK_DRIVER_LXC:
		return "lxc";
	case HOOK_DRIVER_NETWORK:
		return "network";
	case HOOK_DRIVER_NONE:
		break;
	}
	return "unknown";
}

enum hook_driver hook_driver_from_name(const char *s)
{
	if (!s)
		return HOOK_DRIVER_NONE;
	if (strcmp(s, "qemu") == 0)
		return HOOK_DRIVER_QEMU;
	if (strcmp(s, "lxc") == 0)
		return HOOK_DRIVER_LXC;
	if (strcmp(s, "network") == 0)
		return HOOK_DRIVER_NETWORK;
	return HOOK_DRIVER_NONE;
}

/* Compare the path component [s, s+len) with a driver name plus suffix. */
static enum hook_driver component_driver(const char *s, size_t len, const char *suffix)
{
	static const char *const names[] = {"qemu", "lxc", "network"};
	static const enum hook_driver drivers[] = {HOOK_DRIVER_QEMU, HOOK_DRIVER_LXC,
						   HOOK_DRIVER_NETWORK};
	size_t sl = strlen(suffix);

	for (size_t i = 0; i < 3; i++) {
		size_t nl = strlen(names[i]);
		if (len == nl + sl && memcmp(s, names[i], nl) == 0 &&
		    memcmp(s + nl, suffix, sl) == 0)
			return drivers[i];
	}
	return HOOK_DRIVER_NONE;
}

enum hook_driver hook_driver_from_argv0(const char *argv0)
{
	const char *base, *dir;
	size_t base_len, dir_len;

	if (!argv0 || !*argv0)
		return HOOK_DRIVER_NONE;
	/* Ignore trailing slashes: "/x/qemu.d/hook/" is not a real call, but
	 * it costs nothing to read it the same way. */
	base_len = strlen(argv0);
	while (base_len > 1 && argv0[base_len - 1] == '/')
		base_len--;
	base = argv0 + base_len;
	while (base > argv0 && base[-1] != '/')
		base--;
	base_len = (size_t)(argv0 + base_len - base);

	/* libvirt runs HOOKSDIR/qemu.d/<file>: the directory names the driver. */
	if (base > argv0) {
		const char *end = base - 1; /* the '/' before base */
		while (end > argv0 && end[-1] == '/')
			end--;
		dir = end;
		while (dir > argv0 && dir[-1] != '/')
			dir--;
		dir_len = (size_t)(end - dir);
		enum hook_driver d = component_driver(dir, dir_len, ".d");
		if (d != HOOK_DRIVER_NONE)
			return d;
	}
	/* An admin may also install us as HOOKSDIR/qemu itself. */
	return component_driver(base, base_len, "");
}

void hook_args_parse(int argc, const char *const *argv, struct hook_args *ret)
{
	struct hook_args a = {.mode = HOOK_MODE_HOOK};
	int i = 1;

	a.driver = argc > 0 ? hook_driver_from_argv0(argv[0]) : HOOK_DRIVER_NONE;

	/* When libvirt calls us through a .d directory, argv is exactly
	 * OBJECT OPERATION SUBOP EXTRA and a guest may well be named "--sync":
	 * options are read only when we were not called that way. */
	if (a.driver == HOOK_DRIVER_NONE) {
		for (; i < argc; i++) {
			const char *s = argv[i];
			if (!s || strncmp(s, "--", 2) != 0)
				break;
			if (strcmp(s, "--") == 0) {
				i++;
				break;
			}
			if (strncmp(s, "--driver=", 9) == 0)
				a.driver = hook_driver_from_name(s + 9);
			else if (strcmp(s, "--sync") == 0)
				a.mode = HOOK_MODE_SYNC;
			else if (strcmp(s, "--refresh") == 0)
				a.mode = HOOK_MODE_REFRESH;
			else if (strcmp(s, "--help") == 0)
				a.mode = HOOK_MODE_HELP;
			else if (strcmp(s, "--version") == 0)
				a.mode = HOOK_MODE_VERSION;
			else if (!a.bad_option)
				a.bad_option = s;
		}
	}

	const char **slots[] = {&a.object, &a.op, &a.subop, &a.extra};
	for (size_t k = 0; k < 4 && i < argc; k++, i++)
		*slots[k] = argv[i];

	*ret = a;
}
