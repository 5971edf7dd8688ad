/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hull's bridge networks through the CNI plugins (containernetworking-plugins), invoked as
 * the CNI spec says: the plugin's configuration on stdin, CNI_* in the environment, the
 * result or an error object on stdout.  A network is one chain: `bridge` (the network's Linux
 * bridge as gateway of its subnet (masquerading out is set once per network: masq.c),
 * host-local addresses from its range kept under the runtime's state root, a fixed one
 * through host-local's `ips` capability) and, when ports are published, `portmap` (iptables
 * DNAT, localhost included).  Each plugin of the chain gets the previous one's result as
 * prevResult; the detach runs the chain backwards with the attach's result.
 */
#include "network/cni.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "lib/json.h"
#include "lib/util.h"
#include "network/ipv4.h"

#define CNI_VERSION "1.0.0"

int hull_port_parse(const char *spec, struct hull_port *p, struct hull_err *err)
{
	cleanup_free char *s = xstrdup(spec);
	char *slash = strchr(s, '/'), *cport, *hport, *end;
	unsigned long hp, cp;

	memset(p, 0, sizeof(*p));
	strcpy(p->proto, "tcp");
	if (slash) {
		*slash = 0;
		if (strcmp(slash + 1, "tcp") && strcmp(slash + 1, "udp") &&
		    strcmp(slash + 1, "sctp"))
			return hull_error(err, EINVAL,
					  "-p `%s`: protocol `%s` is not tcp, udp or sctp", spec,
					  slash + 1);
		snprintf(p->proto, sizeof(p->proto), "%s", slash + 1);
	}
	cport = strrchr(s, ':');
	if (!cport)
		return hull_error(err, EINVAL,
				  "-p `%s`: expected [HOSTIP:]HOSTPORT:CONTAINERPORT[/PROTO]",
				  spec);
	*cport++ = 0;
	hport = strrchr(s, ':');
	if (hport) {
		char *ip = s;
		size_t len;
		unsigned char buf[16];
		*hport++ = 0;
		len = strlen(ip);
		if (len > 1 && ip[0] == '[' && ip[len - 1] == ']') {
			ip[len - 1] = 0;
			ip++;
		}
		if (*ip && inet_pton(AF_INET, ip, buf) != 1 && inet_pton(AF_INET6, ip, buf) != 1)
			return hull_error(err, EINVAL, "-p `%s`: `%s` is not an IP address", spec,
					  ip);
		snprintf(p->host_ip, sizeof(p->host_ip), "%s", ip);
	} else {
		hport = s;
	}
	errno = 0;
	hp = strtoul(hport, &end, 10);
	if (errno || *end || !*hport || hp == 0 || hp > 65535)
		return hull_error(err, EINVAL, "-p `%s`: host port `%s` is not 1 to 65535", spec,
				  hport);
	cp = strtoul(cport, &end, 10);
	if (errno || *end || !*cport || cp == 0 || cp > 65535)
		return hull_error(err, EINVAL, "-p `%s`: container port `%s` is not 1 to 65535",
				  spec, cport);
	p->host_port = (unsigned short)hp;
	p->container_port = (unsigned short)cp;
	return 0;
}

void hull_port_format(const struct hull_port *p, char *buf, size_t n)
{
	bool v6 = strchr(p->host_ip, ':') != NULL;
	snprintf(buf, n, "%s%s%s:%u->%u/%s", v6 ? "[" : "", *p->host_ip ? p->host_ip : "0.0.0.0",
		 v6 ? "]" : "", p->host_port, p->container_port, p->proto);
}

static const char *plugin_dir(const struct hull_cni *n)
{
	static const char *const dirs[] = {"/usr/lib/cni", "/opt/cni/bin"};
	const char *env = getenv("HULL_CNI_PATH");
	if (n->plugin_dir)
		return n->plugin_dir;
	if (env && *env)
		return env;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		cleanup_free char *b = hull_strfmt("%s/bridge", dirs[i]);
		if (access(b, X_OK) == 0)
			return dirs[i];
	}
	return dirs[0];
}

