#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Cluster DNS through the real hook in a real libvirtd (the lab): the
# guests boot while the DNS server is down, so their workers spool the
# updates; a BIND 9 (named -g, private config) then starts inside the lab's
# namespaces and `libvirt-cluster-hook --sync` delivers them and reconciles
# the zone; a destroyed guest's worker removes its names, a started one's
# worker publishes them (timed from the start to the answer), and --sync
# removes a name of this host that no guest owns while another host's stays.
# The chk_* functions run through assert (lib.sh): shellcheck cannot see it.
# shellcheck disable=SC2317
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lab/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/lab/ddns-named.sh
. "$here/ddns-named.sh"
for t in named tsig-keygen dig; do
	command -v $t >/dev/null 2>&1 || skip "$t is not installed (run.sh installs it)"
done
DRIVE=$LAB_BUILDDIR/tests/lab/ddns-drive
[ -x "$DRIVE" ] || skip "$DRIVE is not built (needs ldns and the host layer)"
ZONE=cluster.test
REV=1.250.10.in-addr.arpa
PORT=5353 # the lab's own DNS server has port 53 of the lab's loopback

lab_pick_nss
hook_test_setup ""
tsig-keygen -a hmac-sha256 lc-key >"$work/dns.key"
chmod 600 "$work/dns.key"
printf '%s\n' "renew_after = 5" "dns_server = 127.0.0.1#$PORT" "dns_zone = $ZONE" \
	"dns_reverse_zones = $REV" "dns_key_file = $work/dns.key" "dns_host_id = hv-a" >"$work/conf"
sed 's/^dns_host_id = .*/dns_host_id = hv-b/' "$work/conf" >"$work/conf-b"
tsig-keygen -a hmac-sha256 lc-key >"$work/wrong.key"
chmod 600 "$work/wrong.key"
sed "s|^dns_key_file = .*|dns_key_file = $work/wrong.key|" "$work/conf" >"$work/conf-wrong"
# the spool inside the test's own dir, never the host's /var/lib
mkdir -p "$work/spool"
sed -i "2i export LIBVIRT_CLUSTER_SPOOL_DIR='$work/spool'" "$work/hook"
export LAB_HOOK=$work/hook
hook_lab_up

in_lab() { "$LAB" exec env LIBVIRT_CLUSTER_SPOOL_DIR="$work/spool" LIBVIRT_CLUSTER_CONFIG="$work/conf" \
	LIBVIRT_CLUSTER_RUNSTATE_DIR="$RUN" LIBVIRT_CLUSTER_HOOK_LOG_FILE="$work/log" "$@"; }
dq() { "$LAB" exec dig +short +time=1 +tries=1 -p $PORT @127.0.0.1 "$2" "$1" 2>/dev/null; }
rev_of() { echo "$1" | awk -F. '{ print $4 "." $3 "." $2 "." $1 ".in-addr.arpa" }'; }

# ---- the server is down while the guests boot ------------------------------------
chk_spooled() { # the workers spooled node1's and node2's publish
	local end=$(($(date +%s) + 20))
	until [ -s "$work/spool/node1.ddns" ] && [ -s "$work/spool/node2.ddns" ]; do
		[ "$(date +%s)" -lt "$end" ] || break
		sleep 0.2
	done
	ls "$work/spool" | paste -sd' '
	grep -q '^op publish' "$work/spool/node1.ddns" && grep -q '^op publish' "$work/spool/node2.ddns"
}
assert "server down at boot: the workers spool the updates" chk_spooled
assert "the hook log says so" sh -c "grep 'cluster DNS' '$work/log' | grep -m1 spooled"

# ---- the server comes up inside the lab ------------------------------------------
ddns_zone_files "$work/bind" 127.0.0.1 $ZONE $REV
ddns_named_conf "$work/bind" "127.0.0.1;" $PORT "$work/dns.key" lc-key $ZONE $REV
# it lives in the lab's namespaces: `lab down` ends it with the rest
"$LAB" exec named -g -c "$work/bind/named.conf" >"$work/named.log" 2>&1 &
for _ in $(seq 100); do
	grep -q ' running$' "$work/named.log" 2>/dev/null && [ -n "$(dq SOA $ZONE)" ] && break
	sleep 0.1
done

chk_sync() {
	local out
	out=$(in_lab "$hook_bin" --sync 2>&1)
	echo "$out" | paste -sd' '
	echo "$out" | grep -q "cluster DNS: [1-9][0-9]* published"
}
assert "--sync delivers the spool and publishes the running guests" chk_sync
n1=$("$LAB" addr node1 ext)
n2=$("$LAB" addr node2 ext)
chk_a() { # NAME ADDR
	local got
	got=$(dq A "$1.$ZONE" | paste -sd,)
	echo "$1.$ZONE A: ${got:-(none)}"
	[ "$got" = "$2" ]
}
assert "node1.$ZONE has node1's ext address (the first ranked)" chk_a node1 "$n1"
assert "node2.$ZONE has node2's" chk_a node2 "$n2"
assert "node1's TXT names hv-a" sh -c "'$LAB' exec dig +short -p $PORT @127.0.0.1 node1.$ZONE TXT | grep 'host=hv-a'"
assert "node1's PTR" sh -c "'$LAB' exec dig +short -p $PORT @127.0.0.1 $(rev_of "$n1") PTR | grep -x node1.$ZONE."
assert "the spool is empty" sh -c "n=\$(ls -A '$work/spool' | grep -c ddns); echo \"\$n pending\"; [ \$n -eq 0 ]"

