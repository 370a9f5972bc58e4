#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Guests that libvirt's dnsmasq never sees, by name through glibc: on top of
# the lab (tests/lab/lab, the hook installed), a LAN that libvirt does not
# manage (a Linux bridge br-lan with a plain dnsmasq serving DHCP from its
# own lease file, outside libvirt's directory), and LXC guests whose
# addresses the hook's worker discovers in their own network namespaces:
#   landhcp   a bridge NIC on br-lan, leased by that LAN dnsmasq, runs sshd;
#   lanstatic a bridge NIC on br-lan, a static address its init sets;
#   hostile   on br-lan too, with 8.8.8.8/32 and another segment's address
#             on its NIC and a docker0-like 172.17.0.1/16 link;
#   mvtap     a macvtap NIC (type='direct') on a veth parent of the lab;
#   slaac     on an IPv6 libvirt network with router advertisements only.
# Each resolves through our NSS module (getent hosts/ahosts, reverse,
# python's getaddrinfo), ssh by name reaches landhcp, the hostile guest's
# lies are never answered and are logged once, lanstatic moved from .55 to
# .56 answers only .56 after --refresh, and a destroyed guest's name is gone
# at once.  Last, the figures: `virsh start` to resolvable, 10 starts of
# lanstatic (DISCOVER_STARTS changes the count).
# The chk_* functions run through assert (lib.sh): shellcheck cannot see it.
# shellcheck disable=SC2317
here=$(cd "$(dirname "$0")" && pwd)
lib=${LAB_LIB:-$here/lib.sh}
if [ ! -f "$lib" ]; then
	echo "SKIP: the lab (tests/lab/lib.sh) is not in this tree" >&2
	exit 77
fi
# shellcheck source=tests/lab/lib.sh
. "$lib"

MV_PARENT=lanpar MV_NET=192.168.88
RA_NET=ranet RA_BR=virbr-ra RA6=fd00:99
MAC_landhcp=52:54:00:1c:07:01 MAC_lanstatic=52:54:00:1c:07:02 MAC_hostile=52:54:00:1c:07:03
MAC_mvtap=52:54:00:1c:07:04 MAC_slaac=52:54:00:1c:07:05
GUESTS_D="landhcp lanstatic hostile mvtap slaac"
STARTS=${DISCOVER_STARTS:-10}
lab_pick_nss
hook_test_setup "renew_after = 2\nrenew_tries = 0\ndiscover_timeout = 60\n"
export LAB_HOOK=$work/hook

discover_at_exit() {
	local g
	if [ "$1" = 1 ]; then
		echo "--- records"
		"$LAB" exec sh -c "cat $RUN/guest-*.rec" 2>&1 | grep -v '^#'
		echo "--- LAN dnsmasq leases"
		cat "$work/lan.leases" 2>/dev/null
	fi
	for g in $GUESTS_D; do "$LAB" exec virsh -q destroy "$g" >/dev/null 2>&1; done
	lab_lan_down "$work"
}
hook_lab_up discover_at_exit
L=$LAB_NSS

# ---- the LAN: a bridge, a plain dnsmasq, a macvtap parent, an RA-only network ----
chk_lan() {
	lab_lan_up "$work" || return 1
	"$LAB" exec sh -ec "
		ip link add $MV_PARENT type veth peer name ${MV_PARENT}peer
		ip addr add $MV_NET.1/24 dev $MV_PARENT
		ip link set $MV_PARENT up
		ip link set ${MV_PARENT}peer up" || return 1
	cat >"$work/$RA_NET.xml" <<EOF
<network>
  <name>$RA_NET</name>
  <bridge name='$RA_BR' stp='off' delay='0'/>
  <ip family='ipv6' address='$RA6::1' prefix='64'/>
</network>
EOF
	"$LAB" exec virsh -q net-define "$work/$RA_NET.xml" >/dev/null &&
		"$LAB" exec virsh -q net-start "$RA_NET" >/dev/null || return 1
	echo "$LAN_BR $LAN_NET.1/24 with dnsmasq (leases in $work/lan.leases), $MV_PARENT $MV_NET.1/24, $RA_NET $RA6::/64 (RA only)"
}
assert "a LAN libvirt does not manage (br-lan, its own dnsmasq), a macvtap parent, an RA-only IPv6 network" chk_lan

