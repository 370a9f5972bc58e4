#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A hook worker SIGKILLed in the middle of its work (issue 15), in a real
# libvirtd (the lab) with cluster DNS against a real BIND 9 inside the
# lab's namespaces (named -g, a private config and TSIG key, port 5353):
#  1. mid-publish: an nftables rule in the lab's namespace drops the
#     server's replies, so the worker waits on DNS after the server took
#     its forward update; SIGKILLed there it leaves the name without its
#     PTR and nothing in the spool; `--sync` publishes the whole set;
#  2. mid-withdraw: the same while the stopped guest's worker removes its
#     names; `--sync` removes what it left (this host's, no guest);
#  3. mid-discovery: a guest without DHCP; its worker's discovery is
#     SIGKILLed (strace injects it) as it writes the address it found, so
#     the record keeps no address and a temp file is left; `--refresh`
#     (the timer's, every 60 s) writes the address and removes the file;
#  4. in its backoff: the server down at boot, the worker spools its publish
#     and is SIGKILLed while it waits to retry; the server comes back: a
#     `--refresh` before the entry is due leaves it (the backoff spares a
#     server that is down), the first after delivers it.
# The case before its renewal and DNS update is test-hook-faults.sh's.
# Then the invariants every hook test ends with (lib.sh: hook_invariants).
# The chk_* functions run through assert (lib.sh): shellcheck cannot see it.
# shellcheck disable=SC2317
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lab/lib.sh
. "${LAB_LIB:-$here/lib.sh}"
# shellcheck source=tests/lab/hook-ddns.sh
. "$here/hook-ddns.sh"
hook_ddns_need nft

lab_pick_nss
hook_test_setup "renew_after = 3\nrenew_tries = 0\ndiscover_timeout = 30\n"
hook_ddns_setup
export LAB_HOOK=$work/hook
hook_lab_up
in_lab() { "$LAB" exec "$@"; }
dw() { hook_dw "$@"; }
dq() { hook_dq "$@"; }
rev_of() { echo "$1" | awk -F. '{ print $4 "." $3 "." $2 "." $1 ".in-addr.arpa" }'; }
spool_n() { find "$work/spool" -name '*.ddns' | wc -l; }
ms_since() { echo $(($(date +%s%3N) - $1)); }

hook_named_up || not_ok "named did not start"
# the hook processes of GUEST's events: libvirt runs the hook as "HOOK
# GUEST OP SUBOP -", and its worker and discovery keep that command line
guest_pids() {
	local p
	for p in $(hook_pids); do
		in_lab cat "/proc/$p/cmdline" 2>/dev/null | tr '\0' '\n' | sed -n 2p | grep -qx "$1" && echo "$p"
	done
}

# The server's replies dropped in the lab's namespace (where it, libvirtd
# and the workers run): the request is taken, its answer never comes.
drop_replies() {
	in_lab nft -f - <<-EOF
		table inet lcdrop {
			counter dropped { }
			chain out {
				type filter hook output priority 0;
				udp sport $PORT counter name dropped drop
			}
		}
	EOF
}
dropped() { in_lab nft list counter inet lcdrop dropped | awk '/packets/ { print $2 }'; }
undrop() { in_lab nft delete table inet lcdrop; }
# kill_worker_on_drop WHAT: once a reply was dropped (the worker then
# waits up to 2 s for it), SIGKILL kp's hook processes (its worker);
# prints what it did
kill_worker_on_drop() {
	local end=$(($(date +%s) + 20)) pids t0
	t0=$(date +%s%3N)
	until [ "$(dropped)" -ge 1 ] 2>/dev/null; do
		[ "$(date +%s)" -lt "$end" ] || break
		sleep 0.02
	done
	pids=$(guest_pids kp | paste -sd' ')
	# shellcheck disable=SC2086
	[ -n "$pids" ] && in_lab kill -KILL $pids
	echo "$1: $(dropped) repl(y/ies) dropped after $(ms_since "$t0") ms; killed worker(s): ${pids:-none}"
	[ -n "$pids" ] && [ "$(dropped)" -ge 1 ]
}

