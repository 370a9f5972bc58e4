/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * host/ddns: the DHCID against RFC 4701's published examples, every update
 * message against golden wire bytes written out from RFC 2136 (section by
 * section, compression pointers included), the reading of replies and of
 * zone transfers, the key file, and the spool's encoding.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "host/ddns.h"
#include "tests/unit/unit.h"

#define UUID1 "6f1d43a0-5b1c-4a3e-9d52-0c2f5e7a1b01"
/* SHA-256 over 0004 <UUID1> and node1.cluster.test in wire form, with the
 * RFC 4701 header 0002 01 (computed apart from this code, with Python) */
#define DHCID1 "0002018bf371d53a0e7b018d55076e63b2c077e1d9a81f7dcb6d5908c6feefdb1c5131"

/* Hex with spaces and newlines allowed, into a malloc'd buffer. */
static uint8_t *unhex(const char *s, size_t *ret_len)
{
	uint8_t *b = malloc(strlen(s) / 2 + 1);
	size_t n = 0;
	assert_non_null(b);
	for (; *s; s++) {
		if (*s == ' ' || *s == '\n')
			continue;
		unsigned v;
		assert_int_equal(sscanf(s, "%2x", &v), 1);
		b[n++] = (uint8_t)v;
		s++;
	}
	*ret_len = n;
	return b;
}

static void assert_bytes(const uint8_t *got, size_t got_len, const char *want_hex)
{
	size_t n;
	uint8_t *want = unhex(want_hex, &n);
	if (got_len != n || memcmp(got, want, n)) {
		for (size_t i = 0; i < (got_len > n ? got_len : n); i++)
			if (i >= got_len || i >= n || got[i] != want[i]) {
				print_error("first difference at byte %zu (of %zu, want %zu)\n", i,
					    got_len, n);
				break;
			}
	}
	assert_int_equal(got_len, n);
	assert_memory_equal(got, want, n);
	free(want);
}

static void test_dhcid_rfc4701_examples(void **state)
{
	/* RFC 4701 section 3.6: the three published examples */
	static const uint8_t duid[] = {0x00, 0x01, 0x00, 0x06, 0x41, 0x2d, 0xf1,
				       0x66, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06};
	static const uint8_t client_id[] = {0x01, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c};
	static const uint8_t chaddr[] = {0x01, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06};
	static const struct {
		uint16_t type;
		const uint8_t *id;
		size_t len;
		const char *fqdn, *b64;
	} ex[] = {
	    {2, duid, sizeof(duid), "chi6.example.com",
	     "AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA="},
	    {1, client_id, sizeof(client_id), "chi.example.com",
	     "AAEBOSD+XR3Os/0LozeXVqcNc7FwCfQdWL3b/NaiUDlW2No="},
	    {0, chaddr, sizeof(chaddr), "client.example.com",
	     "AAABxLmlskllE0MVjd57zHcWmEH3pCQ6VytcKD//7es/deY="},
	};
	for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		uint8_t d[DDNS_DHCID_LEN];
		assert_int_equal(ddns_dhcid(ex[i].type, ex[i].id, ex[i].len, ex[i].fqdn, d), 0);
		ldns_rdf *rdf = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_B64, sizeof(d), d);
		char *b64 = rdf ? ldns_rdf2str(rdf) : NULL;
		assert_non_null(b64);
		assert_string_equal(b64, ex[i].b64);
		free(b64);
		ldns_rdf_deep_free(rdf);
		/* the name is taken in canonical (lower-case) form */
		char upper[64];
		snprintf(upper, sizeof(upper), "%s", ex[i].fqdn);
		upper[0] = (char)(upper[0] - 32);
		uint8_t d2[DDNS_DHCID_LEN];
		assert_int_equal(ddns_dhcid(ex[i].type, ex[i].id, ex[i].len, upper, d2), 0);
		assert_memory_equal(d, d2, sizeof(d));
	}
}

static void test_dhcid_duid_uuid(void **state)
{
	uint8_t u[16], d[DDNS_DHCID_LEN];
	size_t n;
	assert_int_equal(ddns_uuid_parse(UUID1, u), 0);
	assert_int_equal(ddns_dhcid_uuid(u, "node1.cluster.test", d), 0);
	uint8_t *want = unhex(DHCID1, &n);
	assert_int_equal(n, DDNS_DHCID_LEN);
	assert_memory_equal(d, want, n);
	free(want);
	assert_int_equal(ddns_uuid_parse("6f1d43a0-5b1c-4a3e-9d52-0c2f5e7a1b0", u), -EINVAL);
	assert_int_equal(ddns_uuid_parse("6f1d43a0x5b1c-4a3e-9d52-0c2f5e7a1b01", u), -EINVAL);
	assert_int_equal(ddns_uuid_parse("6f1d43a0-5b1c-4a3e-9d52-0c2f5e7a1b0g", u), -EINVAL);
}

