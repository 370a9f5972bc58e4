#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck disable=SC2317 # functions are called through assert
# Debian's real nscd caching hosts in the lab: it honours the TTL the
# module reports (resolver/ttl.c), so after `virsh destroy` a guest's name
# stops resolving through nscd within that TTL plus nscd's prune interval
# (15 s), not after positive-time-to-live (3600 s here, Debian's default).
# shellcheck source=tests/lab/cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"
command -v nscd >/dev/null || skip "nscd is not installed"
lab_pick_nss
lab_up
NSCD_TTL=30 PRUNE=15
conf=$LAB_DIR/nscd.conf
cat >"$conf" <<EOC
# the lab's nscd: hosts only, nothing on disk (its /run is the lab's own)
enable-cache passwd no
enable-cache group no
enable-cache services no
enable-cache netgroup no
enable-cache hosts yes
positive-time-to-live hosts 3600
negative-time-to-live hosts 20
check-files hosts yes
persistent hosts no
shared hosts yes
EOC
# the module from the build tree, as glibc loads it for any program
labx sh -c "mkdir -p /run/nscd && LD_LIBRARY_PATH='$LAB_BUILDDIR/nss/.libs' nscd -f '$conf'" ||
	{ not_ok "nscd -f $conf"; finish; }
# a client whose own hosts line has no module: only nscd can answer it
nscd_ahosts() { q "files dns" getent ahosts "$1" | awk '!seen[$1]++ { print $1 }' | paste -sd' '; }
nscd_hosts() { q "files dns" getent hosts "$1" | awk '{ print $1 }' | paste -sd' '; }
chk_through_nscd() {
	local a1 a2
	a1=$(nscd_ahosts node1) a2=$(nscd_hosts node2)
	echo "hosts: files dns (no module) -> getaddrinfo node1: ${a1:-(none)}; gethostbyname node2: ${a2:-(none)}"
	[ "${a1%% *}" = "$("$LAB" addr node1 ext)" ] && [ "$a2" = "$("$LAB" addr node2 ext)" ]
}
assert "nscd answers guest names from the module" chk_through_nscd
chk_stats() {
	local n
	n=$(labx nscd -f "$conf" -g 2>&1 | awk '/^hosts cache:/ { on = 1 } on && /current number of cached values/ { print $1; exit }')
	echo "nscd -g: ${n:-?} cached hosts values"
	[ "${n:-0}" -ge 2 ]
}
# ask again: these come from nscd's cache now
nscd_ahosts node1 >/dev/null
assert "nscd's hosts cache holds them" chk_stats

# doctor reads the same nscd.conf (below --root) and sees the running nscd
mkdir -p "$LAB_DIR/nscd-root/etc"
cp "$conf" "$LAB_DIR/nscd-root/etc/nscd.conf"
chk_doctor() {
	local f
	f=$(labx env LIBVIRT_CLUSTER_LEASE_DIR=/var/lib/libvirt/dnsmasq "$CLI" doctor --json --root "$LAB_DIR/nscd-root" |
		python3 -c '
import json, sys
for c in json.load(sys.stdin)["checks"]:
    if c["check"] == "nscd":
        print("%s|%s|%s" % (c["status"], c["message"], (c["fix"] or "").replace("\n", " / ")))' 2>&1)
	echo "$f"
	[[ $f == "problem|nscd caches hosts: a stopped guest keeps resolving through it for up to $((NSCD_TTL + PRUNE)) s"* ]] &&
		[[ $f == *"enable-cache hosts no"*"nscd -i hosts"* ]]
}
assert "doctor: nscd caches hosts, how long, and the fix" chk_doctor

chk_gone_within() { # GUEST LOOKUP
	local t0 t got
	t0=$(date +%s)
	"$LAB" exec virsh -q -c lxc:///system destroy "$1" >/dev/null || return 1
	while :; do
		got=$("$2" "$1")
		t=$(($(date +%s) - t0))
		[ -z "$got" ] && break
		[ "$t" -le $((NSCD_TTL + PRUNE + 5)) ] || {
			echo "$1 still resolves through nscd after $t s: $got"
			return 1
		}
		sleep 1
	done
	echo "$1 stopped resolving through nscd $t s after virsh destroy (TTL $NSCD_TTL s + prune $PRUNE s)"
}
assert "node1 (getaddrinfo) leaves nscd within the TTL" chk_gone_within node1 nscd_ahosts
assert "node2 (gethostbyname) leaves nscd within the TTL" chk_gone_within node2 nscd_hosts
labx sh -c 'kill "$(cat /run/nscd/nscd.pid)"' 2>/dev/null || true
finish
