/* SPDX-License-Identifier: Apache-2.0 */
/* The networks' pure parts: -p specs and docker's way of showing them, a CNI result's address
 * (network/cni.c), subnets (ipv4.c), resolv.conf (resolv.c), the network records in a
 * scratch directory (netrecord.c). */
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "network/cni.h"
#include "network/ipv4.h"
#include "network/netrecord.h"
#include "network/resolv.h"
#include "tests/unit/unit.h"

static void port_ok(const char *spec, const char *shown)
{
	struct hull_port p;
	struct hull_err err = {0};
	char buf[96];
	if (hull_port_parse(spec, &p, &err) < 0) {
		UNIT_FAIL("`%s` refused: %s", spec, err.msg);
		return;
	}
	hull_port_format(&p, buf, sizeof(buf));
	CHECK_STR_EQ(buf, shown);
}

static void port_bad(const char *spec, const char *words)
{
	struct hull_port p;
	struct hull_err err = {0};
	if (hull_port_parse(spec, &p, &err) == 0) {
		UNIT_FAIL("`%s` accepted", spec);
		return;
	}
	if (!strstr(err.msg, words))
		UNIT_FAIL("`%s`: message `%s` lacks `%s`", spec, err.msg, words);
}

TEST(publish_specs)
{
	port_ok("8080:80", "0.0.0.0:8080->80/tcp");
	port_ok("53:53/udp", "0.0.0.0:53->53/udp");
	port_ok("127.0.0.1:8081:81/tcp", "127.0.0.1:8081->81/tcp");
	port_ok(":8080:80", "0.0.0.0:8080->80/tcp");
	port_ok("[::1]:8443:443", "[::1]:8443->443/tcp");
	port_ok("65535:1/sctp", "0.0.0.0:65535->1/sctp");
	port_bad("80", "expected [HOSTIP:]HOSTPORT:CONTAINERPORT");
	port_bad("0:80", "host port `0`");
	port_bad("8080:65536", "container port `65536`");
	port_bad("x:80", "host port `x`");
	port_bad("8080:80/icmp", "protocol `icmp`");
	port_bad("1.2.3:80:80", "`1.2.3` is not an IP address");
	port_bad("8080:", "container port ``");
}

TEST(result_address)
{
	char ip[64] = "";
	CHECK_INT_EQ(
		hull_cni_result_ipv4("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"interface\":2,"
				     "\"address\":\"fd00::5/64\"},{\"address\":\"10.89.0.7/24\","
				     "\"gateway\":\"10.89.0.1\"}]}",
				     ip, sizeof(ip)),
		0);
	CHECK_STR_EQ(ip, "10.89.0.7");
	CHECK_INT_EQ(hull_cni_result_ipv4("{\"ips\":[]}", ip, sizeof(ip)), -1);
	CHECK_INT_EQ(hull_cni_result_ipv4("not json", ip, sizeof(ip)), -1);
	CHECK_INT_EQ(hull_cni_result_ipv4(NULL, ip, sizeof(ip)), -1);
}

static void cidr_bad(const char *s, const char *words)
{
	struct hull_cidr c;
	struct hull_err err = {0};
	if (hull_cidr_parse(s, "--subnet", &c, &err) == 0) {
		UNIT_FAIL("`%s` accepted", s);
		return;
	}
	if (!strstr(err.msg, words))
		UNIT_FAIL("`%s`: message `%s` lacks `%s`", s, err.msg, words);
}

TEST(subnets)
{
	struct hull_cidr a, b;
	char buf[HULL_IPV4_LEN];
	char *text;

	CHECK_INT_EQ(hull_cidr_parse("10.50.0.0/24", "--subnet", &a, NULL), 0);
	CHECK_INT_EQ(a.prefix, 24);
	hull_ipv4_format(hull_cidr_first(&a), buf);
	CHECK_STR_EQ(buf, "10.50.0.1");
	hull_ipv4_format(hull_cidr_last(&a), buf);
	CHECK_STR_EQ(buf, "10.50.0.254");
	text = hull_cidr_format(&a);
	CHECK_STR_EQ(text, "10.50.0.0/24");
	free(text);
	CHECK_INT_EQ(hull_cidr_parse("10.50.0.128/25", "", &b, NULL), 0);
	CHECK(hull_cidr_overlap(&a, &b) && hull_cidr_overlap(&b, &a));
	CHECK_INT_EQ(hull_cidr_parse("10.50.1.0/24", "", &b, NULL), 0);
	CHECK(!hull_cidr_overlap(&a, &b));
	CHECK_INT_EQ(hull_cidr_parse("0.0.0.0/0", "", &b, NULL), 0);
	CHECK(hull_cidr_overlap(&a, &b));
	CHECK(hull_cidr_contains(&a, 0x0a3200ff) && !hull_cidr_contains(&a, 0x0a320100));
	cidr_bad("10.50.0.1/24", "has host bits set (the subnet is 10.50.0.0/24)");
	cidr_bad("10.50.0.0", "expected an IPv4 subnet");
	cidr_bad("10.50.0.0/33", "prefix length");
	cidr_bad("10.50.0.0/", "prefix length");
	cidr_bad("10.50/16", "not an IPv4 address");
	cidr_bad("fd00::/64", "not an IPv4 address");
}

