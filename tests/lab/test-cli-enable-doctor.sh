#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `enable`, `disable` and `doctor` against the real lab.  /etc/nsswitch.conf
# is a scratch copy bind-mounted over the real path in a private mount
# namespace (inside the lab's, whose /etc/libvirt and /run are its own):
# the host's files are never written.  doctor is shown a healthy setup
# (exit 0), then each thing it checks is broken in turn and must be
# reported with its fix.
. "$(dirname "$0")/cli-lib.sh"
lab_pick_nss
host_nss_before=$(md5sum </etc/nsswitch.conf)
lab_up
eval "$("$LAB" env | grep "^MAC_")"

T=$LAB_DIR/cli-enable
mkdir -p "$T/backup"
# Debian 12's default file.
cat >"$T/nsswitch.orig" <<'CONF'
# /etc/nsswitch.conf
#
# Example configuration of GNU Name Service Switch functionality.

passwd:         files systemd
group:          files systemd
shadow:         files
gshadow:        files

hosts:          files mdns4_minimal [NOTFOUND=return] dns myhostname
networks:       files

protocols:      db files
services:       db files
ethers:         db files
rpc:            db files

netgroup:       nis
CONF
cp "$T/nsswitch.orig" "$T/nsswitch.conf"
# A stand-in for libvirt-cluster-hook: logs each call and, when a guest
# starts, writes its record as the real hook does (resolver.h format).
cat >"$T/hook" <<HOOK
#!/bin/sh
echo "\$0 \$*" >>"$T/hook.log"
cat >/dev/null
if [ "\$2" = start ] && [ "\$(basename "\$(dirname "\$0")")" = lxc.d ]; then
	mkdir -p /run/libvirt-cluster
	printf 'libvirt-cluster record 1\nkind guest\nname %s\ndriver lxc\n' "\$1" >/run/libvirt-cluster/.t.\$\$
	mv /run/libvirt-cluster/.t.\$\$ /run/libvirt-cluster/guest-\$1.rec
fi
exit 0
HOOK
chmod 755 "$T/hook"

# CMD in the lab, in a fresh mount namespace with the scratch nsswitch.conf
# over /etc/nsswitch.conf; backups go to the scratch dir.
in_ns() {
	# shellcheck disable=SC2016
	labx unshare -m --propagation private sh -c 'mount -n --bind "$0" /etc/nsswitch.conf && exec "$@"' \
		"$T/nsswitch.conf" env LIBVIRT_CLUSTER_BACKUP_DIR="$T/backup" LIBVIRT_CLUSTER_HOOK="$T/hook" "$@"
}
lcn() { in_ns "$CLI" "$@"; }
hosts_line() { grep '^hosts:' "$T/nsswitch.conf"; }
n_backups() { find "$T/backup" -type f | wc -l; }
hooks_dir=$LAB_DIR/root/etc/libvirt/hooks

# ---- enable ----------------------------------------------------------------
chk_dry_run() {
	local out
	out=$(lcn enable --dry-run) || return 1
	echo "$out" | grep '^[-+]hosts' | paste -sd' '
	grep -qx -- '-hosts:          files mdns4_minimal \[NOTFOUND=return\] dns myhostname' <<<"$out" &&
		grep -qx -- '+hosts:          files mdns4_minimal \[NOTFOUND=return\] libvirt_cluster dns myhostname' <<<"$out" &&
		grep -q "would create /etc/libvirt/hooks/lxc.d/libvirt-cluster -> $T/hook" <<<"$out" &&
		cmp -s "$T/nsswitch.conf" "$T/nsswitch.orig" && [ "$(n_backups)" -eq 0 ] &&
		[ ! -e "$hooks_dir/lxc.d/libvirt-cluster" ]
}
assert "enable --dry-run shows the diff and the links, changes nothing" chk_dry_run

: >"$T/hook.log"
reloads=$(lab_reload_marker)
chk_enable() {
	local out
	out=$(lcn enable) || { echo "$out"; return 1; }
	hosts_line
	echo "$out" | grep SIGHUP
	[ "$(hosts_line)" = "hosts:          files mdns4_minimal [NOTFOUND=return] libvirt_cluster dns myhostname" ] &&
		[ "$(n_backups)" -eq 1 ] && cmp -s "$T/backup/"* "$T/nsswitch.orig" &&
		[ "$(readlink "$hooks_dir/qemu.d/libvirt-cluster")" = "$T/hook" ] &&
		[ "$(readlink "$hooks_dir/lxc.d/libvirt-cluster")" = "$T/hook" ] &&
		[ "$(readlink "$hooks_dir/network.d/libvirt-cluster")" = "$T/hook" ] &&
		grep -q "sent SIGHUP to libvirtd (pid [0-9]*)" <<<"$out" &&
		diff <(grep -v '^hosts:' "$T/nsswitch.orig") <(grep -v '^hosts:' "$T/nsswitch.conf") >/dev/null
}
assert "enable: module before dns, backup of the original, links, SIGHUP" chk_enable

