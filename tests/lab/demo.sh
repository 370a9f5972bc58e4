#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The demo: the whole toolkit on a real libvirt lab in private namespaces.
# The hook is installed in the lab's private /etc/libvirt/hooks/*.d/; the
# guests (three LXC ones, and a qemu one booted under TCG) are resolved by
# name through glibc and our NSS module, listed and grouped by the CLI,
# reached by ssh (with strict host key checking against the keys the hook
# read) and ansible; a guest on a plain bridge resolves from the hook's
# discovery; a second host (another lab) resolves the first's guests
# through the cluster DNS (BIND 9 in a "site" namespace joined to both);
# and a destroyed guest's name and lease go.
# `./run.sh demo [--keep]` runs it after building.  With --keep the lab
# stays up for you to explore.
set -euo pipefail
keep=0
case ${1:-} in
--keep) keep=1 ;;
"") ;;
*)
	echo "usage: $0 [--keep]" >&2
	exit 64
	;;
esac
t0=$(date +%s%3N)

here=$(cd "$(dirname "$0")" && pwd)
abs_top_builddir=${LAB_BUILDDIR:-$(cd "$here/../.." && pwd)/build}
# shellcheck source=tests/lab/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/lab/site-lib.sh
. "$here/site-lib.sh"
set -e
for f in "$ours_so" "$LAB_BUILDDIR/hooks/libvirt-cluster-hook" "$LAB_BUILDDIR/cli/libvirt-cluster"; do
	[ -e "$f" ] || {
		echo "demo: $f is not built (./run.sh demo builds it)" >&2
		exit 1
	}
done
export LAB_NSS=$OURS_NSS
CLI=$LAB_BUILDDIR/cli/libvirt-cluster
LAB_DIR=$("$LAB" env | sed -n 's/^LAB_DIR=//p')
export LAB_DIR
eval "$("$LAB" env | grep -E '^EXT_')"
# The hook's wrapper, config and log live beside the lab's dir (`lab up`
# makes that one afresh).  renew_after: node3 runs no DHCP client, so the
# worker renews its lease in the guest after 5 s.
work=$LAB_DIR.demo
# host B: a second lab, its hook's files in $work/b; the site between them
B_DIR=$work/b.lab
# a lab an earlier `--keep` left up goes first (gracefully, while its hook
# is still there), so that every step starts afresh; then host B and the
# site's processes, by the pids that run wrote
LAB_GRACEFUL=1 "$LAB" down >/dev/null 2>&1 || true
[ ! -d "$B_DIR" ] || LAB_DIR=$B_DIR LAB_GRACEFUL=0 "$LAB" down >/dev/null 2>&1 || true
site_down "$work/site"
rm -rf "$work"
mkdir -p "$work/b"
hook_conf="renew_after = 5\nrenew_tries = 2\n"
hook_wrapper "$work" "$LAB_BUILDDIR/hooks/libvirt-cluster-hook" "$hook_conf"
hook_wrapper "$work/b" "$LAB_BUILDDIR/hooks/libvirt-cluster-hook" "$hook_conf"
site_hook_spool "$work"
site_hook_spool "$work/b"
export LAB_HOOK=$work/hook
# cluster "lab": the web servers, the database, and the qemu guest
export LAB_GROUPS="node1:WEB node2:WEB node3:DB"
KVM=kvm1 KVM_MAC=52:54:00:1c:00:61 KVM_GROUP=KVM
# A TCG boot takes 10 to 60 s on two busy cores: the demo waits this long
# from its start, then goes on without it.
KVM_BOOT_SECS=${DEMO_KVM_BOOT_SECS:-100}

b() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
# what the step proves
so() { printf '  => %s\n' "$*"; }
# run CMD... in the lab and show it as a shell line
show() {
	printf '$ %s\n' "$*"
	"$LAB" exec "$@" 2>&1 | sed -e '/^$/d' -e 's/^/  /' || true
}
# the CLI in the lab, shown as the user types it; with the hook's config
# (on a host, both read /etc/libvirt-cluster.conf)
lc_show() {
	printf '$ libvirt-cluster %s\n' "$*"
	lc "$@" 2>&1 | sed -e '/^$/d' -e 's/^/  /' || true
}
lc() { lc_on "$work" "$@"; }
lc_on() { # HOOK_DIR ARGS...: the CLI with the config of the hook in HOOK_DIR
	local d=$1
	shift
	"$LAB" exec env LIBVIRT_CLUSTER_RUNSTATE_DIR="$RUN" LIBVIRT_CLUSTER_CONFIG="$d/conf" \
		LIBVIRT_CLUSTER_SPOOL_DIR="$d/spool" "$CLI" "$@"
}
lookup() { # NAME [NOTE]
	local out rc=0
	printf '$ getent hosts %s%s\n' "$1" "${2:+   # $2}"
	out=$("$LAB" exec getent hosts "$1") || rc=$?
	if [ "$rc" = 0 ]; then
		echo "$out" | sed 's/^/  /'
	else
		echo "  (not found, exit $rc)"
	fi
}
# poll CMD... every 0.2 s until it succeeds or SECS pass
poll() { # SECS CMD...
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}
hook_line() { grep -m1 " $1 $2 $3" "$work/log" | sed 's/^[0-9]* //'; } # DRIVER GUEST EVENT
status_file=$LAB_DIR/root/var/lib/libvirt/dnsmasq/$EXT_BR.status

# The qemu guest, in the background from the start: fetch Debian's kernel
# (once per build tree), wait for the lab, define and start the guest.
# $work/qemu.state says "started EPOCH" or "skip REASON".
kvm_bg() {
	set +e
	local why=
	if ! command -v qemu-system-x86_64 >/dev/null; then
		why="qemu-system-x86_64 is not installed (qemu-system-x86)"
	elif ! qemu_guest_files >/dev/null 2>&1; then
		why="no kernel for the qemu guest: $QEMU_WHY"
	else
		for _ in $(seq 1800); do
			[ -e "$work/lab-up" ] && break
			sleep 0.1
		done
		if [ ! -e "$work/lab-up" ]; then
			why="the lab did not come up"
		elif ! qemu_guest_start "$KVM" "$KVM_MAC" "lab_hostname=$KVM" "" \
			"<lc:cluster xmlns:lc=\"urn:libvirt-cluster:metadata:1\" name=\"lab\" group=\"$KVM_GROUP\"/>" \
			>"$work/qemu.err" 2>&1; then
			why="virsh -c qemu:///system start $KVM failed: $(paste -sd' ' "$work/qemu.err")"
		fi
	fi
	if [ -n "$why" ]; then echo "skip $why"; else echo "started $qemu_t0"; fi >"$work/qemu.state.tmp"
	mv "$work/qemu.state.tmp" "$work/qemu.state"
}
kvm_bg &
kvm_pid=$!

# Host B, in the background once A is up: a lab of its own (its own
# libvirtd and guests node1..3, the hook installed).  $work/b.state says
# "up" or "failed: WHY".
host_b_bg() {
	set +e
	for _ in $(seq 1800); do
		[ -e "$work/lab-up" ] && break
		sleep 0.1
	done
	if LAB_DIR=$B_DIR LAB_HOOK=$work/b/hook LAB_GRACEFUL=0 LAB_QUIET=1 "$LAB" up >"$work/b.up.log" 2>&1; then
		echo up
	else
		echo "failed: $(tail -n 2 "$work/b.up.log" | paste -sd' ')"
	fi >"$work/b.state.tmp"
	mv "$work/b.state.tmp" "$work/b.state"
}
host_b_bg &
host_b_pid=$!

