#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Two hypervisor hosts: two labs (each its own libvirtd, the hook installed,
# the same guest names), joined by veth pairs to a "site" network namespace
# that runs BIND 9 (named -g, private config).  Host A publishes first; host
# B's guests of the same names are conflicts that change nothing; from B,
# A's guest resolves through glibc (hosts: files libvirt_cluster dns, B's
# resolver pointed at the site's server).  Then A crashes (its namespaces
# killed, no hook runs): its records stay; A comes back with new guests
# (new UUIDs) and --sync replaces its stale names, while B's stay conflicts.
# The two labs' guest subnets are the same (the lab's fixed networks), so
# guests are not routed between the hosts here: names only.
# The chk_* functions run through assert (lib.sh): shellcheck cannot see it.
# shellcheck disable=SC2317
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lab/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/lab/ddns-named.sh
. "$here/ddns-named.sh"
[ "$(id -u)" = 0 ] || skip "needs root"
for t in named tsig-keygen dig; do
	command -v $t >/dev/null 2>&1 || skip "$t is not installed (run.sh installs it)"
done
[ -x "$LAB_BUILDDIR/tests/lab/ddns-drive" ] || skip "the host layer's cluster DNS is not built"
lab_pick_nss
hook_bin=$LAB_BUILDDIR/hooks/libvirt-cluster-hook
[ -x "$hook_bin" ] || skip "$hook_bin is not built"
ZONE=cluster.test
REV=1.250.10.in-addr.arpa
T=$LAB_BUILDDIR/tests/lab/$test_name.d
rm -rf "$T"
mkdir -p "$T/a" "$T/b" "$T/bind"
RUN=/run/libvirt-cluster

tsig-keygen -a hmac-sha256 lc-key >"$T/dns.key"
chmod 600 "$T/dns.key"
for h in a b; do
	n=$([ $h = a ] && echo 1 || echo 2)
	hook_wrapper "$T/$h" "$hook_bin" "renew_after = 60\ndns_server = 10.99.$n.1\ndns_zone = $ZONE\ndns_reverse_zones = $REV\ndns_key_file = $T/dns.key\ndns_host_id = hv-$h\n"
	mkdir -p "$T/$h/spool"
	sed -i "2i export LIBVIRT_CLUSTER_SPOOL_DIR='$T/$h/spool'" "$T/$h/hook"
done

# ---- the site: a namespace with the server -----------------------------------------
unshare --net -- sh -c 'ip link set lo up && exec sleep 3600' </dev/null &
SITE=$!
SERVER=
at_exit() {
	local rc=$?
	[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null
	kill "$SITE" 2>/dev/null
	for h in a b; do LAB_DIR=$T/$h.lab LAB_GRACEFUL=0 "$LAB" down >/dev/null 2>&1; done
	wait 2>/dev/null
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] || [ "$failures" -ne 0 ]; then
		echo "--- hook logs"
		tail -n 15 "$T/a/log" "$T/b/log"
		echo "--- named"
		grep -v "^[0-9-]* [0-9:.]* \(built\|compiled\|linked\)" "$T/named.log" | tail -n 15
	else
		rm -rf "$T" # kept after a failure, to look at
	fi
	exit "$rc"
}
trap at_exit EXIT
ddns_zone_files "$T/bind" 10.99.1.1 $ZONE $REV
ddns_named_conf "$T/bind" "10.99.1.1; 10.99.2.1;" 53 "$T/dns.key" lc-key $ZONE $REV
site() { nsenter -t "$SITE" -n -- "$@"; }

# join lab H (a or b) to the site: 10.99.N.1 in the site, 10.99.N.2 in the lab
join() {
	local h=$1 n pid
	n=$([ "$h" = a ] && echo 1 || echo 2)
	pid=$(cat "$T/$h.lab/init.pid")
	site ip link del "site-$h" 2>/dev/null
	site ip link add "site-$h" type veth peer name site0 netns "$pid"
	site ip addr add "10.99.$n.1/30" dev "site-$h"
	site ip link set "site-$h" up
	nsenter -t "$pid" -n ip addr add "10.99.$n.2/30" dev site0
	nsenter -t "$pid" -n ip link set site0 up
}
lab_host_up() { # H
	LAB_DIR=$T/$1.lab LAB_HOOK=$T/$1/hook LAB_GRACEFUL=0 "$LAB" up >/dev/null || {
		echo "FAIL: lab $1 up"
		exit 1
	}
	join "$1"
}
lab_host_up a
lab_host_up b
# nsenter itself, not the function (a subshell): $! must be named
nsenter -t "$SITE" -n -- named -g -c "$T/bind/named.conf" >"$T/named.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do
	grep -q ' running$' "$T/named.log" && break
	sleep 0.1
done