# ---- 1. SIGKILLed mid-publish --------------------------------------------------------
"$LAB" define kp kp "ext:52:54:00:1e:02:01" || not_ok "lab define kp"
drop_replies || not_ok "nft rule in the lab"
hook_virsh_all start kp || not_ok "virsh start kp"
assert "case 1: the worker is SIGKILLed while it waits on the server's reply" kill_worker_on_drop publish
undrop
kp_ip=$("$LAB" addr kp ext)
chk_half_published() {
	local a p
	a=$(dq A kp.$ZONE) p=$(dq PTR "$(rev_of "$kp_ip")")
	echo "kp.$ZONE A: ${a:-(none)}; PTR of $kp_ip: ${p:-(none)}; kp's spool file: $([ -e "$work/spool/kp.ddns" ] && echo THERE || echo none)"
	[ "$a" = "$kp_ip" ] && [ -z "$p" ] && [ ! -e "$work/spool/kp.ddns" ]
}
assert "case 1: it left the name without its PTR, and nothing in the spool" chk_half_published
chk_sync_repairs() { # GUEST... (after --sync: each whole set, nothing spooled)
	local out t0
	t0=$(date +%s%3N)
	out=$(in_lab "$work/hook" --sync 2>&1 | grep 'cluster DNS')
	echo "--sync in $(ms_since "$t0") ms: $out; $(dw sets "$@" | paste -sd';'); $(spool_n) spooled"
	dw sets "$@" >/dev/null && [ "$(spool_n)" -eq 0 ]
}
# the timer's --refresh (every minute) finds the set incomplete in the zone
# and publishes it again, before any --sync
chk_refresh_repairs() { # GUEST...
	local out t0
	t0=$(date +%s%3N)
	out=$(in_lab "$work/hook" --refresh 2>&1)
	echo "--refresh in $(ms_since "$t0") ms: $out; $(dw sets "$@" | paste -sd';'); $(spool_n) spooled"
	echo "$out" | grep -q "[1-9][0-9]* names\? published again" && dw sets "$@" >/dev/null &&
		[ ! -e "$work/spool/kp.ddns" ]
}
assert "case 1: --refresh sees kp's set incomplete in the zone and publishes it whole (kp's own spool empty; other guests' entries wait for their backoff)" chk_refresh_repairs kp
chk_refresh_idle() {
	local out
	out=$(in_lab "$work/hook" --refresh 2>&1)
	echo "--refresh again: $out"
	echo "$out" | grep -q ", 0 names published again, [1-9][0-9]* as they were"
}
assert "case 1: a second --refresh finds every set as it should be and sends nothing" chk_refresh_idle
assert "case 1: --sync publishes the whole set" chk_sync_repairs kp

# ---- 2. SIGKILLed mid-withdraw -------------------------------------------------------
drop_replies || not_ok "nft rule in the lab"
hook_virsh_all destroy kp >/dev/null || not_ok "virsh destroy kp"
assert "case 2: the stopped guest's worker is SIGKILLed while it waits on the server" kill_worker_on_drop withdraw
undrop
chk_half_withdrawn() {
	local left
	left=$(for t in A TXT DHCID; do dq $t kp.$ZONE; done | paste -sd' ')
	left="$left $(dq PTR "$(rev_of "$kp_ip")")"
	echo "left of kp after the kill: ${left// /}; kp's spool file: $([ -e "$work/spool/kp.ddns" ] && echo THERE || echo none)"
	[ -n "${left// /}" ]
}
assert "case 2: it left some of kp's names" chk_half_withdrawn
chk_sync_removes() {
	local out
	out=$(in_lab "$work/hook" --sync 2>&1 | grep 'cluster DNS')
	echo "--sync: $out; $(dw gone 5 kp)"
	dw gone 5 kp >/dev/null && [ "$(spool_n)" -eq 0 ]
}
assert "case 2: --sync removes every name and PTR kp left" chk_sync_removes

