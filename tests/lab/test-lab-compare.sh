#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck disable=SC2317 # functions are called through assert
# The same checks, in one lab, through the configured NSS line (ours by
# default: asserted) and through libvirt's own modules (libnss_libvirt +
# libnss_libvirt_guest: only recorded).  The table in this test's log shows
# where the two differ: ordering, lease renewal, FQDN, reverse, stopped
# guests, NOTFOUND versus UNAVAIL.
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
lab_pick_nss
lab_up
A=$LAB_NSS
B=$LIBVIRT_NSS
have_b=1
grep -q 'libnss_libvirt\.so\.2' < <(ldconfig -p 2>/dev/null) || have_b=0

rows=() res_a=() res_b=() details=()
# row LABEL CHECK ARGS... (the NSS line goes in front of ARGS)
row() {
	local label=$1 out rc
	shift
	rows+=("$label")
	rc=0
	out=$("$1" "$A" "${@:2}" 2>&1) || rc=$?
	res_a+=("$([ $rc -eq 0 ] && echo yes || echo NO)")
	details+=("[configured] $label: $out")
	[ $rc -eq 0 ] && ok "$label ($out)" || not_ok "$label ($out)"
	if [ $have_b = 1 ]; then
		rc=0
		out=$("$1" "$B" "${@:2}" 2>&1) || rc=$?
		res_b+=("$([ $rc -eq 0 ] && echo yes || echo no)")
		details+=("[libvirt]    $label: $out")
	else
		res_b+=("n/a")
	fi
}

row "node1 -> ext first (int is its 1st NIC)" chk_node1_ext_first node1
row "node1.lab.test (FQDN) -> ext first" chk_node1_ext_first node1.lab.test
row "node2 (domain name) -> node2" chk_resolves_to node2 node2
row "node2-dhcp (DHCP hostname) -> node2" chk_resolves_to node2-dhcp node2
row "node2.lab.test (FQDN) -> node2" chk_resolves_to node2.lab.test node2
row "reverse of node2's address -> node2" chk_reverse node2 node2
row "python getaddrinfo == getent, ext first" chk_python_agrees node1
row "ssh node1 (no hosts entry)" chk_ssh
row "non-guest falls through to dns" chk_fallthrough
row "non-guest -> NOTFOUND (not UNAVAIL)" chk_notfound_status
row "miss via the module alone < 250 ms" chk_notfound_fast
row "node3 (running, no lease) -> not found" chk_unresolvable node3
renew_last int || not_ok "renew node1's int lease"
row "node1 -> ext first, int lease renewed last" chk_node1_ext_first node1
renew_last ext || not_ok "renew node1's ext lease"
row "node1 -> ext first, ext lease renewed last" chk_node1_ext_first node1
"$LAB" exec virsh -q destroy node2 >/dev/null || not_ok "virsh destroy node2"
row "node2 destroyed -> node2 not found" chk_unresolvable node2
row "node2 destroyed -> node2-dhcp not found" chk_unresolvable node2-dhcp
row "node2 destroyed -> node2.lab.test not found" chk_unresolvable node2.lab.test

echo
echo "comparison (recorded; only the first column is asserted)"
echo "  configured: hosts: $A"
echo "  libvirt:    hosts: $B"
printf '  %-46s %-11s %s\n' check configured libvirt
for i in "${!rows[@]}"; do
	printf '  %-46s %-11s %s\n' "${rows[$i]}" "${res_a[$i]}" "${res_b[$i]}"
done
echo
echo "details"
printf '  %s\n' "${details[@]}"
echo
finish
