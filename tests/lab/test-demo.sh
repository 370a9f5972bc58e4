#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's main job, `./run.sh demo` (tests/lab/demo.sh), as a test: run
# it on a lab of its own (the hook installed) and check every claim it
# prints.  node1, its FQDN, node2 and node2-dhcp resolve to ext addresses
# and back; `libvirt-cluster resolve node1` ranks the ext address first and
# says why; node3 (no DHCP client) got a lease from the hook's renewal, which
# the hook's log line says, and resolves to it; dnsmasq answers
# node2.lab.test with node2's address through the hook's dns-host entry; ssh
# node1 answers "node1"; `known-hosts node1` prints node1's names and
# addresses with the host key of node1's own /etc/ssh (the same
# fingerprint), ssh node1 under StrictHostKeyChecking=yes with that file
# alone succeeds and with no file fails; lan1, on a bridge no libvirt
# network manages, leased by the LAN's own dnsmasq and by none of
# libvirt's, resolves to that address, which `resolve` says was found in
# its network namespace (discovery); the qemu guest kvm1 is in `list` (driver qemu) and
# in the inventory's groups beside the LXC guests, and when it booted in
# time it resolves (else the demo says it did not); `wait` succeeds before
# ansible, whose ping answers pong from node1 and node2 by bare names and
# through the inventory; a second lab, host B, joined to A through a site
# namespace running BIND 9: A's `dns sync` publishes node1.cluster.test,
# B's finds its own node1 a conflict owned by hv-1, on B getent hosts
# node1.cluster.test answers A's node1 address (and kvm1.cluster.test,
# which B has none of, kvm1's), dig's TXT says host=hv-1, and `dns status`
# on A lists node1 with that address; after `virsh destroy node2` its names
# are gone, its lease has left the .status, dnsmasq says NXDOMAIN and so
# does the site's server for node2.cluster.test; the demo ends within 3
# minutes and takes both labs and the site down.
# shellcheck disable=SC2317 # the chk_* functions run through assert
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lab/site-lib.sh
. "$(dirname "$0")/site-lib.sh"
[ "$(id -u)" = 0 ] || skip "the lab needs root"
lab_lock # its labs are not lab_up's (lib.sh: lab_lock)
lab_pick_nss
[ "$LAB_NSS" = "$OURS_NSS" ] || skip "the demo shows this project's module (LAB_NSS is '$LAB_NSS')"
[ -x "$LAB_BUILDDIR/hooks/libvirt-cluster-hook" ] || skip "the hook is not built"
export LAB_DIR=$LAB_BUILDDIR/tests/lab/$test_name.lab
demo_down() {
	"$LAB" down >/dev/null 2>&1
	LAB_DIR=$LAB_DIR.demo/b.lab "$LAB" down >/dev/null 2>&1
	site_down "$LAB_DIR.demo/site"
	rm -rf "$LAB_DIR.demo"
}
trap demo_down EXIT

demo_out=$("$lab_srcdir/demo.sh" 2>&1)
rc=$?
printf '| %s\n' "${demo_out//$'\n'/$'\n'| }"

# section NAME: the lines of the demo's section "==> NAME" (up to the next)
section() { awk -v want="==> $1" 'index($0, "==> ") { on = index($0, want) > 0; next } on' <<<"$demo_out"; }
# answer SECTION NAME: the first field of the line after "$ getent hosts NAME"
# (or "not found"), field 2 with FIELD=2
answer() {
	awk -v cmd="\$ getent hosts $2" -v f="${FIELD:-1}" '
		$0 == cmd || index($0, cmd "   #") == 1 { on = 1; next }
		on { if ($0 ~ /not found/) print "not found"; else print $f; exit }' <<<"$(section "$1")"
}
ext_re='^10\.250\.1\.[0-9]+$'
chk_rc() {
	echo "exit $rc"
	[ "$rc" = 0 ]
}
assert "the demo runs to the end" chk_rc

chk_hook() {
	local s
	s=$(section "bringing up the lab")
	grep "the hook:" <<<"$s" | sed 's/^ *//'
	grep -q "the hook: .*/hook in the lab's private /etc/libvirt/hooks/" <<<"$s"
}
assert "the lab runs with the hook installed" chk_hook

