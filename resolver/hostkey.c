/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ssh side of a guest record: its login user and its host keys.  Both
 * end up in files that ssh trusts (an ssh config, known_hosts lines), so
 * only what cannot change their meaning gets through: no spaces, commas,
 * newlines or patterns.
 */
#include <errno.h>
#include <string.h>

#include "resolver/resolver.h"

bool lc_user_valid(const char *user)
{
	size_t n = strlen(user);

	if (n == 0 || n > LC_USER_MAX || user[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = user[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* The key types OpenSSH 9 writes to ssh_host_*_key.pub (and the FIDO ones
 * a guest could hold); anything else is no host key of ours. */
static bool type_known(const char *t, size_t n)
{
	static const char *const types[] = {
	    "ssh-ed25519",
	    "ssh-rsa",
	    "ecdsa-sha2-nistp256",
	    "ecdsa-sha2-nistp384",
	    "ecdsa-sha2-nistp521",
	    "sk-ssh-ed25519@openssh.com",
	    "sk-ecdsa-sha2-nistp256@openssh.com",
	    "ssh-dss",
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strlen(types[i]) == n && !memcmp(types[i], t, n))
			return true;
	return false;
}

static bool base64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/' || c == '=';
}

int lc_hostkey_parse(const char *s, size_t len, struct lc_hostkey *ret)
{
	const char *end = s + len, *p = s;
	struct lc_hostkey k;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	const char *t = p;
	while (p < end && *p != ' ' && *p != '\t' && *p != '\n')
		p++;
	size_t tl = (size_t)(p - t);
	if (!type_known(t, tl) || tl >= sizeof(k.type) || p == end || *p == '\n')
		return -EINVAL;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	const char *b = p;
	while (p < end && base64_char(*p))
		p++;
	size_t bl = (size_t)(p - b);
	/* the blob ends the line or is followed by a comment */
	if (bl < 16 || bl >= sizeof(k.key) || bl % 4 != 0 ||
	    (p < end && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r'))
		return -EINVAL;
	memcpy(k.type, t, tl);
	k.type[tl] = '\0';
	memcpy(k.key, b, bl);
	k.key[bl] = '\0';
	*ret = k;
	return 0;
}
