/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The detached worker: everything that needs the libvirt API, or time,
 * runs here, after the hook process has exited.  libvirtd waits for a hook
 * and holds locks meanwhile, so calling back into it from the hook itself
 * could deadlock; and libvirtd reads the hook's stdout and stderr until EOF,
 * so the worker must not keep them open.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "hooks/hook.h"
#include "host/host.h"
#ifdef HAVE_LDNS
#include "host/ddns.h"
#endif

static void close_fds_from(int lowest)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)lowest, ~0u, 0u) == 0)
		return;
#endif
	/* Older kernels: walk /proc/self/fd, or every possible number. */
	DIR *d = opendir("/proc/self/fd");
	if (d) {
		int dfd = dirfd(d);
		struct dirent *de;
		while ((de = readdir(d))) {
			int fd = atoi(de->d_name);
			if (fd >= lowest && fd != dfd && de->d_name[0] != '.')
				close(fd);
		}
		closedir(d);
		return;
	}
	struct rlimit rl;
	int max =
	    getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (int)rl.rlim_cur : 65536;
	for (int fd = lowest; fd < max; fd++)
		close(fd);
}

/* Below the guests that are starting: libvirtd waits for nothing the
 * worker does.  The worker has a session of its own, and a kernel with
 * autogroup scheduling (Debian's) gives every session an equal share of the
 * CPU whatever its processes' nice values: 20 workers took 20 shares from
 * libvirtd's one while their guests started (tests/lab/test-hook-load.sh).
 * So the session's share is lowered too; a kernel without autogroup has no
 * /proc/self/autogroup. */
static void lower_priority(void)
{
	int fd = open("/proc/self/autogroup", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
#define STR_(x) #x
#define STR(x) STR_(x)
		static const char nice[] = STR(HOOK_WORKER_NICE) "\n";
#undef STR
#undef STR_
		if (write(fd, nice, sizeof(nice) - 1) < 0)
			hook_debug("worker: cannot lower its session's CPU share: %s",
				   strerror(errno));
		close(fd);
	}
	if (setpriority(PRIO_PROCESS, 0, HOOK_WORKER_NICE) < 0)
		hook_debug("worker: cannot lower its priority: %s", strerror(errno));
}

int hook_spawn_detached(void (*fn)(void *userdata), void *userdata)
{
	pid_t pid, w;
	int status;

	/* A test harness or an unusual libvirtd may ignore SIGCHLD: then the
	 * kernel reaps the child itself and waitpid fails with ECHILD, which
	 * is fine. */
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* The intermediate child: a new session, then fork again so the
		 * worker is no session leader and can never get a terminal. */
		if (setsid() < 0)
			_exit(1);
		pid = fork();
		if (pid < 0)
			_exit(1);
		if (pid > 0)
			_exit(0);

		/* syslog's socket is one of the fds about to be closed; close it
		 * through syslog first so that its number is not reused under it. */
		closelog();
		int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 1);
			dup2(nul, 2);
		}
		close_fds_from(3);
		if (chdir("/") < 0)
			_exit(1);
		umask(022);
		lower_priority();
		signal(SIGPIPE, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		fn(userdata);
		_exit(0);
	}
	do
		w = waitpid(pid, &status, 0);
	while (w < 0 && errno == EINTR);
	if (w < 0 && errno != ECHILD)
		return -errno;
	if (w == pid && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		return -ECHILD;
	return 0;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Bridges of the NICs that libvirt's dnsmasq serves: a NIC on a plain host
 * bridge never gets a lease in our lease dir, so waiting for it is pointless. */
bool hook_nic_watched(const struct lc_paths *paths, const struct lc_nic *nic, char *bridge,
		      size_t size)
{
	char path[4096];
	struct stat st;

	snprintf(bridge, size, "%s", nic->bridge);
	if (!bridge[0] && nic->network[0]) {
		struct lc_net_record nr;
		if (lc_net_record_load(paths->runstate_dir, nic->network, &nr) == 0)
			snprintf(bridge, size, "%s", nr.bridge);
	}
	if (!bridge[0])
		return false;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.status", paths->lease_dir, bridge) >=
	    sizeof(path))
		return false;
	return stat(path, &st) == 0;
}