static struct ddns_config conf(void)
{
	struct ddns_config c;
	memset(&c, 0, sizeof(c));
	snprintf(c.zone, sizeof(c.zone), "cluster.test");
	snprintf(c.rev_zones[0], sizeof(c.rev_zones[0]), "250.10.in-addr.arpa");
	snprintf(c.rev_zones[1], sizeof(c.rev_zones[1]), "10.in-addr.arpa");
	c.n_rev_zones = 2;
	snprintf(c.host_id, sizeof(c.host_id), "hv-a");
	snprintf(c.key.name, sizeof(c.key.name), "lc-key");
	snprintf(c.key_file, sizeof(c.key_file), "/etc/libvirt-cluster/dns.key");
	snprintf(c.server_text, sizeof(c.server_text), "192.0.2.53");
	c.ttl = 60;
	return c;
}

static struct ddns_guest guest(void)
{
	struct ddns_guest g;
	memset(&g, 0, sizeof(g));
	snprintf(g.name, sizeof(g.name), "Node1");
	snprintf(g.cluster, sizeof(g.cluster), "lab");
	snprintf(g.group, sizeof(g.group), "WEB");
	assert_int_equal(ddns_uuid_parse(UUID1, g.uuid), 0);
	assert_int_equal(lc_addr_parse("10.250.0.11", 11, &g.addrs[0]), 0);
	assert_int_equal(lc_addr_parse("fd00::11", 8, &g.addrs[1]), 0);
	assert_int_equal(lc_addr_parse("10.250.0.12", 11, &g.addrs[2]), 0);
	g.n_addrs = 3;
	return g;
}

static void test_sets(void **state)
{
	struct ddns_config c = conf();
	struct ddns_guest g = guest();
	struct ddns_set f, r;
	char a[64];

	assert_int_equal(ddns_set_forward(&c, &g, &f), 0);
	assert_string_equal(f.owner, "node1.cluster.test");
	assert_string_equal(f.txt, "libvirt-cluster host=hv-a cluster=lab group=WEB");
	/* dns_addresses = first: the top address of each family */
	assert_int_equal(f.n_addrs, 2);
	assert_string_equal(lc_addr_format(&f.addrs[0], a, sizeof(a)), "10.250.0.11");
	assert_string_equal(lc_addr_format(&f.addrs[1], a, sizeof(a)), "fd00::11");
	c.all_addresses = true;
	assert_int_equal(ddns_set_forward(&c, &g, &f), 0);
	assert_int_equal(f.n_addrs, 3);

	/* the longest reverse zone that holds the name */
	assert_int_equal(ddns_set_reverse(&c, &g, &g.addrs[0], &r), 0);
	assert_string_equal(r.owner, "11.0.250.10.in-addr.arpa");
	assert_string_equal(r.zone, "250.10.in-addr.arpa");
	assert_string_equal(r.ptr, "node1.cluster.test");
	assert_memory_equal(r.dhcid, f.dhcid, DDNS_DHCID_LEN);
	assert_int_equal(ddns_set_reverse(&c, &g, &g.addrs[1], &r), -ENOENT);
	char v6[128];
	assert_int_equal(ddns_reverse_name(&g.addrs[1], v6, sizeof(v6)), 0);
	assert_string_equal(
	    v6, "1.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa");

	char v[64];
	assert_int_equal(ddns_txt_field(f.txt, "group", v, sizeof(v)), 0);
	assert_string_equal(v, "WEB");
	assert_int_equal(ddns_txt_field(f.txt, "grou", v, sizeof(v)), -ENOENT);
	assert_int_equal(ddns_txt_field("someone else host=x", "host", v, sizeof(v)), -ENOENT);

	/* a name with a dot, or too long, is no label */
	snprintf(g.name, sizeof(g.name), "a.b");
	assert_int_equal(ddns_set_forward(&c, &g, &f), -EINVAL);
}

