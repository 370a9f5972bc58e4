/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* XML from libvirt 9.0 (real captures) and XML from nowhere good. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "hooks/hook.h"
#include "tests/unit/hook_test_util.h"

static void mac_is(const uint8_t *mac, const char *want)
{
	char s[18];
	lc_mac_format(mac, s);
	assert_string_equal(s, want);
}

static struct host_domain *domain_fixture(const char *name)
{
	size_t len = 0;
	char *xml = hook_test_stdin(name, &len);
	struct host_domain *d = calloc(1, sizeof(*d));

	assert_non_null(xml);
	assert_non_null(d);
	assert_int_equal(host_xml_domain(xml, len, d), 0);
	free(xml);
	return d;
}

static void test_every_domain_capture(void **state)
{
	static const char *const caps[] = {
	    "lxc.c1.prepare.begin", "lxc.c1.start.begin",   "lxc.c1.started.begin",
	    "lxc.c1.stopped.end",   "lxc.c1.release.end",   "lxc.c2.prepare.begin",
	    "lxc.c2.start.begin",   "lxc.c2.started.begin", "lxc.c3.prepare.begin",
	    "lxc.c3.start.begin",   "lxc.c3.started.begin", "lxc.c4.prepare.begin",
	    "lxc.c4.start.begin",   "lxc.c4.started.begin", "lxc.c4.stopped.end",
	    "lxc.c4.release.end",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		struct host_domain *d = domain_fixture(caps[i]);
		/* "lxc.c1.x" names guest c1 */
		assert_int_equal(d->name[0], 'c');
		assert_int_equal(d->name[1], caps[i][5]);
		assert_string_equal(d->type, "lxc");
		assert_int_equal(strlen(d->uuid), 36);
		assert_true(d->n_nics >= 1);
		assert_int_equal(d->n_nics_skipped, 0);
		assert_false(d->has_cluster);
		free(d);
	}
}

static void test_c1_nic_order(void **state)
{
	/* c1: isonet first, labnet second, in XML order */
	struct host_domain *d = domain_fixture("lxc.c1.prepare.begin");
	(void)state;

	assert_string_equal(d->name, "c1");
	assert_string_equal(d->uuid, "112a8f63-2000-4068-ae26-97774bdc30d8");
	assert_int_equal(d->id, -1);
	assert_int_equal(d->n_nics, 2);
	mac_is(d->nics[0].mac, "52:54:00:16:00:01");
	assert_string_equal(d->nics[0].network, "isonet");
	assert_string_equal(d->nics[0].bridge, "");
	mac_is(d->nics[1].mac, "52:54:00:15:00:01");
	assert_string_equal(d->nics[1].network, "labnet");
	free(d);
}

static void test_c1_started_has_bridges(void **state)
{
	struct host_domain *d = domain_fixture("lxc.c1.started.begin");
	(void)state;

	assert_int_equal(d->id, 204);
	assert_int_equal(d->n_nics, 2);
	assert_string_equal(d->nics[0].bridge, "virbr-iso");
	assert_string_equal(d->nics[0].guest_dev, "eth0");
	assert_string_equal(d->nics[1].bridge, "virbr-lab");
	assert_string_equal(d->nics[1].guest_dev, "eth1");
	free(d);

	/* release: libvirt has dropped the bridge again */
	d = domain_fixture("lxc.c1.release.end");
	assert_string_equal(d->nics[0].bridge, "");
	assert_string_equal(d->nics[1].network, "labnet");
	free(d);
}

static struct host_network *network_fixture(const char *name)
{
	size_t len = 0;
	char *xml = hook_test_stdin(name, &len);
	struct host_network *n = calloc(1, sizeof(*n));

	assert_non_null(xml);
	assert_int_equal(host_xml_network(xml, len, n), 0);
	free(xml);
	return n;
}

