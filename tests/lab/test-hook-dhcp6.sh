#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The DHCPv6 Release end to end, with libvirt's own pieces but no libvirtd:
# dnsmasq runs as libvirt runs it (--leasefile-ro, --dhcp-script=libvirt's
# leaseshelper, VIR_BRIDGE_NAME), a guest namespace gets a lease with
# dhclient -6, and the leaseshelper writes it to <bridge>.status.  Then the
# built libvirt-cluster-hook runs `lxc c1 stopped end` on the captured XML:
# the entry must leave the .status (dnsmasq's "del" through the
# leaseshelper), and dnsmasq must log the DHCPRELEASE.  Everything runs in
# a private mount and network namespace: /var/lib/libvirt and /run are
# tmpfs there, the host's are never touched.
set -euo pipefail

skip() {
	echo "SKIP: $*"
	exit 77
}

here=$(cd "$(dirname "$0")" && pwd)
top_src=${abs_top_srcdir:-$(cd "$here/../.." && pwd)}
top_build=${abs_top_builddir:-$top_src/build}
hook_bin=$top_build/hooks/libvirt-cluster-hook
helper=/usr/lib/libvirt/libvirt_leaseshelper
fixture=${LC_FIXTURES:-$top_src/tests/fixtures}/libvirt-9.0/hook-stdin/lxc.c1.stopped.end.xml
mac=52:54:00:15:00:01 # c1's labnet NIC in that capture
br=lcbr6

if [ "${1:-}" != --inner ]; then
	[ "$(id -u)" = 0 ] || skip "needs root (namespaces)"
	[ -x "$hook_bin" ] || skip "$hook_bin is not built"
	[ -x "$helper" ] || skip "no $helper (libvirt-daemon)"
	[ -f "$fixture" ] || skip "no $fixture"
	for t in dnsmasq dhclient ip unshare nsenter; do
		command -v "$t" >/dev/null || skip "no $t"
	done
	[ -d /var/lib/libvirt ] || skip "no /var/lib/libvirt to mount a private tmpfs on"
	unshare --net true 2>/dev/null || skip "cannot make network namespaces"
	work=$(mktemp -d "${TMPDIR:-/tmp}/lc-dhcp6.XXXXXX")
	rc=0
	unshare --mount --net --propagation private -- "$0" --inner "$work" || rc=$?
	rm -rf "$work"
	exit "$rc"
fi

# ---- inside: private mounts and network --------------------------------------
work=$2
pids=()
cleanup() {
	local rc=$? p
	for p in "${pids[@]}"; do
		kill -9 "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	exit "$rc"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	echo "--- dnsmasq log"
	grep -v 'requested options\|sent size\|nest size' "$work/dnsmasq.log" 2>/dev/null | tail -25
	echo "--- $br.status"
	cat "/var/lib/libvirt/dnsmasq/$br.status" 2>/dev/null
	echo "--- hook log"
	cat "$work/hook.log" 2>/dev/null
	exit 1
}

# mount -n: libmount must not record these mounts in the host's /run
mount -n -t tmpfs tmpfs /run
mount -n -t tmpfs tmpfs /var/lib/libvirt
mkdir -p /var/lib/libvirt/dnsmasq "$work/run"
sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0

# the guest's network namespace, held by a sleeping process
unshare --net sleep 300 &
guest=$!
pids+=("$guest")
# (a deadline, not a count of tries: exec can be slow on a loaded machine)
end=$(($(date +%s) + 10))
until [ "$(readlink /proc/$guest/ns/net)" != "$(readlink /proc/self/ns/net)" ]; do
	[ "$(date +%s)" -lt "$end" ] || fail "the guest's network namespace did not appear in 10 s"
	sleep 0.02
done
in_guest() { nsenter --net="/proc/$guest/ns/net" "$@"; }
in_guest sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0

ip link set lo up
ip link add "$br" type bridge
ip link set "$br" up
ip addr add fd00:6::1/64 dev "$br" nodad
ip link add lcv0 type veth peer name eth0 address "$mac" netns "$guest"
ip link set lcv0 master "$br" up
in_guest ip link set lo up
in_guest ip link set eth0 up

# dnsmasq as libvirt starts it (networkBuildDnsmasqArgv): its config, then
# --leasefile-ro and the leaseshelper as --dhcp-script, VIR_BRIDGE_NAME set
cat >"$work/net.conf" <<EOF
except-interface=lo
bind-dynamic
interface=$br
dhcp-range=fd00:6::10,fd00:6::50,64
dhcp-no-override
dhcp-authoritative
port=0
user=root
log-dhcp
log-facility=$work/dnsmasq.log
EOF
VIR_BRIDGE_NAME=$br dnsmasq --keep-in-foreground --conf-file="$work/net.conf" \
	--pid-file= --leasefile-ro --dhcp-script="$helper" &
pids+=("$!")

# not through in_guest: a function in the background is a subshell, and
# its pid would not be dhclient's (nsenter without --fork execs it)
nsenter --net="/proc/$guest/ns/net" dhclient -6 -d -1 -cf /dev/null -sf /bin/true \
	-lf "$work/dhclient.leases" -pf "$work/dhclient.pid" eth0 >"$work/dhclient.log" 2>&1 &
client=$!
pids+=("$client")
status=/var/lib/libvirt/dnsmasq/$br.status
end=$(($(date +%s) + 30))
until grep -q '"ip-address": "fd00:6::' "$status" 2>/dev/null; do
	[ "$(date +%s)" -lt "$end" ] || break
	sleep 0.1
done
# the guest stops: its client dies without a Release of its own, its NIC
# leaves the bridge
{
	kill -9 "$client"
	wait "$client"
} 2>/dev/null || true
ip link del lcv0
grep -q '"ip-address": "fd00:6::' "$status" 2>/dev/null ||
	{ tail -5 "$work/dhclient.log"; fail "no DHCPv6 lease in $status"; }
addr=$(sed -n 's/.*"ip-address": "\(fd00:6::[0-9a-f:]*\)".*/\1/p' "$status")
echo "libvirt's leaseshelper wrote $br.status:"
cat "$status"
grep -q '"server-duid"' "$status" || fail "the leaseshelper wrote no server-duid"

# the hook, as libvirt runs it for the guest of the capture
out=$(LIBVIRT_CLUSTER_LEASE_DIR=/var/lib/libvirt/dnsmasq \
	LIBVIRT_CLUSTER_RUNSTATE_DIR="$work/run" LIBVIRT_CLUSTER_CONFIG=/dev/null \
	LIBVIRT_CLUSTER_HOOK_LOG_FILE="$work/hook.log" \
	"$hook_bin" --driver=lxc c1 stopped end - <"$fixture" 2>&1) || fail "hook exit $?: $out"
grep -q "1 of 1 lease released (1 by DHCPv6 Release" "$work/hook.log" ||
	fail "the hook did not release the lease"
echo "hook: $(cat "$work/hook.log")"

# dnsmasq handles it after ~0.5 s of neighbour solicitation, then the
# leaseshelper's "del" rewrites the .status
end=$(($(date +%s) + 15))
while grep -q "\"$addr\"" "$status" && [ "$(date +%s)" -lt "$end" ]; do
	sleep 0.1
done
grep -q "\"$addr\"" "$status" && fail "$addr is still in $status"
grep -q "DHCPRELEASE($br)" "$work/dnsmasq.log" || fail "dnsmasq logged no DHCPRELEASE"
echo "PASS: $addr left $br.status after the hook's DHCPv6 Release"
echo "1 passed, 0 failed"
