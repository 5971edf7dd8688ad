/* SPDX-License-Identifier: Apache-2.0 */
/* hull run and hull create: flags -> engine/prepare.c (record, rootfs, config.json) -> the
 * monitor (run). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/hull/cli.h"
#include "cmd/hull/xferview.h"
#include "engine/net.h"
#include "engine/ops.h"
#include "engine/prepare.h"
#include "engine/restart_policy.h"
#include "engine/run.h"
#include "lib/signals.h"
#include "lib/util.h"

static int security_opt(const char *o, struct hull_run_opts *f, struct hull_err *err)
{
	if (!strcmp(o, "no-new-privileges") || !strcmp(o, "no-new-privileges=true") ||
	    !strcmp(o, "no-new-privileges:true"))
		f->no_new_privs = true;
	else if (!strcmp(o, "no-new-privileges=false") || !strcmp(o, "no-new-privileges:false"))
		f->no_new_privs = false;
	else if (!strcmp(o, "seccomp=unconfined") || !strcmp(o, "seccomp:unconfined"))
		f->unconfined = true;
	else if (hull_has_prefix(o, "seccomp=") || hull_has_prefix(o, "seccomp:"))
		f->seccomp = o + 8;
	else
		return hull_error(err, EINVAL,
				  "unsupported --security-opt `%s` (no-new-privileges, "
				  "seccomp=unconfined|PROFILE.json)",
				  o);
	return 0;
}

static void usage(const char *cmd)
{
	bool run = !strcmp(cmd, "run");
	printf("Usage: hull %s [OPTIONS] IMAGE [COMMAND] [ARG...]\n"
	       "       hull %s [OPTIONS] --rootfs DIR COMMAND [ARG...]\n\n"
	       "%s\n\n",
	       cmd, cmd,
	       run ? "Run a command in a new container."
		   : "Make a new container, not started (`hull start` runs it); print its ID.");
	if (run)
		printf("  -d, --detach               run in the background, print the container "
		       "ID\n");
	printf("  -i, --interactive          keep stdin open\n"
	       "  -t, --tty                  allocate a terminal\n"
	       "      --rm                   remove the container when it exits\n"
	       "      --pull POLICY          missing (default: pull an image that is not "
	       "here),\n"
	       "                             always, never\n"
	       "      --platform OS/ARCH[/VARIANT]  pull the image for this platform\n"
	       "  -q, --quiet                no pull progress\n"
	       "      --name NAME            name the container\n"
	       "  -e, --env NAME[=VALUE]     set an environment variable\n"
	       "      --env-file FILE        read environment variables from FILE\n"
	       "      --entrypoint CMD       override the image's entrypoint\n"
	       "  -u, --user USER[:GROUP]    run as this user (name or id)\n"
	       "  -w, --workdir DIR          working directory inside the container\n"
	       "  -v, --volume SRC:DST[:OPTS] bind mount a host directory (ro, rw, propagation)\n"
	       "                             or a named volume (NAME:DST[:ro,nocopy]); DST alone\n"
	       "                             is an anonymous volume\n"
	       "      --mount KEY=VALUE,...  type=bind|volume|tmpfs, source, target, readonly,\n"
	       "                             bind-propagation, volume-nocopy, volume-label,\n"
	       "                             tmpfs-size, tmpfs-mode\n"
	       "      --tmpfs DST[:OPTS]     mount a tmpfs\n"
	       "      --device HOST[:CTR][:PERMS]  give the container a host device (rwm)\n"
	       "      --ulimit NAME=SOFT[:HARD]  a resource limit (nofile, nproc, core, ...)\n"
	       "      --init                 run an init (tini) as pid 1: reaps, forwards signals\n"
	       "      --group-add GROUP      an additional group (name or id)\n"
	       "      --sysctl KEY=VALUE     a namespaced kernel parameter\n"
	       "      --shm-size SIZE        size of /dev/shm (default 64m)\n"
	       "  -l, --label KEY[=VALUE]    a container label\n"
	       "      --label-file FILE      labels, one KEY=VALUE a line\n"
	       "      --stop-timeout SECONDS how long `hull stop` waits by default (10)\n"
	       "      --read-only            mount the root filesystem read-only\n"
	       "  -m, --memory SIZE          memory limit (b, k, m, g)\n"
	       "      --cpus N               CPU limit (a fraction of CPUs)\n"
	       "      --pids-limit N         process limit (-1: unlimited)\n"
	       "      --cap-add CAP          add a capability (or ALL)\n"
	       "      --cap-drop CAP         drop a capability (or ALL)\n"
	       "      --privileged           all capabilities, no masked paths, no seccomp\n"
	       "      --security-opt OPT     no-new-privileges, seccomp=unconfined|FILE\n"
	       "      --annotation KEY=VALUE add an OCI annotation\n"
	       "  -h, --hostname NAME        the container's hostname\n"
	       "      --network NETWORK      bridge (default: 10.89.0.0/24, NAT'd), a user "
	       "network\n"
	       "                             (hull network create), host, or none (loopback only)\n"
	       "      --network-alias NAME   another name of the container on a user network\n"
	       "      --ip ADDRESS           a fixed IPv4 address on a user network\n"
	       "  -p, --publish [IP:]HOSTPORT:CONTAINERPORT[/PROTO]\n"
	       "                             publish a port (on a bridge network)\n"
	       "  -P, --publish-all          publish every port the image exposes on a free\n"
	       "                             host port (32768-60999)\n"
	       "      --dns IP               a nameserver for the container (replaces the others)\n"
	       "      --dns-search DOMAIN    a search domain (`.`: none)\n"
	       "      --dns-option OPTION    a resolv.conf option\n"
	       "      --add-host NAME:IP     an /etc/hosts line (IP `host-gateway`: the gateway)\n"
	       "      --isolation container|vm  isolation level (default container)\n"
	       "      --rootfs               the first argument is a root filesystem directory\n"
	       "      --cgroup-parent PATH   cgroup to create the container's cgroup under\n"
	       "      --stop-signal SIG      signal `hull stop` sends first (default SIGTERM)\n"
	       "      --restart POLICY       no (default), on-failure[:N], always, "
	       "unless-stopped\n");
}

static int parse_flags(const char *cmd, int argc, char **argv, struct hull_run_opts *f,
		       struct hull_err *err)
{
	enum {
		RM = 256,
		PULL,
		PLATFORM,
		NAME,
		ENVF,
		ENTRY,
		TMPFS,
		RO,
		CPUS,
		PIDS,
		CAPA,
		CAPD,
		PRIV,
		SEC,
		ANN,
		NET,
		ISO,
		ROOTFS,
		CGP,
		STOPSIG,
		MOUNT,
		DEVICE,
		ULIMIT,
		INIT,
		GROUPADD,
		SYSCTL,
		SHMSIZE,
		LABELFILE,
		STOPTIMEOUT,
		ALIAS,
		IP,
		DNS,
		DNSSEARCH,
		DNSOPT,
		ADDHOST,
		RESTART,
		HELP
	};
	static const struct option opts[] = {
		{"detach", no_argument, NULL, 'd'},
		{"interactive", no_argument, NULL, 'i'},
		{"tty", no_argument, NULL, 't'},
		{"rm", no_argument, NULL, RM},
		{"pull", required_argument, NULL, PULL},
		{"platform", required_argument, NULL, PLATFORM},
		{"quiet", no_argument, NULL, 'q'},
		{"name", required_argument, NULL, NAME},
		{"env", required_argument, NULL, 'e'},
		{"env-file", required_argument, NULL, ENVF},
		{"entrypoint", required_argument, NULL, ENTRY},
		{"user", required_argument, NULL, 'u'},
		{"workdir", required_argument, NULL, 'w'},
		{"volume", required_argument, NULL, 'v'},
		{"publish", required_argument, NULL, 'p'},
		{"tmpfs", required_argument, NULL, TMPFS},
		{"read-only", no_argument, NULL, RO},
		{"memory", required_argument, NULL, 'm'},
		{"cpus", required_argument, NULL, CPUS},
		{"pids-limit", required_argument, NULL, PIDS},
		{"cap-add", required_argument, NULL, CAPA},
		{"cap-drop", required_argument, NULL, CAPD},
		{"privileged", no_argument, NULL, PRIV},
		{"security-opt", required_argument, NULL, SEC},
		{"annotation", required_argument, NULL, ANN},
		{"hostname", required_argument, NULL, 'h'},
		{"network", required_argument, NULL, NET},
		{"net", required_argument, NULL, NET},
		{"isolation", required_argument, NULL, ISO},
		{"rootfs", no_argument, NULL, ROOTFS},
		{"cgroup-parent", required_argument, NULL, CGP},
		{"stop-signal", required_argument, NULL, STOPSIG},
		{"mount", required_argument, NULL, MOUNT},
		{"device", required_argument, NULL, DEVICE},
		{"ulimit", required_argument, NULL, ULIMIT},
		{"init", no_argument, NULL, INIT},
		{"group-add", required_argument, NULL, GROUPADD},
		{"sysctl", required_argument, NULL, SYSCTL},
		{"shm-size", required_argument, NULL, SHMSIZE},
		{"label", required_argument, NULL, 'l'},
		{"label-file", required_argument, NULL, LABELFILE},
		{"stop-timeout", required_argument, NULL, STOPTIMEOUT},
		{"publish-all", no_argument, NULL, 'P'},
		{"network-alias", required_argument, NULL, ALIAS},
		{"net-alias", required_argument, NULL, ALIAS},
		{"ip", required_argument, NULL, IP},
		{"dns", required_argument, NULL, DNS},
		{"dns-search", required_argument, NULL, DNSSEARCH},
		{"dns-option", required_argument, NULL, DNSOPT},
		{"dns-opt", required_argument, NULL, DNSOPT},
		{"add-host", required_argument, NULL, ADDHOST},
		{"restart", required_argument, NULL, RESTART},
		{"help", no_argument, NULL, HELP},
		{NULL, 0, NULL, 0},
	};
	int c;
	/* a pull (--pull) shows each layer's progress, as docker run does, unless -q */
	static struct hull_xfer pull_view;
	xferview_attach(&pull_view, false);
	f->pull_progress = &pull_view;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+ditre:u:w:v:m:h:p:l:Pq", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (strcmp(cmd, "run"))
				return usage_error(err, cmd, "unknown option `%s`",
						   argv[optind - 1]);
			f->detach = true;
			break;
		case 'i':
			f->interactive = true;
			break;
		case 't':
			f->tty = true;
			break;
		case RM:
			f->rm = true;
			break;
		case PULL:
			f->pull = optarg;
			break;
		case PLATFORM:
			f->platform = optarg;
			break;
		case 'q':
			f->pull_progress = NULL;
			break;
		case NAME:
			f->name = optarg;
			break;
		case 'e':
			hull_strv_push(&f->env, optarg);
			break;
		case ENVF:
			hull_strv_push(&f->env_files, optarg);
			break;
		case ENTRY:
			f->entrypoint = optarg;
			break;
		case 'u':
			f->user = optarg;
			break;
		case 'w':
			f->workdir = optarg;
			break;
		case 'p':
			hull_strv_push(&f->publish, optarg);
			break;
		case 'v':
			hull_strv_push(&f->volumes, optarg);
			break;
		case TMPFS:
			hull_strv_push(&f->tmpfs, optarg);
			break;
		case RO:
			f->read_only = true;
			break;
		case 'm':
			f->memory = optarg;
			break;
		case CPUS:
			f->cpus = optarg;
			break;
		case PIDS:
			f->pids = optarg;
			break;
		case CAPA:
			hull_strv_push(&f->cap_add, optarg);
			break;
		case CAPD:
			hull_strv_push(&f->cap_drop, optarg);
			break;
		case PRIV:
			f->privileged = true;
			break;
		case SEC:
			if (security_opt(optarg, f, err) < 0)
				return -1;
			break;
		case ANN:
			hull_strv_push(&f->annotations, optarg);
			break;
		case 'h':
			f->hostname = optarg;
			break;
		case NET:
			f->network = optarg;
			break;
		case ISO:
			f->isolation = optarg;
			break;
		case ROOTFS:
			f->from_rootfs = true;
			break;
		case CGP:
			f->cgroup_parent = optarg;
			break;
		case STOPSIG:
			f->stop_signal = optarg;
			break;
		case MOUNT:
			hull_strv_push(&f->mounts, optarg);
			break;
		case DEVICE:
			hull_strv_push(&f->devices, optarg);
			break;
		case ULIMIT:
			hull_strv_push(&f->ulimits, optarg);
			break;
		case INIT:
			f->init = true;
			break;
		case GROUPADD:
			hull_strv_push(&f->group_add, optarg);
			break;
		case SYSCTL:
			hull_strv_push(&f->sysctls, optarg);
			break;
		case SHMSIZE:
			f->shm_size = optarg;
			break;
		case 'l':
			hull_strv_push(&f->labels, optarg);
			break;
		case LABELFILE:
			hull_strv_push(&f->label_files, optarg);
			break;
		case STOPTIMEOUT:
			f->stop_timeout = optarg;
			break;
		case 'P':
			f->publish_all = true;
			break;
		case ALIAS:
			hull_strv_push(&f->network_aliases, optarg);
			break;
		case IP:
			f->ip = optarg;
			break;
		case DNS:
			hull_strv_push(&f->dns, optarg);
			break;
		case DNSSEARCH:
			hull_strv_push(&f->dns_search, optarg);
			break;
		case DNSOPT:
			hull_strv_push(&f->dns_options, optarg);
			break;
		case ADDHOST:
			hull_strv_push(&f->add_hosts, optarg);
			break;
		case RESTART:
			f->restart = optarg;
			break;
		case HELP:
			usage(cmd);
			return 1;
		default:
			return usage_error(err, cmd, "unknown option `%s`", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error(err, cmd, "requires at least 1 argument (IMAGE)");
	if (hull_net_check(NULL, f, err) < 0)
		return usage_error(err, cmd, "%s", err->msg);
	if (hull_restart_policy_parse(f->restart, &(struct hull_restart_policy){0}, err) < 0)
		return usage_error(err, cmd, "%s", err->msg);
	if (f->stop_signal && hull_parse_signal(f->stop_signal, err) < 0)
		return hull_error_wrap(err, "--stop-signal");
	/* create: the terminal is the one `hull start -a` will have */
	if (f->tty && f->interactive && !isatty(STDIN_FILENO) && !strcmp(cmd, "run"))
		return hull_error(err, ENOTTY, "the input device is not a TTY");
	return 0;
}

