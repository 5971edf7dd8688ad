/* SPDX-License-Identifier: Apache-2.0 */
/* The instructions that only change an image's settings (CMD, ENTRYPOINT, ENV, LABEL, EXPOSE,
 * VOLUME, USER, WORKDIR, STOPSIGNAL, SHELL, HEALTHCHECK, ONBUILD, MAINTAINER) applied to an
 * image config as docker applies them: for `hull build` and `hull commit --change`. */
#ifndef HULL_ENGINE_IMGEDIT_H
#define HULL_ENGINE_IMGEDIT_H

#include <stdbool.h>

#include "engine/dockerfile.h"
#include "image/imgconfig.h"

struct hull_imgedit {
	struct hull_imgcfg *cfg;
	char escape;
	/* variables beyond the config's Env (build args); may be NULL */
	hull_df_lookup *lookup;
	void *ctx;
	bool cmd_set; /* CMD was given here: a later ENTRYPOINT keeps it (docker resets it) */
};

/* The variable name as an instruction's arguments see it: the config's Env first, then
 * ed->lookup (docker: ENV overrides ARG). */
const char *hull_imgedit_lookup(void *ed, const char *name);

/* Apply in to ed->cfg; the instructions that need a build (FROM, RUN, COPY, ADD, ARG) are
 * an error. */
int hull_imgedit_apply(struct hull_imgedit *ed, const struct hull_df_instr *in,
		       struct hull_err *err);

/* The shell form of a command: the config's Shell (default /bin/sh -c) and the text. */
char **hull_imgedit_shell_form(const struct hull_imgcfg *cfg, const char *text);

/* "#(nop) " and the instruction with its variables expanded, as history's created_by. */
char *hull_imgedit_nop_text(struct hull_imgedit *ed, const struct hull_df_instr *in);

#endif
