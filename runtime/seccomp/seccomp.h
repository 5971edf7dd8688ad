/* SPDX-License-Identifier: Apache-2.0 */
/* The workload's seccomp filter (libseccomp), built from the spec's `linux.seccomp`. */
#ifndef HULL_SECCOMP_H
#define HULL_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <yajl/yajl_tree.h>

#include "lib/err.h"

struct hull_seccomp;

/* Build and compile the filter of a `linux.seccomp` object in the runtime, before anything
 * starts, so a bad profile fails `create` with a message naming the field.  A NULL section
 * gives *out == NULL (no filter).  Syscall names libseccomp does not know are skipped.  With
 * cache_root (the state root), a profile compiled before is taken from its cache. */
int hull_seccomp_build(yajl_val seccomp, const char *cache_root, struct hull_seccomp **out,
		       struct hull_err *err);
/* Install it on the calling thread (the init or the exec'd process, just before execve);
 * NULL is a no-op.  Without no_new_privs this needs CAP_SYS_ADMIN. */
int hull_seccomp_load(struct hull_seccomp *f, struct hull_err *err);
void hull_seccomp_free(struct hull_seccomp *f);

/* SCMP_ACT_NOTIFY: a filter with such rules is loaded with a new listener (the spec must
 * name listenerPath); its fd goes to the runtime and on to the listener (seccomp_notify.c). */
bool hull_seccomp_has_notify(const struct hull_seccomp *f);
/* The listener's fd once loaded (the caller owns it), -1 without one. */
int hull_seccomp_take_notify_fd(struct hull_seccomp *f);
/* The runtime: receive the fd from the process over its sync socket (a SYNC_SECCOMP_FD
 * message) and send it to the spec's listenerPath with the container process state
 * (runtime-spec's ContainerProcessState: ociVersion, fds ["seccompFd"], pid, metadata =
 * listenerMetadata, state).  Nothing happens without a notify filter. */
int hull_seccomp_notify_forward(const struct hull_seccomp *f, yajl_val seccomp, int sync_fd,
				pid_t pid, const char *state_json, struct hull_err *err);
/* Send the fd itself, after a SYNC_SECCOMP_FD message has been received. */
int hull_seccomp_notify_send(yajl_val seccomp, int notify_fd, pid_t pid, const char *state_json,
			     struct hull_err *err);
/* The compiled program, for a process that loads it where libseccomp is not (the VM guest's
 * init): n_insns BPF instructions, and the SECCOMP_FILTER_FLAG_* flags to load it with. */
struct sock_filter;
const struct sock_filter *hull_seccomp_program(const struct hull_seccomp *f, size_t *n_insns,
					       unsigned int *flags);

/* The names `features` reports; NULL-terminated. */
extern const char *const hull_seccomp_action_names[];
extern const char *const hull_seccomp_op_names[];
extern const char *const hull_seccomp_arch_names[];
extern const char *const hull_seccomp_flag_names[];

#endif