# ---- the guests ----------------------------------------------------------------
# guest_root NAME INIT_BODY: a root with the host's /usr read-only (busybox,
# iproute2, sshd), its init running INIT_BODY, then idling as pid 1 must.
guest_root() {
	local r=$work/roots/$1 d
	mkdir -p "$r"/{lab,root,run,tmp,proc,sys,dev,usr,etc/ssh,var/empty,var/log}
	chmod 1777 "$r/tmp"
	chmod 700 "$r/root"
	for d in bin sbin lib lib32 lib64 libx32; do
		[ -L "/$d" ] && ln -sfn "$(readlink "/$d")" "$r/$d"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nsshd:x:100:65534::/run/sshd:/usr/sbin/nologin\n' >"$r/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
	printf 'root:*::0:99999:7:::\nsshd:*::0:99999:7:::\n' >"$r/etc/shadow"
	chmod 600 "$r/etc/shadow"
	printf '#!/bin/sh\n# init (pid 1) of %s\nbusybox hostname %s\nbusybox ip link set lo up\n%s\n' "$1" "$1" "$2" >"$r/init"
	printf "trap 'exit 0' TERM\nwhile :; do busybox sleep 3600 & wait; done\n" >>"$r/init"
	chmod 755 "$r/init"
}
# guest_xml NAME INTERFACE_XML
guest_xml() {
	local d
	{
		cat <<EOF
<domain type='lxc'>
  <name>$1</name>
  <memory unit='MiB'>128</memory>
  <os><type>exe</type><init>/init</init></os>
  <devices>
    <emulator>/usr/lib/libvirt/libvirt_lxc</emulator>
    <filesystem type='mount' accessmode='passthrough'>
      <source dir='$work/roots/$1'/><target dir='/'/>
    </filesystem>
    <filesystem type='mount' accessmode='passthrough'>
      <source dir='/usr'/><target dir='/usr'/><readonly/>
    </filesystem>
EOF
		for d in bin sbin lib lib32 lib64 libx32; do
			if [ ! -d "/$d" ] || [ -L "/$d" ]; then continue; fi
			printf "    <filesystem type='mount' accessmode='passthrough'>\n      <source dir='/%s'/><target dir='/%s'/><readonly/>\n    </filesystem>\n" "$d" "$d"
		done
		printf '    %s\n    <console type='"'"'pty'"'"'/>\n  </devices>\n</domain>\n' "$2"
	} >"$work/$1.xml"
}
bridge_nic() { echo "<interface type='bridge'><mac address='$1'/><source bridge='$LAN_BR'/></interface>"; }

# udhcpc's event script for landhcp: it applies the lease itself
udhcpc_script='#!/bin/sh
case "$1" in
bound|renew) busybox ip -4 addr flush dev "$interface"; busybox ip addr add "$ip/${mask:-24}" dev "$interface";;
esac
exit 0'
guest_root landhcp 'busybox ip link set eth0 up
busybox udhcpc -i eth0 -s /lab/udhcpc.sh -n -q -t 40 -T 1 -A 1 >/run/udhcpc.log 2>&1
mkdir -p /run/sshd && chmod 755 /run/sshd
/usr/sbin/sshd -f /etc/ssh/sshd_config -E /var/log/sshd.log'
printf '%s\n' "$udhcpc_script" >"$work/roots/landhcp/lab/udhcpc.sh"
chmod 755 "$work/roots/landhcp/lab/udhcpc.sh"
s=$LAB_DIR/ssh r=$work/roots/landhcp
cp "$s/host_ed25519" "$r/etc/ssh/ssh_host_ed25519_key" && chmod 600 "$r/etc/ssh/ssh_host_ed25519_key"
cp "$s/id_ed25519.pub" "$r/etc/ssh/authorized_keys"
printf 'Port 22\nHostKey /etc/ssh/ssh_host_ed25519_key\nPermitRootLogin prohibit-password\nAuthorizedKeysFile /etc/ssh/authorized_keys\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nPidFile /run/sshd.pid\n' >"$r/etc/ssh/sshd_config"
printf 'landhcp %s\n' "$(cut -d' ' -f1,2 "$s/host_ed25519.pub")" >"$work/known_hosts"
printf 'Host landhcp\n\tUser root\n\tIdentityFile %s/id_ed25519\n\tIdentitiesOnly yes\n\tUserKnownHostsFile %s/known_hosts\n\tGlobalKnownHostsFile /dev/null\n\tStrictHostKeyChecking yes\n\tBatchMode yes\n\tConnectTimeout 5\n\tLogLevel ERROR\n' "$s" "$work" >"$work/ssh_config"
guest_root lanstatic "busybox ip addr add $LAN_NET.55/24 dev eth0
busybox ip link set eth0 up"
# its lies first: when its LAN address shows, the worker has all it sees
guest_root hostile "/bin/ip link add docker0 address 02:42:ac:11:00:01 type veth peer name vethd
/bin/ip addr add 172.17.0.1/16 dev docker0
/bin/ip link set docker0 up
/bin/ip link set vethd up
busybox ip addr add 8.8.8.8/32 dev eth0
busybox ip addr add 192.168.99.5/24 dev eth0
busybox ip addr add $LAN_NET.66/24 dev eth0
busybox ip link set eth0 up"
guest_root mvtap "busybox ip addr add $MV_NET.55/24 dev eth0
busybox ip link set eth0 up"
guest_root slaac 'echo 1 >/proc/sys/net/ipv6/conf/eth0/accept_ra 2>/dev/null
busybox ip link set eth0 up'
guest_xml landhcp "$(bridge_nic $MAC_landhcp)"
guest_xml lanstatic "$(bridge_nic $MAC_lanstatic)"
guest_xml hostile "$(bridge_nic $MAC_hostile)"
guest_xml mvtap "<interface type='direct'><mac address='$MAC_mvtap'/><source dev='$MV_PARENT' mode='bridge'/></interface>"
guest_xml slaac "<interface type='network'><mac address='$MAC_slaac'/><source network='$RA_NET'/></interface>"