static void test_networks(void **state)
{
	char a[64];
	(void)state;

	struct host_network *n = network_fixture("network.labnet.started.begin");
	assert_string_equal(n->name, "labnet");
	assert_string_equal(n->uuid, "33268ad7-7a72-4c55-8ae1-f499fff7833d");
	assert_string_equal(n->bridge, "virbr-lab");
	assert_string_equal(n->forward, "nat");
	assert_string_equal(n->domain, "lab.test");
	assert_int_equal(n->n_addrs, 1);
	assert_string_equal(lc_addr_format(&n->addrs[0], a, sizeof(a)), "192.168.150.1");
	/* netmask='255.255.255.0': the range discovery trusts */
	assert_string_equal(lc_prefix_format(&n->subnets[0], a, sizeof(a)), "192.168.150.0/24");
	assert_false(n->port.present);
	assert_int_equal(hook_forward_class(n->forward), LC_CLASS_EXTERNAL);
	free(n);

	n = network_fixture("network.isonet.started.begin");
	assert_string_equal(n->bridge, "virbr-iso");
	assert_string_equal(n->forward, "");
	assert_string_equal(n->domain, "iso.test");
	assert_int_equal(hook_forward_class(n->forward), LC_CLASS_ISOLATED);
	free(n);

	static const char *const caps[] = {
	    "network.isonet.port-created.begin", "network.isonet.port-deleted.begin",
	    "network.isonet.start.begin",	 "network.isonet.stopped.end",
	    "network.labnet.port-deleted.begin", "network.labnet.start.begin",
	};
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		n = network_fixture(caps[i]);
		assert_true(!strcmp(n->name, "isonet") || !strcmp(n->name, "labnet"));
		free(n);
	}
}

static void test_network_ranges(void **state)
{
	struct host_network *n = calloc(1, sizeof(*n));
	char a[80];
	const char *xml = "<network><name>r</name><bridge name='virbr-r'/>"
			  "<ip address='10.1.2.1' netmask='255.255.0.0'/>"
			  "<ip address='10.9.9.1' prefix='28'/>"
			  "<ip family='ipv6' address='fd00:99::1' prefix='64'/>"
			  "<ip family='ipv6' address='fd00:98::1'/>"
			  "<ip address='10.3.0.1' netmask='255.0.255.0'/>"
			  "<ip address='10.4.0.1' prefix='33'/>"
			  "</network>";
	static const char *const want[] = {"10.1.0.0/16",  "10.9.9.0/28", "fd00:99::/64",
					   "fd00:98::/64", "10.3.0.0/24", "10.4.0.0/24"};

	(void)state;
	assert_non_null(n);
	assert_int_equal(host_xml_network(xml, strlen(xml), n), 0);
	assert_int_equal(n->n_addrs, 6);
	/* a mask with holes or a prefix too long: the family's default */
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(lc_prefix_format(&n->subnets[i], a, sizeof(a)), want[i]);
	struct lc_net_record rec;
	hook_network_to_record(n, 7, &rec);
	assert_int_equal(rec.n_subnets, 6);
	assert_string_equal(lc_prefix_format(&rec.subnets[2], a, sizeof(a)), "fd00:99::/64");
	free(n);
}

static void test_port(void **state)
{
	(void)state;
	struct host_network *n = network_fixture("network.labnet.port-created.begin");
	assert_true(n->port.present);
	assert_string_equal(n->port.owner_name, "c4");
	assert_string_equal(n->port.owner_uuid, "d350ad31-81c8-4a0e-917d-c17b706cf822");
	mac_is(n->port.mac, "52:54:00:15:00:04");
	assert_string_equal(n->port.bridge, "virbr-lab");
	free(n);
}

static int parse_str(const char *xml, struct host_domain *d)
{
	return host_xml_domain(xml, strlen(xml), d);
}

#define DOM_HEAD "<domain type='kvm'><name>g</name><uuid>u</uuid>"

