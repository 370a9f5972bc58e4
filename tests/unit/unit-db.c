/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The db tests' helpers (tests/unit/db_test_util.h): a private world per
 * test, files written as libvirt writes them, and lookups that check the
 * cold path and the in-order search against the full db on every call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tests/unit/db_test_util.h"

bool db_cold_filtered_only;

int db_setup(void **state)
{
	struct dbt *t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	if (unit_world_new(&t->root, &t->lease, &t->run, &t->paths) < 0)
		return -1;
	*state = t;
	return 0;
}

int db_teardown(void **state)
{
	struct dbt *t = *state;
	lc_db_free(t->db);
	lc_db_free(t->db_maps);
	unit_world_free(t->root, t->lease, t->run);
	free(t);
	return 0;
}

void load(struct dbt *t, int64_t now)
{
	lc_db_free(t->db);
	lc_db_free(t->db_maps);
	t->db = t->db_maps = NULL;
	assert_int_equal(lc_db_load(&t->paths, now, &t->db), 0);
	assert_non_null(t->db);
	lc_db_linear_max = 0;
	assert_int_equal(lc_db_load(&t->paths, now, &t->db_maps), 0);
	lc_db_linear_max = LC_DB_LINEAR_MAX;
	t->now = now;
}

const char *str_or_null(const char *s)
{
	return s ? s : "(null)";
}

/* One line describing everything a lookup answers: the status, the host,
 * every address with what the ranking says about it, every alias. */
static void describe(const struct lc_db *db, const char *name, int family, char *out, size_t size)
{
	struct lc_match m;
	enum lc_lookup r = lc_db_lookup_name(db, name, family, &m);
	size_t off = 0;

#define PUT(...) off += (size_t)snprintf(out + off, off < size ? size - off : 0, __VA_ARGS__)
	PUT("status=%d", (int)r);
	if (r == LC_FOUND || r == LC_NODATA) {
		const struct lc_host *h = m.host;
		PUT(" host=%s guest=%d driver=%s cluster=%s group=%s running=%d domain=%s only=%d",
		    h->name, h->guest, str_or_null(h->driver), str_or_null(h->cluster),
		    str_or_null(h->group), h->running, str_or_null(m.domain), m.only_idx);
		for (size_t i = 0; i < h->n_addrs; i++) {
			const struct lc_host_addr *a = &h->addrs[i];
			char buf[64];
			lc_addr_format(&a->addr, buf, sizeof(buf));
			PUT(" [%s%s net=%s br=%s dom=%s mac=%s class=%d rule=%d nic=%d pref=%d "
			    "exp=%lld]",
			    lc_match_addr(&m, i) ? "*" : "", buf, str_or_null(a->network),
			    str_or_null(a->bridge), str_or_null(a->domain), a->mac_str,
			    (int)a->klass, (int)a->rule, a->nic_index, a->prefer_index,
			    (long long)a->expiry);
		}
		for (size_t i = 0; i < h->n_aliases; i++)
			PUT(" alias=%s", h->aliases[i]);
	}
#undef PUT
}

/* The cold path (a db loaded for one name only) must answer that name
 * exactly as the full db does: checked on every lookup of these tests, both
 * ways it runs: filtered (as in a big lab: whole parses off) and as a small
 * lab takes it (a hit parses the files whole). */
static void check_cold(struct dbt *t, const char *name, int family)
{
	static const size_t ways[] = {0, LC_DB_WHOLE_MAX};
	size_t from = t->whole_only ? 1 : 0, to = 2;
	if (db_cold_filtered_only)
		to = 1; /* test_db_xfail: the known failures are the filtered path's */
	for (size_t w = from; w < to; w++) {
		struct lc_db *cold = NULL;
		char full_s[8192], cold_s[8192];

		lc_db_whole_max = ways[w];
		assert_int_equal(lc_db_load_tracked(&t->paths, t->now, name, NULL, NULL, &cold), 0);
		lc_db_whole_max = LC_DB_WHOLE_MAX;
		describe(t->db, name, family, full_s, sizeof(full_s));
		describe(cold, name, family, cold_s, sizeof(cold_s));
		lc_db_free(cold);
		if (strcmp(full_s, cold_s) != 0)
			fail_msg("cold path (whole max %zu) differs for \"%s\":\n full: %s\n cold: "
				 "%s",
				 ways[w], name, full_s, cold_s);
	}
}

