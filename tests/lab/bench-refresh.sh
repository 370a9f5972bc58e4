#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What `libvirt-cluster-hook --refresh` costs over many running guests that
# have no lease: the lab (the hook installed), br-lan, and BENCH_N (100) LXC
# guests on it, each with a static address its init sets.  Once every one
# resolves, --refresh runs BENCH_RUNS (3) times under /usr/bin/time: its
# CPU (user + system, its netns children included) and wall time, and how
# many records it rewrote (none: nothing changed).  Then one guest moves and
# one more run rewrites only its record.  Not part of make check (minutes,
# and N guests); its figures are in bench/README.md.
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
N=${BENCH_N:-100} RUNS=${BENCH_RUNS:-3}
[ "$N" -le 100 ] || skip "BENCH_N at most 100 (192.168.77.151-250)"
command -v /usr/bin/time >/dev/null || skip "/usr/bin/time is not installed (time)"
lab_pick_nss
hook_test_setup "renew_after = 2\nrenew_tries = 0\ndiscover_timeout = 120\n"
export LAB_HOOK=$work/hook
bench_at_exit() { lab_lan_down "$work"; }
hook_lab_up bench_at_exit
L=$LAB_NSS
lab_lan_up "$work" || { echo "FAIL: br-lan"; exit 1; }

make_guest() { # I
	local g=b$1 r=$work/roots/b$1 ip=$LAN_NET.$((150 + $1)) d mac
	mac=$(printf '52:54:00:1c:08:%02x' "$1")
	mkdir -p "$r"/{proc,sys,dev,usr,tmp,run,etc}
	for d in bin sbin lib lib32 lib64 libx32; do [ -L "/$d" ] && ln -sfn "$(readlink "/$d")" "$r/$d"; done
	printf '#!/bin/sh\nbusybox ip link set lo up\nbusybox ip addr add %s/24 dev eth0\nbusybox ip link set eth0 up\ntrap "exit 0" TERM\nwhile :; do busybox sleep 3600 & wait; done\n' "$ip" >"$r/init"
	chmod 755 "$r/init"
	cat >"$work/$g.xml" <<EOF
<domain type='lxc'><name>$g</name><memory unit='MiB'>64</memory>
<os><type>exe</type><init>/init</init></os><devices>
<emulator>/usr/lib/libvirt/libvirt_lxc</emulator>
<filesystem type='mount' accessmode='passthrough'><source dir='$r'/><target dir='/'/></filesystem>
<filesystem type='mount' accessmode='passthrough'><source dir='/usr'/><target dir='/usr'/><readonly/></filesystem>
<interface type='bridge'><mac address='$mac'/><source bridge='$LAN_BR'/></interface>
<console type='pty'/>
</devices></domain>
EOF
	"$LAB" exec virsh -q define "$work/$g.xml" >/dev/null && "$LAB" exec virsh -q start "$g" >/dev/null
}
t0=$(date +%s)
for i in $(seq "$N"); do make_guest "$i" || { echo "FAIL: start b$i"; exit 1; }; done
echo "started $N guests in $(($(date +%s) - t0)) s"
for i in $(seq "$N"); do
	lab_wait_name "$L" "b$i" "$LAN_NET.$((150 + i))" 120 >/dev/null || { echo "FAIL: b$i never resolved"; exit 1; }
done
echo "all $N resolve, $(($(date +%s) - t0)) s after the first start"
for r in $(seq "$RUNS"); do
	out=$("$LAB" exec /usr/bin/time -f 'cpu %U user %S sys, %e s wall, %M kB max RSS' "$work/hook" --refresh 2>&1)
	echo "--refresh run $r over $N guests (+3 of the lab): $(echo "$out" | paste -sd' ')"
done
"$LAB" guest b1 busybox ip addr del "$LAN_NET.151/24" dev eth0
"$LAB" guest b1 busybox ip addr add "$LAN_NET.251/24" dev eth0
out=$("$LAB" exec /usr/bin/time -f 'cpu %U user %S sys, %e s wall' "$work/hook" --refresh 2>&1)
echo "--refresh after b1 moved: $(echo "$out" | paste -sd' ')"
lab_wait_name "$L" b1 "$LAN_NET.251" 2
for i in $(seq "$N"); do "$LAB" exec virsh -q destroy "b$i" >/dev/null 2>&1; done
