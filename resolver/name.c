/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "resolver/resolver.h"
#include "resolver/util.h"

int lc_name_normalize(const char *name, char *buf, size_t size)
{
	size_t n, label = 0;

	if (!name)
		return -EINVAL;
	n = strnlen(name, LC_NAME_MAX + 2);
	if (n > 0 && name[n - 1] == '.')
		n--; /* one trailing dot: the absolute form of the same name */
	if (n == 0 || n > LC_NAME_MAX || n >= size)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c <= 0x20 || c >= 0x7f)
			return -EINVAL;
		if (c == '.') {
			if (label == 0)
				return -EINVAL; /* empty label: "..", ".x" */
			label = 0;
		} else if (++label > LC_LABEL_MAX) {
			return -EINVAL;
		}
		buf[i] = lc_lower((char)c);
	}
	if (label == 0)
		return -EINVAL; /* "x..": one dot stripped, an empty label left */
	buf[n] = '\0';
	return 0;
}
