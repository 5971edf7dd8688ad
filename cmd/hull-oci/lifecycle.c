/* SPDX-License-Identifier: Apache-2.0 */
/* create, run, start, kill, delete. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/hull-oci/cli.h"
#include "lib/signals.h"
#include "runtime/container.h"

static const char create_usage[] =
	"Usage: hull-oci %s [options] ID\n\n"
	"  -b, --bundle DIR          the bundle (default: the current directory)\n"
	"      --pid-file FILE       write the container's pid to FILE\n"
	"      --console-socket SOCK send the pty master to this unix socket\n"
	"      --no-pivot            use chroot instead of pivot_root\n"
	"      --no-new-keyring      keep the caller's session keyring\n"
	"      --preserve-fds N      pass N more fds (from fd 3) to the process\n"
	"%s";

static int parse_create(const char *cmd, bool with_detach, int argc, char **argv,
			struct hull_create_opts *o, struct hull_err *err)
{
	static const struct option opts[] = {
		{"bundle", required_argument, NULL, 'b'},
		{"pid-file", required_argument, NULL, 'p'},
		{"console-socket", required_argument, NULL, 'c'},
		{"no-pivot", no_argument, NULL, 'P'},
		{"no-new-keyring", no_argument, NULL, 'k'},
		{"preserve-fds", required_argument, NULL, 'F'},
		{"detach", no_argument, NULL, 'd'},
		{"keep", no_argument, NULL, 'K'},
		{"no-subreaper", no_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	char *end;

	while ((c = getopt_long(argc, argv, with_detach ? "b:dh" : "b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->bundle = optarg;
			break;
		case 'p':
			o->pid_file = optarg;
			break;
		case 'c':
			o->console_socket = optarg;
			break;
		case 'P':
			o->no_pivot = true;
			break;
		case 'k':
			o->no_new_keyring = true;
			break;
		case 'F':
			errno = 0;
			o->preserve_fds = (int)strtol(optarg, &end, 10);
			if (errno || *end || o->preserve_fds < 0 || o->preserve_fds > 65536)
				return usage_error(
					err, cmd,
					"--preserve-fds needs a non-negative number, not `%s`",
					optarg);
			break;
		case 'd':
			if (!with_detach)
				return usage_error(err, cmd, "unknown option `--detach`");
			o->detach = true;
			break;
		case 'K':
			if (!with_detach)
				return usage_error(err, cmd, "unknown option `--keep`");
			o->keep = true;
			break;
		case 'S':
			break; /* runc's run flag that changes nothing here */
		case 'h':
			printf(create_usage, cmd,
			       with_detach ? "  -d, --detach              return once started\n"
					     "      --keep                keep it stopped until "
					     "delete\n"
					   : "");
			return 2;
		default:
			return usage_error(err, cmd, "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return usage_error(err, cmd,
				   optind >= argc ? "missing container ID"
						  : "expected one container ID");
	o->id = argv[optind];
	return 0;
}

int cmd_create(const struct oci_globals *g, int argc, char **argv, struct hull_err *err)
{
	struct hull_create_opts o = {.root = g->root, .systemd_cgroup = g->systemd_cgroup};
	int r = parse_create("create", false, argc, argv, &o, err);
	if (r)
		return r == 2 ? 0 : -1;
	o.level_by_name = g->level_by_name;
	return hull_container_create(&o, err);
}

int cmd_run(const struct oci_globals *g, int argc, char **argv, struct hull_err *err)
{
	struct hull_create_opts o = {
		.root = g->root, .systemd_cgroup = g->systemd_cgroup, .tty_plain_newlines = true};
	int status, r = parse_create("run", true, argc, argv, &o, err);
	if (r)
		return r == 2 ? 0 : -1;
	o.level_by_name = g->level_by_name;
	if (hull_container_run(&o, &status, err) < 0)
		return -1;
	return status;
}

/* The commands that take just an ID and maybe a flag. */
static int one_id(const char *cmd, const char *flags_help, int argc, char **argv,
		  const struct option *opts, const char *shortopts, bool *flag, const char **id,
		  const char **extra, struct hull_err *err)
{
	int c;
	while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		if (c == 'h') {
			printf("Usage: hull-oci %s%s ID%s\n", cmd, flags_help,
			       extra ? " [SIGNAL]" : "");
			return 2;
		}
		if (c == 'f' || c == 'a') {
			*flag = true;
			continue;
		}
		return usage_error(err, cmd, "unknown option `%s`", argv[optind - 1]);
	}
	if (optind >= argc)
		return usage_error(err, cmd, "missing container ID");
	*id = argv[optind++];
	if (extra && optind < argc)
		*extra = argv[optind++];
	if (optind < argc)
		return usage_error(err, cmd, "unexpected argument `%s`", argv[optind]);
	return 0;
}

static const struct option help_only[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};

int cmd_start(const struct oci_globals *g, int argc, char **argv, struct hull_err *err)
{
	const char *id;
	bool unused = false;
	int r = one_id("start", "", argc, argv, help_only, "h", &unused, &id, NULL, err);
	if (r)
		return r == 2 ? 0 : -1;
	return hull_container_start(g->root, id, err);
}

int cmd_kill(const struct oci_globals *g, int argc, char **argv, struct hull_err *err)
{
	static const struct option opts[] = {
		{"all", no_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *id, *sig_name = "SIGTERM";
	bool all = false;
	int sig, r = one_id("kill", " [--all]", argc, argv, opts, "ah", &all, &id, &sig_name, err);
	if (r)
		return r == 2 ? 0 : -1;
	/* 0 as kill(1)'s: is it running? (runc takes any number) */
	sig = strcmp(sig_name, "0") ? hull_parse_signal(sig_name, err) : 0;
	if (sig < 0)
		return hull_error_wrap(err, "kill");
	if (hull_container_kill(g->root, id, sig, all, err) < 0) {
		/* runc: --all (otherwise obsolete there) makes a stopped container no error */
		if (all && err->errnum == ESRCH)
			return 0;
		return -1;
	}
	return 0;
}

int cmd_delete(const struct oci_globals *g, int argc, char **argv, struct hull_err *err)
{
	static const struct option opts[] = {
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *id;
	bool force = false;
	int r = one_id("delete", " [--force]", argc, argv, opts, "fh", &force, &id, NULL, err);
	if (r)
		return r == 2 ? 0 : -1;
	if (hull_container_delete(g->root, id, force, err) < 0) {
		/* runc: deleting what is not there is fine with --force */
		if (force && err->errnum == ENOENT)
			return 0;
		return -1;
	}
	return 0;
}
