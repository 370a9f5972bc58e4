#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# wait --ready=agent and --ready=boot against the lab's qemu guest (TCG,
# Debian's kernel, a busybox initramfs running Debian's qemu-ga), and the
# worker reading its ssh host key through the agent:
#   - --ready=agent returns once the agent answers guest-ping;
#   - --ready=boot is a clear error at once: a busybox guest has no systemd;
#   - a host key the guest holds in /etc/ssh/ssh_host_ed25519_key.pub gets
#     into its record (guest-file-open/read), and known-hosts prints it;
#   - an LXC guest whose init is busybox's sh: boot is the same clear error.
# Skips (77) without the agent (see test-lab-qemu-agent.sh).
# shellcheck disable=SC2317 # functions are called through assert
# shellcheck source=tests/lab/cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"
GUEST=qwait1 MAC=52:54:00:1c:00:53
BOOT_SECS=120
qemu_test_setup ""
[ -z "$QEMU_AGENT_WHY" ] || skip "no qemu guest agent for the guest: $QEMU_AGENT_WHY"
qemu_lab_up "$GUEST"
AGENT_CHANNEL="<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>"
qemu_guest_start "$GUEST" "$MAC" "lab_hostname=$GUEST" "$AGENT_CHANNEL" || {
	not_ok "virsh -c qemu:///system define and start $GUEST"
	finish
}
t0=$qemu_t0
chk_rc() { # WANT ARGS...
	local want=$1 rc=0 err
	shift
	err=$(lc "$@" 2>&1 >/dev/null) || rc=$?
	echo "libvirt-cluster $*: exit $rc${err:+; $(echo "$err" | paste -sd' ')}, $(($(date +%s) - t0)) s after start"
	[ "$rc" -eq "$want" ]
}
assert "wait $GUEST --ready=agent: the agent answers" chk_rc 0 wait "$GUEST" --ready=agent --timeout $BOOT_SECS
chk_agent_really() {
	local out
	out=$(qv qemu-agent-command "$GUEST" '{"execute":"guest-ping"}' 2>&1)
	echo "virsh qemu-agent-command guest-ping: $out"
	[ "$out" = '{"return":{}}' ]
}
assert "and libvirt's guest-ping agrees" chk_agent_really
chk_boot_unsupported() {
	local err rc=0 t
	t=$(date +%s)
	err=$(lc wait "$GUEST" --ready=boot --timeout 60 2>&1 >/dev/null) || rc=$?
	echo "exit $rc in $(($(date +%s) - t)) s: $err"
	[ "$rc" -eq 101 ] && [ $(($(date +%s) - t)) -lt 30 ] &&
		[[ $err == *"$GUEST: cannot be waited for: no systemctl in the guest"* ]]
}
assert "wait --ready=boot on a busybox guest: a clear error naming it, not a timeout" chk_boot_unsupported

# a host key in the guest (it has no sshd; the file is what the worker reads)
key=$(ssh-keygen -q -t ed25519 -N '' -C "$GUEST" -f "$work/gkey" && cut -d' ' -f1,2 "$work/gkey.pub")
qemu_agent_exec "$GUEST" "mkdir -p /etc/ssh && echo '$key $GUEST' >/etc/ssh/ssh_host_ed25519_key.pub" >/dev/null ||
	not_ok "writing the key in the guest"
chk_record_key() {
	local end=$(($(date +%s) + 70))
	until labx grep -q "^hostkey $key\$" "/run/libvirt-cluster/guest-$GUEST.rec" 2>/dev/null; do
		[ "$(date +%s)" -lt "$end" ] || {
			echo "no hostkey line; worker: $(grep " $GUEST worker" "$work/log" | tail -n 1)"
			return 1
		}
		sleep 1
	done
	echo "record: $(labx grep '^hostkey' "/run/libvirt-cluster/guest-$GUEST.rec" | cut -c1-40)...; worker: $(grep " $GUEST worker" "$work/log" | tail -n 1 | sed 's/.*worker: //')"
}
assert "the worker reads the key through the agent into the record" chk_record_key
chk_known_hosts() {
	local out
	out=$(labx "$LAB_BUILDDIR/cli/known-hosts" "$GUEST")
	echo "$out" | cut -c1-100
	[[ $out == "$GUEST,"*" $key" ]]
}
assert "known-hosts $GUEST prints it" chk_known_hosts

chk_lxc_boot() {
	local err rc=0
	err=$(lc wait node1 --ready=boot --timeout 20 2>&1 >/dev/null) || rc=$?
	echo "exit $rc: $err"
	[ "$rc" -eq 101 ] && [[ $err == *"node1: cannot be waited for: its init is "*"not systemd"* ]]
}
assert "wait node1 --ready=boot (lxc, busybox sh as init): unsupported, says why" chk_lxc_boot
chk_lxc_agent() {
	local err rc=0
	err=$(lc wait node1 --ready=agent --timeout 20 2>&1 >/dev/null) || rc=$?
	echo "exit $rc: $err"
	[ "$rc" -eq 101 ] && [[ $err == *"node1: cannot be waited for: an lxc guest has no guest agent"* ]]
}
assert "wait node1 --ready=agent (lxc): unsupported, says why" chk_lxc_agent
finish
