/* SPDX-License-Identifier: Apache-2.0 */
/* hull: global options, command dispatch, and the one place errors are printed. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "cmd/hull/cli.h"
#include "cmd/hull/regcli.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/executor.h"
#include "runtime/selfexe.h"
#include "vm/vm.h"

/* The isolation levels of `hull run --isolation`, the default first (runtime/executor.h). */
static const struct hull_executor *const levels[] = {&hull_container_executor, &hull_vm_executor};

static int cmd_version(const struct hull_globals *g, int argc, char **argv, struct hull_err *err);

static const struct hull_command commands[] = {
	{"run", cmd_run, "run a command in a new container", NULL},
	{"exec", cmd_exec, "run a command in a running container", NULL},
	{"create", cmd_create, "make a new container without starting it", NULL},
	{"start", cmd_start, "start created or stopped containers", NULL},
	{"restart", cmd_restart, "stop containers and start them again", NULL},
	{"attach", cmd_attach, "attach to a running container's stdio", NULL},
	{"cp", cmd_cp, "copy files between a container and the host", NULL},
	{"diff", cmd_diff, "what changed in a container's filesystem", NULL},
	{"ps", cmd_ps, "list containers", NULL},
	{"logs", cmd_logs, "print the logs of a container", NULL},
	{"stop", cmd_stop, "stop containers (stop signal, then SIGKILL)", NULL},
	{"kill", cmd_kill, "send a signal to containers", NULL},
	{"rm", cmd_rm, "remove containers", NULL},
	{"wait", cmd_wait, "wait for containers to stop and print their exit codes", NULL},
	{"pause", cmd_pause, "freeze every process of containers", NULL},
	{"unpause", cmd_unpause, "thaw paused containers", NULL},
	{"top", cmd_top, "the processes of a container (ps options may follow)", NULL},
	{"stats", cmd_stats, "resource use of containers (CPU, memory, I/O, pids)", NULL},
	{"port", cmd_port, "a container's published ports", NULL},
	{"rename", cmd_rename, "rename a container", NULL},
	{"update", cmd_update, "change the resource limits of running containers", NULL},
	{"events", cmd_events, "what hull does to containers, as it happens", NULL},
	{"pull", cmd_pull, "pull an image from a registry", NULL},
	{"push", cmd_push, "push an image to a registry", NULL},
	{"login", cmd_login, "log in to a registry (credentials checked, then stored)", NULL},
	{"logout", cmd_logout, "forget a registry's stored login", NULL},
	{"tag", cmd_tag, "give an image another name", NULL},
	{"history", cmd_history, "the steps that made an image", NULL},
	{"images", cmd_images, "list images",
	 "images [OPTIONS] [REPOSITORY[:TAG]]\n\n"
	 "List images.\n\n"
	 "Options:\n"
	 "  -a, --all             show all images (hull has no intermediate images)\n"
	 "  -f, --filter KEY=VALUE  dangling=true|false, reference=PATTERN, before=IMAGE,\n"
	 "                        since=IMAGE\n"
	 "  -q, --quiet           only show image IDs\n"
	 "      --no-trunc        do not truncate image IDs\n"
	 "      --format FORMAT   table, table TEMPLATE, json (one object per line) or a Go\n"
	 "                        template, e.g. '{{.Repository}}:{{.Tag}}'\n"},
	{"load", cmd_load, "load images from a docker-archive, oci-archive or OCI layout",
	 "load [OPTIONS]\n\n"
	 "Load images from a tar archive (docker save or oci-archive, any compression) or an\n"
	 "OCI image layout directory; standard input by default.\n\n"
	 "Options:\n"
	 "  -i, --input PATH      read from PATH (a file or an OCI layout directory)\n"
	 "  -q, --quiet           no progress output\n"},
	{"import", cmd_import, "make an image from a root file system tarball",
	 "import [OPTIONS] FILE|- [REPOSITORY[:TAG]]\n\n"
	 "Make a one-layer image from a root file system tarball (any compression).\n\n"
	 "Options:\n"
	 "  -q, --quiet           no progress output\n"},
	{"save", cmd_save, "write images to a docker-archive or oci-archive",
	 "save [OPTIONS] IMAGE [IMAGE...]\n\n"
	 "Write images to a tar archive, standard output by default.\n\n"
	 "Options:\n"
	 "  -o, --output FILE     write to FILE\n"
	 "      --format FORMAT   docker-archive (default; also an OCI layout) or oci-archive\n"},
	{"rmi", cmd_rmi, "remove images",
	 "rmi [OPTIONS] IMAGE [IMAGE...]\n\n"
	 "Remove images (a name untags it; the image goes with its last name) and the layers\n"
	 "nothing uses any more.\n\n"
	 "Options:\n"
	 "  -f, --force           remove an image that has several names or is in use\n"},
	{"image", cmd_image, "manage images (image ls|rm|inspect|load|save|import)",
	 "image COMMAND\n\n"
	 "Commands:\n"
	 "  ls        list images (as `hull images`)\n"
	 "  rm        remove images (as `hull rmi`)\n"
	 "  inspect   print images as JSON\n"
	 "  load, save, import   as `hull load`, `hull save`, `hull import`\n"},
	{"commit", cmd_commit, "make an image from a container's changes",
	 "commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]\n\n"
	 "Make a new image from a container's changes (its files, as a new layer on its\n"
	 "image).\n\n"
	 "Options:\n"
	 "  -a, --author TEXT     the image's author\n"
	 "  -c, --change INSTR    a Dockerfile instruction for the image's settings (CMD,\n"
	 "                        ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER, VOLUME,\n"
	 "                        WORKDIR, STOPSIGNAL); repeatable\n"
	 "  -m, --message TEXT    the commit message (the history entry's comment)\n"
	 "  -p, --pause[=BOOL]    pause a running container while committing (default true)\n"},
	{"build", cmd_build, "build an image from a Dockerfile", NULL},
	{"builder", cmd_builder, "manage the build cache (builder prune)", NULL},
	{"network", cmd_network, "manage networks (network create|ls|inspect|rm|connect|...)",
	 "network COMMAND\n\n"
	 "Manage networks: `bridge` (the default), `host`, `none` and the user's own.\n\n"
	 "Commands:\n"
	 "  create      create a bridge network with a subnet of its own\n"
	 "  ls          list networks\n"
	 "  inspect     print networks as JSON\n"
	 "  rm          remove networks no container is on\n"
	 "  connect     connect a running container to a network (another interface)\n"
	 "  disconnect  disconnect a container from a network\n"
	 "  prune       remove every user network no container is on\n"},
	{"network-create", cmd_network, NULL,
	 "network create [OPTIONS] NETWORK\n\n"
	 "Create a bridge network (its own bridge br-ID12, addresses from host-local); prints its\n"
	 "ID.  Containers on it resolve each other's names and --network-alias (aardvark-dns).\n\n"
	 "Options:\n"
	 "  -d, --driver bridge       the only driver\n"
	 "      --subnet CIDR         an IPv4 subnet (default: a free 10.89.N.0/24)\n"
	 "      --gateway IP          the bridge's address (default: the subnet's first)\n"
	 "      --ip-range CIDR       hand out addresses from this part of the subnet only\n"
	 "      --internal            no way out: no default route, no NAT\n"
	 "      --label KEY=VALUE     a label (repeatable)\n"},
	{"network-ls", cmd_network, NULL,
	 "network ls [OPTIONS]\n\n"
	 "List networks.\n\n"
	 "Options:\n"
	 "  -f, --filter KEY=VALUE    name=SUBSTRING, id=PREFIX, label=KEY[=VALUE], driver=NAME,\n"
	 "                            type=builtin|custom, dangling=true|false\n"
	 "      --format FORMAT       table, table TEMPLATE, json or a Go template, e.g.\n"
	 "                            '{{.Name}} {{.Subnet}}' (ID Name Driver Scope IPv6\n"
	 "                            Internal Labels CreatedAt Subnet Gateway)\n"
	 "      --no-trunc            full IDs\n"
	 "  -q, --quiet               only IDs\n"},
	{"network-rm", cmd_network, NULL,
	 "network rm [-f] NETWORK [NETWORK...]\n\n"
	 "Remove networks no container is on, with their bridges (-f: no error for a network\n"
	 "that is not there).\n"},
	{"network-connect", cmd_network, NULL,
	 "network connect [OPTIONS] NETWORK CONTAINER\n\n"
	 "Connect a running container (container level) to another network: a new interface\n"
	 "(eth1, ...) in its namespace, undone when it stops.\n\n"
	 "Options:\n"
	 "      --ip IP               a fixed IPv4 address (user networks)\n"
	 "      --alias NAME          another name of the container on that network\n"},
	{"network-disconnect", cmd_network, NULL,
	 "network disconnect [-f] NETWORK CONTAINER\n\n"
	 "Take a container's interface on a network away.\n"},
	{"network-prune", cmd_network, NULL,
	 "network prune [OPTIONS]\n\n"
	 "Remove every user network no container is on.\n\n"
	 "Options:\n"
	 "  -f, --force               do not ask\n"
	 "      --filter label=KEY[=VALUE]  only networks with that label\n"},
	{"inspect", cmd_inspect, "print containers, images or networks as JSON", NULL},
	{"volume", cmd_volume, "manage volumes (volume create|ls|inspect|rm|prune)", NULL},
	{"image-inspect", cmd_image_inspect, NULL,
	 "image inspect IMAGE [IMAGE...]\n\nPrint what hull knows about images, as a JSON "
	 "array.\n"},
	{"compare", cmd_compare, "run a workload as a container and as a VM, side by side", NULL},
	{"info", cmd_info, "what this host gives hull (cgroups, isolation levels, counts)", NULL},
	{"version", cmd_version, "print the version", "version\n\nPrint hull's version.\n"},
};