/* A small db searched in order (db->linear) answers as the maps do: the
 * name, and every address of every host by reverse lookup. */
static void check_linear(struct dbt *t, const char *name, int family)
{
	char lin[8192], maps[8192];

	if (!t->db_maps)
		return; /* a db this test loaded itself */
	describe(t->db, name, family, lin, sizeof(lin));
	describe(t->db_maps, name, family, maps, sizeof(maps));
	if (strcmp(lin, maps) != 0)
		fail_msg("in order and by the maps differ for \"%s\":\n maps: %s\n in order: %s",
			 name, maps, lin);
	for (size_t i = 0; i < lc_db_n_hosts(t->db); i++) {
		const struct lc_host *h = lc_db_host(t->db, i);
		for (size_t k = 0; k < h->n_addrs; k++) {
			const struct lc_host *a = NULL, *b = NULL;
			enum lc_lookup ra = lc_db_lookup_addr(t->db, &h->addrs[k].addr, &a);
			enum lc_lookup rb = lc_db_lookup_addr(t->db_maps, &h->addrs[k].addr, &b);
			assert_int_equal(ra, rb);
			if (ra == LC_FOUND)
				assert_string_equal(a->name, b->name);
		}
	}
}

/* Look name up; the matched addresses, in order, space-separated, go to out. */
enum lc_lookup lookup(struct dbt *t, const char *name, int family, char out[512],
		      const struct lc_host **ret_host)
{
	struct lc_match m;
	enum lc_lookup r = lc_db_lookup_name(t->db, name, family, &m);

	check_cold(t, name, family);
	check_linear(t, name, family);
	out[0] = '\0';
	if (r == LC_FOUND)
		unit_match_addrs(&m, out, 512);
	if (ret_host)
		*ret_host = r == LC_FOUND || r == LC_NODATA ? m.host : NULL;
	return r;
}

static const char *lookup_name(enum lc_lookup r)
{
	static const char *n[] = {"FOUND", "NOTFOUND", "NODATA", "UNAVAIL"};
	return (unsigned)r < 4 ? n[r] : "?";
}

/* name resolves (family AF_UNSPEC) to exactly these addresses, in order. */
const struct lc_host *expect(struct dbt *t, const char *name, int family, const char *addrs)
{
	char out[512];
	const struct lc_host *h = NULL;
	enum lc_lookup r = lookup(t, name, family, out, &h);
	if (r != LC_FOUND)
		fail_msg("%s: %s, expected FOUND %s", name, lookup_name(r), addrs);
	if (strcmp(out, addrs) != 0)
		fail_msg("%s: \"%s\", expected \"%s\"", name, out, addrs);
	return h;
}

void expect_status(struct dbt *t, const char *name, int family, enum lc_lookup want)
{
	char out[512];
	enum lc_lookup r = lookup(t, name, family, out, NULL);
	if (r != want)
		fail_msg("%s: %s (%s), expected %s", name, lookup_name(r), out, lookup_name(want));
}

const struct lc_host *expect_addr(struct dbt *t, const char *ip, enum lc_lookup want)
{
	struct lc_addr a;
	const struct lc_host *h = NULL;
	assert_int_equal(lc_addr_parse(ip, strlen(ip), &a), 0);
	enum lc_lookup r = lc_db_lookup_addr(t->db, &a, &h);
	if (r != want)
		fail_msg("reverse %s: %s, expected %s", ip, lookup_name(r), lookup_name(want));
	return r == LC_FOUND ? h : NULL;
}

void write_status(struct dbt *t, const char *bridge, const struct lease *l, size_t n)
{
	char name[128], *buf = malloc(65536);
	size_t off = 0;

	assert_non_null(buf);
	off += (size_t)snprintf(buf + off, 65536 - off, "[");
	for (size_t i = 0; i < n; i++) {
		off +=
		    (size_t)snprintf(buf + off, 65536 - off, "%s\n  {\n    \"ip-address\": \"%s\"",
				     i ? "," : "", l[i].ip);
		if (l[i].mac)
			off += (size_t)snprintf(buf + off, 65536 - off,
						",\n    \"mac-address\": \"%s\"", l[i].mac);
		if (l[i].hostname)
			off += (size_t)snprintf(buf + off, 65536 - off,
						",\n    \"hostname\": \"%s\"", l[i].hostname);
		if (l[i].expiry)
			off +=
			    (size_t)snprintf(buf + off, 65536 - off, ",\n    \"expiry-time\": %lld",
					     (long long)l[i].expiry);
		off += (size_t)snprintf(buf + off, 65536 - off, "\n  }");
	}
	off += (size_t)snprintf(buf + off, 65536 - off, "\n]\n");
	snprintf(name, sizeof(name), "%s.status", bridge);
	unit_write(t->lease, name, buf, off);
	free(buf);
}

