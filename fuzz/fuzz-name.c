/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The query name, as any program on the host may pass it to the module:
 * lc_name_normalize() and lc_db_lookup_name() over a small fixed db built
 * once from libvirt 9.0 captures (two networks, guests known by .macs, by a
 * hook record and by DHCP hostname only, IPv4 and IPv6).
 *
 * Input: the first byte picks the family (AF_UNSPEC, AF_INET, AF_INET6),
 * the rest is the name.  Inputs of 5 or 17 bytes are also tried as a raw
 * address for lc_db_lookup_addr().
 *
 * Each name is also answered by the cold path (a db loaded for that one
 * name, what a process's first lookups use), which must answer exactly as
 * the full db does: same status, same host, same addresses in the same
 * order.  The files stay in a temp dir for that, removed at exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz/fuzz.h"
#include "resolver/lease.h"
#include "resolver/resolver.h"

static struct lc_db *db;
static struct lc_paths paths;
static char tmpdir[] = "/tmp/lc-fuzz-name.XXXXXX";
#define NOW 1700000000

static const struct {
	const char *name, *content;
} files[] = {
    {"labnet.conf",
     "strict-order\nlocal=/lab.test/\ndomain=lab.test\nexpand-hosts\n"
     "interface=virbr-lab\ndhcp-range=192.168.150.10,192.168.150.99,255.255.255.0\n"},
    {"isonet.conf", "domain=iso.test\ninterface=virbr-iso\ndhcp-option=3\n"},
    {"virbr-lab.macs", "[{\"domain\": \"c2\", \"macs\": [\"52:54:00:15:00:02\"]},\n"
		       " {\"domain\": \"c3\", \"macs\": [\"52:54:00:15:00:03\"]}]\n"},
    {"virbr-iso.macs", "[{\"domain\": \"c2\", \"macs\": [\"52:54:00:16:00:02\"]}]\n"},
    {"virbr-lab.status",
     "[{\"ip-address\": \"192.168.150.10\", \"mac-address\": \"52:54:00:15:00:01\", "
     "\"hostname\": \"c1\", \"expiry-time\": 1795781219},\n"
     " {\"ip-address\": \"192.168.150.11\", \"mac-address\": \"52:54:00:15:00:02\", "
     "\"hostname\": \"c2\", \"expiry-time\": 1795781219},\n"
     " {\"ip-address\": \"fd00:150::11\", \"mac-address\": \"52:54:00:15:00:02\", "
     "\"iaid\": \"1\"},\n"
     " {\"ip-address\": \"192.168.150.12\", \"mac-address\": \"52:54:00:15:00:03\", "
     "\"hostname\": \"c3-host\", \"expiry-time\": 1795781219},\n"
     " {\"ip-address\": \"192.168.150.13\", \"mac-address\": \"52:54:00:aa:00:01\", "
     "\"hostname\": \"c3\", \"expiry-time\": 1795781219},\n"
     " {\"ip-address\": \"192.168.150.40\", \"mac-address\": \"52:54:00:aa:00:02\", "
     "\"hostname\": \"old\", \"expiry-time\": 1000}]\n"},
    {"virbr-iso.status",
     "[{\"ip-address\": \"192.168.160.55\", \"mac-address\": \"52:54:00:16:00:02\", "
     "\"hostname\": \"c2\"},\n"
     " {\"ip-address\": \"192.168.160.56\", \"mac-address\": \"52:54:00:16:00:04\"}]\n"},
    /* a plain dnsmasq lease file, named in the config */
    {"extra.leases", "0 52:54:00:bb:00:01 10.7.0.1 plain1 *\n"
		     "1795781219 52:54:00:bb:00:02 fd00:7::2 plain2 00:01\n"},
};

static const char guest_rec[] = "libvirt-cluster record 1\nkind guest\nname c4\ndriver lxc\n"
				"group WEB\nnic 52:54:00:16:00:04 isonet virbr-iso\n";
static const char config[] = "domains = cluster.test Lab\nprefer = isonet\n"
			     "leases = %s/leases/extra.leases\n";

static void put(const char *dir, const char *name, const char *content)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(write(fd, content, strlen(content)) == (ssize_t)strlen(content));
	close(fd);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
static void cleanup(void)
{
	char cmd[600];
	lc_db_free(db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char conf[1024];

	FUZZ_CHECK(mkdtemp(tmpdir));
	snprintf(paths.lease_dir, sizeof(paths.lease_dir), "%s/leases", tmpdir);
	snprintf(paths.runstate_dir, sizeof(paths.runstate_dir), "%s/run", tmpdir);
	snprintf(paths.config, sizeof(paths.config), "%s/conf", tmpdir);
	FUZZ_CHECK(mkdir(paths.lease_dir, 0755) == 0 && mkdir(paths.runstate_dir, 0755) == 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		put(paths.lease_dir, files[i].name, files[i].content);
	put(paths.runstate_dir, "guest-c4.rec", guest_rec);
	snprintf(conf, sizeof(conf), config, tmpdir);
	put(tmpdir, "conf", conf);
	FUZZ_CHECK(lc_db_load(&paths, NOW, &db) == 0);
	FUZZ_CHECK(lc_db_n_hosts(db) >= 4);
	/* the world is what it says: a guest by .macs, by record, a DHCP-only
	 * client of a plain dnsmasq file, a stopped guest */
	struct lc_match m;
	FUZZ_CHECK(lc_db_lookup_name(db, "c2", AF_UNSPEC, &m) == LC_FOUND);
	FUZZ_CHECK(lc_db_lookup_name(db, "c4", AF_UNSPEC, &m) == LC_FOUND);
	FUZZ_CHECK(lc_db_lookup_name(db, "plain1", AF_UNSPEC, &m) == LC_FOUND);
	FUZZ_CHECK(lc_db_lookup_name(db, "c1", AF_UNSPEC, &m) == LC_NOTFOUND);
	atexit(cleanup);
	return 0;
}

/* The matched addresses of a lookup, in order, as text. */
static void answer_text(enum lc_lookup r, const struct lc_match *m, char *out, size_t size)
{
	size_t len = (size_t)snprintf(out, size, "%d", (int)r);
	if (r != LC_FOUND)
		return;
	len += (size_t)snprintf(out + len, size - len, " %s", m->host->name);
	for (size_t i = 0; i < m->host->n_addrs && len < size; i++) {
		char a[64];
		if (lc_match_addr(m, i))
			len +=
			    (size_t)snprintf(out + len, size - len, " %s",
					     lc_addr_format(&m->host->addrs[i].addr, a, sizeof(a)));
	}
}

/* The cold path answers name as the full db does. */
static void check_cold(const char *name, int family)
{
	struct lc_db *cold;
	struct lc_match m, mc;
	char full_s[2048], cold_s[2048];

	FUZZ_CHECK(lc_db_load_tracked(&paths, NOW, name, NULL, NULL, &cold) == 0);
	answer_text(lc_db_lookup_name(db, name, family, &m), &m, full_s, sizeof(full_s));
	answer_text(lc_db_lookup_name(cold, name, family, &mc), &mc, cold_s, sizeof(cold_s));
	if (strcmp(full_s, cold_s) != 0) {
		fprintf(stderr, "full: %s\ncold: %s\n", full_s, cold_s);
		FUZZ_CHECK(!"the cold path answers as the full db");
	}
	lc_db_free(cold);
}

static void check_normalized(const char *q)
{
	size_t n = strlen(q), label = 0;
	FUZZ_CHECK(n >= 1 && n <= LC_NAME_MAX);
	FUZZ_CHECK(q[0] != '.' && q[n - 1] != '.');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)q[i];
		FUZZ_CHECK(c > 0x20 && c < 0x7f && !(c >= 'A' && c <= 'Z'));
		if (c == '.') {
			FUZZ_CHECK(label > 0);
			label = 0;
		} else {
			FUZZ_CHECK(++label <= LC_LABEL_MAX);
		}
	}
}

static enum lc_lookup lookup(const char *name, int family, struct lc_match *m)
{
	enum lc_lookup r = lc_db_lookup_name(db, name, family, m);
	FUZZ_CHECK(r == LC_FOUND || r == LC_NOTFOUND || r == LC_NODATA);
	if (r != LC_FOUND)
		return r;
	size_t hits = 0;
	FUZZ_CHECK(m->host && m->host->name);
	for (size_t i = 0; i < m->host->n_addrs; i++) {
		if (!lc_match_addr(m, i))
			continue;
		const struct lc_host *back;
		const struct lc_addr *a = &m->host->addrs[i].addr;
		hits++;
		FUZZ_CHECK(family == AF_UNSPEC || a->family == family);
		/* the two indexes agree: the address leads back to the host */
		FUZZ_CHECK(lc_db_lookup_addr(db, a, &back) == LC_FOUND && back == m->host);
	}
	FUZZ_CHECK(hits > 0);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int fams[] = {AF_UNSPEC, AF_INET, AF_INET6};
	char name[1024], upper[1024], q[LC_NAME_MAX + 1];
	struct lc_match m, m2;
	enum lc_lookup r;
	int family;

	if (size < 1 || size > sizeof(name))
		return 0;
	family = fams[data[0] % 3];
	memcpy(name, data + 1, size - 1);
	name[size - 1] = '\0';

	memset(q, 0xa5, sizeof(q));
	if (lc_name_normalize(name, q, sizeof(q)) == 0) {
		check_normalized(q);
		check_cold(name, family);
	}
	r = lookup(name, family, &m);
	/* names compare case-insensitively: the upper-case query answers alike */
	for (size_t i = 0; i < size; i++)
		upper[i] = (name[i] >= 'a' && name[i] <= 'z') ? (char)(name[i] - 32) : name[i];
	FUZZ_CHECK(lookup(upper, family, &m2) == r);
	if (r == LC_FOUND)
		FUZZ_CHECK(m2.host == m.host);

	if (size == 5 || size == 17) {
		struct lc_addr a = {.family = size == 5 ? AF_INET : AF_INET6};
		const struct lc_host *h;
		memcpy(a.bytes, data + 1, size - 1);
		r = lc_db_lookup_addr(db, &a, &h);
		FUZZ_CHECK(r == LC_FOUND || r == LC_NOTFOUND);
		if (r == LC_FOUND)
			FUZZ_CHECK(h->n_addrs > 0);
	}
	return 0;
}
