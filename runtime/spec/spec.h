/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI runtime-spec config.json as typed structs, read and written with yajl. */
#ifndef HULL_SPEC_H
#define HULL_SPEC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <yajl/yajl_tree.h>

#include "lib/err.h"
#include "lib/json.h"

struct hull_id_map {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

enum { HULL_IDMAP = 1, HULL_IDMAP_RECURSIVE = 2 };

struct hull_mount {
	char *destination; /* required */
	char *type;	   /* may be NULL (then a bind if options say so) */
	char *source;	   /* may be NULL */
	char **options;	   /* NULL-terminated, may be empty */
	/* Filled by hull_mount_parse_options() (mount_opts.c). */
	unsigned long flags;	   /* MS_* for mount(2) */
	unsigned long clear_flags; /* MS_* named with their negation ("rw", "suid"...) */
	unsigned long propagation; /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE [|MS_REC] */
	unsigned long long rec_attr_set, rec_attr_clr; /* MOUNT_ATTR_* for rro, rnosuid... */
	char *data; /* the options mount(2) takes as its data string */
	bool bind;  /* bind or rbind */
	bool tmpcopyup;
	/* idmap or ridmap (or the mount's own uidMappings, see runtime/bind.h) */
	unsigned char idmap; /* 0, HULL_IDMAP, HULL_IDMAP_RECURSIVE */
	/* The object this mount was read from, NULL when code made it: the writer copies the
	 * fields hull does not model (uidMappings...) from it.  Owned by hull_spec.tree. */
	yajl_val src;
};

struct hull_hook {
	char *path;  /* required, absolute */
	char **args; /* NULL-terminated, may be NULL */
	char **env;  /* NULL-terminated, may be NULL */
	int timeout; /* seconds; 0 = none */
};

struct hull_hook_list {
	struct hull_hook *hooks;
	size_t n;
};

struct hull_hooks {
	struct hull_hook_list prestart;
	struct hull_hook_list create_runtime;
	struct hull_hook_list create_container;
	struct hull_hook_list start_container;
	struct hull_hook_list poststart;
	struct hull_hook_list poststop;
};

struct hull_rlimit {
	int resource; /* RLIMIT_* */
	char *type;   /* "RLIMIT_NOFILE" as written */
	uint64_t soft;
	uint64_t hard;
};

struct hull_capabilities {
	char **bounding, **effective, **inheritable, **permitted, **ambient; /* may be NULL */
};

/* process.scheduler, as sched_setattr(2) takes it */
struct hull_sched {
	uint32_t policy; /* SCHED_* */
	int32_t nice;
	uint32_t priority;
	uint64_t flags; /* SCHED_FLAG_* */
	uint64_t runtime, deadline, period;
};

struct hull_process {
	bool terminal;
	unsigned int console_height, console_width; /* consoleSize, 0 if absent */
	uid_t uid;
	gid_t gid;
	bool has_umask;
	mode_t umask;
	gid_t *additional_gids;
	size_t n_additional_gids;
	char **args;			/* NULL-terminated; required non-empty for create/run */
	char **env;			/* NULL-terminated, may be NULL */
	char *cwd;			/* required, absolute */
	struct hull_capabilities *caps; /* NULL if absent */
	struct hull_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	bool has_oom_score_adj;
	int oom_score_adj;
	bool has_sched;
	struct hull_sched sched;
	bool has_io_priority;
	int io_priority; /* ioprio_set(2)'s value: class << 13 | priority */
	char *apparmor_profile;
	char *selinux_label;
	/* The object it was read from (see hull_mount.src), NULL if made by code; an exec
	 * --process file's tree may be gone once read: only a spec's own is written from. */
	yajl_val src;
};

struct hull_namespace {
	int type;   /* CLONE_NEWPID, CLONE_NEWNS, ..., CLONE_NEWTIME */
	char *path; /* join this one instead of creating; NULL = new */
};

struct hull_device {
	char *path; /* absolute, inside the container */
	char type;  /* 'c', 'b', 'u', 'p' */
	int64_t major, minor;
	bool has_file_mode;
	mode_t file_mode;
	bool has_uid, has_gid;
	uid_t uid;
	gid_t gid;
};

struct hull_time_offset {
	char *clock; /* "monotonic" or "boottime" */
	int64_t secs;
	uint32_t nanosecs;
};

struct hull_linux {
	struct hull_namespace *namespaces;
	size_t n_namespaces;
	struct hull_id_map *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	struct hull_device *devices;
	size_t n_devices;
	char *cgroups_path;
	struct hull_kv *sysctl;
	size_t n_sysctl;
	char *rootfs_propagation;
	char **masked_paths;   /* NULL-terminated, may be NULL */
	char **readonly_paths; /* NULL-terminated, may be NULL */
	char *mount_label;
	struct hull_time_offset *time_offsets;
	size_t n_time_offsets;
	/* Sections owned by their own modules (cgroups, seccomp, personality), which read them
	 * from the tree; pointers into hull_spec.tree, NULL when absent. */
	yajl_val resources;
	yajl_val seccomp;
	yajl_val personality;
	yajl_val src; /* the object it was read from (see hull_mount.src), NULL if made by code */
};

struct hull_spec {
	char *oci_version; /* required */
	char *root_path;   /* root.path, NULL if no root */
	bool root_readonly;
	char *hostname;
	char *domainname;
	struct hull_mount *mounts;
	size_t n_mounts;
	struct hull_process *process; /* NULL if absent */
	struct hull_hooks hooks;
	struct hull_kv *annotations;
	size_t n_annotations;
	struct hull_linux *linux_; /* NULL if absent */
	yajl_val vm;		   /* the spec's "vm" section, NULL if absent */
	yajl_val tree;		   /* the whole document read, NULL if made by code */
	/* The raw sections (resources, seccomp, personality, vm) point into tree, or into a tree
	 * code set with hull_spec_set_section(), which the spec then owns here. */
	yajl_val *owned;
	size_t n_owned;
};

/* Parse a config.json document.  Errors name the field at fault, e.g.
 * "config.json: `process.args` must be an array of strings". */
struct hull_spec *hull_spec_parse(const char *json, struct hull_err *err);
struct hull_spec *hull_spec_load(const char *path, struct hull_err *err);
void hull_spec_free(struct hull_spec *spec);
static inline void hull_spec_freep(struct hull_spec **spec)
{
	hull_spec_free(*spec);
}
#define cleanup_spec __attribute__((cleanup(hull_spec_freep)))

/* Lookups. */
const char *hull_spec_annotation(const struct hull_spec *spec, const char *key);
const struct hull_namespace *hull_spec_namespace(const struct hull_spec *spec, int type);

/* "pid" -> CLONE_NEWPID, ...; 0 if unknown.  And back. */
int hull_namespace_type(const char *name);
const char *hull_namespace_name(int type);

/* The model as config.json text (malloc'd; tab-indented when pretty).  Raw sections are
 * written as they are; the fields hull does not model are copied from the objects the model
 * was read from (the document, root, process and its user, capabilities and consoleSize,
 * hooks, each mount, linux), so a spec read, edited and written keeps them (spec_write.c). */
char *hull_spec_write(const struct hull_spec *spec, bool pretty);

/* runc's default spec (`runc spec`, `--rootless` with rootless = true) into a new model, with
 * docker's default seccomp profile for its capabilities (spec_default.c). */
struct hull_spec *hull_spec_default_runc(bool rootless, struct hull_err *err);

#endif