at_exit() {
	kill "$kvm_pid" 2>/dev/null || true
	# host B's `lab up` is left to finish (it is not stopped midway), unless
	# A never came up and B waits for nothing
	if [ -e "$work/lab-up" ]; then wait "$host_b_pid" 2>/dev/null; else kill "$host_b_pid" 2>/dev/null; fi || true
	if [ "$keep" = 0 ]; then
		# graceful: libvirt destroys the guests, so the hook releases their
		# leases (and withdraws its names from the site's server, still up)
		"$LAB" down >/dev/null 2>&1 || true
		LAB_DIR=$B_DIR LAB_GRACEFUL=0 "$LAB" down >/dev/null 2>&1 || true
		site_down "$work/site"
		rm -rf "$work"
	fi
}
trap at_exit EXIT

b "bringing up the lab, the hook installed: libvirtd, networks ext (NAT, lab.test) and int (isolated, int.test), LXC guests node1..3"
LAB_QUIET=1 "$LAB" up
touch "$work/lab-up"
echo "  up; nsswitch inside the lab: hosts: $LAB_NSS (module from $LAB_BUILDDIR/nss/.libs)"
echo "  the hook: $(readlink "$LAB_DIR/root/etc/libvirt/hooks/lxc.d/libvirt-cluster") in the lab's private /etc/libvirt/hooks/{qemu,lxc,network}.d/"
echo "  the lab's /etc/hosts names no guest: $("$LAB" exec grep -c node /etc/hosts || true) lines mention a node"
echo "  the qemu guest $KVM boots meanwhile (TCG), in the background"

b "every guest by name"
lookup node1
lookup node1.lab.test "name + the network's domain"
lookup node2
lookup node2-dhcp "node2's DHCP hostname differs from its domain name"
ip1=$("$LAB" addr node1 ext) ip2=$("$LAB" addr node2 ext)
lookup "$ip1" "reverse: node1's address"
lookup "$ip2" "reverse: node2's address"
so "each guest resolves by its name and FQDN through glibc's NSS path, and its address back to its name, with no /etc/hosts entry"

b "node1's address order"
int1=$("$LAB" addr node1 int)
echo "  node1's NICs, in its domain XML: eth0 on int (isolated) = $int1, eth1 on ext (NAT) = $ip1"
lc_show resolve node1
echo "  getent hosts node1 answers $("$LAB" exec getent hosts node1 | awk 'NR == 1 { print $1 }') first: the external"
so "the external (NAT) network ranks before the isolated one whatever the NIC order or lease age, so gethostbyname and the inventory give the address other hosts can route to ('addresses = first' in libvirt-cluster.conf pins getaddrinfo's order too)"

b "node3: no DHCP client, a lease from the hook's renewal"
echo "  node3 runs no DHCP client; the hook's worker renews DHCP inside it after renew_after = 5 s"
node3_line() { hook_line lxc node3 worker: | grep -q . && "$LAB" lease node3 >/dev/null 2>&1; }
if poll 30 node3_line; then
	echo "  the hook's log:"
	hook_line lxc node3 worker: | sed 's/^/    /'
else
	echo "  (no worker line and lease for node3 within 30 s; hook log: $(tail -n 3 "$work/log" | paste -sd'|'))"
fi
lookup node3
echo "  node3's lease: $("$LAB" lease node3 2>/dev/null || echo none)"
so "node3 got its address from the hook's renewal, not from a client of its own, and resolves to it"

b "dnsmasq answers node2.lab.test"
node2_dns() { hook_line lxc node2 worker: | grep -q . && "$LAB" exec virsh -q net-dumpxml ext | grep -q '<hostname>node2</hostname>'; }
poll 20 node2_dns || true
echo "  the hook's log:"
hook_line lxc node2 worker: | sed 's/^/    /'
printf '$ virsh net-dumpxml ext | grep -B2 -A1 "<hostname>node2<"\n'
"$LAB" exec virsh -q net-dumpxml ext | grep -B2 -A1 '<hostname>node2<' | sed 's/^/  /' || true
gw=$("$LAB" exec virsh -q net-dumpxml ext | sed -n "s/.*<ip address='\([^']*\)'.*/\1/p" | head -n 1)
show dig +noall +answer @"$gw" node2.lab.test
so "node2's DHCP hostname is node2-dhcp, so only the dns-host entry the hook's worker added makes the network's own dnsmasq (at the gateway $gw) answer node2.lab.test"

