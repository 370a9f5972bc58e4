#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Ansible inventory against the real lab, read by the real
# ansible-inventory (Debian's ansible-core): groups from each guest's
# cluster and group, ansible_host = the external address, _meta filled, and
# a bad group name is a loud failure that names the guest, never a drop.
. "$(dirname "$0")/cli-lib.sh"
command -v ansible-inventory >/dev/null || skip "ansible-inventory not installed (apt-get install ansible-core)"
lab_pick_nss
lab_up

eval "$("$LAB" env | grep "^MAC_")"
ext1=$("$LAB" addr node1 ext) ext2=$("$LAB" addr node2 ext)
wrapper=$LAB_BUILDDIR/cli/libvirt-cluster-inventory
[ -x "$wrapper" ] || { not_ok "$wrapper not built"; finish; }
adir=$LAB_DIR/ansible
mkdir -p "$adir"
# What a user would symlink: any name ending in "inventory" implies the command.
ln -sfn "$CLI" "$adir/libvirt-cluster-inventory"

# ansible-inventory in the lab; its HOME and temp dirs are the test's own.
ai() {
	labx env HOME="$adir" ANSIBLE_LOCAL_TEMP="$adir/tmp" ANSIBLE_INVENTORY_UNPARSED_FAILED=1 \
		LIBVIRT_CLUSTER_BIN="$CLI" ansible-inventory "$@"
}

# node1 and node2 in cluster "lab", groups WEB and DB; node3 has no record.
write_record node1 lxc lab WEB "$MAC_node1_int int virbr-int" "$MAC_node1_ext ext virbr-ext"
write_record node2 lxc lab DB "$MAC_node2_ext ext virbr-ext"

chk_list() { # INVENTORY
	local j
	j=$(ai -i "$1" --list 2>&1) || { echo "$j"; return 1; }
	python3 - "$j" "$ext1" "$ext2" <<'PY'
import json, sys
inv = json.loads(sys.argv[1])
hv = inv["_meta"]["hostvars"]
def hosts(g):
    return sorted(inv.get(g, {}).get("hosts", []))
print(f'LAB={hosts("LAB")} WEB={hosts("WEB")} DB={hosts("DB")} ungrouped={hosts("ungrouped")} '
      f'node1.ansible_host={hv["node1"]["ansible_host"]}')
assert hosts("LAB") == ["node1", "node2"]
assert hosts("WEB") == ["node1"] and hosts("DB") == ["node2"]
assert hosts("ungrouped") == ["node3"]
assert hv["node1"]["ansible_host"] == sys.argv[2]
assert hv["node2"]["ansible_host"] == sys.argv[3]
assert "ansible_host" not in hv["node3"]          # no lease: no address to give
assert [a["network"] for a in hv["node1"]["libvirt_cluster"]["addresses"]] == ["ext", "int"]
assert hv["node1"]["libvirt_cluster"]["group"] == "WEB"
PY
}
assert "ansible-inventory --list via the wrapper script" chk_list "$wrapper"
assert "ansible-inventory --list via a link named *inventory" chk_list "$adir/libvirt-cluster-inventory"

chk_graph() {
	local g
	g=$(ai -i "$wrapper" --graph 2>&1) || { echo "$g"; return 1; }
	echo "$g" | paste -sd' ' | tr -s ' '
	# Each group with its hosts, in the tree ansible-inventory draws.
	grep -A2 -- '--@LAB:' <<<"$g" | grep -- '--node1' >/dev/null &&
		grep -A2 -- '--@LAB:' <<<"$g" | grep -- '--node2' >/dev/null &&
		grep -A1 -- '--@WEB:' <<<"$g" | grep -- '--node1' >/dev/null &&
		grep -A1 -- '--@DB:' <<<"$g" | grep -- '--node2' >/dev/null &&
		grep -A1 -- '--@ungrouped:' <<<"$g" | grep -- '--node3' >/dev/null
}
assert "ansible-inventory --graph shows the groups" chk_graph

chk_host() {
	local v
	v=$(ai -i "$wrapper" --host node1 2>&1) || { echo "$v"; return 1; }
	echo "$v" | python3 -c '
import json, sys
v = json.load(sys.stdin)
print("ansible_host=" + v["ansible_host"])
assert v["ansible_host"] == sys.argv[1]' "$ext1"
}
assert "ansible-inventory --host node1" chk_host

chk_script_host() {
	local v
	v=$(lc inventory --host node2) && [ "$(echo "$v" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ansible_host"])')" = "$ext2" ] &&
		[ "$(lc inventory --host nosuch)" = "{}" ] && echo "node2 -> $ext2, nosuch -> {}"
}
assert "inventory --host: a host's variables, {} for an unknown one" chk_script_host

# A lowercase group: the inventory fails, naming the guest and the fix.
# The hook leaves an invalid group out of the record, so the CLI finds it in
# the guest's libvirt metadata, where the admin wrote it.
labx virsh -q metadata node2 urn:libvirt-cluster:metadata:1 --key lc \
	--set '<cluster name="lab" group="db"/>' --live >/dev/null || not_ok "virsh metadata node2"
write_record node2 lxc lab "" "$MAC_node2_ext ext virbr-ext"
chk_bad_group_script() {
	local out err rc=0
	err=$(lc inventory --list 2>&1 >/dev/null) || rc=$?
	out=$(lc inventory --list 2>/dev/null) || true
	echo "exit $rc: $err"
	[ "$rc" -eq 4 ] && [ -z "$out" ] && [[ $err == *"guest 'node2'"*"group 'db'"*"Fix: virsh metadata node2 urn:libvirt-cluster:metadata:1 --key lc --set '<cluster name=\"lab\" group=\"DB\"/>'"* ]]
}
assert "inventory --list with group 'db' (metadata): exit 4, stderr names node2 and the fix" chk_bad_group_script
chk_bad_group_ansible() {
	local out rc=0
	out=$(ai -i "$wrapper" --list 2>&1) || rc=$?
	echo "ansible-inventory exit $rc; $(echo "$out" | grep -o "guest 'node2'[^.]*" | head -1)"
	[ "$rc" -ne 0 ] && [[ $out == *"guest 'node2'"* ]]
}
assert "ansible-inventory fails loudly, showing our message" chk_bad_group_ansible
chk_doctor_group() {
	local out rc=0
	out=$(lc doctor 2>&1) || rc=$?
	echo "$out" | grep "guest node2" | head -1
	[ "$rc" -eq 1 ] && [[ $out == *"guest node2: group 'db' is not a valid group name"* ]]
}
assert "doctor reports the same guest" chk_doctor_group

# The same when a record carries the invalid group itself.
labx virsh -q metadata node2 urn:libvirt-cluster:metadata:1 --key lc --remove --live >/dev/null
write_record node2 lxc lab web-1 "$MAC_node2_ext ext virbr-ext"
chk_bad_group_record() {
	local err rc=0
	err=$(lc inventory --list 2>&1 >/dev/null) || rc=$?
	echo "exit $rc: $err"
	[ "$rc" -eq 4 ] && [[ $err == *"guest 'node2': group 'web-1'"*"group=\"WEB_1\""* ]]
}
assert "a record with group 'web-1': exit 4, suggests WEB_1" chk_bad_group_record

# Fixed as the message says: the inventory is whole again.
labx virsh -q metadata node2 urn:libvirt-cluster:metadata:1 --key lc \
	--set '<cluster name="lab" group="DB"/>' --live >/dev/null
write_record node2 lxc lab DB "$MAC_node2_ext ext virbr-ext"
assert "after the fix: ansible-inventory --list is whole again" chk_list "$wrapper"
finish
