/* SPDX-License-Identifier: Apache-2.0 */
/* Compiled seccomp filters kept in the runtime's state root (seccomp_cache.c). */
#ifndef HULL_SECCOMP_CACHE_H
#define HULL_SECCOMP_CACHE_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

struct sock_filter;

/* The text an entry is found by: a `linux.seccomp` section in canonical JSON, with what else
 * decides the compiled program.  NULL when it cannot be made (no cache then). */
char *hull_seccomp_cache_key(yajl_val section, size_t *len);
/* 0 and the program (malloc'd) when root holds an intact entry for key; -1 otherwise. */
int hull_seccomp_cache_get(const char *root, const char *key, size_t len, struct sock_filter **bpf,
			   unsigned short *n_insns, unsigned int *flags);
/* Keep a program for key; failures are ignored (the next create compiles again). */
void hull_seccomp_cache_put(const char *root, const char *key, size_t len,
			    const struct sock_filter *bpf, unsigned short n_insns,
			    unsigned int flags);

#endif
