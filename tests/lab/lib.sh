# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by tests/lab/test-*.sh and demo.sh: finds the trees, picks the NSS
# line, brings a lab up for this test alone, and holds the checks that both
# the asserting tests and the comparison table run.
#
# Exit codes of a test: 0 pass, 1 fail, 77 skip (with the reason on stderr).

set -uo pipefail

lab_srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top_srcdir=$(cd "$lab_srcdir/../.." && pwd)
# automake runs tests from the top build dir; AM_TESTS_ENVIRONMENT may say so
# explicitly.  By hand, from the source tree, the build dir is ./build.
if [ -z "${abs_top_builddir:-}" ]; then
	if [ -f "$PWD/config.status" ]; then
		abs_top_builddir=$PWD
	else
		abs_top_builddir=$top_srcdir/build
	fi
fi
export LAB_BUILDDIR=$abs_top_builddir
LAB=$lab_srcdir/lab
test_name=$(basename "$0" .sh)

OURS_NSS="files libvirt_cluster dns"
LIBVIRT_NSS="files libvirt libvirt_guest dns"
ours_so=$LAB_BUILDDIR/nss/.libs/libnss_libvirt_cluster.so.2

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

# run.sh's distcheck sets it: the lab tests have just run on the same
# sources, and the tarball's build and unit tests are what distcheck adds.
[ -z "${LC_SKIP_LAB:-}" ] || skip "LC_SKIP_LAB is set (make distcheck after a full make check)"

# Tests that judge name resolution need an NSS line; by default ours, which
# must be built.  LAB_NSS runs the same assertions against any other line.
lab_pick_nss() {
	if [ -z "${LAB_NSS:-}" ]; then
		[ -e "$ours_so" ] || skip "$ours_so is not built (LAB_NSS='$LIBVIRT_NSS' runs these checks against libvirt's modules)"
		LAB_NSS=$OURS_NSS
	fi
	export LAB_NSS
}

# The services of an NSS line other than files and dns (the module under test).
nss_modules() { echo "$1" | tr ' ' '\n' | grep -v -E '^(files|dns|\[.*\])?$' | paste -sd' '; }

failures=0
ok() { echo "PASS: $*"; }
not_ok() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}
# assert DESCRIPTION CMD...: CMD's stdout is its evidence.
assert() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$desc${out:+ ($out)}"; else not_ok "$desc${out:+ ($out)}"; fi
}
finish() {
	if [ "$failures" -eq 0 ]; then
		echo "all checks passed"
		exit 0
	fi
	echo "$failures check(s) failed"
	exit 1
}

lab_down_on_exit() {
	local rc=$?
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] || [ "$failures" -ne 0 ]; then
		echo "--- lab status at failure"
		"$LAB" status 2>&1 || true
		echo "--- libvirtd.log (tail)"
		grep -v -e "cgroup/unified" -e dmidecode -e "^$" "$LAB_DIR/root/var/log/libvirt/libvirtd.log" 2>/dev/null | tail -n 30
	fi
	"$LAB" down >/dev/null 2>&1 || echo "WARNING: lab down failed for $LAB_DIR"
	exit "$rc"
}

# Lab tests run in parallel, each with a lab of its own; one that times the
# hook against a baseline (LAB_ALONE=1 before lab_up: test-hook-load.sh)
# runs with none beside it, since whatever the others do on the same cores
# lands in one side of its comparison and not the other.  Each lab test
# holds the lock file shared for as long as it runs, such a test holds it
# alone; the fd goes with the test's processes, and the wait has a bound,
# after which the test runs anyway and says so.
lab_lock() {
	local mode=-s t0
	[ "${LAB_ALONE:-0}" = 1 ] && mode=-x
	exec {lab_lock_fd}>>"$LAB_BUILDDIR/tests/lab/.lab-lock"
	t0=$(date +%s)
	if flock "$mode" -w 1200 "$lab_lock_fd"; then
		[ "$mode" = -s ] || echo "running alone (waited $(($(date +%s) - t0)) s for the other lab tests)"
	else
		echo "WARNING: no lab lock after 1200 s: running beside the other lab tests"
	fi
}

# Bring up this test's own lab (tests run in parallel; each has its own).
lab_up() {
	[ "$(id -u)" = 0 ] || skip "the lab needs root"
	export LAB_DIR=${LAB_DIR_OVERRIDE:-$LAB_BUILDDIR/tests/lab/$test_name.lab}
	lab_lock
	trap lab_down_on_exit EXIT
	local rc=0 t0
	t0=$(date +%s%3N)
	"$LAB" up || rc=$?
	[ "$rc" -eq 77 ] && exit 77
	[ "$rc" -eq 0 ] || {
		echo "FAIL: lab up (exit $rc)"
		exit 1
	}
	echo "lab up in $(($(date +%s%3N) - t0)) ms; hosts: ${LAB_NSS:-(default)}"
}

# ---- queries, run inside the lab with a given hosts line -----------------------------
# q LINE CMD...: CMD in the lab with "hosts: LINE".
q() {
	local line=$1
	shift
	"$LAB" nss "$line" "$@"
}
# The addresses of `getent hosts NAME`, in order, one per line.
hosts_addrs() { q "$1" getent hosts "$2" | awk '{ print $1 }'; }
# The addresses of `getent ahosts NAME` (getaddrinfo), unique, in order.
ahosts_addrs() { q "$1" getent ahosts "$2" | awk '!seen[$1]++ { print $1 }'; }
py_addrs() {
	# shellcheck disable=SC2016
	q "$1" /usr/bin/python3 -c '
import socket, sys
seen = []
for ai in socket.getaddrinfo(sys.argv[1], 22):
    if ai[4][0] not in seen:
        seen.append(ai[4][0])
print("\n".join(seen))' "$2"
}
first() { head -n 1; }
oneline() { paste -sd' ' | sed 's/^$/(none)/'; }

