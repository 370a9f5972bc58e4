/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Libraries the hook program loads on first use (virt-lazy.c: libvirt;
 * ldns-lazy.c: ldns; sdbus-lazy.c: libsystemd's sd-bus).  Every hook event
 * is a new process, and libvirtd waits for the synchronous ones (prepare,
 * start, started, port-created) before a guest runs: loading a library and
 * the ones it needs is most of such an event's cost, and only the detached
 * worker, --sync and --refresh call these three.  The program is linked
 * without them (-Wl,--as-needed drops a library no symbol needs); each
 * forwarder opens its library the first time it is called.  A library that
 * cannot be loaded fails the call the way the library reports failure.
 * tests/unit/test-hook-needed.sh checks that none of them is linked; the
 * unit tests link the libraries themselves and not these files.
 */
#ifndef LC_HOOKS_LAZY_H
#define LC_HOOKS_LAZY_H

#include <dlfcn.h>
#include <stddef.h>

/* SONAME's symbol NAME; the library is opened once per process. */
#define LAZY_LIBRARY(fn, soname)                                                                   \
	static void *fn(const char *name)                                                          \
	{                                                                                          \
		static void *lib;                                                                  \
		if (!lib)                                                                          \
			lib = dlopen(soname, RTLD_NOW | RTLD_GLOBAL);                              \
		return lib ? dlsym(lib, name) : NULL;                                              \
	}

/* RET NAME(PARAMS) forwarded through SYM with ARGS; FAIL when the library
 * is not there. */
#define LAZY_FORWARD(sym, ret, name, fail, params, args)                                           \
	ret name params                                                                            \
	{                                                                                          \
		static ret(*fn) params;                                                            \
		if (!fn)                                                                           \
			*(void **)&fn = sym(#name);                                                \
		return fn ? fn args : fail;                                                        \
	}

/* The same for a function returning nothing. */
#define LAZY_FORWARD_VOID(sym, name, params, args)                                                 \
	void name params                                                                           \
	{                                                                                          \
		static void(*fn) params;                                                           \
		if (!fn)                                                                           \
			*(void **)&fn = sym(#name);                                                \
		if (fn)                                                                            \
			fn args;                                                                   \
	}

#endif
