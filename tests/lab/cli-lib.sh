# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by tests/lab/test-cli-*.sh: the lab's lib.sh plus the CLI under test.
[ -r "$(dirname "${BASH_SOURCE[0]}")/lib.sh" ] || {
	echo "SKIP: tests/lab/lib.sh (the lab tool) is not in this tree" >&2
	exit 77
}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CLI=$LAB_BUILDDIR/cli/libvirt-cluster
[ -x "$CLI" ] || skip "$CLI is not built"

# Hook records live in the lab's private /run.  A build configured with
# another runstatedir (make distcheck: $prefix/var/run) would look elsewhere,
# so labx names the directory for whatever the tests run in the lab (the lab
# tool itself clears LIBVIRT_CLUSTER_* on the way in).
labx() { "$LAB" exec env LIBVIRT_CLUSTER_RUNSTATE_DIR=/run/libvirt-cluster "$@"; }

# lc ARGS...: the CLI inside the lab (its namespaces, its libvirtd, its files).
lc() { labx "$CLI" "$@"; }

# The unique addresses of `getent ahosts NAME` through the lab's hosts line.
getent_order() { labx getent ahosts "$1" | awk '!seen[$1]++ { print $1 }' | paste -sd' '; }

# The addresses `libvirt-cluster resolve --json NAME` prints, in order.
cli_order() {
	lc resolve --json "$1" | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    print(" ".join(a["address"] for a in r.get("addresses", [])))'
}

# A guest record, as the hook writes it (resolver.h documents the format),
# in the lab's runstate dir.  Used where a test needs a cluster and group
# and the guest XML of the lab has no metadata.
write_record() { # NAME DRIVER CLUSTER GROUP NIC...   (NIC = "mac network bridge")
	local name=$1 driver=$2 cluster=$3 group=$4 nic
	shift 4
	{
		echo "libvirt-cluster record 1"
		echo "kind guest"
		echo "name $name"
		echo "driver $driver"
		[ -n "$cluster" ] && echo "cluster $cluster"
		[ -n "$group" ] && echo "group $group"
		for nic in "$@"; do echo "nic $nic"; done
	} | "$LAB" exec sh -c 'mkdir -p /run/libvirt-cluster && cat >/run/libvirt-cluster/.tmp.$$ &&
		mv /run/libvirt-cluster/.tmp.$$ /run/libvirt-cluster/guest-'"$name"'.rec'
}
