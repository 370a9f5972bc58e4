#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Debian packages, installed for real in a throwaway root.  Builds both
# .debs once (dpkg-buildpackage in a temp copy of the tree, then lintian),
# then, in private mount and network namespaces, puts an overlay over /
# (upper and work on a tmpfs), chroots into it and runs the real apt-get:
# install, an upgrade, remove, reinstall, purge.  It checks what dpkg and
# the maintainer scripts leave: the module and the hosts line, getent of
# the fixture guests through the packaged module, doctor's nsswitch check,
# the hook links (never over the admin's own file), the SIGHUP to a running
# libvirtd, the conffile kept over an upgrade, and after removal and purge
# nsswitch.conf byte for byte as it was.  The host is never changed: its
# nsswitch.conf and dpkg status are checksummed before and after.
# LC_DEB_DIR=DIR takes the .debs from DIR instead of building them.
set -u
src=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
skip() { echo "SKIP: $*"; exit 77; }

if [ "${1:-}" != --inside ]; then
	[ "$(id -u)" = 0 ] || skip "needs root (unshare -m, mount, chroot, apt-get in the chroot)"
	[ -d "$src/debian" ] || skip "no debian/ in $src (a dist tarball carries none)"
	git -C "$src" rev-parse --git-dir >/dev/null 2>&1 || skip "$src is no git tree: cannot copy the tracked files"
	for t in dpkg-buildpackage dpkg-checkbuilddeps apt-get unshare chroot python3 fakeroot; do
		command -v "$t" >/dev/null || skip "$t not installed"
	done
	missing=$(cd "$src" && dpkg-checkbuilddeps 2>&1) || skip "build dependencies missing: ${missing#*: }"
	unshare -m -n true 2>/dev/null || skip "no mount or network namespaces here"
	grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
		grep -qw overlay /proc/filesystems || skip "no overlayfs in this kernel"

	tmp=$(mktemp -d /tmp/lc-debtest.XXXXXX)
	trap 'rm -rf "$tmp"' EXIT
	host_state() {
		sha256sum /etc/nsswitch.conf /var/lib/dpkg/status
		ls -l /etc/libvirt/hooks/*.d/libvirt-cluster 2>&1
		ls -ld /etc/libvirt-cluster.conf /var/lib/libvirt-cluster 2>&1
	}
	host_state >"$tmp/host.before"

	if [ -n "${LC_DEB_DIR:-}" ]; then
		# Packages built already (a developer's rerun): no build, no lintian.
		cp "$LC_DEB_DIR"/*.deb "$LC_DEB_DIR"/*.changes "$tmp/" || exit 1
	else
		# ---- build, once: the tracked tree (and uncommitted edits), no build dirs
		mkdir "$tmp/src"
		git -C "$src" ls-files -z -co --exclude-standard | (cd "$src" && tar -cf - --null -T -) |
			tar -xf - -C "$tmp/src" || { echo "FAIL: cannot copy the tree"; exit 1; }
		start=$(date +%s)
		# nocheck: make check, which runs this test, ran those tests already;
		# noautodbgsym: no -dbgsym packages to build and throw away.
		if ! (cd "$tmp/src" && DEB_BUILD_OPTIONS="nocheck noautodbgsym parallel=2" \
			dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
			tail -40 "$tmp/build.log"
			echo "FAIL: dpkg-buildpackage -us -uc -b"
			exit 1
		fi
		echo "ok   dpkg-buildpackage -us -uc -b: $(cd "$tmp" && ls ./*.deb | grep -vc dbgsym) packages in $(($(date +%s) - start)) s"
		if command -v lintian >/dev/null; then
			if lintian --fail-on error "$tmp"/libvirt-cluster_*.changes >"$tmp/lintian.log" 2>&1; then
				echo "ok   lintian: no errors ($(grep -c '^W:' "$tmp/lintian.log") warnings)"
			else
				cat "$tmp/lintian.log"
				echo "FAIL: lintian reports errors"
				exit 1
			fi
		fi
	fi

	LC_TMP="$tmp" unshare -m -n --propagation private "$0" --inside
	rc=$?

	host_state >"$tmp/host.after"
	if ! cmp -s "$tmp/host.before" "$tmp/host.after"; then
		diff "$tmp/host.before" "$tmp/host.after"
		if grep -q '^Package: lib\(nss-\)\?virt-cluster$' /var/lib/dpkg/status; then
			echo "FAIL: the host's dpkg status now lists our packages"
			exit 1
		fi
		if ! sha256sum --quiet -c <(head -1 "$tmp/host.before") >/dev/null 2>&1; then
			echo "FAIL: the host's /etc/nsswitch.conf changed"
			exit 1
		fi
		# Another process (apt elsewhere on this machine) changed the
		# host's dpkg status while we ran; nothing of ours is in it.
		echo "note: the host's dpkg status changed during the test, not by us"
	fi
	echo "ok   the host: nsswitch.conf, dpkg status and hook links as before"
	exit $rc
fi

# ---- inside the namespaces -------------------------------------------------
tmp=$LC_TMP
ovl=$tmp/ovl
mkdir "$ovl"
mount -t tmpfs -o mode=0755 lc-debtest "$ovl" || exit 1
mkdir "$ovl/upper" "$ovl/work" "$ovl/root"
mount -t overlay lc-debtest -o "lowerdir=/,upperdir=$ovl/upper,workdir=$ovl/work" "$ovl/root" || {
	echo "SKIP: cannot mount an overlay over /"
	exit 77
}
r=$ovl/root
mount -t proc proc "$r/proc"
mount --rbind /dev "$r/dev"
# A /run and /tmp of our own: no pid file, socket or lock of the host's.
mount -t tmpfs -o mode=0755 run "$r/run"
mkdir -p "$r/run/lock"
mount -t tmpfs -o mode=1777 tmp "$r/tmp"

. "$src"/tests/check.sh
in_root() { chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 \
	DEBIAN_FRONTEND=noninteractive "$@"; }
apt() {
	in_root apt-get -y -q --no-install-recommends -o APT::Sandbox::User=root \
		-o Dpkg::Use-Pty=0 "$@" >"$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log"; return 1; }
}
status() { in_root dpkg-query -W -f '${db:Status-Abbrev}' "$1" 2>/dev/null | tr -d ' '; }
hosts_words() { awk '/^[[:space:]]*hosts[[:space:]]*:/ { sub(/#.*/, ""); sub(/^[^:]*:/, ""); print $0; exit }' "$1" | xargs; }
link_of() { readlink "$r/etc/libvirt/hooks/$1.d/libvirt-cluster" 2>/dev/null || echo none; }
# A stand-in libvirtd: sleep under that name (what the scripts check in
# /proc/PID/comm), whose default action on SIGHUP is to die of it (made
# the default again: under nohup, or a runner that ignores SIGHUP, it
# would inherit the ignoring and outlive the signal).
fake_libvirtd() {
	chroot "$r" env --default-signal=HUP /tmp/bin/libvirtd 300 &
	fake=$!
	for _ in $(seq 100); do
		[ "$(cat "/proc/$fake/comm" 2>/dev/null)" = libvirtd ] && break
		sleep 0.05
	done
	echo "$fake" >"$r/run/libvirtd.pid"
}
# Reap the stand-in: hup=129 when SIGHUP killed it (143: it was still
# waiting, so our TERM did).
reap_libvirtd() {
	kill -0 "$fake" 2>/dev/null && sleep 1
	kill "$fake" 2>/dev/null
	wait "$fake"
	hup=$?
	rm -f "$r/run/libvirtd.pid"
}