chk_started() {
	local g
	for g in $GUESTS_D; do
		"$LAB" exec virsh -q define "$work/$g.xml" >/dev/null &&
			"$LAB" exec virsh -q start "$g" >/dev/null || { echo "$g did not start"; return 1; }
	done
	echo "started $GUESTS_D"
}
assert "five LXC guests whose NICs get no lease from libvirt" chk_started

wait_name() { lab_wait_name "$L" "$@"; }
lan_lease() { lab_lan_lease "$work" "$MAC_landhcp"; }
chk_landhcp() {
	local end ip
	end=$(($(date +%s) + 30))
	until ip=$(lan_lease) && [ -n "$ip" ]; do
		[ "$(date +%s)" -lt "$end" ] || { echo "no lease from the LAN dnsmasq"; return 1; }
		sleep 0.2
	done
	LANDHCP_IP=$ip
	wait_name landhcp "$ip" && echo "(leased by the LAN dnsmasq, not libvirt's)"
}
assert "landhcp (bridge NIC, DHCP from the LAN's own dnsmasq) resolves to its lease" chk_landhcp
LANDHCP_IP=$(lan_lease)
assert "lanstatic (bridge NIC, static address) resolves to $LAN_NET.55" wait_name lanstatic "$LAN_NET.55"
assert "mvtap (macvtap NIC on $MV_PARENT) resolves to $MV_NET.55" wait_name mvtap "$MV_NET.55"
slaac_ip=$RA6::5054:ff:fe1c:705
assert "slaac (RA-only IPv6 network) resolves to its SLAAC address $slaac_ip" wait_name slaac "$slaac_ip" 40
assert "hostile resolves to its LAN address only" wait_name hostile "$LAN_NET.66"

chk_ahosts() { # NAME WANT
	local got
	got=$(ahosts_addrs "$L" "$1" | oneline)
	echo "getent ahosts $1: $got"
	[ "$got" = "$2" ]
}
chk_python() { # NAME WANT
	local got
	got=$(py_addrs "$L" "$1" | oneline)
	echo "getaddrinfo($1): $got"
	[ "$got" = "$2" ]
}
chk_reverse() { # IP NAME
	local got
	got=$(q "$L" getent hosts "$1" | awk '{ print $2 }')
	echo "getent hosts $1: $got"
	[ "$got" = "$2" ]
}
for g in landhcp lanstatic mvtap slaac; do
	case $g in
	landhcp) ip=$LANDHCP_IP ;; lanstatic) ip=$LAN_NET.55 ;; mvtap) ip=$MV_NET.55 ;; slaac) ip=$slaac_ip ;;
	esac
	assert "getent ahosts $g" chk_ahosts "$g" "$ip"
	assert "python getaddrinfo $g" chk_python "$g" "$ip"
	assert "reverse lookup of $ip gives $g" chk_reverse "$ip" "$g"
done

chk_cli_source() {
	local r l i
	r=$("$LAB" exec "$LAB_BUILDDIR/cli/libvirt-cluster" resolve lanstatic)
	l=$("$LAB" exec "$LAB_BUILDDIR/cli/libvirt-cluster" list | awk '$1 == "mvtap"')
	i=$("$LAB" exec "$LAB_BUILDDIR/cli/libvirt-cluster" inventory --host landhcp)
	echo "resolve: $(grep -m1 "$LAN_NET.55" <<<"$r" | tr -s ' '); list: $(tr -s ' ' <<<"$l"); inventory landhcp: $(tr -d ' \n' <<<"$i" | head -c 120)"
	grep -q "$LAN_NET.55 .*external .*netns, seen [0-9]*[smhd] ago" <<<"$r" &&
		grep -q "$MV_NET.55($MV_PARENT, netns, seen [0-9]*[smhd] ago)" <<<"$l" &&
		grep -q "\"ansible_host\": *\"$LANDHCP_IP\"" <<<"$i"
}
assert "resolve, list and the inventory give the discovered addresses, with source and age" chk_cli_source

