#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The concurrency stress test again, with the module and the test built by
# clang -fsanitize=thread: any data race in the module's locking or in the
# core it calls fails the test.  (A shorter run: TSan is ~10x slower.)
#   LC_TSAN_ITERATIONS (default 600) lookups per thread, 16 threads.
set -eu
skip() { echo "SKIP: $*"; exit 77; }
cc=${CLANG:-clang}
command -v "$cc" >/dev/null 2>&1 || skip "clang is not installed (ThreadSanitizer needs it)"
: "${abs_top_srcdir:?run from make check}" "${abs_top_builddir:?run from make check}"
src=$abs_top_srcdir
out=$abs_top_builddir/tests/stress/tsan
mkdir -p "$out"

# Probe: some kernels map memory where clang 14's TSan cannot run.
printf 'int main(void){return 0;}\n' >"$out/probe.c"
"$cc" -fsanitize=thread "$out/probe.c" -o "$out/probe" 2>/dev/null || skip "$cc cannot link -fsanitize=thread"
"$out/probe" >/dev/null 2>&1 || skip "ThreadSanitizer binaries do not run here ($("$out/probe" 2>&1 | head -n 1))"

flags="-g -O1 -fsanitize=thread -include $abs_top_builddir/config.h -I$src
	-DLEASE_DIR=\"/nonexistent\" -DRUNSTATE_DIR=\"/nonexistent\" -DCONFIG_FILE=\"/nonexistent\"
	-DSYSCONF_DIR=\"/nonexistent\" -DLIBEXEC_DIR=\"/nonexistent\""
# shellcheck disable=SC2086
"$cc" $flags -shared -fPIC -Wl,--version-script="$src/nss/nss.sym" \
	"$src"/nss/nss.c "$src"/resolver/*.c -o "$out/libnss_libvirt_cluster.so.2" -lpthread
# shellcheck disable=SC2086
"$cc" $flags "$src/tests/stress/test_stress.c" "$src/tests/stress/nssload.c" \
	-o "$out/test_stress" -ldl -lpthread

TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 ${TSAN_OPTIONS:-}" \
	exec "$out/test_stress" "${LC_TSAN_ITERATIONS:-600}" 16 "$out/libnss_libvirt_cluster.so.2"
