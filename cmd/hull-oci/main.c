/* SPDX-License-Identifier: Apache-2.0 */
/* hull-oci: global options, command dispatch, and the one place errors are printed. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/hull-oci/cli.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/executor.h"
#include "runtime/selfexe.h"
#include "runtime/state.h"
#include "vm/vm.h"

/* The isolation levels of this binary, the default first (runtime/executor.h). */
static const struct hull_executor *const levels[] = {&hull_container_executor, &hull_vm_executor};

/* hull-oci-LEVEL runs new containers at that level (hull-oci-vm), unless annotated. */
static const char *level_by_name(const char *name)
{
	static const char prefix[] = "hull-oci-";
	for (size_t i = 0; i < ARRAY_SIZE(levels); i++)
		if (!strncmp(name, prefix, sizeof(prefix) - 1) &&
		    !strcmp(name + sizeof(prefix) - 1, levels[i]->name))
			return levels[i]->name;
	return NULL;
}

/* The status of a failed `exec`: runc's documented one (runc-exec(8)), so that a caller
 * tells the runtime's failure from the process's own status 1. */
#define OCI_EXIT_EXEC_FAILED 255

static const struct command {
	const char *name;
	int (*fn)(const struct oci_globals *, int, char **, struct hull_err *);
	const char *help;
	int fail_status; /* exit status when fn fails */
} commands[] = {
	{"create", cmd_create, "create a container; its process waits for start", 1},
	{"start", cmd_start, "run the process of a created container", 1},
	{"run", cmd_run, "create and start a container (foreground unless --detach)", 1},
	{"exec", cmd_exec, "run another process in a container", OCI_EXIT_EXEC_FAILED},
	{"ps", cmd_ps, "list the processes of a container", 1},
	{"state", cmd_state, "print the state of a container as JSON", 1},
	{"kill", cmd_kill, "send a signal to a container's init (or all its processes)", 1},
	{"pause", cmd_pause, "freeze every process of a container", 1},
	{"resume", cmd_resume, "thaw a paused container", 1},
	{"update", cmd_update, "change a container's resource limits", 1},
	{"events", cmd_events, "print a container's statistics and OOM events", 1},
	{"delete", cmd_delete, "delete a container and everything it holds", 1},
	{"list", cmd_list, "list containers", 1},
	{"ls", cmd_list, NULL, 1},
	{"spec", cmd_spec, "write a default config.json", 1},
	{"features", cmd_features, "print what this runtime supports, as JSON", 1},
	{"install", cmd_install, "register hull-oci with docker, podman, containerd or crio", 1},
};

int usage_error(struct hull_err *err, const char *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return hull_error(err, EINVAL, "%s: %s (see `hull-oci %s --help`)", cmd, msg, cmd);
}

static void usage(FILE *f)
{
	size_t i;
	fprintf(f, "Usage: hull-oci [global options] COMMAND [options] [ARGS]\n\n"
		   "hull's runc-compatible OCI runtime.\n\nCommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].help)
			fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f,
		"\nGlobal options:\n"
		"  --root DIR            state directory (default $HULL_ROOT or %s)\n"
		"  --log FILE            write the log to FILE\n"
		"  --log-format FORMAT   text (default) or json (runc's format)\n"
		"  --debug               log debug messages\n"
		"  --systemd-cgroup      place containers in transient systemd scopes\n"
		"  -v, --version         print the version\n"
		"  -h, --help            print this help\n\n"
		"`hull-oci COMMAND --help` shows a command's options; see hull-oci(1).\n",
		HULL_DEFAULT_ROOT);
}

static void version(void)
{
	printf("hull-oci version %s\ncommit: %s\nspec: 1.2.0\n", HULL_VERSION, HULL_COMMIT);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"root", required_argument, NULL, 'r'},
		{"log", required_argument, NULL, 'l'},
		{"log-format", required_argument, NULL, 'f'},
		{"debug", no_argument, NULL, 'd'},
		{"systemd-cgroup", no_argument, NULL, 's'},
		{"rootless", required_argument, NULL, 'R'},
		{"version", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct oci_globals g = {.root = HULL_DEFAULT_ROOT, .log_format = "text"};
	/* for callers that cannot pass --root to every command (podman leaves it out of delete) */
	if (getenv("HULL_ROOT") && *getenv("HULL_ROOT"))
		g.root = getenv("HULL_ROOT");
	struct hull_err err = {0};
	const char *name = argc > 0 ? basename(argv[0]) : "hull-oci";
	size_t i;
	int c, rc;

	hull_executors_use(levels, ARRAY_SIZE(levels));
	g.level_by_name = level_by_name(name);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			g.root = optarg;
			g.root_given = true;
			break;
		case 'l':
			g.log = optarg;
			break;
		case 'f':
			g.log_format = optarg;
			break;
		case 'd':
			g.debug = true;
			break;
		case 's':
			g.systemd_cgroup = true;
			break;
		case 'R':
			break; /* runc accepts it; hull decides by the spec's user namespace */
		case 'v':
			version();
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "hull-oci: unknown global option `%s`\n", argv[optind - 1]);
			usage(stderr);
			return 1;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	if (!strcmp(argv[optind], "help")) {
		usage(stdout);
		return 0;
	}
	/* the commands whose processes enter a container run from a read-only binary */
	if ((!strcmp(argv[optind], "create") || !strcmp(argv[optind], "run") ||
	     !strcmp(argv[optind], "exec")) &&
	    hull_selfexe_protect(argv, &err) < 0) {
		fprintf(stderr, "hull-oci: %s\n", err.msg);
		return 1;
	}
	hull_log_set_program("hull-oci");
	if (hull_log_init(g.log, g.log_format, g.debug, &err) < 0) {
		fprintf(stderr, "hull-oci: %s\n", err.msg);
		return 1;
	}
	rc = 0;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		int first = optind;
		if (strcmp(argv[first], commands[i].name))
			continue;
		/* each command parses its own options (argv[0] = its name) from a fresh getopt */
		optind = 0;
		rc = commands[i].fn(&g, argc - first, argv + first, &err);
		break;
	}
	if (i == sizeof(commands) / sizeof(commands[0])) {
		fprintf(stderr, "hull-oci: unknown command `%s` (see `hull-oci --help`)\n",
			argv[optind]);
		return 1;
	}
	if (rc < 0) {
		fprintf(stderr, "hull-oci: %s\n", err.msg);
		hull_log(HULL_LOG_ERROR, "%s", err.msg);
		return commands[i].fail_status;
	}
	return rc;
}
