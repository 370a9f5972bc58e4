#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The hook program does not load libvirt at start: every hook event would
# pay for libvirt.so and the libraries it pulls in, though only the
# detached worker and --sync call it (hooks/virt-lazy.c loads it then).
# Fails when a libvirt function the hook's code calls has no forwarder.
set -euo pipefail
hook=${abs_top_builddir:-.}/hooks/libvirt-cluster-hook
[ -x "$hook" ] || { echo "SKIP: $hook not built"; exit 77; }
command -v readelf >/dev/null || { echo "SKIP: no readelf"; exit 77; }
needed=$(readelf -d "$hook" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
echo "NEEDED: $(echo "$needed" | paste -sd' ')"
if echo "$needed" | grep -q '^libvirt'; then
	echo "FAIL: the hook links libvirt at start; functions without a forwarder in hooks/virt-lazy.c:"
	nm -u "$hook" | grep ' vir' || true
	exit 1
fi
echo "ok: libvirt is not loaded at start"
