#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The hook against the host's own faults (issue 15), in a real libvirtd
# (the lab), each case judged by what glibc answers and by the records:
#  1. a full /run: a 256 KiB tmpfs over the lab's record directory (the
#     records copied in), filled.  Two guests start: fulla (its own DHCP
#     client) and fullb (none: the worker must renew).  Each hook event
#     exits 0 within its usual time and logs one line; both guests start
#     and resolve; a reader polling every record the whole time never sees
#     a torn, empty or unparsable one; once space returns `--refresh` (the
#     timer's, every minute) writes the missing records;
#  2. a network destroyed while its guests run (`virsh net-destroy int`,
#     node1 has a NIC on it): its record goes, the guest records stay, and
#     the answers and records agree with libvirt (no systemd-resolved in
#     the lab: its link state is not checked here);
#  3. a host reboot: guests running, node1 and node2 and the networks set
#     to autostart, node3 not; the lab's processes all SIGKILLed at once
#     (no stopped hook runs), its /run a fresh tmpfs, libvirtd started on
#     the kept state (lab reboot).  Before the boot-time `--sync`, the
#     module answers what libvirt's files say: node1 and node2 resolve once
#     autostarted; node3, running before and stopped now, still resolves
#     (libvirt keeps its MAC in .macs after the power cut and its lease is
#     live: "what the leases say", reported); the boot-time `--sync` then
#     leaves every record right and releases node3's lease, as its stopped
#     hook would have, and node3 no longer resolves.
# Then the invariants every hook test ends with (lib.sh: hook_invariants).
# The chk_* functions run through assert (lib.sh): shellcheck cannot see it.
# shellcheck disable=SC2317
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lab/lib.sh
. "${LAB_LIB:-$here/lib.sh}"

RENEW_AFTER=3
lab_pick_nss
hook_test_setup "debug = yes\nrenew_after = $RENEW_AFTER\nrenew_tries = 2\n"
export LAB_HOOK=$work/hook LAB_NODE3_DHCP=1
hook_lab_up
in_lab() { "$LAB" exec "$@"; }
sync_out() { in_lab "$work/hook" --sync 2>&1; }
rec_exists() { in_lab test -s "$RUN/guest-$1.rec"; }
ms_since() { echo $(($(date +%s%3N) - $1)); }
# the log lines of GUEST's events since line N, debug lines ("done in") apart
event_lines() { tail -n +"$(($2 + 1))" "$work/log" | grep -E ": lxc $1 [a-z]+: " | grep -v ': done in '; }

# ---- 1. a full /run -------------------------------------------------------------------------
"$LAB" define fulla fulla "ext:52:54:00:1f:00:01" || not_ok "lab define fulla"
"$LAB" define fullb -fullb "ext:52:54:00:1f:00:02" || not_ok "lab define fullb"
# shellcheck disable=SC2016 # the lab's shell expands them
in_lab sh -c 'mkdir -p /run/lc-saved && cp -a "$1"/. /run/lc-saved/ &&
	mount -n -t tmpfs -o size=256k,mode=755 lc-full "$1" && cp -a /run/lc-saved/. "$1"/ && rm -rf /run/lc-saved &&
	{ dd if=/dev/zero of="$1/.fill" bs=4k 2>/dev/null; true; }' _ "$RUN" || not_ok "a full tmpfs over $RUN"
# a reader of every record, through case 1 and case 2 (it ends by itself)
in_lab "$LAB_BUILDDIR/tests/lab/lc-record-check" --watch 25000 "$RUN" >"$work/watch" 2>&1 &
watch_pid=$!
chk_full() {
	echo "$(in_lab df -k --output=avail "$RUN" | tail -n 1 | tr -d ' ') KiB free in $RUN, $(in_lab ls "$RUN" | grep -c '\.rec$') records"
	[ "$(in_lab df -k --output=avail "$RUN" | tail -n 1 | tr -d ' ')" -eq 0 ]
}
assert "case 1: $RUN is full" chk_full
n_log=$(wc -l <"$work/log")
t_full=$(date +%s%3N)
hook_virsh_all start fulla fullb || not_ok "case 1: a virsh start failed with /run full"
chk_full_events() { # GUEST
	local lines n bad times
	lines=$(event_lines "$1" "$n_log")
	n=$(grep -c . <<<"$lines")
	bad=$(grep -v -c 'No space left on device' <<<"$lines")
	times=$(tail -n +"$((n_log + 1))" "$work/log" | sed -n -E "s/.*: lxc $1 ([a-z]+): done in ([0-9]+) ms$/\1 \2/p" | paste -sd,)
	echo "$1: $n lines for prepare, start, started, $bad without ENOSPC; done in: $times; $(sed 's/^[0-9]* libvirt-cluster-hook\[[0-9]*\]: //' <<<"$lines" | head -n 1)"
	[ "$n" -eq 3 ] && [ "$bad" -eq 0 ] && ! grep -v -q -E ' [0-9]{1,2}$| 1[0-9]{2}$| 2[0-4][0-9]$' <<<"${times//,/$'\n'}"
}
assert "case 1: with /run full each of fulla's events logs one line (ENOSPC) and ends within 250 ms" chk_full_events fulla
assert "case 1: and fullb's" chk_full_events fullb
chk_full_resolve() {
	local out never
	out=$(hook_wait_resolved $((RENEW_AFTER + 20)) fulla fullb)
	never=$(awk '$3 == "-" { print $1 }' <<<"$out" | paste -sd' ')
	echo "$(echo "$out" | paste -sd';') (ms: lease seen, resolved)${never:+; never: $never}; records: $(in_lab ls "$RUN" | grep -c '^guest-full')"
	[ -z "$never" ]
}
assert "case 1: both guests run and resolve, fullb through the worker's renewal" chk_full_resolve
in_lab rm -f "$RUN/.fill"
refresh1=$(in_lab "$work/hook" --refresh 2>&1)
chk_space_back() {
	echo "--refresh $(ms_since "$t_full") ms after the starts: $refresh1"
	rec_exists fulla && rec_exists fullb && chk_records_parse >/dev/null
}
assert "case 1: once space returns --refresh writes both records" chk_space_back
hook_virsh_all destroy fulla fullb >/dev/null

