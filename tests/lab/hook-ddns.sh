# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced after lib.sh by the hook's load and fault tests with cluster DNS
# (test-hook-load-dns.sh, test-hook-worker-kill.sh): a real BIND 9 (named
# -g, a private config and TSIG key from ddns-named.sh) inside the lab's
# namespaces on port 5353 of its loopback (the lab's own DNS server has
# 53), the hook configured for it, its spool in the test's own dir.

# shellcheck source=tests/lab/ddns-named.sh
. "$(dirname "${BASH_SOURCE[0]}")/ddns-named.sh"
ZONE=cluster.test
REV=1.250.10.in-addr.arpa
PORT=5353

hook_ddns_need() {
	local t
	for t in named tsig-keygen dig "$@"; do
		command -v "$t" >/dev/null 2>&1 || skip "$t is not installed (run.sh installs it)"
	done
}

# hook_ddns_setup: after hook_test_setup, before hook_lab_up: the key,
# the cluster-DNS lines appended to $work/conf (also kept as
# $work/conf-dns; $work/conf-nodns is the config before them), the spool
# in $work/spool (never the host's /var/lib), and the server's files.
hook_ddns_setup() {
	tsig-keygen -a hmac-sha256 lc-key >"$work/dns.key"
	chmod 600 "$work/dns.key"
	cp "$work/conf" "$work/conf-nodns"
	printf '%s\n' "dns_server = 127.0.0.1#$PORT" "dns_zone = $ZONE" "dns_reverse_zones = $REV" \
		"dns_key_file = $work/dns.key" "dns_host_id = hv-a" >>"$work/conf"
	cp "$work/conf" "$work/conf-dns"
	mkdir -p "$work/spool"
	sed -i "2i export LIBVIRT_CLUSTER_SPOOL_DIR='$work/spool'" "$work/hook"
	ddns_zone_files "$work/bind" 127.0.0.1 $ZONE $REV
	ddns_named_conf "$work/bind" "127.0.0.1;" $PORT "$work/dns.key" lc-key $ZONE $REV
}

# dig in the lab: hook_dq TYPE NAME -> the answers, comma-separated
hook_dq() { "$LAB" exec dig +short +time=1 +tries=1 -p $PORT @127.0.0.1 "$2" "$1" 2>/dev/null | paste -sd,; }

# named inside the lab (`lab down` ends it with the rest): up once it
# says "running" and answers SOA; down by its pid (one of the lab's)
hook_named_up() {
	local before
	before=$(grep -c ' running$' "$work/named.log" 2>/dev/null)
	"$LAB" exec named -g -c "$work/bind/named.conf" >>"$work/named.log" 2>&1 &
	for _ in $(seq 100); do
		[ "$(grep -c ' running$' "$work/named.log")" -gt "${before:-0}" ] &&
			[ -n "$(hook_dq SOA $ZONE)" ] && return 0
		sleep 0.1
	done
	return 1
}
hook_named_down() {
	"$LAB" exec sh -c "kill \$(cat '$work/bind/named.pid') && while kill -0 \$(cat '$work/bind/named.pid') 2>/dev/null; do sleep 0.05; done"
}

# hook_dw MODE [TIMEOUT] GUEST...: ddns-wait.py (wait, waitnew, gone, sets) in the
# lab against that server
hook_dw() {
	local mode=$1 t=()
	shift
	[ "$mode" = sets ] || {
		t=("$1")
		shift
	}
	"$LAB" exec /usr/bin/python3 "$lab_srcdir/ddns-wait.py" "$mode" "${t[@]}" 127.0.0.1 $PORT \
		"$work/dns.key" $ZONE $REV "$@"
}