nss=/etc/nsswitch.conf
hook=/usr/libexec/libvirt-cluster/libvirt-cluster-hook
cp -p "$r$nss" "$tmp/nsswitch.orig"
mkdir "$r/tmp/debs" "$r/tmp/bin"
cp "$tmp"/libnss-libvirt-cluster_*.deb "$tmp"/libvirt-cluster_*.deb "$r/tmp/debs/"
cp "$r/bin/sleep" "$r/tmp/bin/libvirtd"
# Paths as the chroot sees them.
in_chroot() { for f in "$@"; do echo "${f#"$r"}"; done; }
# The fixture cluster where the packaged module looks by default.
rm -rf "$r/var/lib/libvirt/dnsmasq"
python3 "$src/tests/nss/mkfixture" "$r/var/lib/libvirt/dnsmasq" "$r/run/libvirt-cluster" || exit 1
# The admin's own network hook, under our link's name: it must stay.
mkdir -p "$r/etc/libvirt/hooks/network.d"
printf '#!/bin/sh\n# the admin'"'"'s\nexit 0\n' >"$r/etc/libvirt/hooks/network.d/libvirt-cluster"
chmod 755 "$r/etc/libvirt/hooks/network.d/libvirt-cluster"
cp -p "$r/etc/libvirt/hooks/network.d/libvirt-cluster" "$tmp/admin-hook"
had_qemu_d=$([ -d "$r/etc/libvirt/hooks/qemu.d" ] && echo yes || echo no)