# ---- 2. a network destroyed while its guests run -------------------------------------------
n1_int=$("$LAB" addr node1 int)
n1_ext=$("$LAB" addr node1 ext)
in_lab virsh -q net-destroy int >/dev/null || not_ok "virsh net-destroy int"
chk_net_gone() {
	echo "net-int record $(in_lab test -e "$RUN/net-int.rec" && echo LEFT || echo gone), node1's record $(rec_exists node1 && echo kept || echo GONE); getent ahostsv4 node1: $(ahosts_addrs "$LAB_NSS" node1 | oneline) (ext $n1_ext, int $n1_int)"
	! in_lab test -e "$RUN/net-int.rec" && rec_exists node1
}
assert "case 2: int destroyed under node1: its record goes, node1's stays" chk_net_gone
assert "case 2: node1 still resolves to its ext address first" chk_resolves_to_ip "$LAB_NSS" node1 "$n1_ext" node1
assert "case 2: names and records agree with libvirt" chk_truth
in_lab virsh -q net-start int >/dev/null || not_ok "virsh net-start int"
assert "case 2: int started again: its record is back" in_lab test -s "$RUN/net-int.rec"

# (waited for here: assert runs its check in a subshell, which cannot)
watch_rc=0
wait "$watch_pid" || watch_rc=$?
chk_never_torn() {
	echo "a reader from the fill on, through case 2: $(cat "$work/watch")"
	[ "$watch_rc" -eq 0 ] && grep -q ' 0 bad$' "$work/watch"
}
assert "case 1: no read, from the fill to after case 2, saw a torn, empty or unparsable record" chk_never_torn

# ---- 3. a host reboot ---------------------------------------------------------------------------
for n in ext int; do in_lab virsh -q net-autostart "$n" >/dev/null || not_ok "net-autostart $n"; done
for g in node1 node2; do in_lab virsh -q autostart "$g" >/dev/null || not_ok "autostart $g"; done
n3_ip=$("$LAB" addr node3 ext)
t_boot=$(date +%s%3N)
"$LAB" reboot || not_ok "lab reboot"
# right after the boot: libvirtd answers; its autostart may still run
chk_before_sync() {
	local out never
	out=$(hook_wait_resolved 60 node1 node2)
	never=$(awk '$3 == "-" { print $1 }' <<<"$out" | paste -sd' ')
	echo "node1 and node2 resolve $(awk '{ print $3 }' <<<"$out" | sort -n | tail -n 1) ms after libvirtd answered${never:+; never: $never}"
	[ -z "$never" ]
}
assert "case 3: after the reboot, before --sync: node1 and node2 (autostarted) resolve" chk_before_sync
n3_before=$(hook_names_resolving node3)
echo "case 3: before --sync, node3 (stopped) ${n3_before:+still }$([ -n "$n3_before" ] && echo "resolves" || echo "does not resolve"); its lease $n3_ip is $("$LAB" lease node3 ext >/dev/null && echo "still live in virbr-ext.status" || echo gone); virbr-ext.macs names $(grep -o '"domain": "[^"]*"' "$LAB_DIR/root/var/lib/libvirt/dnsmasq/virbr-ext.macs" | cut -d'"' -f4 | paste -sd' ')"
chk_boot_records() {
	local recs
	recs=$(in_lab ls "$RUN" 2>/dev/null | paste -sd' ')
	echo "records after autostart: $recs"
	[ "$recs" = "guest-node1.rec guest-node2.rec net-ext.rec net-int.rec" ]
}
assert "case 3: the autostart hooks wrote the records of what runs, and only those" chk_boot_records
boot_sync=$(sync_out)
chk_boot_sync() {
	local lease
	lease=$("$LAB" lease node3 ext 2>/dev/null)
	echo "boot-time --sync $(ms_since "$t_boot") ms after the power cut: $boot_sync; node3's lease: ${lease:-released}"
	# leaseshelper drops a released lease from .status a moment later
	poll_until 10 sh -c "! '$LAB' lease node3 ext >/dev/null 2>&1" && chk_truth >/dev/null
}
assert "case 3: the boot-time --sync leaves every record right and releases stopped node3's lease" chk_boot_sync
assert "case 3: node3 no longer resolves" chk_unresolvable "$LAB_NSS" node3

hook_invariants fulla fullb
finish
