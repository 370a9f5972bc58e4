/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * doctor: what shares the host with libvirt and bites its guests.
 *   - nscd or unscd caching hosts keeps answering for a stopped guest;
 *   - a FORWARD policy of DROP (Docker sets one) cuts NAT guests off;
 *   - Docker's containers see no guest names (neither the host's NSS nor
 *     resolved's per-link domains reach them);
 *   - the ssh drop-in of `enable --ssh`.
 * Everything is read, nothing changed: the firewall through iptables-save
 * and nft, as they print it.
 */
#include "cli/cli.h"
#include "cli/doctor.h"
#include "cli/system.h"
#include "resolver/resolver.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_NETS 32

static void problem(struct doctor *d, const char *check, const char *msg, const char *fixtext)
{
	doctor_add(d, FIND_PROBLEM, check, msg, fixtext);
}

static const char *rooted(const struct cli_args *args, const char *path, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s", args->root ? args->root : "", path);
	return buf;
}

/* The network records the hook wrote: bridges, classes, dnsmasq addresses. */
struct nets {
	const char *dir;
	struct lc_net_record *nets;
	size_t n, max;
};

static int one_net(enum lc_record_kind kind, const char *name, void *userdata)
{
	struct nets *w = userdata;

	if (kind == LC_RECORD_NET && w->n < w->max &&
	    lc_net_record_load(w->dir, name, &w->nets[w->n]) == 0 && w->nets[w->n].bridge[0])
		w->n++;
	return 0;
}

static size_t load_nets(const struct lc_paths *lp, struct lc_net_record *nets, size_t max)
{
	struct nets w = {lp->runstate_dir, nets, 0, max};

	lc_record_dir_foreach(lp->runstate_dir, one_net, &w);
	return w.n;
}

/* ---- nscd / unscd -------------------------------------------------------------- */

static bool process_runs(const char *comm)
{
	DIR *dir = opendir("/proc");
	struct dirent *e;
	bool found = false;

	if (!dir)
		return false;
	while (!found && (e = readdir(dir))) {
		char path[300], buf[64] = "";
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
		found = !strcmp(buf, comm);
	}
	closedir(dir);
	return found;
}

static void check_nscd(struct doctor *d, const struct cli_args *args)
{
	char path[PATH_MAX], msg[512], fx[768], *conf = NULL;
	size_t len = 0;
	bool glibc = process_runs("nscd"), un = process_runs("unscd"), enabled;
	long ttl;

	if (!glibc && !un) {
		doctor_add(d, FIND_OK, "nscd", "no nscd or unscd runs: nothing caches guest names",
			   NULL);
		return;
	}
	rooted(args, "/etc/nscd.conf", path, sizeof(path));
	if (sys_read_file(path, &conf, &len) < 0) {
		snprintf(msg, sizeof(msg), "%s runs, but %.300s cannot be read: not checked",
			 un ? "unscd" : "nscd", path);
		doctor_add(d, FIND_SKIPPED, "nscd", msg, NULL);
		return;
	}
	nb_nscd_conf_hosts(conf, len, &enabled, &ttl);
	free(conf);
	if (!enabled) {
		doctor_add(d, FIND_OK, "nscd", "nscd runs, its hosts cache is off", NULL);
		return;
	}
	if (un)
		snprintf(msg, sizeof(msg),
			 "unscd caches hosts and ignores the TTL the module reports: a stopped "
			 "guest keeps resolving for up to %ld s (positive-time-to-live hosts)",
			 ttl);
	else
		snprintf(msg, sizeof(msg),
			 "nscd caches hosts: a stopped guest keeps resolving through it for up to "
			 "%d s (the module's TTL, %d s, plus nscd's prune interval, 15 s)",
			 LC_TTL_MAX + 15, LC_TTL_MAX);
	snprintf(fx, sizeof(fx),
		 "stop caching host names: in %.300s set\n"
		 "  enable-cache hosts no\n"
		 "then: systemctl restart %s\n"
		 "or keep the cache and drop a stopped guest's name at once: nscd -i hosts",
		 path, un ? "unscd" : "nscd");
	problem(d, "nscd", msg, fx);
}

/* ---- the FORWARD path ---------------------------------------------------------- */

/* The output of a fixed command (no shell input from us), or NULL. */
static char *capture(const char *cmd)
{
	FILE *f = popen(cmd, "re");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 65536);
			if (!nb || cap > (16u << 20)) {
				free(nb ? nb : buf);
				pclose(f);
				return NULL;
			}
			buf = nb;
		}
		size_t k = fread(buf + len, 1, 4096, f);
		if (k == 0)
			break;
		len += k;
	}
	int st = pclose(f);
	if (st != 0 || !buf) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

