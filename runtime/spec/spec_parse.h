/* SPDX-License-Identifier: Apache-2.0 */
/* The parts of config.json's parser shared between spec.c and its sections (and exec's
 * --process file). */
#ifndef HULL_SPEC_PARSE_H
#define HULL_SPEC_PARSE_H

#include <yajl/yajl_tree.h>

#include "lib/err.h"
#include "runtime/spec/spec.h"

/* spec_linux.c */
int hull_spec_parse_linux(yajl_val j, struct hull_linux *lx, struct hull_err *err);
void hull_spec_free_linux(struct hull_linux *lx);
/* spec_process.c */
int hull_spec_parse_process(yajl_val j, struct hull_process *p, struct hull_err *err);
void hull_spec_free_process(struct hull_process *p);
/* spec_sched.c: process.scheduler and process.ioPriority into p */
int hull_spec_parse_sched(yajl_val j, struct hull_process *p, struct hull_err *err);

#endif