/* Which watched NICs have no live lease; fills leases (ranked). */
static size_t missing_leases(struct hook_work *w, const bool *watched, bool *missing,
			     struct host_lease *leases, size_t *n_leases)
{
	uint8_t macs[HOST_MAX_NICS][LC_MAC_LEN];
	size_t n_missing = 0;

	for (size_t i = 0; i < w->rec.n_nics; i++)
		memcpy(macs[i], w->rec.nics[i].mac, LC_MAC_LEN);
	*n_leases = 0;
	if (host_guest_leases(&w->paths, (const uint8_t(*)[LC_MAC_LEN])macs, w->rec.n_nics, leases,
			      HOST_MAX_LEASES, n_leases) < 0)
		*n_leases = 0;
	for (size_t i = 0; i < w->rec.n_nics; i++) {
		bool have = false;
		for (size_t k = 0; k < *n_leases && !have; k++)
			have = leases[k].nic_index == (int)i;
		missing[i] = watched[i] && !have;
		n_missing += missing[i];
	}
	return n_missing;
}

static size_t wait_leases(struct hook_work *w, const bool *watched, bool *missing,
			  struct host_lease *leases, size_t *n_leases, unsigned seconds)
{
	uint64_t deadline = host_now_usec() + (uint64_t)seconds * 1000000u;
	size_t n;

	for (;;) {
		n = missing_leases(w, watched, missing, leases, n_leases);
		if (n == 0 || host_now_usec() >= deadline)
			return n;
		sleep_ms(250);
	}
}

/* One NIC's renewal, in the guest the record names (by UUID when it has
 * one, so a namesake is never entered). */
static int renew_nic(virConnectPtr conn, const struct hook_work *w, size_t i, char *what,
		     size_t size)
{
	char ifname[64];
	struct host_renew_req req = {
	    .driver = w->rec.driver,
	    .name = w->rec.name,
	    .mac = w->rec.nics[i].mac,
	    .guest_dev = w->guest_dev[i],
	    .command = w->config.renew_command,
	    .timeout_s = HOOK_RENEW_TIMEOUT_S,
	};
	virDomainPtr dom = host_domain_running(conn, w->rec.uuid, w->rec.name);
	int r = host_renew(dom, &req, ifname, sizeof(ifname), what, size);

	if (dom)
		virDomainFree(dom);
	return r;
}

#ifdef HAVE_LDNS
static void log_ddns_retry(const struct ddns_spool_entry *e, const struct ddns_result *r, void *ud)
{
	hook_log(r->status == DDNS_DONE ? LOG_INFO : LOG_WARNING, "worker: cluster DNS, again: %s",
		 r->message);
}

static bool guest_gone(const struct lc_paths *paths, const struct lc_guest_record *rec)
{
	struct lc_guest_record *now = malloc(sizeof(*now));
	virConnectPtr conn;
	virDomainPtr dom;
	bool recorded;

	if (!now)
		return false;
	recorded = lc_guest_record_load(paths->runstate_dir, rec->name, now) == 0 &&
		   !strcmp(now->uuid, rec->uuid);
	free(now);
	if (recorded)
		return false;
	/* no record is also what a full /run leaves of a running guest:
	 * libvirt says which (it answers once a stop in progress is done) */
	if (!(conn = host_connect(rec->driver)))
		return false;
	dom = host_domain_running(conn, rec->uuid, rec->name);
	if (dom)
		virDomainFree(dom);
	virConnectClose(conn);
	return !dom;
}

void hook_dns_settle(const struct lc_paths *paths, const struct lc_config *cfg,
		     const struct lc_guest_record *rec, const char *who)
{
	char msg[DDNS_ERR_MAX + 64];

	if (!guest_gone(paths, rec))
		return;
	ddns_event(cfg, DDNS_OP_WITHDRAW, rec, NULL, 0, msg, sizeof(msg));
	hook_log(LOG_INFO, "%s %s %s: stopped while its names were published: %s", rec->driver,
		 rec->name, who, msg);
}