static void forward_fix(const struct lc_net_record *n, bool docker_user, char *fx, size_t size)
{
	const char *chain = docker_user ? "DOCKER-USER" : "FORWARD";
	snprintf(
	    fx, size,
	    "Docker: in /etc/docker/daemon.json set \"ip-forward-no-drop\": true and restart "
	    "docker;\n"
	    "or accept the bridge ahead of the policy (%s is the chain Docker leaves to you):\n"
	    "  iptables -I %s -i %s -j ACCEPT\n"
	    "  iptables -I %s -o %s -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
	    chain, chain, n->bridge, chain, n->bridge);
}

static void check_forward(struct doctor *d, const struct lc_net_record *nets, size_t n)
{
	char *save = capture("iptables-save -t filter 2>/dev/null");
	char *ruleset = capture("nft list ruleset 2>/dev/null");
	char msg[512], fx[1024], where[400];
	size_t bad = 0, external = 0;

	if (!save && !ruleset) {
		doctor_add(d, FIND_SKIPPED, "forward",
			   "neither iptables-save nor nft can read the firewall here: not checked",
			   NULL);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct lc_net_record *net = &nets[i];
		bool docker_user = false;
		/* an isolated network forwards nothing by design */
		if (net->klass == LC_CLASS_ISOLATED)
			continue;
		external++;
		if (save && nb_iptables_forward_drops(save, net->bridge, &docker_user) == 1) {
			snprintf(msg, sizeof(msg),
				 "FORWARD policy DROP (iptables) drops what guests on network '%s' "
				 "(bridge %s) send beyond the host: no rule accepts -i %s",
				 net->name, net->bridge, net->bridge);
			forward_fix(net, docker_user, fx, sizeof(fx));
			problem(d, "forward", msg, fx);
			bad++;
		} else if (ruleset &&
			   nb_nft_forward_drops(ruleset, net->bridge, where, sizeof(where)) == 1) {
			snprintf(msg, sizeof(msg),
				 "nft chain %s (hook forward, policy drop) drops what guests on "
				 "network '%s' (bridge %s) send beyond the host",
				 where, net->name, net->bridge);
			snprintf(
			    fx, sizeof(fx),
			    "nft insert rule %s iifname \"%s\" accept\n"
			    "nft insert rule %s oifname \"%s\" ct state established,related accept",
			    where, net->bridge, where, net->bridge);
			problem(d, "forward", msg, fx);
			bad++;
		}
	}
	if (bad == 0) {
		snprintf(msg, sizeof(msg),
			 external ? "the FORWARD path lets %zu forwarding network%s out"
				  : "no forwarding libvirt network recorded (%zu)",
			 external, external == 1 ? "" : "s");
		doctor_add(d, FIND_OK, "forward", msg, NULL);
	}
	free(save);
	free(ruleset);
}

/* ---- Docker's DNS ------------------------------------------------------------------ */

static bool docker_installed(const struct cli_args *args)
{
	static const char *const paths[] = {"/usr/bin/dockerd", "/usr/sbin/dockerd",
					    "/usr/local/bin/dockerd", "/etc/docker/daemon.json"};
	char p[PATH_MAX];
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(rooted(args, paths[i], p, sizeof(p)), F_OK) == 0)
			return true;
	return false;
}

/* The network whose dnsmasq containers should ask: one that forwards, has
 * a DNS domain and an address, else any with an address. */
static const struct lc_net_record *dns_network(const struct lc_net_record *nets, size_t n)
{
	const struct lc_net_record *any = NULL;
	for (size_t i = 0; i < n; i++) {
		if (nets[i].n_addrs == 0)
			continue;
		if (nets[i].klass == LC_CLASS_EXTERNAL && nets[i].domain[0])
			return &nets[i];
		if (!any)
			any = &nets[i];
	}
	return any;
}

static bool serves_guests(const char *server, const struct lc_net_record *nets, size_t n)
{
	struct lc_addr a;
	if (lc_addr_parse(server, strlen(server), &a) < 0)
		return false;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < nets[i].n_addrs; j++)
			if (nets[i].addrs[j].family == a.family &&
			    !memcmp(nets[i].addrs[j].bytes, a.bytes, a.family == AF_INET ? 4 : 16))
				return true;
	return false;
}

