/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The host layer's cluster-DNS readers (host/ddns-*.c), which take what a
 * DNS server (or anyone who can send it a datagram) sends: the reply to an
 * update (ddns_reply_read, with and without a key), a zone transfer as a
 * stream of length-prefixed messages (ddns_zone_feed), and the files it
 * reads back: the spool (ddns_spool_parse) and the key (ddns_key_parse).
 * The first byte picks the reader.
 */
#include <errno.h>
#include <sys/socket.h>

#include "fuzz/fuzz.h"
#include "host/ddns.h"

static void check_entry(const struct ddns_zone *z, const struct ddns_zone_entry *e)
{
	struct ddns_set s;
	char host[64];

	FUZZ_CHECK(fuzz_printable(e->owner, 255) || !e->owner[0]);
	FUZZ_CHECK(e->txt[0] && ddns_txt_field(e->txt, "host", host, sizeof(host)) == 0);
	FUZZ_CHECK(!strcmp(host, e->host));
	FUZZ_CHECK(e->n_addrs <= DDNS_MAX_ADDRS);
	for (size_t i = 0; i < e->n_addrs; i++)
		FUZZ_CHECK(e->addrs[i].family == AF_INET || e->addrs[i].family == AF_INET6);
	FUZZ_CHECK(strnlen(e->ptr, sizeof(e->ptr)) < sizeof(e->ptr));
	if (ddns_zone_entry_set(z, e, &s) == 0) {
		FUZZ_CHECK(e->has_dhcid && !strcmp(s.txt, e->txt));
		FUZZ_CHECK(!memcmp(s.dhcid, e->dhcid, DDNS_DHCID_LEN));
	} else {
		FUZZ_CHECK(!e->has_dhcid);
	}
}

static void axfr(const uint8_t *data, size_t size)
{
	struct ddns_zone z;
	int r = 0, rcode = -1;

	ddns_zone_init(&z, "cluster.test");
	while (size >= 2 && r == 0) {
		size_t n = (size_t)data[0] << 8 | data[1];
		if (n > size - 2)
			n = size - 2;
		char *m = fuzz_dup(data + 2, n);
		r = ddns_zone_feed(&z, (const uint8_t *)m, n, &rcode);
		free(m);
		FUZZ_CHECK(r == 0 || r == 1 || r == -EBADMSG || r == -EPROTO || r == -ENOMEM);
		FUZZ_CHECK(r != -EPROTO || (rcode > 0 && rcode < 16));
		FUZZ_CHECK((r == 1) == z.complete);
		data += 2 + n;
		size -= 2 + n;
	}
	if (z.complete) {
		FUZZ_CHECK(z.soa_seen == 2);
		for (size_t i = 0; i < z.n; i++)
			check_entry(&z, &z.entries[i]);
		/* nothing is taken after the closing SOA */
		FUZZ_CHECK(ddns_zone_feed(&z, data, size, &rcode) == -EBADMSG);
	}
	ddns_zone_free(&z);
}

static void reply(const uint8_t *data, size_t size)
{
	static const struct ddns_key key = {
	    .name = "lc-key", .algorithm = "hmac-sha256.", .secret = "c2VjcmV0c2VjcmV0c2VjcmV0"};
	static const uint8_t mac[32] = {1, 2, 3};
	struct ddns_reply rep;
	uint16_t id = size >= 2 ? (uint16_t)(data[0] << 8 | data[1]) : 0;
	char *m = fuzz_dup(data, size);

	int r = ddns_reply_read((const uint8_t *)m, size, id, NULL, NULL, 0, &rep);
	FUZZ_CHECK(r == 0 || r == -EBADMSG);
	if (r == 0)
		FUZZ_CHECK(rep.rcode >= 0 && rep.rcode < 16 && !rep.is_signed);
	r = ddns_reply_read((const uint8_t *)m, size, id, &key, mac, sizeof(mac), &rep);
	FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -EPERM);
	/* a reply we take unsigned only ever reports an error */
	if (r == 0 && !rep.is_signed)
		FUZZ_CHECK(rep.rcode != 0 || rep.tsig_error != 0);
	free(m);
}

static void spool(const uint8_t *data, size_t size)
{
	static struct ddns_spool_entry e, back;
	static char out[16384];
	char *m = fuzz_dup(data, size);

	if (ddns_spool_parse(m, size, &e) == 0) {
		FUZZ_CHECK(e.guest.n_addrs <= DDNS_MAX_ADDRS);
		FUZZ_CHECK(e.op == DDNS_OP_PUBLISH || e.op == DDNS_OP_WITHDRAW);
		/* what the writer makes of it, the reader reads back the same */
		if (ddns_spool_format(&e, out, sizeof(out)) == 0) {
			FUZZ_CHECK(ddns_spool_parse(out, strlen(out), &back) == 0);
			FUZZ_CHECK(!strcmp(back.guest.name, e.guest.name));
			FUZZ_CHECK(!memcmp(back.guest.uuid, e.guest.uuid, 16));
			FUZZ_CHECK(back.guest.n_addrs == e.guest.n_addrs && back.tries == e.tries);
			FUZZ_CHECK(back.next_try == e.next_try && back.op == e.op);
		}
	}
	free(m);
}

static void key(const uint8_t *data, size_t size)
{
	struct ddns_key k;
	char err[256], *m = fuzz_dup(data, size);

	if (ddns_key_parse(m, size, &k, err, sizeof(err)) == 0) {
		FUZZ_CHECK(k.name[0] && strnlen(k.name, sizeof(k.name)) < sizeof(k.name));
		FUZZ_CHECK(!strncmp(k.algorithm, "hmac-", 5) && k.secret[0]);
	} else {
		FUZZ_CHECK(err[0]);
	}
	free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] & 3) {
	case 0:
		axfr(data + 1, size - 1);
		break;
	case 1:
		reply(data + 1, size - 1);
		break;
	case 2:
		spool(data + 1, size - 1);
		break;
	default:
		key(data + 1, size - 1);
		break;
	}
	return 0;
}
