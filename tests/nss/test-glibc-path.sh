#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# glibc's real NSS path: inside a private mount namespace, a bind-mounted
# nsswitch.conf (`hosts: files libvirt_cluster`) and the module from the
# build tree (LD_LIBRARY_PATH).  getent, a reverse getent and python's
# getaddrinfo must all see the fixture cluster.  The host's files are never
# touched: the mounts vanish with the namespace.
set -u
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for unshare -m"; exit 77; }
unshare -m true 2>/dev/null || { echo "SKIP: no mount namespaces here"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }

if [ "${1:-}" != --inside ]; then
	tmp=$(mktemp -d /tmp/lc-glibc.XXXXXX)
	trap 'rm -rf "$tmp"' EXIT
	python3 "$abs_top_srcdir/tests/nss/mkfixture" "$tmp/leases" "$tmp/run" "$tmp/conf" || exit 1
	printf 'passwd: files\ngroup: files\nhosts: files libvirt_cluster\n' >"$tmp/nsswitch.conf"
	printf '127.0.0.1 localhost\n' >"$tmp/hosts"
	TMPD="$tmp" unshare -m --propagation private "$0" --inside
	exit $?
fi

# ---- inside the namespace --------------------------------------------------
mount --bind "$TMPD/nsswitch.conf" /etc/nsswitch.conf
mount --bind "$TMPD/hosts" /etc/hosts
export LD_LIBRARY_PATH="$LC_NSS_DIR"
export LIBVIRT_CLUSTER_LEASE_DIR="$TMPD/leases" LIBVIRT_CLUSTER_RUNSTATE_DIR="$TMPD/run" \
	LIBVIRT_CLUSTER_CONFIG="$TMPD/conf"
. "$abs_top_srcdir"/tests/check.sh
first_addrs() { getent ahostsv4 "$1" | awk '$2 == "STREAM" {print $1}' | paste -sd' '; }

check "node1: external address first, though int is NIC 1 and newer" \
	"192.168.150.10 192.168.160.10" "$(first_addrs node1)"
check "getent hosts node1" "192.168.150.10" "$(getent hosts node1 | awk '{print $1}' | head -1)"
check "FQDN with the network domain" "192.168.150.10" "$(first_addrs node1.lab.test)"
check "FQDN of the isolated network" "192.168.160.10" "$(first_addrs node1.int.test)"
check "configured cluster suffix" "192.168.150.10 192.168.160.10" "$(first_addrs node1.cluster.test)"
check "case and trailing dot" "192.168.150.10" "$(getent hosts NODE1.LAB.TEST. | awk '{print $1}')"
check "expired lease not returned" "" "$(getent hosts node4)"
check "infinite IPv6 lease" "fd00:150::11" "$(getent ahostsv6 node2 | awk '$2=="STREAM"{print $1}' | head -1)"
check "stopped guest not returned" "" "$(getent hosts c9)"
check "found by DHCP hostname, named by domain" "192.168.150.11 node2" \
	"$(getent ahostsv4 node2-dhcp | awk '$2=="STREAM" && $3 {print $1, $3}')"
check "DHCP-only client" "192.168.170.20" "$(first_addrs plainhost)"
check "reverse lookup gives the domain name" "node2" "$(getent hosts 192.168.150.11 | awk '{print $2}')"
check "reverse lookup of IPv6" "node2" "$(getent hosts fd00:150::11 | awk '{print $2}')"
check "reverse lookup of a stopped guest" "" "$(getent hosts 192.168.150.19)"
check "hook record gives a guest" "192.168.150.15 192.168.160.15" "$(first_addrs node5)"
check "not a guest" "2" "$(getent hosts www.example.invalid >/dev/null; echo $?)"
py=$(python3 -c '
import socket
r = socket.getaddrinfo("node1", 22, socket.AF_INET, socket.SOCK_STREAM)
print(" ".join(a[4][0] for a in r))
try:
    socket.getaddrinfo("nosuchguest", 22)
    print("resolved")
except socket.gaierror as e:
    print("gaierror", e.errno == socket.EAI_NONAME)
')
check "python getaddrinfo agrees with getent" "$(first_addrs node1)
gaierror True" "$py"

# `addresses = first`: only the top-ranked address, so getaddrinfo's own
# re-sorting (RFC 3484 rule 9) cannot put the isolated one first
printf 'domains = cluster.test\naddresses = first\n' >"$LIBVIRT_CLUSTER_CONFIG"
touch -d '-5 sec' "$LIBVIRT_CLUSTER_CONFIG"
check "addresses = first: one address per family" "192.168.150.10" "$(first_addrs node1)"
check "addresses = first: both families still answer" "fd00:150::11" \
	"$(getent ahostsv6 node2 | awk '$2=="STREAM"{print $1}' | paste -sd' ')"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
