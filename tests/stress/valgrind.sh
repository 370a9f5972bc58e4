#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# valgrind memcheck over the programs that call the module's entry points:
# no error, nothing definitely lost.  Runs tests/stress/test_nss_calls,
# tests/nss/test_entry_points (when cmocka built it) and the programs named
# in LC_VALGRIND_PROGRAMS (paths under the build dir).
set -eu
skip() { echo "SKIP: $*"; exit 77; }
command -v valgrind >/dev/null 2>&1 || skip "valgrind is not installed"
: "${abs_top_builddir:?run from make check}"
progs="tests/stress/test_nss_calls ${LC_VALGRIND_PROGRAMS:-}"
[ -x "$abs_top_builddir/tests/nss/test_entry_points" ] && progs="$progs tests/nss/test_entry_points"
fail=0
for p in $progs; do
	bin=$abs_top_builddir/$p
	[ -x "$bin" ] || { echo "FAIL: no $bin"; fail=1; continue; }
	# a sanitizer build cannot run under valgrind
	if grep -q __asan_init "$bin" || grep -q __asan_init "$LC_NSS_DIR/libnss_libvirt_cluster.so.2"; then
		skip "this build uses -fsanitize=address; valgrind runs in the plain build"
	fi
	mkdir -p "$abs_top_builddir/tests/stress/valgrind-logs"
	log=$abs_top_builddir/tests/stress/valgrind-logs/$(basename "$p").log
	echo "valgrind $p"
	if ! valgrind --error-exitcode=97 --leak-check=full --show-leak-kinds=definite \
		--errors-for-leak-kinds=definite --track-fds=no --log-file="$log" "$bin" >/dev/null; then
		echo "FAIL: $p under valgrind (see $log):"
		grep -E 'ERROR SUMMARY|definitely lost|Invalid|uninitialised' "$log" | head -n 20
		fail=1
		continue
	fi
	grep -E 'ERROR SUMMARY|definitely lost|All heap blocks' "$log" | sed 's/^==[0-9]*== */  /'
done
exit $fail
