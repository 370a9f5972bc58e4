#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The hook installed after the guests started, and systemd-resolved.
#
# A lab comes up without hooks; then the hook is linked into the lab's
# private /etc/libvirt/hooks/{qemu,lxc,network}.d/ and libvirtd is HUPed.
# Inside the lab (never on the host) a private system bus and a real
# systemd-resolved run: the package is fetched with `apt-get download` and
# unpacked with `dpkg -x` into the build tree (once, shared; lib.sh), never
# installed.
#  - `libvirt-cluster-hook --sync` writes every record and registers ext
#    with resolved: `resolvectl status` shows ~lab.test on virbr-ext;
#  - `virsh net-destroy ext`: the record goes, resolved has no ~lab.test;
#  - `virsh net-start ext`: the network hook registers the new bridge
#    again, and resolvectl query node1.lab.test goes through it.
# The chk_* functions run through assert (lib.sh): shellcheck cannot see it.
# shellcheck disable=SC2317
here=$(cd "$(dirname "$0")" && pwd)
lib=${LAB_LIB:-$here/lib.sh}
if [ ! -f "$lib" ]; then
	echo "SKIP: the lab (tests/lab/lib.sh, from branch lab) is not in this tree" >&2
	exit 77
fi
# shellcheck source=tests/lab/lib.sh
. "$lib"

[ "$(id -u)" = 0 ] || skip "the lab needs root"
command -v dbus-daemon >/dev/null || skip "dbus-daemon is not installed (package dbus)"
lab_pick_nss

# Everything of this test's own lives in $work and goes when it ends.
hook_test_setup "renew_after = 2\nrenew_tries = 0\n"
# systemd-resolved, unpacked once per build tree (lib.sh); read-only here.
resolved_tree || {
	rm -rf "$work"
	skip "no systemd-resolved to run: $RESOLVED_WHY"
}
X=$RESOLVED_ROOT
RLD=$RESOLVED_LD_PATH

# At exit (lib.sh's hook_lab_exit): the hook log, resolved's log, `lab
# down`, and this test's own files go.  The lab comes up without the hook.
resolved_at_exit() {
	echo "--- resolved log (tail)"
	tail -n 15 "$work/resolved.log" 2>/dev/null
}
unset LAB_HOOK
hook_lab_up resolved_at_exit
L=$LAB_NSS
resolvectl() { "$LAB" exec env LD_LIBRARY_PATH="$RLD" "$X/usr/bin/resolvectl" "$@"; }

# ---- start the bus and resolved inside the lab (resolved-up.sh) -----------------
chk_resolved_up() {
	local out
	out=$("$LAB" exec bash "$lab_srcdir/resolved-up.sh" "$X" "$RLD" "$work" 2>&1) || {
		echo "$out" | tail -n 3
		return 1
	}
	echo "resolved answers on the lab's system bus"
}
assert "a private system bus and systemd-resolved run inside the lab" chk_resolved_up

# ---- no hooks yet: no records ---------------------------------------------------------
chk_no_records() {
	local n
	n=$("$LAB" exec sh -c "ls $RUN 2>/dev/null | wc -l")
	echo "$n records before the hook is installed"
	[ "$n" -eq 0 ]
}
assert "without the hook, no records" chk_no_records

# ---- install the hook into the private libvirt, HUP, --sync --------------------------
for d in qemu lxc network; do
	mkdir -p "$LAB_DIR/root/etc/libvirt/hooks/$d.d"
	ln -sfn "$work/hook" "$LAB_DIR/root/etc/libvirt/hooks/$d.d/libvirt-cluster"
done
reloads=$(lab_reload_marker)
# shellcheck disable=SC2016 # expanded inside the lab
"$LAB" exec sh -c 'kill -HUP "$(cat /run/libvirtd.pid)"' || not_ok "HUP libvirtd"
# libvirtd rereads its hooks in a thread of its own: wait for it (lib.sh)
lab_wait_reload "$reloads" || not_ok "libvirtd did not reread its hooks within 30 s of SIGHUP"
sync_out=$("$LAB" exec env LIBVIRT_CLUSTER_CONFIG="$work/conf" LIBVIRT_CLUSTER_HOOK_LOG_FILE="$work/log" \
	LIBVIRT_CLUSTER_RUNSTATE_DIR="$RUN" "$hook_bin" --sync 2>&1)