static void test_metadata(void **state)
{
	struct host_domain *d = calloc(1, sizeof(*d));
	(void)state;

	assert_int_equal(parse_str(DOM_HEAD "<metadata><lc:cluster xmlns:lc='" HOST_XMLNS
					    "' name='lab' group='WEB'/></metadata></domain>",
				   d),
			 0);
	assert_true(d->has_cluster);
	assert_string_equal(d->cluster, "lab");
	assert_string_equal(d->group, "WEB");
	assert_string_equal(d->user, "");

	/* the ssh login, as written */
	memset(d, 0, sizeof(*d));
	assert_int_equal(parse_str(DOM_HEAD "<metadata><lc:cluster xmlns:lc='" HOST_XMLNS
					    "' name='lab' user='debian'/></metadata></domain>",
				   d),
			 0);
	assert_string_equal(d->user, "debian");

	/* any prefix, the namespace URI is what counts; other namespaces and
	 * an unqualified <cluster> are not ours */
	memset(d, 0, sizeof(*d));
	assert_int_equal(parse_str(DOM_HEAD "<metadata><x:cluster xmlns:x='urn:other' name='no'/>"
					    "<cluster name='no'/><q:cluster xmlns:q='" HOST_XMLNS
					    "' name='yes' group='web'/>"
					    "<q:cluster xmlns:q='" HOST_XMLNS
					    "' name='second'/></metadata></domain>",
				   d),
			 0);
	assert_true(d->has_cluster);
	assert_string_equal(d->cluster, "yes");
	assert_string_equal(d->group, "web"); /* as written: validity is the caller's */

	/* a cluster name with a space is unusable */
	memset(d, 0, sizeof(*d));
	assert_int_equal(parse_str(DOM_HEAD "<metadata><lc:cluster xmlns:lc='" HOST_XMLNS
					    "' name='my lab'/></metadata></domain>",
				   d),
			 0);
	assert_true(d->cluster_bad);
	assert_string_equal(d->cluster, "");

	/* no metadata at all */
	memset(d, 0, sizeof(*d));
	assert_int_equal(parse_str(DOM_HEAD "</domain>", d), 0);
	assert_false(d->has_cluster);
	free(d);
}

static void test_interfaces(void **state)
{
	struct host_domain *d = calloc(1, sizeof(*d));
	(void)state;

	assert_int_equal(
	    parse_str(DOM_HEAD
		      "<devices>"
		      "<interface type='bridge'><mac address='52:54:00:aa:00:01'/>"
		      "<source bridge='br0'/></interface>"
		      "<interface type='network'><source network='n'/></interface>"
		      "<interface type='network'><mac address='zz:54:00:aa:00:02'/></interface>"
		      "<interface type='user'><mac address='52:54:00:AA:00:03'/></interface>"
		      "<interface type='direct'><mac address='52:54:00:aa:00:04'/>"
		      "<source dev='eth1' mode='bridge'/></interface>"
		      "<disk/></devices></domain>",
		      d),
	    0);
	assert_int_equal(d->n_nics, 3);
	assert_int_equal(d->n_nics_skipped, 2); /* no MAC; bad MAC */
	mac_is(d->nics[0].mac, "52:54:00:aa:00:01");
	assert_string_equal(d->nics[0].network, "");
	assert_string_equal(d->nics[0].bridge, "br0");
	mac_is(d->nics[1].mac, "52:54:00:aa:00:03");
	/* macvtap: the parent device is the NIC's host side */
	mac_is(d->nics[2].mac, "52:54:00:aa:00:04");
	assert_string_equal(d->nics[2].network, "");
	assert_string_equal(d->nics[2].bridge, "eth1");
	free(d);
}

