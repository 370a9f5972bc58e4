#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck disable=SC2317 # functions are called through assert
# node3 runs with no DHCP client: plugged in (in .macs) but with no lease, it
# has no address to give.  Once it gets a lease (as the hook's worker will
# arrange; here `lab dhcp` runs udhcpc in it), it resolves.
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
lab_pick_nss
unset LAB_NODE3_DHCP
lab_up
L=$LAB_NSS

chk_running() {
	local s
	s=$("$LAB" exec virsh -q domstate node3)
	echo "node3: $s"
	[ "$s" = running ]
}
chk_plugged() {
	grep -q -i "$("$LAB" env | sed -n 's/.*MAC_node3_ext=\([^ ]*\).*/\1/p')" "$LAB_DIR/root/var/lib/libvirt/dnsmasq/virbr-ext.macs"
}
chk_no_lease() { ! "$LAB" lease node3; }
chk_has_lease() {
	local ip
	ip=$("$LAB" addr node3)
	echo "${ip:-(none)}"
	[ -n "$ip" ]
}

assert "node3 is running" chk_running
assert "node3's NIC is plugged in (virbr-ext.macs lists it)" chk_plugged
assert "node3 has no lease" chk_no_lease
assert "node3 without a lease does not resolve" chk_unresolvable "$L" node3
"$LAB" dhcp node3 || not_ok "udhcpc in node3"
assert "node3 has a lease after DHCP" chk_has_lease
assert "node3 then resolves to its lease" chk_resolves_to "$L" node3 node3
finish
