/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Discovered addresses (a guest record's addr lines) in the db: found by
 * name and by address, ranked with the leases by the one rank function, a
 * host-bridge or macvtap NIC external, a live lease of the same NIC and
 * family winning, and the cold path answering as the full db does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "resolver/lease.h"
#include "resolver/resolver.h"
#include "tests/unit/unit.h"

#define NOW INT64_C(1795000000)

struct world {
	char *root, *lease, *run;
	struct lc_paths paths;
	struct lc_db *db;
};

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	if (!w || unit_world_new(&w->root, &w->lease, &w->run, &w->paths) < 0)
		return -1;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	lc_db_free(w->db);
	unit_world_free(w->root, w->lease, w->run);
	free(w);
	return 0;
}

/* "ADDR/SOURCE/CLASS/NIC ..." of what a lookup of name matches, in order,
 * or "status N" when it finds nothing. */
static void answer(const struct lc_db *db, const char *name, int family, char *out, size_t size)
{
	struct lc_match m;
	enum lc_lookup r = lc_db_lookup_name(db, name, family, &m);
	size_t off = 0;

	out[0] = '\0';
	if (r != LC_FOUND) {
		snprintf(out, size, "status %d", (int)r);
		return;
	}
	for (size_t i = 0; i < m.host->n_addrs && off < size; i++) {
		const struct lc_host_addr *a = &m.host->addrs[i];
		char ip[64];
		if (!lc_match_addr(&m, i))
			continue;
		off += (size_t)snprintf(out + off, size - off, "%s%s/%s/%s/%d/%lld/%s",
					off ? " " : "", lc_addr_format(&a->addr, ip, sizeof(ip)),
					lc_source_name(a->source), lc_class_name(a->klass),
					a->nic_index, (long long)a->seen, a->network);
	}
}

/* name gives want, from the full db and from the cold path alike. */
static void expect(struct world *w, const char *name, int family, const char *want)
{
	struct lc_db *cold = NULL;
	char full_s[2048], cold_s[2048];

	lc_db_free(w->db);
	w->db = NULL;
	assert_int_equal(lc_db_load(&w->paths, NOW, &w->db), 0);
	assert_int_equal(lc_db_load_tracked(&w->paths, NOW, name, NULL, NULL, &cold), 0);
	answer(w->db, name, family, full_s, sizeof(full_s));
	answer(cold, name, family, cold_s, sizeof(cold_s));
	lc_db_free(cold);
	if (strcmp(full_s, want))
		fail_msg("%s: \"%s\", expected \"%s\"", name, full_s, want);
	if (strcmp(cold_s, want))
		fail_msg("%s (cold): \"%s\", expected \"%s\"", name, cold_s, want);
}

static const struct lc_host *reverse(struct world *w, const char *ip)
{
	struct lc_addr a;
	const struct lc_host *h = NULL;
	assert_int_equal(lc_addr_parse(ip, strlen(ip), &a), 0);
	return lc_db_lookup_addr(w->db, &a, &h) == LC_FOUND ? h : NULL;
}

static void net_record(struct world *w, const char *name, const char *bridge, const char *klass,
		       const char *domain)
{
	char file[128];
	snprintf(file, sizeof(file), "net-%s.rec", name);
	unit_writef(w->run, file,
		    "libvirt-cluster record 1\nkind network\nname %s\nbridge %s\nclass %s\n%s%s%s",
		    name, bridge, klass, domain ? "domain " : "", domain ? domain : "",
		    domain ? "\n" : "");
}

static void test_bridged_guest(void **state)
{
	struct world *w = *state;

	/* a NIC on the host bridge br-lan, nothing in the lease dir */
	unit_write(w->run, "guest-lan1.rec",
		   "libvirt-cluster record 1\nkind guest\nname lan1\ndriver lxc\n"
		   "nic 52:54:00:1c:00:55 - br-lan\n"
		   "addr 52:54:00:1c:00:55 fd00:50::55 netns 1794999000\n"
		   "addr 52:54:00:1c:00:55 192.168.50.55 netns 1794999001\n"
		   "dropped 52:54:00:1c:00:55 8.8.8.8 netns 1794999000\n",
		   (size_t)-1);
	expect(w, "lan1", AF_UNSPEC,
	       "192.168.50.55/netns/external/0/1794999001/br-lan "
	       "fd00:50::55/netns/external/0/1794999000/br-lan");
	expect(w, "lan1", AF_INET6, "fd00:50::55/netns/external/0/1794999000/br-lan");
	expect(w, "LAN1.", AF_INET, "192.168.50.55/netns/external/0/1794999001/br-lan");
	/* by address, too; a dropped address is nobody's */
	const struct lc_host *h = reverse(w, "192.168.50.55");
	assert_non_null(h);
	assert_string_equal(h->name, "lan1");
	assert_true(h->running);
	assert_non_null(reverse(w, "fd00:50::55"));
	assert_null(reverse(w, "8.8.8.8"));
	/* an addr line for a MAC the record has no NIC for says nothing */
	unit_write(w->run, "guest-lan2.rec",
		   "libvirt-cluster record 1\nkind guest\nname lan2\n"
		   "nic 52:54:00:1c:00:56 - br-lan\n"
		   "addr 52:54:00:1c:00:57 192.168.50.57 agent 1794999000\n",
		   (size_t)-1);
	expect(w, "lan2", AF_UNSPEC, "status 2");
	/* the guest stops: its record goes, and with it every address */
	char *rec = unit_path(w->run, "guest-lan1.rec");
	unit_rmrf(rec);
	free(rec);
	expect(w, "lan1", AF_UNSPEC, "status 1");
}

