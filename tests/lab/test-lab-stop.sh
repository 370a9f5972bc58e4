#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A stopped guest stops resolving at once, although its lease stays in
# the network's .status file (libvirt never removes it on destroy).
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
lab_pick_nss
lab_up
L=$LAB_NSS

assert "node2 resolves while it runs" chk_resolves_to "$L" node2 node2
ip=$("$LAB" addr node2 ext)
"$LAB" exec virsh -q destroy node2 >/dev/null || not_ok "virsh destroy node2"
# No wait: the very next lookups must miss.
assert "after virsh destroy node2, node2 does not resolve" chk_unresolvable "$L" node2
assert "after virsh destroy node2, node2-dhcp does not resolve" chk_unresolvable "$L" node2-dhcp
assert "after virsh destroy node2, node2.lab.test does not resolve" chk_unresolvable "$L" node2.lab.test
assert "node2's lease ($ip) is still in virbr-ext.status" grep -q "\"$ip\"" "$LAB_DIR/root/var/lib/libvirt/dnsmasq/virbr-ext.status"
assert "node1 still resolves" chk_node1_ext_first "$L" node1
finish