# ---- the checks: each prints what it saw, returns 0 when it holds --------------------
chk_node1_ext_first() { # LINE NAME
	local want got
	want=$("$LAB" addr node1 ext)
	got=$(hosts_addrs "$1" "$2" | oneline)
	echo "getent hosts $2: $got; ext is $want"
	[ -n "$want" ] && [ "${got%% *}" = "$want" ]
}
chk_resolves_to() { # LINE NAME GUEST: getaddrinfo of NAME gives GUEST's address first
	chk_resolves_to_ip "$1" "$2" "$("$LAB" addr "$3" ext)" "$3"
}
chk_resolves_to_ip() { # LINE NAME IP [WHOSE]: getaddrinfo of NAME gives IP first
	local got
	got=$(ahosts_addrs "$1" "$2" | oneline)
	echo "getent ahosts $2: $got; ${4:+$4 is }${3:-(no address)}"
	[ -n "$3" ] && [ "${got%% *}" = "$3" ]
}
chk_reverse() { # LINE GUEST NAME: reverse lookup of GUEST's address gives NAME
	chk_reverse_ip "$1" "$("$LAB" addr "$2" ext)" "$3"
}
chk_reverse_ip() { # LINE IP NAME: reverse lookup of IP gives NAME (or NAME.lab.test)
	local got
	got=$(q "$1" getent hosts "$2" | awk '{ print $2 }' | first)
	echo "getent hosts $2: ${got:-(none)}"
	[ "$got" = "$3" ] || [ "$got" = "$3.lab.test" ]
}
chk_python_agrees() { # LINE NAME
	local py ga ext
	ext=$("$LAB" addr node1 ext)
	py=$(py_addrs "$1" "$2" | oneline)
	ga=$(ahosts_addrs "$1" "$2" | oneline)
	echo "python: $py; getent ahosts: $ga"
	[ "$py" = "$ga" ] && [ "${py%% *}" = "$ext" ]
}
chk_unresolvable() { # LINE NAME
	local out rc=0
	out=$(q "$1" getent hosts "$2") || rc=$?
	echo "getent hosts $2: exit $rc${out:+, $(echo "$out" | oneline)}"
	[ "$rc" -eq 2 ]
}
chk_fallthrough() { # LINE: a name only dns knows resolves through the line
	local got
	got=$(hosts_addrs "$1" dns-only.test | oneline)
	echo "getent hosts dns-only.test: $got"
	[ "$got" = 192.0.2.53 ]
}
chk_notfound_status() { # LINE: each module answers NOTFOUND (not UNAVAIL) for a non-guest
	local m rc res=0 out=
	# With [NOTFOUND=return], only a NOTFOUND stops the lookup before dns,
	# which knows the name: exit 2 proves NOTFOUND, exit 0 means UNAVAIL
	# (or TRYAGAIN, or success with another address).
	for m in $(nss_modules "$1"); do
		rc=0
		q "$m [NOTFOUND=return] dns" getent hosts dns-only.test >/dev/null || rc=$?
		out="$out${out:+, }$m: exit $rc"
		[ "$rc" -eq 2 ] || res=1
	done
	echo "hosts: MODULE [NOTFOUND=return] dns -> $out"
	return $res
}
chk_notfound_fast() { # LINE: a miss through the module alone, timed inside the lab
	local mods out rc ms
	mods=$(nss_modules "$1")
	# shellcheck disable=SC2016
	out=$(q "$mods" bash -c 't=$(date +%s%N); getent hosts nosuchguest >/dev/null; rc=$?;
		echo $rc $((($(date +%s%N) - t) / 1000000))')
	read -r rc ms <<<"$out"
	echo "hosts: $mods; getent hosts nosuchguest: exit $rc in $ms ms"
	[ "$rc" -eq 2 ] && [ "$ms" -lt 250 ]
}

# Renew node1's NET lease until it expires after its other lease, so that a
# resolver ordering by expiry (as libvirt's module does) would put NET first.
renew_last() { # NET
	local other e_other e_net end
	other=ext
	[ "$1" = ext ] && other=int
	e_other=$("$LAB" lease node1 "$other" | awk '{ print $3 }')
	end=$(($(date +%s) + 15))
	while :; do
		"$LAB" dhcp node1 "$1" || return 1
		e_net=$("$LAB" lease node1 "$1" | awk '{ print $3 }')
		[ "$e_net" -gt "$e_other" ] && return 0
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}
chk_ssh() { # LINE
	local got
	got=$(q "$1" ssh -F "$LAB_DIR/ssh/config" node1 hostname 2>&1)
	echo "ssh node1 hostname: $got"
	[ "$got" = node1 ]
}

# ---- systemd-resolved, unpacked, never installed ---------------------------------
# The tests that need a real systemd-resolved (test-hook-resolved.sh,
# test-cli-doctor-resolved.sh) share one copy per build tree: the package of
# the systemd this host runs, fetched with `apt-get download` and unpacked
# with `dpkg -x` into $LAB_BUILDDIR/tests/lab/systemd-resolved/x (`make
# clean` removes it).  They run side by side, so one fetches while the other
# waits on the lock.  A flaky mirror gets three tries; a version the archive
# lacks gets one `apt-get update`.  Sets RESOLVED_ROOT (the unpacked tree)
# and RESOLVED_LD_PATH (for its private libsystemd-shared); on failure sets
# RESOLVED_WHY and returns 1.
# shellcheck disable=SC2034 # the callers read them
RESOLVED_ROOT='' RESOLVED_LD_PATH='' RESOLVED_WHY=''
# lab_apt_download CACHE PKGS...: `apt-get download PKGS` into CACHE/dl
# (made empty first), logged in CACHE/download.log: three tries for a flaky
# mirror, one `apt-get update` for a version the lists lack.  On failure the
# reason is in CACHE/why.
lab_apt_download() {
	local cache=$1 try updated=0
	shift
	rm -rf "$cache/dl"
	mkdir -p "$cache/dl"
	for try in 1 2 3; do
		(cd "$cache/dl" && timeout 120 apt-get download -q "$@") >>"$cache/download.log" 2>&1 && return 0
		if [ $updated = 0 ] && grep -q -E "was not found|Unable to locate|Can't select" "$cache/download.log"; then
			updated=1
			DEBIAN_FRONTEND=noninteractive timeout 300 apt-get update -qq >>"$cache/download.log" 2>&1 || true
		fi
		[ $try = 3 ] || sleep $((try * 2))
	done
	echo "apt-get download $* failed 3 times: $(grep -E '^(E|Err):' "$cache/download.log" | tail -n 2 | paste -sd' ')" >"$cache/why"
	return 1
}

# lab_cached CACHE FETCH [STAMP]: run `FETCH CACHE` under CACHE's lock, so
# that of the tests running side by side one fetches and the others wait,
# then find CACHE/ok.  With STAMP, a CACHE/ok that does not hold it (the
# cache of an older FETCH, in a build tree that outlived it) is fetched
# again; FETCH writes STAMP into CACHE/ok.  On failure sets LAB_CACHE_WHY
# (from CACHE/why) and returns 1.
LAB_CACHE_WHY=''
lab_cached() {
	local cache=$1 rc=0
	mkdir -p "$cache"
	# shellcheck disable=SC2094 # the lock file is only locked, not read
	{
		flock -w 600 9 || {
			LAB_CACHE_WHY="waited 600 s for another test's download ($cache/lock)"
			return 1
		}
		if [ ! -e "$cache/ok" ] || { [ -n "${3:-}" ] && [ "$(cat "$cache/ok")" != "$3" ]; }; then
			rm -f "$cache/why" "$cache/ok"
			: >"$cache/download.log"
			"$2" "$cache" || rc=$?
		fi
	} 9>"$cache/lock"
	if [ $rc -ne 0 ]; then
		LAB_CACHE_WHY=$(cat "$cache/why" 2>/dev/null || echo "unknown failure (see $cache/download.log)")
		return 1
	fi
}

resolved_fetch() { # CACHE: runs under the lock
	local cache=$1 v pkgs p
	rm -rf "$cache/x"
	mkdir -p "$cache/x"
	v=$(dpkg-query -W -f='${Version}' systemd 2>/dev/null || true)
	[ -n "$v" ] || v=$(apt-cache policy systemd-resolved 2>/dev/null | awk '/Candidate:/ { print $2 }')
	if [ -z "$v" ] || [ "$v" = "(none)" ]; then
		echo "no systemd installed and no systemd-resolved in the apt lists" >"$cache/why"
		return 1
	fi
	# resolved needs systemd's libsystemd-shared of the same version:
	# take it from the package when this host has no systemd
	pkgs="systemd-resolved=$v"
	dpkg-query -W systemd >/dev/null 2>&1 || pkgs="$pkgs systemd=$v"
	# shellcheck disable=SC2086
	lab_apt_download "$cache" $pkgs || return 1
	for p in "$cache"/dl/*.deb; do
		dpkg -x "$p" "$cache/x" || {
			echo "dpkg -x $p failed" >"$cache/why"
			return 1
		}
	done
	[ -x "$cache/x/lib/systemd/systemd-resolved" ] || {
		echo "the package has no lib/systemd/systemd-resolved" >"$cache/why"
		return 1
	}
	rm -rf "$cache/dl"
	touch "$cache/ok"
}
resolved_tree() {
	local cache=$LAB_BUILDDIR/tests/lab/systemd-resolved d
	lab_cached "$cache" resolved_fetch || {
		# shellcheck disable=SC2034 # the callers read it
		RESOLVED_WHY=$LAB_CACHE_WHY
		return 1
	}
	RESOLVED_ROOT=$cache/x
	RESOLVED_LD_PATH=$RESOLVED_ROOT/lib/systemd
	for d in "$RESOLVED_ROOT"/usr/lib/*/systemd; do RESOLVED_LD_PATH=$d:$RESOLVED_LD_PATH; done
}

# ---- libvirtd's SIGHUP, made observable ----------------------------------------------
# libvirtd rereads its hook directories on SIGHUP in a thread of its own, so
# a `virsh` right after `kill -HUP` may still run the old set of hooks.  Right
# after the reread libvirt runs the daemon hooks with `- reload begin SIGHUP`:
# a marker there (in the lab's private /etc/libvirt) tells when it is done.
# lab_reload_marker installs it (before the SIGHUP) and prints how many
# reloads it has seen; lab_wait_reload N waits until there are more than N.
lab_reload_marker() {
	local d=$LAB_DIR/root/etc/libvirt/hooks/daemon.d
	mkdir -p "$d"
	# shellcheck disable=SC2016 # the hook expands them
	printf '#!/bin/sh\n[ "$2" = reload ] && echo "$*" >>"%s/reloads"\nexit 0\n' "$LAB_DIR" >"$d/lab-reload-marker"
	chmod 755 "$d/lab-reload-marker"
	touch "$LAB_DIR/reloads"
	wc -l <"$LAB_DIR/reloads"
}
# lab_wait_quiet [SECONDS]: until libvirtd has used no CPU for 0.6 s (its
# reload after a SIGHUP goes on well after the daemon hook says "reload":
# networks, firewall rules, domains), at most SECONDS (default 15).  Prints
# how long that took.
lab_wait_quiet() {
	# shellcheck disable=SC2016 # the lab's shell expands them
	"$LAB" exec bash -c 'pid=$(cat /run/libvirtd.pid) t0=$(date +%s%3N) end=$(($(date +%s) + $1)) last= same=0
		ticks() { local s; s=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1; s=${s##*) }; set -- $s; echo $(($12 + $13)); }
		while [ "$same" -lt 3 ] && [ "$(date +%s)" -lt "$end" ]; do
			now=$(ticks) || break
			if [ "$now" = "$last" ]; then same=$((same + 1)); else same=0 last=$now; fi
			sleep 0.2
		done
		echo "$(($(date +%s%3N) - t0)) ms"' _ "${1:-15}"
}
lab_wait_reload() { # N
	local end=$(($(date +%s) + 30))
	until [ "$(wc -l <"$LAB_DIR/reloads")" -gt "$1" ]; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.05
	done
}

# hook_wrapper WORK HOOK_BIN CONFIG_LINES: the hook as the lab installs it.
# Writes WORK/conf and an empty WORK/log, and WORK/hook, which runs HOOK_BIN
# with that config, its log lines in WORK/log (the lab has no syslog) and
# its records in the lab's private /run whatever the configure prefix
# (distcheck's is a scratch dir the lab must not write to; with the usual
# --runstatedir=/run it is also where the NSS module looks).  Sets RUN.
hook_wrapper() {
	local work=$1 bin=$2
	printf '%b' "$3" >"$work/conf"
	: >"$work/log"
	RUN=/run/libvirt-cluster
	cat >"$work/hook" <<EOW
#!/bin/bash
export LIBVIRT_CLUSTER_CONFIG='$work/conf' LIBVIRT_CLUSTER_HOOK_LOG_FILE='$work/log'
export LIBVIRT_CLUSTER_RUNSTATE_DIR='$RUN'
exec -a "\$0" '$bin' "\$@"
EOW
	chmod 755 "$work/hook"
}

# hook_test_setup CONFIG_LINES: what every hook test does first.  Skips
# when the hook is not built; sets hook_bin, work (this test's own dir,
# made empty: LAB_BUILDDIR/tests/lab/NAME.hook.d) and RUN, and writes the
# wrapper (hook_wrapper) as $work/hook.
hook_test_setup() {
	hook_bin=$LAB_BUILDDIR/hooks/libvirt-cluster-hook
	[ -x "$hook_bin" ] || skip "$hook_bin is not built"
	work=$LAB_BUILDDIR/tests/lab/$test_name.hook.d
	rm -rf "$work"
	mkdir -p "$work"
	hook_wrapper "$work" "$hook_bin" "$1"
}

# hook_lab_up [AT_EXIT]: lab_up for a test that ran hook_test_setup (and
# exported LAB_HOOK, if the lab is to install the hook).  At exit: the hook
# log; after a failure the lab's status and libvirtd.log's tail; then
# AT_EXIT FAILED (FAILED 1 after a failure: the test's own diagnostics, and
# the guests that `lab down` does not stop), `lab down` (whose graceful
# destroy still runs the hook), and $work goes.
hook_lab_exit() {
	local rc=$? failed=0
	{ [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; } || [ "$failures" -ne 0 ] && failed=1
	echo "--- hook log"
	cat "$work/log" 2>/dev/null
	if [ $failed = 1 ]; then
		echo "--- lab status at failure"
		"$LAB" status 2>&1 || true
		echo "--- libvirtd.log (tail)"
		grep -v -e "cgroup/unified" -e dmidecode -e "^$" "$LAB_DIR/root/var/log/libvirt/libvirtd.log" 2>/dev/null | tail -n 20
	fi
	[ -z "$hook_lab_at_exit" ] || "$hook_lab_at_exit" "$failed"
	"$LAB" down >/dev/null 2>&1 || echo "WARNING: lab down failed for $LAB_DIR"
	rm -rf "$work"
	exit "$rc"
}
hook_lab_up() {
	hook_lab_at_exit=${1:-}
	trap hook_lab_exit EXIT
	lab_up
	# lab_up set its own trap
	trap hook_lab_exit EXIT
}

# ---- a qemu guest: Debian's kernel and a busybox initramfs -----------------------
# The qemu tests boot Debian 12's own kernel (the package linux-image-amd64
# depends on, fetched with `apt-get download` and unpacked with `dpkg -x`,
# never installed) with an initramfs of busybox-static and the e1000 driver
# (a NIC qemu emulates and whose module busybox's insmod loads), built once
# per build tree in $LAB_BUILDDIR/tests/lab/qemu-guest (`make clean` removes
# it).  The guest's /init brings eth0 up and takes a DHCP lease with
# udhcpc, sending the hostname that the kernel command line's
# lab_hostname=NAME gives, then idles; with lab_dhcp=0 it leaves eth0 alone
# (down, no lease: something else must ask for one).
# The same initramfs carries the qemu guest agent: Debian's qemu-ga (from
# the qemu-guest-agent package, unpacked, never installed on the host), the
# host's copies of the shared libraries it needs (this host runs the same
# Debian 12), and the virtio-serial modules; /init starts it on the port
# named org.qemu.guest_agent.0 when the domain has that channel.  Without
# the package or a module the guest still boots, without the agent.
# Sets QEMU_KERNEL and QEMU_INITRD, and QEMU_AGENT_WHY when the guest has no
# agent; on failure QEMU_WHY, and returns 1.
# shellcheck disable=SC2034 # the callers read them
QEMU_KERNEL='' QEMU_INITRD='' QEMU_WHY='' QEMU_AGENT_WHY=''
QEMU_NIC_MODULE=e1000
# virtio_pci (and what it needs) finds the virtio-serial controller,
# virtio_console makes its ports /dev/vportNpM
QEMU_AGENT_MODULES="virtio_pci virtio_console"
# what is in the cache: a cache another version of this file built is built again
QEMU_GUEST_STAMP=2
qemu_guest_fetch() { # CACHE: runs under the lock
	local cache=$1 pkg x r mods=() m
	# linux-image-amd64 is a metapackage: the image is its dependency
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
	if [ -z "$pkg" ]; then
		DEBIAN_FRONTEND=noninteractive timeout 300 apt-get update -qq >>"$cache/download.log" 2>&1 || true
		pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
	fi
	[ -n "$pkg" ] || {
		echo "no linux-image-amd64 in the apt lists" >"$cache/why"
		return 1
	}
	command -v busybox >/dev/null || {
		echo "busybox (busybox-static) is not installed" >"$cache/why"
		return 1
	}
	lab_apt_download "$cache" "$pkg" || return 1
	x=$cache/x r=$cache/initrd
	rm -rf "$x" "$r" "$cache/agent-why"
	mkdir -p "$x"
	dpkg -x "$cache"/dl/*.deb "$x" || {
		echo "dpkg -x of $pkg failed" >"$cache/why"
		return 1
	}
	set -- "$x"/boot/vmlinuz-*
	[ -f "$1" ] || {
		echo "$pkg has no /boot/vmlinuz-*" >"$cache/why"
		return 1
	}
	cp "$1" "$cache/vmlinuz"
	mkdir -p "$r"/{bin,dev,etc,lib/modules,proc,run,sys,tmp}
	# the module and what it needs (modinfo's depends=, as modules.dep
	# would say: the package ships no modules.dep), dependencies first; a
	# module the kernel has built in (modules.builtin) needs no loading
	qemu_module_add() {
		local f dep
		f=$(find "$x/lib/modules" -name "$1.ko" -o -name "$1.ko.xz" | head -n 1)
		if [ -z "$f" ]; then
			grep -q -E "/$1\.ko$" "$x"/lib/modules/*/modules.builtin 2>/dev/null
			return
		fi
		case $f in *.xz) xz -dc "$f" >"$r/lib/modules/$1.ko" || return 1 ;; *) cp "$f" "$r/lib/modules/$1.ko" ;; esac
		for dep in $(tr '\0' '\n' <"$r/lib/modules/$1.ko" | sed -n 's/^depends=//p' | tr ',' ' '); do
			[[ " ${mods[*]} " == *" $dep "* ]] || qemu_module_add "$dep" || return 1
		done
		mods+=("$1")
	}
	qemu_module_add "$QEMU_NIC_MODULE" || {
		echo "$pkg has no $QEMU_NIC_MODULE.ko (or a module it needs)" >"$cache/why"
		return 1
	}
	if ! qemu_agent_add "$cache" "$r" "$pkg"; then
		mv "$cache/why" "$cache/agent-why"
	fi
	cp "$(command -v busybox)" "$r/bin/busybox"
	mknod -m 600 "$r/dev/console" c 5 1 2>/dev/null || true
	cat >"$r/udhcpc.sh" <<'EOS'
#!/bin/sh
# udhcpc's event script: it applies the lease itself
case "$1" in
deconfig) ip -4 addr flush dev "$interface" && ip link set "$interface" up ;;
bound | renew)
	ip -4 addr flush dev "$interface"
	ip addr add "$ip/${mask:-24}" dev "$interface"
	[ -z "$router" ] || ip route replace default via "${router%% *}" dev "$interface"
	echo "lab-guest: $interface has $ip" >/dev/console
	;;
