/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A running guest's ssh host keys, read through the hypervisor rather than
 * over the network: for lxc from the guest's own root (/proc/PID/root of
 * its init), for qemu with the guest agent's guest-file-open/read.  Only
 * the public halves (ssh_host_*_key.pub) are read, and only what
 * lc_hostkey_parse accepts is kept.  The guest controls its files: its
 * root is entered with RESOLVE_IN_ROOT, so a symlink there cannot point
 * the host at a file of its own.
 */
#include "host/host.h"
#include "resolver/json.h"

#include <libvirt/libvirt-qemu.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEY_FILE_MAX 16384 /* an RSA 16384-bit .pub is under 3 KB */

const char *const host_hostkey_files[] = {
    "/etc/ssh/ssh_host_ed25519_key.pub",
    "/etc/ssh/ssh_host_ecdsa_key.pub",
    "/etc/ssh/ssh_host_rsa_key.pub",
    NULL,
};

/* path (absolute in the guest) below rootfd, never leaving it. */
static int open_in_root(int rootfd, const char *path)
{
	struct open_how how = {
	    .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

static void add_key(const char *text, size_t len, struct lc_hostkey *keys, size_t max, size_t *n)
{
	if (*n < max && lc_hostkey_parse(text, len, &keys[*n]) == 0)
		(*n)++;
}

int host_hostkeys_from_root(int rootfd, struct lc_hostkey *ret, size_t max, size_t *ret_n)
{
	char *buf = malloc(KEY_FILE_MAX);
	size_t n = 0;
	int last = -ENOENT;

	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; host_hostkey_files[i]; i++) {
		struct stat st;
		int fd = open_in_root(rootfd, host_hostkey_files[i]);
		if (fd < 0) {
			if (fd != -ENOENT)
				last = fd;
			continue;
		}
		/* a FIFO or a device would block or never end */
		ssize_t k = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < KEY_FILE_MAX
				? read(fd, buf, KEY_FILE_MAX - 1)
				: -1;
		close(fd);
		if (k > 0)
			add_key(buf, (size_t)k, ret, max, &n);
	}
	free(buf);
	if (n == 0 && last != -ENOENT)
		return last;
	*ret_n = n;
	return 0;
}

int host_hostkeys_lxc(const char *name, struct lc_hostkey *ret, size_t max, size_t *ret_n)
{
	char path[64];
	pid_t pid;
	int r = host_lxc_init_pid(name, &pid);

	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	int rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -errno;
	r = host_hostkeys_from_root(rootfd, ret, max, ret_n);
	close(rootfd);
	return r;
}

/* ---- qemu: the guest agent's file commands ------------------------------------------- */

/* The value of "return" in an agent reply: c is left at it. */
static bool at_return(struct json_cursor *c, const char *reply)
{
	char key[32];
	bool first = true;

	json_init(c, reply, strlen(reply));
	while (json_object_next(c, &first, key, sizeof(key)) == 1) {
		if (!strcmp(key, "return"))
			return true;
		if (!json_skip_value(c, 1))
			return false;
	}
	return false;
}

int host_agent_return_int(const char *reply, int64_t *ret)
{
	struct json_cursor c;
	return at_return(&c, reply) && json_int(&c, ret) ? 0 : -EBADMSG;
}

int host_agent_return_string(const char *reply, const char *member, char *buf, size_t size)
{
	struct json_cursor c;
	char key[32];
	bool first = true, truncated = false;

	if (!at_return(&c, reply) || !json_peek(&c, '{'))
		return -EBADMSG;
	while (json_object_next(&c, &first, key, sizeof(key)) == 1) {
		if (strcmp(key, member) != 0) {
			if (!json_skip_value(&c, 2))
				return -EBADMSG;
			continue;
		}
		if (!json_string(&c, buf, size, NULL, &truncated))
			return -EBADMSG;
		return truncated ? -ENOBUFS : 0;
	}
	return -ENOENT;
}

static int b64_value(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	return ch == '+' ? 62 : ch == '/' ? 63 : -1;
}

ssize_t host_base64_decode(const char *in, uint8_t *out, size_t size)
{
	size_t n = 0, len = strlen(in);
	uint32_t acc = 0;
	int bits = 0;

	for (size_t i = 0; i < len; i++) {
		if (in[i] == '=')
			break;
		int v = b64_value(in[i]);
		if (v < 0)
			return -EINVAL;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n >= size)
				return -ENOBUFS;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	return (ssize_t)n;
}

/* One file through guest-file-open/read/close: its bytes into buf. */
static ssize_t agent_read_file(virDomainPtr dom, const char *path, char *buf, size_t size)
{
	char cmd[512], *b64 = malloc(KEY_FILE_MAX * 2);
	int64_t handle;
	ssize_t n = -EIO;

	if (!b64)
		return -ENOMEM;
	snprintf(cmd, sizeof(cmd),
		 "{\"execute\":\"guest-file-open\",\"arguments\":{\"path\":\"%s\",\"mode\":\"r\"}}",
		 path);
	char *reply = virDomainQemuAgentCommand(dom, cmd, 5, 0);
	if (!reply || host_agent_return_int(reply, &handle) < 0) {
		free(reply);
		free(b64);
		return -ENOENT;
	}
	free(reply);
	snprintf(cmd, sizeof(cmd),
		 "{\"execute\":\"guest-file-read\",\"arguments\":{\"handle\":%lld,\"count\":%d}}",
		 (long long)handle, KEY_FILE_MAX - 1);
	reply = virDomainQemuAgentCommand(dom, cmd, 5, 0);
	if (reply && host_agent_return_string(reply, "buf-b64", b64, KEY_FILE_MAX * 2) == 0)
		n = host_base64_decode(b64, (uint8_t *)buf, size);
	free(reply);
	snprintf(cmd, sizeof(cmd),
		 "{\"execute\":\"guest-file-close\",\"arguments\":{\"handle\":%lld}}",
		 (long long)handle);
	free(virDomainQemuAgentCommand(dom, cmd, 5, 0));
	free(b64);
	return n;
}

int host_agent_ping(virDomainPtr dom, char *what, size_t size)
{
	char *reply = virDomainQemuAgentCommand(dom, "{\"execute\":\"guest-ping\"}", 5, 0);

	if (reply) {
		free(reply);
		return 0;
	}
	virErrorPtr e = virGetLastError();
	bool later = e && e->code == VIR_ERR_AGENT_UNRESPONSIVE;
	snprintf(what, size, "%s: %s",
		 later ? "the guest agent does not answer yet" : "no guest agent",
		 host_virt_error());
	return later ? -EAGAIN : -EOPNOTSUPP;
}

int host_hostkeys_qemu(virDomainPtr dom, struct lc_hostkey *ret, size_t max, size_t *ret_n)
{
	char *buf = malloc(KEY_FILE_MAX), what[256];
	size_t n = 0;
	int r = host_agent_ping(dom, what, sizeof(what));

	if (!buf)
		return -ENOMEM;
	if (r < 0) {
		free(buf);
		return r;
	}
	for (size_t i = 0; host_hostkey_files[i]; i++) {
		ssize_t k = agent_read_file(dom, host_hostkey_files[i], buf, KEY_FILE_MAX - 1);
		if (k > 0)
			add_key(buf, (size_t)k, ret, max, &n);
	}
	free(buf);
	*ret_n = n;
	return 0;
}