# in lab H: the hook's --sync, dig at its server, glibc with its resolver
hsync() {
	LAB_DIR=$T/$1.lab "$LAB" exec env LIBVIRT_CLUSTER_CONFIG="$T/$1/conf" \
		LIBVIRT_CLUSTER_SPOOL_DIR="$T/$1/spool" LIBVIRT_CLUSTER_RUNSTATE_DIR=$RUN \
		LIBVIRT_CLUSTER_HOOK_LOG_FILE="$T/$1/log" "$hook_bin" --sync 2>&1 | grep 'cluster DNS'
}
hdig() { # H TYPE NAME
	local n
	n=$([ "$1" = a ] && echo 1 || echo 2)
	LAB_DIR=$T/$1.lab "$LAB" exec dig +short +time=1 +tries=1 @10.99.$n.1 "$3" "$2" 2>/dev/null
}
chk_sync() { # H PATTERN
	local out
	out=$(hsync "$1")
	echo "$out"
	echo "$out" | grep -q -- "$2"
}
chk_txt_host() { # H NAME HOST
	local got
	got=$(hdig "$1" TXT "$2.$ZONE")
	echo "from $1: $2.$ZONE TXT $got"
	echo "$got" | grep -q "host=$3"
}

a1=$(LAB_DIR=$T/a.lab "$LAB" addr node1 ext)
assert "host A syncs first: its guests are published" chk_sync a "cluster DNS: [1-9][0-9]* published"
assert "host B: the same names are other guests' (conflicts), nothing published" \
	chk_sync b "0 published, 0 stale names removed, [1-9][0-9]* conflicts"
assert "B's conflict names A as the owner (hook log)" sh -c "grep -m1 'belongs to another guest (host=hv-a)' '$T/b/log'"
assert "node1.$ZONE is A's, seen from B's side of the site" chk_txt_host b node1 hv-a
chk_getent_b() {
	local got
	LAB_DIR=$T/b.lab "$LAB" exec sh -c 'echo "nameserver 10.99.2.1" >/etc/resolv.conf'
	got=$(LAB_DIR=$T/b.lab "$LAB" nss "$LAB_NSS" getent hosts node1.$ZONE | awk '{ print $1 }' | paste -sd' ')
	echo "on B, getent hosts node1.$ZONE: ${got:-(nothing)}; A's node1 is $a1"
	[ "$got" = "$a1" ]
}
assert "on B, glibc resolves A's node1.$ZONE (hosts: $LAB_NSS)" chk_getent_b

# ---- the inventory on B: B's guests and A's, from the zone ---------------------------
CLI=$LAB_BUILDDIR/cli/libvirt-cluster
printf '%s\n' '#!/bin/sh' "exec env LIBVIRT_CLUSTER_CONFIG='$T/b/conf' LIBVIRT_CLUSTER_RUNSTATE_DIR=$RUN \
	LIBVIRT_CLUSTER_SPOOL_DIR='$T/b/spool' '$CLI' inventory \"\$@\"" >"$T/inventory"
chmod 755 "$T/inventory"
chk_inventory() {
	local out
	out=$(LAB_DIR=$T/b.lab "$LAB" exec "$T/inventory" --list)
	echo "$out" | python3 -c '
import json, sys
inv = json.load(sys.stdin)
hv = inv["_meta"]["hostvars"]
a = hv.get("node1.cluster.test", {})
print("hosts:", " ".join(sorted(hv)), "| node1.cluster.test ansible_host:", a.get("ansible_host"))
sys.exit(0 if a.get("ansible_host") == sys.argv[1] and "node1" in hv else 1)' "$a1"
}
assert "inventory on B lists its own guests and A's node1.cluster.test (ansible_host its A)" chk_inventory
chk_graph() {
	local out
	out=$(LAB_DIR=$T/b.lab "$LAB" exec env HOME="$T" ANSIBLE_LOCAL_TEMP="$T/ans" \
		ANSIBLE_INVENTORY_UNPARSED_WARNING=False ansible-inventory -i "$T/inventory" --graph 2>&1)
	echo "$out" | paste -sd' '
	echo "$out" | grep -q "node1.cluster.test" && echo "$out" | grep -q -- "--node1$"
}
if command -v ansible-inventory >/dev/null 2>&1; then
	assert "ansible-inventory --graph on B shows both hosts' guests" chk_graph
fi

# ---- A crashes: its records stay; it comes back and --sync cleans up -----------------
dh_before=$(hdig b DHCID node1.$ZONE)
kill -9 "$(cat "$T/a.lab/init.pid")"
sleep 0.5
assert "A crashed: its node1 is still in the zone" chk_txt_host b node1 hv-a
LAB_DIR=$T/a.lab LAB_GRACEFUL=0 "$LAB" down >/dev/null 2>&1
lab_host_up a
assert "A back (new guests, new UUIDs): --sync removes its stale names and publishes the running ones" \
	chk_sync a "[1-9][0-9]* published, [1-9][0-9]* stale names removed"
chk_new_owner() {
	local now
	now=$(hdig b DHCID node1.$ZONE)
	echo "node1 DHCID before the crash: $dh_before; now: $now"
	[ -n "$now" ] && [ "$now" != "$dh_before" ]
}
assert "node1.$ZONE now carries the DHCID of A's new node1" chk_new_owner
assert "still A's" chk_txt_host b node1 hv-a
assert "B's guests are still conflicts, B deletes nothing" chk_sync b "0 published, 0 stale names removed"
finish