/* Wire form of one step of a set, compared with the golden bytes. */
static void assert_msg(const struct ddns_set *s, enum ddns_step step, const char *hex)
{
	uint8_t *w;
	size_t n;
	assert_int_equal(ddns_msg_wire(s, step, 60, 0x1234, &w, &n), 0);
	assert_bytes(w, n, hex);
	free(w);
}

/* Shared pieces of the golden messages (offsets: the zone name at 12, the
 * owner's first label at 30, so later owners are the pointer c01e). */
#define HDR(pr, up) "1234 2800 0001 " pr " " up " 0000"
#define ZONE_CT "07636c7573746572 0474657374 00 0006 0001"
#define OWNER_FIRST "056e6f646531 c00c"
#define OWNER "c01e"
/* "libvirt-cluster host=hv-a cluster=lab group=WEB": 47 bytes */
#define TXT47                                                                                      \
	"2f 6c6962766972742d636c7573746572 20686f73743d68762d61 20636c75737465723d6c6162 "         \
	"2067726f75703d574542"

static void test_msg_forward(void **state)
{
	struct ddns_config c = conf();
	struct ddns_guest g = guest();
	struct ddns_set f;

	g.n_addrs = 1;
	assert_int_equal(ddns_set_forward(&c, &g, &f), 0);
	/* add: prerequisite NONE ANY (not in use); A, DHCID, TXT */
	assert_msg(&f, DDNS_STEP_ADD,
		   HDR("0001", "0003") ZONE_CT
		       /* prerequisite */
		       OWNER_FIRST " 00ff 00fe 00000000 0000"
		   /* updates */
		   OWNER " 0001 0001 0000003c 0004 0afa000b " OWNER
				   " 0031 0001 0000003c 0023 " DHCID1 " " OWNER
				   " 0010 0001 0000003c 0030 " TXT47);
	/* replace: prerequisite DHCID (value); delete A, AAAA, TXT; add A, TXT */
	assert_msg(&f, DDNS_STEP_REPLACE,
		   HDR("0001", "0005") ZONE_CT OWNER_FIRST
		   " 0031 0001 00000000 0023 " DHCID1 " " OWNER " 0001 00ff 00000000 0000 " OWNER
		   " 001c 00ff 00000000 0000 " OWNER " 0010 00ff 00000000 0000 " OWNER
		   " 0001 0001 0000003c 0004 0afa000b " OWNER " 0010 0001 0000003c 0030 " TXT47);
	/* delete: prerequisites DHCID and TXT (values); delete A, AAAA, TXT, DHCID */
	assert_msg(&f, DDNS_STEP_DELETE,
		   HDR("0002", "0004") ZONE_CT OWNER_FIRST
		   " 0031 0001 00000000 0023 " DHCID1 " " OWNER " 0010 0001 00000000 0030 " TXT47
		   " " OWNER " 0001 00ff 00000000 0000 " OWNER " 001c 00ff 00000000 0000 " OWNER
		   " 0010 00ff 00000000 0000 " OWNER " 0031 00ff 00000000 0000");
}

static void test_msg_reverse(void **state)
{
	struct ddns_config c = conf();
	struct ddns_guest g = guest();
	struct ddns_set r;

	assert_int_equal(ddns_set_reverse(&c, &g, &g.addrs[0], &r), 0);
	/* zone 250.10.in-addr.arpa at 12 (21 bytes), the owner 11.0. + pointer
	 * at 37 (0x25); the PTR target has no suffix earlier in the message */
	assert_msg(&r, DDNS_STEP_ADD,
		   "1234 2800 0001 0001 0003 0000 "
		   "03323530 023130 07696e2d61646472 0461727061 00 0006 0001 "
		   "023131 0130 c00c 00ff 00fe 00000000 0000 "
		   "c025 000c 0001 0000003c 0014 056e6f6465310763 6c75737465720474 65737400 "
		   "c025 0031 0001 0000003c 0023 " DHCID1 " c025 0010 0001 0000003c 0030 " TXT47);
	/* replace and delete name PTR where the forward set names A and AAAA */
	assert_msg(&r, DDNS_STEP_DELETE,
		   "1234 2800 0001 0002 0003 0000 "
		   "03323530 023130 07696e2d61646472 0461727061 00 0006 0001 "
		   "023131 0130 c00c 0031 0001 00000000 0023 " DHCID1
		   " c025 0010 0001 00000000 0030 " TXT47 " c025 000c 00ff 00000000 0000 "
		   "c025 0010 00ff 00000000 0000 c025 0031 00ff 00000000 0000");
}

