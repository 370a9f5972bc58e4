#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every C file of the core and its faces is as .clang-format says.  Fails
# with the files and the fix; skips (77) when clang-format is missing.
set -euo pipefail
src=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
cf=${CLANG_FORMAT:-clang-format}
command -v "$cf" >/dev/null 2>&1 || { echo "SKIP: $cf not found"; exit 77; }
[ -f "$src/.clang-format" ] || { echo "SKIP: no .clang-format in $src"; exit 77; }

cd "$src"
bad=()
n=0
for dir in resolver nss host hooks cli; do
	[ -d "$dir" ] || continue
	while IFS= read -r -d '' f; do
		n=$((n + 1))
		"$cf" --style=file --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
	done < <(find "$dir" -name '*.[ch]' -print0 | sort -z)
done
[ "$n" -gt 0 ] || { echo "FAIL: no C files found under $src"; exit 1; }
if [ ${#bad[@]} -gt 0 ]; then
	echo "FAIL: ${#bad[@]} of $n C files are not formatted ($("$cf" --version)):"
	printf '  %s\n' "${bad[@]}"
	echo "fix: (cd $src && $cf -i ${bad[*]})"
	exit 1
fi
echo "ok: $n C files formatted"
