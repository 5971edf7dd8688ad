/* SPDX-License-Identifier: Apache-2.0 */
/* Rendering a parsed --format template (template.c) over a yajl tree, printing values the way
 * Go's text/template prints what docker hands it. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "cmd/hull/template.h"
#include "cmd/hull/template_ast.h"
#include "lib/json.h"
#include "lib/util.h"

#define NO_VALUE   "<no value>"
#define OUTPUT_MAX (16 << 20) /* a template that loops over a big value stops here */

enum val_kind { V_NONE, V_NODE, V_STR, V_NUM, V_BOOL };
struct val {
	enum val_kind k;
	yajl_val node; /* V_NODE: borrowed from the tree */
	char *str;     /* V_STR: owned */
	long long num;
	bool b;
};

struct buf {
	char *p;
	size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void val_free(struct val *v)
{
	if (v->k == V_STR)
		free(v->str);
	memset(v, 0, sizeof(*v));
}

static struct val str_val(char *owned)
{
	return (struct val){.k = V_STR, .str = owned};
}

/* Go's %v of what JSON holds: text as is, [a b] for arrays, map[k:v] with sorted keys. */
static void print_node(struct buf *b, yajl_val v)
{
	if (!v || YAJL_IS_NULL(v)) {
		puts_(b, NO_VALUE);
	} else if (YAJL_IS_STRING(v)) {
		puts_(b, v->u.string);
	} else if (YAJL_IS_NUMBER(v)) {
		puts_(b, v->u.number.r);
	} else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
		puts_(b, YAJL_IS_TRUE(v) ? "true" : "false");
	} else if (YAJL_IS_ARRAY(v)) {
		puts_(b, "[");
		for (size_t i = 0; i < v->u.array.len; i++) {
			if (i)
				puts_(b, " ");
			print_node(b, v->u.array.values[i]);
		}
		puts_(b, "]");
	} else if (YAJL_IS_OBJECT(v)) {
		size_t n = v->u.object.len;
		cleanup_free const char **keys = xzalloc((n ? n : 1) * sizeof(*keys));
		for (size_t i = 0; i < n; i++)
			keys[i] = v->u.object.keys[i];
		hull_strv_sort((char **)keys, n);
		puts_(b, "map[");
		for (size_t i = 0; i < n; i++) {
			if (i)
				puts_(b, " ");
			puts_(b, keys[i]);
			puts_(b, ":");
			print_node(b, sj_get(v, keys[i]));
		}
		puts_(b, "]");
	}
}

static void print_val(struct buf *b, const struct val *v)
{
	char num[32];
	switch (v->k) {
	case V_NONE:
		puts_(b, NO_VALUE);
		break;
	case V_NODE:
		print_node(b, v->node);
		break;
	case V_STR:
		puts_(b, v->str);
		break;
	case V_NUM:
		snprintf(num, sizeof(num), "%lld", v->num);
		puts_(b, num);
		break;
	case V_BOOL:
		puts_(b, v->b ? "true" : "false");
		break;
	}
}

static char *text_of(const struct val *v)
{
	struct buf b = {0};
	if (v->k == V_NODE && v->node && YAJL_IS_NULL(v->node))
		return xstrdup("");
	print_val(&b, v);
	return b.p ? b.p : xstrdup("");
}

static bool truth(const struct val *v)
{
	yajl_val n = v->node;
	switch (v->k) {
	case V_NONE:
		return false;
	case V_STR:
		return *v->str;
	case V_NUM:
		return v->num != 0;
	case V_BOOL:
		return v->b;
	case V_NODE:
		break;
	}
	if (!n || YAJL_IS_NULL(n) || YAJL_IS_FALSE(n))
		return false;
	if (YAJL_IS_STRING(n))
		return *n->u.string;
	if (YAJL_IS_NUMBER(n))
		return strtod(n->u.number.r, NULL) != 0;
	if (YAJL_IS_ARRAY(n))
		return n->u.array.len > 0;
	if (YAJL_IS_OBJECT(n))
		return n->u.object.len > 0;
	return true;
}