/* Write <bridge>.macs with the given JSON text as it is. */
void write_macs(struct dbt *t, const char *bridge, const char *json)
{
	char name[128];
	snprintf(name, sizeof(name), "%s.macs", bridge);
	unit_write(t->lease, name, json, (size_t)-1);
}

void write_conf(struct dbt *t, const char *net, const char *bridge, const char *domain,
		bool isolated)
{
	char name[128];
	snprintf(name, sizeof(name), "%s.conf", net);
	unit_writef(t->lease, name,
		    "## dnsmasq conf file created by libvirt\nstrict-order\n%s%s%s"
		    "except-interface=lo\nbind-dynamic\ninterface=%s\n%s"
		    "dhcp-range=192.168.150.10,192.168.150.99,255.255.255.0\n",
		    domain ? "domain=" : "", domain ? domain : "", domain ? "\n" : "", bridge,
		    isolated ? "dhcp-option=3\n" : "");
}

void copy_fixtures(struct dbt *t)
{
	static const char *files[] = {"isonet.addnhosts", "isonet.conf",      "isonet.hostsfile",
				      "labnet.addnhosts", "labnet.conf",      "labnet.hostsfile",
				      "virbr-iso.macs",	  "virbr-iso.status", "virbr-lab.macs",
				      "virbr-lab.status"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char rel[128];
		snprintf(rel, sizeof(rel), "libvirt-9.0/dnsmasq/%s", files[i]);
		unit_copy_fixture(rel, t->lease, files[i]);
	}
}

/* The node1 of the design: an isolated NIC first in the XML, a NAT one
 * second, and the isolated lease is the newer one. */
void node1_world(struct dbt *t)
{
	write_conf(t, "ext", "virbr-ext", "lab.test", false);
	write_conf(t, "int", "virbr-int", "int.test", true);
	write_macs(t, "virbr-ext",
		   "[{\"domain\": \"node1\", \"macs\": [\"52:54:00:15:00:01\"]}, "
		   "{\"domain\": \"node2\", \"macs\": [\"52:54:00:15:00:02\"]}]");
	write_macs(t, "virbr-int", "[{\"domain\": \"node1\", \"macs\": [\"52:54:00:16:00:01\"]}]");
	const struct lease ext[] = {
	    {"192.168.150.10", "52:54:00:15:00:01", "node1", NOW + 1000},
	    {"192.168.150.11", "52:54:00:15:00:02", "node2", NOW + 1000},
	};
	const struct lease in[] = {
	    {"192.168.160.55", "52:54:00:16:00:01", "node1", NOW + 3000},
	};
	write_status(t, "virbr-ext", ext, 2);
	write_status(t, "virbr-int", in, 1);
}

void node1_record(struct dbt *t)
{
	unit_write(t->run, "guest-node1.rec",
		   "libvirt-cluster record 1\nkind guest\nname node1\ndriver lxc\ncluster lab\n"
		   "group WEB\n"
		   "nic 52:54:00:16:00:01 int virbr-int\n"
		   "nic 52:54:00:15:00:01 ext virbr-ext\n",
		   (size_t)-1);
}

/* node5: a NIC on virbr-ext and one on virbr-int, plugged in, no .conf. */
void node5_world(struct dbt *t)
{
	write_macs(t, "virbr-ext", "[{\"domain\": \"node5\", \"macs\": [\"52:54:00:15:00:05\"]}]");
	write_macs(t, "virbr-int", "[{\"domain\": \"node5\", \"macs\": [\"52:54:00:16:00:05\"]}]");
	const struct lease e[] = {{"192.168.150.5", "52:54:00:15:00:05", "node5", NOW + 10}};
	const struct lease i[] = {{"10.0.0.5", "52:54:00:16:00:05", "node5", NOW + 20}};
	write_status(t, "virbr-ext", e, 1);
	write_status(t, "virbr-int", i, 1);
}