esac
exit 0
EOS
	{
		echo '#!/bin/busybox sh'
		echo '# init of the lab'"'"'s qemu guests (tests/lab/lib.sh: qemu_guest_fetch)'
		echo '/bin/busybox --install -s /bin'
		echo 'export PATH=/bin'
		echo 'mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev'
		echo 'exec </dev/console >/dev/console 2>&1'
		for m in "${mods[@]}"; do echo "insmod /lib/modules/$m.ko"; done
		# shellcheck disable=SC2016 # the guest expands them
		printf '%s\n' 'arg() { sed -n "s/.*[[:space:]]$1=\([^ ]*\).*/\1/p" /proc/cmdline; }' \
			'name=$(arg lab_hostname)' \
			'ip link set lo up' \
			'# the guest agent, on its virtio-serial port, when the domain has a' \
			'# virtio console device (0x0003): its ports come once the host names them' \
			'agent_port() {' \
			'	for p in /sys/class/virtio-ports/*; do' \
			'		[ "$(cat "$p/name" 2>/dev/null)" = org.qemu.guest_agent.0 ] && [ -c "/dev/${p##*/}" ] && echo "/dev/${p##*/}"' \
			'	done' \
			'}' \
			'if [ -x /usr/sbin/qemu-ga ] && cat /sys/bus/virtio/devices/*/device 2>/dev/null | grep -qx 0x0003; then' \
			'	for i in $(seq 100); do port=$(agent_port); [ -n "$port" ] && break; sleep 0.1; done' \
			'	if [ -n "$port" ]; then' \
			'		LD_LIBRARY_PATH=/lib/x86_64-linux-gnu /usr/sbin/qemu-ga -m virtio-serial -p "$port" -t /run &' \
			'		echo "lab-guest: qemu-ga on $port"' \
			'	else echo "lab-guest: no port org.qemu.guest_agent.0"; fi' \
			'fi' \
			'if [ "$(arg lab_dhcp)" = 0 ]; then echo "lab-guest: up, no DHCP"; while :; do sleep 3600; done; fi' \
			'for i in $(seq 100); do [ -e /sys/class/net/eth0 ] && break; sleep 0.1; done' \
			'ip link set eth0 up' \
			'# no -R: a release on exit would drop the lease' \
			'until udhcpc -i eth0 -s /udhcpc.sh -x "hostname:${name:-lab-guest}" -n -q -t 20 -T 1 -A 1; do sleep 1; done' \
			'echo "lab-guest: up"' \
			'while :; do sleep 3600; done'
	} >"$r/init"
	chmod 755 "$r/init" "$r/udhcpc.sh"
	(cd "$r" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$cache/initrd.gz" || {
		echo "cannot pack the initramfs" >"$cache/why"
		return 1
	}
	echo "$pkg" >"$cache/kernel-package"
	rm -rf "$cache/dl" "$x" "$r"
	echo "$QEMU_GUEST_STAMP" >"$cache/ok"
}
# qemu_agent_add CACHE ROOT KERNEL_PKG: qemu-ga, its libraries and the virtio-serial
# modules into the initramfs ROOT (qemu_guest_fetch's mods and x in scope).
# On failure the reason is in CACHE/why.
qemu_agent_add() {
	local cache=$1 r=$2 a=$1/agent m libs l
	shift 2
	for m in $QEMU_AGENT_MODULES; do
		qemu_module_add "$m" || {
			echo "$1 has no $m.ko (or a module it needs), nor has it built in" >"$cache/why"
			return 1
		}
	done
	lab_apt_download "$cache" qemu-guest-agent || return 1
	rm -rf "$a"
	mkdir -p "$a"
	if ! dpkg -x "$cache"/dl/qemu-guest-agent_*.deb "$a" || [ ! -x "$a/usr/sbin/qemu-ga" ]; then
		echo "qemu-guest-agent has no usr/sbin/qemu-ga" >"$cache/why"
		return 1
	fi
	libs=$(ldd "$a/usr/sbin/qemu-ga" 2>&1) || {
		echo "ldd usr/sbin/qemu-ga: $libs" >"$cache/why"
		return 1
	}
	if grep -q "not found" <<<"$libs"; then
		echo "qemu-ga needs libraries this host lacks: $(grep "not found" <<<"$libs" | awk '{ print $1 }' | paste -sd' ')" >"$cache/why"
		return 1
	fi
	mkdir -p "$r"/usr/sbin "$r"/lib/x86_64-linux-gnu "$r"/lib64 "$r"/var/run
	cp "$a/usr/sbin/qemu-ga" "$r/usr/sbin/"
	# the libraries by their sonames, the loader where the binary names it
	while read -r l; do
		cp -L "$l" "$r/lib/x86_64-linux-gnu/" || {
			echo "cannot copy $l" >"$cache/why"
			return 1
		}
	done < <(awk '$2 == "=>" && $3 ~ /^\// { print $3 }' <<<"$libs")
	l=$(awk '$1 ~ /^\/.*ld-linux/ { print $1 }' <<<"$libs")
	if [ -z "$l" ] || ! mkdir -p "$r$(dirname "$l")" || ! cp -L "$l" "$r$l"; then
		echo "no dynamic loader in ldd usr/sbin/qemu-ga" >"$cache/why"
		return 1
	fi
	rm -rf "$a"
}
# shellcheck disable=SC2034 # the callers read them
qemu_guest_files() {
	local cache=$LAB_BUILDDIR/tests/lab/qemu-guest
	lab_cached "$cache" qemu_guest_fetch "$QEMU_GUEST_STAMP" || {
		QEMU_WHY=$LAB_CACHE_WHY
		return 1
	}
	QEMU_KERNEL=$cache/vmlinuz QEMU_INITRD=$cache/initrd.gz
	QEMU_AGENT_WHY=$(cat "$cache/agent-why" 2>/dev/null || true)
}

