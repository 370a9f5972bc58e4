/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * doctor's findings, for checks that live outside cmd-doctor.c: each adds
 * one finding (what it saw) and, for a problem, the exact fix.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum finding_status {
	FIND_OK,
	FIND_SKIPPED, /* could not be checked here; says why */
	FIND_PROBLEM,
};

struct doctor;
struct cli_args;
struct lc_paths;

/* One finding: what was seen, and for a problem the fix (NULL: none). */
void doctor_add(struct doctor *d, enum finding_status st, const char *check, const char *msg,
		const char *fixtext);

/* Out of memory while checking: doctor fails rather than report half. */
void doctor_oom(struct doctor *d);

struct lc_config;
/* systemd-resolved's view of each network with a DNS domain
 * (doctor-resolved.c). */
void doctor_check_resolved(struct doctor *d, const struct lc_paths *lp,
			   const struct lc_config *cfg);

/* What shares the host with libvirt and bites its guests
 * (doctor-neighbours.c): nscd or unscd caching hosts, Docker's FORWARD
 * policy and its containers' DNS, and the ssh drop-in. */
void doctor_check_neighbours(struct doctor *d, const struct cli_args *args,
			     const struct lc_paths *lp);

/* ---- the parsers behind them (neighbours.c) ---- */

/* /etc/nscd.conf: whether the hosts cache is on (`enable-cache hosts yes`;
 * off when not said) and its positive-time-to-live (3600 when not said). */
void nb_nscd_conf_hosts(const char *buf, size_t len, bool *ret_enabled, long *ret_ttl);

/* /etc/docker/daemon.json's "dns" servers (at most max, 64 bytes each).
 * 0 and *ret_n (0 when there is no "dns"), -EINVAL when it is no JSON
 * object. */
int nb_daemon_json_dns(const char *buf, size_t len, char (*ret)[64], size_t max, size_t *ret_n);

/* iptables-save output: whether FORWARD's policy is DROP and no rule in
 * FORWARD, or in a chain it jumps to, accepts traffic coming in on bridge
 * (an `-i bridge ... -j ACCEPT`).  *ret_docker_user: a DOCKER-USER chain
 * exists.  1 dropped, 0 not. */
int nb_iptables_forward_drops(const char *save, const char *bridge, bool *ret_docker_user);
/* nft list ruleset output: 1 when a base chain on the forward hook has
 * policy drop and no rule in it accepts iifname bridge; its "family table
 * chain" goes to where.  iptables-nft's FORWARD chains are left
 * to nb_iptables_forward_drops. */
int nb_nft_forward_drops(const char *ruleset, const char *bridge, char *where, size_t size);