# ---- 3. SIGKILLed mid-discovery ------------------------------------------------------
DSC_IP=10.250.1.100
"$LAB" define dsc -dsc "ext:52:54:00:1e:02:02" || not_ok "lab define dsc"
hook_virsh_all start dsc || not_ok "virsh start dsc"
# the discovery: the worker's child, both the hook's binary
discovery_pid() {
	local p pp pids
	pids=$(guest_pids dsc)
	for p in $pids; do
		pp=$(in_lab awk '/^PPid:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
		grep -qx "$pp" <<<"$pids" && echo "$p"
	done
}
dpid=
for _ in $(seq 100); do
	dpid=$(discovery_pid | head -n 1)
	[ -n "$dpid" ] && break
	sleep 0.05
done
before=$(in_lab cat "$RUN/guest-dsc.rec" 2>/dev/null)
in_lab strace -qq -o /dev/null -p "$dpid" -e trace=rename,renameat,renameat2 \
	-e inject=rename,renameat,renameat2:signal=KILL >/dev/null 2>&1 &
traced() { [ "$(in_lab awk '/^TracerPid:/ { print $2 }' "/proc/$dpid/status" 2>/dev/null)" -gt 0 ] 2>/dev/null; }
poll_until 10 traced || not_ok "strace did not attach to the discovery ($dpid)"
# the guest's address comes now, while the discovery looks (its rounds
# back off from 200 ms to 5 s)
"$LAB" guest dsc ip addr add $DSC_IP/24 dev eth0 || not_ok "address in dsc"
t_addr=$(date +%s%3N)
dead() { ! in_lab test -e "/proc/$dpid"; }
chk_discovery_killed() {
	local tmp now
	poll_until 20 dead || {
		echo "the discovery $dpid still runs $(ms_since "$t_addr") ms after the address came"
		return 1
	}
	# the worker itself, if it still waits for a lease
	guest_pids dsc | while read -r p; do in_lab kill -KILL "$p"; done
	tmp=$(in_lab sh -c "ls $RUN | grep '\.tmp\.'" | paste -sd' ')
	now=$(in_lab cat "$RUN/guest-dsc.rec" 2>/dev/null)
	echo "discovery $dpid SIGKILLed at its rename $(ms_since "$t_addr") ms after the address came; temp file: ${tmp:-none}; record $([ "$now" = "$before" ] && echo unchanged || echo CHANGED); dsc resolves: $(hook_names_resolving dsc | paste -sd' ')"
	[ -n "$tmp" ] && [ "$now" = "$before" ] && [ -z "$(hook_names_resolving dsc)" ]
}
assert "case 3: the discovery, killed as it writes $DSC_IP, leaves the record without it and a temp file" chk_discovery_killed
chk_refresh_repairs() {
	local out tmp t0
	t0=$(date +%s%3N)
	out=$(in_lab "$work/hook" --refresh 2>&1)
	tmp=$(in_lab sh -c "ls $RUN | grep '\.tmp\.'" | paste -sd' ')
	echo "--refresh in $(ms_since "$t0") ms: $out; temp files: ${tmp:-none}"
	chk_resolves_to_ip "$LAB_NSS" dsc $DSC_IP dsc && [ -z "$tmp" ]
}
assert "case 3: --refresh writes the address and removes the temp file" chk_refresh_repairs
hook_virsh_all destroy dsc >/dev/null || not_ok "virsh destroy dsc"

# ---- 4. SIGKILLed in its backoff, the publish in the spool ---------------------------
hook_named_down || not_ok "stopping named"
"$LAB" define kq kq "ext:52:54:00:1e:02:03" || not_ok "lab define kq"
hook_virsh_all start kq || not_ok "virsh start kq"
kq_spooled() { grep -qx 'op publish' "$work/spool/kq.ddns" 2>/dev/null; }
chk_killed_in_backoff() {
	local pids
	poll_until 20 kq_spooled || {
		echo "kq's publish was not spooled within 20 s"
		return 1
	}
	pids=$(guest_pids kq | paste -sd' ')
	# shellcheck disable=SC2086
	[ -n "$pids" ] && in_lab kill -KILL $pids
	echo "kq's publish spooled ($(grep '^error' "$work/spool/kq.ddns" | head -c 120)); killed worker(s): ${pids:-none}"
	[ -n "$pids" ]
}
assert "case 4: the server down, kq's worker spools its publish and is SIGKILLed in its backoff" chk_killed_in_backoff
hook_named_up || not_ok "named did not start again"
kq_next=$(sed -n 's/^next //p' "$work/spool/kq.ddns")
chk_refresh_not_due() {
	local out
	out=$(in_lab "$work/hook" --refresh 2>&1)
	echo "--refresh $(($(date +%s) - kq_next)) s after kq's next try: $out; kq.ddns $([ -e "$work/spool/kq.ddns" ] && echo kept || echo GONE)"
	[ "$(date +%s)" -lt "$kq_next" ] && [ -e "$work/spool/kq.ddns" ] && [ -z "$(dq A kq.$ZONE)" ]
}
assert "case 4: a --refresh before the entry is due leaves it in the spool" chk_refresh_not_due
while [ "$(date +%s)" -le "$kq_next" ]; do sleep 0.5; done
chk_refresh_delivers() {
	local out
	out=$(in_lab "$work/hook" --refresh 2>&1)
	echo "--refresh $(($(date +%s) - kq_next)) s after kq's next try: $out; $(dw sets kq); kq.ddns $([ -e "$work/spool/kq.ddns" ] && echo LEFT || echo gone)"
	dw sets kq >/dev/null && [ ! -e "$work/spool/kq.ddns" ]
}
assert "case 4: the first --refresh after delivers kq's publish" chk_refresh_delivers
hook_virsh_all destroy kq >/dev/null || not_ok "virsh destroy kq"
assert "case 4: kq's worker withdraws it at the destroy" dw gone 10 kq

hook_invariants kp dsc kq
finish