int usage_error(struct hull_err *err, const char *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return hull_error(err, 0, "%s: %s (see `hull %s --help`)", cmd, msg, cmd);
}

int open_engine(const struct hull_globals *g, struct hull_engine *e, struct hull_err *err)
{
	return hull_engine_init(e, g->root, g->runroot, err);
}

char *human_age(const char *rfc3339, bool ago)
{
	struct tm tm = {0};
	long long d;
	const char *suffix = ago ? " ago" : "";
	char *out;

	if (!rfc3339 || !strptime(rfc3339, "%Y-%m-%dT%H:%M:%S", &tm))
		return xstrdup("");
	d = (long long)(time(NULL) - timegm(&tm));
	if (d < 1)
		out = hull_strfmt(ago ? "Less than a second ago" : "Less than a second");
	else if (d < 60)
		out = hull_strfmt("%lld second%s%s", d, d == 1 ? "" : "s", suffix);
	else if (d < 120)
		out = hull_strfmt("About a minute%s", suffix);
	else if (d < 3600)
		out = hull_strfmt("%lld minutes%s", d / 60, suffix);
	else if (d < 7200)
		out = hull_strfmt("About an hour%s", suffix);
	else if (d < 48 * 3600)
		out = hull_strfmt("%lld hours%s", d / 3600, suffix);
	else
		out = hull_strfmt("%lld days%s", d / 86400, suffix);
	return out;
}

