/* hull: global options, command dispatch, and the one place errors are printed. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "runtime/log.h"
#include "runtime/util.h"

static cmd_fn cmd_version;

static const struct command {
	const char *name;
	cmd_fn *fn;
	const char *help;
} commands[] = {
	{"run", cmd_run, "run a command in a new container"},
	{"exec", cmd_exec, "run a command in a running container"},
	{"ps", cmd_ps, "list containers"},
	{"logs", cmd_logs, "print the logs of a container"},
	{"stop", cmd_stop, "stop containers (stop signal, then SIGKILL)"},
	{"kill", cmd_kill, "send a signal to containers"},
	{"rm", cmd_rm, "remove containers"},
	{"inspect", cmd_inspect, "print details of containers as JSON"},
	{"wait", cmd_wait, "wait for containers to stop and print their exit codes"},
	{"version", cmd_version, "print the version"},
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

int start_failure_status(const struct hull_err *err)
{
	/* the runtime names the program it could not exec: "exec `x`: ..." */
	if (!strstr(err->msg, "exec `"))
		return EXIT_HULL;
	if (err->errnum == ENOENT || err->errnum == ENOTDIR)
		return EXIT_NOT_FOUND;
	if (err->errnum == EACCES || err->errnum == ENOEXEC || err->errnum == EPERM)
		return EXIT_CANNOT_RUN;
	return EXIT_HULL;
}

char *human_since(const char *rfc3339, bool ago)
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

static void usage(FILE *f)
{
	fprintf(f, "Usage: hull [global options] COMMAND [options] [ARGS]\n\n"
		   "Run containers, daemonless, as plain processes or in microVMs.\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f,
		"\nGlobal options:\n"
		"  --root DIR      where images, containers and logs live (default $HULL_STORAGE "
		"or %s)\n"
		"  --runroot DIR   the runtime state of running containers (default "
		"$HULL_RUNROOT or %s)\n"
		"  --debug         log debug messages to stderr\n"
		"  -v, --version   print the version\n"
		"  -h, --help      print this help\n\n"
		"`hull COMMAND --help` shows a command's options; see hull(1).\n",
		HULL_ENGINE_DEFAULT_ROOT, HULL_ENGINE_DEFAULT_RUNROOT);
}

static int cmd_version(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	(void)g, (void)argc, (void)argv, (void)err;
	printf("hull version %s\ncommit: %s\nOCI runtime spec: 1.2.0\n", HULL_VERSION, HULL_COMMIT);
	return 0;
}

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);
	return v && *v ? v : dflt;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"root", required_argument, NULL, 'r'}, {"runroot", required_argument, NULL, 'R'},
		{"debug", no_argument, NULL, 'D'},	{"version", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},	{NULL, 0, NULL, 0},
	};
	struct hull_globals g = {
		.root = env_or("HULL_STORAGE", HULL_ENGINE_DEFAULT_ROOT),
		.runroot = env_or("HULL_RUNROOT", HULL_ENGINE_DEFAULT_RUNROOT),
	};
	struct hull_err err = {0};
	int c, rc;

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
		case 'D':
			g.debug = true;
			break;
		case 'v':
			return cmd_version(&g, 0, NULL, NULL);
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "hull: unknown global option `%s`\n", argv[optind - 1]);
			usage(stderr);
			return EXIT_HULL;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_HULL;
	}
	if (!strcmp(argv[optind], "help")) {
		usage(stdout);
		return 0;
	}
	hull_log_set_program("hull");
	if (hull_log_init(NULL, "text", g.debug, &err) < 0) {
		fprintf(stderr, "hull: %s\n", err.msg);
		return EXIT_HULL;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		int first = optind;
		if (strcmp(argv[first], commands[i].name))
			continue;
		optind = 0;
		rc = commands[i].fn(&g, argc - first, argv + first, &err);
		if (rc < 0) {
			fprintf(stderr, "hull: %s\n", err.msg);
			return EXIT_HULL;
		}
		return rc;
	}
	fprintf(stderr, "hull: unknown command `%s` (see `hull --help`)\n", argv[optind]);
	return EXIT_HULL;
}
