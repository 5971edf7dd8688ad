/* hull inspect of a container: what hull knows of it, as docker's inspect has it where the
 * two have the same thing. */
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "cmd/hull/cli.h"
#include "cmd/hull/inspect.h"
#include "engine/ops.h"
#include "lib/json.h"
#include "lib/util.h"
#include "network/cni.h"

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

char *inspect_container_json(const struct hull_engine *e, const struct hull_ctr *c)
{
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
	yajl_gen_map_close(gen);
	hull_gen_str(gen, "Isolation"), hull_gen_str(gen, c->isolation);
	hull_gen_str(gen, "State");
	yajl_gen_map_open(gen);
	hull_gen_str(gen, "Status"), hull_gen_str(gen, docker_state(s));
	hull_gen_str(gen, "Running"), yajl_gen_bool(gen, s == HULL_RUNNING || s == HULL_PAUSED);
	hull_gen_str(gen, "Paused"), yajl_gen_bool(gen, s == HULL_PAUSED);
	hull_gen_str(gen, "Pid"), yajl_gen_integer(gen, pid);
	hull_gen_str(gen, "ExitCode"), yajl_gen_integer(gen, c->exited ? c->exit_code : 0);
	hull_gen_str(gen, "FinishedAt"), hull_gen_str(gen, c->finished ? c->finished : "");
	yajl_gen_map_close(gen);
	hull_gen_str(gen, "LogPath"), hull_gen_str(gen, logpath);
	hull_gen_str(gen, "Rootfs"), hull_gen_str(gen, c->rootfs);
	hull_gen_str(gen, "AutoRemove"), yajl_gen_bool(gen, c->auto_remove);
	hull_gen_str(gen, "StopSignal"), hull_gen_str(gen, c->stop_signal);
	hull_gen_str(gen, "NetworkSettings");
	yajl_gen_map_open(gen);
	hull_gen_str(gen, "NetworkMode"), hull_gen_str(gen, c->network ? c->network : "none");
	hull_gen_str(gen, "IPAddress"), hull_gen_str(gen, c->ip ? c->ip : "");
	hull_gen_str(gen, "Gateway"), hull_gen_str(gen, c->ip ? HULL_NET_GATEWAY : "");
	hull_gen_str(gen, "Ports");
	ports_json(gen, c);
	yajl_gen_map_close(gen);
	if (hull_read_file(cfgpath, &cfg, NULL, NULL) == 0) {
		/* the bundle's config.json as it is: yajl copies a number's text verbatim
		 */
		hull_gen_str(gen, "Spec");
		yajl_gen_number(gen, cfg, strlen(cfg));
	}
	yajl_gen_map_close(gen);
	return hull_gen_text(gen);
}
