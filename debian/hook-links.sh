# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by libvirt-cluster's postinst and prerm (installed as
# /usr/share/libvirt-cluster/hook-links.sh): the links of the hook in
# /etc/libvirt/hooks/{qemu,lxc,network}.d/ and the SIGHUP that makes a
# running libvirt daemon see them.  The links are made here, not shipped:
# see debian/README.source.
#
# /var/lib/libvirt-cluster/hook-links lists the links made, so a link the
# admin deleted stays deleted on upgrade; hook-dirs lists the directories
# made, for removal to take back when they are empty.

lc_hook=/usr/libexec/libvirt-cluster/libvirt-cluster-hook
lc_state=/var/lib/libvirt-cluster
lc_kinds="qemu lxc network"

# libvirt reads its hook directories at start and on SIGHUP.
lc_reload_libvirt() {
	for d in libvirtd virtqemud virtlxcd virtnetworkd; do
		[ -r "/run/$d.pid" ] || continue
		pid=$(cat "/run/$d.pid")
		case "$pid" in '' | *[!0-9]*) continue ;; esac
		# A stale pid file may name another process by now.
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$d" ] || continue
		if kill -HUP "$pid"; then
			echo "libvirt-cluster: sent SIGHUP to $d (pid $pid) so it rereads its hooks"
		fi
	done
}

lc_is_our_link() {
	[ -L "$1" ] && [ "$(readlink "$1")" = "$lc_hook" ]
}

# mkdir -p, noting each directory it makes.
lc_make_dir() {
	[ -d "$1" ] && return 0
	lc_make_dir "$(dirname "$1")"
	mkdir "$1"
	echo "$1" >>"$lc_state/hook-dirs"
}

lc_link_hooks() {
	changed=
	mkdir -p "$lc_state"
	touch "$lc_state/hook-links" "$lc_state/hook-dirs"
	for kind in $lc_kinds; do
		link=/etc/libvirt/hooks/$kind.d/libvirt-cluster
		if lc_is_our_link "$link"; then
			grep -qxF "$link" "$lc_state/hook-links" || echo "$link" >>"$lc_state/hook-links"
			continue
		fi
		if [ -e "$link" ] || [ -L "$link" ]; then
			echo "libvirt-cluster: $link is not ours: left alone; the hook does not run for $kind" >&2
			continue
		fi
		if grep -qxF "$link" "$lc_state/hook-links"; then
			continue # made by an earlier install, deleted since by the admin
		fi
		lc_make_dir "/etc/libvirt/hooks/$kind.d"
		ln -s "$lc_hook" "$link"
		echo "$link" >>"$lc_state/hook-links"
		echo "libvirt-cluster: linked $link -> $lc_hook"
		changed=1
	done
	[ -z "$changed" ] || lc_reload_libvirt
}

# Every link to our hook goes, whoever made it: without the binary it
# would dangle.  Anything else stays.
lc_unlink_hooks() {
	changed=
	for kind in $lc_kinds; do
		link=/etc/libvirt/hooks/$kind.d/libvirt-cluster
		if lc_is_our_link "$link"; then
			rm -f "$link"
			echo "libvirt-cluster: removed $link"
			changed=1
		fi
	done
	if [ -f "$lc_state/hook-dirs" ]; then
		# Deepest first: the list is in the order they were made.
		# Not one a package has shipped since (libvirt-daemon-system's
		# /etc/libvirt/hooks): that is dpkg's to remove.
		tac "$lc_state/hook-dirs" | while read -r dir; do
			dpkg-query -S "$dir" >/dev/null 2>&1 || rmdir "$dir" 2>/dev/null || true
		done
	fi
	rm -f "$lc_state/hook-links" "$lc_state/hook-dirs"
	rmdir "$lc_state" 2>/dev/null || true
	[ -z "$changed" ] || lc_reload_libvirt
}