chk_names() {
	local n a
	for n in node1 node1.lab.test node2 node2-dhcp; do
		a=$(answer "every guest by name" "$n")
		echo -n "$n: ${a:-(no line)}; "
		[[ $a =~ $ext_re ]] || return 1
	done
}
assert "getent hosts: node1, node1.lab.test, node2 and node2-dhcp have external addresses" chk_names
chk_reverse() {
	local g ip name
	for g in node1 node2; do
		ip=$(answer "every guest by name" "$g")
		name=$(FIELD=2 answer "every guest by name" "$ip")
		echo -n "$ip -> ${name:-(none)}; "
		[ "$name" = "$g" ] || return 1
	done
}
assert "reverse lookups give node1's and node2's addresses back their names" chk_reverse

chk_order() {
	local s ext
	s=$(section "node1's address order")
	ext=$(answer "every guest by name" node1)
	grep -m1 -E '^ +1\. ' <<<"$s" | tr -s ' '
	grep -q -E "^ +1\. $ext +ext +external " <<<"$s" &&
		grep -q "ahead of the next: external network before isolated" <<<"$s" &&
		grep -q -E "^ +2\. 10\.250\.2\.[0-9]+ +int +isolated " <<<"$s" &&
		grep -q "answers $ext first: the external" <<<"$s"
}
assert "libvirt-cluster resolve node1: the ext address first, because external ranks before isolated" chk_order

chk_node3() {
	local s a lease
	s=$(section "node3: no DHCP client")
	a=$(answer "node3: no DHCP client" node3)
	lease=$(sed -n 's/.*node3.s lease: ext \([0-9.]*\) .*/\1/p' <<<"$s")
	grep -m1 "lxc node3 worker:" <<<"$s" | sed 's/^ *//'
	echo "getent hosts node3: ${a:-(none)}; lease ${lease:-(none)}"
	grep -q -E "libvirt-cluster-hook\[[0-9]+\]: lxc node3 worker: 1/1 NIC leased, first address $a; DHCP renewal try [0-9]/2: ran the DHCP client" <<<"$s" &&
		[[ $a =~ $ext_re ]] && [ "$a" = "$lease" ]
}
assert "node3 got its lease from the hook's renewal (its log line) and resolves to it" chk_node3

chk_dig() {
	local s ip2
	s=$(section "dnsmasq answers node2.lab.test")
	ip2=$(answer "every guest by name" node2)
	grep -E "IN[[:space:]]+A" <<<"$s" | tr -s ' \t' ' '
	grep -q "lxc node2 worker: .*DNS: ext answers node2 and node2.lab.test with $ip2" <<<"$s" &&
		grep -q "<hostname>node2</hostname>" <<<"$s" &&
		grep -q -E "^ +node2\.lab\.test\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+$ip2$" <<<"$s"
}
assert "dig @gateway node2.lab.test: dnsmasq answers node2's address, through the hook's dns-host entry" chk_dig

chk_ssh() {
	local s
	s=$(section "ssh by name")
	grep -A1 '^\$ ssh' <<<"$s" | paste -sd' '
	grep -qx "  node1" <<<"$s"
}
assert "ssh node1 hostname answers node1" chk_ssh

