#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Cluster DNS against a real BIND 9 (named -g, private config, its own
# network namespace): add, conflict, migration, guarded deletes, PTR guard,
# wrong keys, a world-readable key, TCP over 512 bytes, a dropped reply,
# the spool, AXFR.
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lab/ddns-lib.sh
. "$(dirname "$0")/ddns-lib.sh"
ddns_need named
ddns_ns_up
bind_start || { echo "FAIL: named did not start"; exit 1; }
ddns_suite bind_start
finish
