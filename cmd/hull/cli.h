/* SPDX-License-Identifier: Apache-2.0 */
/* hull: the Docker-style front end.  Commands parse their flags, call engine/, image/ and
 * runtime/, print, and return an exit status; errors come back in err and main() prints them
 * once.  Exit statuses follow docker: 125 for hull's own errors, 126 when the command cannot be
 * invoked, 127 when it is not found, otherwise the workload's. */
#ifndef HULL_CLI_H
#define HULL_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/ctr.h"
#include "image/store.h"
#include "lib/err.h"
#include "lib/exitcode.h"

struct hull_globals {
	const char *root;    /* storage: images/, containers/ and names/ under it */
	const char *runroot; /* runtime state of live containers */
	bool debug;
};

/* A command returns its exit status, or -1 with err set (main prints it, exits 125). */
typedef int cmd_fn(const struct hull_globals *g, int argc, char **argv, struct hull_err *err);

struct hull_command {
	const char *name;
	cmd_fn *fn;
	const char *summary; /* NULL hides an alias from the command list */
	const char *usage;   /* printed by --help after "Usage: hull "; NULL: the command's own */
};

/* containers (engine/) */
cmd_fn cmd_run, cmd_exec, cmd_ps, cmd_logs, cmd_stop, cmd_kill, cmd_rm, cmd_inspect, cmd_wait;
/* images (image/) */
cmd_fn cmd_images, cmd_rmi, cmd_image_inspect, cmd_load, cmd_import, cmd_save, cmd_image, cmd_pull;
cmd_fn cmd_info, cmd_compare;
cmd_fn cmd_volume; /* volumes (engine/volume.h) */
/* networks (engine/net.h) */
cmd_fn cmd_network, cmd_network_inspect;
cmd_fn cmd_stats, cmd_pause, cmd_unpause, cmd_port, cmd_top, cmd_rename, cmd_update, cmd_events;
cmd_fn cmd_tag, cmd_history;
cmd_fn cmd_commit, cmd_build, cmd_builder; /* images from containers and Dockerfiles */
/* the lifecycle of an existing container (engine/start.h, engine/attach.h), and its files */
cmd_fn cmd_create, cmd_start, cmd_restart, cmd_attach, cmd_cp, cmd_diff;

/* Run argv[0] as a top-level command (`hull image ls` runs `images`). */
int dispatch(const struct hull_globals *g, int argc, char **argv, struct hull_err *err);

/* "hull CMD: msg (see `hull CMD --help`)", returns -1. */
int usage_error(struct hull_err *err, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Print the --help text of a command (looked up by name in main.c's table). */
void print_usage(const char *cmd);

/* Open the engine (records and runtime state) the globals name. */
int open_engine(const struct hull_globals *g, struct hull_engine *e, struct hull_err *err);

/* Progress of load/import/pull on standard error when it is a terminal; nothing otherwise. */
void progress_attach(struct hull_store *s);
void progress_done(void);

/* Human-readable figures as docker prints them ("4.26MB", "2 years ago"). */
void human_size(unsigned long long bytes, char *buf, size_t len);
void human_bytes(unsigned long long bytes, char *buf, size_t len);
void human_since(const char *rfc3339, char *buf, size_t len);
/* "3 seconds ago" (or "3 seconds" without ago), malloc'd. */
char *human_age(const char *rfc3339, bool ago);

#endif
