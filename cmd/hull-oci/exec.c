/* SPDX-License-Identifier: Apache-2.0 */
/* exec and ps. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/hull-oci/cli.h"
#include "lib/exitcode.h"
#include "lib/util.h"
#include "runtime/container.h"

static const char exec_usage[] =
	"Usage: hull-oci exec [options] ID [COMMAND [ARG...]]\n\n"
	"  -p, --process FILE        the process as runtime-spec JSON (- = stdin)\n"
	"  -t, --tty                 allocate a terminal\n"
	"      --console-socket SOCK send the pty master to this unix socket\n"
	"  -d, --detach              return once the process runs\n"
	"      --pid-file FILE       write the process's pid to FILE\n"
	"  -e, --env NAME=VALUE      set an environment variable (repeatable)\n"
	"      --cwd DIR             working directory inside the container\n"
	"  -u, --user UID[:GID]      run as this user\n"
	"  -g, --additional-gids GID add a supplementary group (repeatable)\n"
	"  -c, --cap CAP             add a capability (repeatable)\n"
	"      --no-new-privs        set no_new_privs\n"
	"      --preserve-fds N      pass N more fds (from fd 3) to the process\n"
	"      --cgroup [CTRL[,CTRL...]:]SUB\n"
	"                            run in this existing sub-cgroup of the container's\n"
	"                            (CTRL: of these v1 controllers; repeatable)\n"
	"      --ignore-paused       exec in a paused container (the process waits for resume)\n";

static void add(char ***v, const char *s)
{
	size_t n = hull_strv_len(*v);
	*v = xrealloc(*v, (n + 2) * sizeof(char *));
	(*v)[n] = (char *)s;
	(*v)[n + 1] = NULL;
}

static int parse_exec(int argc, char **argv, struct hull_exec_opts *o, struct hull_err *err)
{
	static const struct option opts[] = {
		{"process", required_argument, NULL, 'p'},
		{"tty", no_argument, NULL, 't'},
		{"console-socket", required_argument, NULL, 'C'},
		{"detach", no_argument, NULL, 'd'},
		{"pid-file", required_argument, NULL, 'P'},
		{"env", required_argument, NULL, 'e'},
		{"cwd", required_argument, NULL, 'w'},
		{"user", required_argument, NULL, 'u'},
		{"additional-gids", required_argument, NULL, 'g'},
		{"cap", required_argument, NULL, 'c'},
		{"no-new-privs", no_argument, NULL, 'N'},
		{"preserve-fds", required_argument, NULL, 'F'},
		{"process-label", required_argument, NULL, 'L'},
		{"apparmor", required_argument, NULL, 'A'},
		{"ignore-paused", no_argument, NULL, 'I'},
		{"cgroup", required_argument, NULL, 'G'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char *end;
	long v;
	int c;

	while ((c = getopt_long(argc, argv, "+p:tde:u:g:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->process_file = optarg;
			break;
		case 't':
			o->tty = true;
			break;
		case 'C':
			o->console_socket = optarg;
			break;
		case 'd':
			o->detach = true;
			break;
		case 'P':
			o->pid_file = optarg;
			break;
		case 'e':
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return usage_error(err, "exec", "--env needs NAME=VALUE, not `%s`",
						   optarg);
			add(&o->env, optarg);
			break;
		case 'w':
			o->cwd = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'g':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 0 || v > 0xfffffffeL)
				return usage_error(err, "exec",
						   "--additional-gids needs a number, not `%s`",
						   optarg);
			o->additional_gids = xrealloc(o->additional_gids,
						      (o->n_additional_gids + 1) * sizeof(gid_t));
			o->additional_gids[o->n_additional_gids++] = (gid_t)v;
			break;
		case 'c':
			add(&o->caps, optarg);
			break;
		case 'N':
			o->no_new_privs = true;
			break;
		case 'F':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 0 || v > 65536)
				return usage_error(
					err, "exec",
					"--preserve-fds needs a non-negative number, not `%s`",
					optarg);
			o->preserve_fds = (int)v;
			break;
		case 'L':
		case 'A':
			return usage_error(err, "exec",
					   "`%s`: hull has no SELinux or AppArmor support yet",
					   argv[optind - 1]);
		case 'I':
			o->ignore_paused = true;
			break;
		case 'G':
			add(&o->sub_cgroups, optarg);
			break;
		case 'h':
			fputs(exec_usage, stdout);
			return 2;
		default:
			return usage_error(err, "exec", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error(err, "exec", "missing container ID");
	o->id = argv[optind++];
	if (o->process_file && optind < argc)
		return usage_error(err, "exec", "give either --process or a command, not both");
	if (!o->process_file && optind >= argc)
		return usage_error(err, "exec", "missing the command to run (or --process FILE)");
	/* runc's rule, which conmon relies on (it passes --tty with --process): the file is the
	 * whole process, and the flags that describe one are ignored beside it */
	if (o->process_file) {
		o->tty = o->no_new_privs = false;
		o->cwd = o->user = NULL;
		free(o->caps);
		o->caps = NULL;
		free(o->env);
		o->env = NULL;
		o->n_additional_gids = 0;
	}
	o->args = argv + optind;
	return 0;
}

