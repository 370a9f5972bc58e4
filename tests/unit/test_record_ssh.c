/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ssh lines of a guest record: `user` and `hostkey`. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "resolver/record-seen.h"
#include "resolver/resolver.h"
#include "tests/unit/unit.h"

#define ED "AAAAC3NzaC1lZDI1NTE5AAAAIHkPc0XnhTNAd2rtbA1f3kFP4K/zB+1eQ3+HYRn9nQv1"
#define EC                                                                                         \
	"AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBDtLn2Wq9c5Cw1x2lX3X0l3j3c8sZgQ7vV1m" \
	"vFqSg3p5b0gR4nQjvF0eZ4a3Kqz3l1m7o2pQ5yY8fT3c1xk2rXk="

#define HEAD "libvirt-cluster record 1\nkind guest\nname g\n"

static struct lc_guest_record *parse(const char *text)
{
	struct lc_guest_record *g = calloc(1, sizeof(*g));
	assert_non_null(g);
	assert_int_equal(lc_guest_record_parse(text, strlen(text), g), 0);
	return g;
}

static void test_hostkey_parse(void **state)
{
	(void)state;
	struct lc_hostkey k;
	const char *pub = "ssh-ed25519 " ED " root@node1\n";
	assert_int_equal(lc_hostkey_parse(pub, strlen(pub), &k), 0);
	assert_string_equal(k.type, "ssh-ed25519");
	assert_string_equal(k.key, ED);
	const char *bare = "ecdsa-sha2-nistp256 " EC;
	assert_int_equal(lc_hostkey_parse(bare, strlen(bare), &k), 0);
	assert_string_equal(k.type, "ecdsa-sha2-nistp256");

	static const char *const bad[] = {
	    "",
	    "ssh-ed25519",
	    "ssh-ed25519 ",
	    "ssh-foo " ED,		    /* no type OpenSSH writes */
	    "ssh-ed25519 AAAA",		    /* too short to be a key */
	    "ssh-ed25519 " ED "x",	    /* not a multiple of 4 */
	    "ssh-ed25519 " ED ",evil.host", /* would add a name in known_hosts */
	    "ssh-ed25519 AAAA*AAAAAAAAAAAAAAAA",
	    "@cert-authority ssh-ed25519 " ED,
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (lc_hostkey_parse(bad[i], strlen(bad[i]), &k) != -EINVAL)
			fail_msg("accepted: '%s'", bad[i]);
}

static void test_user_valid(void **state)
{
	(void)state;
	assert_true(lc_user_valid("root"));
	assert_true(lc_user_valid("debian"));
	assert_true(lc_user_valid("core.admin_1-x"));
	assert_false(lc_user_valid(""));
	assert_false(lc_user_valid("-oProxyCommand"));
	assert_false(lc_user_valid("a b"));
	assert_false(lc_user_valid("a\nHost *"));
	assert_false(lc_user_valid("user@host"));
	assert_false(lc_user_valid("abcdefghijabcdefghijabcdefghijabc")); /* 33 */
}

static void test_parse_lines(void **state)
{
	(void)state;
	struct lc_guest_record *g = parse(HEAD "user debian\nhostkey ssh-ed25519 " ED
					       "\nhostkey ecdsa-sha2-nistp256 " EC "\n");
	assert_string_equal(g->user, "debian");
	assert_int_equal(g->n_hostkeys, 2);
	assert_string_equal(g->hostkeys[0].type, "ssh-ed25519");
	assert_string_equal(g->hostkeys[0].key, ED);
	assert_string_equal(g->hostkeys[1].type, "ecdsa-sha2-nistp256");
	free(g);

	/* bad lines are left out, the record stays */
	g = parse(HEAD "user -oProxyCommand=x\nhostkey ssh-foo " ED "\nhostkey ssh-ed25519 " ED
		       "\nhostkey\n");
	assert_string_equal(g->name, "g");
	assert_string_equal(g->user, "");
	assert_int_equal(g->n_hostkeys, 1);
	free(g);

	/* more keys than fit: the first ones count */
	char text[8192] = HEAD;
	for (int i = 0; i < LC_RECORD_MAX_HOSTKEYS + 3; i++)
		strcat(text, "hostkey ssh-ed25519 " ED "\n");
	g = parse(text);
	assert_int_equal(g->n_hostkeys, LC_RECORD_MAX_HOSTKEYS);
	free(g);
}

static void test_round_trip(void **state)
{
	(void)state;
	struct lc_guest_record *g = calloc(1, sizeof(*g)), *back;
	char buf[16384];
	assert_non_null(g);
	strcpy(g->name, "node1");
	strcpy(g->user, "core");
	strcpy(g->hostkeys[0].type, "ssh-ed25519");
	strcpy(g->hostkeys[0].key, ED);
	strcpy(g->hostkeys[1].type, "ecdsa-sha2-nistp256");
	strcpy(g->hostkeys[1].key, EC);
	g->n_hostkeys = 2;
	assert_int_equal(lc_guest_record_format(g, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "\nuser core\n"));
	assert_non_null(strstr(buf, "\nhostkey ssh-ed25519 " ED "\n"));
	back = parse(buf);
	assert_string_equal(back->user, "core");
	assert_int_equal(back->n_hostkeys, 2);
	for (int i = 0; i < 2; i++) {
		assert_string_equal(back->hostkeys[i].type, g->hostkeys[i].type);
		assert_string_equal(back->hostkeys[i].key, g->hostkeys[i].key);
	}
	free(back);

	/* what would not parse back is refused */
	strcpy(g->user, "a b");
	assert_int_equal(lc_guest_record_format(g, buf, sizeof(buf)), -EINVAL);
	strcpy(g->user, "");
	strcpy(g->hostkeys[1].key, "AAAA\nhostkey x");
	assert_int_equal(lc_guest_record_format(g, buf, sizeof(buf)), -EINVAL);
	free(g);
}

/* The db's reader skips the user and host keys unread: every other field,
 * and whether the record is good, as the full parse has them. */
static void test_db_reader(void **state)
{
	(void)state;
	static const char *const texts[] = {
	    HEAD "uuid u-1\ndriver lxc\ncluster lab\ngroup WEB\nuser debian\n"
		 "nic 52:54:00:00:00:01 default virbr0\nhostkey ssh-ed25519 " ED "\n"
		 "hostkey ecdsa-sha2-nistp256 " EC "\nnic 52:54:00:00:00:02 - br0\n"
		 "addr 52:54:00:00:00:02 192.0.2.7 agent 1700000000\n",
	    HEAD "user -bad\nhostkey ssh-ed25519 not!base64\nhostkey nosuch " ED "\n",
	    HEAD "hostkey ssh-ed25519 " ED "\nnic 52:54:00:00:00:01\n", /* bad nic */
	    HEAD "dropped 52:54:00:00:00:01 nonsense\nuser debian\n",
	    "libvirt-cluster record 1\nkind guest\nuser debian\n", /* no name */
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
		struct lc_guest_record *full = calloc(1, sizeof(*full));
		struct lc_guest_record *db = malloc(sizeof(*db));
		assert_non_null(full);
		assert_non_null(db);
		memset(db, 0x5a, sizeof(*db)); /* the db reuses one record */
		int rf = lc_guest_record_parse(texts[i], strlen(texts[i]), full);
		int rd = record_guest_parse_in(texts[i], strlen(texts[i]), db, true);
		assert_int_equal(rd, rf);
		if (rf == 0) {
			assert_string_equal(db->name, full->name);
			assert_string_equal(db->uuid, full->uuid);
			assert_string_equal(db->driver, full->driver);
			assert_string_equal(db->cluster, full->cluster);
			assert_string_equal(db->group, full->group);
			assert_int_equal(db->n_nics, full->n_nics);
			for (size_t k = 0; k < full->n_nics; k++) {
				assert_memory_equal(db->nics[k].mac, full->nics[k].mac, LC_MAC_LEN);
				assert_string_equal(db->nics[k].network, full->nics[k].network);
				assert_string_equal(db->nics[k].bridge, full->nics[k].bridge);
			}
			assert_int_equal(db->n_seen, full->n_seen);
			for (size_t k = 0; k < full->n_seen; k++)
				assert_memory_equal(&db->seen[k], &full->seen[k],
						    sizeof(db->seen[k]));
			assert_int_equal(db->n_dropped, full->n_dropped);
			assert_int_equal(db->n_hostkeys, 0);
			assert_string_equal(db->user, "");
		}
		if (i == 0) {
			assert_int_equal(rf, 0);
			assert_int_equal(full->n_hostkeys, 2);
			assert_string_equal(full->user, "debian");
			assert_int_equal(full->n_seen, 1);
		}
		free(full);
		free(db);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hostkey_parse), cmocka_unit_test(test_user_valid),
	    cmocka_unit_test(test_parse_lines),	  cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_db_reader),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