# ---- a qemu guest in the lab -------------------------------------------------------
# qemu_test_setup CONFIG_LINES: what a qemu test does first.  Skips without
# root or qemu-system-x86_64, picks the NSS line, runs hook_test_setup with
# CONFIG_LINES and makes that hook the lab's, and qemu_guest_files (skips
# without the kernel).
qemu_test_setup() {
	[ "$(id -u)" = 0 ] || skip "the lab needs root"
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed (qemu-system-x86)"
	lab_pick_nss
	hook_test_setup "$1"
	export LAB_HOOK=$work/hook
	qemu_guest_files || skip "no kernel for the qemu guest: $QEMU_WHY"
}
# qemu_lab_up GUEST: hook_lab_up for a qemu test, which at exit shows
# GUEST's console and qemu log after a failure and destroys it.  Sets L (the
# NSS line under test) and the lab's EXT_* variables (its NAT network).
qemu_lab_guest=''
qemu_lab_at_exit() { # FAILED
	[ "$1" = 1 ] && qemu_guest_diag "$qemu_lab_guest"
	qv destroy "$qemu_lab_guest" >/dev/null 2>&1 || true
}
qemu_lab_up() {
	qemu_lab_guest=$1
	hook_lab_up qemu_lab_at_exit
	# shellcheck disable=SC2034 # the callers read it
	L=$LAB_NSS
	eval "$("$LAB" env | grep -E '^EXT_')"
}
# virsh on the lab's qemu:///system
qv() { "$LAB" exec virsh -q -c qemu:///system "$@"; }
# qemu_agent_exec NAME SCRIPT: SCRIPT's output, run with /bin/sh -c in the
# guest through its agent's guest-exec (within 20 s); fails when it cannot
# run or exits non-zero.
qemu_agent_exec() {
	local req out pid _
	req=$(python3 -c 'import json, sys; print(json.dumps({"execute": "guest-exec", "arguments":
		{"path": "/bin/sh", "arg": ["-c", sys.argv[1]], "capture-output": True}}))' "$2")
	out=$(qv qemu-agent-command "$1" "$req") || return 1
	pid=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["return"]["pid"])' "$out") || return 1
	for _ in $(seq 40); do
		out=$(qv qemu-agent-command "$1" "{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":$pid}}") || return 1
		python3 -c '