int cmd_exec(const struct oci_globals *g, int argc, char **argv, struct hull_err *err)
{
	struct hull_exec_opts o = {.root = g->root, .tty_plain_newlines = true};
	int status = 0, r = parse_exec(argc, argv, &o, err);

	if (r == 0 && hull_container_exec(&o, &status, err) < 0)
		r = -1;
	free(o.env);
	free(o.caps);
	free(o.sub_cgroups);
	free(o.additional_gids);
	if (r)
		return r == 2 ? 0 : -1;
	return status;
}

/* The table: `ps OPTIONS` from the host, the header and the lines of the container's pids. */
static int ps_table(const pid_t *pids, size_t n, char **ps_args, struct hull_err *err)
{
	cleanup_free char *out = NULL;
	char *line, *save = NULL;
	int fds[2], status, pid_col = -1;
	size_t i, first = 1;
	pid_t child;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return hull_error(err, errno, "pipe");
	child = fork();
	if (child < 0)
		return hull_error(err, errno, "fork");
	if (child == 0) {
		dup2(fds[1], 1);
		execvp("ps", ps_args);
		dprintf(2, "hull-oci ps: exec ps: %s\n", strerror(errno));
		_exit(HULL_EXIT_NOT_FOUND);
	}
	close(fds[1]);
	if (hull_read_fd(fds[0], &out, NULL, err) < 0) {
		close(fds[0]);
		waitpid(child, NULL, 0);
		return -1;
	}
	close(fds[0]);
	waitpid(child, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return hull_error(err, 0, "`ps` failed (status %d)", WEXITSTATUS(status));
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (first) {
			cleanup_free char *hdr = xstrdup(line);
			char *f, *s2 = NULL;
			int col = 0;
			for (f = strtok_r(hdr, " \t", &s2); f;
			     f = strtok_r(NULL, " \t", &s2), col++)
				if (!strcmp(f, "PID"))
					pid_col = col;
			if (pid_col < 0)
				return hull_error(err, EINVAL, "ps output has no PID column");
			puts(line);
			first = 0;
			continue;
		}
		{
			cleanup_free char *copy = xstrdup(line);
			char *f, *s2 = NULL;
			int col = 0;
			for (f = strtok_r(copy, " \t", &s2); f && col < pid_col;
			     f = strtok_r(NULL, " \t", &s2))
				col++;
			for (i = 0; f && i < n; i++)
				if (atoi(f) == pids[i]) {
					puts(line);
					break;
				}
		}
	}
	return 0;
}

int cmd_ps(const struct oci_globals *g, int argc, char **argv, struct hull_err *err)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *format = "table", *id;
	cleanup_free pid_t *pids = NULL;
	char **ps_args;
	size_t n, i;
	int c, r;

	while ((c = getopt_long(argc, argv, "+f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'h':
			puts("Usage: hull-oci ps [--format table|json] ID [PS-OPTIONS...]");
			return 0;
		default:
			return usage_error(err, "ps", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (strcmp(format, "table") && strcmp(format, "json"))
		return usage_error(err, "ps", "--format is table or json, not `%s`", format);
	if (optind >= argc)
		return usage_error(err, "ps", "missing container ID");
	id = argv[optind++];
	if (hull_container_pids(g->root, id, &pids, &n, err) < 0)
		return -1;
	if (!strcmp(format, "json")) {
		if (optind < argc)
			return usage_error(err, "ps", "ps options go with --format table only");
		putchar('[');
		for (i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", pids[i]);
		puts("]");
		return 0;
	}
	ps_args = xzalloc((size_t)(argc - optind + 3) * sizeof(char *));
	ps_args[0] = "ps";
	if (optind < argc)
		memcpy(ps_args + 1, argv + optind, (size_t)(argc - optind) * sizeof(char *));
	else
		ps_args[1] = "-ef";
	r = ps_table(pids, n, ps_args, err);
	free(ps_args);
	return r;
}
