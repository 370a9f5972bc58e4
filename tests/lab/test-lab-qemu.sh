#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The qemu paths against a real qemu guest: the lab's libvirtd (the hook
# installed in its private hooks/qemu.d/) boots a TCG guest (Debian's own
# kernel, a busybox initramfs, an emulated e1000 NIC on the lab's NAT
# network) that takes a real DHCP lease under a DHCP hostname of its own.
# Proves that the hook's qemu events write the record (driver qemu, the
# NIC's MAC), that its worker reaches qemu:///system and makes dnsmasq
# answer the domain name, that glibc's real NSS path through the module
# resolves the domain name, the DHCP hostname and name.lab.test to the lease
# (and the address back to the name), that the CLI lists and resolves the
# guest as a qemu one, and that `virsh destroy` removes the record, releases
# the lease and the DNS entry, and the names stop resolving.
# The chk_* functions run through assert (lib.sh): shellcheck cannot see it.
# shellcheck disable=SC2317
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"

GUEST=qnode1 DHCP_NAME=qnode-dhcp MAC=52:54:00:1c:00:51
# Generous: a TCG boot on two busy cores takes 10 to 60 s.
BOOT_SECS=150

# The worker waits for the lease longer than the guest takes to boot: the
# guest has no agent to renew through.
qemu_test_setup "renew_after = $BOOT_SECS\nrenew_tries = 1\n"
CLI=$LAB_BUILDDIR/cli/libvirt-cluster
[ -x "$CLI" ] || skip "$CLI is not built"
# the CLI in the lab, reading the records where the hook writes them
lc() { "$LAB" exec env LIBVIRT_CLUSTER_RUNSTATE_DIR="$RUN" "$CLI" "$@"; }

qemu_lab_up "$GUEST"

if ! qemu_guest_start "$GUEST" "$MAC" "lab_hostname=$DHCP_NAME"; then
	not_ok "virsh -c qemu:///system define and start $GUEST"
	finish
fi
t0=$qemu_t0
ok "virsh -c qemu:///system start $GUEST (type qemu, TCG, direct kernel boot)"

assert "the hook wrote $GUEST's record: driver qemu, its NIC's MAC on $EXT_NET" chk_qemu_record "$GUEST" "$MAC"

lease_ip_of() { qemu_lease_of "$MAC"; }
ip='' lease=''
chk_lease() {
	local end=$((t0 + BOOT_SECS))
	until lease=$(lease_ip_of) && [ -n "$lease" ]; do
		[ "$(date +%s)" -lt "$end" ] || {
			echo "no lease for $MAC within $BOOT_SECS s; console: $(qemu_console_tail "$GUEST")"
			return 1
		}
		sleep 0.5
	done
	ip=${lease%% *}
	echo "$ip, hostname ${lease#* }, $(($(date +%s) - t0)) s after start"
	[ "${lease#* }" = "$DHCP_NAME" ]
}
# not through assert: it sets ip, which the checks below need
if chk_lease >"$work/lease.out" 2>&1; then
	ok "the guest boots and leases an address as $DHCP_NAME ($(cat "$work/lease.out"))"
else
	not_ok "the guest boots and leases an address as $DHCP_NAME ($(cat "$work/lease.out"))"
fi
if [ -z "$ip" ]; then
	finish
fi

for n in "$GUEST" "$DHCP_NAME" "$GUEST.$EXT_DOMAIN"; do
	assert "getaddrinfo of $n gives the lease" chk_resolves_to_ip "$L" "$n" "$ip" "$GUEST"
done
chk_forms() { # NAME: gethostbyname and Python's getaddrinfo agree
	local h p
	h=$(hosts_addrs "$L" "$1" | oneline) p=$(py_addrs "$L" "$1" | oneline)
	echo "getent hosts $1: $h; python: $p"
	[ "$h" = "$ip" ] && [ "$p" = "$ip" ]
}
assert "getent hosts and python agree on $GUEST: the one lease" chk_forms "$GUEST"
assert "reverse lookup of the lease gives $GUEST" chk_reverse_ip "$L" "$ip" "$GUEST"

chk_cli() {
	local j r
	j=$(lc list --json) && r=$(lc resolve --json "$GUEST") || return 1
	python3 - "$j" "$r" "$GUEST" "$ip" <<'PY'
import json, sys
hosts = {h["name"]: h for h in json.loads(sys.argv[1])}
g = hosts[sys.argv[3]]
r = json.loads(sys.argv[2])[0]
print(f'list: {g["name"]} {g["driver"]} {g["state"]} {[a["address"] for a in g["addresses"]]}; '
      f'resolve: {r.get("driver")} {[a["address"] for a in r["addresses"]]}')
assert g["driver"] == "qemu" and g["state"] == "running"
assert [a["address"] for a in g["addresses"]] == [sys.argv[4]]
assert r["found"] and r.get("driver") == "qemu" and r["addresses"][0]["address"] == sys.argv[4]
PY
}
assert "libvirt-cluster list and resolve show $GUEST as a running qemu guest" chk_cli

# The worker (spawned at started) reaches qemu:///system and adds a dns-host
# entry for the domain name, which the DHCP hostname does not give.
chk_worker() {
	local end=$(($(date +%s) + 30)) line
	until line=$(grep " qemu $GUEST worker: " "$work/log"); do
		[ "$(date +%s)" -lt "$end" ] || {
			echo "no worker line in 30 s"
			return 1
		}
		sleep 0.2
	done
	echo "${line#*: }"
	grep -q "1/1 NIC leased, first address $ip" <<<"$line" &&
		"$LAB" exec virsh -q net-dumpxml "$EXT_NET" | grep -q "<hostname>$GUEST</hostname>"
}
assert "the qemu worker sees the lease and adds $GUEST to $EXT_NET's DNS" chk_worker

# ---- destroy: record, lease and DNS entry go; the names stop resolving ----------
qv destroy "$GUEST" >/dev/null || not_ok "virsh -c qemu:///system destroy $GUEST"
assert "virsh destroy: the hook removes the record, releases the lease, drops the DNS entry" chk_qemu_gone "$GUEST" "$MAC"
for n in "$GUEST" "$DHCP_NAME" "$GUEST.$EXT_DOMAIN"; do
	assert "$n no longer resolves" chk_unresolvable "$L" "$n"
done
chk_log() {
	local bad
	bad=$(grep " qemu $GUEST " "$work/log" | grep -v -E ' qemu [^ ]+ [a-z-]+(:| worker:) ' | head -n 3)
	echo "$(grep -c " qemu $GUEST " "$work/log") qemu log lines: $(grep " qemu $GUEST " "$work/log" | awk '{ print $5 }' | paste -sd' ')"
	grep -q " qemu $GUEST started: " "$work/log" && [ -z "$bad" ] &&
		grep -q " qemu $GUEST stopped: 1 of 1 lease released, record removed" "$work/log"
}
assert "the hook logged $GUEST's qemu events, the lease released by its stopped" chk_log
echo "test time $(($(date +%s) - t0)) s from start to the end"
finish
