/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Talking to the server: a signed message out, its reply back, over UDP or
 * TCP, within a deadline per try; and a zone transfer.  ldns builds, signs
 * and verifies; the sockets are ours, so that every one is O_CLOEXEC and
 * bounded in time. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "host/ddns-ldns.h"

#define MSG_MAX 65535

uint16_t ddns_random_id(void)
{
	uint16_t id;
	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id))
		id = (uint16_t)(time(NULL) ^ getpid());
	return id;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events on fd until deadline: 0, -ETIMEDOUT, -errno. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - now_ms();
		struct pollfd pfd = {.fd = fd, .events = events};
		if (left <= 0)
			return -ETIMEDOUT;
		int n = poll(&pfd, 1, (int)left);
		if (n > 0)
			return 0;
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static int open_socket(const struct ddns_config *c, int type, int64_t deadline)
{
	int fd = socket(c->server.ss_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), r, e = 0;
	socklen_t el = sizeof(e);

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)&c->server, c->server_len) == 0)
		return fd;
	r = -errno;
	if (r == -EINPROGRESS) {
		r = wait_fd(fd, POLLOUT, deadline);
		if (r == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
			r = -errno;
		else if (r == 0 && e)
			r = -e;
		if (r == 0)
			return fd;
	}
	close(fd);
	return r;
}

