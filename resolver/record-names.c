/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The names a guest record carries and is filed under: its domain name
 * (a file name too) and its Ansible group.
 */
#include <errno.h>
#include <string.h>

#include "resolver/resolver.h"

bool lc_group_valid(const char *group)
{
	size_t n = strlen(group);
	if (n == 0 || n > 63 || !(group[0] >= 'A' && group[0] <= 'Z'))
		return false;
	for (size_t i = 1; i < n; i++) {
		char c = group[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

int lc_group_suggest(const char *group, char *buf, size_t size)
{
	size_t o = 0;

	if (!group || size < 2)
		return -EINVAL;
	/* Ansible groups must start with a letter: prefix one when needed. */
	if (!((group[0] >= 'a' && group[0] <= 'z') || (group[0] >= 'A' && group[0] <= 'Z'))) {
		buf[o++] = 'G';
		if (group[0] && o + 1 < size)
			buf[o++] = '_';
	}
	for (const char *p = group; *p && o + 1 < size && o < LC_LABEL_MAX; p++) {
		char c = *p;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			c = '_';
		buf[o++] = c;
	}
	buf[o] = '\0';
	return lc_group_valid(buf) ? 0 : -EINVAL;
}

bool lc_record_name_valid(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 255 || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c == '/' || c < 0x20 || c == 0x7f || c == ' ')
			return false;
	}
	return true;
}