import base64, json, sys
r = json.loads(sys.argv[1])["return"]
if not r["exited"]:
    sys.exit(2)
sys.stdout.write(base64.b64decode(r.get("out-data", "")).decode())
sys.exit(r.get("exitcode", 1))' "$out"
		case $? in 0) return 0 ;; 2) sleep 0.5 ;; *) return 1 ;; esac
	done
	return 1
}

# qemu_guest_start NAME MAC CMDLINE [DEVICES [METADATA]]: define and start a
# TCG guest (direct kernel boot of QEMU_KERNEL and QEMU_INITRD, kernel
# command line CMDLINE after the console's) with an e1000 NIC of MAC on the
# lab's NAT network (QEMU_NIC_TYPE=bridge QEMU_NIC_SOURCE="bridge='br-lan'"
# put it elsewhere), its serial console in $work/NAME.console, DEVICES (XML)
# besides, and METADATA (XML) as its <metadata>.  Sets qemu_t0 to when it
# started.
# shellcheck disable=SC2034 # the callers read it
qemu_t0=0
qemu_guest_start() {
	cat >"$work/$1.xml" <<EOX
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  ${5:+<metadata>$5</metadata>}
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$QEMU_KERNEL</kernel>
    <initrd>$QEMU_INITRD</initrd>
    <cmdline>console=ttyS0 quiet $3</cmdline>
  </os>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>$(command -v qemu-system-x86_64)</emulator>
    <interface type='${QEMU_NIC_TYPE:-network}'>
      <mac address='$2'/>
      <source ${QEMU_NIC_SOURCE:-network='$EXT_NET'}/>
      <model type='e1000'/>
      <rom bar='off'/>
    </interface>
    <serial type='file'>
      <source path='$work/$1.console'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
    ${4:-}
  </devices>
</domain>
EOX
	# shellcheck disable=SC2034 # the callers read it
	qemu_t0=$(date +%s)
	qv define "$work/$1.xml" >/dev/null && qv start "$1" >/dev/null
}
# qemu_guest_diag NAME: the ends of its console and of libvirt's qemu log
qemu_guest_diag() {
	echo "--- guest console (tail)"
	tail -n 30 "$work/$1.console" 2>/dev/null
	echo "--- $1's qemu log (tail)"
	tail -n 20 "$LAB_DIR/root/var/log/libvirt/qemu/$1.log" 2>/dev/null
}
qemu_console_tail() { tail -n 3 "$work/$1.console" 2>/dev/null | tr -d '\r' | paste -sd'|'; }

