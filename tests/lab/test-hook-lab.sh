#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The hook in a real libvirtd (the lab, tests/lab/lab): installed in the
# lab's private /etc/libvirt/hooks/{qemu,lxc,network}.d/ before libvirtd
# starts, it writes the records, renews DHCP in node3 (no DHCP client of its
# own), makes dnsmasq answer node2 (whose DHCP hostname is node2-dhcp),
# releases node2's lease on destroy, and rewrites the records on reconnect.
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

# The hook as libvirt will run it, with a config of its own (libvirt gives
# hooks no environment of ours) and a log file (no syslog in the lab).
RENEW_AFTER=5
lab_pick_nss
hook_test_setup "renew_after = $RENEW_AFTER\nrenew_tries = 2\n"
export LAB_HOOK=$work/hook

# At exit (lib.sh): the hook log, `lab down` (whose graceful destroy still
# runs the hook), and this test's own files go.
hook_lab_up
t_up=$(date +%s)
L=$LAB_NSS

rec() { "$LAB" exec cat "$RUN/$1.rec"; }
nic_networks() { rec "guest-$1" | awk '$1 == "nic" { print $3 }' | paste -sd' '; }

# ---- records written on start ------------------------------------------------
chk_records() {
	local f missing=
	for f in guest-node1 guest-node2 guest-node3 net-ext net-int; do
		"$LAB" exec test -s "$RUN/$f.rec" || missing="$missing $f"
	done
	echo "records in $RUN: $("$LAB" exec ls "$RUN" | paste -sd' ')"
	[ -z "$missing" ]
}
assert "records written for every guest and network on start" chk_records
chk_node1_record() {
	local nets
	nets=$(nic_networks node1)
	echo "node1's NICs in XML order: $nets; $(rec guest-node1 | grep -c '^nic') nic lines"
	[ "$nets" = "int ext" ] && grep -qx "driver lxc" <<<"$(rec guest-node1)"
}
assert "node1's record has its NICs in XML order (int, then ext)" chk_node1_record
chk_classes() {
	local e i
	e=$(rec net-ext | awk '$1 == "class" { print $2 }')
	i=$(rec net-int | awk '$1 == "class" { print $2 }')
	echo "ext: $e, int: $i; ext domain $(rec net-ext | awk '$1 == "domain" { print $2 }')"
	[ "$e" = external ] && [ "$i" = isolated ]
}
assert "network records: ext external, int isolated" chk_classes
assert "node1 resolves to its ext address first (external before NIC order, from its record)" \
	chk_node1_ext_first "$L" node1

# ---- node3: no DHCP client; the worker renews inside the container -----------
chk_node3_lease() {
	local deadline=$((t_up + RENEW_AFTER + 10)) l
	while :; do
		if l=$("$LAB" lease node3 ext 2>/dev/null); then
			echo "node3 lease $l after $(($(date +%s) - t_up)) s (renew_after $RENEW_AFTER)"
			return 0
		fi
		[ "$(date +%s)" -lt "$deadline" ] || break
		sleep 0.25
	done
	echo "no lease for node3 within renew_after + 10 s"
	return 1
}
assert "node3 gets a lease through the renewal worker within renew_after + 10 s" chk_node3_lease
chk_node3_configured() {
	local ip have
	ip=$("$LAB" addr node3 ext)
	have=$("$LAB" guest node3 ip -4 -o addr show dev eth0 | awk '{ print $4 }')
	echo "lease $ip; eth0 in node3 has ${have:-nothing}"
	[ -n "$ip" ] && [ "${have%/*}" = "$ip" ]
}
assert "node3's address is configured inside the guest, not only leased" chk_node3_configured
assert "node3 resolves to its new lease" chk_resolves_to "$L" node3 node3
# node3 ran no DHCP client: the renewal sent its hostname (else the worker adds a dns-host entry)
wait_dig() { # NAME WANT(ip|NXDOMAIN): dnsmasq on ext's gateway, polled for 10 s
	local end out
	end=$(($(date +%s) + 10))
	while :; do
		out=$("$LAB" exec dig +time=1 +tries=1 @10.250.1.1 "$1" A 2>&1)
		if [ "$2" = NXDOMAIN ]; then
			grep -q "status: NXDOMAIN" <<<"$out" && break
		else
			# no `grep -q` at the end of a pipe: under pipefail, the
			# writer's SIGPIPE would fail a match
			grep -qx "$2" <<<"$(awk '$4 == "A" { print $5 }' <<<"$out")" && break
		fi
		[ "$(date +%s)" -lt "$end" ] || {
			echo "dig @10.250.1.1 $1: $(echo "$out" | grep -E 'status:|IN[[:space:]]+A' | paste -sd' ')"
			return 1
		}
		sleep 0.2
	done
	echo "dig @10.250.1.1 $1: $2"
}
have_dig=1
"$LAB" exec sh -c 'command -v dig' >/dev/null 2>&1 || have_dig=0
if [ "$have_dig" = 1 ]; then
	n3=$("$LAB" addr node3 ext)
	assert "dnsmasq answers node3.lab.test (the hostname the renewal sent, or the worker's entry)" wait_dig node3.lab.test "$n3"
else
	echo "SKIP (not counted): dig is not installed (bind9-dnsutils)"
fi