static struct val json_of(const struct val *v)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *out;
	size_t len;
	char *s;

	if (v->k == V_NODE)
		sj_gen(g, v->node);
	else if (v->k == V_STR)
		hull_gen_str(g, v->str);
	else if (v->k == V_NUM)
		yajl_gen_integer(g, v->num);
	else if (v->k == V_BOOL)
		yajl_gen_bool(g, v->b);
	else
		yajl_gen_null(g);
	yajl_gen_get_buf(g, &out, &len);
	s = xzalloc(len + 1);
	memcpy(s, out, len);
	yajl_gen_free(g);
	return str_val(s);
}

/* printf's verbs that scripts use: %s %v %d %q %%. */
static struct val printf_of(const struct val *args, size_t n, struct hull_err *err)
{
	struct buf b = {0};
	cleanup_free char *fmt = n ? text_of(&args[0]) : xstrdup("");
	size_t next = 1;

	for (const char *f = fmt; *f; f++) {
		cleanup_free char *t = NULL;
		if (*f != '%') {
			put(&b, f, 1);
			continue;
		}
		f++;
		if (*f == '%') {
			puts_(&b, "%");
			continue;
		}
		if (!*f || !strchr("svdq", *f) || next >= n) {
			free(b.p);
			hull_error(err, EINVAL, "template: printf `%s`: a verb without its value",
				   fmt);
			return (struct val){V_NONE, NULL, NULL, 0, false};
		}
		t = text_of(&args[next++]);
		if (*f == 'q') {
			puts_(&b, "\"");
			puts_(&b, t);
			puts_(&b, "\"");
		} else {
			puts_(&b, t);
		}
	}
	return str_val(b.p ? b.p : xstrdup(""));
}

