#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bash completion: commands, per-command options, and guest names taken
# from `libvirt-cluster list` (run on a generated lease directory).
set -u
src=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${abs_top_builddir:-$src/build}
[ -x "$build/cli/libvirt-cluster" ] || { echo "SKIP: libvirt-cluster not built"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
tmp=$(mktemp -d /tmp/lc-completion.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
python3 "$src/tests/nss/mkfixture" "$tmp/leases" "$tmp/run" "$tmp/conf" || exit 1
export LIBVIRT_CLUSTER_LEASE_DIR=$tmp/leases LIBVIRT_CLUSTER_RUNSTATE_DIR=$tmp/run LIBVIRT_CLUSTER_CONFIG=$tmp/conf
export PATH=$build/cli:$PATH

. "$src/cli/bash-completion/libvirt-cluster"
complete -p libvirt-cluster >/dev/null || { echo "FAIL: no completion registered"; exit 1; }

fail=0
# complete WANT WORDS...: the last word is the one being completed.
check() {
	local want=$1
	shift
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_libvirt_cluster
	local got
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | paste -sd' ')
	if [ "$got" = "$want" ]; then
		echo "ok   '$*' -> $got"
	else
		echo "FAIL '$*': want '$want', got '$got'"
		fail=1
	fi
}
check "wait" libvirt-cluster wa
check "disable dns doctor" libvirt-cluster d
check "purge status sync" libvirt-cluster dns ""
check "--help --host --root" libvirt-cluster dns purge --
check "enable" libvirt-cluster --json en
check "--help --port --quiet --ready --root --timeout" libvirt-cluster wait node1 --
check "--all" libvirt-cluster list --a
check "--dry-run" libvirt-cluster enable --d
check "--help --host --list --root" libvirt-cluster inventory --
check "node1 node2 node4 node5" libvirt-cluster resolve node
check "node5" libvirt-cluster wait --port 22 node5
check "node1 node2 node4 node5 plainhost" libvirt-cluster inventory --host ""
check "lxc:///system" libvirt-cluster renew --connect lx
check "renew resolve" libvirt-cluster help re
check "known-hosts" libvirt-cluster help known
check "ssh-config" libvirt-cluster ss
check "known-hosts" libvirt-cluster kn
check "--ssh" libvirt-cluster enable --s
check "--ssh" libvirt-cluster disable --ss
check "--ready" libvirt-cluster wait node1 --re
check "agent boot cloud-init ssh tcp:" libvirt-cluster wait node1 --ready ""
check "node5" libvirt-cluster wait --ready ssh node5
check "node5" libvirt-cluster known-hosts node5
check "node1 node2 node4 node5" libvirt-cluster ssh-config node
exit $fail
