/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The JSON of the qemu guest agent: the guest-exec command the worker sends,
 * and the bits of the replies it reads, through the resolver's JSON reader.
 * No libvirt here, so the unit tests can drive it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "host/host.h"
#include "resolver/json.h"

/* Append s as a JSON string (with quotes). */
static int json_quote(char *buf, size_t size, size_t *io, const char *s)
{
	size_t o = *io;

	if (o + 1 >= size)
		return -ENOBUFS;
	buf[o++] = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char tmp[8];
		const char *rep = NULL;
		if (c == '"')
			rep = "\\\"";
		else if (c == '\\')
			rep = "\\\\";
		else if (c == '\n')
			rep = "\\n";
		else if (c == '\t')
			rep = "\\t";
		else if (c < 0x20) {
			snprintf(tmp, sizeof(tmp), "\\u%04x", c);
			rep = tmp;
		}
		size_t l = rep ? strlen(rep) : 1;
		if (o + l + 2 >= size)
			return -ENOBUFS;
		if (rep)
			memcpy(buf + o, rep, l);
		else
			buf[o] = (char)c;
		o += l;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	*io = o;
	return 0;
}

static int jappend(char *buf, size_t size, size_t *io, const char *s)
{
	size_t l = strlen(s);
	if (*io + l + 1 >= size)
		return -ENOBUFS;
	memcpy(buf + *io, s, l + 1);
	*io += l;
	return 0;
}

/* Find "return" in an agent reply and leave the cursor at its value. */
static bool reply_return(struct json_cursor *c, const char *reply)
{
	char key[32];
	bool first = true;

	/* the iterators consume the opening bracket themselves */
	json_init(c, reply, strlen(reply));
	for (;;) {
		int r = json_object_next(c, &first, key, sizeof(key));
		if (r <= 0)
			return false;
		if (!strcmp(key, "return"))
			return true;
		if (!json_skip_value(c, 0))
			return false;
	}
}

int host_agent_ifname(const char *reply, const char *mac, char *buf, size_t size)
{
	struct json_cursor c;
	bool first = true;

	if (!reply_return(&c, reply) || !json_peek(&c, '['))
		return -EBADMSG;
	for (;;) {
		int r = json_array_next(&c, &first);
		char key[64], name[64] = "", hw[32] = "";
		bool ofirst = true;
		if (r < 0)
			return -EBADMSG;
		if (r == 0)
			return -ENODEV;
		if (!json_peek(&c, '{'))
			return -EBADMSG;
		for (;;) {
			r = json_object_next(&c, &ofirst, key, sizeof(key));
			if (r < 0)
				return -EBADMSG;
			if (r == 0)
				break;
			bool trunc;
			if (!strcmp(key, "name") && json_peek(&c, '"')) {
				if (!json_string(&c, name, sizeof(name), NULL, &trunc))
					return -EBADMSG;
			} else if (!strcmp(key, "hardware-address") && json_peek(&c, '"')) {
				if (!json_string(&c, hw, sizeof(hw), NULL, &trunc))
					return -EBADMSG;
			} else if (!json_skip_value(&c, 1)) {
				return -EBADMSG;
			}
		}
		if (name[0] && !strcasecmp(hw, mac)) {
			snprintf(buf, size, "%s", name);
			return 0;
		}
	}
}

int host_agent_member(const char *reply, const char *member, int64_t *ret)
{
	struct json_cursor c;
	bool first = true;
	char key[32];

	if (!reply_return(&c, reply) || !json_peek(&c, '{'))
		return -EBADMSG;
	for (;;) {
		int r = json_object_next(&c, &first, key, sizeof(key));
		if (r <= 0)
			return r < 0 ? -EBADMSG : -ENOENT;
		if (!strcmp(key, member)) {
			json_skip_ws(&c);
			if (c.end - c.p >= 4 && !memcmp(c.p, "true", 4)) {
				*ret = 1;
				return 0;
			}
			if (c.end - c.p >= 5 && !memcmp(c.p, "false", 5)) {
				*ret = 0;
				return 0;
			}
			return json_int(&c, ret) ? 0 : -EBADMSG;
		}
		if (!json_skip_value(&c, 1))
			return -EBADMSG;
	}
}

int host_agent_exec_json(const char *command, const char *ifname, char *buf, size_t size)
{
	size_t o = 0;
	char env_if[80];
	int r;

	snprintf(env_if, sizeof(env_if), "IFACE=%s", ifname);
	r = jappend(buf, size, &o,
		    "{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"/bin/sh\",\"arg\":["
		    "\"-c\",");
	if (r == 0)
		r = json_quote(buf, size, &o, command);
	if (r == 0)
		r = jappend(buf, size, &o, ",\"sh\",");
	if (r == 0)
		r = json_quote(buf, size, &o, ifname);
	if (r == 0)
		r = jappend(buf, size, &o, "],\"env\":[");
	if (r == 0)
		r = json_quote(buf, size, &o, env_if);
	if (r == 0)
		r = jappend(buf, size, &o, "],\"capture-output\":false}}");
	return r;
}
