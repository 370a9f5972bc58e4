#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A name that is no guest: the module says NOTFOUND, quickly, and the lookup
# goes on to `dns` (the lab's own DNS server on its loopback answers
# dns-only.test; nothing leaves the lab).
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
lab_pick_nss
lab_up
L=$LAB_NSS

assert "precondition: the lab's DNS answers dns-only.test (hosts: dns)" chk_fallthrough dns
assert "dns-only.test falls through the module to dns (hosts: $L)" chk_fallthrough "$L"
assert "the module's answer for a non-guest is NOTFOUND, not UNAVAIL" chk_notfound_status "$L"
assert "a miss through the module alone is fast" chk_notfound_fast "$L"
assert "nosuchguest.lab.test is not found either" chk_unresolvable "$L" nosuchguest.lab.test
finish
