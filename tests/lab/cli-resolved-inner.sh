# SPDX-License-Identifier: LGPL-2.1-or-later
# Run by test-cli-doctor-resolved.sh inside the lab, in a mount namespace
# of its own: a private system bus and systemd-resolved, then doctor.
# Args: RESOLVED_ROOT CLI LAB_DIR RESOLVED_LD_PATH
set -u
R=$1 CLI=$2 W=$3/resolved RLD=$4
mkdir -p "$W"
fails=0
pass() { echo "PASS: $*"; }
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# A bus of its own and systemd-resolved (resolved-up.sh, beside this file).
bash "$(dirname "$0")/resolved-up.sh" "$R" "$RLD" "$W" >"$W/up.out" 2>&1 || {
	rc=$?
	cat "$W/up.out"
	[ "$rc" = 77 ] && echo "SKIP: $(tail -1 "$W/up.out")"
	exit "$rc"
}

# The network record the hook writes for ext (resolver.h format).
ifindex=$(cat /sys/class/net/virbr-ext/ifindex)
mkdir -p /run/libvirt-cluster
printf 'libvirt-cluster record 1\nkind network\nname ext\nbridge virbr-ext\nifindex %s\nforward nat\nclass external\ndomain lab.test\naddress 10.250.1.1\n' \
	"$ifindex" >/run/libvirt-cluster/net-ext.rec

resolved_check() { # -> "status|message|fix" of the resolved finding(s)
	"$CLI" doctor --json | python3 -c '
import json, sys
for c in json.load(sys.stdin)["checks"]:
    if c["check"] == "resolved":
        print("%s|%s|%s" % (c["status"], c["message"], (c["fix"] or "").replace("\n", " / ")))'
}

r=$(resolved_check)
echo "  $r"
case $r in
"problem|network ext (virbr-ext): systemd-resolved has neither its DNS server nor its routing domain"*"resolvectl dns virbr-ext 10.250.1.1 / "*"resolvectl domain virbr-ext '~lab.test'"*)
	pass "an unregistered link is reported with the resolvectl fix" ;;
*) fail "an unregistered link is reported with the resolvectl fix" ;;
esac

LD_LIBRARY_PATH=$RLD "$R/usr/bin/resolvectl" domain virbr-ext '~lab.test' || fail "resolvectl domain"
r=$(resolved_check)
echo "  $r"
case $r in
"problem|network ext (virbr-ext): systemd-resolved has no DNS server for the link"*) pass "domain only: the missing DNS server is reported" ;;
*) fail "domain only: the missing DNS server is reported" ;;
esac

LD_LIBRARY_PATH=$RLD "$R/usr/bin/resolvectl" dns virbr-ext 10.250.1.1 || fail "resolvectl dns"
r=$(resolved_check)
echo "  $r"
case $r in
"ok|network ext (virbr-ext): systemd-resolved sends *.lab.test to its dnsmasq"*) pass "a registered link is ok" ;;
*) fail "a registered link is ok" ;;
esac

LD_LIBRARY_PATH=$RLD "$R/usr/bin/resolvectl" domain virbr-ext 'lab.test' || fail "resolvectl domain (search)"
r=$(resolved_check)
echo "  $r"
case $r in
"problem|"*"no routing domain"*) pass "a search domain (not route-only) is reported" ;;
*) fail "a search domain (not route-only) is reported" ;;
esac

# Only what this script started, by pid (the lab's teardown would end them too).
kill "$(cat "$W/resolved.pid")" "$(cat "$W/dbus.pid")" 2>/dev/null
exit $((fails > 0))
