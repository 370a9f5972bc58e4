# SPDX-License-Identifier: LGPL-2.1-or-later
# What the NSS module answers against what libvirt says, inside the lab
# (tests/lab/lib.sh runs it with `lab exec /usr/bin/python3`).  Names are
# resolved through glibc (getent ahostsv4), never by reading our files.
#
#   hook-truth.py truth RUN [GONE...]   every running LXC guest resolves to
#       exactly the live leases of its MACs, every defined guest that is not
#       running and every GONE name does not resolve, and RUN holds a record
#       for each running guest and active network and for nothing else;
#       prints each disagreement and a summary, exit 1 on any
#   hook-truth.py wait TIMEOUT GUEST... poll until every GUEST resolves to
#       its leases; prints "GUEST LEASE_MS RESOLVED_MS" (ms since the call
#       when its lease was first seen, when it first resolved to it; "-":
#       never)
import glob
import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET


def virsh(*args):
    return subprocess.run(["virsh", "-q", "-c", "lxc:///system"] + list(args),
                          capture_output=True, text=True, check=True).stdout.split()


def live_leases():
    """MAC -> set of addresses, over every .status file, expired ones left out."""
    now, leases = time.time(), {}
    for f in glob.glob("/var/lib/libvirt/dnsmasq/*.status"):
        try:
            entries = json.load(open(f))
        except ValueError:
            entries = []
        for lease in entries:
            if "expiry-time" in lease and lease["expiry-time"] <= now:
                continue
            leases.setdefault(lease["mac-address"].lower(), set()).add(lease["ip-address"])
    return leases


def macs(name):
    """A guest's MACs: from its live XML while it runs, else its definition."""
    for p in ("/run/libvirt/lxc/%s.xml" % name, "/etc/libvirt/lxc/%s.xml" % name):
        if os.path.exists(p):
            return [m.get("address").lower() for m in ET.parse(p).getroot().iter("mac")]
    return []


def leases_of(name, leases):
    return set().union(*[leases.get(m, set()) for m in macs(name)])


def resolve(name):
    r = subprocess.run(["getent", "ahostsv4", name], capture_output=True, text=True)
    return r.returncode, set(line.split()[0] for line in r.stdout.splitlines() if line.strip())


def truth(run, gone):
    running = set(virsh("list", "--name"))
    defined = set(virsh("list", "--all", "--name"))
    nets = set(virsh("net-list", "--name"))
    leases, bad = live_leases(), []
    for g in sorted(running):
        want = leases_of(g, leases)
        rc, got = resolve(g)
        if got != want:
            bad.append("running %s: getent %s (exit %d), leases %s"
                       % (g, sorted(got) or "-", rc, sorted(want) or "-"))
    for g in sorted((defined - running) | set(gone)):
        if g in running:
            bad.append("%s was to be gone but runs" % g)
            continue
        rc, got = resolve(g)
        if rc != 2:
            bad.append("stopped %s: getent exit %d %s" % (g, rc, sorted(got)))
    try:
        files = set(os.listdir(run))
    except FileNotFoundError:
        files = set()
    recs = set(f[6:-4] for f in files if f.startswith("guest-") and f.endswith(".rec"))
    nrecs = set(f[4:-4] for f in files if f.startswith("net-") and f.endswith(".rec"))
    bad += ["running %s has no record" % g for g in sorted(running - recs)]
    bad += ["record of %s, which does not run" % g for g in sorted(recs - running)]
    bad += ["network %s: %s" % (n, "active, no record" if n in nets else "record, not active")
            for n in sorted(nets ^ nrecs)]
    for b in bad[:12]:
        print(b)
    print("%d running, %d stopped, %d gone, %d networks: %d disagreement(s)"
          % (len(running), len(defined - running), len(set(gone) - defined), len(nets), len(bad)))
    return 1 if bad else 0


def wait(timeout, guests):
    t0 = time.monotonic()
    lease_t, res_t = {}, {}
    while time.monotonic() - t0 < timeout and len(res_t) < len(guests):
        leases = live_leases()
        for g in guests:
            if g in res_t:
                continue
            want = leases_of(g, leases)
            if not want:
                continue
            lease_t.setdefault(g, time.monotonic() - t0)
            if resolve(g)[1] == want:
                res_t[g] = time.monotonic() - t0
        time.sleep(0.05)
    for g in guests:
        print(g, *("-" if t is None else str(int(t * 1000)) for t in (lease_t.get(g), res_t.get(g))))
    return 0


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "truth":
        sys.exit(truth(sys.argv[2], sys.argv[3:]))
    if len(sys.argv) >= 3 and sys.argv[1] == "wait":
        sys.exit(wait(float(sys.argv[2]), sys.argv[3:]))
    sys.exit("usage: hook-truth.py truth RUN [GONE...] | wait TIMEOUT GUEST...")