static void test_garbage(void **state)
{
	struct host_domain *d = calloc(1, sizeof(*d));
	struct host_network *n = calloc(1, sizeof(*n));
	static const char *const bad_xml[] = {
	    "",
	    "not xml at all",
	    "<domain><name>g</name>",		   /* truncated */
	    "<domain><name>g</nam></domain>",	   /* mismatched */
	    "\xff\xfe<\x01\x02\x7f",		   /* binary */
	    "<domain><name>g</name></domain><x/>", /* two roots */
	};
	(void)state;

	for (size_t i = 0; i < sizeof(bad_xml) / sizeof(bad_xml[0]); i++)
		assert_true(host_xml_domain(bad_xml[i], strlen(bad_xml[i]), d) < 0);
	/* UTF-16 with NULs inside */
	static const char utf16[] = {'\xff', '\xfe', '<', 0, 'd', 0, '/', 0, '>', 0};
	assert_true(host_xml_domain(utf16, sizeof(utf16), d) < 0);
	assert_int_equal(host_xml_domain(NULL, 0, d), -ENODATA);

	/* well-formed, but not a domain, or a domain with no name */
	assert_int_equal(parse_str("<network><name>x</name></network>", d), -EINVAL);
	assert_int_equal(parse_str("<domain><uuid>x</uuid></domain>", d), -EINVAL);
	assert_int_equal(parse_str("<domain><name></name></domain>", d), -EINVAL);
	assert_int_equal(parse_str("<domain><name>a\nb</name></domain>", d), -EINVAL);
	assert_int_equal(host_xml_network("<domain/>", 9, n), -EINVAL);
	assert_int_equal(host_xml_network("<hookData/>", 11, n), -EINVAL);
	free(d);
	free(n);
}

static void test_entities_refused(void **state)
{
	struct host_domain *d = calloc(1, sizeof(*d));
	(void)state;

	/* billion laughs: refused whole, in no time, without expanding */
	const char *bomb = "<?xml version='1.0'?><!DOCTYPE domain ["
			   "<!ENTITY a 'aaaaaaaaaa'>"
			   "<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>"
			   "<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>"
			   "<!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'>"
			   "<!ENTITY e '&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;'>"
			   "<!ENTITY f '&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;'>"
			   "<!ENTITY g '&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;'>"
			   "]><domain><name>&g;</name></domain>";
	uint64_t t0 = host_now_usec();
	assert_int_equal(parse_str(bomb, d), -EBADMSG);
	assert_true(host_now_usec() - t0 < 200000);

	/* an external entity: no file is read, no network is used */
	const char *xxe = "<?xml version='1.0'?><!DOCTYPE domain ["
			  "<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
			  "<domain><name>&x;</name></domain>";
	assert_int_equal(parse_str(xxe, d), -EBADMSG);

	/* an undeclared entity without a DTD is not well-formed */
	assert_true(parse_str("<domain><name>&x;</name></domain>", d) < 0);
	/* the predefined ones are plain text */
	assert_int_equal(parse_str("<domain><name>a&amp;b</name></domain>", d), 0);
	assert_string_equal(d->name, "a&b");
	free(d);
}

