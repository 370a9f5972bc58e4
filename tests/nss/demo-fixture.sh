#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The fixture cluster, resolved through glibc's real path in a private mount
# namespace.  Used by `./run.sh demo` when the lab is not available.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$top/build}
if [ "${1:-}" != --inside ]; then
	tmp=$(mktemp -d /tmp/lc-demo.XXXXXX)
	trap 'rm -rf "$tmp"' EXIT
	python3 "$top/tests/nss/mkfixture" "$tmp/leases" "$tmp/run" "$tmp/conf"
	printf 'hosts: files libvirt_cluster\n' >"$tmp/nsswitch.conf"
	TMPD=$tmp BUILD=$build unshare -m --propagation private "$0" --inside
	exit
fi
mount --bind "$TMPD/nsswitch.conf" /etc/nsswitch.conf
export LD_LIBRARY_PATH=$BUILD/nss/.libs LIBVIRT_CLUSTER_LEASE_DIR=$TMPD/leases \
	LIBVIRT_CLUSTER_RUNSTATE_DIR=$TMPD/run LIBVIRT_CLUSTER_CONFIG=$TMPD/conf
for n in node1 node1.lab.test node2 node2-dhcp node5 c9; do
	printf '%-16s ' "$n"
	getent ahostsv4 "$n" | awk '$2=="STREAM"{printf "%s ", $1} END{if (!NR) printf "(not found)"; print ""}'
done