# qemu_lease_of MAC: "IP HOSTNAME" (- without one) of MAC's lease in the NAT
# network's .status, from the lab's files; nothing without one.
qemu_lease_of() {
	local f=$LAB_DIR/root/var/lib/libvirt/dnsmasq/$EXT_BR.status
	[ -s "$f" ] || return 0
	python3 -c '
import json, sys
for l in json.load(open(sys.argv[1])):
    if l.get("mac-address", "").lower() == sys.argv[2]:
        print(l["ip-address"], l.get("hostname", "-"))' "$f" "$1" 2>/dev/null | head -n 1
}

chk_qemu_record() { # NAME MAC: the hook's record of a qemu guest with that NIC
	local r
	r=$("$LAB" exec cat "$RUN/guest-$1.rec" 2>/dev/null) || {
		echo "no $RUN/guest-$1.rec"
		return 1
	}
	grep -E '^(driver|nic) ' <<<"$r" | paste -sd';'
	grep -qx "driver qemu" <<<"$r" && grep -q "^nic $2 $EXT_NET " <<<"$r"
}
# NAME MAC (after virsh destroy): within 15 s, its record, lease and
# dns-host entry gone
chk_qemu_gone() {
	local end=$(($(date +%s) + 15)) left
	while :; do
		left=
		"$LAB" exec test -e "$RUN/guest-$1.rec" && left="$left record"
		[ -n "$(qemu_lease_of "$2")" ] && left="$left lease"
		"$LAB" exec virsh -q net-dumpxml "$EXT_NET" | grep -q "<hostname>$1</hostname>" && left="$left dns-host"
		[ -n "$left" ] || break
		[ "$(date +%s)" -lt "$end" ] || {
			echo "still there after 15 s:$left"
			return 1
		}
		sleep 0.2
	done
	echo "record, lease and dns-host entry gone"
}