void print_usage(const char *cmd)
{
	size_t i;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, cmd) && commands[i].usage)
			printf("Usage: hull %s", commands[i].usage);
}

static void usage(FILE *f)
{
	size_t i;
	fprintf(f, "Usage: hull [OPTIONS] COMMAND [ARGS]\n\n"
		   "hull's daemonless, Docker-style command line.\n\nCommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].summary)
			fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
		"\nOptions:\n"
		"  --root DIR     images, containers and logs (default $HULL_STORAGE or %s)\n"
		"  --runroot DIR  runtime state of live containers (default $HULL_RUNROOT or "
		"/run/hull)\n"
		"  --debug        more detail in errors\n"
		"  -v, --version  print the version\n"
		"  -h, --help     print this help\n\n"
		"`hull COMMAND --help` shows a command's options; see hull(1).\n",
		HULL_ENGINE_DEFAULT_ROOT);
}

static int cmd_version(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	if (argc > 1 && strcmp(argv[1], "--help") && strcmp(argv[1], "-h"))
		return usage_error(err, "version", "unexpected argument `%s`", argv[1]);
	if (argc > 1) {
		print_usage("version");
		return 0;
	}
	printf("hull version %s\ncommit: %s\nstorage root: %s\n", HULL_VERSION, HULL_COMMIT,
	       g->root);
	return 0;
}

