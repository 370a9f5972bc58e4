/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One guest's discovery: each NIC's trust from the host side and the
 * records, the sources through it, and the merge into the guest record.
 * The netns case enters a real network namespace (root only). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/discover.h"
#include "tests/unit/unit.h"

static struct lc_prefix prefix(const char *s)
{
	struct lc_prefix p;
	assert_int_equal(lc_prefix_parse(s, strlen(s), &p), 0);
	return p;
}

static void mac(const char *s, uint8_t out[LC_MAC_LEN])
{
	assert_int_equal(lc_mac_parse(s, strlen(s), out), 0);
}

static int find(const struct discover_list *l, const char *a)
{
	struct lc_addr want;
	assert_int_equal(lc_addr_parse(a, strlen(a), &want), 0);
	for (size_t i = 0; i < l->n; i++)
		if (l->addrs[i].addr.family == want.family &&
		    !memcmp(l->addrs[i].addr.bytes, want.bytes, 16))
			return (int)i;
	return -1;
}

static bool trusts(const struct discover_trust *t, const char *p)
{
	char buf[80];
	for (size_t i = 0; i < t->n_prefixes; i++)
		if (!strcmp(lc_prefix_format(&t->prefixes[i], buf, sizeof(buf)), p))
			return true;
	return false;
}

struct world {
	char *dir;
	struct discover_nl *host;
	struct lc_guest_record *rec;
	struct lc_config cfg;
	struct host_discover *d;
};

/* lan1: NIC 0 on the host bridge br-lan (host.bin), NIC 1 (the lying
 * guest's MAC) on libvirt network labnet, whose record names its ranges. */
static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	size_t len;
	char *buf;

	assert_non_null(w);
	w->dir = unit_tmpdir();
	w->host = calloc(1, sizeof(*w->host));
	w->rec = calloc(1, sizeof(*w->rec));
	w->d = calloc(1, sizeof(*w->d));
	assert_true(w->host && w->rec && w->d);
	buf = unit_fixture("netlink/host.bin", &len);
	assert_int_equal(discover_nl_parse(buf, len, w->host), 4);
	free(buf);

	struct lc_net_record nr = {0};
	strcpy(nr.name, "labnet");
	strcpy(nr.bridge, "virbr-lab");
	nr.subnets[0] = prefix("192.168.150.0/24");
	nr.subnets[1] = prefix("fd00:150::/64");
	nr.n_subnets = 2;
	assert_int_equal(lc_net_record_write(w->dir, &nr), 0);

	strcpy(w->rec->name, "lan1");
	strcpy(w->rec->driver, "lxc");
	mac("52:54:00:1c:00:60", w->rec->nics[0].mac);
	strcpy(w->rec->nics[0].bridge, "br-lan");
	mac("52:54:00:1c:00:52", w->rec->nics[1].mac);
	strcpy(w->rec->nics[1].network, "labnet");
	w->rec->n_nics = 2;
	lc_config_defaults(&w->cfg);
	w->cfg.discover_prefixes[0] = prefix("10.20.0.0/16");
	w->cfg.n_discover_prefixes = 1;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	unit_rmrf(w->dir);
	free(w->dir);
	free(w->host);
	free(w->rec);
	free(w->d);
	free(w);
	return 0;
}

