# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the shell tests: `check DESCRIPTION EXPECTED ACTUAL` prints ok
# or FAIL with both values, and counts them in $pass and $fail.
fail=0 pass=0
check() {
	if [ "$2" = "$3" ]; then
		pass=$((pass + 1)); echo "ok   $1"
	else
		fail=$((fail + 1)); echo "FAIL $1"; echo "     want: $2"; echo "     got:  $3"
	fi
}
