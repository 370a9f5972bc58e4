/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Host blocks and known_hosts lines, as ssh(1) and sshd(8) define them. */
#include "cli/ssh.h"
#include "resolver/resolver.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool ssh_name_ok(const char *name)
{
	if (!name[0] || name[0] == '-' || strlen(name) > LC_NAME_MAX)
		return false;
	for (const char *p = name; *p; p++) {
		char c = *p;
		/* ':' for IPv6 literals; never '*', '?', '!', ',', '[', space */
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_' || c == ':'))
			return false;
	}
	return true;
}

int ssh_host_arg_parse(const char *arg, char *host, size_t size, int *ret_port)
{
	const char *name = arg, *end = arg + strlen(arg);
	long port = 22;

	if (arg[0] == '[') {
		/* ssh writes "[host]:port" for a port other than 22 */
		const char *close = strstr(arg, "]:");
		char *e;
		if (!close || !close[2])
			return -EINVAL;
		port = strtol(close + 2, &e, 10);
		if (*e || port < 1 || port > 65535)
			return -EINVAL;
		name = arg + 1;
		end = close;
	}
	size_t n = (size_t)(end - name);
	if (n == 0 || n >= size)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		host[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	host[n] = '\0';
	if (!ssh_name_ok(host))
		return -EINVAL;
	*ret_port = (int)port;
	return 0;
}

int ssh_known_hosts_names(const char *const *names, size_t n, int port, char *buf, size_t size)
{
	size_t len = 0, used = 0;

	if (size == 0)
		return -ENOBUFS;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		if (!names[i] || !ssh_name_ok(names[i]))
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = names[j] && ssh_name_ok(names[j]) && !strcasecmp(names[i], names[j]);
		if (seen)
			continue;
		int k = port == 22
			    ? snprintf(buf + len, size - len, "%s%s", used ? "," : "", names[i])
			    : snprintf(buf + len, size - len, "%s[%s]:%d", used ? "," : "",
				       names[i], port);
		if (k < 0 || (size_t)k >= size - len)
			return -ENOBUFS;
		len += (size_t)k;
		used++;
	}
	return used ? 0 : -ENOENT;
}

void ssh_known_hosts_print(FILE *f, const char *names, const struct lc_hostkey *keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s %s %s\n", names, keys[i].type, keys[i].key);
}

void ssh_config_print(FILE *f, const char *name, const char *const *aliases, size_t n_aliases,
		      const char *address, const char *user)
{
	fprintf(f, "Host %s", name);
	for (size_t i = 0; i < n_aliases; i++)
		if (ssh_name_ok(aliases[i]) && strcasecmp(aliases[i], name) != 0)
			fprintf(f, " %s", aliases[i]);
	fprintf(f, "\n\tHostName %s\n\tHostKeyAlias %s\n", address, name);
	if (user && user[0])
		fprintf(f, "\tUser %s\n", user);
}

int ssh_dropin_text(const char *cli_path, char *buf, size_t size)
{
	/* %H is the name ssh looks up: the HostKeyAlias, or the host as
	 * given, as "[host]:port" for another port.  The command prints
	 * nothing for a name that is no guest, so ssh's own files decide. */
	int n = snprintf(buf, size,
			 "# Installed by libvirt-cluster enable --ssh; removed by disable --ssh.\n"
			 "# The host keys of libvirt guests, read through the hypervisor: a guest\n"
			 "# recreated with new keys is still verified, another machine on its\n"
			 "# address is refused.  See libvirt-cluster(1), known-hosts.\n"
			 "Host *\n"
			 "\tKnownHostsCommand %s %%H\n",
			 cli_path);
	return n < 0 || (size_t)n >= size ? -ENOBUFS : 0;
}
