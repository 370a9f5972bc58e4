# SPDX-License-Identifier: LGPL-2.1-or-later
# Cluster DNS against libvirt's leases, inside the lab (the load and fault
# tests run it with `lab exec /usr/bin/python3`).  The zones are read as
# the server serves them: AXFR with the TSIG key, through dig.
#
#   ddns-wait.py wait TIMEOUT SERVER PORT KEYFILE ZONE REVZONE GUEST...
#       poll until every GUEST's record set is in the zones: at NAME.ZONE
#       an A that is its live lease, a DHCID and one TXT "libvirt-cluster
#       host=...", and at the lease's reverse name a PTR to NAME.ZONE and a
#       DHCID; prints "GUEST LEASE_MS DNS_MS ADDRS" (ms since the call when
#       its lease was first seen, when its whole set was first served; "-":
#       never; every lease address it was seen with, comma-separated)
#   ddns-wait.py waitnew TIMEOUT ...: the same, for leases that come after
#       the call (one there already, of guests just destroyed, may still be
#       on its way out of the .status file: dnsmasq's lease script is slow
#       under load)
#   ddns-wait.py gone TIMEOUT SERVER PORT KEYFILE ZONE REVZONE GUEST...
#       poll until no GUEST has a name (or a PTR) left; prints
#       "gone MS" or "left NAME..." and exits 1
#   ddns-wait.py sets SERVER PORT KEYFILE ZONE REVZONE GUEST...
#       each GUEST's set now, one line each: "GUEST ok ADDR" or what is wrong
#       (also more than one A or TXT: two record sets from racing updates)
import glob
import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
import time

spec = importlib.util.spec_from_file_location(
    "hook_truth", os.path.join(os.path.dirname(os.path.abspath(__file__)), "hook-truth.py"))
truth = importlib.util.module_from_spec(spec)
spec.loader.exec_module(truth)


def tsig(keyfile):
    text = open(keyfile).read()
    name = re.search(r'key\s+"?([^"\s{]+)"?\s*{', text).group(1)
    alg = re.search(r'algorithm\s+"?([^";\s]+)', text).group(1)
    secret = re.search(r'secret\s+"([^"]+)"', text).group(1)
    return "%s:%s:%s" % (alg, name, secret)


def axfr(server, port, key, zone):
    """owner -> type -> [rdata] (owners lower-case, without the final dot)."""
    out = subprocess.run(["dig", "+noall", "+answer", "+time=1", "+tries=1", "-y", key,
                          "-p", port, "@" + server, zone, "AXFR"],
                         capture_output=True, text=True).stdout
    z = {}
    for line in out.splitlines():
        f = line.split(None, 4)
        if len(f) < 5 or f[2] != "IN":
            continue
        z.setdefault(f[0].lower().rstrip("."), {}).setdefault(f[3], []).append(f[4])
    return z


def rev(addr):
    return ".".join(reversed(addr.split("."))) + ".in-addr.arpa"


def set_state(g, addr, fwd, rz, zone):
    """What is wrong with g's set (empty when whole)."""
    name = "%s.%s" % (g, zone)
    f, r = fwd.get(name, {}), rz.get(rev(addr), {}) if addr else {}
    bad = []
    if f.get("A") != [addr]:
        bad.append("A %s, lease %s" % (",".join(f.get("A", [])) or "-", addr or "-"))
    txt = f.get("TXT", [])
    if len(txt) != 1 or "libvirt-cluster host=" not in txt[0]:
        bad.append("TXT %s" % (txt or "-"))
    if len(f.get("DHCID", [])) != 1:
        bad.append("%d DHCID" % len(f.get("DHCID", [])))
    if r.get("PTR") != [name + "."]:
        bad.append("PTR %s" % (",".join(r.get("PTR", [])) or "-"))
    if len(r.get("DHCID", [])) != 1:
        bad.append("%d DHCID at the PTR" % len(r.get("DHCID", [])))
    return bad