static void test_lease_wins(void **state)
{
	struct world *w = *state;

	/* node on the libvirt network ext: a lease for IPv4, a static IPv4
	 * the guest also set, and a SLAAC IPv6 address */
	net_record(w, "ext", "virbr-ext", "external", "lab.test");
	unit_writef(w->lease, "virbr-ext.status",
		    "[\n  {\n    \"ip-address\": \"192.168.150.10\",\n"
		    "    \"mac-address\": \"52:54:00:15:00:01\",\n    \"hostname\": \"node\",\n"
		    "    \"expiry-time\": %lld\n  }\n]\n",
		    (long long)(NOW + 1000));
	unit_write(w->run, "guest-node.rec",
		   "libvirt-cluster record 1\nkind guest\nname node\ndriver qemu\n"
		   "nic 52:54:00:15:00:01 ext virbr-ext\n"
		   "addr 52:54:00:15:00:01 192.168.150.99 agent 1794999000\n"
		   "addr 52:54:00:15:00:01 fd00:150::5054:ff:fe15:1 agent 1794999000\n",
		   (size_t)-1);
	expect(w, "node", AF_UNSPEC,
	       "192.168.150.10/lease/external/0/0/ext "
	       "fd00:150::5054:ff:fe15:1/agent/external/0/1794999000/ext");
	/* the network's domain covers the discovered address too */
	expect(w, "node.lab.test", AF_INET6,
	       "fd00:150::5054:ff:fe15:1/agent/external/0/1794999000/ext");
	lc_db_free(w->db);
	assert_int_equal(lc_db_load(&w->paths, NOW, &w->db), 0);
	assert_null(reverse(w, "192.168.150.99"));

	/* the lease expires: the discovered IPv4 address is all there is */
	lc_db_free(w->db);
	assert_int_equal(lc_db_load(&w->paths, NOW + 2000, &w->db), 0);
	struct lc_match m;
	assert_int_equal(lc_db_lookup_name(w->db, "node", AF_INET, &m), LC_FOUND);
	assert_int_equal(m.host->addrs[0].source, LC_SOURCE_AGENT);
	assert_int_equal(m.host->addrs[0].addr.bytes[3], 99);
}

static void test_ranked_with_leases(void **state)
{
	struct world *w = *state;

	/* NIC 0 on an isolated libvirt network, leased; NIC 1 a macvtap NIC
	 * on eth1: the LAN is external, so it comes first */
	net_record(w, "int", "virbr-int", "isolated", NULL);
	unit_writef(
	    w->lease, "virbr-int.status",
	    "[\n  {\n    \"ip-address\": \"10.0.0.5\",\n"
	    "    \"mac-address\": \"52:54:00:16:00:05\",\n    \"expiry-time\": %lld\n  }\n]\n",
	    (long long)(NOW + 1000));
	unit_write(w->run, "guest-mv.rec",
		   "libvirt-cluster record 1\nkind guest\nname mv\ndriver lxc\n"
		   "nic 52:54:00:16:00:05 int virbr-int\n"
		   "nic 52:54:00:1c:00:70 - eth1\n"
		   "addr 52:54:00:1c:00:70 192.168.88.55 netns 1794999100\n",
		   (size_t)-1);
	expect(w, "mv", AF_UNSPEC,
	       "192.168.88.55/netns/external/1/1794999100/eth1 10.0.0.5/lease/isolated/0/0/int");
	lc_db_free(w->db);
	assert_int_equal(lc_db_load(&w->paths, NOW, &w->db), 0);
	struct lc_match m;
	assert_int_equal(lc_db_lookup_name(w->db, "mv", AF_UNSPEC, &m), LC_FOUND);
	assert_int_equal(m.host->addrs[0].rule, LC_RULE_CLASS);

	/* `prefer` names the bridge of a NIC on no libvirt network */
	unit_write(w->root, "libvirt-cluster.conf", "prefer = int\n", (size_t)-1);
	expect(w, "mv", AF_UNSPEC,
	       "10.0.0.5/lease/isolated/0/0/int 192.168.88.55/netns/external/1/1794999100/eth1");
	unit_write(w->root, "libvirt-cluster.conf", "prefer = eth1 int\n", (size_t)-1);
	expect(w, "mv", AF_UNSPEC,
	       "192.168.88.55/netns/external/1/1794999100/eth1 10.0.0.5/lease/isolated/0/0/int");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_bridged_guest),
	    T(test_lease_wins),
	    T(test_ranked_with_leases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