# ---- install ---------------------------------------------------------------
fake_libvirtd
apt install $(in_chroot "$r"/tmp/debs/libnss-libvirt-cluster_*.deb "$r"/tmp/debs/libvirt-cluster_*.deb) ||
	{ echo "FAIL: apt-get install"; exit 1; }
check "apt-get install: both installed" "ii ii" \
	"$(status libnss-libvirt-cluster) $(status libvirt-cluster)"
check "the module in libdir" "yes" \
	"$([ -f "$r/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/libnss_libvirt_cluster.so.2" ] && echo yes)"
words=" $(hosts_words "$r$nss") "
want=$(hosts_words "$tmp/nsswitch.orig" | sed -E 's/(^| )(resolve|dns)( |$)/\1libvirt_cluster \2\3/')
case " $want " in *" libvirt_cluster "*) ;; *) want="$want libvirt_cluster" ;; esac
check "nsswitch.conf: libvirt_cluster after files, before resolve and dns" " $want " "$words"
check "nsswitch.conf: every other line as it was" "" \
	"$(diff <(grep -v '^[[:space:]]*hosts[[:space:]]*:' "$tmp/nsswitch.orig") <(grep -v '^[[:space:]]*hosts[[:space:]]*:' "$r$nss"))"
check "getent hosts node1 (the packaged module, the default lease dir)" "192.168.150.10" \
	"$(in_root getent hosts node1 | awk 'NR == 1 {print $1}')"
# getaddrinfo as programs call it (getent ahosts asks AI_ADDRCONFIG, and this
# network namespace has no address but loopback's).
check "python getaddrinfo of node1: external address first" "192.168.150.10" \
	"$(in_root python3 -c 'import socket; print(socket.getaddrinfo("node1", 22, socket.AF_INET, socket.SOCK_STREAM)[0][4][0])')"
check "getent of an FQDN, and a reverse lookup" "192.168.150.10 node2" \
	"$(in_root getent hosts node1.lab.test | awk 'NR == 1 {print $1}') $(in_root getent hosts 192.168.150.11 | awk '{print $2}')"
check "doctor: its nsswitch check passes" "ok nsswitch" \
	"$(in_root libvirt-cluster doctor | awk '$2 == "nsswitch" {print $1, $2}')"
check "hook links in qemu.d and lxc.d" "$hook $hook" "$(link_of qemu) $(link_of lxc)"
check "the admin's own network.d/libvirt-cluster left alone" "same" \
	"$(cmp -s "$tmp/admin-hook" "$r/etc/libvirt/hooks/network.d/libvirt-cluster" && echo same)"
reap_libvirtd
check "a running libvirtd got SIGHUP" "129" "$hup"
check "/etc/libvirt-cluster.conf is a conffile" "/etc/libvirt-cluster.conf" \
	"$(in_root dpkg-query -W -f '${Conffiles}' libvirt-cluster | awk '{print $1}' | xargs)"
check "the sync unit, enabled" "libvirt-cluster-sync.service" \
	"$(basename "$(readlink "$r/etc/systemd/system/multi-user.target.wants/libvirt-cluster-sync.service")")"
cp -p "$r$nss" "$tmp/nsswitch.installed"

