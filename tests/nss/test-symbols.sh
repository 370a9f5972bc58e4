#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The module exports exactly the six hosts entry points and needs only libc.
set -eu
so="${LC_NSS_DIR:?}/libnss_libvirt_cluster.so.2"
want='_nss_libvirt_cluster_gethostbyaddr2_r
_nss_libvirt_cluster_gethostbyaddr_r
_nss_libvirt_cluster_gethostbyname2_r
_nss_libvirt_cluster_gethostbyname3_r
_nss_libvirt_cluster_gethostbyname4_r
_nss_libvirt_cluster_gethostbyname_r'
got=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TWDBRV]$/ {print $3}' | sort)
if [ "$got" != "$want" ]; then
	echo "exported symbols differ:"; echo "$got"
	exit 1
fi
needed=$(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
if [ "$needed" != "libc.so.6" ]; then
	echo "NEEDED is not just libc.so.6: $needed"
	exit 1
fi
echo "ok: 6 entry points exported, NEEDED = libc.so.6"