chk_ssh_lan() {
	local got end
	end=$(($(date +%s) + 20))
	until got=$(q "$L" ssh -F "$work/ssh_config" landhcp hostname 2>&1) && [ "$got" = landhcp ]; do
		[ "$(date +%s)" -lt "$end" ] || { echo "ssh landhcp hostname: $got"; return 1; }
		sleep 0.5
	done
	echo "ssh landhcp hostname: $got"
}
assert "ssh by name reaches the bridged guest landhcp" chk_ssh_lan

# ---- the hostile guest's lies -----------------------------------------------------
chk_hostile_never() {
	local a
	a=$(ahosts_addrs "$L" hostile | oneline)
	echo "getent ahosts hostile: $a"
	for bad in 8.8.8.8 172.17.0.1 192.168.99.5; do
		[[ " $a " != *" $bad "* ]] || return 1
		q "$L" getent hosts "$bad" | grep -q hostile && { echo "reverse $bad names hostile"; return 1; }
	done
	return 0
}
assert "hostile: 8.8.8.8, 172.17.0.1 (docker0) and 192.168.99.5 are never answered, forward or reverse" chk_hostile_never
chk_hostile_logged() {
	local n8 n99 n17
	n8=$(grep -c "hostile: the guest says it has 8.8.8.8 " "$work/log")
	n99=$(grep -c "hostile: the guest says it has 192.168.99.5 " "$work/log")
	n17=$(grep -c "172.17.0.1" "$work/log")
	echo "log lines: 8.8.8.8 $n8, 192.168.99.5 $n99, 172.17.0.1 $n17 (another interface: not even a candidate)"
	[ "$n8" = 1 ] && [ "$n99" = 1 ] && [ "$n17" = 0 ]
}
assert "the drops are logged once each" chk_hostile_logged
"$LAB" exec "$work/hook" --refresh >/dev/null 2>&1
assert "and not again after --refresh" chk_hostile_logged

chk_doctor() {
	local out
	out=$("$LAB" exec "$LAB_BUILDDIR/cli/libvirt-cluster" doctor 2>&1 | grep '^PROBLEM  discovery')
	echo "${out:-no discovery problem}"
	grep -q "guest hostile reports 8.8.8.8 on its NIC $MAC_hostile" <<<"$out" &&
		grep -q "guest hostile reports 192.168.99.5 " <<<"$out" && ! grep -q 172.17.0.1 <<<"$out"
}
assert "libvirt-cluster doctor shows what hostile claimed and was refused" chk_doctor

# ---- change and stop -----------------------------------------------------------------
rec_sig() { "$LAB" exec stat -c '%i %Y' "$RUN/guest-$1.rec"; }
chk_refresh_moved() {
	local before_h after_h out
	before_h=$(rec_sig hostile)
	"$LAB" guest lanstatic busybox ip addr del "$LAN_NET.55/24" dev eth0 &&
		"$LAB" guest lanstatic busybox ip addr add "$LAN_NET.56/24" dev eth0 || return 1
	out=$("$LAB" exec "$work/hook" --refresh) || return 1
	after_h=$(rec_sig hostile)
	echo "$out; hostile's record $([ "$before_h" = "$after_h" ] && echo untouched || echo REWRITTEN)"
	[ "$before_h" = "$after_h" ] && wait_name lanstatic "$LAN_NET.56" 2
}
assert "lanstatic moved .55 -> .56 answers only .56 after --refresh, which rewrites only its record" chk_refresh_moved
chk_stopped_gone() {
	local t0 out
	"$LAB" exec virsh -q destroy lanstatic >/dev/null || return 1
	t0=$(date +%s%3N)
	out=$(hosts_addrs "$L" lanstatic | oneline)
	echo "right after virsh destroy: getent hosts lanstatic: $out ($(($(date +%s%3N) - t0)) ms)"
	[ "$out" = "(none)" ]
}
assert "a destroyed guest's name is gone at once" chk_stopped_gone

# ---- figures: virsh start to resolvable ----------------------------------------------
chk_figures() {
	local i t0 t ms=()
	for i in $(seq "$STARTS"); do
		t0=$(date +%s%3N)
		"$LAB" exec virsh -q start lanstatic >/dev/null || return 1
		until hosts_addrs "$L" lanstatic | grep -qx "$LAN_NET.55"; do
			[ $(($(date +%s%3N) - t0)) -lt 30000 ] || { echo "start $i: not resolvable in 30 s"; return 1; }
			sleep 0.02
		done
		t=$(($(date +%s%3N) - t0))
		ms+=("$t")
		"$LAB" exec virsh -q destroy lanstatic >/dev/null || return 1
	done
	echo "lanstatic, $STARTS starts, virsh start to getent: $(lab_median_max "${ms[@]}") (all: ${ms[*]})"
}
assert "figures" chk_figures
finish
