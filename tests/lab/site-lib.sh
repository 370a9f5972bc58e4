# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# Sourced after lib.sh: a "site" network namespace that joins several labs
# (tests/lab/lab, each with its own LAB_DIR, that is several hypervisor
# hosts) and runs the site's authoritative DNS server, BIND 9 as `named -g`
# with a private config (ddns-named.sh), never /etc/bind.  Host N reaches
# the server at 10.99.N.1 over a veth pair whose other end, 10.99.N.2, is in
# its lab.  Everything lives in one directory, SITE_DIR; the processes'
# pids are in SITE_DIR/*.pid so that a later run (or `site_down`) stops
# exactly them.
# shellcheck source=tests/lab/ddns-named.sh
. "$(dirname "${BASH_SOURCE[0]}")/ddns-named.sh"

SITE_KEY=lc-key

# site_need: the tools, or the reason they are missing (returns 1).
site_need() {
	local t
	for t in named tsig-keygen dig unshare nsenter; do
		command -v "$t" >/dev/null 2>&1 || {
			echo "$t is not installed (bind9, bind9-dnsutils, util-linux)"
			return 1
		}
	done
}

# site_up DIR: the namespace (a process holding it, loopback up) and a TSIG
# key, DIR/dns.key, for the server and every host.
site_up() {
	SITE_DIR=$1
	mkdir -p "$SITE_DIR"
	# no setsid: it may fork, and $! would not be the holder
	unshare --net -- sh -c 'ip link set lo up && exec sleep infinity' </dev/null >/dev/null 2>&1 &
	echo $! >"$SITE_DIR/holder.pid"
	local _
	for _ in $(seq 50); do
		[ "$(readlink "/proc/$!/ns/net")" != "$(readlink /proc/self/ns/net)" ] && break
		sleep 0.05
	done
	[ "$(readlink "/proc/$!/ns/net")" != "$(readlink /proc/self/ns/net)" ] || return 1
	tsig-keygen -a hmac-sha256 "$SITE_KEY" >"$SITE_DIR/dns.key" && chmod 600 "$SITE_DIR/dns.key"
}
site() { nsenter -t "$(cat "$SITE_DIR/holder.pid")" -n -- "$@"; }

# site_join N LAB_DIR: a veth pair between the site (10.99.N.1/30, site-hN)
# and that lab (10.99.N.2/30, site0).
site_join() {
	local n=$1 pid
	pid=$(cat "$2/init.pid") || return 1
	site ip link del "site-h$n" 2>/dev/null
	site ip link add "site-h$n" type veth peer name site0 netns "$pid" &&
		site ip addr add "10.99.$n.1/30" dev "site-h$n" &&
		site ip link set "site-h$n" up &&
		nsenter -t "$pid" -n ip addr add "10.99.$n.2/30" dev site0 &&
		nsenter -t "$pid" -n ip link set site0 up
}

# site_named HOSTS ZONE REVERSE-ZONE...: named for hosts 1..HOSTS (listening
# on each 10.99.N.1), primary for the zones, which take updates signed with
# the key; returns once it answers the zone's SOA (10 s at most).
site_named() {
	local hosts=$1 listen='' n
	shift
	for n in $(seq "$hosts"); do listen="$listen 10.99.$n.1;"; done
	ddns_zone_files "$SITE_DIR/bind" 10.99.1.1 "$@"
	ddns_named_conf "$SITE_DIR/bind" "${listen# }" 53 "$SITE_DIR/dns.key" "$SITE_KEY" "$@"
	# nsenter itself, not a function in a subshell: $! must be named
	nsenter -t "$(cat "$SITE_DIR/holder.pid")" -n -- named -g -c "$SITE_DIR/bind/named.conf" \
		>"$SITE_DIR/named.log" 2>&1 </dev/null &
	echo $! >"$SITE_DIR/named.pid.run"
	for _ in $(seq 100); do
		# named answers a first query before it has all its sockets: its
		# "running" line too
		grep -q ' running$' "$SITE_DIR/named.log" &&
			[ -n "$(site dig +short +time=1 +tries=1 @10.99.1.1 "$1" SOA 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	return 1
}

# site_host_conf N ZONE REVERSE-ZONES: the libvirt-cluster.conf lines that
# make host N publish its guests at the site's server, as host id hv-N.
site_host_conf() {
	printf 'dns_server = 10.99.%s.1\ndns_zone = %s\ndns_reverse_zones = %s\ndns_key_file = %s\ndns_host_id = hv-%s\n' \
		"$1" "$2" "$3" "$SITE_DIR/dns.key" "$1"
}

# site_hook_spool WORK: the hook wrapper WORK/hook (hook_wrapper) keeps its
# cluster-DNS spool in WORK/spool, not in the host's /var/lib.
site_hook_spool() {
	mkdir -p "$1/spool"
	sed -i "2i export LIBVIRT_CLUSTER_SPOOL_DIR='$1/spool'" "$1/hook"
}

# site_down DIR: named and the namespace holder, by the pids site_up and
# site_named wrote (nothing when there are none).
site_down() {
	local f pid
	for f in "$1/named.pid.run" "$1/holder.pid"; do
		[ -s "$f" ] || continue
		pid=$(cat "$f")
		# only what this file started: after a reboot the pid may be another's
		grep -q -a -E '^(named|sleep|unshare)' "/proc/$pid/cmdline" 2>/dev/null &&
			kill "$pid" 2>/dev/null && for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		rm -f "$f"
	done
}
