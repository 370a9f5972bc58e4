#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The hook in a real libvirtd releases a guest's DHCPv6 lease on destroy.
# On top of the lab (tests/lab/lab, the hook installed), this test defines
# a network of its own with an IPv6 DHCP range and an LXC guest, node6,
# whose init runs dhclient -6 (the host's, through the read-only /usr).
# libvirt's dnsmasq leases it an address, its leaseshelper writes the lease
# with client-id, iaid and server-duid; the name resolves through our NSS
# module; `virsh destroy node6` runs the hook's stopped/release, whose
# DHCPv6 Release makes the lease leave the .status.
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

[ -x /sbin/dhclient ] || skip "no /sbin/dhclient (isc-dhcp-client)"
NET=v6net BR=virbr-v6 PREFIX=fd00:250:6 MAC=52:54:00:1c:06:01
lab_pick_nss
hook_test_setup "renew_tries = 0\n"
export LAB_HOOK=$work/hook

# At exit (lib.sh's hook_lab_exit): node6's dhclient log and the .status
# after a failure; node6 destroyed (the lab's own graceful stop knows only
# its guests) before `lab down`.
dhcp6_at_exit() {
	if [ "$1" = 1 ]; then
		echo "--- node6's dhclient"
		tail -15 "$work/root/run/dhclient6.log" 2>/dev/null
		echo "--- $BR.status"
		"$LAB" exec cat "/var/lib/libvirt/dnsmasq/$BR.status" 2>&1
	fi
	"$LAB" exec virsh -q destroy node6 >/dev/null 2>&1
}
hook_lab_up dhcp6_at_exit

# ---- an IPv6 network and a guest with a DHCPv6 client ------------------------
cat >"$work/$NET.xml" <<EOF
<network>
  <name>$NET</name>
  <bridge name='$BR' stp='off' delay='0'/>
  <domain name='v6.test' localOnly='yes'/>
  <ip family='ipv6' address='$PREFIX::1' prefix='64'>
    <dhcp>
      <range start='$PREFIX::10' end='$PREFIX::ff'/>
    </dhcp>
  </ip>
</network>
EOF
r=$work/root
mkdir -p "$r"/{lab,root,run,tmp,proc,sys,dev,usr,etc}
chmod 1777 "$r/tmp"
for d in bin sbin lib lib32 lib64 libx32; do
	[ -L "/$d" ] && ln -sfn "$(readlink "/$d")" "$r/$d"
done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"
printf 'root:x:0:\n' >"$r/etc/group"
# shellcheck disable=SC2016 # the guest's init expands these
cat >"$r/init" <<'EOF'
#!/bin/sh
# init (pid 1) of node6: a DHCPv6 client once eth0's link-local address has
# passed duplicate address detection
busybox hostname node6
busybox ip link set lo up
busybox ip link set eth0 up
i=0
while [ $i -lt 50 ]; do
	a=$(busybox ip -6 addr show dev eth0 scope link)
	case $a in *inet6*) case $a in *tentative*) ;; *) break ;; esac ;; esac
	busybox usleep 100000
	i=$((i + 1))
done
/sbin/dhclient -6 -nw -v -cf /dev/null -sf /bin/true -lf /run/dhclient6.leases \
	-pf /run/dhclient6.pid eth0 >/run/dhclient6.log 2>&1