b "ssh by name"
show ssh -F "$LAB_DIR/ssh/config" node1 hostname
so "ssh resolves the bare name through the module and reaches the guest"

b "ssh with known-hosts and strict host key checking"
kh=$work/known_hosts.node1
node1_keys() { lc known-hosts node1 >"$kh" 2>&1 && [ -s "$kh" ]; }
poll 20 node1_keys || true
echo "  the hook's worker read node1's host keys from the guest's own /etc/ssh into its record:"
grep -m1 " lxc node1 worker: .*ssh host key" "$work/log" | sed 's/^[0-9]* /    /' || true
printf '$ libvirt-cluster known-hosts node1 > %s\n' "$kh"
sed -e 's/^\(.\{110\}\).*/\1 .../' -e 's/^/  /' "$kh"
echo "  its fingerprint: $(ssh-keygen -lf "$kh" 2>/dev/null | awk '{ print $2 }' | paste -sd' ');" \
	"node1's /etc/ssh/ssh_host_ed25519_key.pub: $(ssh-keygen -lf "$LAB_DIR/roots/node1/etc/ssh/ssh_host_ed25519_key.pub" | awk '{ print $2 }')"
strict_ssh() { # KNOWN_HOSTS: ssh node1 true, checking its host key against that file only
	local rc=0 out
	local cmd=(ssh -F "$LAB_DIR/ssh/config" -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$1"
		-o GlobalKnownHostsFile=/dev/null node1 true)
	printf '$ %s\n' "${cmd[*]}"
	out=$("$LAB" exec "${cmd[@]}" 2>&1) || rc=$?
	# (ssh ends its messages with CR LF)
	[ -z "$out" ] || echo "$out" | tr -d '\r' | sed 's/^/  /'
	echo "  exit $rc"
}
strict_ssh "$kh"
strict_ssh /dev/null
so "ssh accepts node1 under strict checking with only the keys the hypervisor read from the guest (no trust on first use), and refuses it without them"

