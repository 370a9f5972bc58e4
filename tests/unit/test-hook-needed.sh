#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The hook program does not load libvirt, ldns or libsystemd at start:
# every hook event would pay for them and the libraries they pull in
# (libssl, libcrypto, libgcrypt, ...), though only the detached worker,
# --sync and --refresh call them (hooks/*-lazy.c load them then).  Fails
# when a function of theirs that the hook's code calls has no forwarder.
set -euo pipefail
hook=${abs_top_builddir:-.}/hooks/libvirt-cluster-hook
[ -x "$hook" ] || { echo "SKIP: $hook not built"; exit 77; }
command -v readelf >/dev/null || { echo "SKIP: no readelf"; exit 77; }
needed=$(readelf -d "$hook" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
echo "NEEDED: $(echo "$needed" | paste -sd' ')"
bad=0
for lib in libvirt:vir libldns:ldns_ libsystemd:sd_; do
	so=${lib%%:*} prefix=${lib#*:}
	if echo "$needed" | grep -q "^$so"; then
		echo "FAIL: the hook links $so at start; functions without a forwarder in hooks/*-lazy.c:"
		nm -u "$hook" | grep " $prefix" || true
		bad=1
	fi
done
[ "$bad" -eq 0 ] || exit 1
echo "ok: libvirt, ldns and libsystemd are not loaded at start"
