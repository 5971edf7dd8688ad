/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small Go text/template for --format.  Scripts written for docker use a handful of its
 * features (`{{.Names}}`, `{{json .Config}}`, `{{index .Config.Labels "k"}}`, `{{range}}`,
 * `{{if eq .State.Status "running"}}`, `table {{.ID}}\t{{.Image}}`), so that handful is what
 * this renders, over a yajl tree instead of Go structs.
 */
#include "cmd/hull/template.h"
#include "cmd/hull/template_ast.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

#define MAX_DEPTH 32

static void pipe_free(struct pipe *p);

static void nodes_free(struct node *n)
{
	while (n) {
		struct node *next = n->next;
		free(n->text);
		pipe_free(n->pipe);
		nodes_free(n->body);
		nodes_free(n->alt);
		free(n);
		n = next;
	}
}

static void pipe_free(struct pipe *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		for (size_t j = 0; j < p->cmds[i].n; j++) {
			free(p->cmds[i].args[j].s);
			pipe_free(p->cmds[i].args[j].sub);
		}
	free(p->cmds);
	free(p);
}

void hull_tmpl_free(struct hull_tmpl *t)
{
	if (t) {
		nodes_free(t->root);
		free(t);
	}
}

/* --- parsing --- */

struct parser {
	const char *src; /* the whole template, for positions in errors */
	struct hull_err *err;
};

static int perr(struct parser *p, const char *at, const char *what)
{
	return hull_error(p->err, EINVAL, "template: %s at position %ld", what,
			  (long)(at - p->src) + 1);
}

static const char *skip_space(const char *s, const char *end)
{
	while (s < end && isspace((unsigned char)*s))
		s++;
	return s;
}

/* One pipeline from s to end (the inside of {{ }} or of parentheses). */
static struct pipe *parse_pipe(struct parser *p, const char *s, const char *end)
{
	struct pipe *pp = xzalloc(sizeof(*pp));
	struct cmd *c;

	pp->cmds = xzalloc(sizeof(*pp->cmds));
	pp->n = 1;
	c = &pp->cmds[0];
	for (s = skip_space(s, end); s < end; s = skip_space(s, end)) {
		struct arg *a;
		if (*s == '|') {
			if (!c->n)
				goto fail_msg_empty;
			pp->cmds = xrealloc(pp->cmds, (pp->n + 1) * sizeof(*pp->cmds));
			c = &pp->cmds[pp->n++];
			memset(c, 0, sizeof(*c));
			s++;
			continue;
		}
		if (c->n == MAX_ARGS) {
			perr(p, s, "too many arguments");
			goto fail;
		}
		a = &c->args[c->n++];
		if (*s == '"') {
			const char *q = s + 1;
			char *o = a->s = xzalloc((size_t)(end - s));
			a->kind = ARG_STRING;
			while (q < end && *q != '"') {
				if (*q == '\\' && q + 1 < end) {
					q++;
					*o++ = *q == 'n' ? '\n' : *q == 't' ? '\t' : *q;
				} else {
					*o++ = *q;
				}
				q++;
			}
			if (q >= end) {
				perr(p, s, "unterminated string");
				goto fail;
			}
			s = q + 1;
		} else if (*s == '(') {
			int depth = 1;
			const char *q = s + 1;
			while (q < end && depth) {
				depth += *q == '(' ? 1 : *q == ')' ? -1 : 0;
				q++;
			}
			if (depth) {
				perr(p, s, "unclosed parenthesis");
				goto fail;
			}
			a->kind = ARG_SUB;
			a->sub = parse_pipe(p, s + 1, q - 1);
			if (!a->sub)
				goto fail;
			s = q;
		} else {
			const char *q = s;
			while (q < end && !isspace((unsigned char)*q) && *q != '|' && *q != '(' &&
			       *q != ')')
				q++;
			a->s = xzalloc((size_t)(q - s) + 1);
			memcpy(a->s, s, (size_t)(q - s));
			if (*s == '.') {
				a->kind = ARG_FIELD;
				memmove(a->s, a->s + 1, strlen(a->s)); /* drop the leading dot */
			} else if (isdigit((unsigned char)*s) || *s == '-') {
				a->kind = ARG_NUMBER;
			} else if (isalpha((unsigned char)*s)) {
				a->kind = ARG_FUNC;
			} else {
				perr(p, s, "unexpected character");
				goto fail;
			}
			s = q;
		}
	}
	if (!c->n) {
	fail_msg_empty:
		perr(p, s, "empty command");
		goto fail;
	}
	return pp;
fail:
	pipe_free(pp);
	return NULL;
}

/* Unescape docker's two-character \t and \n in literal text. */
static char *literal(const char *s, size_t n)
{
	char *o = xzalloc(n + 1), *w = o;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n && (s[i + 1] == 't' || s[i + 1] == 'n')) {
			*w++ = s[i + 1] == 't' ? '\t' : '\n';
			i++;
		} else {
			*w++ = s[i];
		}
	}
	return o;
}

