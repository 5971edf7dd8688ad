/* SPDX-License-Identifier: Apache-2.0 */
/* hull exec: another process in a running container. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/hull/cli.h"
#include "engine/ops.h"
#include "engine/run.h"
#include "image/userdb.h"
#include "lib/util.h"
#include "runtime/container.h"

int cmd_exec(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	static const struct option opts[] = {
		{"interactive", no_argument, NULL, 'i'},
		{"tty", no_argument, NULL, 't'},
		{"detach", no_argument, NULL, 'd'},
		{"env", required_argument, NULL, 'e'},
		{"user", required_argument, NULL, 'u'},
		{"workdir", required_argument, NULL, 'w'},
		{"privileged", no_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool interactive = false, tty = false, detach = false;
	const char *user = NULL, *workdir = NULL;
	char **env = NULL;
	struct hull_engine e = {0};
	struct hull_ctr *c = NULL;
	struct hull_exec_opts xo = {0};
	cleanup_free char *uidgid = NULL;
	int o, rc = -1, status = 0;
	pid_t pid;

	opterr = 0;
	while ((o = getopt_long(argc, argv, "+itde:u:w:", opts, NULL)) != -1) {
		switch (o) {
		case 'i':
			interactive = true;
			break;
		case 't':
			tty = true;
			break;
		case 'd':
			detach = true;
			break;
		case 'e':
			hull_strv_push(&env, optarg);
			break;
		case 'u':
			user = optarg;
			break;
		case 'w':
			workdir = optarg;
			break;
		case 'P':
			break; /* the container's own confinement applies */
		case 'h':
			printf("Usage: hull exec [-i] [-t] [-d] [-e NAME=VALUE] [-u USER] [-w DIR] "
			       "CONTAINER COMMAND [ARG...]\n\nRun a command in a running "
			       "container.\n");
			hull_strv_free(env);
			return 0;
		default:
			hull_strv_free(env);
			return usage_error(err, "exec", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (argc - optind < 2) {
		hull_strv_free(env);
		return usage_error(err, "exec", "requires CONTAINER and COMMAND");
	}
	if (tty && interactive && !isatty(STDIN_FILENO)) {
		hull_strv_free(env);
		return hull_error(err, ENOTTY, "the input device is not a TTY");
	}
	if (open_engine(g, &e, err) < 0)
		goto out;
	if (hull_ctr_lookup(&e, argv[optind], &c, err) < 0)
		goto out;
	if (hull_ctr_status(&e, c, &pid) != HULL_RUNNING) {
		hull_error(err, EINVAL, "container %s is not running", c->name);
		goto out;
	}
	if (user) {
		struct hull_user u;
		cleanup_close int rootfd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0) {
			hull_error(err, errno, "open the rootfs %s", c->rootfs);
			goto out;
		}
		if (hull_user_resolve(rootfd, user, &u, err) < 0)
			goto out;
		uidgid = hull_strfmt("%u:%u", u.uid, u.gid);
		xo.additional_gids = (gid_t *)u.groups;
		xo.n_additional_gids = u.n_groups;
		u.groups = NULL;
		hull_user_free(&u);
	}
	for (char **p = env; p && *p; p++)
		if (!strchr(*p, '=')) {
			/* NAME alone: our value, as docker does */
			const char *v = getenv(*p);
			char *kv = hull_strfmt("%s=%s", *p, v ? v : "");
			free(*p);
			*p = kv;
		}
	xo.root = e.runroot;
	xo.id = c->id;
	xo.args = argv + optind + 1;
	xo.cwd = workdir;
	xo.user = uidgid;
	xo.tty = tty;
	xo.env = env;
	xo.detach = detach;
	/* without -i the process reads nothing, as with docker */
	if (!interactive) {
		int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (devnull >= 0) {
			dup2(devnull, STDIN_FILENO);
			close(devnull);
		}
	}
	if (hull_container_exec(&xo, &status, err) < 0) {
		fprintf(stderr, "hull: %s\n", err->msg);
		rc = hull_start_failure_status(err);
		goto out;
	}
	rc = detach ? 0 : status;
out:
	free(xo.additional_gids);
	hull_strv_free(env);
	hull_ctr_free(c);
	hull_engine_free(&e);
	return rc;
}