trap 'exit 0' TERM
while :; do busybox sleep 3600 & wait; done
EOF
chmod 755 "$r/init"
{
	cat <<EOF
<domain type='lxc'>
  <name>node6</name>
  <memory unit='MiB'>128</memory>
  <os>
    <type>exe</type>
    <init>/init</init>
  </os>
  <devices>
    <emulator>/usr/lib/libvirt/libvirt_lxc</emulator>
    <filesystem type='mount' accessmode='passthrough'>
      <source dir='$r'/>
      <target dir='/'/>
    </filesystem>
    <filesystem type='mount' accessmode='passthrough'>
      <source dir='/usr'/>
      <target dir='/usr'/>
      <readonly/>
    </filesystem>
EOF
	for d in bin sbin lib lib32 lib64 libx32; do
		if [ ! -d "/$d" ] || [ -L "/$d" ]; then continue; fi
		printf "    <filesystem type='mount' accessmode='passthrough'>\n      <source dir='/%s'/>\n      <target dir='/%s'/>\n      <readonly/>\n    </filesystem>\n" "$d" "$d"
	done
	cat <<EOF
    <interface type='network'>
      <mac address='$MAC'/>
      <source network='$NET'/>
    </interface>
    <console type='pty'/>
  </devices>
</domain>
EOF
} >"$work/node6.xml"

chk_setup() {
	"$LAB" exec virsh -q net-define "$work/$NET.xml" >/dev/null &&
		"$LAB" exec virsh -q net-start "$NET" >/dev/null &&
		"$LAB" exec virsh -q define "$work/node6.xml" >/dev/null &&
		"$LAB" exec virsh -q start node6 >/dev/null &&
		echo "$NET ($PREFIX::/64, DHCPv6) and node6 started"
}
assert "an IPv6 libvirt network and a guest running dhclient -6" chk_setup

status=/var/lib/libvirt/dnsmasq/$BR.status
lease6() { "$LAB" exec sed -n "s/.*\"ip-address\": \"\\($PREFIX::[0-9a-f:]*\\)\".*/\\1/p" "$status" 2>/dev/null; }
chk_leased() {
	local end a
	end=$(($(date +%s) + 20))
	until a=$(lease6) && [ -n "$a" ]; do
		[ "$(date +%s)" -lt "$end" ] || {
			echo "no DHCPv6 lease in $BR.status after 20 s"
			return 1
		}
		sleep 0.2
	done
	echo "$a; $("$LAB" exec grep -c -e '"iaid"' -e '"client-id"' -e '"server-duid"' "$status") of iaid/client-id/server-duid"
	"$LAB" exec grep -q '"server-duid"' "$status" && "$LAB" exec grep -q '"iaid"' "$status"
}
assert "libvirt's leaseshelper writes node6's DHCPv6 lease with its DUIDs and IAID" chk_leased
A6=$(lease6)

chk_resolves6() {
	local got
	got=$(ahosts_addrs "$LAB_NSS" node6 | oneline)
	echo "getent ahosts node6: $got"
	[ -n "$A6" ] && [[ " $got " == *" $A6 "* ]]
}
assert "node6 resolves to its DHCPv6 address" chk_resolves6

# ---- destroy: the hook's DHCPv6 Release --------------------------------------
"$LAB" exec virsh -q destroy node6 >/dev/null || not_ok "virsh destroy node6"
chk_released6() {
	local end
	end=$(($(date +%s) + 15))
	while "$LAB" exec grep -q "\"$A6\"" "$status"; do
		[ "$(date +%s)" -lt "$end" ] || {
			echo "$A6 still in $BR.status"
			return 1
		}
		sleep 0.1
	done
	echo "$A6 gone from $BR.status"
}
assert "virsh destroy node6: its lease leaves $BR.status (DHCPv6 Release)" chk_released6
chk_log6() {
	local line
	line=$(grep ' node6 stopped: ' "$work/log")
	echo "${line#* }"
	[[ $line == *"1 of 1 lease released (1 by DHCPv6 Release"* ]]
}
assert "the hook logs the Release" chk_log6
chk_release_once() {
	local line
	line=$(grep ' node6 release: ' "$work/log")
	echo "${line#* }"
	[[ $line == *"released at stopped"* ]] && [[ $line != *"by DHCPv6 Release"* ]]
}
assert "release (after stopped) sends no second Release" chk_release_once
chk_gone() {
	local got
	got=$(ahosts_addrs "$LAB_NSS" node6 | oneline)
	echo "getent ahosts node6: $got"
	[ "$got" = "(none)" ]
}
assert "node6 no longer resolves" chk_gone
finish
