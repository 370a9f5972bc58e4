#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's main job, `./run.sh demo` (tests/lab/demo.sh), as a test: run
# it on a lab of its own and check what it shows.  Every guest with a lease
# resolves by name, node3 (no lease) does not, ssh node1 answers "node1",
# ansible's ping answers pong from node1 and node2 by bare names and
# through the dynamic inventory, node1's external address comes first, a
# destroyed guest stops resolving at once, and the lab is gone at the end.
# shellcheck disable=SC2317 # the chk_* functions run through assert
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "the lab needs root"
lab_pick_nss
[ "$LAB_NSS" = "$OURS_NSS" ] || skip "the demo shows this project's module (LAB_NSS is '$LAB_NSS')"
export LAB_DIR=$LAB_BUILDDIR/tests/lab/$test_name.lab
trap '"$LAB" down >/dev/null 2>&1 || true' EXIT

demo_out=$("$lab_srcdir/demo.sh" 2>&1)
rc=$?
printf '| %s\n' "${demo_out//$'\n'/$'\n'| }"

# section NAME: the lines of the demo's section "==> NAME" (up to the next)
section() { awk -v want="==> $1" 'index($0, "==> ") { on = index($0, want) > 0; next } on' <<<"$demo_out"; }
chk_rc() {
	echo "exit $rc"
	[ "$rc" = 0 ]
}
assert "the demo runs to the end" chk_rc

chk_names() {
	local s n a
	s=$(section "every guest by name")
	for n in node1 node1.lab.test node2 node2-dhcp node3; do
		a=$(awk -v cmd="\$ getent hosts $n" '
			$0 == cmd || index($0, cmd "   #") == 1 { on = 1; next }
			on { if ($0 ~ /not found/) print "not found"; else print $1; exit }' <<<"$s")
		echo -n "$n: ${a:-(no line)}; "
		case $n in
		node3) [ "$a" = "not found" ] || return 1 ;;
		*) [[ $a =~ ^10\.250\.1\.[0-9]+$ ]] || return 1 ;;
		esac
	done
}
assert "getent hosts: node1, node1.lab.test, node2 and node2-dhcp have external addresses; node3 has none" chk_names

chk_ssh() {
	local s
	s=$(section "ssh by name")
	echo "$s" | paste -sd' '
	grep -qx "  node1" <<<"$s"
}
assert "ssh node1 hostname answers node1" chk_ssh

chk_ansible() {
	local s
	s=$(section "ansible by name")
	echo "$s" | grep -c "SUCCESS => pong" | sed 's/$/ pongs/'
	[ "$(grep -c "^  node1 | SUCCESS => pong" <<<"$s")" = 2 ] &&
		[ "$(grep -c "^  node2 | SUCCESS => pong" <<<"$s")" = 2 ] &&
		grep -q "^  node3 | UNREACHABLE" <<<"$s"
}
if command -v ansible >/dev/null; then
	assert "ansible -m ping: pong from node1 and node2 by bare names and through the inventory; node3 unreachable" chk_ansible
fi

chk_order() {
	local s
	s=$(section "node1's address order")
	grep -m1 "first: the external" <<<"$s"
	grep -q "answers 10\.250\.1\.[0-9]* first: the external" <<<"$s"
}
assert "node1's external address comes first" chk_order

chk_stop() {
	local s
	s=$(section "a guest stops")
	echo "$s" | grep -A1 -E '^\$ getent hosts node2' | paste -sd' '
	[ "$(grep -c "(not found, exit 2)" <<<"$s")" = 2 ] && grep -q "matching lease entries: 1" <<<"$s"
}
assert "after virsh destroy node2, node2 and node2-dhcp are not found though the lease is still there" chk_stop

chk_down() {
	section "done in" | paste -sd' '
	grep -q "lab torn down" <<<"$demo_out" && [ ! -e "$LAB_DIR/lab.id" ]
}
assert "the demo takes its lab down" chk_down
finish