chk_sync() {
	local f missing=
	for f in guest-node1 guest-node2 guest-node3 net-ext net-int; do
		"$LAB" exec test -s "$RUN/$f.rec" || missing="$missing $f"
	done
	echo "--sync: $sync_out; records: $("$LAB" exec ls "$RUN" | paste -sd' ')"
	[ -z "$missing" ]
}
assert "--sync rebuilds every record from the running daemon" chk_sync
assert "node1 resolves ext first from the synced records" chk_node1_ext_first "$L" node1

chk_link_domain() { # BRIDGE: resolvectl shows ~lab.test and ext's gateway on it
	local out
	out=$(resolvectl status "$1" 2>&1)
	echo "$out" | grep -E 'DNS Servers|DNS Domain|Protocols' | sed 's/^ *//' | paste -sd';'
	grep -q 'DNS Domain: ~lab.test' <<<"$out" && grep -q 'DNS Servers: 10.250.1.1' <<<"$out" &&
		grep -q -- '-DefaultRoute' <<<"$out"
}
assert "after --sync, resolved routes ~lab.test to virbr-ext (DefaultRoute off)" chk_link_domain virbr-ext
chk_int_domain() {
	local out
	out=$(resolvectl status virbr-int 2>&1)
	echo "$out" | grep -E 'DNS Domain' | sed 's/^ *//'
	grep -q 'DNS Domain: ~int.test' <<<"$out"
}
assert "and ~int.test to virbr-int" chk_int_domain
chk_query() {
	local out want
	want=$("$LAB" addr node1 ext)
	out=$(resolvectl query node1.lab.test 2>&1 | head -n 1)
	echo "resolvectl query node1.lab.test: $out"
	grep -q "$want" <<<"$out" && grep -q "link: virbr-ext" <<<"$out"
}
assert "resolvectl query node1.lab.test goes to ext's dnsmasq" chk_query

# ---- net-destroy: RevertLink / link gone, record gone ---------------------------------
"$LAB" exec virsh -q net-destroy ext >/dev/null || not_ok "virsh net-destroy ext"
chk_no_domain() {
	local out
	out=$(resolvectl status 2>&1)
	if grep -q 'lab.test' <<<"$out"; then
		echo "resolved still has lab.test: $(echo "$out" | grep 'lab.test')"
		return 1
	fi
	"$LAB" exec test -e "$RUN/net-ext.rec" && {
		echo "net-ext.rec still there"
		return 1
	}
	echo "no ~lab.test in resolved; net-ext.rec removed; $(grep 'network ext stopped' "$work/log" | tail -n 1 | cut -d' ' -f3-)"
}
assert "after net-destroy ext, resolved has no ~lab.test and the record is gone" chk_no_domain

# ---- net-start: the network hook registers the new bridge ------------------------------
"$LAB" exec virsh -q net-start ext >/dev/null || not_ok "virsh net-start ext"
chk_again() {
	# the hook may leave it to its detached retry worker (up to 10 s)
	local end=$(($(date +%s) + 15))
	until chk_link_domain virbr-ext >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || break
		sleep 0.1
	done
	chk_link_domain virbr-ext
}
assert "after net-start ext, the hook registers ~lab.test on the new virbr-ext" chk_again
chk_idx() {
	local rec_idx sys_idx
	# shellcheck disable=SC2016 # awk's own $1
	rec_idx=$("$LAB" exec awk '$1 == "ifindex" { print $2 }' "$RUN/net-ext.rec")
	sys_idx=$("$LAB" exec cat /sys/class/net/virbr-ext/ifindex)
	echo "record ifindex $rec_idx, virbr-ext is $sys_idx"
	[ -n "$rec_idx" ] && [ "$rec_idx" = "$sys_idx" ]
}
assert "the new record carries the new bridge's ifindex" chk_idx
finish