/* Cluster DNS for a guest's event (nothing when dns_server is unset): one
 * try, logged; the status, for cluster_dns_retry. */
static int cluster_dns(const struct hook_work *w, enum ddns_op op, const struct host_lease *leases,
		       size_t n)
{
	char msg[DDNS_ERR_MAX + 64];
	int st = ddns_event(&w->config, op, &w->rec, leases, n, msg, sizeof(msg));

	if (st == -ENODATA && !w->config.dns_server)
		return st;
	hook_log(st == DDNS_DONE || st == DDNS_NOT_OURS ? LOG_INFO : LOG_WARNING,
		 "%s %s worker: %s", w->rec.driver, w->rec.name, msg);
	if (op == DDNS_OP_PUBLISH && st == DDNS_DONE)
		hook_dns_settle(&w->paths, &w->config, &w->rec, "worker");
	return st;
}

/* An update that had to be spooled is tried again here, with backoff
 * (30 s, then doubling): last in a worker, since it may keep it minutes. */
static void cluster_dns_retry(const struct hook_work *w, int st)
{
	if (st == DDNS_RETRY || st == DDNS_MISCONFIGURED)
		ddns_event_retry(&w->config, w->rec.name, 5, log_ddns_retry, NULL);
}
#endif

/* What follows the lease line of a started guest: cluster DNS, its ssh
 * host keys, then cluster DNS's retries.  Takes conn (may be NULL) and
 * closes it. */
static void worker_started_tail(struct hook_work *w, virConnectPtr conn,
				const struct host_lease *leases, size_t n_leases)
{
	const struct lc_guest_record *rec = &w->rec;
	char keys[256];
#ifdef HAVE_LDNS
	/* before the host keys: a guest without sshd is asked for them for
	 * 8 s (lxc) or 2 min (qemu), and its name must not wait for that */
	int dns = n_leases ? cluster_dns(w, DDNS_OP_PUBLISH, leases, n_leases) : -ENODATA;
#else
	(void)leases;
	(void)n_leases;
#endif

	/* after the lease line: waiting for sshd's keys must not hold it up */
	if (!conn && strcmp(rec->driver, "lxc") != 0) /* lxc: read from its root */
		conn = host_connect(rec->driver);
	hook_worker_hostkeys(conn, w, keys, sizeof(keys));
	hook_log(LOG_INFO, "%s %s worker: %s", rec->driver, rec->name, keys + 2);
	if (conn)
		virConnectClose(conn);
#ifdef HAVE_LDNS
	cluster_dns_retry(w, dns);
#endif
}

