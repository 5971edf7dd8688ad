/* SPDX-License-Identifier: Apache-2.0 */
/* hull start, restart, attach: an existing container run again, and its stdio joined. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cmd/hull/cli.h"
#include "engine/attach.h"
#include "engine/ops.h"
#include "engine/start.h"
#include "lib/util.h"

/* what `hull attach` prints when the detach keys end it, as docker */
#define DETACHED_MSG "read escape sequence"

/* Relay our stdio to c's through fd until it ends (its status) or we detach (1). */
static int attach_to(const struct hull_engine *e, const struct hull_ctr *c, int fd, bool in,
		     bool sig_proxy, const char *keys, struct hull_err *err)
{
	struct hull_attach_opts ao = {
		.fd = fd, .stdin = in, .sig_proxy = sig_proxy, .detach_keys = keys};
	enum hull_attach_end end;
	int status;

	if (hull_attach(e, c, &ao, &end, &status, err) < 0)
		return -1;
	if (end == HULL_ATTACH_DETACHED) {
		fprintf(stderr, "%s\n", DETACHED_MSG);
		return 1;
	}
	return status;
}

static int check_tty_input(const struct hull_ctr *c, bool in, struct hull_err *err)
{
	if (in && c->tty && !isatty(STDIN_FILENO))
		return hull_error(err, ENOTTY, "the input device is not a TTY");
	return 0;
}

/* hull start -a: the monitor gets our end of a socket pair before the container starts, so
 * not a byte of its output is missed; a running container is attached to as it is. */
static int start_attached(const struct hull_engine *e, const struct hull_ctr *c, bool in,
			  const char *keys, struct hull_err *err)
{
	int sv[2], rc;

	in = in && c->interactive;
	if (check_tty_input(c, in, err) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return hull_error(err, errno, "socketpair");
	rc = hull_ctr_start(e, c, sv[1], err);
	if (rc < 0) {
		close(sv[0]);
		return -1;
	}
	if (rc == 1) {
		close(sv[0]);
		sv[0] = hull_attach_connect(e, c->id, err);
		if (sv[0] < 0)
			return -1;
	}
	return attach_to(e, c, sv[0], in, true, keys, err);
}

int cmd_start(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	enum { KEYS = 256 };
	static const struct option opts[] = {
		{"attach", no_argument, NULL, 'a'},
		{"interactive", no_argument, NULL, 'i'},
		{"detach-keys", required_argument, NULL, KEYS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct hull_detach_keys dk;
	struct hull_engine e = {0};
	const char *keys = NULL;
	bool attach = false, in = false;
	int o, rc = 0;

	opterr = 0;
	while ((o = getopt_long(argc, argv, "+ai", opts, NULL)) != -1) {
		switch (o) {
		case 'a':
			attach = true;
			break;
		case 'i':
			in = true;
			break;
		case KEYS:
			if (hull_detach_keys_parse(optarg, &dk, err) < 0)
				return usage_error(err, "start", "%s", err->msg);
			keys = optarg;
			break;
		case 'h':
			printf("Usage: hull start [-a] [-i] [--detach-keys KEYS] CONTAINER...\n\n"
			       "Start created or stopped containers: the same rootfs and settings, "
			       "a "
			       "new run.\n\n"
			       "  -a, --attach           attach stdout and stderr; the exit status "
			       "is "
			       "the container's\n"
			       "  -i, --interactive      attach stdin as well\n"
			       "      --detach-keys KEYS the keys that detach from a terminal "
			       "(default ctrl-p,ctrl-q)\n");
			return 0;
		default:
			return usage_error(err, "start", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error(err, "start", "requires at least 1 argument (CONTAINER)");
	/* docker: -i attaches too */
	attach = attach || in;
	if (attach && argc - optind > 1)
		return usage_error(err, "start", "cannot start and attach to several containers");
	if (open_engine(g, &e, err) < 0)
		return -1;
	for (int i = optind; i < argc; i++) {
		struct hull_ctr *c = NULL;
		struct hull_err cerr = {0};
		if (hull_ctr_lookup(&e, argv[i], &c, &cerr) < 0) {
			fprintf(stderr, "hull: %s\n", cerr.msg);
			rc = 1;
		} else if (attach) {
			rc = start_attached(&e, c, in, keys, err);
		} else if (hull_ctr_start(&e, c, -1, &cerr) < 0) {
			fprintf(stderr, "hull: %s\n", cerr.msg);
			rc = 1;
		} else {
			printf("%s\n", argv[i]);
		}
		hull_ctr_free(c);
	}
	fflush(stdout);
	hull_engine_free(&e);
	return rc;
}

static int bool_arg(const char *flag, const char *v, bool *out, struct hull_err *err)
{
	if (!v || !strcmp(v, "true") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "false") || !strcmp(v, "0"))
		*out = false;
	else
		return usage_error(err, "attach", "%s: `%s` is not true or false", flag, v);
	return 0;
}

int cmd_attach(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	enum { NOSTDIN = 256, SIGPROXY, KEYS };
	static const struct option opts[] = {
		{"no-stdin", no_argument, NULL, NOSTDIN},
		{"sig-proxy", optional_argument, NULL, SIGPROXY},
		{"detach-keys", required_argument, NULL, KEYS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct hull_detach_keys dk;
	struct hull_engine e = {0};
	struct hull_ctr *c = NULL;
	const char *keys = NULL;
	bool in = true, proxy = true;
	pid_t pid;
	enum hull_status s;
	int o, fd, rc = -1;

	opterr = 0;
	while ((o = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (o) {
		case NOSTDIN:
			in = false;
			break;
		case SIGPROXY:
			if (bool_arg("--sig-proxy", optarg, &proxy, err) < 0)
				return -1;
			break;
		case KEYS:
			if (hull_detach_keys_parse(optarg, &dk, err) < 0)
				return usage_error(err, "attach", "%s", err->msg);
			keys = optarg;
			break;
		case 'h':
			printf("Usage: hull attach [OPTIONS] CONTAINER\n\n"
			       "Attach our stdin, stdout and stderr to a running container's; the "
			       "exit status is the container's.\n\n"
			       "      --no-stdin          do not attach stdin\n"
			       "      --sig-proxy[=BOOL]  pass the signals we get on to the "
			       "container "
			       "(default true; not with a terminal)\n"
			       "      --detach-keys KEYS  the keys that detach from a terminal "
			       "(default "
			       "ctrl-p,ctrl-q)\n");
			return 0;
		default:
			return usage_error(err, "attach", "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return usage_error(err, "attach", "requires exactly 1 argument (CONTAINER)");
	if (open_engine(g, &e, err) < 0)
		return -1;
	if (hull_ctr_lookup(&e, argv[optind], &c, err) < 0)
		goto out;
	s = hull_ctr_status(&e, c, &pid);
	if (hull_ctr_is_restarting(c, s)) {
		hull_error(err, EBUSY, "cannot attach to container %s: it is restarting", c->name);
		goto out;
	}
	if (s != HULL_RUNNING && s != HULL_PAUSED) {
		hull_error(err, EINVAL,
			   "cannot attach to container %s: it is not running (start "
			   "it first)",
			   c->name);
		goto out;
	}
	/* stdin only to a container made with -i, as docker */
	in = in && c->interactive;
	if (check_tty_input(c, in, err) < 0)
		goto out;
	fd = hull_attach_connect(&e, c->id, err);
	if (fd >= 0)
		rc = attach_to(&e, c, fd, in, proxy && !c->tty, keys, err);
out:
	hull_ctr_free(c);
	hull_engine_free(&e);
	return rc;
}
