/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* systemd-resolved over sd-bus: per-link DNS for a libvirt bridge, set by
 * the hook and read back by doctor. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <systemd/sd-bus.h>

#include "host/host.h"

#define RESOLVE_DEST "org.freedesktop.resolve1"
#define RESOLVE_PATH "/org/freedesktop/resolve1"
#define RESOLVE_IFACE "org.freedesktop.resolve1.Manager"

int host_bus_open(struct sd_bus **ret)
{
	sd_bus *bus = NULL;
	int r = sd_bus_open_system(&bus);
	if (r < 0)
		return r;
	*ret = bus;
	return 0;
}

void host_bus_close(struct sd_bus *bus)
{
	sd_bus_unref(bus);
}

/* resolved's and the bus's errors, as errno values the caller can log. */
static int map_error(const sd_bus_error *e, int r)
{
	if (sd_bus_error_has_name(e, "org.freedesktop.resolve1.NoSuchLink"))
		return -ENXIO;
	if (sd_bus_error_has_name(e, "org.freedesktop.resolve1.LinkBusy"))
		return -EBUSY;
	if (sd_bus_error_has_names(e, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER,
				   SD_BUS_ERROR_UNKNOWN_OBJECT, SD_BUS_ERROR_UNKNOWN_METHOD))
		return -EHOSTUNREACH;
	if (sd_bus_error_has_name(e, SD_BUS_ERROR_ACCESS_DENIED))
		return -EACCES;
	return r < 0 ? r : -EIO;
}

static int new_call(sd_bus *bus, const char *member, sd_bus_message **ret)
{
	sd_bus_message *m = NULL;
	int r = sd_bus_message_new_method_call(bus, &m, RESOLVE_DEST, RESOLVE_PATH, RESOLVE_IFACE,
					       member);
	if (r < 0)
		return r;
	/* Never bus-activate resolved from a hook: if it is not running, the
	 * admin chose that, and --sync registers the links once it runs. */
	r = sd_bus_message_set_auto_start(m, 0);
	if (r < 0) {
		sd_bus_message_unref(m);
		return r;
	}
	*ret = m;
	return 0;
}

/* One budget for the whole sequence: a hook must return in well under a
 * second even when resolved hangs. */
/* Send m, built with the result `built` (a negative one: m is not sent),
 * and wait for the reply until deadline.  m is unref'd either way. */
static int call(sd_bus *bus, sd_bus_message *m, int built, uint64_t deadline)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	uint64_t now = host_now_usec();
	int r;

	if (built < 0) {
		sd_bus_message_unref(m);
		return built;
	}
	if (now >= deadline) {
		sd_bus_message_unref(m);
		return -ETIMEDOUT;
	}
	r = sd_bus_call(bus, m, deadline - now, &e, &reply);
	if (r < 0)
		r = map_error(&e, r);
	else
		r = 0;
	sd_bus_error_free(&e);
	sd_bus_message_unref(reply);
	sd_bus_message_unref(m);
	return r;
}

int host_resolved_register(struct sd_bus *bus, int ifindex, const struct lc_addr *addrs,
			   size_t n_addrs, const char *domain, uint64_t timeout_usec)
{
	sd_bus_message *m = NULL;
	uint64_t deadline = host_now_usec() + timeout_usec;
	int r;

	if (!bus || ifindex <= 0 || (n_addrs && !addrs))
		return -EINVAL;

	r = new_call(bus, "SetLinkDNS", &m);
	if (r < 0)
		return r;
	r = sd_bus_message_append(m, "i", (int32_t)ifindex);
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "(iay)");
	for (size_t i = 0; r >= 0 && i < n_addrs; i++) {
		size_t len = addrs[i].family == AF_INET ? 4 : 16;
		r = sd_bus_message_open_container(m, 'r', "iay");
		if (r >= 0)
			r = sd_bus_message_append(m, "i", (int32_t)addrs[i].family);
		if (r >= 0)
			r = sd_bus_message_append_array(m, 'y', addrs[i].bytes, len);
		if (r >= 0)
			r = sd_bus_message_close_container(m);
	}
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	r = call(bus, m, r, deadline);
	if (r < 0)
		return r;

	r = new_call(bus, "SetLinkDomains", &m);
	if (r < 0)
		return r;
	/* Route-only ("~lab.test"): the domain's queries go to this link, and
	 * nothing else does. */
	if (domain && *domain)
		r = sd_bus_message_append(m, "ia(sb)", (int32_t)ifindex, 1, domain, 1);
	else
		r = sd_bus_message_append(m, "ia(sb)", (int32_t)ifindex, 0);
	r = call(bus, m, r, deadline);
	if (r < 0)
		return r;

	r = new_call(bus, "SetLinkDefaultRoute", &m);
	if (r < 0)
		return r;
	r = sd_bus_message_append(m, "ib", (int32_t)ifindex, 0);
	return call(bus, m, r, deadline);
}