static void flags_free(struct hull_run_opts *f)
{
	hull_strv_free(f->env);
	hull_strv_free(f->env_files);
	hull_strv_free(f->volumes);
	hull_strv_free(f->tmpfs);
	hull_strv_free(f->cap_add);
	hull_strv_free(f->cap_drop);
	hull_strv_free(f->annotations);
	hull_strv_free(f->publish);
	hull_strv_free(f->mounts);
	hull_strv_free(f->devices);
	hull_strv_free(f->ulimits);
	hull_strv_free(f->group_add);
	hull_strv_free(f->sysctls);
	hull_strv_free(f->labels);
	hull_strv_free(f->label_files);
	hull_strv_free(f->network_aliases);
	hull_strv_free(f->dns);
	hull_strv_free(f->dns_search);
	hull_strv_free(f->dns_options);
	hull_strv_free(f->add_hosts);
}

int cmd_run(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	struct hull_run_opts f = {0};
	struct hull_engine e = {0};
	struct hull_ctr c = {0};
	int rc, status = 0;

	rc = parse_flags("run", argc, argv, &f, err);
	if (rc != 0) {
		flags_free(&f);
		return rc < 0 ? -1 : 0;
	}
	rc = open_engine(g, &e, err);
	if (rc < 0) {
		flags_free(&f);
		return -1;
	}
	f.image = argv[optind];
	f.args = argv + optind + 1;
	if (hull_engine_run(&e, &f, &c, &status, err) < 0) {
		fprintf(stderr, "hull: %s\n", err->msg);
		rc = hull_start_failure_status(err);
	} else {
		rc = status;
		if (f.detach)
			printf("%s\n", c.id);
	}
	hull_ctr_clear(&c);
	hull_engine_free(&e);
	flags_free(&f);
	return rc;
}

int cmd_create(const struct hull_globals *g, int argc, char **argv, struct hull_err *err)
{
	struct hull_run_opts f = {.detach = true};
	struct hull_engine e = {0};
	struct hull_ctr c = {0};
	int rc = parse_flags("create", argc, argv, &f, err);

	if (rc != 0 || open_engine(g, &e, err) < 0) {
		flags_free(&f);
		return rc > 0 ? 0 : -1;
	}
	f.image = argv[optind];
	f.args = argv + optind + 1;
	rc = hull_engine_create(&e, &f, &c, err);
	if (rc == 0)
		printf("%s\n", c.id);
	hull_ctr_clear(&c);
	hull_engine_free(&e);
	flags_free(&f);
	return rc;
}
