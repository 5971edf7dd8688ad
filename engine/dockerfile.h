/* SPDX-License-Identifier: Apache-2.0 */
/* Dockerfiles (Containerfiles) as docker's classic builder reads them: parser directives
 * (`# escape=`, `# syntax=` ignored), comments, line continuations, instructions with their
 * flags and their arguments in exec (JSON) or shell form (dockerfile.c), and the shell-like
 * word rules of the instructions' arguments: quotes, the escape character, $VAR, ${VAR},
 * ${VAR:-word}, ${VAR:+word} (dockerfile_words.c).  Pure: no I/O, unit-tested. */
#ifndef HULL_ENGINE_DOCKERFILE_H
#define HULL_ENGINE_DOCKERFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

enum hull_df_kind {
	HULL_DF_FROM,
	HULL_DF_RUN,
	HULL_DF_CMD,
	HULL_DF_ENTRYPOINT,
	HULL_DF_ENV,
	HULL_DF_ARG,
	HULL_DF_LABEL,
	HULL_DF_EXPOSE,
	HULL_DF_VOLUME,
	HULL_DF_USER,
	HULL_DF_WORKDIR,
	HULL_DF_COPY,
	HULL_DF_ADD,
	HULL_DF_SHELL,
	HULL_DF_STOPSIGNAL,
	HULL_DF_HEALTHCHECK,
	HULL_DF_ONBUILD,
	HULL_DF_MAINTAINER,
};

struct hull_df_instr {
	enum hull_df_kind kind;
	const char *keyword; /* "RUN": static */
	char *original;	     /* the instruction as written, continuations joined */
	char **flags;	     /* "--name=value" (or "--name"), in order */
	char *rest;	     /* the text after the keyword and the flags */
	bool json;	     /* exec form: args are the JSON array's strings */
	char **args;	     /* exec form: the strings; else NULL (rest is to be expanded) */
	int line;	     /* where it starts, from 1 */
};

struct hull_dockerfile {
	struct hull_df_instr *v;
	size_t n;
	char escape; /* '\\' or '`' */
};

/* Parse text; errors name the line.  Unknown instructions and flags are errors. */
int hull_dockerfile_parse(const char *text, struct hull_dockerfile *df, struct hull_err *err);
void hull_dockerfile_free(struct hull_dockerfile *df);
/* Parse one instruction line (commit --change, ONBUILD triggers). */
int hull_df_parse_line(const char *line, char escape, struct hull_df_instr *out,
		       struct hull_err *err);
void hull_df_instr_clear(struct hull_df_instr *in);

/* The value of --name among flags ("--from=x" gives "x", "--link" gives ""), or NULL. */
const char *hull_df_flag(const struct hull_df_instr *in, const char *name);

/* Variables for expansion: the value of name, or NULL when it is not set. */
typedef const char *hull_df_lookup(void *ctx, const char *name);

/* Expand text as docker expands an instruction's arguments: quotes removed, the escape
 * character honoured, variables replaced.  With split, unquoted white space separates words
 * (*words gets them all); without, *words gets the one word the whole text makes. */
int hull_df_expand(const char *text, char escape, hull_df_lookup *lookup, void *ctx, bool split,
		   char ***words, struct hull_err *err);

/* KEY=VALUE words of ENV and LABEL (and docker's older `ENV KEY VALUE`), expanded: *kv gets
 * "KEY" and "VALUE" alternately. */
int hull_df_pairs(const struct hull_df_instr *in, char escape, hull_df_lookup *lookup, void *ctx,
		  char ***kv, struct hull_err *err);

#endif