static void test_prepare(void **state)
{
	struct world *w = *state;
	struct host_discover *d = w->d;

	host_discover_prepare(d, w->rec, NULL, w->dir, &w->cfg, w->host);
	assert_int_equal(d->n_nics, 2);
	assert_true(d->wanted[0] && d->wanted[1]);
	/* br-lan: its addresses and on-link route, and the config's prefix */
	assert_true(d->host_ifindex[0] > 0);
	assert_true(trusts(&d->trust[0], "192.168.50.0/24"));
	assert_true(trusts(&d->trust[0], "fd00:50::/64"));
	assert_true(trusts(&d->trust[0], "10.8.0.0/16"));
	assert_true(trusts(&d->trust[0], "10.20.0.0/16"));
	assert_false(trusts(&d->trust[0], "192.168.150.0/24"));
	assert_int_equal(d->trust[0].n_prefixes, 4);
	/* labnet: its bridge is not here, its record's ranges are */
	assert_int_equal(d->host_ifindex[1], 0);
	assert_true(trusts(&d->trust[1], "192.168.150.0/24"));
	assert_true(trusts(&d->trust[1], "fd00:150::/64"));
	assert_true(trusts(&d->trust[1], "10.20.0.0/16"));
	assert_int_equal(d->trust[1].n_prefixes, 3);

	/* only what is wanted, without config or records */
	bool want[2] = {false, true};
	host_discover_prepare(d, w->rec, want, NULL, NULL, w->host);
	assert_false(d->wanted[0]);
	assert_int_equal(d->trust[1].n_prefixes, 0);
}

static void test_agent_and_apply(void **state)
{
	struct world *w = *state;
	struct host_discover *d = w->d;
	size_t len, drops;
	char *reply = unit_fixture("qemu-ga/guest-network-get-interfaces.json", &len);

	host_discover_prepare(d, w->rec, NULL, w->dir, &w->cfg, w->host);
	assert_int_equal(host_discover_agent(d, reply, len), 0);
	/* the lying guest on labnet: its two addresses there, not 8.8.8.8,
	 * not docker0's, not loopback or link-local */
	assert_int_equal(d->accepted.n, 2);
	assert_int_equal(find(&d->accepted, "192.168.150.55"), 0);
	assert_int_equal(find(&d->accepted, "fd00:150::55"), 1);
	assert_int_equal(d->dropped.n, 1);
	assert_int_equal(find(&d->dropped, "8.8.8.8"), 0);
	/* NIC 0 has nothing yet */
	assert_false(host_discover_complete(d));

	/* NIC 0's neighbours on br-lan: none have its MAC */
	host_discover_neigh(d, w->host);
	assert_int_equal(d->accepted.n, 2);

	/* into the record: changed, two addr lines, one drop that is news */
	w->rec->seen[0].source = LC_SOURCE_NETNS; /* NIC 0's, not looked for below */
	mac("52:54:00:1c:00:60", w->rec->seen[0].mac);
	assert_int_equal(lc_addr_parse("192.168.50.60", 13, &w->rec->seen[0].addr), 0);
	w->rec->seen[0].seen = 100;
	w->rec->n_seen = 1;
	bool want[2] = {false, true};
	host_discover_prepare(d, w->rec, want, w->dir, &w->cfg, w->host);
	assert_int_equal(host_discover_agent(d, reply, len), 0);
	assert_true(host_discover_complete(d));
	assert_true(host_discover_apply(d, w->rec, 1000, &drops));
	assert_int_equal(drops, 1);
	assert_int_equal(w->rec->n_seen, 3);
	assert_int_equal(w->rec->seen[0].seen, 100); /* NIC 0's line stays */
	assert_int_equal(w->rec->seen[1].seen, 1000);
	assert_int_equal(w->rec->seen[1].source, LC_SOURCE_AGENT);
	assert_int_equal(w->rec->n_dropped, 1);

	/* the same again, later: nothing changes, first-seen times stay */
	assert_false(host_discover_apply(d, w->rec, 2000, &drops));
	assert_int_equal(drops, 0);
	assert_int_equal(w->rec->seen[1].seen, 1000);

	/* the guest moved: its old address goes, the new one is seen now */
	d->accepted.n = 1;
	assert_int_equal(lc_addr_parse("192.168.150.56", 14, &d->accepted.addrs[0].addr), 0);
	assert_true(host_discover_apply(d, w->rec, 3000, NULL));
	assert_int_equal(w->rec->n_seen, 2);
	assert_int_equal(w->rec->seen[1].addr.bytes[3], 56);
	assert_int_equal(w->rec->seen[1].seen, 3000);
	free(reply);
}