# ---- the hook's invariants: what every hook load and fault test ends with ----------
# hook_invariants [GONE...]: after the test's load or fault, once the lab
# has settled, the state the NSS module answers from must be the truth.
# Asserts (each one PASS/FAIL line):
#  - no hook process (a worker) is left in the lab within 30 s: settled;
#  - every running LXC guest resolves through glibc (getent ahostsv4) to
#    exactly the live leases of its MACs in libvirt's .status files (none:
#    it does not resolve); every defined guest that is not running, and
#    every GONE name (undefined, renamed), does not resolve;
#  - the records are the running guests and the active networks, no more,
#    no fewer, and every one parses (lc-record-check: the core's parser);
#  - no temp file (or anything but a record) is left in $RUN;
#  - no `virsh start` failed because of us: $work/start-errors
#    (hook_virsh_all writes it) is empty and libvirtd logged no failed hook script.
# Needs hook_test_setup (work, RUN, hook_bin) and a lab that is up.
hook_invariants() {
	assert "settled: no hook worker left in the lab (within 30 s)" chk_no_workers 30
	assert "running guests resolve to their leases, stopped and gone ones not at all" \
		chk_truth "$@"
	assert "every record parses (the core's parser) and names its object" chk_records_parse
	assert "no temp file or other leftover in $RUN" chk_no_leftovers
	assert "no virsh start failed, libvirtd logged no failed hook" chk_starts_ok
}