# ---- node2: DHCP hostname node2-dhcp; dnsmasq answers node2 too ---------------
n2=$("$LAB" addr node2 ext)
if [ "$have_dig" = 1 ]; then
	assert "dig @ext node2.lab.test answers while node2 runs" wait_dig node2.lab.test "$n2"
fi
chk_dhcp_name_kept() {
	local h
	h=$("$LAB" exec grep -A3 "\"$n2\"" /var/lib/libvirt/dnsmasq/virbr-ext.status | awk -F'"' '/"hostname"/ { print $4 }')
	echo "node2's lease hostname in virbr-ext.status: ${h:-(none)}"
	[ "$h" = node2-dhcp ]
}
# dnsmasq reports an address's hosts-file name as its lease hostname: the
# entry names node2-dhcp first, so node2's own name stays
assert "node2's lease keeps its DHCP hostname node2-dhcp with the entry in place" chk_dhcp_name_kept
if [ "$have_dig" = 1 ]; then
	assert "dig @ext node2-dhcp.lab.test still answers" wait_dig node2-dhcp.lab.test "$n2"
fi
chk_one_entry() { # the worker's entries are not duplicated by reconnects or re-runs
	local n
	n=$("$LAB" exec virsh net-dumpxml ext | grep -c '<hostname>node2</hostname>')
	echo "ext's live <dns> has $n entr(y/ies) for node2"
	[ "$n" -eq 1 ]
}
assert "exactly one dns-host entry for node2" chk_one_entry

# ---- reconnect: restart libvirtd; records are rewritten ----------------------
restart_libvirtd() {
	# shellcheck disable=SC2016
	"$LAB" exec bash -c 'p=$(cat /run/libvirtd.pid); kill "$p"
		for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		libvirtd -d
		for _ in $(seq 100); do virsh -q list >/dev/null 2>&1 && break; sleep 0.1; done'
}
chk_reconnect() {
	local before after
	before=$(rec guest-node1)
	"$LAB" exec rm -f "$RUN/guest-node1.rec" "$RUN/guest-node3.rec"
	restart_libvirtd
	after=$(rec guest-node1 2>/dev/null)
	echo "after restart: $("$LAB" exec ls "$RUN" | paste -sd' ')"
	[ "$before" = "$after" ] && "$LAB" exec test -s "$RUN/guest-node3.rec"
}
log_before_restart=$(wc -l <"$work/log")
assert "restarting libvirtd (reconnect) rewrites the records, unchanged" chk_reconnect
assert "node1 still resolves ext first after the restart" chk_node1_ext_first "$L" node1
# Each reconnect starts a worker, whose DNS pass could add a second entry:
# judge after all three have logged their result (not after a fixed nap).
reconnect_workers_done() {
	local new g
	new=$(tail -n +"$((log_before_restart + 1))" "$work/log")
	for g in node1 node2 node3; do
		grep -q "lxc $g worker: " <<<"$new" || return 1
	done
}
chk_reconnect_workers() {
	local end=$(($(date +%s) + 30))
	until reconnect_workers_done; do
		[ "$(date +%s)" -lt "$end" ] || {
			echo "not every reconnect worker logged within 30 s"
			return 1
		}
		sleep 0.1
	done
	echo "$(tail -n +"$((log_before_restart + 1))" "$work/log" | grep -c ' worker: ') worker lines since the restart"
}
assert "after the restart, each guest's worker runs and logs its result" chk_reconnect_workers
assert "still one dns-host entry for node2 after reconnect" chk_one_entry

# ---- destroy node2: lease released, record and DNS entry gone ----------------
"$LAB" exec virsh -q destroy node2 >/dev/null || not_ok "virsh destroy node2"
chk_released() {
	local end
	end=$(($(date +%s) + 10))
	while "$LAB" exec grep -q "\"$n2\"" /var/lib/libvirt/dnsmasq/virbr-ext.status; do
		[ "$(date +%s)" -lt "$end" ] || {
			echo "$n2 still in virbr-ext.status"
			return 1
		}
		sleep 0.1
	done
	echo "$n2 gone from virbr-ext.status"
}
assert "virsh destroy node2: its lease leaves virbr-ext.status (DHCPRELEASE)" chk_released
assert "node2 no longer resolves" chk_unresolvable "$L" node2
chk_no_record() {
	if "$LAB" exec test -e "$RUN/guest-node2.rec"; then
		echo "guest-node2.rec still there"
		return 1
	fi
	echo "guest-node2.rec removed"
}
assert "node2's record is removed" chk_no_record
if [ "$have_dig" = 1 ]; then
	assert "dig @ext node2.lab.test: NXDOMAIN after destroy" wait_dig node2.lab.test NXDOMAIN
fi
assert "node1 and node3 still resolve" chk_resolves_to "$L" node3 node3

# ---- one log line per event ----------------------------------------------------
chk_log() {
	local bad
	bad=$(grep -v -E '^[0-9]+ libvirt-cluster-hook\[[0-9]+\]: (lxc|qemu|network) ' "$work/log" | head -3)
	echo "$(wc -l <"$work/log") log lines; $(grep -c ' worker: ' "$work/log") from workers"
	[ -z "$bad" ] && [ -s "$work/log" ]
}
assert "every log line names its event (one line per event)" chk_log
finish
