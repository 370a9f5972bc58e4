#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck disable=SC2317 # functions are called through assert
# The lab leaves the host exactly as it found it, and two labs run side by
# side without seeing each other: snapshot the host (links, addresses,
# routes, nft/iptables, ip_forward, the host's mounts, nsswitch.conf,
# resolv.conf, hosts, ssh_config, libvirt's host dirs, /.oldroot, cgroup
# machine dirs, lab-like processes), run two labs at once, `up` again,
# `down` twice, crash one (SIGKILL to its init) and `down` it, compare.
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "the lab needs root"
lab_lock # its labs are not lab_up's (lib.sh: lab_lock)

base=$LAB_BUILDDIR/tests/lab/$test_name
A=$base-a.lab B=$base-b.lab
snap() { LAB_DIR=$1 "$LAB" hoststate; }
cleanup() {
	LAB_DIR=$A "$LAB" down >/dev/null 2>&1
	LAB_DIR=$B "$LAB" down >/dev/null 2>&1
	rm -f "$base".snap-*
}
trap cleanup EXIT
mkdir -p "$(dirname "$base")"

snap "$A" >"$base.snap-a0"
snap "$B" >"$base.snap-b0"

rc_a=0 rc_b=0
LAB_DIR=$A "$LAB" up &
pa=$!
LAB_DIR=$B "$LAB" up &
pb=$!
wait $pa || rc_a=$?
wait $pb || rc_b=$?
{ [ $rc_a -eq 77 ] || [ $rc_b -eq 77 ]; } && skip "the lab cannot run here"
[ $rc_a -eq 0 ] && [ $rc_b -eq 0 ] || {
	echo "FAIL: two labs up at once (exit $rc_a, $rc_b)"
	exit 1
}

chk_healthy() { # LAB_DIR
	local running lease
	running=$(LAB_DIR=$1 "$LAB" exec virsh -q list --name | sort | paste -sd' ')
	lease=$(LAB_DIR=$1 "$LAB" addr node1 ext)
	echo "running: $running; node1 ext: ${lease:-(none)}"
	[ "$running" = "node1 node2 node3" ] && [ -n "$lease" ]
}
chk_own_cgroups() { # LAB_DIR: its guests' cgroups are below its own cgroup, nowhere else
	local id mine all
	id=$(LAB_DIR=$1 "$LAB" env | sed -n 's/^LAB_ID=//p')
	mine=$(find /sys/fs/cgroup -type d -name '*.libvirt-lxc' -path "*/libvirt-cluster-lab.$id/*" | wc -l)
	all=$(find /sys/fs/cgroup -type d -name '*.libvirt-lxc' -not -path '*/libvirt-cluster-lab.*' | wc -l)
	echo "guest cgroups below libvirt-cluster-lab.$id: $mine; outside any lab: $all"
	[ "$mine" -gt 0 ] && [ "$all" -eq 0 ]
}
chk_same() { # BEFORE AFTER
	if diff -u "$1" "$2" >"$base.snap-diff"; then
		echo "$(wc -l <"$1") lines identical"
	else
		cat "$base.snap-diff"
		return 1
	fi
}
init_of() { cat "$1/init.pid"; }

assert "lab A is up" chk_healthy "$A"
assert "lab B is up alongside" chk_healthy "$B"
assert "lab A's guests are in lab A's own cgroup" chk_own_cgroups "$A"
assert "lab B's guests are in lab B's own cgroup" chk_own_cgroups "$B"
pid=$(init_of "$A")
assert "up again is a no-op" env LAB_DIR="$A" "$LAB" up
assert "... and keeps the same lab" test "$(init_of "$A")" = "$pid"
assert "lab A down" env LAB_DIR="$A" "$LAB" down
assert "lab B still works after A went (ssh node1 true)" \
	env LAB_DIR="$B" "$LAB" exec ssh -F "$B/ssh/config" node1 true
assert "lab B down" env LAB_DIR="$B" "$LAB" down
assert "down again is a no-op" env LAB_DIR="$B" "$LAB" down
snap "$A" >"$base.snap-a1"
snap "$B" >"$base.snap-b1"
assert "host state after up+down (lab A's view) is unchanged" chk_same "$base.snap-a0" "$base.snap-a1"
assert "host state after up+down (lab B's view) is unchanged" chk_same "$base.snap-b0" "$base.snap-b1"

# A crash: the holder's init dies hard, libvirtd never destroys its guests.
if LAB_DIR=$A "$LAB" up >/dev/null; then
	kill -KILL "$(init_of "$A")"
	assert "down after a hard kill" env LAB_DIR="$A" "$LAB" down
	snap "$A" >"$base.snap-a2"
	assert "host state after a hard kill and down is unchanged" chk_same "$base.snap-a0" "$base.snap-a2"
else
	not_ok "lab A up for the hard-kill case"
fi
finish