static void gstr(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

/* A plugin's configuration: the network's name and version, the plugin's own keys (by type),
 * the previous result (a JSON text) when there is one. */
/* host-local's range: the subnet, its gateway, and --ip-range's first and last address */
static void ipam_range(yajl_gen g, const struct hull_network *net)
{
	struct hull_cidr r;
	char a[HULL_IPV4_LEN];

	yajl_gen_map_open(g);
	gstr(g, "subnet"), gstr(g, net->subnet);
	gstr(g, "gateway"), gstr(g, net->gateway);
	if (net->ip_range && hull_cidr_parse(net->ip_range, "", &r, NULL) == 0) {
		hull_ipv4_format(hull_cidr_first(&r), a);
		gstr(g, "rangeStart"), gstr(g, a);
		hull_ipv4_format(hull_cidr_last(&r), a);
		gstr(g, "rangeEnd"), gstr(g, a);
	}
	yajl_gen_map_close(g);
}

static char *plugin_conf(const struct hull_cni *n, const struct hull_cni_join *j, const char *type,
			 const char *prev)
{
	const struct hull_network *net = j->net;
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	char *out = NULL;

	yajl_gen_map_open(g);
	gstr(g, "cniVersion"), gstr(g, CNI_VERSION);
	gstr(g, "name"), gstr(g, net->name);
	gstr(g, "type"), gstr(g, type);
	if (!strcmp(type, "bridge")) {
		cleanup_free char *ipam = hull_strfmt("%s/ipam", n->state_dir);
		gstr(g, "bridge"), gstr(g, net->bridge);
		/* an internal network keeps its gateway address (the DNS server listens there)
		 * but has no way out: no default route.  Masquerading is the network's, not
		 * each container's (masq.c) */
		gstr(g, "isGateway"), yajl_gen_bool(g, 1);
		gstr(g, "ipMasq"), yajl_gen_bool(g, 0);
		gstr(g, "hairpinMode"), yajl_gen_bool(g, 1);
		if (j->ip) {
			struct hull_cidr sub = {0};
			cleanup_free char *want = NULL;
			hull_cidr_parse(net->subnet, "", &sub, NULL);
			want = hull_strfmt("%s/%d", j->ip, sub.prefix);
			gstr(g, "capabilities");
			yajl_gen_map_open(g);
			gstr(g, "ips"), yajl_gen_bool(g, 1);
			yajl_gen_map_close(g);
			gstr(g, "runtimeConfig");
			yajl_gen_map_open(g);
			gstr(g, "ips");
			yajl_gen_array_open(g);
			gstr(g, want);
			yajl_gen_array_close(g);
			yajl_gen_map_close(g);
		}
		gstr(g, "ipam");
		yajl_gen_map_open(g);
		gstr(g, "type"), gstr(g, "host-local");
		gstr(g, "dataDir"), gstr(g, ipam);
		if (!net->internal) {
			gstr(g, "routes");
			yajl_gen_array_open(g);
			yajl_gen_map_open(g);
			gstr(g, "dst"), gstr(g, "0.0.0.0/0");
			yajl_gen_map_close(g);
			yajl_gen_array_close(g);
		}
		gstr(g, "ranges");
		yajl_gen_array_open(g);
		yajl_gen_array_open(g);
		ipam_range(g, net);
		yajl_gen_array_close(g);
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	} else { /* portmap */
		gstr(g, "capabilities");
		yajl_gen_map_open(g);
		gstr(g, "portMappings"), yajl_gen_bool(g, 1);
		yajl_gen_map_close(g);
		gstr(g, "runtimeConfig");
		yajl_gen_map_open(g);
		gstr(g, "portMappings");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < j->n_ports; i++) {
			const struct hull_port *p = &j->ports[i];
			yajl_gen_map_open(g);
			gstr(g, "hostPort"), yajl_gen_integer(g, p->host_port);
			gstr(g, "containerPort"), yajl_gen_integer(g, p->container_port);
			gstr(g, "protocol"), gstr(g, p->proto);
			if (*p->host_ip)
				gstr(g, "hostIP"), gstr(g, p->host_ip);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	}
	if (prev) {
		yajl_val tree = yajl_tree_parse(prev, NULL, 0);
		/* an attach that never finished has no result: its DEL goes without one */
		if (tree && !hull_json_str(sj_get(tree, "cniVersion"))) {
			yajl_tree_free(tree);
			tree = NULL;
		}
		if (tree) {
			gstr(g, "prevResult");
			sj_gen(g, tree);
			yajl_tree_free(tree);
		}
	}
	yajl_gen_map_close(g);
	if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
		out = strndup((const char *)buf, len);
	yajl_gen_free(g);
	return out;
}

/* The plugin's error object ({"code", "msg", "details"}) as one line. */
static void plugin_error(const char *type, const char *cmd, const char *out, int status,
			 struct hull_err *err)
{
	static const char *msgp[] = {"msg", NULL}, *detp[] = {"details", NULL};
	yajl_val t = out ? yajl_tree_parse(out, NULL, 0) : NULL;
	const char *msg = t ? YAJL_GET_STRING(yajl_tree_get(t, msgp, yajl_t_string)) : NULL;
	const char *det = t ? YAJL_GET_STRING(yajl_tree_get(t, detp, yajl_t_string)) : NULL;

	hull_error(err, EIO, "CNI plugin `%s` (%s): %s%s%s", type, cmd,
		   msg ? msg : "failed without an error object", det && *det ? ": " : "",
		   det && *det ? det : "");
	if (!msg && status >= 0)
		hull_error_wrap(err, "exit status %d", status);
	yajl_tree_free(t);
}

/* Start a plugin: its configuration written to its stdin, its stdout kept in call->out. */
static int spawn_plugin(const struct hull_cni *n, const struct hull_cni_join *j, const char *type,
			const char *cmd, const char *conf, struct hull_cni_call *call,
			struct hull_err *err)
{
	const char *dir = plugin_dir(n);
	cleanup_free char *path = hull_strfmt("%s/%s", dir, type);
	cleanup_free char *e_cmd = hull_strfmt("CNI_COMMAND=%s", cmd);
	cleanup_free char *e_id = hull_strfmt("CNI_CONTAINERID=%s", j->id);
	cleanup_free char *e_ns = hull_strfmt("CNI_NETNS=%s", j->netns);
	cleanup_free char *e_if = hull_strfmt("CNI_IFNAME=%s", j->ifname);
	cleanup_free char *e_path = hull_strfmt("CNI_PATH=%s", dir);
	char *env[] = {e_cmd, e_id, e_ns, e_if, e_path, "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
	int in[2], op[2];
	pid_t pid;

	call->pid = -1;
	call->out = -1;
	if (access(path, X_OK) < 0)
		return hull_error(err, errno,
				  "CNI plugin `%s` (install containernetworking-plugins, or set "
				  "HULL_CNI_PATH)",
				  path);
	if (pipe2(in, O_CLOEXEC) < 0)
		return hull_error(err, errno, "pipe");
	if (pipe2(op, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return hull_error(err, errno, "pipe");
	}
	pid = fork();
	if (pid < 0) {
		close(in[0]);
		close(in[1]);
		close(op[0]);
		close(op[1]);
		return hull_error(err, errno, "fork CNI plugin `%s`", type);
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (dup2(in[0], 0) < 0 || dup2(op[1], 1) < 0 || null < 0 || dup2(null, 2) < 0)
			_exit(127);
		execve(path, (char *[]){path, NULL}, env);
		_exit(127);
	}
	close(in[0]);
	close(op[1]);
	/* a configuration is a few KiB: it fits the pipe, so it can be written before reading */
	hull_write_all(in[1], conf, strlen(conf));
	close(in[1]);
	call->pid = pid;
	call->out = op[0];
	return 0;
}

/* Its result (or error object) read, its exit awaited. */
static int collect_plugin(struct hull_cni_call *call, const char *type, const char *cmd, char **out,
			  struct hull_err *err)
{
	size_t len = 0;
	int status = 0;

	*out = NULL;
	if (call->pid <= 0)
		return hull_error(err, ECHILD, "CNI plugin `%s` (%s) was not started", type, cmd);
	if (hull_read_fd(call->out, out, &len, NULL) < 0)
		*out = NULL;
	close(call->out);
	while (waitpid(call->pid, &status, 0) < 0)
		if (errno != EINTR) {
			status = -1;
			break;
		}
	call->pid = -1;
	call->out = -1;
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		plugin_error(type, cmd, *out,
			     status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1, err);
		free(*out);
		*out = NULL;
		return -1;
	}
	if (!*out)
		*out = xstrdup("{}");
	return 0;
}

static int exec_plugin(const struct hull_cni *n, const struct hull_cni_join *j, const char *type,
		       const char *cmd, const char *conf, char **out, struct hull_err *err)
{
	struct hull_cni_call call;

	*out = NULL;
	if (spawn_plugin(n, j, type, cmd, conf, &call, err) < 0)
		return -1;
	return collect_plugin(&call, type, cmd, out, err);
}

static int run_plugin(const struct hull_cni *n, const struct hull_cni_join *j, const char *type,
		      const char *cmd, const char *prev, char **out, struct hull_err *err)
{
	cleanup_free char *conf = plugin_conf(n, j, type, prev);
	if (!conf)
		return hull_error(err, ENOMEM, "CNI configuration for `%s`", type);
	return exec_plugin(n, j, type, cmd, conf, out, err);
}

int hull_cni_attach_start(const struct hull_cni *n, const struct hull_cni_join *j,
			  struct hull_cni_call *call, struct hull_err *err)
{
	cleanup_free char *conf = plugin_conf(n, j, "bridge", NULL);
	if (!conf)
		return hull_error(err, ENOMEM, "CNI configuration for `bridge`");
	return spawn_plugin(n, j, "bridge", "ADD", conf, call, err);
}

int hull_cni_attach_finish(const struct hull_cni *n, const struct hull_cni_join *j,
			   struct hull_cni_call *call, char **result, struct hull_err *err)
{
	char *bridge = NULL, *pm = NULL;

	*result = NULL;
	if (collect_plugin(call, "bridge", "ADD", &bridge, err) < 0) {
		/* a half-made attachment (a veth, an address) goes with a DEL */
		char *ignored = NULL;
		run_plugin(n, j, "bridge", "DEL", NULL, &ignored, NULL);
		free(ignored);
		return -1;
	}
	if (j->n_ports && run_plugin(n, j, "portmap", "ADD", bridge, &pm, err) < 0) {
		hull_cni_detach(n, j, bridge, NULL);
		free(bridge);
		return -1;
	}
	/* portmap passes its prevResult on: the bridge's result is the chain's */
	free(pm);
	*result = bridge;
	return 0;
}

int hull_cni_detach(const struct hull_cni *n, const struct hull_cni_join *j, const char *result,
		    struct hull_err *err)
{
	char *out = NULL;
	int rc = 0;

	if (j->n_ports) {
		rc = run_plugin(n, j, "portmap", "DEL", result, &out, err);
		free(out);
		out = NULL;
	}
	if (run_plugin(n, j, "bridge", "DEL", result, &out, rc < 0 ? NULL : err) < 0)
		rc = -1;
	free(out);
	return rc;
}

int hull_cni_result_ipv4(const char *result, char *buf, size_t n)
{
	static const char *ipsp[] = {"ips", NULL}, *addrp[] = {"address", NULL};
	yajl_val t = result ? yajl_tree_parse(result, NULL, 0) : NULL;
	yajl_val ips = t ? yajl_tree_get(t, ipsp, yajl_t_array) : NULL;
	int rc = -1;

	for (size_t i = 0; ips && i < ips->u.array.len && rc < 0; i++) {
		const char *a = YAJL_GET_STRING(
			yajl_tree_get(ips->u.array.values[i], addrp, yajl_t_string));
		if (a && strchr(a, '.') && strcspn(a, "/") < n) {
			snprintf(buf, n, "%.*s", (int)strcspn(a, "/"), a);
			rc = 0;
		}
	}
	yajl_tree_free(t);
	return rc;
}