/* The commands that put a process into a container (the runtime runs in-process). */
static bool enters_container(const char *cmd)
{
	static const char *const entering[] = {"run",	"exec",	 "compare", "top",
					       "build", "start", "restart"};
	for (size_t i = 0; i < sizeof(entering) / sizeof(entering[0]); i++)
		if (!strcmp(entering[i], cmd))
			return true;
	return false;
}

int dispatch(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	size_t i;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[0], commands[i].name))
			continue;
		optind = 0; /* each command parses its own options from a fresh getopt */
		return commands[i].fn(g, argc, argv, err);
	}
	return hull_error(err, EINVAL, "unknown command `%s` (see `hull --help`)", argv[0]);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"root", required_argument, NULL, 'r'}, {"runroot", required_argument, NULL, 'R'},
		{"debug", no_argument, NULL, 'd'},	{"version", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},	{NULL, 0, NULL, 0},
	};
	struct hull_globals g = {.root = HULL_ENGINE_DEFAULT_ROOT,
				 .runroot = HULL_ENGINE_DEFAULT_RUNROOT};
	struct hull_err err = {0};
	int c, rc;

	hull_executors_use(levels, ARRAY_SIZE(levels));
	/* HULL_ROOT is hull-oci's state root; hull's two have their own variables */
	if (getenv("HULL_STORAGE") && *getenv("HULL_STORAGE"))
		g.root = getenv("HULL_STORAGE");
	if (getenv("HULL_RUNROOT") && *getenv("HULL_RUNROOT"))
		g.runroot = getenv("HULL_RUNROOT");
	/* a reader of our output going away is not our error */
	signal(SIGPIPE, SIG_IGN);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			g.root = optarg;
			break;
		case 'R':
			g.runroot = optarg;
			break;
		case 'd':
			g.debug = true;
			break;
		case 'v':
			printf("hull version %s, commit %s\n", HULL_VERSION, HULL_COMMIT);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "hull: unknown option `%s` (see `hull --help`)\n",
				argv[optind - 1]);
			return HULL_EXIT_ERROR;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return HULL_EXIT_ERROR;
	}
	if (!strcmp(argv[optind], "help")) {
		usage(stdout);
		return 0;
	}
	hull_log_set_program("hull");
	if (hull_log_init(NULL, "text", g.debug, &err) < 0) {
		fprintf(stderr, "hull: %s\n", err.msg);
		return HULL_EXIT_ERROR;
	}
	/* CVE-2019-5736: the runtime runs in-process here, so its processes would have this
	 * binary as /proc/self/exe; those commands re-execute from a read-only view of it */
	if (enters_container(argv[optind]) && hull_selfexe_protect(argv, &err) < 0) {
		fprintf(stderr, "hull: %s\n", err.msg);
		return HULL_EXIT_ERROR;
	}
	rc = dispatch(&g, argc - optind, argv + optind, &err);
	if (rc < 0) {
		fprintf(stderr, "hull: %s\n", err.msg);
		return HULL_EXIT_ERROR;
	}
	return rc;
}