# the lines of SECTION after the shown command that matches PATTERN (ERE),
# up to the next command or the line of what the step proves
after_cmd() { # SECTION PATTERN
	awk -v re="$2" '/^\$ / { on = ($0 ~ re); next } /^  => / { on = 0 } on' <<<"$(section "$1")"
}
chk_known_hosts() {
	local s kh fp
	s=$(section "ssh with known-hosts")
	kh=$(after_cmd "ssh with known-hosts" '^\$ libvirt-cluster known-hosts node1 ')
	fp=$(grep "its fingerprint: " <<<"$s" | sed 's/^ *//')
	echo "${kh:0:90}; $fp"
	grep -q -E "^  node1,[^ ]*,$(answer "every guest by name" node1)[, ].* ssh-ed25519 AAAA" <<<"$kh" &&
		[[ $fp =~ ^its\ fingerprint:\ (SHA256:[^ ;]+)\;\ node1.s\ /etc/ssh/ssh_host_ed25519_key.pub:\ (SHA256:[^ ]+)$ ]] &&
		[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
}
assert "known-hosts node1: its names and address with the host key of node1's own /etc/ssh" chk_known_hosts
chk_strict() {
	local with without
	with=$(after_cmd "ssh with known-hosts" 'StrictHostKeyChecking=yes -o UserKnownHostsFile=[^ ]*known_hosts\.node1 .* node1 true$')
	without=$(after_cmd "ssh with known-hosts" 'StrictHostKeyChecking=yes -o UserKnownHostsFile=/dev/null .* node1 true$')
	echo "with the file: $(paste -sd' ' <<<"$with"); without: $(paste -sd' ' <<<"$without")"
	[ "$with" = "  exit 0" ] && grep -qx "  Host key verification failed." <<<"$without" &&
		grep -qx "  exit 255" <<<"$without"
}
assert "ssh node1 with StrictHostKeyChecking=yes: accepted with known-hosts' file alone, refused without it" chk_strict

chk_lan1() {
	local s ip got
	s=$(section "a bridged guest")
	ip=$(sed -n 's/^  the LAN.s dnsmasq leased it: 52:54:00:1c:07:11 \([0-9.]*\) lan1$/\1/p' <<<"$s")
	got=$(answer "a bridged guest" lan1)
	echo "LAN lease ${ip:-(none)}; getent hosts lan1: ${got:-(none)}; $(grep -E "^ +1\. " <<<"$s" | tr -s ' ')"
	[[ $ip =~ ^192\.168\.77\.[0-9]+$ ]] && [ "$got" = "$ip" ] &&
		grep -q -E "^ +vnet[0-9]+ +bridge +br-lan +- +52:54:00:1c:07:11$" <<<"$s" &&
		grep -qx "  libvirt's leases for it: 0" <<<"$s" &&
		grep -q -E "^ +1\. $ip +br-lan +external +br-lan +52:54:00:1c:07:11 +netns, seen [0-9]+s ago$" <<<"$s" &&
		grep -q -E "libvirt-cluster-hook\[[0-9]+\]: lxc lan1 discovery: 1 address on NICs without a lease after [0-9]+ rounds?$" <<<"$s"
}
assert "lan1 on a plain bridge: no libvirt lease, its address discovered in its netns (resolve says so), getent answers it" chk_lan1

# kvm1: in list and the inventory whether it booted in time or not (the
# hook's record comes at start); with a lease when the demo says it booted
s_kvm=$(section "KVM beside LXC")
kvm_booted=0
grep -q "^  booted: its lease came" <<<"$s_kvm" && kvm_booted=1
chk_kvm_list() {
	grep -E '^  (NAME|kvm1|node[123]) ' <<<"$s_kvm" | tr -s ' ' | paste -sd';'
	grep -q -E '^  kvm1 +qemu +lab +KVM +running ' <<<"$s_kvm" &&
		grep -q -E '^  node1 +lxc +lab +WEB +running +10\.250\.1\.[0-9]+\(ext\) 10\.250\.2\.[0-9]+\(int\)' <<<"$s_kvm" &&
		grep -q -E '^  node2 +lxc +lab +WEB +running ' <<<"$s_kvm" &&
		grep -q -E '^  node3 +lxc +lab +DB +running +10\.250\.1\.[0-9]+\(ext\)' <<<"$s_kvm"
}
chk_kvm_groups() {
	grep -E '^  (LAB|WEB|DB|KVM): ' <<<"$s_kvm" | paste -sd';'
	grep -qx '  LAB: kvm1 node1 node2 node3' <<<"$s_kvm" && grep -qx '  WEB: node1 node2' <<<"$s_kvm" &&
		grep -qx '  DB: node3' <<<"$s_kvm" && grep -qx '  KVM: kvm1' <<<"$s_kvm"
}
chk_kvm_names() {
	local a f r
	a=$(answer "KVM beside LXC" kvm1) f=$(answer "KVM beside LXC" kvm1.lab.test)
	r=$(FIELD=2 answer "KVM beside LXC" "$a")
	echo "kvm1: $a; kvm1.lab.test: $f; $a -> $r"
	[[ $a =~ $ext_re ]] && [ "$f" = "$a" ] && [ "$r" = kvm1 ] &&
		grep -q -E "^  kvm1 +qemu +lab +KVM +running +$a\(ext\)" <<<"$s_kvm"
}
chk_kvm_said() {
	grep -E "did not boot within|no lease yet" <<<"$s_kvm" | head -n 1 | sed 's/^ *//'
	grep -q "kvm1 did not boot within [0-9]* s of the demo's start" <<<"$s_kvm" &&
		grep -q -E '^  kvm1 +qemu +lab +KVM +running +- *$' <<<"$s_kvm"
}
if grep -q "^  no qemu guest: " <<<"$s_kvm"; then
	echo "SKIP (not counted): $(grep "^  no qemu guest: " <<<"$s_kvm" | sed 's/^ *//')"
else
	assert "libvirt-cluster list: kvm1 (qemu) beside node1..3 (lxc), all in cluster lab with their groups" chk_kvm_list
	assert "the inventory's groups: LAB holds kvm1 and node1..3; WEB node1 node2, DB node3, KVM kvm1" chk_kvm_groups
	if [ "$kvm_booted" = 1 ]; then
		assert "kvm1 booted: kvm1 and kvm1.lab.test resolve to its lease, the lease back to kvm1, list shows it" chk_kvm_names
	else
		assert "kvm1 did not boot in time: the demo says so, and list shows it without an address" chk_kvm_said
	fi
fi

chk_wait() {
	local s
	s=$(section "ansible by name")
	grep -A2 '^\$ libvirt-cluster wait' <<<"$s" | paste -sd' '
	grep -q -E '^\$ libvirt-cluster wait (--ready=ssh|--port=22) --timeout 30 node1 node2$' <<<"$s" &&
		grep -qx "  exit 0: both resolve and accept ssh" <<<"$s"
}
chk_ansible() {
	local s
	s=$(section "ansible by name")
	echo "$s" | grep -c "SUCCESS => pong" | sed 's/$/ pongs/'
	[ "$(grep -c "^  node1 | SUCCESS => pong" <<<"$s")" = 2 ] &&
		[ "$(grep -c "^  node2 | SUCCESS => pong" <<<"$s")" = 2 ] &&
		grep -q "^  node3 | UNREACHABLE!: .* connect to host 10\.250\.1\.[0-9]* port 22: Conn" <<<"$s" &&
		{ [ "$kvm_booted" = 0 ] || grep -q "^  kvm1 | UNREACHABLE!: .* connect to host 10\.250\.1\.[0-9]* port 22: Conn" <<<"$s"; }
}
if command -v ansible >/dev/null; then
	assert "libvirt-cluster wait node1 node2 exits 0 before ansible" chk_wait
	assert "ansible -m ping: pong from node1 and node2 by bare names and through the inventory; node3 (and kvm1) have an address but no sshd" chk_ansible
fi

S_B="a second host"
chk_b_sync() {
	local a b
	a=$(after_cmd "$S_B" '^\$ libvirt-cluster dns sync   # on A$')
	b=$(after_cmd "$S_B" '^\$ libvirt-cluster dns sync   # on B$')
	grep -E "^ +node1\.cluster\.test: " <<<"$a$'\n'$b" | sed 's/^ *//' | paste -sd';'
	grep -q -E "^ +node1\.cluster\.test: done: published node1\.cluster\.test: 1 address" <<<"$a" &&
		grep -q -E "^ +node1\.cluster\.test: conflict: .*belongs to another guest \(host=hv-1\): nothing changed$" <<<"$b" &&
		grep -q -E "^  0 published, 0 stale names removed, [1-9][0-9]* conflicts" <<<"$b"
}
chk_b_resolves() {
	local a1 got own txt
	a1=$(answer "every guest by name" node1)
	got=$(answer "$S_B" node1.cluster.test)
	own=$(answer "$S_B" node1)
	txt=$(after_cmd "$S_B" '^\$ dig \+short @10\.99\.2\.1 node1\.cluster\.test TXT')
	echo "A's node1: $a1; on B: node1.cluster.test $got, its own node1 $own; TXT $txt"
	[[ $a1 =~ $ext_re ]] && [ "$got" = "$a1" ] && [[ $own =~ $ext_re ]] &&
		[ "$txt" = '  "libvirt-cluster host=hv-1 cluster=lab group=WEB"' ]
}
chk_b_kvm() {
	local want got
	want=$(answer "KVM beside LXC" kvm1) got=$(answer "$S_B" kvm1.cluster.test)
	echo "kvm1 on A: $want; kvm1.cluster.test on B: $got"
	[[ $want =~ $ext_re ]] && [ "$got" = "$want" ]
}
chk_b_lan1() {
	local want got
	want=$(answer "a bridged guest" lan1) got=$(answer "$S_B" lan1.cluster.test)
	echo "lan1 on A: $want; lan1.cluster.test on B: $got"
	[ -n "$want" ] && [ "$want" != "not found" ] && [ "$got" = "$want" ]
}
chk_a_status() {
	local st a1
	a1=$(answer "every guest by name" node1)
	st=$(after_cmd "$S_B" '^\$ libvirt-cluster dns status   # on A$')
	grep -E "answers SOA|node1\.cluster|published by" <<<"$st" | sed 's/^ *//' | paste -sd';'
	grep -q -E "^ +10\.99\.1\.1 answers SOA of cluster\.test \(serial [0-9]+\), signed with key lc-key$" <<<"$st" &&
		grep -q -E "^ +node1\.cluster\.test $a1 cluster=lab group=WEB$" <<<"$st" &&
		grep -q -E "^ +[1-9][0-9]* names published by this host" <<<"$st"
}
s_b=$(section "$S_B")
if grep -q -E "^  \(no second host: .*(not installed|no cluster DNS)" <<<"$s_b"; then
	echo "SKIP (not counted): $(grep "no second host" <<<"$s_b" | sed 's/^ *//')"
else
	assert "dns sync: A publishes node1.cluster.test; B's own node1 is a conflict owned by hv-1, B publishes nothing" chk_b_sync
	assert "on B: getent hosts node1.cluster.test answers A's node1 address, its TXT says host=hv-1" chk_b_resolves
	if [ "$kvm_booted" = 1 ]; then
		assert "on B: kvm1.cluster.test (B has no kvm1) answers A's kvm1 address" chk_b_kvm
	fi
	assert "on B: lan1.cluster.test (a bridged guest of A, addresses from discovery only) answers A's lan1 address" chk_b_lan1
	assert "dns status on A: the server answers with the key, node1.cluster.test published with A's address" chk_a_status
	chk_withdrawn() {
		local s
		s=$(after_cmd "a guest stops" '^\$ dig .*@10\.99\.1\.1 node2\.cluster\.test')
		echo "the site's server, node2.cluster.test: $(tr -s ' ' <<<"$s")"
		grep -q "status: NXDOMAIN" <<<"$s"
	}
	assert "after virsh destroy node2, the hook withdrew node2.cluster.test from the site's server" chk_withdrawn
fi

chk_stop() {
	local s
	s=$(section "a guest stops")
	echo "$s" | grep -A1 -E '^\$ getent hosts node2' | paste -sd' '
	grep -E "matching lease entries|stopped:|status: " <<<"$s" | sed 's/^ *//' | paste -sd';'
	[ "$(grep -c "(not found, exit 2)" <<<"$s")" = 2 ] && grep -q "matching lease entries: 0" <<<"$s" &&
		grep -q "libvirt-cluster-hook\[[0-9]*\]: lxc node2 stopped: 1 of 1 lease released, record removed" <<<"$s" &&
		grep -q "status: NXDOMAIN" <<<"$s"
}
assert "after virsh destroy node2: both names gone, its lease released from the .status, dnsmasq says NXDOMAIN" chk_stop

chk_time() {
	local t
	t=$(sed -n 's/.*==> done in \([0-9]*\)\.[0-9] s.*/\1/p' <<<"$demo_out")
	echo "done in ${t:-?} s"
	[ -n "$t" ] && [ "$t" -lt 180 ]
}
assert "the demo finishes in under 3 minutes" chk_time
chk_down() {
	grep -m1 "lab torn down" <<<"$demo_out" | sed 's/^ *//'
	grep -q "lab torn down" <<<"$demo_out" && [ ! -e "$LAB_DIR/lab.id" ] && [ ! -e "$LAB_DIR.demo" ] &&
		! pgrep -f "named -g -c $LAB_DIR.demo/site/" >/dev/null
}
assert "the demo takes its labs and the site down (and the hook's files)" chk_down
finish
