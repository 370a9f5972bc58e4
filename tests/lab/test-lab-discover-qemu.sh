#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A qemu guest on a LAN that libvirt does not manage, by name through its
# guest agent: the lab's TCG guest (Debian's kernel, the lab's busybox
# initramfs, Debian's own qemu-ga) with its NIC on br-lan, whose plain
# dnsmasq leases it an address from a lease file outside libvirt's
# directory.  The hook's worker asks the agent (guest-network-get-interfaces)
# until it answers, keeps the address of the interface with the NIC's MAC,
# and the name resolves through glibc (getent hosts/ahosts, reverse, python);
# after `virsh destroy` it is gone at once.  The agent's real reply is kept
# in the test's log.  Then the figures: `virsh start` to resolvable over
# QEMU_DISCOVER_STARTS starts (default 3; tests/lab/README.md has 10).
# Skips (77) when the guest cannot have the agent.
# The chk_* functions run through assert (lib.sh): shellcheck cannot see it.
# shellcheck disable=SC2317
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"

GUEST=qlan1 MAC=52:54:00:1c:07:52
BOOT_SECS=120
STARTS=${QEMU_DISCOVER_STARTS:-3}
AGENT_CHANNEL="<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>"
qemu_test_setup "renew_after = 2\nrenew_tries = 0\ndiscover_timeout = $BOOT_SECS\n"
[ -z "$QEMU_AGENT_WHY" ] || skip "no qemu guest agent for the guest: $QEMU_AGENT_WHY"
qemu_lab_up "$GUEST"
discover_qemu_at_exit() {
	qemu_lab_at_exit "$1"
	lab_lan_down "$work"
}
hook_lab_at_exit=discover_qemu_at_exit

assert "br-lan with a plain dnsmasq of its own" lab_lan_up "$work"
export QEMU_NIC_TYPE=bridge QEMU_NIC_SOURCE="bridge='$LAN_BR'"
if ! qemu_guest_start "$GUEST" "$MAC" "lab_hostname=$GUEST" "$AGENT_CHANNEL"; then
	not_ok "virsh -c qemu:///system define and start $GUEST on $LAN_BR"
	finish
fi
t0=$(date +%s%3N)
ok "virsh -c qemu:///system start $GUEST (TCG, NIC on $LAN_BR, a guest agent channel)"

rec() { "$LAB" exec cat "$RUN/guest-$GUEST.rec" 2>/dev/null; }
chk_found() {
	local ip end
	end=$(($(date +%s) + BOOT_SECS))
	until ip=$(lab_lan_lease "$work" "$MAC") && [ -n "$ip" ] &&
		hosts_addrs "$L" "$GUEST" | grep -qx "$ip"; do
		[ "$(date +%s)" -lt "$end" ] || {
			echo "lease ${ip:-none}; getent: $(hosts_addrs "$L" "$GUEST" | oneline); console: $(qemu_console_tail "$GUEST")"
			return 1
		}
		sleep 0.2
	done
	QIP=$ip
	echo "$ip from the LAN dnsmasq, resolvable $(($(date +%s%3N) - t0)) ms after virsh start; record: $(rec | grep '^addr ' | paste -sd'|')"
	rec | grep -q "^addr $MAC $ip agent " || rec | grep -q "^addr $MAC $ip neigh "
}
assert "$GUEST resolves to its LAN lease, found through its guest agent (or the neighbour table)" chk_found
QIP=$(lab_lan_lease "$work" "$MAC")
chk_agent_source() {
	echo "$(rec | grep '^addr ' | awk '{ print $3 "/" $4 }' | paste -sd' ')"
	rec | grep -q "^addr $MAC $QIP agent "
}
assert "the record's address came from the agent" chk_agent_source
echo "--- the agent's guest-network-get-interfaces reply, as libvirt passed it"
qv qemu-agent-command "$GUEST" '{"execute":"guest-network-get-interfaces"}' 2>&1
chk_glibc() {
	local a p r
	a=$(ahosts_addrs "$L" "$GUEST" | oneline)
	p=$(py_addrs "$L" "$GUEST" | oneline)
	r=$(q "$L" getent hosts "$QIP" | awk '{ print $2 }')
	echo "ahosts: $a; getaddrinfo: $p; reverse $QIP: $r"
	[ "$a" = "$QIP" ] && [ "$p" = "$QIP" ] && [ "$r" = "$GUEST" ]
}
assert "getent ahosts, python getaddrinfo and the reverse lookup agree" chk_glibc
chk_gone() {
	qv destroy "$GUEST" >/dev/null || return 1
	local out
	out=$(hosts_addrs "$L" "$GUEST" | oneline)
	echo "right after virsh destroy: $out"
	[ "$out" = "(none)" ]
}
assert "after virsh destroy the name is gone at once" chk_gone

chk_figures() {
	local i t ms=() end
	for i in $(seq "$STARTS"); do
		t0=$(date +%s%3N)
		qv start "$GUEST" >/dev/null || return 1
		end=$(($(date +%s) + BOOT_SECS))
		until hosts_addrs "$L" "$GUEST" | grep -q .; do
			[ "$(date +%s)" -lt "$end" ] || { echo "start $i: not resolvable in $BOOT_SECS s"; return 1; }
			sleep 0.1
		done
		t=$(($(date +%s%3N) - t0))
		ms+=("$t")
		qv destroy "$GUEST" >/dev/null || return 1
	done
	echo "$GUEST (agent), $STARTS starts, virsh start to getent: $(lab_median_max "${ms[@]}") (all: ${ms[*]})"
}
assert "figures" chk_figures
finish
