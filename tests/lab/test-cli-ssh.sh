#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck disable=SC2317 # functions are called through assert
# ssh to guests with the real sshd in node1 and node2:
#   - libvirt-cluster ssh-config | ssh -F /dev/stdin node1 hostname;
#   - strict host key checking with no known_hosts file at all, through
#     KnownHostsCommand as `enable --ssh` installs it (under a private
#     root: the lab's own ssh client config only includes it);
#   - node1 recreated with new host keys: still verified, no prompt;
#   - another sshd, with other keys, on node1's address: refused;
#   - a name that is no guest: known-hosts prints nothing.
# The hook is the lab's: the records, and the host keys in them, are what
# its worker read from each guest's own /etc/ssh (the guest's root, through
# its init's /proc/PID/root).
. "$(dirname "$0")/cli-lib.sh"
KH=$LAB_BUILDDIR/cli/known-hosts
[ -x "$KH" ] || skip "$KH is not built"
lab_pick_nss
hook_test_setup ""
export LAB_HOOK=$work/hook
hook_lab_up
S=$LAB_DIR/ssh
roots=$LAB_DIR/roots
lv() { labx virsh -q -c lxc:///system "$@"; }

# wait_key GUEST: until its record holds the key of its .pub (the worker)
wait_key() {
	local want end=$(($(date +%s) + 40))
	want="hostkey $(cut -d' ' -f1,2 "$roots/$1/etc/ssh/ssh_host_ed25519_key.pub")"
	until labx grep -qx "$want" "$RUN/guest-$1.rec" 2>/dev/null; do
		[ "$(date +%s)" -lt "$end" ] || {
			echo "$1: no '${want:0:40}...' in its record after 40 s"
			return 1
		}
		sleep 0.5
	done
	echo "$1's record: ${want:0:50}... ($(grep " $1 worker" "$work/log" | tail -n 1 | sed 's/.*worker: //'))"
}
# node1's ssh login in its metadata; started again, so that the hook records it
lv metadata node1 urn:libvirt-cluster:metadata:1 --key lc --set '<cluster name="lab" user="root"/>' --config >/dev/null ||
	not_ok "virsh metadata node1"
lv destroy node1 >/dev/null && lv start node1 >/dev/null || not_ok "node1 started again"
assert "the worker put node1's host key into its record" wait_key node1
assert "the worker put node2's host key into its record" wait_key node2

# ---- ssh-config ------------------------------------------------------------
chk_ssh_config() {
	local out
	out=$(labx bash -c '"$1" ssh-config node1' _ "$CLI")
	echo "$out" | grep -v '^#' | paste -sd' ' | tr '\t' ' '
	grep -q "^Host node1 " <<<"$out" && grep -q "HostName $("$LAB" addr node1 ext)\$" <<<"$out" &&
		grep -q "HostKeyAlias node1\$" <<<"$out" && grep -q "User root\$" <<<"$out"
}
assert "ssh-config node1: HostName = ext address, HostKeyAlias, User from the record" chk_ssh_config
chk_ssh_F() {
	local got rc=0
	# the lab's known_hosts names the guests; the config gives address and user
	# shellcheck disable=SC2016
	got=$(labx bash -c '"$1" ssh-config | ssh -F /dev/stdin -o IdentityFile="$2/id_ed25519" -o IdentitiesOnly=yes \
		-o UserKnownHostsFile="$2/known_hosts" -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes \
		-o BatchMode=yes -o ConnectTimeout=5 node1 hostname' _ "$CLI" "$S" 2>&1)
	echo "libvirt-cluster ssh-config | ssh -F /dev/stdin node1 hostname: $got"
	[ "$got" = node1 ] || return 1
	# the form the issue names: OpenSSH closes every fd above 2 before it
	# reads -F, so a <(...) path is gone by then (documented in the man page)
	# shellcheck disable=SC2016
	got=$(labx bash -c 'ssh -F <("$1" ssh-config) node1 hostname' _ "$CLI" 2>&1) || rc=$?
	echo "ssh -F <(libvirt-cluster ssh-config): exit $rc: $got"
	[ "$rc" -ne 0 ] && [[ $got == *"/dev/fd/"* ]]
}
assert "libvirt-cluster ssh-config | ssh -F /dev/stdin node1 hostname (and why not -F <(...))" chk_ssh_F

# ---- known-hosts through KnownHostsCommand --------------------------------------------
R=$LAB_DIR/sshroot
mkdir -p "$R/etc/ssh"
chk_enable() {
	local out
	out=$(LIBVIRT_CLUSTER_KNOWN_HOSTS=$KH "$CLI" enable --ssh --root "$R" 2>&1) || return 1
	echo "$out; $(grep KnownHostsCommand "$R/etc/ssh/ssh_config.d/libvirt-cluster.conf" | tr '\t' ' ')"
	grep -q "KnownHostsCommand $KH %H" "$R/etc/ssh/ssh_config.d/libvirt-cluster.conf"
}
assert "enable --ssh --root: the drop-in with KnownHostsCommand" chk_enable
chk_enable_again() {
	local out
	out=$(LIBVIRT_CLUSTER_KNOWN_HOSTS=$KH "$CLI" enable --ssh --root "$R" 2>&1)
	echo "$out"
	[[ $out == *"installed already"* ]]
}
assert "enable --ssh again changes nothing" chk_enable_again
ssh_finding() {
	labx env LIBVIRT_CLUSTER_LEASE_DIR=/var/lib/libvirt/dnsmasq LIBVIRT_CLUSTER_KNOWN_HOSTS="$KH" \
		"$CLI" doctor --json --root "$R" | python3 -c '
import json, sys
for c in json.load(sys.stdin)["checks"]:
    if c["check"] == "ssh":
        print("%s|%s|%s" % (c["status"], c["message"], (c["fix"] or "").replace("\n", " / ")))'
}
chk_doctor_ssh() { # STATUS TEXT
	local f
	f=$(ssh_finding)
	echo "$f"
	[ "${f%%|*}" = "$1" ] && [[ $f == *"$2"* ]]
}
printf 'Host *\n\tSendEnv LANG\n' >"$R/etc/ssh/ssh_config"
assert "doctor: the drop-in is there, but ssh_config does not include it" chk_doctor_ssh problem \
	"Include /etc/ssh/ssh_config.d/*.conf"
printf 'Include /etc/ssh/ssh_config.d/*.conf\nHost *\n\tSendEnv LANG\n' >"$R/etc/ssh/ssh_config"
assert "doctor: ssh checks guests' host keys with known-hosts" chk_doctor_ssh ok "with known-hosts"
# a client config as Debian's: the drop-in included; no known_hosts anywhere
cat >"$LAB_DIR/strict.conf" <<EOC
Include $R/etc/ssh/ssh_config.d/*.conf
Host *
	User root
	IdentityFile $S/id_ed25519
	IdentitiesOnly yes
	UserKnownHostsFile /dev/null
	GlobalKnownHostsFile /dev/null
	StrictHostKeyChecking yes
	BatchMode yes
	ConnectTimeout 5
EOC
strict_ssh() { labx ssh -F "$LAB_DIR/strict.conf" "$@"; }
chk_strict() { # GUEST
	local got
	got=$(strict_ssh "$1" hostname 2>&1)
	echo "ssh $1 hostname (StrictHostKeyChecking=yes, UserKnownHostsFile=/dev/null): $got"
	[ "$got" = "$1" ]
}
assert "node1: strict checking through KnownHostsCommand" chk_strict node1
assert "node2: strict checking through KnownHostsCommand" chk_strict node2
chk_no_command() {
	local got rc=0
	got=$(labx ssh -F "$LAB_DIR/strict.conf" -o KnownHostsCommand=none node1 hostname 2>&1) || rc=$?
	echo "without KnownHostsCommand: exit $rc: $(echo "$got" | tail -n 1)"
	[ "$rc" -ne 0 ] && [[ $got == *"verification failed"* ]]
}
assert "the same without KnownHostsCommand is refused (so it was the command)" chk_no_command

chk_non_guest() {
	local out rc=0 n
	for n in dns-only.test 10.250.1.1 '[nosuch]:2222' localhost; do
		out=$(labx "$KH" "$n") || rc=$?
		[ -z "$out" ] && [ "$rc" -eq 0 ] || {
			echo "$n: exit $rc, '$out'"
			return 1
		}
	done
	echo "dns-only.test, 10.250.1.1, [nosuch]:2222, localhost: nothing, exit 0"
}
assert "known-hosts of a non-guest prints nothing" chk_non_guest
chk_lines() {
	local out
	out=$(labx "$KH" node1)
	echo "$out" | cut -c1-90
	[ "$(wc -l <<<"$out")" -eq 1 ] && [[ $out == "node1,"*"$("$LAB" addr node1 ext)"*" ssh-ed25519 "* ]]
}
assert "known-hosts node1: one line, names and addresses" chk_lines
chk_fast() {
	local out
	out=$(labx perf stat -r 20 "$KH" node1 2>&1 >/dev/null | grep -E "task-clock|elapsed" | awk '{ print $1, $2 }' | paste -sd' ')
	echo "perf stat -r 20 known-hosts node1: $out"
	[ -n "$out" ] && awk -v c="${out%% *}" 'BEGIN { exit !(c < 5) }'
}
if command -v perf >/dev/null && perf stat -r 1 true >/dev/null 2>&1; then
	assert "known-hosts takes under 5 ms of CPU" chk_fast
fi

# ---- node1 recreated with new host keys ---------------------------------------------------
old=$(cut -d' ' -f2 "$roots/node1/etc/ssh/ssh_host_ed25519_key.pub")
lv destroy node1 >/dev/null
rm -f "$roots/node1/etc/ssh/ssh_host_ed25519_key" "$roots/node1/etc/ssh/ssh_host_ed25519_key.pub"
ssh-keygen -q -t ed25519 -N '' -C node1-new -f "$roots/node1/etc/ssh/ssh_host_ed25519_key"
lv start node1 >/dev/null
lc wait node1 --ready=ssh --timeout 30 || not_ok "node1 back with sshd"
assert "the worker put node1's new host key into its record" wait_key node1
chk_new_key() {
	local new
	new=$(cut -d' ' -f2 "$roots/node1/etc/ssh/ssh_host_ed25519_key.pub")
	echo "old key ...${old: -12}, new key ...${new: -12}"
	[ "$new" != "$old" ] && chk_strict node1
}
assert "node1 recreated with a new host key: strict checking still passes" chk_new_key

# ---- an impostor on node1's address ----------------------------------------------
# node1's sshd makes way for one with another key, on the same address and port
chk_impostor() {
	local got rc=0
	"$LAB" guest node1 sh -c 'kill "$(cat /run/sshd.pid)"; sleep 0.3
		rm -f /tmp/imp_key /tmp/imp_key.pub; ssh-keygen -q -t ed25519 -N "" -f /tmp/imp_key
		/usr/sbin/sshd -f /etc/ssh/sshd_config -h /tmp/imp_key -o PidFile=/run/imp.pid -E /var/log/imp.log' >/dev/null 2>&1 || return 1
	lc wait node1 --ready=ssh --timeout 10 >/dev/null 2>&1 || return 1
	got=$(strict_ssh node1 hostname 2>&1) || rc=$?
	echo "ssh node1 to an sshd with other keys: exit $rc: $(echo "$got" | grep -i -E "verification|identification|changed" | head -n 1)"
	[ "$rc" -ne 0 ] && [[ $got == *"verification failed"* ]]
}
assert "another sshd with other keys on node1's address: refused" chk_impostor

chk_disable() {
	local out
	out=$("$CLI" disable --ssh --root "$R" 2>&1)
	echo "$out"
	[ ! -e "$R/etc/ssh/ssh_config.d/libvirt-cluster.conf" ]
}
assert "disable --ssh removes the drop-in" chk_disable
assert "doctor: not installed, and what enable --ssh would do" chk_doctor_ssh ok "is not installed"
finish
