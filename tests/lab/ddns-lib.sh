# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by tests/lab/test-ddns-*.sh after lib.sh: a real authoritative DNS
# server (BIND 9 as `named -g`, or Knot as `knotd`) with a private config in a
# network namespace of its own, never /etc/bind or /etc/knot, and the suite
# of cluster-DNS checks that both servers must pass, driven through
# tests/lab/ddns-drive (the host layer's calls).  Only loopback inside that
# namespace is used.

# shellcheck source=tests/lab/ddns-named.sh
. "$(dirname "${BASH_SOURCE[0]}")/ddns-named.sh"
DRIVE=$LAB_BUILDDIR/tests/lab/ddns-drive
ZONE=cluster.test
REVZONE=250.10.in-addr.arpa
KEY=lc-key
U1=6f1d43a0-5b1c-4a3e-9d52-0c2f5e7a1b01
U2=6f1d43a0-5b1c-4a3e-9d52-0c2f5e7a1b02
U3=6f1d43a0-5b1c-4a3e-9d52-0c2f5e7a1b03
U4=6f1d43a0-5b1c-4a3e-9d52-0c2f5e7a1b04
U7=6f1d43a0-5b1c-4a3e-9d52-0c2f5e7a1b07
U8=6f1d43a0-5b1c-4a3e-9d52-0c2f5e7a1b08
U9=6f1d43a0-5b1c-4a3e-9d52-0c2f5e7a1b09

ddns_need() {
	[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
	[ -x "$DRIVE" ] || skip "$DRIVE is not built (needs ldns and the host layer)"
	local t
	for t in "$@" dig tsig-keygen nft unshare nsenter; do
		command -v "$t" >/dev/null 2>&1 || skip "$t is not installed (run.sh installs it)"
	done
}

# A namespace holder: its own network (loopback up) and nothing else.
ddns_ns_up() {
	D=$LAB_BUILDDIR/tests/lab/$test_name.d
	rm -rf "$D"
	mkdir -p "$D/spool"
	# no setsid: it may fork, and $! would not be the holder
	unshare --net -- sh -c 'ip link set lo up && exec sleep 3600' </dev/null &
	HOLDER=$!
	trap ddns_down EXIT
	for _ in $(seq 50); do
		[ "$(readlink "/proc/$HOLDER/ns/net")" != "$(readlink /proc/self/ns/net)" ] &&
			nsenter -t "$HOLDER" -n ip -o addr show lo 2>/dev/null | grep -q 127.0.0.1 && break
		sleep 0.05
	done
	[ "$(readlink "/proc/$HOLDER/ns/net")" != "$(readlink /proc/self/ns/net)" ] ||
		{ echo "FAIL: no network namespace of its own"; exit 1; }
	tsig-keygen -a hmac-sha256 "$KEY" >"$D/dns.key"
	chmod 600 "$D/dns.key"
	# the same name with another secret (BADSIG), and an unknown name (BADKEY)
	tsig-keygen -a hmac-sha256 "$KEY" >"$D/wrong-secret.key"
	tsig-keygen -a hmac-sha256 no-such-key >"$D/unknown.key"
	cp "$D/dns.key" "$D/world.key"
	chmod 600 "$D/wrong-secret.key" "$D/unknown.key"
	chmod 644 "$D/world.key"
	ddns_conf a.conf hv-a dns.key
	ddns_conf b.conf hv-b dns.key
	ddns_conf all.conf hv-a dns.key "dns_addresses = all"
	ddns_conf badsig.conf hv-a wrong-secret.key
	ddns_conf badkey.conf hv-a unknown.key
	ddns_conf world.conf hv-a world.key
	# a zone the key may not update
	ddns_conf refused.conf hv-a dns.key
	sed -i 's/^dns_zone = .*/dns_zone = other.test/' "$D/refused.conf"
	ddns_zonefiles
}

ddns_conf() { # FILE HOSTID KEYFILE [EXTRA]
	cat >"$D/$1" <<-EOF
		dns_server = 127.0.0.1#53
		dns_zone = $ZONE
		dns_reverse_zones = $REVZONE
		dns_key_file = $D/$3
		dns_host_id = $2
		dns_ttl = 60
		${4:-}
	EOF
}

ddns_zonefiles() {
	ddns_zone_files "$D/zones" 127.0.0.1 $ZONE $REVZONE other.test
}

ddns_down() {
	local rc=$?
	ddns_server_stop
	[ -n "${HOLDER:-}" ] && kill "$HOLDER" 2>/dev/null
	wait 2>/dev/null
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] || [ "$failures" -ne 0 ]; then
		echo "--- server log (tail)"
		tail -n 40 "$D/server.log" 2>/dev/null
	else
		rm -rf "$D" # kept after a failure, to look at
	fi
	exit "$rc"
}

