/* SPDX-License-Identifier: Apache-2.0 */
/* hull's container records: what `hull run` made, under <root>/containers/<id>/, and the
 * unique names that point at them (<root>/names/<name> -> id). */
#ifndef HULL_ENGINE_CTR_H
#define HULL_ENGINE_CTR_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/err.h"
#include "lib/json.h"

#define HULL_ENGINE_DEFAULT_ROOT    "/var/lib/hull"
#define HULL_ENGINE_DEFAULT_RUNROOT "/run/hull"

struct hull_engine {
	char *root;    /* records, bundles, logs (persistent) */
	char *runroot; /* hull-oci state of the live containers (volatile) */
};

struct hull_ctr {
	char *id; /* 64 hex digits */
	char *name;
	char *image;	/* as the user named it, or the --rootfs directory */
	char *image_id; /* "sha256:..." or "" */
	char **command; /* the process args, for ps */
	char *created;	/* RFC 3339 */
	char *isolation;
	char *stop_signal; /* "SIGTERM" unless the image says otherwise */
	char *rootfs_kind; /* "dir": --rootfs used as is; "overlay": mounted from image layers */
	char *rootfs;	   /* where the container's root is (the bundle's rootfs) */
	char *network;	   /* "none", "host" or "bridge" (engine/net.c) */
	char **ports;	   /* -p as given, bridge only */
	char *ip;	   /* the container's IPv4 address on the bridge, or NULL */
	struct hull_kv *labels; /* the image's and --label's (docker's Config.Labels) */
	size_t n_labels;
	bool has_stop_timeout; /* --stop-timeout: `hull stop`'s default wait, seconds */
	int stop_timeout;
	/* no usable record.json (a hull killed while it made or removed the container, a damaged
	 * file): the fields are what the container's directory and names show, for listing and
	 * removal (hull_ctr_load) */
	bool partial;
	bool auto_remove;
	bool tty;
	bool interactive;
	pid_t monitor_pid;
	char *restart_policy; /* --restart as given (engine/restart_policy.h), NULL: "no" */
	/* filled from run.json (engine/runstate.h) once the container has been started */
	char *started; /* RFC 3339, NULL: never started (docker's "created") */
	int restart_count;
	bool restarting; /* its monitor waits to start it again */
	/* filled from exit.json by hull_ctr_load when the workload has ended */
	bool exited;
	int exit_code;
	char *finished;
};

int hull_engine_init(struct hull_engine *e, const char *root, const char *runroot,
		     struct hull_err *err);
void hull_engine_free(struct hull_engine *e);

char *hull_ctr_dir(const struct hull_engine *e, const char *id);
/* <dir>/<file> */
char *hull_ctr_path(const struct hull_engine *e, const char *id, const char *file);

/* A fresh random id. */
char *hull_ctr_new_id(void);
/* Docker's names: [a-zA-Z0-9][a-zA-Z0-9_.-]*. */
int hull_ctr_validate_name(const char *name, struct hull_err *err);
/* Claim name for id, atomically; EEXIST names the container that has it. */
int hull_ctr_claim_name(const struct hull_engine *e, const char *name, const char *id,
			struct hull_err *err);
void hull_ctr_release_name(const struct hull_engine *e, const char *name);
/* Every name that points at id (a rename killed half-way leaves two). */
void hull_ctr_release_names_of(const struct hull_engine *e, const char *id);
/* A name nobody holds, "adjective_noun" as docker makes them. */
char *hull_ctr_random_name(const struct hull_engine *e);

int hull_ctr_save(const struct hull_engine *e, const struct hull_ctr *c, struct hull_err *err);
/* The record of id; a container whose record.json is missing or damaged, but whose
 * directory or name is there, comes back partial (c->partial) rather than as an error. */
int hull_ctr_load(const struct hull_engine *e, const char *id, struct hull_ctr **out,
		  struct hull_err *err);
void hull_ctr_free(struct hull_ctr *c);
/* Free the fields of a record that is not itself malloc'd. */
void hull_ctr_clear(struct hull_ctr *c);

/* Name, full id or unique id prefix -> the record; errors say which it was not. */
int hull_ctr_lookup(const struct hull_engine *e, const char *ref, struct hull_ctr **out,
		    struct hull_err *err);
/* Every record, oldest first. */
int hull_ctr_list(const struct hull_engine *e, struct hull_ctr ***out, size_t *n,
		  struct hull_err *err);
void hull_ctr_list_free(struct hull_ctr **v, size_t n);

/* The workload's end, written once by whoever saw it (atomic). */
int hull_ctr_record_exit(const struct hull_engine *e, const char *id, int code,
			 struct hull_err *err);

#endif
