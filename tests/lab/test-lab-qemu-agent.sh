#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The hook's DHCP renewal of a qemu guest through the real QEMU guest agent:
# the lab's libvirtd (the hook in its private hooks/qemu.d/) boots a TCG
# guest (Debian's kernel, the lab's busybox initramfs) that runs Debian's
# own qemu-ga on a virtio-serial channel and, told lab_dhcp=0, never asks
# for a lease itself.  Proves that the agent answers guest-ping through
# libvirt, that the guest has no lease before the hook's worker acts, that
# while the agent does not answer yet (the guest still boots) the worker
# tries again every renew_after seconds instead of giving up; once it
# answers, the worker finds the NIC by its MAC through
# guest-network-get-interfaces and runs its default DHCP command with
# guest-exec (busybox udhcpc and the script the hook writes into the
# guest's /run), that the lease then appears in dnsmasq's .status and the
# worker says so, that glibc's real NSS path through the module resolves
# the domain name to that lease, and that `virsh destroy` removes the
# record and the name stops resolving.
# Skips (77) when the guest cannot have the agent: no qemu-guest-agent
# package, no virtio-serial module, a library qemu-ga needs missing.
# The chk_* functions run through assert (lib.sh): shellcheck cannot see it.
# shellcheck disable=SC2317
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"

GUEST=qagent1 MAC=52:54:00:1c:00:52
# The worker waits this long for a lease before its first renewal, and as
# long again after each try the agent did not answer.  The agent answers
# about 10 s after start when idle (a TCG boot on two busy cores can take
# up to a minute), so the first tries find no agent yet: the test proves
# the worker keeps trying.
RENEW_AFTER=3 RENEW_TRIES=30
BOOT_SECS=80

qemu_test_setup "renew_after = $RENEW_AFTER\nrenew_tries = $RENEW_TRIES\n"
[ -z "$QEMU_AGENT_WHY" ] || skip "no qemu guest agent for the guest: $QEMU_AGENT_WHY"
qemu_lab_up "$GUEST"

# libvirt adds the virtio-serial controller and picks the socket's path
AGENT_CHANNEL="<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>"
if ! qemu_guest_start "$GUEST" "$MAC" "lab_dhcp=0" "$AGENT_CHANNEL"; then
	not_ok "virsh -c qemu:///system define and start $GUEST"
	finish
fi
t0=$qemu_t0
ok "virsh -c qemu:///system start $GUEST (TCG, a guest agent channel, no DHCP client of its own)"
assert "the hook wrote $GUEST's record: driver qemu, its NIC's MAC on $EXT_NET" chk_qemu_record "$GUEST" "$MAC"

since() { echo "$(($(date +%s) - t0)) s after start"; }
chk_no_lease() {
	local lease
	lease=$(qemu_lease_of "$MAC")
	echo "lease of $MAC: ${lease:-none}, worker: $(grep -c " qemu $GUEST worker: " "$work/log") lines, $(since)"
	[ -z "$lease" ] && ! grep -q " qemu $GUEST worker: " "$work/log"
}
assert "at start the guest has no lease and the worker has not finished (the guest asks for none)" chk_no_lease

chk_agent() {
	local out
	until out=$(qv qemu-agent-command "$GUEST" '{"execute":"guest-ping"}' 2>&1) && [ "$out" = '{"return":{}}' ]; do
		[ "$(date +%s)" -lt $((t0 + BOOT_SECS)) ] || {
			echo "no answer within $BOOT_SECS s: ${out:0:160}; console: $(qemu_console_tail "$GUEST")"
			return 1
		}
		sleep 1
	done
	echo "$out, $(since)"
}
assert "the guest agent answers guest-ping through libvirt (virsh qemu-agent-command)" chk_agent

# The worker's try that finds the agent runs udhcpc, which takes a few
# seconds; the worker then waits up to 10 s for the lease to show and logs
# its one line, naming that try: a later one than the first.
ip='' lease=''
chk_renewed() {
	local end=$((t0 + BOOT_SECS + 30)) line try
	until line=$(grep " qemu $GUEST worker: " "$work/log"); do
		[ "$(date +%s)" -lt "$end" ] || {
			echo "no worker line within $((BOOT_SECS + 30)) s; console: $(qemu_console_tail "$GUEST")"
			return 1
		}
		sleep 0.5
	done
	lease=$(qemu_lease_of "$MAC")
	ip=${lease%% *}
	echo "${line#*: }; lease: ${lease:-none}, $(since)"
	try=$(sed -n "s|.*1/1 NIC leased, first address $ip; DHCP renewal try \([0-9]*\)/$RENEW_TRIES: ran the DHCP client for $MAC (eth0) via the guest agent.*|\1|p" <<<"$line")
	[ -n "$ip" ] && [ -n "$try" ] && [ "$try" -ge 2 ]
}
# not through assert: it sets ip, which the checks below need
if chk_renewed >"$work/renew.out" 2>&1; then
	ok "the worker renews DHCP through the guest agent and the lease appears ($(cat "$work/renew.out"))"
else
	not_ok "the worker renews DHCP through the guest agent and the lease appears ($(cat "$work/renew.out"))"
fi
[ -n "$ip" ] || finish

# In the guest, through the agent: eth0 has the lease (the hook's script
# set it), and udhcpc stays in the background to renew it.
chk_in_guest() {
	local out
	# shellcheck disable=SC2016 # the guest's shell expands it
	out=$(qemu_agent_exec "$GUEST" 'ip -4 -o addr show dev eth0; echo "udhcpc: $(pidof udhcpc)"; ls /run/libvirt-cluster-udhcpc.sh') || {
		echo "guest-exec failed: $out"
		return 1
	}
	out=$(tr -s ' \n' ' ' <<<"$out")
	echo "$out"
	grep -q "inet $ip/" <<<"$out" && grep -q -E "udhcpc: [0-9]+" <<<"$out" &&
		grep -q "/run/libvirt-cluster-udhcpc.sh" <<<"$out"
}
assert "in the guest eth0 has the lease, set by the hook's udhcpc script, udhcpc still running" chk_in_guest

for n in "$GUEST" "$GUEST.$EXT_DOMAIN"; do
	assert "getaddrinfo of $n gives the lease the agent's renewal took" chk_resolves_to_ip "$L" "$n" "$ip" "$GUEST"
done
chk_py() {
	local p
	p=$(py_addrs "$L" "$GUEST" | oneline)
	echo "python getaddrinfo $GUEST: $p"
	[ "$p" = "$ip" ]
}
assert "Python's getaddrinfo agrees" chk_py

# ---- destroy: record and lease go; the name stops resolving -------------------------
qv destroy "$GUEST" >/dev/null || not_ok "virsh -c qemu:///system destroy $GUEST"
assert "virsh destroy: the hook removes the record, releases the lease, drops the DNS entry" chk_qemu_gone "$GUEST" "$MAC"
for n in "$GUEST" "$GUEST.$EXT_DOMAIN"; do
	assert "$n no longer resolves" chk_unresolvable "$L" "$n"
done
echo "test time $(($(date +%s) - t0)) s from start to the end"
finish
