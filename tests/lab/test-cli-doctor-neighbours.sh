#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck disable=SC2317 # functions are called through assert
# doctor and Docker next to libvirt, inside the lab's namespaces only (its
# own firewall, a private root for /etc/docker and /etc/ssh):
#   - a FORWARD policy of DROP that drops what a guest network sends (as
#     Docker sets it), through iptables and through a native nft table:
#     doctor names the network and prints the fix; with the fix applied,
#     doctor is content;
#   - a daemon.json without a "dns" that knows guests: doctor prints the one
#     to write, the network's dnsmasq, which does answer guest names.
. "$(dirname "$0")/cli-lib.sh"
command -v iptables >/dev/null || skip "iptables is not installed"
command -v nft >/dev/null || skip "nft is not installed"
lab_pick_nss
lab_up
R=$LAB_DIR/doctor-root
mkdir -p "$R/etc/docker" "$R/etc/ssh"
ext_ip=10.250.1.1

# the network records the hook writes when a network starts
net_record() { # NAME BRIDGE CLASS DOMAIN ADDRESS
	printf 'libvirt-cluster record 1\nkind network\nname %s\nbridge %s\nforward %s\nclass %s\ndomain %s\naddress %s\n' \
		"$1" "$2" "$([ "$3" = external ] && echo nat)" "$3" "$4" "$5" |
		sed '/^forward $/d' >"$LAB_DIR/net-$1.rec"
	"$LAB" exec sh -c "mkdir -p /run/libvirt-cluster && cp '$LAB_DIR/net-$1.rec' /run/libvirt-cluster/.t && mv /run/libvirt-cluster/.t /run/libvirt-cluster/net-$1.rec"
}
net_record ext virbr-ext external lab.test "$ext_ip"
net_record int virbr-int isolated int.test 10.250.2.1

# finding CHECK: "status|message|fix" of doctor's first finding of CHECK
finding() {
	labx env LIBVIRT_CLUSTER_LEASE_DIR=/var/lib/libvirt/dnsmasq "$CLI" doctor --json --root "$R" |
		python3 -c '
import json, sys
for c in json.load(sys.stdin)["checks"]:
    if c["check"] == sys.argv[1]:
        print("%s|%s|%s" % (c["status"], c["message"], (c["fix"] or "").replace("\n", " / ")))
        break' "$1"
}
chk_finding() { # CHECK STATUS [TEXT...]: the finding has STATUS and each TEXT
	local f t
	f=$(finding "$1")
	echo "$f"
	[ "${f%%|*}" = "$2" ] || return 1
	shift 2
	for t in "$@"; do [[ $f == *"$t"* ]] || return 1; done
}

# ---- FORWARD ------------------------------------------------------------------------
assert "libvirt's own rules: the FORWARD path is fine" chk_finding forward ok
# as Docker does: policy DROP, a DOCKER-USER chain that returns; and
# libvirt's jumps gone (what a firewall reload without libvirt leaves)
"$LAB" exec sh -c 'iptables -P FORWARD DROP && iptables -N DOCKER-USER && iptables -A DOCKER-USER -j RETURN &&
	iptables -I FORWARD -j DOCKER-USER && iptables -D FORWARD -j LIBVIRT_FWO && iptables -D FORWARD -j LIBVIRT_FWX' ||
	not_ok "setting up the lab's FORWARD DROP"
assert "iptables FORWARD DROP: a problem naming ext, with both fixes" chk_finding forward problem \
	"FORWARD policy DROP (iptables)" "network 'ext' (bridge virbr-ext)" '"ip-forward-no-drop": true' \
	"iptables -I DOCKER-USER -i virbr-ext -j ACCEPT"
chk_not_int() {
	local f
	f=$(finding forward)
	echo "$f" | cut -c1-120
	[[ $f != *virbr-int* ]]
}
assert "the isolated network is not named (it forwards nothing by design)" chk_not_int
# the fix doctor printed, in the lab's firewall
"$LAB" exec sh -c 'iptables -I DOCKER-USER -i virbr-ext -j ACCEPT &&
	iptables -I DOCKER-USER -o virbr-ext -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT' ||
	not_ok "applying the fix"
assert "with the DOCKER-USER fix: fine again" chk_finding forward ok
# a native nft table whose forward base chain drops (Docker's nftables backend)
"$LAB" exec sh -c "nft add table inet lab_docker && nft add chain inet lab_docker forward '{ type filter hook forward priority 0; policy drop; }'" ||
	not_ok "adding the nft table"
assert "nft forward chain with policy drop: a problem, with the nft fix" chk_finding forward problem \
	"nft chain inet lab_docker forward" "nft insert rule inet lab_docker forward iifname \"virbr-ext\" accept"
"$LAB" exec nft insert rule inet lab_docker forward iifname virbr-ext accept || not_ok "applying the nft fix"
assert "with the nft fix: fine again" chk_finding forward ok

# ---- Docker's DNS ----------------------------------------------------------------------
assert "no dockerd, no daemon.json: nothing to say" chk_finding docker ok "not installed"
printf '{\n  "log-driver": "json-file",\n  "dns": ["192.0.2.53"]\n}\n' >"$R/etc/docker/daemon.json"
assert "daemon.json with a dns that knows no guests: the fix names ext's dnsmasq" chk_finding docker problem \
	"containers cannot resolve guest names" "\"dns\": [\"$ext_ip\"]" "network 'ext'"
chk_dnsmasq_answers() {
	local a b want
	want=$("$LAB" addr node1 ext)
	a=$("$LAB" exec dig +short +time=2 @"$ext_ip" node1.lab.test)
	b=$("$LAB" exec dig +short +time=2 @"$ext_ip" node1)
	echo "dig @$ext_ip node1.lab.test: $a; node1: $b; node1 is $want"
	[ "$a" = "$want" ] && [ "$b" = "$want" ]
}
assert "the dns doctor names answers guest names" chk_dnsmasq_answers
printf '{\n  "log-driver": "json-file",\n  "dns": ["%s", "192.0.2.53"]\n}\n' "$ext_ip" >"$R/etc/docker/daemon.json"
assert "daemon.json with that dns: fine" chk_finding docker ok "containers ask $ext_ip"
printf '{ "dns": [' >"$R/etc/docker/daemon.json"
assert "a daemon.json that is no JSON: a problem" chk_finding docker problem "is not a JSON object"
finish
