/* SPDX-License-Identifier: Apache-2.0 */
/* Making and editing the config.json model in code (the default specs, `hull run`'s flags),
 * and the yajl trees of its raw sections (linux.resources, .seccomp, .personality, vm). */
#ifndef HULL_SPEC_EDIT_H
#define HULL_SPEC_EDIT_H

#include <stdbool.h>
#include <yajl/yajl_tree.h>

#include "lib/err.h"
#include "runtime/spec/spec.h"

#define HULL_SPEC_OCI_VERSION "1.2.0"

/* An empty model: ociVersion only. */
struct hull_spec *hull_spec_new(void);
/* The process and linux sections, made empty (process.cwd "/") when absent. */
struct hull_process *hull_spec_process(struct hull_spec *s);
struct hull_linux *hull_spec_linux(struct hull_spec *s);

/* Append a mount; its options (NULL: none, no "options" key) are parsed as the reader does,
 * so the model stays what reading its text would give. */
int hull_spec_add_mount(struct hull_spec *s, const char *destination, const char *type,
			const char *source, char *const *options, struct hull_err *err);
/* Replace a mount's options (NULL: none), parsed again. */
int hull_mount_set_options(struct hull_mount *m, char *const *options, struct hull_err *err);
/* The first mount at destination, or NULL (valid until the next hull_spec_add_mount). */
struct hull_mount *hull_spec_find_mount(struct hull_spec *s, const char *destination);

/* Set key (replacing its value if present, in place). */
void hull_spec_set_annotation(struct hull_spec *s, const char *key, const char *value);
/* Add namespace type (path NULL: a new one), or set the path of the one listed. */
void hull_spec_set_namespace(struct hull_spec *s, int type, const char *path);
void hull_spec_remove_namespace(struct hull_spec *s, int type);

/* Point a raw section (&linux_->seccomp, &vm...) at tree, which the spec then owns; NULL
 * removes the section.  A tree code set there before is freed; one inside the document read
 * stays (the document owns it). */
void hull_spec_set_section(struct hull_spec *s, yajl_val *slot, yajl_val tree);
/* linux.resources, made an empty object when absent: edit it with hull_tree_put(). */
yajl_val hull_spec_resources(struct hull_spec *s);

/* yajl trees made in code, freed with yajl_tree_free() like parsed ones. */
yajl_val hull_tree_object(void);
yajl_val hull_tree_array(void);
yajl_val hull_tree_string(const char *s);
yajl_val hull_tree_int(long long v);
yajl_val hull_tree_bool(bool v);
/* obj[key] = v, replacing (and freeing) the value there; v becomes obj's. */
void hull_tree_put(yajl_val obj, const char *key, yajl_val v);
/* v appended to arr, which owns it from now on. */
void hull_tree_append(yajl_val arr, yajl_val v);
/* A JSON text as a tree; what names the text in the error. */
yajl_val hull_tree_parse(const char *json, const char *what, struct hull_err *err);

#endif