int host_resolved_revert(struct sd_bus *bus, int ifindex, uint64_t timeout_usec)
{
	sd_bus_message *m = NULL;
	uint64_t deadline = host_now_usec() + timeout_usec;
	int r;

	if (!bus || ifindex <= 0)
		return -EINVAL;
	r = new_call(bus, "RevertLink", &m);
	if (r < 0)
		return r;
	r = sd_bus_message_append(m, "i", (int32_t)ifindex);
	return call(bus, m, r, deadline);
}

int host_resolved_running(struct sd_bus *bus)
{
	sd_bus_message *reply = NULL;
	int has_owner = 0;
	int r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
				   "org.freedesktop.DBus", "NameHasOwner", NULL, &reply, "s",
				   RESOLVE_DEST);
	if (r >= 0)
		r = sd_bus_message_read(reply, "b", &has_owner);
	sd_bus_message_unref(reply);
	return r < 0 ? r : has_owner != 0;
}

/* Whether one of the link's DNS servers (reply: a(iay)) is in addrs. */
static int read_link_dns(sd_bus_message *reply, const struct lc_addr *addrs, size_t n_addrs,
			 bool *ret)
{
	int r = sd_bus_message_enter_container(reply, 'a', "(iay)");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(reply, 'r', "iay")) > 0) {
		int family;
		const void *bytes;
		size_t sz;
		r = sd_bus_message_read(reply, "i", &family);
		if (r >= 0)
			r = sd_bus_message_read_array(reply, 'y', &bytes, &sz);
		if (r < 0)
			return r;
		if (n_addrs == 0)
			*ret = true;
		for (size_t i = 0; i < n_addrs; i++)
			if (addrs[i].family == family && sz == (family == AF_INET ? 4u : 16u) &&
			    memcmp(addrs[i].bytes, bytes, sz) == 0)
				*ret = true;
		r = sd_bus_message_exit_container(reply);
		if (r < 0)
			return r;
	}
	return r;
}

int host_resolved_link_state(struct sd_bus *bus, int ifindex, const struct lc_addr *addrs,
			     size_t n_addrs, const char *domain, bool *ret_dns, bool *ret_domain)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *path, *dom;
	char *opath = NULL;
	int route_only, r;

	*ret_dns = *ret_domain = false;
	r = sd_bus_call_method(bus, RESOLVE_DEST, RESOLVE_PATH, RESOLVE_IFACE, "GetLink", &error,
			       &reply, "i", ifindex);
	if (r < 0)
		goto out;
	r = sd_bus_message_read(reply, "o", &path);
	if (r >= 0 && !(opath = strdup(path)))
		r = -ENOMEM;
	sd_bus_message_unref(reply);
	reply = NULL;
	if (r < 0)
		goto out;
	r = sd_bus_get_property(bus, RESOLVE_DEST, opath, "org.freedesktop.resolve1.Link", "DNS",
				&error, &reply, "a(iay)");
	if (r >= 0)
		r = read_link_dns(reply, addrs, n_addrs, ret_dns);
	sd_bus_message_unref(reply);
	reply = NULL;
	if (r < 0)
		goto out;
	r = sd_bus_get_property(bus, RESOLVE_DEST, opath, "org.freedesktop.resolve1.Link",
				"Domains", &error, &reply, "a(sb)");
	if (r >= 0)
		r = sd_bus_message_enter_container(reply, 'a', "(sb)");
	while (r >= 0 && (r = sd_bus_message_read(reply, "(sb)", &dom, &route_only)) > 0)
		if (route_only && domain && strcasecmp(dom, domain) == 0)
			*ret_domain = true;
	if (r >= 0)
		r = 0;
out:
	if (r < 0)
		r = map_error(&error, r);
	sd_bus_message_unref(reply);
	sd_bus_error_free(&error);
	free(opath);
	return r;
}