void hook_worker_started(void *p)
{
	struct hook_work *w = p;
	struct lc_guest_record *rec = &w->rec;
	const char *drv = rec->driver;
	bool watched[HOST_MAX_NICS] = {false}, missing[HOST_MAX_NICS];
	struct host_lease *leases = calloc(HOST_MAX_LEASES, sizeof(*leases));
	size_t n_leases = 0, n_watched = 0, n_missing;
	virConnectPtr conn = NULL;
	char renew[512] = "", dns[512] = "";
	int tries = 0;

	hook_log_open(w->config.debug);
	if (!leases)
		return;
	/* Discovery in a process of its own, from the start: a NIC on a host
	 * bridge or macvtap never gets a lease here, and a static or SLAAC
	 * address is there long before renew_after; NICs that get their lease
	 * drop out of it on their own (hooks/discover.c). */
	if (rec->n_nics) {
		pid_t dp = fork();
		if (dp == 0) {
			hook_discover_guest(w);
			_exit(0);
		}
		if (dp < 0)
			hook_log(LOG_WARNING, "%s %s worker: cannot start discovery: %s",
				 rec->driver, rec->name, strerror(errno));
	}
	for (size_t i = 0; i < rec->n_nics; i++) {
		char br[64];
		watched[i] = hook_nic_watched(&w->paths, &w->rec.nics[i], br, sizeof(br));
		n_watched += watched[i];
	}

	n_missing = wait_leases(w, watched, missing, leases, &n_leases,
				(unsigned)(w->config.renew_after > 0 ? w->config.renew_after : 0));
	while (n_missing && tries < w->config.renew_tries) {
		tries++;
		if (!conn && !(conn = host_connect(drv))) {
			snprintf(renew, sizeof(renew), "; cannot connect to %s to renew DHCP: %s",
				 host_uri(drv), host_virt_error());
			break;
		}
		size_t ran = 0;
		bool later = false;
		for (size_t i = 0; i < rec->n_nics; i++) {
			if (!missing[i])
				continue;
			char what[256] = "";
			int r = renew_nic(conn, w, i, what, sizeof(what));
			if (r == 0)
				ran++;
			snprintf(renew, sizeof(renew), "; DHCP renewal try %d/%d: %s", tries,
				 w->config.renew_tries, what);
			if (r == -EOPNOTSUPP || r == -ESRCH)
				tries =
				    w->config.renew_tries; /* no agent / no guest: give up now */
			later |= r == -EAGAIN;
		}
		/* after a run, the lease takes a moment; an agent that does not
		 * answer yet gets renew_after more seconds of boot (the guest's
		 * own DHCP client may take its lease meanwhile) */
		unsigned wait =
		    ran	    ? 10
		    : later ? (unsigned)(w->config.renew_after > 0 ? w->config.renew_after : 1)
			    : 0;
		n_missing = wait_leases(w, watched, missing, leases, &n_leases, wait);
	}

	if (n_leases) {
		unsigned added = 0, kept = 0;
		if (!conn)
			conn = host_connect(drv);
		if (!conn)
			snprintf(dns, sizeof(dns), "; DNS not updated: cannot connect to %s: %s",
				 host_uri(drv), host_virt_error());
		else
			host_dns_register(conn, rec, leases, n_leases, &added, &kept, dns,
					  sizeof(dns));
	}

	if (n_watched == 0) {
		hook_debug("%s %s: no NIC on a libvirt DHCP network", rec->driver, rec->name);
	} else {
		char first[64] = "-";
		if (n_leases)
			lc_addr_format(&leases[0].addr, first, sizeof(first));
		hook_log(n_missing ? LOG_WARNING : LOG_INFO,
			 "%s %s worker: %zu/%zu NIC%s leased%s%s%s%s", rec->driver, rec->name,
			 n_watched - n_missing, n_watched, n_watched == 1 ? "" : "s",
			 n_leases ? ", first address " : "", n_leases ? first : "", renew, dns);
	}
	worker_started_tail(w, conn, leases, n_leases);
	free(leases);
}

void hook_worker_stopped(void *p)
{
	struct hook_work *w = p;
	const char *drv = w->rec.driver;
	virConnectPtr conn;
	unsigned removed = 0;
	char msg[256] = "";

	hook_log_open(w->config.debug);
#ifdef HAVE_LDNS
	/* the names it had at the server: its leases may be gone already */
	int dns = cluster_dns(w, DDNS_OP_WITHDRAW, NULL, 0);
#endif
	conn = host_connect(drv);
	if (!conn) {
		hook_log(LOG_WARNING,
			 "%s %s worker: cannot connect to %s to remove DNS entries: %s",
			 w->rec.driver, w->rec.name, host_uri(drv), host_virt_error());
	} else {
		host_dns_unregister(conn, &w->rec, &removed, msg, sizeof(msg));
		if (removed || msg[0])
			hook_log(msg[0] ? LOG_WARNING : LOG_INFO,
				 "%s %s worker: %u DNS entr%s removed%s", w->rec.driver,
				 w->rec.name, removed, removed == 1 ? "y" : "ies", msg);
		else
			hook_debug("%s %s worker: no DNS entries to remove", w->rec.driver,
				   w->rec.name);
		virConnectClose(conn);
	}
#ifdef HAVE_LDNS
	/* last: the dns-host entries must not wait for a server that is down */
	cluster_dns_retry(w, dns);
#endif
}
