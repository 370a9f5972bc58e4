#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# make check: build the libFuzzer targets and run each briefly (replaying the
# committed seeds first).  The long runs are `fuzz/run-fuzzers SECONDS`.
set -eu
command -v "${CLANG:-clang}" >/dev/null 2>&1 || { echo "SKIP: clang not installed (libFuzzer needs it)"; exit 77; }
: "${abs_top_srcdir:?run from make check}" "${abs_top_builddir:?run from make check}"
"$abs_top_srcdir/fuzz/build-fuzzers" "$abs_top_srcdir" "$abs_top_builddir"
FUZZ_BIN=$abs_top_builddir/fuzz/bin exec "$abs_top_srcdir/fuzz/run-fuzzers" "${FUZZ_SMOKE_SECONDS:-6}"