/* A reply to id with rcode, made from an update's wire form. */
static uint8_t *reply(uint16_t id, int rcode, size_t *ret_len)
{
	struct ddns_config c = conf();
	struct ddns_guest g = guest();
	struct ddns_set f;
	uint8_t *w;
	assert_int_equal(ddns_set_forward(&c, &g, &f), 0);
	assert_int_equal(ddns_msg_wire(&f, DDNS_STEP_ADD, 60, id, &w, ret_len), 0);
	w[2] |= 0x80;
	w[3] = (uint8_t)((w[3] & 0xf0) | rcode);
	return w;
}

static void test_reply_read(void **state)
{
	struct ddns_key key = {.name = "lc-key", .algorithm = "hmac-sha256.", .secret = "AAAA"};
	uint8_t mac[32] = {1};
	struct ddns_reply rep;
	size_t n;
	uint8_t *w = reply(7, LDNS_RCODE_YXDOMAIN, &n);

	assert_int_equal(ddns_reply_read(w, n, 7, NULL, NULL, 0, &rep), 0);
	assert_int_equal(rep.rcode, LDNS_RCODE_YXDOMAIN);
	assert_false(rep.is_signed);
	/* not ours: another id, a query, a short message */
	assert_int_equal(ddns_reply_read(w, n, 8, NULL, NULL, 0, &rep), -EBADMSG);
	assert_int_equal(ddns_reply_read(w, 11, 7, NULL, NULL, 0, &rep), -EBADMSG);
	w[2] &= 0x7f;
	assert_int_equal(ddns_reply_read(w, n, 7, NULL, NULL, 0, &rep), -EBADMSG);
	free(w);
	/* when we signed: an unsigned answer of the rules is refused, an
	 * unsigned error (the server could not check us) is read */
	w = reply(7, LDNS_RCODE_NOERROR, &n);
	assert_int_equal(ddns_reply_read(w, n, 7, &key, mac, sizeof(mac), &rep), -EPERM);
	free(w);
	w = reply(7, LDNS_RCODE_NXRRSET, &n);
	assert_int_equal(ddns_reply_read(w, n, 7, &key, mac, sizeof(mac), &rep), -EPERM);
	free(w);
	w = reply(7, LDNS_RCODE_REFUSED, &n);
	assert_int_equal(ddns_reply_read(w, n, 7, &key, mac, sizeof(mac), &rep), 0);
	assert_int_equal(rep.rcode, LDNS_RCODE_REFUSED);
	free(w);
}

static void test_explain(void **state)
{
	struct ddns_config c = conf();
	struct ddns_reply r = {.rcode = LDNS_RCODE_NOTAUTH, .tsig_error = 16};
	char buf[DDNS_ERR_MAX];

	snprintf(c.key.algorithm, sizeof(c.key.algorithm), "hmac-sha256.");
	ddns_reply_explain(&c, &r, "x", buf, sizeof(buf));
	assert_non_null(strstr(buf, "BADSIG"));
	r.tsig_error = 17;
	ddns_reply_explain(&c, &r, "x", buf, sizeof(buf));
	assert_non_null(strstr(buf, "BADKEY"));
	assert_non_null(strstr(buf, "hmac-sha256)"));
	r.tsig_error = 18;
	ddns_reply_explain(&c, &r, "x", buf, sizeof(buf));
	assert_non_null(strstr(buf, "BADTIME"));
	r = (struct ddns_reply){.rcode = LDNS_RCODE_REFUSED};
	ddns_reply_explain(&c, &r, "x", buf, sizeof(buf));
	assert_non_null(strstr(buf, "update-policy { grant lc-key zonesub ANY; }"));
	r.rcode = 0;
	ddns_reply_explain(&c, &r, "x", buf, sizeof(buf));
	assert_string_equal(buf, "");
}

int test_ddns_zone_main(void);
int test_ddns_files_main(void);

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dhcid_rfc4701_examples),
	    cmocka_unit_test(test_dhcid_duid_uuid),
	    cmocka_unit_test(test_sets),
	    cmocka_unit_test(test_msg_forward),
	    cmocka_unit_test(test_msg_reverse),
	    cmocka_unit_test(test_reply_read),
	    cmocka_unit_test(test_explain),
	};
	int r = cmocka_run_group_tests_name("ddns messages", tests, NULL, NULL);
	r |= test_ddns_zone_main();
	r |= test_ddns_files_main();
	return r;
}
