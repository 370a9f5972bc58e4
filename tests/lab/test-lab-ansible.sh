#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck disable=SC2317 # functions are called through assert
# Real Ansible (Debian's ansible-core) against the lab's guests over real
# ssh, run inside the lab's namespaces: with the project's dynamic
# inventory node1 and node2 answer ping, node3 (no lease, so no
# ansible_host) is unreachable by name; with a static inventory of bare
# names ssh resolves them through glibc's NSS, which works with the module
# in the hosts line and fails with "files dns" alone; and the guest that
# answers is the one named.
# shellcheck source=tests/lab/cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"
command -v ansible >/dev/null || skip "ansible not installed (apt-get install ansible-core)"
lab_pick_nss
lab_up
L=$LAB_NSS

wrapper=$LAB_BUILDDIR/cli/libvirt-cluster-inventory
[ -x "$wrapper" ] || { not_ok "$wrapper not built"; finish; }
rtmp=/tmp/.ansible-lab # ansible-in-lab.sh's remote temp dir

# an LINE ARGS...: ansible in the lab with "hosts: LINE" (ansible-in-lab.sh:
# one line a host).  Prints ansible's output, then "exit N".
an() {
	local line=$1 rc=0
	shift
	# shellcheck disable=SC2154 # lab_srcdir: set by lib.sh, through cli-lib.sh
	q "$line" bash "$lab_srcdir/ansible-in-lab.sh" "$LAB_DIR" "$CLI" "$@" 2>&1 || rc=$?
	echo "exit $rc"
}
# host_line OUT HOST: HOST's line of `ansible -o` output.
host_line() { grep -m1 "^$2 | " <<<"$1"; }
pong() { host_line "$1" "$2" | grep -q '^[^ ]* | SUCCESS => .*"ping": "pong"'; }
# unresolved OUT HOST: unreachable because ssh could not resolve HOST itself
unresolved() { host_line "$1" "$2" | grep -q "^$2 | UNREACHABLE!: .*Could not resolve hostname $2[:]"; }
exit_of() { tail -n 1 <<<"$1" | sed 's/^exit //'; }
show() { # OUT HOSTS...: the hosts' lines and the exit code, on one line
	local h
	{
		for h in "${@:2}"; do host_line "$1" "$h" || echo "$h: (no line)"; done | cut -c1-150
		tail -n 1 <<<"$1"
	} | paste -sd';'
}

# 1. The dynamic inventory: every guest, ansible_host = its address.
dyn=$(an "$L" -i "$wrapper" all -m ping)
chk_dyn_pong() {
	show "$dyn" node1 node2
	pong "$dyn" node1 && pong "$dyn" node2
}
assert "ansible -i libvirt-cluster-inventory all -m ping: node1 and node2 pong" chk_dyn_pong
# node3 runs but has no lease: the inventory lists it without ansible_host,
# so ansible tries the bare name, which resolves nowhere.  The user sees it
# unreachable (exit 4), not silently missing.
chk_dyn_node3() {
	show "$dyn" node3
	unresolved "$dyn" node3 && [ "$(exit_of "$dyn")" = 4 ]
}
assert "... node3 (no lease) is UNREACHABLE, its name unresolved; ansible exits 4" chk_dyn_node3
# The remote temp dir was made in each guest's own root.
chk_remote_tmp() {
	local g ok=0 seen=''
	for g in node1 node2; do
		if [ -d "$LAB_DIR/roots/$g$rtmp" ]; then seen="$seen $g:$rtmp"; else seen="$seen $g:(none)" ok=1; fi
	done
	echo "${seen# }"
	return "$ok"
}
assert "ansible's remote temp dir is in each guest's root" chk_remote_tmp

# 2. A static inventory of bare names: ssh resolves them through glibc's
# NSS, so the hosts line decides.
static_ours=$(an "$L" -i node1,node2, all -m ping)
chk_static_ours() {
	show "$static_ours" node1 node2
	pong "$static_ours" node1 && pong "$static_ours" node2 && [ "$(exit_of "$static_ours")" = 0 ]
}
assert "ansible -i node1,node2, all -m ping with hosts: $L: both pong" chk_static_ours
static_plain=$(an "files dns" -i node1,node2, all -m ping)
chk_static_plain() {
	show "$static_plain" node1 node2
	unresolved "$static_plain" node1 && unresolved "$static_plain" node2 && [ "$(exit_of "$static_plain")" = 4 ]
}
assert "... with hosts: files dns: both UNREACHABLE, names not resolved (the module makes them work)" chk_static_plain

# 3. The guest that answers is the one named: node1's and node2's
# addresses from the inventory reach node1 and node2.
names=$(an "$L" -i "$wrapper" node1,node2 -m command -a hostname)
chk_hostname() {
	show "$names" node1 node2
	host_line "$names" node1 | grep -q '^node1 | CHANGED | rc=0 | (stdout) node1$' &&
		host_line "$names" node2 | grep -q '^node2 | CHANGED | rc=0 | (stdout) node2$'
}
assert "ansible node1,node2 -m command -a hostname: node1 says node1, node2 says node2" chk_hostname
finish
