/* SPDX-License-Identifier: Apache-2.0 */
/* hull inspect of a container: what hull knows of it, as docker's inspect has it where the
 * two have the same thing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "cmd/hull/cli.h"
#include "cmd/hull/inspect.h"
#include "engine/net.h"
#include "engine/ops.h"
#include "engine/prepare.h"
#include "engine/restart_policy.h"
#include "engine/start.h"
#include "lib/json.h"
#include "lib/util.h"
#include "network/cni.h"
#include "runtime/spec/spec.h"

static void ports_json(yajl_gen g, const struct hull_ctr *c)
{
	yajl_gen_array_open(g);
	for (char **p = c->ports; p && *p; p++) {
		struct hull_port port;
		char buf[96];
		if (hull_port_parse(*p, &port, NULL) < 0)
			continue;
		hull_port_format(&port, buf, sizeof(buf));
		hull_gen_str(g, buf);
	}
	yajl_gen_array_close(g);
}

/* docker's Mounts: what -v, --mount and --tmpfs (and the image's Volumes) gave the container,
 * read back from its config.json; docker's own mounts and the /etc files are left out */
static void mounts_json(yajl_gen g, const struct hull_engine *e, const char *cfg)
{
	static const char *const own[] = {"/etc/hostname", "/etc/hosts", "/etc/resolv.conf",
					  "/dev",	   "/dev/shm",	 HULL_RUN_INIT_PATH};
	cleanup_free char *prefix = hull_strfmt("%s/volumes/", e->root);
	struct hull_spec *s = cfg ? hull_spec_parse(cfg, NULL) : NULL;

	yajl_gen_array_open(g);
	for (size_t i = 0; s && i < s->n_mounts; i++) {
		const struct hull_mount *m = &s->mounts[i];
		bool skip = !m->source || (!m->bind && strcmp(m->type ? m->type : "", "tmpfs")),
		     ro = false;
		const char *src = m->source ? m->source : "";
		cleanup_free char *name = NULL;
		for (size_t k = 0; k < ARRAY_SIZE(own); k++)
			skip |= !strcmp(m->destination, own[k]);
		if (skip)
			continue;
		for (char **o = m->options; o && *o; o++)
			ro |= !strcmp(*o, "ro");
		if (m->bind && hull_has_prefix(src, prefix) && strchr(src + strlen(prefix), '/'))
			name = strndup(src + strlen(prefix), strcspn(src + strlen(prefix), "/"));
		yajl_gen_map_open(g);
		hull_gen_str(g, "Type"), hull_gen_str(g, name	   ? "volume"
							 : m->bind ? "bind"
								   : "tmpfs");
		if (name) {
			hull_gen_str(g, "Name"), hull_gen_str(g, name);
			hull_gen_str(g, "Driver"), hull_gen_str(g, "local");
		}
		hull_gen_str(g, "Source"), hull_gen_str(g, m->bind ? src : "");
		hull_gen_str(g, "Destination"), hull_gen_str(g, m->destination);
		hull_gen_str(g, "RW"), yajl_gen_bool(g, !ro);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	hull_spec_free(s);
}

/* docker's NetworkSettings.Networks: one object per network the container is on (with its
 * address while it runs) */
static void networks_json(yajl_gen g, const struct hull_net_attachment *v, size_t n)
{
	yajl_gen_map_open(g);
	for (size_t i = 0; i < n; i++) {
		const char *slash =
			v[i].ip && v[i].net->subnet ? strchr(v[i].net->subnet, '/') : NULL;
		hull_gen_str(g, v[i].net->name);
		yajl_gen_map_open(g);
		hull_gen_str(g, "NetworkID"), hull_gen_str(g, v[i].net->id ? v[i].net->id : "");
		hull_gen_str(g, "Interface"), hull_gen_str(g, v[i].ifname ? v[i].ifname : "");
		hull_gen_str(g, "IPAddress"), hull_gen_str(g, v[i].ip ? v[i].ip : "");
		hull_gen_str(g, "IPPrefixLen"), yajl_gen_integer(g, slash ? atoi(slash + 1) : 0);
		hull_gen_str(g, "Gateway"),
			hull_gen_str(g, v[i].ip && v[i].net->gateway ? v[i].net->gateway : "");
		hull_gen_str(g, "MacAddress"), hull_gen_str(g, v[i].mac ? v[i].mac : "");
		hull_gen_str(g, "Aliases");
		yajl_gen_array_open(g);
		for (char **a = v[i].aliases; a && *a; a++)
			hull_gen_str(g, *a);
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}

/* docker's HostConfig.RestartPolicy */
static void restart_policy_json(yajl_gen g, const struct hull_ctr *c)
{
	struct hull_restart_policy p = {0};
	const char *name = c->restart_policy && *c->restart_policy ? c->restart_policy : "no";

	hull_restart_policy_parse(name, &p, NULL);
	hull_gen_str(g, "HostConfig");
	yajl_gen_map_open(g);
	hull_gen_str(g, "RestartPolicy");
	yajl_gen_map_open(g);
	hull_gen_str(g, "Name"),
		yajl_gen_string(g, (const unsigned char *)name, strcspn(name, ":"));
	hull_gen_str(g, "MaximumRetryCount"), yajl_gen_integer(g, p.max_retries);
	yajl_gen_map_close(g);
	hull_gen_str(g, "AutoRemove"), yajl_gen_bool(g, c->auto_remove);
	yajl_gen_map_close(g);
}

char *inspect_container_json(const struct hull_engine *e, const struct hull_ctr *c)
{
	struct hull_net_attachment *nets = NULL;
	size_t n_nets = 0;
	cleanup_free char *cfgpath = NULL, *cfg = NULL, *logpath = NULL;
	yajl_gen gen = yajl_gen_alloc(NULL);
	enum hull_status s;
	pid_t pid;

	s = hull_ctr_status(e, c, &pid);
	cfgpath = hull_ctr_path(e, c->id, "config.json");
	logpath = hull_ctr_path(e, c->id, "ctr.log");
	yajl_gen_map_open(gen);
	hull_gen_str(gen, "Id"), hull_gen_str(gen, c->id);
	hull_gen_str(gen, "Name"), hull_gen_str(gen, c->name);
	hull_gen_str(gen, "Created"), hull_gen_str(gen, c->created);
	hull_gen_str(gen, "Image"), hull_gen_str(gen, c->image);
	hull_gen_str(gen, "ImageID"), hull_gen_str(gen, c->image_id);
	hull_gen_str(gen, "Path"),
		hull_gen_str(gen, c->command && c->command[0] ? c->command[0] : "");
	hull_gen_str(gen, "Args");
	yajl_gen_array_open(gen);
	for (char **a = c->command && c->command[0] ? c->command + 1 : NULL; a && *a; a++)
		hull_gen_str(gen, *a);
	yajl_gen_array_close(gen);
	hull_gen_str(gen, "Config");
	yajl_gen_map_open(gen);
	hull_gen_str(gen, "Image"), hull_gen_str(gen, c->image);
	hull_gen_str(gen, "Cmd");
	yajl_gen_array_open(gen);
	for (char **a = c->command; a && *a; a++)
		hull_gen_str(gen, *a);
	yajl_gen_array_close(gen);
	hull_gen_str(gen, "Tty"), yajl_gen_bool(gen, c->tty);
	hull_gen_str(gen, "OpenStdin"), yajl_gen_bool(gen, c->interactive);
	hull_gen_str(gen, "StopSignal"), hull_gen_str(gen, c->stop_signal);
	if (c->has_stop_timeout)
		hull_gen_str(gen, "StopTimeout"), yajl_gen_integer(gen, c->stop_timeout);
	hull_gen_str(gen, "Labels");
	yajl_gen_map_open(gen);
	for (size_t i = 0; i < c->n_labels; i++)
		hull_gen_str(gen, c->labels[i].key), hull_gen_str(gen, c->labels[i].value);
	yajl_gen_map_close(gen);
	yajl_gen_map_close(gen);
	hull_gen_str(gen, "Isolation"), hull_gen_str(gen, c->isolation);
	hull_gen_str(gen, "State");
	yajl_gen_map_open(gen);
	hull_gen_str(gen, "Status"), hull_gen_str(gen, docker_state(c, s));
	hull_gen_str(gen, "Running"), yajl_gen_bool(gen, s == HULL_RUNNING || s == HULL_PAUSED);
	hull_gen_str(gen, "Paused"), yajl_gen_bool(gen, s == HULL_PAUSED);
	hull_gen_str(gen, "Restarting"), yajl_gen_bool(gen, hull_ctr_is_restarting(c, s));
	hull_gen_str(gen, "StartedAt"), hull_gen_str(gen, c->started ? c->started : "");
	hull_gen_str(gen, "Pid"), yajl_gen_integer(gen, pid);
	hull_gen_str(gen, "ExitCode"), yajl_gen_integer(gen, c->exited ? c->exit_code : 0);
	hull_gen_str(gen, "FinishedAt"), hull_gen_str(gen, c->finished ? c->finished : "");
	yajl_gen_map_close(gen);
	hull_gen_str(gen, "RestartCount"), yajl_gen_integer(gen, c->restart_count);
	restart_policy_json(gen, c);
	hull_gen_str(gen, "LogPath"), hull_gen_str(gen, logpath);
	hull_gen_str(gen, "Rootfs"), hull_gen_str(gen, c->rootfs);
	hull_gen_str(gen, "AutoRemove"), yajl_gen_bool(gen, c->auto_remove);
	hull_gen_str(gen, "StopSignal"), hull_gen_str(gen, c->stop_signal);
	hull_gen_str(gen, "NetworkSettings");
	yajl_gen_map_open(gen);
	hull_gen_str(gen, "NetworkMode"), hull_gen_str(gen, c->network ? c->network : "none");
	hull_gen_str(gen, "IPAddress"), hull_gen_str(gen, c->ip ? c->ip : "");
	/* attached (with addresses) while it runs, else as its config says */
	if (hull_net_listing(e, c, &nets, &n_nets, NULL) < 0)
		n_nets = 0;
	{
		bool up = n_nets && nets[0].ip;
		hull_gen_str(gen, "Gateway"),
			hull_gen_str(gen, up && nets[0].net->gateway ? nets[0].net->gateway : "");
		hull_gen_str(gen, "MacAddress"),
			hull_gen_str(gen, up && nets[0].mac ? nets[0].mac : "");
	}
	hull_gen_str(gen, "Ports");
	ports_json(gen, c);
	hull_gen_str(gen, "Networks");
	networks_json(gen, nets, n_nets);
	hull_net_attachments_free(nets, n_nets);
	free(nets);
	yajl_gen_map_close(gen);
	hull_read_file(cfgpath, &cfg, NULL, NULL);
	hull_gen_str(gen, "Mounts");
	mounts_json(gen, e, cfg);
	if (cfg) {
		/* the bundle's config.json as it is: yajl copies a number's text verbatim
		 */
		hull_gen_str(gen, "Spec");
		yajl_gen_number(gen, cfg, strlen(cfg));
	}
	yajl_gen_map_close(gen);
	return hull_gen_text(gen);
}