/* One UDP try: the first datagram that carries our id. */
static int udp_try(const struct ddns_config *c, const uint8_t *q, size_t qlen, int64_t deadline,
		   uint8_t *buf, size_t *ret_len)
{
	int fd = open_socket(c, SOCK_DGRAM, deadline), r;

	if (fd < 0)
		return fd;
	if (send(fd, q, qlen, 0) != (ssize_t)qlen) {
		r = -errno;
		goto out;
	}
	for (;;) {
		r = wait_fd(fd, POLLIN, deadline);
		if (r < 0)
			goto out;
		ssize_t n = recv(fd, buf, MSG_MAX, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		/* someone else's datagram: keep waiting for ours */
		if (n >= LDNS_HEADER_SIZE && buf[0] == q[0] && buf[1] == q[1]) {
			*ret_len = (size_t)n;
			r = 0;
			goto out;
		}
	}
out:
	close(fd);
	return r;
}

static int write_all(int fd, const uint8_t *p, size_t n, int64_t deadline)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			int r = wait_fd(fd, POLLOUT, deadline);
			if (r < 0)
				return r;
			continue;
		}
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, uint8_t *p, size_t n, int64_t deadline)
{
	while (n) {
		ssize_t got = read(fd, p, n);
		if (got < 0 && (errno == EAGAIN || errno == EINTR)) {
			int r = wait_fd(fd, POLLIN, deadline);
			if (r < 0)
				return r;
			continue;
		}
		if (got < 0)
			return -errno;
		if (got == 0)
			return -ECONNRESET;
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

/* A message over a stream: its two-byte length (RFC 1035 4.2.2), then it. */
static int tcp_send(int fd, const uint8_t *q, size_t qlen, int64_t deadline)
{
	uint8_t hdr[2] = {(uint8_t)(qlen >> 8), (uint8_t)qlen};
	int r = write_all(fd, hdr, 2, deadline);
	return r < 0 ? r : write_all(fd, q, qlen, deadline);
}

static int tcp_recv(int fd, uint8_t *buf, size_t *ret_len, int64_t deadline)
{
	uint8_t hdr[2];
	int r = read_all(fd, hdr, 2, deadline);
	size_t n = (size_t)hdr[0] << 8 | hdr[1];

	if (r < 0)
		return r;
	if (n < LDNS_HEADER_SIZE)
		return -EBADMSG;
	r = read_all(fd, buf, n, deadline);
	if (r == 0)
		*ret_len = n;
	return r;
}

static int tcp_try(const struct ddns_config *c, const uint8_t *q, size_t qlen, int64_t deadline,
		   uint8_t *buf, size_t *ret_len)
{
	int fd = open_socket(c, SOCK_STREAM, deadline), r;
	if (fd < 0)
		return fd;
	r = tcp_send(fd, q, qlen, deadline);
	if (r == 0)
		r = tcp_recv(fd, buf, ret_len, deadline);
	close(fd);
	return r;
}

/* A signed query in wire form, and its MAC (for the reply's check). */
struct signed_query {
	uint8_t *wire;
	size_t len;
	uint8_t mac[64];
	size_t mac_len;
	uint16_t id;
};

static int sign(const struct ddns_key *key, ldns_pkt *q, struct signed_query *ret)
{
	struct signed_query sq = {.id = ldns_pkt_id(q)};

	if (key) {
		if (ldns_pkt_tsig_sign(q, key->name, key->secret, DDNS_FUDGE, key->algorithm,
				       NULL) != LDNS_STATUS_OK)
			return -EINVAL;
		ldns_rr *t = ldns_pkt_tsig(q);
		ldns_rdf *mac = t && ldns_rr_rd_count(t) > 3 ? ldns_rr_rdf(t, 3) : NULL;
		if (!mac || ldns_rdf_size(mac) < 2 || ldns_rdf_size(mac) - 2 > sizeof(sq.mac))
			return -EINVAL;
		sq.mac_len = ldns_rdf_size(mac) - 2;
		memcpy(sq.mac, ldns_rdf_data(mac) + 2, sq.mac_len);
	}
	if (ldns_pkt2wire(&sq.wire, q, &sq.len) != LDNS_STATUS_OK)
		return -ENOMEM;
	*ret = sq;
	return 0;
}

static void describe(const struct ddns_config *c, int r, bool tcp, char *err, size_t errlen)
{
	if (r == -ETIMEDOUT)
		snprintf(err, errlen, "no answer from %s over %s within %d ms, tried %d times",
			 c->server_text, tcp ? "TCP" : "UDP", c->timeout_ms, c->tries);
	else if (r == -ECONNREFUSED)
		snprintf(err, errlen, "%s refused the %s connection: is the server running there?",
			 c->server_text, tcp ? "TCP" : "UDP");
	else if (r == -EPERM)
		snprintf(err, errlen, "%s sent a reply without a TSIG signature: ignored",
			 c->server_text);
	else if (r == -EBADMSG)
		snprintf(err, errlen,
			 "%s sent a reply that is malformed or whose TSIG does not verify: ignored",
			 c->server_text);
	else
		snprintf(err, errlen, "sending to %s: %s", c->server_text, strerror(-r));
}

int ddns_exchange(const struct ddns_config *c, const struct ddns_key *key, ldns_pkt *q,
		  struct ddns_answer *ret, char *err, size_t errlen)
{
	struct signed_query sq;
	struct ddns_reply rep;
	uint8_t *buf = malloc(MSG_MAX);
	size_t len = 0;
	bool tcp;
	int r, tries = 0;

	if (!buf)
		return -ENOMEM;
	r = sign(key, q, &sq);
	if (r < 0) {
		free(buf);
		snprintf(err, errlen, "signing with key %s failed", key ? key->name : "-");
		return r;
	}
	tcp = sq.len > DDNS_UDP_MAX;
	while (tries < c->tries) {
		int64_t deadline = now_ms() + c->timeout_ms;
		tries++;
		r = tcp ? tcp_try(c, sq.wire, sq.len, deadline, buf, &len)
			: udp_try(c, sq.wire, sq.len, deadline, buf, &len);
		if (r == 0 && !tcp && (buf[2] & 0x02)) {
			/* truncated: the same signed message again over TCP */
			tcp = true;
			tries--;
			continue;
		}
		if (r == 0)
			r = ddns_reply_read(buf, len, sq.id, key, key ? sq.mac : NULL, sq.mac_len,
					    &rep);
		if (r == 0)
			break;
	}
	free(sq.wire);
	if (r < 0) {
		describe(c, r, tcp, err, errlen);
		free(buf);
		return r;
	}
	rep.tcp = tcp;
	rep.tries = tries;
	ret->wire = buf;
	ret->len = len;
	ret->reply = rep;
	return 0;
}

/* Check one transfer message's TSIG: the first against the query's MAC
 * with all variables, the rest against the previous MAC with the timers
 * only (RFC 8945 5.3.1); every message must be signed. */
static int axfr_verify(const struct ddns_key *key, const uint8_t *wire, size_t len,
		       uint8_t *prev_mac, size_t *prev_len, bool first)
{
	ldns_pkt *p = NULL;
	uint8_t field[2 + 64];
	int r = -EBADMSG;

	if (ldns_wire2pkt(&p, wire, len) != LDNS_STATUS_OK)
		return -EBADMSG;
	ldns_rr *t = ldns_pkt_tsig(p);
	ldns_rdf *mac = t && ldns_rr_rd_count(t) > 3 ? ldns_rr_rdf(t, 3) : NULL;
	/* an error the server could not sign (BADKEY, BADSIG) is read by the
	 * feed, which reports it */
	bool tsig_error = t && ldns_rr_rd_count(t) >= 6 && ldns_rdf2native_int16(ldns_rr_rdf(t, 5));
	if (!mac || tsig_error) {
		r = ldns_pkt_get_rcode(p) ? 0 : -EPERM;
		goto out;
	}
	field[0] = (uint8_t)(*prev_len >> 8);
	field[1] = (uint8_t)*prev_len;
	memcpy(field + 2, prev_mac, *prev_len);
	ldns_rdf *prev = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_INT16_DATA, *prev_len + 2, field);
	bool ok = prev && ldns_pkt_tsig_verify_next(p, wire, len, key->name, key->secret, prev,
						    first ? 0 : 1);
	ldns_rdf_deep_free(prev);
	if (ok && ldns_rdf_size(mac) >= 2 && ldns_rdf_size(mac) - 2 <= 64) {
		*prev_len = ldns_rdf_size(mac) - 2;
		memcpy(prev_mac, ldns_rdf_data(mac) + 2, *prev_len);
		r = 0;
	}
out:
	ldns_pkt_free(p);
	return r;
}

static int axfr_read(const struct ddns_config *c, int fd, struct signed_query *sq,
		     struct ddns_zone *z, char *err, size_t errlen)
{
	uint8_t *buf = malloc(MSG_MAX);
	uint8_t mac[64];
	size_t mac_len = sq->mac_len, len;
	int r = 0, rcode = 0;

	if (!buf)
		return -ENOMEM;
	memcpy(mac, sq->mac, mac_len);
	for (bool first = true; r == 0; first = false) {
		/* each message within the per-try time: a stalled server fails */
		r = tcp_recv(fd, buf, &len, now_ms() + c->timeout_ms);
		if (r < 0) {
			describe(c, r, true, err, errlen);
			break;
		}
		if (len < 2 || buf[0] != sq->wire[0] || buf[1] != sq->wire[1]) {
			r = -EBADMSG;
			snprintf(err, errlen, "zone transfer of %s: a message with another id",
				 z->zone);
			break;
		}
		r = axfr_verify(&c->key, buf, len, mac, &mac_len, first);
		if (r < 0) {
			describe(c, r, true, err, errlen);
			break;
		}
		r = ddns_zone_feed(z, buf, len, &rcode);
		if (r == -EPROTO) {
			struct ddns_reply rep = {.rcode = rcode};
			ldns_pkt *p = NULL;
			if (ldns_wire2pkt(&p, buf, len) == LDNS_STATUS_OK && ldns_pkt_tsig(p) &&
			    ldns_rr_rd_count(ldns_pkt_tsig(p)) >= 6)
				rep.tsig_error =
				    ldns_rdf2native_int16(ldns_rr_rdf(ldns_pkt_tsig(p), 5));
			ldns_pkt_free(p);
			char what[300];
			snprintf(what, sizeof(what), "zone transfer of %s", z->zone);
			ddns_reply_explain(c, &rep, what, err, errlen);
		} else if (r < 0) {
			snprintf(err, errlen, "zone transfer of %s: a malformed message", z->zone);
		}
	}
	free(buf);
	return r < 0 ? r : 0;
}

int ddns_axfr(const struct ddns_config *c, const char *zone, struct ddns_zone *ret, char *err,
	      size_t errlen)
{
	struct signed_query sq = {0};
	struct ddns_zone z;
	ldns_pkt *q = NULL;
	int fd = -1, r;

	ddns_zone_init(&z, zone);
	r = ddns_query_pkt(zone, LDNS_RR_TYPE_AXFR, ddns_random_id(), &q);
	if (r == 0)
		r = sign(&c->key, q, &sq);
	if (r < 0) {
		snprintf(err, errlen, "zone transfer of %s: cannot make the query", zone);
		goto out;
	}
	int64_t deadline = now_ms() + c->timeout_ms;
	fd = open_socket(c, SOCK_STREAM, deadline);
	r = fd < 0 ? fd : tcp_send(fd, sq.wire, sq.len, deadline);
	if (r < 0) {
		describe(c, r, true, err, errlen);
		goto out;
	}
	/* until the closing SOA: axfr_read returns 0 only then */
	while (r == 0 && !z.complete)
		r = axfr_read(c, fd, &sq, &z, err, errlen);
out:
	if (fd >= 0)
		close(fd);
	free(sq.wire);
	ldns_pkt_free(q);
	if (r < 0) {
		ddns_zone_free(&z);
		return r;
	}
	*ret = z;
	return 0;
}