in_ns() { nsenter -t "$HOLDER" -n -- "$@"; }

# ---- the servers -----------------------------------------------------------------
bind_start() {
	mkdir -p "$D/bind"
	cp -n "$D/zones/"*.zone "$D/bind/" 2>/dev/null
	ddns_named_conf "$D/bind" "127.0.0.1;" 53 "$D/dns.key" "$KEY" "$ZONE" "$REVZONE" "!other.test"
	local before
	before=$(grep -c ' running$' "$D/server.log" 2>/dev/null)
	# nsenter itself, not a function in a subshell: $! must be the server
	nsenter -t "$HOLDER" -n -- named -g -c "$D/bind/named.conf" >>"$D/server.log" 2>&1 &
	SERVER_PID=$!
	# named answers a first query before it is done with its sockets (a
	# query right after may be refused): wait for its "running" too
	for _ in $(seq 100); do
		[ "$(grep -c ' running$' "$D/server.log")" -gt "${before:-0}" ] && break
		sleep 0.05
	done
	server_wait
}

knot_start() {
	mkdir -p "$D/knot/db" "$D/knot/zones"
	cp -n "$D/zones/"*.zone "$D/knot/zones/" 2>/dev/null
	local secret
	secret=$(sed -n 's/.*secret "\(.*\)";.*/\1/p' "$D/dns.key")
	cat >"$D/knot/knot.conf" <<-EOF
		server:
		    rundir: "$D/knot"
		    listen: 127.0.0.1@53
		database:
		    storage: "$D/knot/db"
		log:
		  - target: stderr
		    any: info
		key:
		  - id: $KEY
		    algorithm: hmac-sha256
		    secret: $secret
		acl:
		  - id: lc
		    key: $KEY
		    action: [update, transfer]
		template:
		  - id: default
		    storage: "$D/knot/zones"
		    file: "%s.zone"
		    zonefile-sync: -1
		    zonefile-load: difference-no-serial
		    journal-content: all
		zone:
		  - domain: $ZONE
		    acl: lc
		  - domain: $REVZONE
		    acl: lc
		  - domain: other.test
	EOF
	knotc -c "$D/knot/knot.conf" conf-check >>"$D/server.log" 2>&1 || return 1
	nsenter -t "$HOLDER" -n -- knotd -c "$D/knot/knot.conf" >>"$D/server.log" 2>&1 &
	SERVER_PID=$!
	server_wait
}

server_wait() {
	for _ in $(seq 100); do
		[ -n "$(dq SOA "$ZONE")" ] && return 0
		sleep 0.05
	done
	echo "the server did not answer SOA for $ZONE"
	return 1
}

ddns_server_stop() {
	[ -n "${SERVER_PID:-}" ] || return 0
	kill "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=
}

# dig inside the namespace: dq TYPE NAME -> the answers' rdata, one per line
dq() { in_ns dig +short +time=1 +tries=1 -p 53 @127.0.0.1 "$2" "$1" 2>/dev/null; }
drive() { # CONF ARGS...: the drive's output; its exit code in $drive_rc
	local conf=$1
	shift
	in_ns "$DRIVE" -c "$D/$conf" -s "$D/spool" "$@"
}