static void test_neigh(void **state)
{
	struct world *w = *state;
	struct host_discover *d = w->d;

	/* the MAC whose neighbours host.bin holds, on br-lan */
	mac("52:54:00:1c:00:52", w->rec->nics[0].mac);
	mac("52:54:00:1c:00:61", w->rec->nics[1].mac);
	host_discover_prepare(d, w->rec, NULL, w->dir, &w->cfg, w->host);
	host_discover_neigh(d, w->host);
	assert_int_equal(d->accepted.n, 3);
	assert_true(find(&d->accepted, "192.168.50.77") >= 0);
	assert_true(find(&d->accepted, "192.168.50.78") >= 0);
	assert_true(find(&d->accepted, "fd00:50::77") >= 0);
	assert_int_equal(d->accepted.addrs[0].source, LC_SOURCE_NEIGH);
}

/* A child in a network namespace of its own set up as the lying guest
 * (tests/fixtures/lying-guest-net.sh); -1 when this process may not make one. */
static pid_t lying_guest(void)
{
	int p[2];
	char c;
	pid_t pid;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char cmd[4096];
		if (unshare(CLONE_NEWNET) < 0)
			_exit(77);
		snprintf(cmd, sizeof(cmd), "sh -e %s/lying-guest-net.sh >/dev/null 2>&1",
			 getenv("LC_FIXTURES") ? getenv("LC_FIXTURES") : UNIT_FIXTURES);
		if (system(cmd) != 0)
			_exit(78);
		if (write(p[1], "k", 1) != 1)
			_exit(79);
		pause();
		_exit(0);
	}
	close(p[1]);
	ssize_t n = read(p[0], &c, 1);
	close(p[0]);
	if (n != 1) {
		int st;
		waitpid(pid, &st, 0);
		return -1;
	}
	return pid;
}

static void test_netns(void **state)
{
	struct world *w = *state;
	struct host_discover *d = w->d;
	struct stat before, after;
	pid_t guest = -1;

	if (geteuid() != 0 || (guest = lying_guest()) < 0)
		skip(); /* needs CAP_SYS_ADMIN and ip(8) */
	assert_int_equal(stat("/proc/self/ns/net", &before), 0);
	host_discover_prepare(d, w->rec, NULL, w->dir, &w->cfg, w->host);
	assert_int_equal(host_discover_netns(d, guest, 5000), 0);
	assert_int_equal(stat("/proc/self/ns/net", &after), 0);
	/* the caller never left its namespace */
	assert_int_equal(before.st_ino, after.st_ino);
	assert_int_equal(d->accepted.n, 2);
	assert_true(find(&d->accepted, "192.168.150.55") >= 0);
	assert_true(find(&d->accepted, "fd00:150::55") >= 0);
	assert_int_equal(d->accepted.addrs[0].source, LC_SOURCE_NETNS);
	assert_int_equal(find(&d->accepted, "172.17.0.1"), -1);
	assert_int_equal(find(&d->dropped, "8.8.8.8"), 0);
	assert_int_equal(d->dropped.n, 1);
	kill(guest, SIGKILL);
	assert_int_equal(waitpid(guest, NULL, 0), guest);
	/* gone: no such process */
	assert_int_equal(host_discover_netns(d, guest, 1000), -ESRCH);
}

/* ---- host_discover_run: polling into the record --------------------------- */

struct fake_guest {
	pid_t pid;
	bool stopped; /* what running() says */
	const char *reply;
	int agent_error;
	unsigned agent_calls;
};

static pid_t fg_pid(void *ud)
{
	return ((struct fake_guest *)ud)->pid;
}

static bool fg_running(void *ud)
{
	return !((struct fake_guest *)ud)->stopped;
}

static int fg_agent(void *ud, char **ret)
{
	struct fake_guest *f = ud;
	f->agent_calls++;
	if (f->agent_error)
		return f->agent_error;
	*ret = strdup(f->reply);
	return *ret ? 0 : -ENOMEM;
}

static int fg_leased(void *ud, const struct lc_guest_record *rec, bool *ret)
{
	(void)ud;
	for (size_t i = 0; i < rec->n_nics; i++)
		ret[i] = true;
	return 0;
}

