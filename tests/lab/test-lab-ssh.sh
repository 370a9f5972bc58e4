#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck disable=SC2317 # functions are called through assert
# ssh reaches node1 by name with no hosts-file entry: glibc -> NSS module.
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
lab_pick_nss
lab_up
L=$LAB_NSS

# shellcheck disable=SC2016
assert "the lab's /etc/hosts names no guest" q "$L" sh -c '! grep -E "node[0-9]" /etc/hosts'
assert "ssh node1 true" q "$L" ssh -F "$LAB_DIR/ssh/config" node1 true
chk_ssh_hostname() {
	local got
	got=$(q "$L" ssh -F "$LAB_DIR/ssh/config" node1 hostname)
	echo "ssh node1 hostname: $got"
	[ "$got" = node1 ]
}
assert "ssh node1 hostname answers node1" chk_ssh_hostname
finish
