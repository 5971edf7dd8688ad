/* The bridge network's pure parts (network/cni.c): -p specs and docker's way of showing them,
 * a CNI result's address. */
#include <string.h>

#include "network/cni.h"
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

UNIT_MAIN()