# poll_until SECONDS CMD...: run CMD every 0.1 s until it succeeds, for at
# most SECONDS (CMD's arguments are expanded once: for a changing
# condition, CMD is a function or sh -c).
poll_until() {
	local end=$(($(date +%s%3N) + $1 * 1000))
	shift
	until "$@"; do
		[ "$(date +%s%3N)" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# The pids of the hook binary's processes in the lab (the workers, once
# the hooks have returned).
hook_pids() {
	# shellcheck disable=SC2016 # the lab's shell expands them
	"$LAB" exec bash -c 'for p in /proc/[0-9]*; do [ "$(readlink "$p/exe" 2>/dev/null)" = "$1" ] && echo "${p#/proc/}"; done; true' \
		_ "$(readlink -f "$hook_bin")"
}
chk_no_workers() { # SECONDS
	local end=$(($(date +%s) + $1)) left t0
	t0=$(date +%s%3N)
	while left=$(hook_pids | paste -sd' ') && [ -n "$left" ]; do
		[ "$(date +%s)" -lt "$end" ] || {
			echo "still running after $1 s: $left"
			return 1
		}
		sleep 0.2
	done
	echo "none left after $(($(date +%s%3N) - t0)) ms"
}

# The module's answers and the records against libvirt's state, inside the
# lab (hook-truth.py truth): one line per disagreement and a summary.
chk_truth() { # GONE...
	"$LAB" exec /usr/bin/python3 "$lab_srcdir/hook-truth.py" truth "$RUN" "$@"
}
chk_records_parse() {
	local out rc=0
	out=$("$LAB" exec "$LAB_BUILDDIR/tests/lab/lc-record-check" "$RUN") || rc=$?
	grep -v '^ok ' <<<"$out" | paste -sd';'
	return $rc
}
chk_no_leftovers() {
	local left
	left=$("$LAB" exec find "$RUN" -mindepth 1 -not -regex '.*/\(guest\|net\)-[^/]*\.rec' 2>/dev/null | paste -sd' ')
	echo "${left:-nothing but records}"
	[ -z "$left" ]
}
chk_starts_ok() {
	local errs hooklog
	errs=$(cat "$work/start-errors" 2>/dev/null)
	hooklog=$(grep -i -c 'hook script execution failed' "$LAB_DIR/root/var/log/libvirt/libvirtd.log" 2>/dev/null)
	echo "$(cat "$work"/virsh-times* 2>/dev/null | grep -c '^start ') starts, $(grep -c . <<<"$errs") failed${errs:+ ($(head -n 3 <<<"$errs" | paste -sd';'))}; libvirtd.log: ${hooklog:-0} failed hook(s)"
	[ -z "$errs" ] && [ "${hooklog:-0}" -eq 0 ]
}

# hook_virsh_all VERB GUEST...: `virsh VERB GUEST` for every GUEST at once,
# inside the lab, each one timed there (no nsenter in the figure).  Appends
# "VERB GUEST MS" to $VIRSH_TIMES (default $work/virsh-times), and a failure's message to
# $work/start-errors (start) or $work/virsh-errors; returns 1 after a failure.
hook_virsh_all() {
	local verb=$1 out rc=0
	shift
	# shellcheck disable=SC2016 # the lab's shell expands them
	out=$("$LAB" exec bash -c 'verb=$1; shift
		for g in "$@"; do
			( t=$(date +%s%N)
			  if e=$(virsh -q "$verb" "$g" 2>&1); then echo "ok $verb $g $((($(date +%s%N) - t) / 1000000))"
			  else echo "err $g: $(echo "$e" | paste -sd" ")"; fi ) &
		done
		wait' _ "$verb" "$@")
	grep '^ok ' <<<"$out" | cut -d' ' -f2- >>"${VIRSH_TIMES:-$work/virsh-times}"
	if grep -q '^err ' <<<"$out"; then
		rc=1
		grep '^err ' <<<"$out" | cut -d' ' -f2- >>"$work/$([ "$verb" = start ] && echo start || echo virsh)-errors"
	fi
	return $rc
}

# hook_wait_resolved TIMEOUT GUEST...: poll, inside the lab, until every
# GUEST resolves through glibc to exactly the live leases of its MACs, for
# at most TIMEOUT seconds; "GUEST LEASE_MS RESOLVED_MS" lines (hook-truth.py).
hook_wait_resolved() {
	"$LAB" exec /usr/bin/python3 "$lab_srcdir/hook-truth.py" wait "$@"
}

# hook_names_resolving NAME...: those of NAME that resolve now (getent
# hosts, one process in the lab for all of them).
hook_names_resolving() {
	# shellcheck disable=SC2016 # the lab's shell expands them
	"$LAB" exec bash -c 'for n in "$@"; do getent hosts "$n" >/dev/null && echo "$n"; done; true' _ "$@"
}

# hook_links on|off: install or remove the lab's hook links, then SIGHUP
# libvirtd and wait until it has reread its hook directories.
hook_links() {
	local d n
	n=$(lab_reload_marker)
	for d in qemu lxc network; do
		if [ "$1" = on ]; then
			ln -sfn "$(readlink -f "$LAB_HOOK")" "$LAB_DIR/root/etc/libvirt/hooks/$d.d/libvirt-cluster"
		else
			rm -f "$LAB_DIR/root/etc/libvirt/hooks/$d.d/libvirt-cluster"
		fi
	done
	# shellcheck disable=SC2016 # the lab's shell expands it
	"$LAB" exec sh -c 'kill -HUP "$(cat /run/libvirtd.pid)"' && lab_wait_reload "$n"
}

# ---- a LAN that libvirt does not manage ------------------------------------------
# lab_lan_up WORK: in the lab, a Linux bridge br-lan with 192.168.77.1/24 and
# fd00:77::1/64, and a plain dnsmasq on it serving DHCP (.100-.150) with its
# own lease file WORK/lan.leases, outside libvirt's directory (its pid in
# WORK/lan-dnsmasq.pid).  lab_lan_lease WORK MAC: the address it leased MAC.
LAN_BR=br-lan LAN_NET=192.168.77 LAN6=fd00:77
lab_lan_up() {
	"$LAB" exec sh -ec "
		ip link add $LAN_BR type bridge stp_state 0
		ip addr add $LAN_NET.1/24 dev $LAN_BR
		ip addr add $LAN6::1/64 dev $LAN_BR nodad
		ip link set $LAN_BR up
		dnsmasq --conf-file=/dev/null --port=0 --interface=$LAN_BR --bind-interfaces \
			--dhcp-range=$LAN_NET.100,$LAN_NET.150,12h --dhcp-leasefile=$1/lan.leases \
			--pid-file=$1/lan-dnsmasq.pid --no-ping --dhcp-authoritative"
}
lab_lan_down() { [ -s "$1/lan-dnsmasq.pid" ] && kill "$(cat "$1/lan-dnsmasq.pid")" 2>/dev/null; }
lab_lan_lease() { awk -v m="$2" '$2 == m { print $3 }' "$1/lan.leases" 2>/dev/null; }
# lab_wait_name LINE NAME WANT [SECS]: within SECS (30), `getent hosts NAME`
# gives exactly WANT (its addresses sorted, space-separated).
lab_wait_name() {
	local end got
	end=$(($(date +%s) + ${4:-30}))
	while :; do
		got=$(hosts_addrs "$1" "$2" | sort | oneline)
		[ "$got" = "$3" ] && break
		[ "$(date +%s)" -lt "$end" ] || {
			echo "getent hosts $2: $got, expected $3"
			return 1
		}
		sleep 0.2
	done
	echo "getent hosts $2: $got"
}
# lab_median_max MS...: "median N ms, max M ms" of the numbers given.
lab_median_max() {
	printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END {
		m = (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2)
		printf "median %d ms, max %d ms", m, a[NR] }'
}

# hook_define_load PREFIX MACBYTE N: N LXC guests PREFIX01.. on ext, MACs
# 52:54:00:MACBYTE:00:NN, defined, not started, in the array guests; every
# fifth sends a DHCP hostname other than its name (PREFIXNN-dhcp), so its
# worker adds a dns-host entry while the others start.
hook_define_load() {
	local i g h
	guests=()
	for i in $(seq 1 "$3"); do
		g=$(printf '%s%02d' "$1" "$i")
		h=$g
		[ $((i % 5)) -eq 0 ] && h=$g-dhcp
		guests+=("$g")
		"$LAB" define "$g" "$h" "ext:$(printf '52:54:00:%s:00:%02x' "$2" "$i")" || not_ok "lab define $g"
	done
	echo "$3 guests defined: ${guests[0]} .. ${guests[$(($3 - 1))]}"
}
