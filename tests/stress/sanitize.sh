#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A second build with AddressSanitizer and UndefinedBehaviorSanitizer
# (./configure --enable-asan --enable-ubsan), running make check there for
# the compiled test programs only: the unit tests and every program that
# dlopens the module (tests/unit, tests/nss, tests/stress).  Scripts are
# left out: they run uninstrumented programs (getent, valgrind, a setuid
# helper) that cannot load an ASan-built module.
#   tests/stress/sanitize.sh [BUILDDIR]     (default: SRCDIR/build-san)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
bdir=${1:-$top/build-san}
mkdir -p "$bdir"
cd "$bdir"
[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi)
if [ ! -f Makefile ] || [ "$top/configure" -nt Makefile ]; then
	"$top/configure" -q --enable-asan --enable-ubsan
fi
grep -q -- '-fsanitize=address' Makefile || { echo "sanitize.sh: $bdir is not an ASan build" >&2; exit 1; }
make -s -j"$(nproc)"

# TESTS that are compiled programs of the unit, module and stress suites.
vars=$(make -s --no-print-directory -f Makefile -f - lc-print-tests <<'MK'
lc-print-tests:
	@echo "TESTS $(TESTS)"; echo "PROGS $(check_PROGRAMS)"
MK
)
tests=$(echo "$vars" | sed -n 's/^TESTS //p')
progs=$(echo "$vars" | sed -n 's/^PROGS //p')
list=
for t in $tests; do
	case $t in tests/unit/* | tests/nss/* | tests/stress/*) ;; *) continue ;; esac
	case " $progs " in *" $t "*) list="$list $t" ;; esac
done
[ -n "$list" ] || { echo "sanitize.sh: no test programs found" >&2; exit 1; }
echo "sanitize.sh: make check with ASan + UBSan:$list"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:${ASAN_OPTIONS:-}"
export LC_STRESS_ITERATIONS=${LC_STRESS_ITERATIONS:-2500}
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
make -s -j"$(nproc)" check TESTS="$list" || { cat test-suite.log 2>/dev/null | tail -n 100; exit 1; }
