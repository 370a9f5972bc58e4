#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The demo: a real libvirt lab in private namespaces, its guests resolved by
# name through glibc and our NSS module.  `./run.sh demo [--keep]` runs it
# after building.  With --keep the lab stays up for you to explore.
set -euo pipefail
keep=0
case ${1:-} in
--keep) keep=1 ;;
"") ;;
*)
	echo "usage: $0 [--keep]" >&2
	exit 64
	;;
esac

lab_srcdir=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$lab_srcdir/../.." && pwd)
LAB=$lab_srcdir/lab
export LAB_BUILDDIR=${LAB_BUILDDIR:-$top/build}
if [ -z "${LAB_NSS:-}" ]; then
	if [ -e "$LAB_BUILDDIR/nss/.libs/libnss_libvirt_cluster.so.2" ]; then
		export LAB_NSS="files libvirt_cluster dns"
	else
		echo "note: $LAB_BUILDDIR/nss/.libs/libnss_libvirt_cluster.so.2 is not built; using libvirt's modules" >&2
		export LAB_NSS="files libvirt libvirt_guest dns"
	fi
fi
t0=$(date +%s%3N)

b() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
# run CMD... in the lab and show it as a shell line
show() {
	printf '$ %s\n' "$*"
	"$LAB" exec "$@" 2>&1 | sed -e '/^$/d' -e 's/^/  /' || true
}
lookup() { # NAME [NOTE]
	local out
	printf '$ getent hosts %s%s\n' "$1" "${2:+   # $2}"
	if out=$("$LAB" exec getent hosts "$1"); then
		echo "$out" | sed 's/^/  /'
	else
		echo "  (not found, exit $?)"
	fi
}

if [ "$keep" = 0 ]; then
	trap '"$LAB" down >/dev/null 2>&1 || true' EXIT
fi

b "bringing up the lab: libvirtd, networks ext (NAT, lab.test) and int (isolated, int.test), LXC guests node1..3"
LAB_QUIET=1 "$LAB" up
echo "  up; nsswitch inside the lab: hosts: $LAB_NSS (module from $LAB_BUILDDIR/nss/.libs)"
echo "  the lab's /etc/hosts names no guest: $("$LAB" exec grep -c node /etc/hosts || true) lines mention a node"

b "every guest by name"
lookup node1
lookup node1.lab.test "name + the network's domain"
lookup node2
lookup node2-dhcp "node2's DHCP hostname differs from its domain name"
lookup node3 "running, but no DHCP client yet: no lease, no address"

b "ssh by name"
show ssh -F "$("$LAB" env | sed -n 's/^LAB_DIR=//p')/ssh/config" node1 hostname

if command -v ansible >/dev/null && [ -x "$LAB_BUILDDIR/cli/libvirt-cluster-inventory" ]; then
	b "ansible by name"
	# ansible in the lab (ansible-in-lab.sh: its files in the lab's dir, one
	# line a host), each line cut short
	an() {
		printf '$ ansible %s\n' "$*"
		"$LAB" exec bash "$lab_srcdir/ansible-in-lab.sh" "$("$LAB" env | sed -n 's/^LAB_DIR=//p')" \
			"$LAB_BUILDDIR/cli/libvirt-cluster" "$@" 2>&1 |
			sed -e 's/^\([^|]* | [A-Z!]*\).*"ping": "pong".*/\1 => pong/' -e 's/^\(.\{110\}\).*/\1 .../' \
				-e 's/^/  /' || true
	}
	# bare names: ssh resolves them through glibc, that is through the module
	an -i node1,node2, all -m ping
	# the dynamic inventory: every guest of every running network
	an -i "$LAB_BUILDDIR/cli/libvirt-cluster-inventory" all -m ping
	echo "  (node3 has no lease yet, so no address: ansible says so rather than skip it)"
fi

b "node1's address order"
ext=$("$LAB" addr node1 ext)
int=$("$LAB" addr node1 int)
echo "  node1's NICs, in its domain XML: eth0 on int (isolated) = $int, eth1 on ext (NAT) = $ext"
echo "  getent hosts node1 answers $("$LAB" exec getent hosts node1 | awk 'NR == 1 { print $1 }') first: the external"
echo "  (NAT) network ranks before the isolated one whatever the NIC order or lease age,"
echo "  so gethostbyname and the CLI's Ansible inventory give the address other hosts can route to"
echo "  (getaddrinfo may re-sort by RFC 3484 rule 9; 'addresses = first' in libvirt-cluster.conf pins it)."

b "a guest stops"
ip2=$("$LAB" addr node2 ext)
show virsh destroy node2
lookup node2
lookup node2-dhcp
echo "  ...although its lease for $ip2 is still in /var/lib/libvirt/dnsmasq/virbr-ext.status:"
grep -c "\"$ip2\"" "$("$LAB" env | sed -n 's/^LAB_DIR=//p')/root/var/lib/libvirt/dnsmasq/virbr-ext.status" |
	sed 's/^/  matching lease entries: /'

b "done in $((($(date +%s%3N) - t0) / 1000)).$(((($(date +%s%3N) - t0) % 1000) / 100)) s"
if [ "$keep" = 1 ]; then
	cat <<EOF
  The lab is still up.  Enter it (same namespaces, its nsswitch.conf, virsh):
    $LAB exec bash
    # then: getent hosts node1; ssh -F \$LAB_DIR/ssh/config node1; virsh list --all; virsh start node2
  Or from outside:  $LAB status  |  $LAB exec getent hosts node1
  Tear it down:     $LAB down
EOF
else
	echo "  lab torn down (run with --keep to explore it)"
fi
