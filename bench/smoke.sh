#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# make check: the benchmark's plumbing on a tiny lease dir, untimed.
# gen-leases writes N=10 guests; nssbench loads the module from the build
# tree and runs every step (cold, warm, a lease file rewritten by rename and
# in place) for a few queries, checking each answer against the manifest.
# No valgrind, no namespace, no root: the module reads the generated dir
# through LIBVIRT_CLUSTER_LEASE_DIR.
set -eu

top_srcdir=${abs_top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${abs_top_builddir:-$(pwd)}
module=${LC_NSS_DIR:-$top_builddir/nss/.libs}/libnss_libvirt_cluster.so.2
driver=$top_builddir/bench/nssbench

command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found (bench/gen-leases needs it)"; exit 77; }
[ -x "$driver" ] || { echo "FAIL: $driver not built"; exit 1; }
[ -f "$module" ] || { echo "FAIL: $module not built"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$top_srcdir/bench/gen-leases" "$tmp/leases" -n 10 -k 2 --ipv6 0.5 --seed 7 \
	--manifest "$tmp/manifest.json" >/dev/null
mkdir "$tmp/runstate"
: >"$tmp/empty.conf"

# name and expected answer of a query, from the manifest
q() {
	python3 -c 'import json, sys
m = json.load(open(sys.argv[1]))
q = m["queries"][sys.argv[2]]
print(q["name"] if sys.argv[3] == "name" else ",".join(q["ours"]) if sys.argv[3] == "expect" else m["change_file"])' \
		"$tmp/manifest.json" "$1" "$2"
}

export LIBVIRT_CLUSTER_LEASE_DIR="$tmp/leases" LIBVIRT_CLUSTER_RUNSTATE_DIR="$tmp/runstate" \
	LIBVIRT_CLUSTER_CONFIG="$tmp/empty.conf"
change=$tmp/leases/$(q miss file)
# let the generated files age past the module's racy window
sleep 0.3

run() {
	echo "# nssbench $*"
	"$driver" "$@" "$module" libvirt_cluster "$query"
}

query=$(q hit-domain name)
expect=$(q hit-domain expect)
[ -n "$expect" ] || { echo "FAIL: the manifest expects no address for $query"; exit 1; }
run -f 4 -w 3 -W 2 -c "$change" --age-ms 150 -e "$expect"
run -f 2 -a inet -w 3 -e "$expect"
run -f 2 -a inet6 -w 3 -e "$expect"

query=$(q hit-dhcp name)
run -f 4 -w 3 -e "$(q hit-dhcp expect)"

query=$(q miss name)
run -f 4 -w 3 -e ""
echo "PASS"
