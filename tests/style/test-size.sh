#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# No C file of the core and its faces is over 700 lines, and no function
# over 100: a function body is what lies between a `{` and a `}` that
# stand alone in column 0 (the tree's Linux brace style, which
# test-clang-format.sh enforces).
set -euo pipefail
src=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
max_file=${LC_MAX_FILE_LINES:-700}
max_fn=${LC_MAX_FUNCTION_LINES:-100}
cd "$src"
fail=0
n=0
for dir in resolver nss host hooks cli; do
	[ -d "$dir" ] || continue
	while IFS= read -r -d '' f; do
		n=$((n + 1))
		lines=$(wc -l <"$f")
		if [ "$lines" -gt "$max_file" ]; then
			echo "FAIL: $f has $lines lines (at most $max_file)"
			fail=1
		fi
		awk -v f="$f" -v max="$max_fn" '
			/^[A-Za-z_].*\(/ { sig = $0; sigline = NR }
			/^\{$/ { start = NR; name = sig }
			/^\}/ && start {
				len = NR - start - 1
				if (len > max) { printf "FAIL: %s:%d: %s: %d lines (at most %d)\n", f, sigline, name, len, max; bad = 1 }
				start = 0
			}
			END { exit bad }' "$f" || fail=1
	done < <(find "$dir" -name '*.c' -print0 | sort -z)
done
[ "$n" -gt 0 ] || { echo "FAIL: no C files found under $src"; exit 1; }
[ "$fail" = 0 ] && echo "ok: $n C files, none over $max_file lines, no function over $max_fn"
exit "$fail"
