#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The module honours LIBVIRT_CLUSTER_{LEASE_DIR,RUNSTATE_DIR,CONFIG} only
# outside secure mode (AT_SECURE, as secure_getenv decides): a user must
# not be able to point a setuid program (sudo, passwd) at lease files of
# their own making.
# A helper that resolves through the module is installed setuid-root and
# setgid-root in a temp dir and run as nobody with overrides pointing at a
# lease dir that holds the only copy of a name: it must not find it, while
# the same helper without the set-id bits must.
set -eu
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root to install a setuid-root helper"
command -v setpriv >/dev/null 2>&1 || skip "setpriv (util-linux) is not installed"
: "${abs_top_builddir:?run from make check}" "${LC_NSS_DIR:?run from make check}"
helper=$abs_top_builddir/tests/stress/lc-lookup
[ -x "$helper" ] || { echo "no $helper" >&2; exit 99; }

# A place nobody can reach, on a filesystem that honours set-id bits.
tmp=
for base in "${TMPDIR:-/tmp}" "$abs_top_builddir" /var/tmp; do
	d=$(mktemp -d "$base/lc-setuid.XXXXXX" 2>/dev/null) || continue
	chmod 0755 "$d"
	# set-id bits honoured there, and nobody can reach it (not under /root)
	if findmnt -n -o OPTIONS -T "$d" 2>/dev/null | tr ',' '\n' | grep -qx nosuid ||
		! setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "cd '$d'" 2>/dev/null; then
		rmdir "$d"
		continue
	fi
	tmp=$d
	break
done
[ -n "$tmp" ] || skip "no temp dir that nobody can reach on a filesystem without nosuid"
trap 'rm -rf "$tmp"' EXIT
mkdir -m 0755 "$tmp/bin" "$tmp/lib" "$tmp/leases"
install -m 0644 "$LC_NSS_DIR/libnss_libvirt_cluster.so.2" "$tmp/lib/"
install -m 0755 "$helper" "$tmp/bin/plain"
install -o root -g root -m 4755 "$helper" "$tmp/bin/setuid"
install -o root -g root -m 2755 "$helper" "$tmp/bin/setgid"
cat >"$tmp/leases/virbr-probe.status" <<'JSON'
[{"ip-address": "10.99.0.1", "mac-address": "52:54:00:99:00:01", "hostname": "suidprobe"}]
JSON
chmod 0644 "$tmp/leases/virbr-probe.status"

run() { # run PROGRAM: as nobody, with the overrides; prints its output
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		env LIBVIRT_CLUSTER_LEASE_DIR="$tmp/leases" LIBVIRT_CLUSTER_RUNSTATE_DIR="$tmp/run" \
		LIBVIRT_CLUSTER_CONFIG="$tmp/none.conf" "$tmp/bin/$1" "$tmp/lib/libnss_libvirt_cluster.so.2" suidprobe
}

fail=0
out=$(run plain) || true
echo "plain:  $out" | tr '\n' ' '; echo
case $out in
*"secure=0"*"suidprobe SUCCESS 10.99.0.1"*) ;;
*) echo "FAIL: without set-id bits the override must be honoured"; fail=1 ;;
esac
for mode in setuid setgid; do
	out=$(run "$mode") || true
	echo "$mode: $out" | tr '\n' ' '; echo
	case $out in
	*"secure=1"*) ;;
	*) echo "FAIL: the $mode helper did not run in secure mode (nosuid mount?)"; fail=1 ;;
	esac
	case $out in
	*"suidprobe SUCCESS"* | *10.99.0.1*) echo "FAIL: the $mode helper followed the override"; fail=1 ;;
	esac
done
exit $fail
