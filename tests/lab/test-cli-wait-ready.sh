#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck disable=SC2317 # functions are called through assert
# wait --ready against the lab:
#   - ssh: node2's real sshd is ready; a listener on node3's port 22 that
#     accepts but sends no banner is not (--port 22 says it is), and wait
#     returns once that listener starts sending an SSH banner;
#   - wait sleeps on inotify: idle, it does not wake up on a timer, and a
#     lease arriving ends it at once.
. "$(dirname "$0")/cli-lib.sh"
command -v python3 >/dev/null || skip "python3 is not installed"
lab_pick_nss
lab_up

chk_rc() { # WANT ARGS...
	local want=$1 rc=0 err
	shift
	err=$(lc "$@" 2>&1 >/dev/null) || rc=$?
	echo "libvirt-cluster $*: exit $rc${err:+; $(echo "$err" | paste -sd' ')}"
	[ "$rc" -eq "$want" ]
}
assert "wait node2 --ready=ssh: its sshd is up" chk_rc 0 wait node2 --ready=ssh --timeout 10
assert "wait node2 --ready=tcp:22 is --port 22" chk_rc 0 wait node2 --ready=tcp:22 --timeout 10

# ---- inotify: node3 has no lease; wait for it, idle, then give it one -----------------
marker=--timeout=37
rm -f "$LAB_DIR/wait.rc"
{
	rc=0
	lc wait node3 "$marker" >"$LAB_DIR/wait.out" 2>&1 || rc=$?
	echo "$rc $(date +%s%3N)" >"$LAB_DIR/wait.rc"
} &
find_wait() {
	local p
	for p in /proc/[0-9]*; do
		[[ $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) == *"libvirt-cluster wait node3 $marker"* ]] &&
			echo "${p#/proc/}" && return 0
	done
	return 1
}
pid=
for _ in $(seq 50); do pid=$(find_wait) && break; sleep 0.1; done
chk_idle() {
	local a b
	[ -n "$pid" ] || { echo "wait did not start"; return 1; }
	sleep 0.5
	a=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$pid/status")
	sleep 3
	b=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$pid/status")
	echo "wait node3 idle for 3 s: $((b - a)) wakeups (a 200 ms poll makes 15)"
	[ $((b - a)) -le 2 ]
}
assert "waiting for a lease, wait sleeps (inotify, no timer)" chk_idle
chk_wakes() {
	local t0 t1 rc=- at=0
	t0=$(date +%s%3N)
	"$LAB" dhcp node3 ext >/dev/null || return 1
	t1=$(date +%s%3N)
	for _ in $(seq 100); do [ -s "$LAB_DIR/wait.rc" ] && break; sleep 0.05; done
	[ -s "$LAB_DIR/wait.rc" ] && read -r rc at <"$LAB_DIR/wait.rc"
	echo "node3's lease in .status $((t1 - t0)) ms after the DHCP client started; wait exit $rc, $((at - t1)) ms after that"
	[ "$rc" = 0 ] && [ $((at - t1)) -lt 1000 ]
}
assert "the lease wakes wait at once" chk_wakes

# ---- a port 22 that accepts but sends no banner, then does -----------------------------
# In node3 (no sshd): a listener that accepts and stays silent until the
# file /tmp/banner exists, then greets each new connection as sshd would.
"$LAB" guest node3 sh -c 'python3 -c "
import os, socket, threading
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind((\"::\", 22)); s.listen(64)
held = []
while True:
    c, _ = s.accept()
    if os.path.exists(\"/tmp/banner\"):
        c.sendall(b\"SSH-2.0-labfake_1.0\r\n\")
    held.append(c)
" >/tmp/listener.log 2>&1 &' </dev/null >/dev/null 2>&1
rm -f "$LAB_DIR/roots/node3/tmp/banner"
lc wait node3 --port 22 --timeout 10 >/dev/null 2>&1 || not_ok "the silent listener did not come up on node3:22"
assert "wait node3 --port 22: the silent listener accepts" chk_rc 0 wait node3 --port 22 --timeout 5
chk_no_banner() {
	local err rc=0
	err=$(lc wait node3 --ready=ssh --timeout 3 2>&1 >/dev/null) || rc=$?
	echo "exit $rc: $err"
	[ "$rc" -eq 101 ] && [[ $err == *"node3: not ready after 3s: ssh on port 22 on "*"accepted, but sent no SSH banner"* ]]
}
assert "wait node3 --ready=ssh: accepted without a banner is not ready (exit 101, says why)" chk_no_banner
chk_banner_later() {
	local t0 rc=0
	lc wait node3 --ready=ssh --timeout 20 >/dev/null 2>&1 &
	local w=$!
	sleep 2
	kill -0 "$w" 2>/dev/null || { echo "wait ended before any banner"; return 1; }
	t0=$(date +%s%3N)
	touch "$LAB_DIR/roots/node3/tmp/banner"
	wait "$w" || rc=$?
	echo "banner on from $(( $(date +%s%3N) - t0 )) ms before wait returned (exit $rc); still waiting at 2 s without it"
	[ "$rc" -eq 0 ]
}
assert "the same wait returns once the listener sends an SSH banner" chk_banner_later
chk_unsupported() {
	local err rc=0
	err=$(lc wait node2 --ready=boot --timeout 30 2>&1 >/dev/null) || rc=$?
	echo "exit $rc: $err"
	[ "$rc" -eq 101 ] && [[ $err == *"node2: cannot be waited for: "* ]]
}
assert "--ready=boot: a clear error naming the guest at once, not a timeout" chk_unsupported
finish