chk_idempotent() {
	local before out
	before=$(md5sum <"$T/nsswitch.conf")
	out=$(lcn enable) || return 1
	echo "$out" | head -1
	[ "$before" = "$(md5sum <"$T/nsswitch.conf")" ] && [ "$(n_backups)" -eq 1 ] &&
		! grep -q SIGHUP <<<"$out"
}
assert "enable again: same file, no new backup, no reload" chk_idempotent

chk_glibc_reads_it() {
	local got want
	want=$("$LAB" addr node1 ext)
	got=$(in_ns getent ahosts node1 | awk 'NR==1{print $1}')
	echo "getent ahosts node1 through the rewritten file: $got"
	[ "$got" = "$want" ]
}
assert "glibc resolves node1 through the rewritten /etc/nsswitch.conf" chk_glibc_reads_it

# After the SIGHUP the daemon runs the hook: restart a guest and look (once
# libvirtd has reread its hooks: it does that in a thread of its own).
chk_reloaded() {
	lab_wait_reload "$reloads" || {
		echo "no reload within 30 s"
		return 1
	}
	echo "libvirtd ran its daemon hooks with: $(tail -n 1 "$LAB_DIR/reloads")"
}
assert "libvirtd rereads its hooks after enable's SIGHUP" chk_reloaded
"$LAB" exec virsh -q destroy node2 >/dev/null && "$LAB" exec virsh -q start node2 >/dev/null ||
	not_ok "restart node2"
chk_hook_ran() {
	local l
	l=$(grep -c "lxc.d/libvirt-cluster node2 " "$T/hook.log")
	echo "hook calls for node2: $l ($(grep 'node2' "$T/hook.log" | awk '{print $3}' | paste -sd,))"
	[ "$l" -gt 0 ] && grep -q "lxc.d/libvirt-cluster node2 start begin" "$T/hook.log"
}
assert "libvirtd runs the linked hook after enable's SIGHUP" chk_hook_ran

# ---- doctor: healthy, then each thing broken ----------------------------------
doctor() { lcn doctor "$@"; }
chk_healthy() {
	local out rc=0
	out=$(doctor) || rc=$?
	echo "exit $rc: $(echo "$out" | grep -E '^(PROBLEM|skipped)' | paste -sd';')"
	[ "$rc" -eq 0 ] && grep -q "all is well" <<<"$out"
}
assert "doctor on the healthy setup: exit 0, all is well" chk_healthy

# doctor_reports NEEDLE [ENV...]: exit 1 and NEEDLE in the output.
doctor_reports() {
	local needle=$1 out rc=0
	shift
	out=$(in_ns env "$@" "$CLI" doctor) || rc=$?
	echo "exit $rc: $(echo "$out" | grep -A1 '^PROBLEM' | head -4 | paste -sd' ' | tr -s ' ')"
	[ "$rc" -eq 1 ] && grep -qF -- "$needle" <<<"$out"
}

cp "$T/nsswitch.conf" "$T/nsswitch.good"
set_hosts() { sed -i "s/^hosts:.*/hosts: $1/" "$T/nsswitch.conf"; }
set_hosts "files myhostname resolve [!UNAVAIL=return] dns libvirt_cluster"
assert "nsswitch: after resolve [!UNAVAIL=return] is reported" \
	doctor_reports "every module after it is silently disabled"
assert "... with the corrected line as the fix" \
	doctor_reports "hosts: files myhostname libvirt_cluster resolve [!UNAVAIL=return] dns"
set_hosts "files dns libvirt_cluster"
assert "nsswitch: after dns is reported" doctor_reports "libvirt_cluster comes after 'dns'"
set_hosts "files dns"
assert "nsswitch: module missing is reported" doctor_reports "does not name libvirt_cluster"
sed -i '/^hosts:/d' "$T/nsswitch.conf"
assert "nsswitch: no hosts line is reported" doctor_reports "has no hosts line"
cp "$T/nsswitch.good" "$T/nsswitch.conf"

if [ ! -e /usr/lib/x86_64-linux-gnu/libnss_libvirt_cluster.so.2 ] && [ ! -e /lib/x86_64-linux-gnu/libnss_libvirt_cluster.so.2 ]; then
	assert "module: not loadable is reported" doctor_reports "glibc cannot load libnss_libvirt_cluster.so.2" LD_LIBRARY_PATH=
fi

rm "$hooks_dir/lxc.d/libvirt-cluster"
assert "hooks: a missing link is reported" doctor_reports "/etc/libvirt/hooks/lxc.d/libvirt-cluster is missing"
ln -s /nonexistent/hook "$hooks_dir/lxc.d/libvirt-cluster"
assert "hooks: a dangling link is reported" doctor_reports "lxc.d/libvirt-cluster -> /nonexistent/hook: not executable"
rm "$hooks_dir/lxc.d/libvirt-cluster"
lcn enable --no-reload >/dev/null || not_ok "enable --no-reload"
pid=$("$LAB" exec cat /run/libvirtd.pid)
assert "daemon: a link newer than libvirtd, no hook run since, needs SIGHUP" \
	doctor_reports "fix: kill -HUP $pid"