# ---- an upgrade keeps the admin's choices ----------------------------------
printf 'domains = cluster.test\n' >>"$r/etc/libvirt-cluster.conf"
cp -p "$r/etc/libvirt-cluster.conf" "$tmp/conf.edited"
rm "$r/etc/libvirt/hooks/lxc.d/libvirt-cluster"
# The same packages as a newer version (VERSION+up), repacked.
mkdir "$r/tmp/up"
for deb in "$r"/tmp/debs/*.deb; do
	x=$tmp/x.$(basename "$deb" .deb)
	dpkg-deb -R "$deb" "$x"
	sed -i -E 's/^Version: (.*)$/Version: \1+up/; s/\(= ([^)]*)\)/(= \1+up)/g' "$x/DEBIAN/control"
	dpkg-deb -b "$x" "$r/tmp/up/" >/dev/null || { echo "FAIL: repacking $deb"; exit 1; }
done
version=$(dpkg-deb -f "$r"/tmp/debs/libvirt-cluster_*.deb Version)
apt install $(in_chroot "$r"/tmp/up/*.deb) || { echo "FAIL: apt-get install (upgrade)"; exit 1; }
check "upgrade: both at the new version" "$version+up $version+up" \
	"$(in_root dpkg-query -W -f '${Version} ' libvirt-cluster libnss-libvirt-cluster | xargs)"
check "upgrade: the admin's edit of /etc/libvirt-cluster.conf kept" "same" \
	"$(cmp -s "$tmp/conf.edited" "$r/etc/libvirt-cluster.conf" && echo same)"
check "upgrade: the edited config is read (node1.cluster.test)" "192.168.150.10" \
	"$(in_root getent hosts node1.cluster.test | awk 'NR == 1 {print $1}')"
check "upgrade: the link the admin deleted stays deleted; the other stays" "$hook none" \
	"$(link_of qemu) $(link_of lxc)"
check "upgrade: nsswitch.conf untouched" "same" "$(cmp -s "$tmp/nsswitch.installed" "$r$nss" && echo same)"

# ---- remove, reinstall, purge ----------------------------------------------
apt remove libnss-libvirt-cluster || { echo "FAIL: apt-get remove"; exit 1; }
check "remove the module: nsswitch.conf byte for byte as before install" "same" \
	"$(cmp -s "$tmp/nsswitch.orig" "$r$nss" && echo same)"
check "remove the module: the CLI stays" "ii" "$(status libvirt-cluster)"
apt install $(in_chroot "$r"/tmp/up/libnss-libvirt-cluster_*.deb) || { echo "FAIL: apt-get install (again)"; exit 1; }
check "install again: the module is back in the hosts line" " $want " " $(hosts_words "$r$nss") "
fake_libvirtd
apt purge libvirt-cluster libnss-libvirt-cluster || { echo "FAIL: apt-get purge"; exit 1; }
check "purge: nothing of ours in dpkg's status" "" \
	"$(status libnss-libvirt-cluster)$(status libvirt-cluster)"
check "purge: nsswitch.conf byte for byte as before install" "same" \
	"$(cmp -s "$tmp/nsswitch.orig" "$r$nss" && echo same)"
check "purge: the hook links gone" "none none" "$(link_of qemu) $(link_of lxc)"
check "purge: the admin's network hook still there, unchanged" "same" \
	"$(cmp -s "$tmp/admin-hook" "$r/etc/libvirt/hooks/network.d/libvirt-cluster" && echo same)"
[ "$had_qemu_d" = no ] && check "purge: the hook directories postinst made are gone" "no no" \
	"$([ -d "$r/etc/libvirt/hooks/qemu.d" ] && echo yes || echo no) $([ -d "$r/etc/libvirt/hooks/lxc.d" ] && echo yes || echo no)"
check "purge: the conffile and the state gone" "no no" \
	"$([ -e "$r/etc/libvirt-cluster.conf" ] && echo yes || echo no) $([ -e "$r/var/lib/libvirt-cluster" ] && echo yes || echo no)"
reap_libvirtd
check "purge: a running libvirtd got SIGHUP" "129" "$hup"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
