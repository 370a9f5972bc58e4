#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# libvirt-cluster-nsswitch, what the module package's postinst and prerm
# run: enable puts the module where `libvirt-cluster enable` does, disable
# gives back the file byte for byte, both are idempotent, a missing file
# stays missing, a symlink stays a link, the mode stays.  On temp files;
# no root needed.
set -u
helper=${abs_top_builddir:-$(pwd)}/cli/libvirt-cluster-nsswitch
[ -x "$helper" ] || { echo "FAIL: $helper not built"; exit 1; }
tmp=$(mktemp -d /tmp/lc-nsshelper.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

fail=0 pass=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
hosts_line() { grep -E '^[[:space:]]*hosts[[:space:]]*:' "$1"; }

# round_trip NAME WANT-HOSTS-LINE: FILE=$tmp/NAME holds the original.
round_trip() {
	local f=$tmp/$1 want=$2
	cp -p "$f" "$f.orig"
	"$helper" enable "$f" >"$tmp/out" || { bad "$1: enable failed: $(cat "$tmp/out")"; return; }
	[ "$(hosts_line "$f")" = "$want" ] && ok "$1: enable" ||
		bad "$1: enable gave '$(hosts_line "$f")', want '$want'"
	grep -qF "$want" "$tmp/out" && ok "$1: enable prints the new line" || bad "$1: output $(cat "$tmp/out")"
	cp -p "$f" "$f.enabled"
	"$helper" enable "$f" >"$tmp/out" && cmp -s "$f" "$f.enabled" && grep -q 'already' "$tmp/out" &&
		ok "$1: enable again changes nothing" || bad "$1: second enable: $(cat "$tmp/out")"
	"$helper" disable "$f" >/dev/null && cmp -s "$f" "$f.orig" &&
		ok "$1: disable restores the file byte for byte" || bad "$1: disable: $(diff "$f.orig" "$f")"
	"$helper" disable "$f" >"$tmp/out" && cmp -s "$f" "$f.orig" && grep -q 'does not name' "$tmp/out" &&
		ok "$1: disable again changes nothing" || bad "$1: second disable: $(cat "$tmp/out")"
}

# Debian 12's layout (base-files): aligned columns, comments, blank lines.
printf '# /etc/nsswitch.conf\n#\n\npasswd:         files systemd\n\nhosts:          files dns\nnetworks:       files\n\nnetgroup:       nis\n' >"$tmp/debian12"
round_trip debian12 "hosts:          files libvirt_cluster dns"

# With avahi's nss-mdns: its [NOTFOUND=return] answers only .local names.
printf 'passwd: files\nhosts:\tfiles mdns4_minimal [NOTFOUND=return] dns myhostname\n' >"$tmp/mdns"
round_trip mdns "$(printf 'hosts:\tfiles mdns4_minimal [NOTFOUND=return] libvirt_cluster dns myhostname')"

# With systemd-resolved, and no newline at the end of the file.
printf 'hosts: files resolve [!UNAVAIL=return] dns # resolved first\ngroup: files' >"$tmp/resolved"
round_trip resolved "hosts: files libvirt_cluster resolve [!UNAVAIL=return] dns # resolved first"

# Module already in the wrong place (after dns): enable moves it.
printf 'hosts: files dns libvirt_cluster\n' >"$tmp/late"
"$helper" enable "$tmp/late" >/dev/null
[ "$(cat "$tmp/late")" = "hosts: files libvirt_cluster dns" ] && ok "late: enable moves it before dns" ||
	bad "late: got $(cat "$tmp/late")"

# A missing file is not created: removal could not give back "no file".
"$helper" enable "$tmp/none" >"$tmp/out" && [ ! -e "$tmp/none" ] && grep -q 'no such file' "$tmp/out" &&
	ok "missing file: left missing, exit 0" || bad "missing file: $(cat "$tmp/out")"

# A symlink stays a link to the edited file; the file keeps its mode.
printf 'hosts: files dns\n' >"$tmp/target"
chmod 0640 "$tmp/target"
ln -s target "$tmp/link"
"$helper" enable "$tmp/link" >/dev/null
[ -L "$tmp/link" ] && [ "$(cat "$tmp/target")" = "hosts: files libvirt_cluster dns" ] &&
	ok "symlink: the target is edited, the link stays" || bad "symlink: $(ls -l "$tmp")"
[ "$(stat -c %a "$tmp/target")" = 640 ] && ok "mode kept" || bad "mode: $(stat -c %a "$tmp/target")"

# Bad command lines and unreadable input fail, and change nothing.
"$helper" frobnicate "$tmp/debian12" >/dev/null 2>&1
[ $? = 64 ] && ok "unknown verb: exit 64" || bad "unknown verb"
mkdir "$tmp/dir"
"$helper" enable "$tmp/dir" >/dev/null 2>&1 && bad "a directory: accepted" || ok "a directory: refused"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
