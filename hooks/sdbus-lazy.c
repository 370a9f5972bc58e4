/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sd-bus calls of the hook program (host/resolved.c: a network's DNS
 * in systemd-resolved), loaded on first use (lazy.h): libsystemd pulls in
 * libgcrypt, liblz4, libzstd and libcap, which every hook event paid for.
 * Without the library a call fails with -ELIBACC, the errno for a shared
 * library that cannot be loaded.  The variadic calls go through their va_list
 * forms, as sd-bus's own do.
 */
#include <errno.h>
#include <stdarg.h>
#include <systemd/sd-bus.h>

#include "hooks/lazy.h"

LAZY_LIBRARY(sdbus_sym, "libsystemd.so.0")
#define SDBUS_FORWARD(ret, name, fail, params, args)                                               \
	LAZY_FORWARD(sdbus_sym, ret, name, fail, params, args)

SDBUS_FORWARD(int, sd_bus_open_system, -ELIBACC, (sd_bus * *ret), (ret))
SDBUS_FORWARD(sd_bus *, sd_bus_unref, NULL, (sd_bus * bus), (bus))
SDBUS_FORWARD(int, sd_bus_call, -ELIBACC,
	      (sd_bus * bus, sd_bus_message *m, uint64_t usec, sd_bus_error *ret_error,
	       sd_bus_message **reply),
	      (bus, m, usec, ret_error, reply))
SDBUS_FORWARD(int, sd_bus_get_property, -ELIBACC,
	      (sd_bus * bus, const char *destination, const char *path, const char *interface,
	       const char *member, sd_bus_error *ret_error, sd_bus_message **reply,
	       const char *type),
	      (bus, destination, path, interface, member, ret_error, reply, type))
SDBUS_FORWARD(int, sd_bus_message_new_method_call, -ELIBACC,
	      (sd_bus * bus, sd_bus_message **m, const char *destination, const char *path,
	       const char *interface, const char *member),
	      (bus, m, destination, path, interface, member))
SDBUS_FORWARD(sd_bus_message *, sd_bus_message_unref, NULL, (sd_bus_message * m), (m))
SDBUS_FORWARD(int, sd_bus_message_set_auto_start, -ELIBACC, (sd_bus_message * m, int b), (m, b))
SDBUS_FORWARD(int, sd_bus_message_appendv, -ELIBACC,
	      (sd_bus_message * m, const char *types, va_list ap), (m, types, ap))
SDBUS_FORWARD(int, sd_bus_message_append_array, -ELIBACC,
	      (sd_bus_message * m, char type, const void *ptr, size_t size), (m, type, ptr, size))
SDBUS_FORWARD(int, sd_bus_message_open_container, -ELIBACC,
	      (sd_bus_message * m, char type, const char *contents), (m, type, contents))
SDBUS_FORWARD(int, sd_bus_message_close_container, -ELIBACC, (sd_bus_message * m), (m))
SDBUS_FORWARD(int, sd_bus_message_enter_container, -ELIBACC,
	      (sd_bus_message * m, char type, const char *contents), (m, type, contents))
SDBUS_FORWARD(int, sd_bus_message_exit_container, -ELIBACC, (sd_bus_message * m), (m))
SDBUS_FORWARD(int, sd_bus_message_readv, -ELIBACC,
	      (sd_bus_message * m, const char *types, va_list ap), (m, types, ap))
SDBUS_FORWARD(int, sd_bus_message_read_array, -ELIBACC,
	      (sd_bus_message * m, char type, const void **ptr, size_t *size), (m, type, ptr, size))
SDBUS_FORWARD(int, sd_bus_error_has_name, 0, (const sd_bus_error *e, const char *name), (e, name))
SDBUS_FORWARD(int, sd_bus_error_set_errno, -ELIBACC, (sd_bus_error * e, int error), (e, error))

LAZY_FORWARD_VOID(sdbus_sym, sd_bus_error_free, (sd_bus_error * e), (e))

/* NAME(m, types, ...) through its va_list form VNAME. */
#define SDBUS_VA(name, vname)                                                                      \
	int name(sd_bus_message *m, const char *types, ...)                                        \
	{                                                                                          \
		va_list ap;                                                                        \
		int r;                                                                             \
		va_start(ap, types);                                                               \
		r = vname(m, types, ap);                                                           \
		va_end(ap);                                                                        \
		return r;                                                                          \
	}
SDBUS_VA(sd_bus_message_append, sd_bus_message_appendv)
SDBUS_VA(sd_bus_message_read, sd_bus_message_readv)

/* As sd-bus does it: a method call, its arguments, the call. */
int sd_bus_call_method(sd_bus *bus, const char *destination, const char *path,
		       const char *interface, const char *member, sd_bus_error *ret_error,
		       sd_bus_message **reply, const char *types, ...)
{
	sd_bus_message *m = NULL;
	va_list ap;
	int r;

	r = sd_bus_message_new_method_call(bus, &m, destination, path, interface, member);
	if (r >= 0 && types && *types) {
		va_start(ap, types);
		r = sd_bus_message_appendv(m, types, ap);
		va_end(ap);
	}
	if (r >= 0)
		r = sd_bus_call(bus, m, 0, ret_error, reply);
	else
		sd_bus_error_set_errno(ret_error, r);
	sd_bus_message_unref(m);
	return r;
}

/* sd_bus_error_has_names(): whether e is any of the NULL-ended names. */
int sd_bus_error_has_names_sentinel(const sd_bus_error *e, ...)
{
	const char *name;
	va_list ap;
	int r = 0;

	va_start(ap, e);
	while (!r && (name = va_arg(ap, const char *)))
		r = sd_bus_error_has_name(e, name);
	va_end(ap);
	return r;
}