_macs = {}


def lease_entries():
    """(MAC, address, expiry) of every live lease in libvirt's .status files."""
    now, out = time.time(), set()
    for f in glob.glob("/var/lib/libvirt/dnsmasq/*.status"):
        try:
            entries = json.load(open(f))
        except ValueError:
            entries = []
        for e in entries:
            if e.get("expiry-time", now + 1) > now:
                out.add((e["mac-address"].lower(), e["ip-address"], e.get("expiry-time")))
    return out


def leases_now(guests, old=frozenset()):
    """guest -> its live lease addresses (its MACs read once it runs), but
    those in old: a lease of the round before whose release dnsmasq's
    lease script has not yet taken out of the .status file."""
    leases = {}
    for e in lease_entries() - old:
        leases.setdefault(e[0], set()).add(e[1])
    out = {}
    for g in guests:
        if g not in _macs and os.path.exists("/run/libvirt/lxc/%s.xml" % g):
            _macs[g] = truth.macs(g)
        out[g] = sorted(set().union(*[leases.get(m, set()) for m in _macs.get(g, truth.macs(g))]))
    return out


def one(addrs):
    return addrs[0] if len(addrs) == 1 else None


def main(argv):
    mode = argv[1]
    if mode in ("wait", "waitnew", "gone"):
        timeout, argv = float(argv[2]), argv[:2] + argv[3:]
    server, port, key, zone, revzone = argv[2], argv[3], tsig(argv[4]), argv[5], argv[6]
    guests = argv[7:]
    t0 = time.monotonic()
    if mode == "sets":
        leases = leases_now(guests)
        fwd, rz = axfr(server, port, key, zone), axfr(server, port, key, revzone)
        bad = 0
        for g in guests:
            b = set_state(g, one(leases[g]), fwd, rz, zone)
            if len(leases[g]) != 1:
                b.append("live leases: %s" % (",".join(leases[g]) or "none"))
            print(g, "; ".join(b) if b else "ok " + leases[g][0])
            bad += bool(b)
        return 1 if bad else 0
    if mode == "gone":
        while True:
            fwd, rz = axfr(server, port, key, zone), axfr(server, port, key, revzone)
            names = set(g + "." + zone for g in guests)
            left = sorted(n for n in fwd if n in names)
            left += sorted(o for o, t in rz.items() if any(p.rstrip(".") in names for p in t.get("PTR", [])))
            if not left:
                print("gone", int((time.monotonic() - t0) * 1000))
                return 0
            if time.monotonic() - t0 > timeout:
                print("left", *left)
                return 1
            time.sleep(0.1)
    # the leases in a thread of their own, every 20 ms: an AXFR round
    # takes longer, and the time of a lease is when it appeared
    lease_t, dns_t, cur, seen, done = {}, {}, {}, {}, threading.Event()
    old = frozenset(lease_entries() if mode == "waitnew" else ())

    def watch_leases():
        while not done.is_set():
            now = time.monotonic() - t0
            for g, a in leases_now(guests, old).items():
                cur[g] = a
                if a:
                    lease_t.setdefault(g, now)
                    seen.setdefault(g, set()).update(a)
            time.sleep(0.02)

    th = threading.Thread(target=watch_leases, daemon=True)
    th.start()
    while time.monotonic() - t0 < timeout and len(dns_t) < len(guests):
        fwd, rz = axfr(server, port, key, zone), axfr(server, port, key, revzone)
        now = time.monotonic() - t0
        for g in guests:
            a = one(cur.get(g, []))
            if g in dns_t or g not in lease_t or a is None:
                continue
            if not set_state(g, a, fwd, rz, zone):
                dns_t[g] = now
        time.sleep(0.02)
    done.set()
    th.join()
    for g in guests:
        print(g, *("-" if t is None else str(int(t * 1000)) for t in (lease_t.get(g), dns_t.get(g))),
              ",".join(sorted(seen.get(g, []))) or "-")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
