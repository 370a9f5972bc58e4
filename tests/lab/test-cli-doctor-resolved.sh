#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# doctor's systemd-resolved check against a real systemd-resolved on a
# private D-Bus inside the lab (never the host's: resolved comes from the
# Debian package unpacked with dpkg -x, as LAB-NOTES describe).  A network
# whose bridge has neither its DNS server nor its ~domain is reported with
# the resolvectl fix; once registered, doctor says so.
. "$(dirname "$0")/cli-lib.sh"
command -v dbus-daemon >/dev/null || skip "dbus-daemon not installed"
[ "$(id -u)" = 0 ] || skip "the lab needs root"
lab_pick_nss
# systemd-resolved, unpacked once per build tree (lib.sh); read-only here.
resolved_tree || skip "no systemd-resolved to run: $RESOLVED_WHY"
lab_up

out=$(labx unshare -m --propagation private bash "$lab_srcdir/cli-resolved-inner.sh" "$RESOLVED_ROOT" "$CLI" "$LAB_DIR" "$RESOLVED_LD_PATH" 2>&1)
rc=$?
echo "$out"
[ "$rc" -eq 77 ] && skip "$(echo "$out" | tail -1)"
failures=$(echo "$out" | grep -c '^FAIL:')
[ "$rc" -eq 0 ] || [ "$failures" -gt 0 ] || not_ok "inner script exit $rc"
finish
