/* SPDX-License-Identifier: Apache-2.0 */
/* The parsed form of a --format template, between template.c (parse) and template_eval.c
 * (render). */
#ifndef HULL_CMD_TEMPLATE_AST_H
#define HULL_CMD_TEMPLATE_AST_H

#include <stddef.h>

#define MAX_ARGS 8

enum arg_kind { ARG_FIELD, ARG_STRING, ARG_NUMBER, ARG_FUNC, ARG_SUB };
struct pipe;
struct arg {
	enum arg_kind kind;
	char *s;	  /* a field path without its first dot, a string, a number or a name */
	struct pipe *sub; /* ARG_SUB: a parenthesized pipeline */
};
struct cmd {
	struct arg args[MAX_ARGS];
	size_t n;
};
struct pipe {
	struct cmd *cmds;
	size_t n;
};

enum node_kind { NODE_TEXT, NODE_ACTION, NODE_IF, NODE_RANGE, NODE_WITH };
struct node {
	enum node_kind kind;
	char *text;	   /* NODE_TEXT */
	struct pipe *pipe; /* the rest */
	struct node *body, *alt;
	struct node *next;
};

struct hull_tmpl {
	struct node *root;
};

#endif
