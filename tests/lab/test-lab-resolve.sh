#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Names through glibc's real NSS path in the lab: node1 (int is its FIRST NIC,
# ext its second) resolves to its ext address first, short and FQDN; node2
# by domain name and by its different DHCP hostname; node2's address back to
# node2; python's getaddrinfo sees what getent sees; renewing either of
# node1's leases last does not change its order.
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
lab_pick_nss
lab_up
L=$LAB_NSS

assert "getent hosts node1: ext address first although int is its first NIC" chk_node1_ext_first "$L" node1
assert "getent hosts node1.lab.test: ext address first" chk_node1_ext_first "$L" node1.lab.test
assert "getent ahosts node2 (domain name) gives node2's address" chk_resolves_to "$L" node2 node2
assert "getent ahosts node2-dhcp (DHCP hostname) gives node2's address" chk_resolves_to "$L" node2-dhcp node2
assert "getent ahosts node2.lab.test gives node2's address" chk_resolves_to "$L" node2.lab.test node2
assert "reverse lookup of node2's address gives node2" chk_reverse "$L" node2 node2
assert "python3 getaddrinfo('node1', 22) agrees with getent ahosts, ext first" chk_python_agrees "$L" node1
# Lease renewal must not flip the order (libvirt's module orders by expiry).
renew_last int || not_ok "renew node1's int lease"
assert "node1's int lease renewed last: ext still first ($("$LAB" lease node1 | paste -sd' '))" chk_node1_ext_first "$L" node1
renew_last ext || not_ok "renew node1's ext lease"
assert "node1's ext lease renewed last: ext still first ($("$LAB" lease node1 | paste -sd' '))" chk_node1_ext_first "$L" node1
finish