# ---- checks (each prints what it saw) ----------------------------------------------
expect_rc() { # WANT CMD...: CMD exits WANT
	local want=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	echo "exit $rc: $out" | tr '\n' ' '
	[ "$rc" -eq "$want" ]
}
chk_set() { # NAME A TXT-HOST: the forward name has exactly A, a DHCID, and TXT host=HOST
	local a txt dh
	a=$(dq A "$1.$ZONE" | sort | paste -sd,)
	txt=$(dq TXT "$1.$ZONE" | paste -sd,)
	dh=$(dq DHCID "$1.$ZONE" | wc -l)
	echo "A=$a TXT=$txt DHCID=$dh"
	[ "$a" = "$2" ] && [ "$dh" = 1 ] && echo "$txt" | grep -q "host=$3" &&
		[ "$(dq TXT "$1.$ZONE" | wc -l)" = 1 ]
}
chk_ptr() { # LASTOCTET NAME: the PTR of 10.250.0.N is NAME (or nothing when NAME is -)
	local got
	got=$(dq PTR "$1.0.$REVZONE" | paste -sd,)
	echo "PTR 10.250.0.$1 = ${got:-(none)}"
	if [ "$2" = - ]; then [ -z "$got" ]; else [ "$got" = "$2.$ZONE." ]; fi
}
chk_gone() { # NAME: no A, AAAA, TXT or DHCID left
	local all
	all=$(for t in A AAAA TXT DHCID; do dq $t "$1.$ZONE"; done | paste -sd,)
	echo "left at $1.$ZONE: ${all:-(nothing)}"
	[ -z "$all" ]
}
chk_dhcid() { # NAME UUID: the DHCID is RFC 4701's over the DUID-UUID of UUID
	local got want
	got=$(dq DHCID "$1.$ZONE" | tr -d ' ')
	want=$(python3 -c '
import base64, hashlib, sys, uuid
name = sys.argv[1].lower().rstrip(".")
wire = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
duid = b"\x00\x04" + uuid.UUID(sys.argv[2]).bytes
print(base64.b64encode(b"\x00\x02\x01" + hashlib.sha256(duid + wire).digest()).decode())' "$1.$ZONE" "$2")
	echo "DHCID $got, expected $want"
	[ "$got" = "$want" ]
}

# BADTIME for real: the drive with its clock an hour ahead (libfaketime,
# Debian's libfaketime, preloaded into the drive alone; TSIG's fudge is 300 s)
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
expect_out_skewed() { # WANT-RC PATTERN CONF ARGS...
	local want=$1 pat=$2 conf=$3 out rc
	shift 3
	out=$(in_ns env LD_PRELOAD="$FAKETIME_LIB" FAKETIME=+1h "$DRIVE" -c "$D/$conf" -s "$D/spool" "$@" 2>&1)
	rc=$?
	echo "exit $rc: $out" | paste -sd' '
	[ "$rc" -eq "$want" ] && echo "$out" | grep -q -- "$pat"
}

nft_drop_one_reply() {
	in_ns nft -f - <<-EOF
		table inet lcdrop {
			counter dropped { }
			chain out {
				type filter hook output priority 0;
				udp sport 53 numgen inc mod 1000000 1 counter name dropped drop
			}
		}
	EOF
}
nft_dropped() { in_ns nft list counter inet lcdrop dropped | awk '/packets/ { print $2 }'; }
nft_count_tcp() {
	in_ns nft -f - <<-EOF
		table inet lccount {
			counter tcp53 { }
			chain in {
				type filter hook input priority 0;
				tcp dport 53 counter name tcp53
			}
		}
	EOF
}
nft_tcp_packets() { in_ns nft list counter inet lccount tcp53 | awk '/packets/ { print $2 }'; }

chk_soa() { local s; s=$(dq SOA "$ZONE"); echo "SOA: $s"; [ -n "$s" ]; }
# expect_out WANT-RC PATTERN CONF ARGS...: the drive exits WANT-RC and says PATTERN
expect_out() {
	local want=$1 pat=$2 out rc
	shift 2
	out=$(drive "$@" 2>&1)
	rc=$?
	echo "exit $rc: $out" | paste -sd' '
	[ "$rc" -eq "$want" ] && echo "$out" | grep -q -- "$pat"
}
chk_rrcount() { # TYPE NAME N
	local n
	n=$(dq "$1" "$2" | wc -l)
	echo "$n $1 at $2"
	[ "$n" -eq "$3" ]
}
chk_has() { # TYPE NAME VALUE
	local got
	got=$(dq "$1" "$2" | paste -sd,)
	echo "$1 $2: ${got:-(none)}"
	dq "$1" "$2" | grep -qxF -- "$3"
}
chk_counter() { # TABLE COUNTER OP N
	local n
	n=$(in_ns nft list counter inet "$1" "$2" | awk '/packets/ { print $2 }')
	echo "$2: ${n:-?} packets"
	[ "${n:-0}" "$3" "$4" ]
}
chk_spool() { # NAME OP
	ls "$D/spool"
	grep -qx "op $2" "$D/spool/$1.ddns"
}
# A server that has just started may still refuse or SERVFAIL an update (seen
# with BIND right after a restart): the spool keeps it and the next run
# delivers, as the worker's backoff would.
chk_spool_delivers() {
	local i out
	for i in 1 2 3 4 5 6; do
		out=$(drive a.conf spool-run force 2>&1)
		echo "run $i: $out" | paste -sd' '
		echo "$out" | grep -q "delivered 1 failed 0" && return 0
		sleep 0.5
	done
	return 1
}
# The time from the start of a publish to the server's answer for the name,
# for N guests one after another: the median must be under 1 s.
chk_latency_median() { # N
	local i t0 ms=() med
	for i in $(seq 1 "$1"); do
		t0=$(date +%s%N)
		drive a.conf publish "lat$i" "$(printf '6f1d43a0-5b1c-4a3e-9d52-0c2f5e7b%04x' "$i")" "10.250.2.$i" >/dev/null
		until [ -n "$(dq A "lat$i.$ZONE")" ]; do
			[ $(($(date +%s%N) - t0)) -gt 5000000000 ] && break
		done
		ms+=($((($(date +%s%N) - t0) / 1000000)))
	done
	med=$(printf '%s\n' "${ms[@]}" | sort -n | sed -n "$((($1 + 1) / 2))p")
	echo "publish to answer, ms: ${ms[*]}; median $med"
	[ "$med" -lt 1000 ]
}
# N guests published at once (N worker processes): every name and PTR is
# in the zone within 5 s.
chk_burst() { # N
	local i t0 el names ptrs pids=()
	t0=$(date +%s%N)
	for i in $(seq 1 "$1"); do
		drive a.conf publish "burst$i" "$(printf '6f1d43a0-5b1c-4a3e-9d52-0c2f5e7c%04x' "$i")" "10.250.3.$i" >/dev/null &
		pids+=($!)
	done
	wait "${pids[@]}"
	el=$((($(date +%s%N) - t0) / 1000000))
	names=$(drive a.conf axfr $ZONE | grep -c '^burst')
	ptrs=$(drive a.conf axfr $REVZONE | grep -c 'ptr=burst')
	echo "$1 at once: $names names and $ptrs PTRs in $el ms"
	[ "$names" -eq "$1" ] && [ "$ptrs" -eq "$1" ] && [ "$el" -lt 5000 ]
}
chk_spool_empty() {
	local n
	n=$(find "$D/spool" -mindepth 1 | wc -l)
	echo "$n spool files"
	[ "$n" -eq 0 ]
}

# ---- the suite ---------------------------------------------------------------------
ddns_suite() { # START-FUNCTION
	local start=$1 t0 t1 i many=()
	assert "the server answers SOA for $ZONE" chk_soa
	assert "the settings load (key mode 0600)" expect_rc 0 drive a.conf check
	assert "a world-readable key is refused" expect_out 5 refused world.conf check
	assert "doctor's probe: SOA answered, signed with the key" expect_out 0 "answers SOA of $ZONE (serial" a.conf probe
	assert "doctor's probe prints the forwarder XML" expect_out 0 "<forwarder domain='$ZONE' addr='127.0.0.1'/>" a.conf probe
	assert "doctor's probe with a wrong secret names BADSIG" expect_out 5 BADSIG badsig.conf probe
	assert "doctor's probe with an unknown key names BADKEY" expect_out 5 BADKEY badkey.conf probe

	t0=$(date +%s%N)
	assert "boot: node1 is published" expect_rc 0 drive a.conf -C lab -G WEB publish node1 $U1 10.250.0.11 fd00::11
	t1=$(date +%s%N)
	echo "publish of node1 (forward + PTR, 2 updates) took $(((t1 - t0) / 1000000)) ms"
	assert "node1: A, DHCID and one TXT host=hv-a" chk_set node1 10.250.0.11 hv-a
	assert "node1: AAAA" chk_has AAAA node1.$ZONE fd00::11
	assert "node1: the TXT names host, cluster and group" chk_has TXT node1.$ZONE '"libvirt-cluster host=hv-a cluster=lab group=WEB"'
	assert "node1: the DHCID is RFC 4701's over the DUID-UUID" chk_dhcid node1 $U1
	assert "node1: the PTR" chk_ptr 11 node1
	assert "node1: a DHCID beside the PTR" chk_rrcount DHCID 11.0.$REVZONE 1
	assert "publishing again (a restart) replaces: one record set" expect_rc 0 drive a.conf -C lab -G WEB publish node1 $U1 10.250.0.11
	assert "still one A, one TXT" chk_set node1 10.250.0.11 hv-a

	assert "another guest with the same name on hv-b: a conflict, owner hv-a" expect_out 2 "owner: hv-a" b.conf publish node1 $U2 10.250.0.99
	assert "the conflict touched nothing" chk_set node1 10.250.0.11 hv-a
	assert "through the spool's path too, and it is kept for dns status" expect_out 2 "owner: hv-a" b.conf apply publish node1 $U2 10.250.0.99
	assert "status lists the conflict with its owner" expect_out 0 "conflict node1 owner hv-a" b.conf status
	rm -f "$D/spool/node1.conflict"
	assert "the loser's address got no PTR" chk_ptr 99 -

	assert "migration: the same guest started on hv-b takes the name" expect_rc 0 drive b.conf -C lab -G WEB publish node1 $U1 10.250.0.12
	assert "hv-b's records" chk_set node1 10.250.0.12 hv-b
	assert "hv-a's late stopped leaves hv-b's forward records (not ours)" expect_rc 3 drive a.conf withdraw node1 $U1 10.250.0.11
	assert "hv-b's records survive" chk_set node1 10.250.0.12 hv-b
	assert "hv-a's own stale PTR went with its withdraw" chk_ptr 11 -
	assert "hv-b's PTR survives" chk_ptr 12 node1
	assert "stop on hv-b removes everything" expect_rc 0 drive b.conf withdraw node1 $U1 10.250.0.12
	assert "node1 is gone" chk_gone node1
	assert "its PTR is gone" chk_ptr 12 -

	assert "a guest whose leases are gone at stop" expect_rc 0 drive a.conf publish node1 $U1 10.250.0.13
	assert "is withdrawn by name alone, its PTR found from its published A" expect_rc 0 drive a.conf withdraw node1 $U1
	assert "node1 is gone again" chk_gone node1
	assert "and its PTR" chk_ptr 13 -

	assert "node2 owns 10.250.0.20" expect_rc 0 drive a.conf publish node2 $U3 10.250.0.20
	assert "node3 claims the same address: its name is published" expect_rc 0 drive a.conf publish node3 $U4 10.250.0.20
	assert "but node2's PTR is left alone" chk_ptr 20 node2
	drive a.conf withdraw node3 $U4 10.250.0.20 >/dev/null
	assert "withdrawing node3 leaves node2's PTR" chk_ptr 20 node2

	assert "a wrong secret: the message names BADSIG" expect_out 5 BADSIG badsig.conf publish node4 $U2 10.250.0.40
	assert "an unknown key: the message names BADKEY" expect_out 5 BADKEY badkey.conf publish node4 $U2 10.250.0.40
	if [ -r "$FAKETIME_LIB" ]; then
		assert "this host's clock an hour ahead (libfaketime): the message names BADTIME" \
			expect_out_skewed 5 BADTIME a.conf publish node4 $U2 10.250.0.40
	else
		echo "SKIP: BADTIME in the lab: $FAKETIME_LIB is missing (the libfaketime package)"
	fi
	assert "nothing was written with a wrong key" chk_gone node4
	assert "a zone the key may not update: the message says so" expect_out 5 "\(REFUSED\|NOTAUTH\|BADKEY\).*acl with key: $KEY and action: update" refused.conf publish node4 $U2 10.250.0.40

	assert "boot to answer: the median of 10 is under 1 s" chk_latency_median 10
	assert "50 guests at once: all in DNS within 5 s" chk_burst 50

	nft_count_tcp
	for i in $(seq 1 16); do many+=("fd00::1:$i"); done
	assert "an update over 512 bytes (16 AAAA) goes over TCP" expect_out 0 '\[tcp\]' all.conf publish big $U2 "${many[@]}"
	assert "the server's namespace saw TCP to port 53" chk_counter lccount tcp53 -gt 0
	assert "all 16 AAAA are there" chk_rrcount AAAA big.$ZONE 16

	nft_drop_one_reply
	t0=$(date +%s%N)
	assert "one reply dropped: the retry succeeds" expect_rc 0 drive a.conf publish node5 $U3 10.250.0.50
	t1=$(date +%s%N)
	echo "publish with one reply dropped took $(((t1 - t0) / 1000000)) ms"
	assert "the netfilter rule dropped exactly one reply" chk_counter lcdrop dropped -eq 1
	assert "one record set after the retry" chk_set node5 10.250.0.50 hv-a
	assert "one PTR after the retry" chk_ptr 50 node5

	ddns_server_stop
	assert "server down: the update is spooled (retry)" expect_rc 4 drive a.conf apply publish node6 $U4 10.250.0.60
	assert "the spool holds node6's publish" chk_spool node6 publish
	assert "status lists it, with why" expect_out 0 "pending publish node6 tries 1: node6.$ZONE: 127.0.0.1#53 refused" a.conf status
	$start
	assert "server back: the spool delivers (the worker's retries, 0.5 s apart here)" chk_spool_delivers
	assert "node6 is published" chk_set node6 10.250.0.60 hv-a
	assert "the spool is empty" chk_spool_empty

	assert "AXFR with the key lists our names" expect_out 0 "^node6.$ZONE host=hv-a" a.conf axfr $ZONE
	assert "AXFR with a wrong key fails with a reason" expect_out 1 BADKEY badkey.conf axfr $ZONE

	# reconcile (--sync): this host's names whose guest no longer runs here
	# go, the running ones are published again, another host's stay
	drive a.conf publish node7 $U7 10.250.0.70 >/dev/null
	drive a.conf publish node8 $U8 10.250.0.80 >/dev/null
	drive b.conf publish node9 $U9 10.250.0.90 >/dev/null
	assert "sync with node7 running" expect_out 0 "sync node8.$ZONE: done" a.conf sync node7,$U7,10.250.0.70
	assert "sync removed node8 (not running here)" chk_gone node8
	assert "and its PTR" chk_ptr 80 -
	assert "sync kept node7" chk_set node7 10.250.0.70 hv-a
	assert "and its PTR" chk_ptr 70 node7
	assert "sync left hv-b's node9 alone" chk_set node9 10.250.0.90 hv-b
	assert "purge --host hv-b" expect_out 0 "removed 2 " a.conf purge hv-b
	assert "purge removed node9" chk_gone node9
	assert "and its PTR" chk_ptr 90 -
	assert "purge left hv-a's node7" chk_set node7 10.250.0.70 hv-a
}