static struct val call(const char *fn, struct val *a, size_t n, struct hull_err *err)
{
	struct val none = {0};
#define ARITY(k)                                                                                   \
	do {                                                                                       \
		if (n != (k)) {                                                                    \
			hull_error(err, EINVAL, "template: %s takes %d argument%s, not %zu", fn,   \
				   k, (k) == 1 ? "" : "s", n);                                     \
			return none;                                                               \
		}                                                                                  \
	} while (0)
	if (!strcmp(fn, "json")) {
		ARITY(1);
		return json_of(&a[0]);
	}
	if (!strcmp(fn, "upper") || !strcmp(fn, "lower") || !strcmp(fn, "title")) {
		char *s;
		ARITY(1);
		s = text_of(&a[0]);
		for (char *c = s; *c; c++)
			*c = (char)(fn[0] == 'u'	       ? toupper((unsigned char)*c)
				    : fn[0] == 'l'	       ? tolower((unsigned char)*c)
				    : (c == s || c[-1] == ' ') ? toupper((unsigned char)*c)
							       : *c);
		return str_val(s);
	}
	if (!strcmp(fn, "len")) {
		yajl_val v = a[0].node;
		ARITY(1);
		if (a[0].k == V_STR)
			return (struct val){.k = V_NUM, .num = (long long)strlen(a[0].str)};
		if (a[0].k == V_NODE && v && YAJL_IS_ARRAY(v))
			return (struct val){.k = V_NUM, .num = (long long)v->u.array.len};
		if (a[0].k == V_NODE && v && YAJL_IS_OBJECT(v))
			return (struct val){.k = V_NUM, .num = (long long)v->u.object.len};
		if (a[0].k == V_NODE && v && YAJL_IS_STRING(v))
			return (struct val){.k = V_NUM, .num = (long long)strlen(v->u.string)};
		hull_error(err, EINVAL, "template: len of a value that has no length");
		return none;
	}
	if (!strcmp(fn, "join")) {
		struct buf b = {0};
		cleanup_free char *sep = NULL;
		yajl_val v = a[0].node;
		ARITY(2);
		if (a[0].k != V_NODE || !v || !YAJL_IS_ARRAY(v)) {
			hull_error(err, EINVAL, "template: join needs a list");
			return none;
		}
		sep = text_of(&a[1]);
		for (size_t i = 0; i < v->u.array.len; i++) {
			if (i)
				puts_(&b, sep);
			print_node(&b, v->u.array.values[i]);
		}
		return str_val(b.p ? b.p : xstrdup(""));
	}
	if (!strcmp(fn, "index")) {
		yajl_val v = a[0].node;
		if (n < 2) {
			hull_error(err, EINVAL, "template: index needs a value and a key");
			return none;
		}
		for (size_t i = 1; i < n && a[0].k == V_NODE; i++) {
			cleanup_free char *k = text_of(&a[i]);
			if (v && YAJL_IS_OBJECT(v)) {
				v = sj_get(v, k);
			} else if (v && YAJL_IS_ARRAY(v)) {
				char *end;
				long idx = strtol(k, &end, 10);
				v = !*end && idx >= 0 && (size_t)idx < v->u.array.len
					    ? v->u.array.values[idx]
					    : NULL;
			} else {
				v = NULL;
			}
		}
		return v ? (struct val){.k = V_NODE, .node = v} : none;
	}
	if (!strcmp(fn, "eq") || !strcmp(fn, "ne")) {
		cleanup_free char *first = NULL;
		bool eq = false;
		if (n < 2) {
			hull_error(err, EINVAL, "template: %s needs two values", fn);
			return none;
		}
		first = text_of(&a[0]);
		for (size_t i = 1; i < n && !eq; i++) {
			cleanup_free char *t = text_of(&a[i]);
			eq = !strcmp(first, t);
		}
		return (struct val){.k = V_BOOL, .b = fn[0] == 'e' ? eq : !eq};
	}
	if (!strcmp(fn, "not")) {
		ARITY(1);
		return (struct val){.k = V_BOOL, .b = !truth(&a[0])};
	}
	if (!strcmp(fn, "and") || !strcmp(fn, "or")) {
		size_t i;
		if (n < 1) {
			hull_error(err, EINVAL, "template: %s needs values", fn);
			return none;
		}
		/* the first false (and) or true (or) value, else the last */
		for (i = 0; i + 1 < n; i++)
			if (truth(&a[i]) == (fn[0] == 'o'))
				break;
		if (a[i].k == V_STR) {
			struct val c = str_val(a[i].str);
			a[i].k = V_NONE; /* moved */
			return c;
		}
		return a[i];
	}
	if (!strcmp(fn, "printf"))
		return printf_of(a, n, err);
	hull_error(err, EINVAL, "template: function `%s` is not defined", fn);
	return none;
#undef ARITY
}

static struct val field(yajl_val dot, const char *path)
{
	cleanup_free char *copy = xstrdup(path);
	yajl_val v = dot;
	char *save = NULL;

	for (char *k = strtok_r(copy, ".", &save); k; k = strtok_r(NULL, ".", &save)) {
		if (!v || !YAJL_IS_OBJECT(v))
			return (struct val){0};
		v = sj_get(v, k);
	}
	return v ? (struct val){.k = V_NODE, .node = v} : (struct val){0};
}

static struct val eval_pipe(const struct pipe *p, yajl_val dot, struct hull_err *err);

static struct val eval_arg(const struct arg *a, yajl_val dot, struct hull_err *err)
{
	switch (a->kind) {
	case ARG_FIELD:
		return field(dot, a->s);
	case ARG_STRING:
		return str_val(xstrdup(a->s));
	case ARG_NUMBER:
		return (struct val){.k = V_NUM, .num = strtoll(a->s, NULL, 10)};
	case ARG_SUB:
		return eval_pipe(a->sub, dot, err);
	case ARG_FUNC:
		if (!strcmp(a->s, "true") || !strcmp(a->s, "false"))
			return (struct val){.k = V_BOOL, .b = a->s[0] == 't'};
		/* a function without arguments: only those of arity 0 (none here) */
		hull_error(err, EINVAL, "template: function `%s` needs arguments", a->s);
		return (struct val){0};
	}
	return (struct val){0};
}