static int fg_dhcp(void *ud, const struct lc_guest_record *rec, bool *ret)
{
	(void)ud;
	for (size_t i = 0; i < rec->n_nics; i++)
		ret[i] = true;
	return 0;
}

static void run_setup(struct world *w, const char *driver, struct lc_paths *paths)
{
	memset(paths, 0, sizeof(*paths));
	snprintf(paths->runstate_dir, sizeof(paths->runstate_dir), "%s", w->dir);
	strcpy(w->rec->driver, driver);
	strcpy(w->rec->uuid, "4a7d0000-0000-4000-8000-000000000001");
	assert_int_equal(lc_guest_record_write(w->dir, w->rec), 0);
}

static void test_run_netns(void **state)
{
	struct world *w = *state;
	struct fake_guest f = {0};
	struct host_discover_guest g = {.init_pid = fg_pid, .running = fg_running, .ud = &f};
	struct host_discover_result res;
	struct lc_guest_record *back = calloc(1, sizeof(*back));
	struct lc_paths paths;
	bool want[2] = {false, true};
	const char *uuid = "4a7d0000-0000-4000-8000-000000000001";

	assert_non_null(back);
	if (geteuid() != 0 || (f.pid = lying_guest()) < 0) {
		free(back);
		skip();
	}
	run_setup(w, "lxc", &paths);
	assert_int_equal(host_discover_run(&paths, &w->cfg, "lan1", uuid, want, &g, 2, &res), 0);
	assert_true(res.complete);
	assert_false(res.gone);
	assert_int_equal(res.rounds, 1);
	assert_int_equal(res.writes, 1);
	assert_int_equal(res.n_found, 2);
	assert_int_equal(res.n_new_drops, 1);
	assert_int_equal(res.drops[0].addr.bytes[0], 8);
	assert_int_equal(lc_guest_record_load(w->dir, "lan1", back), 0);
	assert_int_equal(back->n_seen, 2);
	assert_int_equal(back->seen[0].source, LC_SOURCE_NETNS);
	assert_int_equal(back->n_dropped, 1);
	assert_int_equal(back->n_nics, 2); /* the rest of the record as it was */

	/* again: nothing new, nothing written, no drop logged twice */
	struct stat st1, st2;
	char *path = unit_path(w->dir, "guest-lan1.rec");
	assert_int_equal(stat(path, &st1), 0);
	assert_int_equal(host_discover_run(&paths, &w->cfg, "lan1", uuid, want, &g, 2, &res), 0);
	assert_int_equal(res.writes, 0);
	assert_int_equal(res.n_new_drops, 0);
	assert_int_equal(stat(path, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);

	/* another guest of that name: left alone */
	assert_int_equal(host_discover_run(&paths, &w->cfg, "lan1", "other", want, &g, 2, &res), 0);
	assert_true(res.gone);
	assert_int_equal(res.writes, 0);

	/* the guest stops while its record is written: the record goes */
	assert_int_equal(lc_guest_record_write(w->dir, w->rec), 0); /* no addr lines */
	f.stopped = true;
	assert_int_equal(host_discover_run(&paths, &w->cfg, "lan1", uuid, want, &g, 2, &res), 0);
	assert_true(res.gone);
	assert_int_equal(res.writes, 1);
	assert_int_equal(stat(path, &st1), -1);
	assert_int_equal(errno, ENOENT);
	/* and without a record there is nothing to do */
	assert_int_equal(host_discover_run(&paths, &w->cfg, "lan1", uuid, want, &g, 2, &res), 0);
	assert_true(res.gone);
	assert_int_equal(res.rounds, 0);

	kill(f.pid, SIGKILL);
	assert_int_equal(waitpid(f.pid, NULL, 0), f.pid);
	free(path);
	free(back);
}

static void test_run_agent(void **state)
{
	struct world *w = *state;
	size_t len;
	char *reply = unit_fixture("qemu-ga/guest-network-get-interfaces.json", &len);
	struct fake_guest f = {.reply = reply, .agent_error = -EAGAIN};
	struct host_discover_guest g = {.agent = fg_agent, .running = fg_running, .ud = &f};
	struct host_discover_result res;
	struct lc_guest_record *back = calloc(1, sizeof(*back));
	struct lc_paths paths;
	bool want[2] = {false, true};

	assert_non_null(back);
	run_setup(w, "qemu", &paths);
	/* an agent that does not answer yet: asked at 0, 0.2 and 0.6 s, within 1 s */
	assert_int_equal(host_discover_run(&paths, &w->cfg, "lan1", NULL, want, &g, 1, &res), 0);
	assert_false(res.complete);
	assert_int_equal(res.error, -EAGAIN);
	assert_int_equal(res.writes, 0);
	/* (3 unless this machine is slow enough to lose one) */
	assert_true(res.rounds == 2 || res.rounds == 3);
	assert_int_equal(f.agent_calls, res.rounds);
	/* then it answers */
	f.agent_error = 0;
	assert_int_equal(host_discover_run(&paths, &w->cfg, "lan1", NULL, want, &g, 1, &res), 0);
	assert_true(res.complete);
	assert_int_equal(res.writes, 1);
	assert_int_equal(lc_guest_record_load(w->dir, "lan1", back), 0);
	assert_int_equal(back->n_seen, 2);
	assert_int_equal(back->seen[1].source, LC_SOURCE_AGENT);
	/* on a network that hands out leases, an address found is provisional:
	 * the run goes on for the lease */
	g.dhcp = fg_dhcp;
	assert_int_equal(host_discover_run(&paths, &w->cfg, "lan1", NULL, want, &g, 1, &res), 0);
	assert_false(res.complete);
	assert_true(res.rounds >= 2);
	assert_int_equal(res.n_found, 2);
	g.dhcp = NULL;
	/* every NIC leased: the agent is not even asked, and what was found
	 * before the leases came goes */
	unsigned calls = f.agent_calls;
	g.leased = fg_leased;
	assert_int_equal(host_discover_run(&paths, &w->cfg, "lan1", NULL, NULL, &g, 5, &res), 0);
	assert_true(res.complete);
	assert_int_equal(res.rounds, 1);
	assert_int_equal(res.writes, 1);
	assert_int_equal(f.agent_calls, calls);
	assert_int_equal(lc_guest_record_load(w->dir, "lan1", back), 0);
	assert_int_equal(back->n_seen, 0);
	/* and a record already so is left alone */
	assert_int_equal(host_discover_run(&paths, &w->cfg, "lan1", NULL, NULL, &g, 5, &res), 0);
	assert_int_equal(res.writes, 0);
	g.leased = NULL;
	assert_int_equal(host_discover_run(&paths, &w->cfg, "lan1", NULL, want, &g, 1, &res), 0);
	assert_int_equal(res.writes, 1); /* found again without the leases */
	/* an agent that stops answering is no news: the record stays */
	f.agent_error = -ETIMEDOUT;
	assert_int_equal(host_discover_run(&paths, &w->cfg, "lan1", NULL, want, &g, 0, &res), 0);
	assert_int_equal(res.rounds, 1);
	assert_int_equal(res.writes, 0);
	assert_int_equal(res.n_found, 2);
	assert_int_equal(lc_guest_record_load(w->dir, "lan1", back), 0);
	assert_int_equal(back->n_seen, 2);
	/* one that answers without the NIC's addresses: they are gone */
	f.agent_error = 0;
	f.reply = "{\"return\":[]}";
	assert_int_equal(host_discover_run(&paths, &w->cfg, "lan1", NULL, want, &g, 0, &res), 0);
	assert_int_equal(res.writes, 1);
	assert_int_equal(res.n_found, 0);
	assert_int_equal(lc_guest_record_load(w->dir, "lan1", back), 0);
	assert_int_equal(back->n_seen, 0);
	free(back);
	free(reply);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_prepare), T(test_agent_and_apply), T(test_neigh),
	    T(test_netns),   T(test_run_netns),	      T(test_run_agent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