b "a bridged guest, found by discovery"
LAN1_MAC=52:54:00:1c:07:11
echo "  on A: a Linux bridge $LAN_BR ($LAN_NET.0/24) that no libvirt network manages, with a plain dnsmasq of the LAN's own (leases in $work/lan.leases, not libvirt's)"
# lan1: a guest like the lab's own (its init runs a DHCP client), its one
# NIC then moved from the network ext onto the bridge
lan1_up() {
	lab_lan_up "$work" &&
		"$LAB" define lan1 lan1 "ext:$LAN1_MAC" &&
		"$LAB" exec virsh -q dumpxml lan1 | sed -e "s|<interface type='network'>|<interface type='bridge'>|" \
			-e "s|<source network='ext'[^>]*/>|<source bridge='$LAN_BR'/>|" >"$work/lan1.xml" &&
		grep -q "<source bridge='$LAN_BR'/>" "$work/lan1.xml" &&
		"$LAB" exec virsh -q define "$work/lan1.xml" >/dev/null &&
		"$LAB" exec virsh -q start lan1
}
if lan1_up >"$work/lan1.err" 2>&1; then
	show virsh domiflist lan1
	lan1_ip='' lan1_found=''
	lan1_lease() { lan1_ip=$(lab_lan_lease "$work" "$LAN1_MAC") && [ -n "$lan1_ip" ]; }
	lan1_seen() { lc resolve lan1 2>/dev/null | grep -q "$lan1_ip .* netns"; }
	poll 30 lan1_lease && poll 30 lan1_seen && lan1_found=1
	echo "  the LAN's dnsmasq leased it: $(grep -i " $LAN1_MAC " "$work/lan.leases" | cut -d' ' -f2-4)"
	echo "  libvirt's leases for it: $("$LAB" exec sh -c "grep -c -i '$LAN1_MAC' /var/lib/libvirt/dnsmasq/*.status" | awk -F: '{ n += $NF } END { print n + 0 }')"
	echo "  the hook's log:"
	grep " lxc lan1 discovery:" "$work/log" | head -n 1 | sed 's/^[0-9]* //; s/^/    /'
	lc_show resolve lan1
	lookup lan1
	[ -n "$lan1_found" ] || echo "  (lan1's address was not discovered within 30 s)"
	so "lan1's NIC is on a plain bridge, so libvirt's dnsmasq knows nothing of it: the hook's worker found its address in lan1's own network namespace (source netns), and glibc resolves it"
else
	echo "  (could not set up lan1: $(tail -n 3 "$work/lan1.err" | paste -sd' '))"
fi

b "KVM beside LXC: the qemu guest $KVM"
kvm_ip=''
kvm_state=''
poll $((KVM_BOOT_SECS - ($(date +%s%3N) - t0) / 1000)) test -e "$work/qemu.state" || true
kvm_state=$(cat "$work/qemu.state" 2>/dev/null || echo "skip not started within $KVM_BOOT_SECS s (the kernel download is slow?)")
if [ "${kvm_state%% *}" = started ]; then
	kvm_t0=${kvm_state#started }
	echo "  $KVM: <domain type='qemu'> under TCG, Debian 12's kernel and a busybox initramfs, started $((kvm_t0 - t0 / 1000)) s into the demo"
	kvm_lease() { [ -n "$(qemu_lease_of "$KVM_MAC")" ]; }
	if poll $((t0 / 1000 + KVM_BOOT_SECS - $(date +%s))) kvm_lease; then
		kvm_ip=$(qemu_lease_of "$KVM_MAC" | cut -d' ' -f1)
		echo "  booted: its lease came $(($(date +%s) - kvm_t0)) s after start"
		lookup "$KVM"
		lookup "$KVM.lab.test"
		lookup "$kvm_ip" "reverse"
	else
		echo "  $KVM did not boot within $KVM_BOOT_SECS s of the demo's start (TCG on a busy machine): no lease yet, so no address; the demo goes on"
		echo "  its console ends: $(qemu_console_tail "$KVM")"
	fi
else
	echo "  no qemu guest: ${kvm_state#skip }"
fi
lc_show list
printf '$ libvirt-cluster inventory --list   # its groups\n'
lc inventory --list 2>&1 | python3 -c '
import json, sys
try:
    inv = json.load(sys.stdin)
except ValueError as e:
    sys.exit("  (not JSON: %s)" % e)
for g in sorted(k for k in inv if k != "_meta"):
    if inv[g].get("hosts") or inv[g].get("children"):
        print("  %s: %s" % (g, " ".join(sorted(inv[g].get("hosts", [])) + ["@" + c for c in inv[g].get("children", [])])))
' || true
if [ -n "$kvm_ip" ]; then
	so "one cluster: the qemu guest and the LXC guests in one list and in the inventory's cluster group LAB, each in its group"
else
	so "the LXC guests in one list and in the inventory's cluster group LAB, each in its group (without the qemu guest this time)"
fi

if command -v ansible >/dev/null; then
	b "ansible by name"
	ready=--port=22
	lc wait --help 2>&1 | grep -q -- '--ready' && ready=--ready=ssh
	printf '$ libvirt-cluster wait %s --timeout 30 node1 node2\n' "$ready"
	rc=0
	lc wait "$ready" --timeout 30 node1 node2 >"$work/wait.out" 2>&1 || rc=$?
	sed -e '/^$/d' -e 's/^/  /' "$work/wait.out"
	echo "  exit $rc$([ "$rc" = 0 ] && echo ": both resolve and accept ssh")"
	# ansible in the lab (ansible-in-lab.sh: its files in the lab's dir, one
	# line a host), each line cut short
	an() {
		printf '$ ansible %s\n' "$*"
		"$LAB" exec bash "$lab_srcdir/ansible-in-lab.sh" "$LAB_DIR" "$CLI" "$@" 2>&1 |
			sed -e 's/^\([^|]* | [A-Z!]*\).*"ping": "pong".*/\1 => pong/' -e 's/^\(.\{110\}\).*/\1 .../' \
				-e 's/^/  /' || true
	}
	# bare names: ssh resolves them through glibc, that is through the module
	an -i node1,node2, all -m ping
	# the dynamic inventory: every guest of every running network
	an -i "$LAB_BUILDDIR/cli/libvirt-cluster-inventory" all -m ping
	so "pong from node1 and node2 by bare names and through the inventory; node3, lan1 and $KVM have addresses but run no sshd, so ansible says so rather than skip them"