lcn enable >/dev/null # nothing to change: no reload either
reloads=$(wc -l <"$LAB_DIR/reloads")
"$LAB" exec kill -HUP "$pid"
lab_wait_reload "$reloads" || not_ok "libvirtd did not reread its hooks within 30 s of SIGHUP"
"$LAB" exec virsh -q destroy node2 >/dev/null && "$LAB" exec virsh -q start node2 >/dev/null
assert "daemon: after SIGHUP and a hook run, healthy again" chk_healthy

assert "leases: a missing lease directory is reported" \
	doctor_reports "lease directory /nonexistent/leases does not exist" LIBVIRT_CLUSTER_LEASE_DIR=/nonexistent/leases
mkdir -p "$T/leases" && cp -p "$LAB_DIR"/root/var/lib/libvirt/dnsmasq/*.status "$T/leases/" && chmod 600 "$T/leases/virbr-ext.status"
chk_unreadable_lease() {
	local out rc=0
	# As nobody: root reads everything.
	out=$(in_ns env LIBVIRT_CLUSTER_LEASE_DIR="$T/leases" setpriv --reuid=65534 --regid=65534 --clear-groups "$CLI" doctor) || rc=$?
	echo "exit $rc: $(echo "$out" | grep -A1 'PROBLEM  leases' | paste -sd' ' | tr -s ' ')"
	[ "$rc" -eq 1 ] && grep -q "virbr-ext.status is unreadable (Permission denied)" <<<"$out" &&
		grep -q "fix: chmod 644 $T/leases/virbr-ext.status" <<<"$out"
}
chmod 755 "$LAB_DIR" "$T" "$T/leases" 2>/dev/null
assert "leases: an unreadable lease file is reported (as nobody)" chk_unreadable_lease

printf 'domains = cluster.test\nbogus_key = 1\nthis line has no equals sign\n' >"$T/conf"
assert "config: an unknown key is reported with its line" \
	doctor_reports "$T/conf line 2:" LIBVIRT_CLUSTER_CONFIG="$T/conf"
assert "config: a bad line is reported with its line" \
	doctor_reports "$T/conf line 3:" LIBVIRT_CLUSTER_CONFIG="$T/conf"

write_record node1 lxc lab web "$MAC_node1_int int virbr-int" "$MAC_node1_ext ext virbr-ext"
assert "guests: a lowercase group is reported, naming the guest" \
	doctor_reports "guest node1: group 'web' is not a valid group name"
write_record node1 lxc lab WEB "$MAC_node1_int int virbr-int" "$MAC_node1_ext ext virbr-ext"

chk_json() {
	local j rc=0
	j=$(in_ns env LIBVIRT_CLUSTER_CONFIG="$T/conf" "$CLI" doctor --json) || rc=$?
	[ "$rc" -eq 1 ] || { echo "exit $rc"; return 1; }
	echo "$j" | python3 -c '
import json, sys
d = json.load(sys.stdin)
bad = [c for c in d["checks"] if c["status"] == "problem"]
print("ok=%s problems=%d: %s" % (d["ok"], d["problems"], "; ".join(c["check"] for c in bad)))
assert d["ok"] is False and d["problems"] == len(bad) == 2
assert all(c["check"] == "config" and c["fix"] for c in bad)'
}
assert "doctor --json: the same findings, each with its fix" chk_json
assert "back to healthy" chk_healthy

# ---- disable ------------------------------------------------------------------
chk_disable() {
	local out
	out=$(lcn disable) || { echo "$out"; return 1; }
	hosts_line
	cmp -s "$T/nsswitch.conf" "$T/nsswitch.orig" && [ "$(n_backups)" -eq 2 ] &&
		[ ! -e "$hooks_dir/qemu.d/libvirt-cluster" ] && [ ! -e "$hooks_dir/lxc.d/libvirt-cluster" ] &&
		[ ! -e "$hooks_dir/network.d/libvirt-cluster" ]
}
assert "disable: the original file byte for byte, links gone, a backup" chk_disable
chk_disable_again() {
	local before
	before=$(md5sum <"$T/nsswitch.conf")
	lcn disable >/dev/null && [ "$before" = "$(md5sum <"$T/nsswitch.conf")" ] && [ "$(n_backups)" -eq 2 ] &&
		echo "unchanged, $(n_backups) backups"
}
assert "disable again: nothing changes" chk_disable_again
assert "doctor after disable reports the missing module" doctor_reports "does not name libvirt_cluster"

chk_host_untouched() {
	local now
	now=$(md5sum </etc/nsswitch.conf)
	echo "host /etc/nsswitch.conf: ${now%% *}"
	[ "$now" = "$host_nss_before" ] && ! ls /etc/nsswitch.conf.libvirt-cluster-* >/dev/null 2>&1
}
assert "the host's /etc/nsswitch.conf is untouched, no backup next to it" chk_host_untouched
finish