static struct val eval_pipe(const struct pipe *p, yajl_val dot, struct hull_err *err)
{
	struct val prev = {0};
	bool have_prev = false;

	for (size_t i = 0; i < p->n; i++) {
		const struct cmd *c = &p->cmds[i];
		struct val args[MAX_ARGS + 1], r;
		size_t n = 0;

		if (c->args[0].kind != ARG_FUNC || !strcmp(c->args[0].s, "true") ||
		    !strcmp(c->args[0].s, "false")) {
			if (c->n > 1 || have_prev) {
				val_free(&prev);
				hull_error(err, EINVAL, "template: `%s` is not a function",
					   c->args[0].kind == ARG_FIELD ? "a field" : c->args[0].s);
				return (struct val){0};
			}
			prev = eval_arg(&c->args[0], dot, err);
			have_prev = true;
			if (err && err->msg[0])
				return prev;
			continue;
		}
		for (size_t j = 1; j < c->n; j++) {
			args[n++] = eval_arg(&c->args[j], dot, err);
			if (err && err->msg[0])
				break;
		}
		if (have_prev)
			args[n++] = prev;
		memset(&r, 0, sizeof(r));
		if (!err->msg[0])
			r = call(c->args[0].s, args, n, err);
		for (size_t j = 0; j < n; j++)
			val_free(&args[j]);
		prev = r;
		have_prev = true;
		if (err && err->msg[0])
			return prev;
	}
	return prev;
}

static int render(const struct node *n, yajl_val dot, struct buf *b, struct hull_err *err)
{
	for (; n; n = n->next) {
		struct val v;
		if (b->len > OUTPUT_MAX)
			return hull_error(err, EFBIG, "template: the output is over %d MiB",
					  OUTPUT_MAX >> 20);
		if (n->kind == NODE_TEXT) {
			if (n->text)
				puts_(b, n->text);
			continue;
		}
		if (!n->pipe) /* an empty body */
			continue;
		v = eval_pipe(n->pipe, dot, err);
		if (err->msg[0]) {
			val_free(&v);
			return -1;
		}
		if (n->kind == NODE_ACTION) {
			print_val(b, &v);
		} else if (n->kind == NODE_IF || n->kind == NODE_WITH) {
			const struct node *branch = truth(&v) ? n->body : n->alt;
			yajl_val d = n->kind == NODE_WITH && v.k == V_NODE ? v.node : dot;
			if (branch && render(branch, d, b, err) < 0) {
				val_free(&v);
				return -1;
			}
		} else { /* range */
			yajl_val c = v.k == V_NODE ? v.node : NULL;
			size_t len = !c			 ? 0
				     : YAJL_IS_ARRAY(c)	 ? c->u.array.len
				     : YAJL_IS_OBJECT(c) ? c->u.object.len
							 : 0;
			if (len == 0 && n->alt && render(n->alt, dot, b, err) < 0) {
				val_free(&v);
				return -1;
			}
			for (size_t i = 0; i < len; i++) {
				yajl_val e = YAJL_IS_ARRAY(c) ? c->u.array.values[i]
							      : c->u.object.values[i];
				if (render(n->body, e, b, err) < 0) {
					val_free(&v);
					return -1;
				}
			}
		}
		val_free(&v);
	}
	return 0;
}

int hull_tmpl_render(const struct hull_tmpl *t, yajl_val v, char **out, struct hull_err *err)
{
	struct buf b = {0};
	struct hull_err local = {0};

	if (!err)
		err = &local;
	hull_err_clear(err);
	if (render(t->root, v, &b, err) < 0) {
		free(b.p);
		return -1;
	}
	*out = b.p ? b.p : xstrdup("");
	return 0;
}