fi

b "a second host: B resolves A's guests through the cluster DNS"
ZONE=cluster.test REV=1.250.10.in-addr.arpa
B() { LAB_DIR=$B_DIR "$LAB" "$@"; }
SITE_DIR=$work/site
site_why=''
site_ok() { # sets site_why when it fails
	site_why=$(site_need) || return 1
	if lc dns status 2>&1 | grep -q "built without cluster DNS"; then
		site_why="this libvirt-cluster has no cluster DNS (built without ldns)"
		return 1
	fi
	poll 120 test -e "$work/b.state" || site_why="host B's lab did not come up within 2 minutes"
	[ -z "$site_why" ] || return 1
	[ "$(cat "$work/b.state")" = up ] || {
		site_why="host B's lab: $(cat "$work/b.state")"
		return 1
	}
	if ! { site_up "$SITE_DIR" && site_join 1 "$LAB_DIR" && site_join 2 "$B_DIR" &&
		site_named 2 $ZONE $REV; } >"$work/site.err" 2>&1; then
		site_why="the site's named did not start: $(tail -n 3 "$SITE_DIR/named.log" "$work/site.err" 2>/dev/null | paste -sd' ')"
		return 1
	fi
}
if site_ok; then
	echo "  host B: a second lab, its own libvirtd and hook, and guests of the same names node1..3 (other domains, other UUIDs)"
	echo "  the site: a network namespace joined to A (10.99.1.2) and B (10.99.2.2), running BIND 9"
	echo "  (named -g, a private named.conf, primary for $ZONE and $REV, updates signed with a TSIG key from tsig-keygen)"
	site_host_conf 1 $ZONE $REV >>"$work/conf"
	site_host_conf 2 $ZONE $REV >>"$work/b/conf"
	echo "  A's libvirt-cluster.conf gains (B's the same with 10.99.2.1 and hv-2):"
	site_host_conf 1 $ZONE $REV | sed 's/^/    /'
	printf '$ libvirt-cluster dns sync   # on A\n'
	lc dns sync 2>&1 | sed -e '/^$/d' -e 's/^/  /' || true
	printf '$ libvirt-cluster dns sync   # on B\n'
	LAB_DIR=$B_DIR lc_on "$work/b" dns sync 2>&1 | sed -e '/^$/d' -e 's/^/  /' || true
	# B's resolver: the site's server (the lab's resolv.conf, a private copy)
	printf '$ echo nameserver 10.99.2.1 >/etc/resolv.conf   # on B\n'
	B exec sh -c 'echo "nameserver 10.99.2.1" >/etc/resolv.conf'
	LAB_DIR=$B_DIR lookup node1 "on B: B's own node1"
	LAB_DIR=$B_DIR lookup node1.$ZONE "on B: A's node1, through dns"
	echo "  (the labs share their subnets and MACs, so B's own node1 has the same address: the TXT says whose the name is)"
	[ -z "$kvm_ip" ] || LAB_DIR=$B_DIR lookup "$KVM.$ZONE" "on B: A's qemu guest, which B has none of"
	[ -z "$lan1_found" ] || LAB_DIR=$B_DIR lookup "lan1.$ZONE" "on B: A's bridged guest, known from discovery only"
	printf '$ dig +short @10.99.2.1 node1.%s TXT   # on B\n' $ZONE
	B exec dig +short +time=2 +tries=1 @10.99.2.1 "node1.$ZONE" TXT 2>&1 | sed 's/^/  /' || true
	printf '$ libvirt-cluster dns status   # on A\n'
	lc dns status 2>&1 | sed -e '/^$/d' -e 's/^/  /' || true
	so "A published its guests at the site's BIND 9 (lan1 too: what the module answers, discovered addresses included); B's node1 is another guest of the same name (a conflict: B changes nothing), so on B node1.$ZONE is A's node1, from dns, with A's address and host=hv-1 in its TXT"