# ---- stop and start: the workers withdraw and publish ------------------------------
"$LAB" exec virsh -q destroy node2 >/dev/null || not_ok "virsh destroy node2"
chk_gone() { # NAME: within 10 s
	local end=$(($(date +%s) + 10)) left
	while left=$(for t in A TXT DHCID; do dq $t "$1.$ZONE"; done | paste -sd,) && [ -n "$left" ]; do
		[ "$(date +%s)" -lt "$end" ] || break
		sleep 0.1
	done
	echo "left at $1.$ZONE: ${left:-(nothing)}"
	[ -z "$left" ]
}
assert "virsh destroy node2: its worker removes its names" chk_gone node2
assert "and its PTR" sh -c "[ -z \"\$('$LAB' exec dig +short -p $PORT @127.0.0.1 $(rev_of "$n2") PTR)\" ] && echo gone"
assert "node1 stays" chk_a node1 "$n1"

t0=$(date +%s%N)
"$LAB" exec virsh -q start node2 >/dev/null || not_ok "virsh start node2"
chk_back() {
	local end=$(($(date +%s) + 30)) got
	until got=$(dq A node2.$ZONE) && [ -n "$got" ]; do
		[ "$(date +%s)" -lt "$end" ] || break
		sleep 0.05
	done
	echo "node2.$ZONE A: ${got:-(none)} $((($(date +%s%N) - t0) / 1000000)) ms after virsh start"
	[ -n "$got" ]
}
assert "virsh start node2: its worker publishes it again (timed from the start)" chk_back

# ---- --sync: a stale name of ours goes, another host's stays -----------------------
"$LAB" exec "$DRIVE" -c "$work/conf" -s "$work/spool" publish ghost 6f1d43a0-5b1c-4a3e-9d52-0c2f5e7a1b77 10.250.1.77 >/dev/null
"$LAB" exec "$DRIVE" -c "$work/conf-b" -s "$work/spool" publish other 6f1d43a0-5b1c-4a3e-9d52-0c2f5e7a1b78 10.250.1.78 >/dev/null
assert "a name of hv-a that no guest owns (ghost) is there before --sync" chk_a ghost 10.250.1.77
assert "--sync" chk_sync
assert "--sync removed ghost" chk_gone ghost
assert "--sync left hv-b's name" chk_a other 10.250.1.78
assert "--sync kept node1" chk_a node1 "$n1"

# ---- the CLI: dns status, doctor, dns purge ----------------------------------------
CLI=$LAB_BUILDDIR/cli/libvirt-cluster
cli() { # CONF ARGS...
	local conf=$1
	shift
	"$LAB" exec env LIBVIRT_CLUSTER_SPOOL_DIR="$work/spool" LIBVIRT_CLUSTER_CONFIG="$conf" \
		LIBVIRT_CLUSTER_RUNSTATE_DIR="$RUN" "$CLI" "$@" 2>&1
}
chk_cli() { # PATTERN CONF ARGS...: the output has PATTERN
	local pat=$1 out
	shift
	out=$(cli "$@")
	echo "$out" | grep -- "$pat" || { echo "$out" | tail -n 12; return 1; }
}
assert "dns status: the server answers, signed" chk_cli "answers SOA of $ZONE" "$work/conf" dns status
assert "dns status: node1 is published by this host" chk_cli "^  node1.$ZONE $n1" "$work/conf" dns status
assert "dns status: hv-b's name is counted, not listed" chk_cli "published by this host, 1 by other hosts" "$work/conf" dns status
assert "doctor: the key's mode is checked" chk_cli "ok .*dns .*key lc-key .*mode ok" "$work/conf" doctor
assert "doctor: the server answers SOA for the zone and the reverse zone" chk_cli "answers SOA of $REV" "$work/conf" doctor
assert "doctor: a network without the forwarder, and the XML to add" chk_cli "<forwarder domain='$ZONE' addr='127.0.0.1'/>" "$work/conf" doctor
assert "doctor with a wrong key names BADSIG" chk_cli "PROBLEM .*dns .*BADSIG" "$work/conf-wrong" doctor
chmod 644 "$work/wrong.key"
assert "doctor refuses a world-readable key" chk_cli "PROBLEM .*dns .*refused" "$work/conf-wrong" doctor
assert "dns purge --host hv-b: its name and its PTR" chk_cli "2 names of host hv-b removed, 0 failed" "$work/conf" dns purge --host hv-b
assert "hv-b's name is gone" chk_gone other
assert "node1 stays" chk_a node1 "$n1"
finish
