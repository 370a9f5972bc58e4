#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `libvirt-cluster resolve` and `list` against the real lab: the CLI and
# glibc (getent ahosts through the module) give the same addresses in the
# same order for every kind of name, and the explanations are right.
. "$(dirname "$0")/cli-lib.sh"
lab_pick_nss
lab_up

eval "$("$LAB" env | grep "^MAC_")"
ext1=$("$LAB" addr node1 ext) int1=$("$LAB" addr node1 int) ext2=$("$LAB" addr node2 ext)

chk_agree() { # NAME: same order from the CLI and from getent ahosts
	local c g
	c=$(cli_order "$1")
	g=$(getent_order "$1")
	echo "cli: ${c:-(none)}; getent ahosts: ${g:-(none)}"
	[ -n "$c" ] && [ "$c" = "$g" ]
}
for n in node1 node2 node2-dhcp node1.lab.test node1.int.test NODE1.LAB.TEST. node2-dhcp.lab.test; do
	assert "resolve $n agrees with getent ahosts" chk_agree "$n"
done

chk_explain() {
	local j
	j=$(lc resolve --json node1) || return 1
	python3 - "$j" "$ext1" "$int1" <<'PY'
import json, sys
r = json.loads(sys.argv[1])[0]
a = r["addresses"]
print(", ".join(f'{x["address"]} {x["network"]} {x["class"]} rule={x["rule"]}' for x in a))
assert r["found"] and r["host"] == "node1"
assert [x["address"] for x in a] == [sys.argv[2], sys.argv[3]]
assert (a[0]["network"], a[0]["class"], a[0]["rule"]) == ("ext", "external", "class")
assert (a[1]["network"], a[1]["class"], a[1]["rule"]) == ("int", "isolated", None)
assert all(x["expires_in"] > 0 for x in a)
PY
}
assert "node1: ext (external) first by the class rule, int (isolated) second" chk_explain

chk_text() {
	local out
	out=$(lc resolve node1) || return 1
	echo "$out" | sed -n 3,4p
	grep -q "1\. $ext1 .*ext .*external" <<<"$out" &&
		grep -q "ahead of the next: external network before isolated" <<<"$out" &&
		grep -q "2\. $int1 .*int .*isolated" <<<"$out" &&
		grep -q "lease expires in" <<<"$out"
}
assert "text output explains network, class, lease and rule" chk_text

chk_domain_filter() {
	local c
	c=$(cli_order node1.int.test)
	echo "node1.int.test: $c"
	[ "$c" = "$int1" ]
}
assert "name.<network domain> covers only that network" chk_domain_filter

chk_exit() { # WANT ARGS...
	local want=$1 rc=0
	shift
	lc "$@" >/dev/null 2>&1 || rc=$?
	echo "libvirt-cluster $*: exit $rc"
	[ "$rc" -eq "$want" ]
}
assert "resolve of a non-guest exits 2" chk_exit 2 resolve nosuchguest
assert "resolve of node3 (running, no lease) exits 2" chk_exit 2 resolve node3
assert "one miss among hits exits 2" chk_exit 2 resolve node1 nosuchguest
assert "resolve with no name is a usage error (64)" chk_exit 64 resolve

chk_miss_message() {
	local err
	err=$(lc resolve node3 2>&1 >/dev/null)
	echo "$err"
	[[ $err == *"node3: the guest is known but has no live address"* ]]
}
assert "node3's miss says why" chk_miss_message

chk_list() {
	local out
	out=$(lc list) || return 1
	echo "$out" | paste -sd'|'
	grep -q "^node1 .* running .*$ext1(ext) $int1(int)" <<<"$out" &&
		grep -q "^node2 .* running .*$ext2(ext)" <<<"$out" &&
		grep -q "^node3 .* running *-$" <<<"$out"
}
assert "list: every running guest, addresses in rank order" chk_list

"$LAB" exec virsh -q destroy node2 >/dev/null || not_ok "virsh destroy node2"
# Without a hook record the domain name of a stopped guest is gone with its
# .macs entry; its lingering lease still names it by its DHCP hostname.
chk_list_stopped() {
	local out all
	out=$(lc list) all=$(lc list --all)
	echo "list: $(echo "$out" | awk 'NR>1{print $1}' | paste -sd' '); list --all: $(echo "$all" | awk 'NR>1{print $1"="$5}' | paste -sd' ')"
	! grep -q -E '^node2(-dhcp)? ' <<<"$out" && grep -q -E '^node2(-dhcp)? .* stopped ' <<<"$all"
}
assert "a stopped guest: only in list --all, marked stopped" chk_list_stopped
assert "resolve of a stopped guest exits 2, like getent" chk_exit 2 resolve node2
chk_getent_stopped() {
	local rc=0
	labx getent ahosts node2 >/dev/null || rc=$?
	echo "getent ahosts node2: exit $rc"
	[ "$rc" -eq 2 ]
}
assert "getent agrees: node2 is gone" chk_getent_stopped

chk_list_json() {
	lc list --all --json | python3 -c '
import json, sys
l = {h["name"]: h for h in json.load(sys.stdin)}
print(", ".join(f"{n}={h['"'"'state'"'"']}" for n, h in sorted(l.items())))
n2 = l.get("node2") or l["node2-dhcp"]
assert n2["state"] == "stopped" and n2["addresses"] == [] and l["node1"]["state"] == "running"
assert [a["network"] for a in l["node1"]["addresses"]] == ["ext", "int"]'
}
assert "list --all --json parses and says the same" chk_list_json
finish