static bool keyword(const char *s, const char *end, const char *kw, const char **rest)
{
	size_t n = strlen(kw);
	if ((size_t)(end - s) < n || strncmp(s, kw, n) ||
	    (s + n < end && !isspace((unsigned char)s[n])))
		return false;
	*rest = s + n;
	return true;
}

/* Parses nodes up to an {{else}} or {{end}} (reported in *stop) or the end of the text. */
static struct node *parse_nodes(struct parser *p, const char **pos, int depth, const char **stop)
{
	struct node *head = NULL, **tail = &head;
	const char *s = *pos;

	*stop = NULL;
	if (depth > MAX_DEPTH) {
		perr(p, s, "nested too deep");
		return NULL;
	}
	while (*s) {
		const char *open = strstr(s, "{{"), *close, *in, *in_end, *rest;
		bool trim_left, trim_right;
		struct node *n;

		if (!open)
			open = s + strlen(s);
		trim_left = *open && open[2] == '-' && isspace((unsigned char)open[3]);
		{
			const char *lit_end = open;
			if (trim_left)
				while (lit_end > s && isspace((unsigned char)lit_end[-1]))
					lit_end--;
			if (lit_end > s) {
				n = xzalloc(sizeof(*n));
				n->kind = NODE_TEXT;
				n->text = literal(s, (size_t)(lit_end - s));
				*tail = n;
				tail = &n->next;
			}
		}
		if (!*open)
			break;
		close = strstr(open + 2, "}}");
		if (!close) {
			perr(p, open, "unclosed action");
			goto fail;
		}
		in = open + 2 + (trim_left ? 2 : 0);
		trim_right =
			close - 2 >= in && close[-1] == '-' && isspace((unsigned char)close[-2]);
		in_end = close - (trim_right ? 2 : 0);
		s = close + 2;
		if (trim_right)
			while (isspace((unsigned char)*s))
				s++;
		in = skip_space(in, in_end);
		while (in_end > in && isspace((unsigned char)in_end[-1]))
			in_end--;
		if (in == in_end) {
			perr(p, open, "empty action");
			goto fail;
		}
		if (keyword(in, in_end, "end", &rest) || keyword(in, in_end, "else", &rest)) {
			if (skip_space(rest, in_end) != in_end) {
				perr(p, open, "`else` and `end` take nothing");
				goto fail;
			}
			*stop = *in == 'e' && in[1] == 'n' ? "end" : "else";
			*pos = s;
			return head ? head : xzalloc(sizeof(struct node)); /* empty body: a no-op */
		}
		n = xzalloc(sizeof(*n));
		*tail = n;
		tail = &n->next;
		if (keyword(in, in_end, "if", &rest) || keyword(in, in_end, "range", &rest) ||
		    keyword(in, in_end, "with", &rest)) {
			const char *st;
			n->kind = *in == 'i' ? NODE_IF : *in == 'r' ? NODE_RANGE : NODE_WITH;
			n->pipe = parse_pipe(p, rest, in_end);
			if (!n->pipe)
				goto fail;
			n->body = parse_nodes(p, &s, depth + 1, &st);
			if (!n->body)
				goto fail;
			if (st && !strcmp(st, "else")) {
				n->alt = parse_nodes(p, &s, depth + 1, &st);
				if (!n->alt)
					goto fail;
			}
			if (!st || strcmp(st, "end")) {
				perr(p, open, "no {{end}} for this action");
				goto fail;
			}
		} else {
			n->kind = NODE_ACTION;
			n->pipe = parse_pipe(p, in, in_end);
			if (!n->pipe)
				goto fail;
		}
	}
	*pos = s;
	return head ? head : xzalloc(sizeof(struct node));
fail:
	nodes_free(head);
	return NULL;
}

int hull_tmpl_parse(const char *text, struct hull_tmpl **out, struct hull_err *err)
{
	struct parser p = {text, err};
	const char *pos = text, *stop;
	struct node *root = parse_nodes(&p, &pos, 0, &stop);

	if (!root)
		return -1;
	if (stop) {
		nodes_free(root);
		return hull_error(err, EINVAL, "template: {{%s}} without an action to close", stop);
	}
	*out = xzalloc(sizeof(**out));
	(*out)->root = root;
	return 0;
}

bool hull_format_is_table(const char *format, const char **tmpl)
{
	if (!strcmp(format, "table")) {
		*tmpl = NULL;
		return true;
	}
	if (!hull_has_prefix(format, "table "))
		return false;
	*tmpl = format + 6;
	return true;
}

bool hull_format_is_json(const char *format)
{
	return !strcmp(format, "json");
}