static void test_oversized_fields(void **state)
{
	struct host_domain *d = calloc(1, sizeof(*d));
	char *xml = malloc(4096);
	char big[400];
	(void)state;

	memset(big, 'n', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(xml, 4096, "<domain><name>%s</name></domain>", big);
	assert_int_equal(parse_str(xml, d), -EINVAL);

	/* an over-long network name drops the field, not the NIC */
	snprintf(xml, 4096,
		 "<domain><name>g</name><devices><interface type='network'>"
		 "<mac address='52:54:00:00:00:01'/><source network='%s'/></interface></devices>"
		 "</domain>",
		 big);
	assert_int_equal(parse_str(xml, d), 0);
	assert_int_equal(d->n_nics, 1);
	assert_string_equal(d->nics[0].network, "");

	/* more NICs than a record holds: the rest are counted as skipped */
	size_t o = (size_t)snprintf(xml, 4096, "<domain><name>g</name><devices>");
	char *x2 = malloc(200 * 80);
	memcpy(x2, xml, o);
	for (int i = 0; i < 70; i++)
		o += (size_t)snprintf(x2 + o, 200 * 80 - o,
				      "<interface type='user'><mac address='52:54:00:00:01:%02x'/>"
				      "</interface>",
				      i);
	o += (size_t)snprintf(x2 + o, 200 * 80 - o, "</devices></domain>");
	assert_int_equal(host_xml_domain(x2, o, d), 0);
	assert_int_equal(d->n_nics, HOST_MAX_NICS);
	assert_int_equal(d->n_nics_skipped, 70 - HOST_MAX_NICS);
	free(x2);
	free(xml);
	free(d);
}

static void test_dns_hosts(void **state)
{
	struct host_dns *dns = calloc(1, sizeof(*dns));
	char a[64];
	const char *xml = "<network><name>ext</name><domain name='lab.test'/>"
			  "<dns><host ip='192.168.150.12'><hostname>node3</hostname>"
			  "<hostname>node3.lab.test</hostname></host>"
			  "<host ip='fd00::5'><hostname>v6</hostname></host>"
			  "<host ip='bogus'><hostname>x</hostname></host>"
			  "<txt name='t' value='v'/></dns></network>";
	(void)state;

	assert_int_equal(host_xml_dns_hosts(xml, strlen(xml), dns), 0);
	assert_int_equal(dns->n_hosts, 2);
	assert_string_equal(lc_addr_format(&dns->hosts[0].addr, a, sizeof(a)), "192.168.150.12");
	assert_int_equal(dns->hosts[0].n_names, 2);
	assert_string_equal(dns->hosts[0].names[0], "node3");
	assert_string_equal(dns->hosts[0].names[1], "node3.lab.test");
	assert_int_equal(dns->hosts[1].addr.family, AF_INET6);
	/* no <dns>: none */
	assert_int_equal(host_xml_dns_hosts("<network><name>x</name></network>", 33, dns), 0);
	assert_int_equal(dns->n_hosts, 0);
	free(dns);
}

/* The element alone, as virDomainGetMetadata returns it (the CLI's read). */
static int meta(const char *xml, char *c, char *g)
{
	strcpy(c, "unset");
	strcpy(g, "unset");
	return host_xml_metadata(xml, strlen(xml), c, 64, g, 64);
}

static void test_metadata_element(void **state)
{
	char c[64], g[64];
	(void)state;

	/* libvirt 9.0 drops the namespace */
	assert_int_equal(meta("<cluster name=\"lab\" group=\"db\"/>", c, g), 1);
	assert_string_equal(c, "lab");
	assert_string_equal(g, "db");
	assert_int_equal(meta("<lc:cluster xmlns:lc='" HOST_XMLNS "' name='lab'/>", c, g), 1);
	assert_string_equal(c, "lab");
	assert_string_equal(g, "");
	/* raw: an invalid group is kept for the CLI to report */
	assert_int_equal(meta("<cluster name='a b' group='web-1'/>", c, g), 1);
	assert_string_equal(c, "a b");
	assert_string_equal(g, "web-1");
	/* what cannot be copied becomes a marker no valid name matches */
	assert_int_equal(meta("<cluster name='x&#10;y'/>", c, g), 1);
	assert_string_equal(c, "?");
	assert_int_equal(meta("<other name='lab'/>", c, g), 0);
	assert_int_equal(meta("<q:cluster xmlns:q='urn:other' name='lab'/>", c, g), 0);
	assert_int_equal(meta("<cluster", c, g), -EBADMSG);
	assert_int_equal(meta("", c, g), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_domain_capture),
	    cmocka_unit_test(test_c1_nic_order),
	    cmocka_unit_test(test_c1_started_has_bridges),
	    cmocka_unit_test(test_networks),
	    cmocka_unit_test(test_network_ranges),
	    cmocka_unit_test(test_port),
	    cmocka_unit_test(test_metadata),
	    cmocka_unit_test(test_metadata_element),
	    cmocka_unit_test(test_interfaces),
	    cmocka_unit_test(test_garbage),
	    cmocka_unit_test(test_entities_refused),
	    cmocka_unit_test(test_oversized_fields),
	    cmocka_unit_test(test_dns_hosts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
