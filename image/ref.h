/* SPDX-License-Identifier: Apache-2.0 */
/* Image references as docker writes them: [HOST[:PORT]/]PATH[:TAG].  Names are stored in the
 * familiar form docker shows: "docker.io/library/busybox" is "busybox", the tag defaults to
 * "latest". */
#ifndef HULL_IMAGE_REF_H
#define HULL_IMAGE_REF_H

#include "lib/err.h"

/* name_out (if not NULL) gets "repo:tag"; err explains a malformed reference. */
int hull_ref_normalize(const char *ref, char **name_out, struct hull_err *err);
/* Split a normalized "repo:tag" into its parts (the tag is after the last ':' that follows
 * the last '/').  Both are newly allocated. */
void hull_ref_split(const char *name, char **repo, char **tag);

#endif
