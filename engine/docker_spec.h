/* SPDX-License-Identifier: Apache-2.0 */
/* Docker's defaults for a new container, the spec `hull run` starts from before its flags
 * (hull's docker-compatibility policy; runc's defaults, for `hull-oci spec`, are in
 * runtime/spec/spec_default.c). */
#ifndef HULL_ENGINE_DOCKER_SPEC_H
#define HULL_ENGINE_DOCKER_SPEC_H

#include <stdbool.h>

#include "lib/err.h"
#include "runtime/spec/spec.h"

/* What docker gives a container it is not told otherwise: root in /, docker's default
 * capabilities as the bounding, effective and permitted sets; proc, a tmpfs /dev, devpts,
 * sysfs and the cgroup tree read-only, mqueue, shm; new pid, ipc, uts, mount and network
 * namespaces; the device cgroup rules; docker's masked and read-only paths.  No seccomp
 * profile yet: it depends on the final capabilities (hull_docker_spec_seccomp). */
struct hull_spec *hull_docker_spec(struct hull_err *err);

/* --privileged: every capability, sysfs and cgroup writable, every device, no masked or
 * read-only paths, no seccomp profile. */
int hull_docker_spec_privileged(struct hull_spec *s, struct hull_err *err);

/* docker's default seccomp profile for the capabilities the spec's bounding set grants. */
int hull_docker_spec_seccomp(struct hull_spec *s, struct hull_err *err);

/* A device rule of the cgroup: allow type major:minor (-1: any) with access ("rwm"). */
void hull_docker_spec_allow_device(struct hull_spec *s, const char *type, long long major,
				   long long minor, const char *access);

/* The capabilities on() selects, as "CAP_X" names in kernel order, leaving out those hull's
 * own bounding set lacks (they cannot be given); NULL-terminated, malloc'd. */
char **hull_docker_caps_select(bool (*on)(const char *cap, const void *ctx), const void *ctx);

#endif