static void check_docker_dns(struct doctor *d, const struct cli_args *args,
			     const struct lc_net_record *nets, size_t n)
{
	char path[PATH_MAX], msg[512], fx[1024], dns[8][64], ab[64], *buf = NULL;
	size_t len = 0, nd = 0;

	if (!docker_installed(args)) {
		doctor_add(d, FIND_OK, "docker", "dockerd is not installed", NULL);
		return;
	}
	rooted(args, "/etc/docker/daemon.json", path, sizeof(path));
	int r = sys_read_file(path, &buf, &len);
	if (r == 0 && nb_daemon_json_dns(buf, len, dns, 8, &nd) < 0) {
		snprintf(msg, sizeof(msg), "%.300s is not a JSON object: dockerd will not start",
			 path);
		free(buf);
		problem(d, "docker", msg,
			"fix its syntax: python3 -m json.tool /etc/docker/daemon.json");
		return;
	}
	free(buf);
	for (size_t i = 0; i < nd; i++)
		if (serves_guests(dns[i], nets, n)) {
			snprintf(msg, sizeof(msg),
				 "containers ask %s (daemon.json \"dns\"), a libvirt network's "
				 "dnsmasq: they see guest names",
				 dns[i]);
			doctor_add(d, FIND_OK, "docker", msg, NULL);
			return;
		}
	const struct lc_net_record *net = dns_network(nets, n);
	if (!net) {
		doctor_add(d, FIND_SKIPPED, "docker",
			   "no network record names a dnsmasq address: container DNS not checked",
			   NULL);
		return;
	}
	snprintf(msg, sizeof(msg),
		 "containers cannot resolve guest names: %.300s has no \"dns\" that knows them "
		 "(Docker's containers use neither the host's NSS nor resolved's per-link "
		 "domains)",
		 r == 0 ? path : "there is no daemon.json, so it");
	lc_addr_format(&net->addrs[0], ab, sizeof(ab));
	snprintf(fx, sizeof(fx),
		 "in %.300s (a JSON object) set\n"
		 "  \"dns\": [\"%s\"]\n"
		 "(network '%s''s dnsmasq: it answers guest names%s%s and forwards the rest),\n"
		 "then: systemctl restart docker",
		 path, ab, net->name, net->domain[0] ? " and *." : "", net->domain);
	problem(d, "docker", msg, fx);
}

/* ---- the ssh drop-in ------------------------------------------------------------------ */

static void check_ssh(struct doctor *d, const struct cli_args *args)
{
	char path[PATH_MAX], cfg[PATH_MAX], msg[1024], *main_cfg = NULL;
	size_t len = 0;
	int st = cli_ssh_dropin_state(args, path, sizeof(path));

	if (st == 0) {
		snprintf(msg, sizeof(msg),
			 "%.300s is not installed: ssh checks guests' host keys only against "
			 "known_hosts (libvirt-cluster enable --ssh verifies them through the "
			 "hypervisor)",
			 path);
		doctor_add(d, FIND_OK, "ssh", msg, NULL);
		return;
	}
	if (st < 0) {
		snprintf(msg, sizeof(msg), "%.300s is not what enable --ssh writes", path);
		problem(d, "ssh", msg, "libvirt-cluster enable --ssh");
		return;
	}
	rooted(args, "/etc/ssh/ssh_config", cfg, sizeof(cfg));
	bool included = sys_read_file(cfg, &main_cfg, &len) == 0 &&
			strstr(main_cfg, "Include /etc/ssh/ssh_config.d/*.conf");
	free(main_cfg);
	if (!included) {
		snprintf(msg, sizeof(msg), "%.300s is installed, but %.300s does not include it",
			 path, cfg);
		problem(d, "ssh", msg,
			"put this line first in /etc/ssh/ssh_config:\n"
			"  Include /etc/ssh/ssh_config.d/*.conf");
		return;
	}
	snprintf(msg, sizeof(msg), "%.300s: ssh checks guests' host keys with known-hosts", path);
	doctor_add(d, FIND_OK, "ssh", msg, NULL);
}

void doctor_check_neighbours(struct doctor *d, const struct cli_args *args,
			     const struct lc_paths *lp)
{
	struct lc_net_record *nets = calloc(MAX_NETS, sizeof(*nets));
	size_t n = nets ? load_nets(lp, nets, MAX_NETS) : 0;

	check_nscd(d, args);
	check_forward(d, nets, n);
	check_docker_dns(d, args, nets, n);
	check_ssh(d, args);
	free(nets);
}