static const char host_resolv[] = "# a comment\n"
				  "nameserver 127.0.0.53\n"
				  "search one.example\n"
				  "search corp.example lab.example\n"
				  "nameserver 192.0.2.1\n"
				  "options edns0 trust-ad\n";

TEST(resolv_conf)
{
	char *dns[] = {"192.0.2.9", NULL}, *search[] = {".", NULL}, *opts[] = {"ndots:2", NULL};
	struct hull_resolv_opts o = {0};
	char *out;

	/* loopback nameservers do not work in the container's namespace: docker drops them */
	out = hull_resolv_conf(host_resolv, &o);
	CHECK_STR_EQ(out, "search corp.example lab.example\nnameserver 192.0.2.1\n"
			  "options edns0 trust-ad\n");
	free(out);
	o.host_network = true;
	out = hull_resolv_conf(host_resolv, &o);
	CHECK(strstr(out, "nameserver 127.0.0.53\nnameserver 192.0.2.1\n") != NULL);
	free(out);
	o = (struct hull_resolv_opts){.resolver = "10.89.1.1"};
	out = hull_resolv_conf(host_resolv, &o);
	CHECK_STR_EQ(out, "search corp.example lab.example\nnameserver 10.89.1.1\n"
			  "options edns0 trust-ad\n");
	free(out);
	o = (struct hull_resolv_opts){
		.resolver = "10.89.1.1", .dns = dns, .dns_search = search, .dns_options = opts};
	out = hull_resolv_conf(host_resolv, &o);
	CHECK_STR_EQ(out, "nameserver 192.0.2.9\noptions ndots:2\n");
	free(out);
	o = (struct hull_resolv_opts){0};
	out = hull_resolv_conf("nameserver ::1\n", &o);
	CHECK_STR_EQ(out, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
	free(out);
	o = (struct hull_resolv_opts){.dns = (char *[]){"1.2.3", NULL}};
	CHECK_INT_EQ(hull_resolv_check(&o, NULL), -1);
}

TEST(network_records)
{
	char tmpl[] = "/tmp/hull-netrec.XXXXXX";
	char *dir = mkdtemp(tmpl);
	struct hull_network_opts o = {.name = "front", .subnet = "10.70.0.0/24"};
	struct hull_network *a = NULL, *b = NULL, *c = NULL;
	struct hull_network **v = NULL;
	struct hull_err err = {0};
	char prefix[8];
	size_t n = 0;

	if (!dir) {
		UNIT_FAIL("mkdtemp");
		return;
	}
	CHECK_INT_EQ(hull_network_create(dir, &o, &a, &err), 0);
	if (!a) {
		UNIT_FAIL("create: %s", err.msg);
		goto out;
	}
	CHECK_STR_EQ(a->gateway, "10.70.0.1");
	CHECK(hull_has_prefix(a->bridge, "br-") && strlen(a->bridge) == 15);
	/* unique names, no overlap; the next free automatic subnet */
	CHECK_INT_EQ(hull_network_create(dir, &o, &b, &err), -1);
	CHECK(strstr(err.msg, "already exists") != NULL);
	o = (struct hull_network_opts){.name = "other", .subnet = "10.70.0.0/16"};
	CHECK_INT_EQ(hull_network_create(dir, &o, &b, &err), -1);
	CHECK(strstr(err.msg, "overlaps network front") != NULL);
	o = (struct hull_network_opts){.name = "auto"};
	CHECK_INT_EQ(hull_network_create(dir, &o, &b, &err), 0);
	if (b)
		CHECK_STR_EQ(b->subnet, "10.89.1.0/24");
	/* by name, by id prefix; the built-ins are always there */
	snprintf(prefix, sizeof(prefix), "%.6s", a->id);
	CHECK_INT_EQ(hull_network_load(dir, prefix, &c, &err), 0);
	if (c)
		CHECK_STR_EQ(c->name, "front");
	hull_network_free(c);
	c = NULL;
	CHECK_INT_EQ(hull_network_load(dir, "bridge", &c, &err), 0);
	if (c)
		CHECK(c->builtin && !strcmp(c->subnet, "10.89.0.0/24"));
	CHECK_INT_EQ(hull_network_remove(dir, c, &err), -1);
	CHECK_INT_EQ(hull_network_list(dir, &v, &n, &err), 0);
	CHECK_INT_EQ((int)n, 5);
	if (n == 5)
		CHECK(!strcmp(v[3]->name, "auto") && !strcmp(v[4]->name, "front"));
	hull_network_list_free(v, n);
	CHECK_INT_EQ(hull_network_remove(dir, a, &err), 0);
	CHECK_INT_EQ(hull_network_load(dir, "front", &c, &err) < 0 ? 0 : 1, 0);
out:
	hull_network_free(a);
	hull_network_free(b);
	hull_network_free(c);
	hull_remove_tree(dir, NULL);
}

UNIT_MAIN()
