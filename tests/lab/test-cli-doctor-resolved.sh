#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# doctor's systemd-resolved check against a real systemd-resolved on a
# private D-Bus inside the lab (never the host's: resolved comes from the
# Debian package unpacked with dpkg -x, as LAB-NOTES describe).  A network
# whose bridge has neither its DNS server nor its ~domain is reported with
# the resolvectl fix; once registered, doctor says so.
. "$(dirname "$0")/cli-lib.sh"
command -v dbus-daemon >/dev/null || skip "dbus-daemon not installed"
lab_pick_nss
ver=$(dpkg-query -W -f='${Version}' systemd 2>/dev/null) || skip "systemd is not installed (its version picks systemd-resolved's)"
lab_up
# Unpacked into this test's lab directory, which `lab down` removes.
rdir=$LAB_DIR/systemd-resolved
dl=$LAB_DIR/deb
mkdir -p "$dl" "$rdir"
(cd "$dl" && apt-get download -q "systemd-resolved=$ver" >/dev/null 2>&1) ||
	skip "cannot download systemd-resolved=$ver (apt-get download)"
dpkg -x "$dl"/systemd-resolved_*.deb "$rdir" || skip "dpkg -x failed"

out=$(labx unshare -m --propagation private bash "$lab_srcdir/cli-resolved-inner.sh" "$rdir" "$CLI" "$LAB_DIR" 2>&1)
rc=$?
echo "$out"
[ "$rc" -eq 77 ] && skip "$(echo "$out" | tail -1)"
failures=$(echo "$out" | grep -c '^FAIL:')
[ "$rc" -eq 0 ] || [ "$failures" -gt 0 ] || not_ok "inner script exit $rc"
finish