else
	echo "  (no second host: $site_why)"
fi

b "a guest stops"
show virsh destroy node2
lookup node2
lookup node2-dhcp
released() { ! grep -q "\"$ip2\"" "$status_file"; }
poll 10 released || true
echo "  its lease for $ip2 in /var/lib/libvirt/dnsmasq/$EXT_BR.status:"
echo "  matching lease entries: $(grep -c "\"$ip2\"" "$status_file" || true)"
echo "  the hook's log:"
hook_line lxc node2 stopped: | sed 's/^/    /'
printf '$ dig +noall +answer +comments @%s node2.lab.test   # its status and answers\n' "$gw"
"$LAB" exec dig +noall +answer +comments @"$gw" node2.lab.test 2>&1 | grep -E 'status:|IN[[:space:]]+A' | sed 's/^/  /' || true
site_said=''
if [ -e "$SITE_DIR/named.pid.run" ]; then
	node2_withdrawn() { [ -z "$("$LAB" exec dig +short +time=1 +tries=1 @10.99.1.1 "node2.$ZONE" A 2>/dev/null)" ]; }
	poll 10 node2_withdrawn || true
	printf '$ dig +noall +answer +comments @10.99.1.1 node2.%s   # the site'"'"'s server\n' "$ZONE"
	"$LAB" exec dig +noall +answer +comments +time=2 +tries=1 @10.99.1.1 "node2.$ZONE" 2>&1 |
		grep -E 'status:|IN[[:space:]]+A' | sed 's/^/  /' || true
	site_said=", and the hook withdrew node2.$ZONE from the site's DNS"
fi
so "the name is gone and the lease released (DHCPRELEASE by the hook), not merely hidden: the address is free for the next guest$site_said"

b "done in $((($(date +%s%3N) - t0) / 1000)).$(((($(date +%s%3N) - t0) % 1000) / 100)) s"
if [ "$keep" = 1 ]; then
	cat <<EOF
  The lab is still up, the hook installed (its log: $work/log).  Enter it
  (same namespaces, its nsswitch.conf, virsh):
    LAB_DIR=$LAB_DIR $LAB exec bash
    # then: getent hosts node1; ssh -F \$LAB_DIR/ssh/config node1; virsh list --all; virsh start node2
    #       $CLI list
  Or from outside:  LAB_DIR=$LAB_DIR $LAB status
  Host B is up too (LAB_DIR=$B_DIR, its hook's files in $work/b), and the
  site's named (its log: $SITE_DIR/named.log):
    LAB_DIR=$B_DIR $LAB exec bash
    # then: getent hosts node1.cluster.test; dig @10.99.2.1 node1.cluster.test TXT
  Tear it all down: ./run.sh demo again, or
    LAB_DIR=$LAB_DIR $LAB down; LAB_DIR=$B_DIR $LAB down; kill \$(cat $SITE_DIR/*.pid*)
EOF
else
	echo "  lab torn down (run with --keep to explore it)"
fi
