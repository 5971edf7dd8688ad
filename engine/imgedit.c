/* SPDX-License-Identifier: Apache-2.0 */
/* Settings-only instructions applied to an image config (docker's dispatchers for them). */
#include "engine/imgedit.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/signals.h"
#include "lib/timearg.h"
#include "lib/util.h"

#define DEFAULT_SHELL_0 "/bin/sh"
#define DEFAULT_SHELL_1 "-c"
#define HC_NONE		"NONE"
#define HC_CMD		"CMD"
#define HC_CMD_SHELL	"CMD-SHELL"

const char *hull_imgedit_lookup(void *ctx, const char *name)
{
	struct hull_imgedit *ed = ctx;
	const char *v = hull_imgcfg_getenv(ed->cfg, name);
	if (v)
		return v;
	return ed->lookup ? ed->lookup(ed->ctx, name) : NULL;
}

char **hull_imgedit_shell_form(const struct hull_imgcfg *cfg, const char *text)
{
	char **v = NULL;
	if (cfg->shell && *cfg->shell) {
		v = hull_strv_dup(cfg->shell);
	} else {
		hull_strv_push(&v, DEFAULT_SHELL_0);
		hull_strv_push(&v, DEFAULT_SHELL_1);
	}
	hull_strv_push(&v, text);
	return v;
}

static int words(struct hull_imgedit *ed, const char *text, bool split, char ***out,
		 struct hull_err *err)
{
	return hull_df_expand(text, ed->escape, hull_imgedit_lookup, ed, split, out, err);
}

/* CMD, ENTRYPOINT, HEALTHCHECK CMD: exec form as given, shell form through the shell */
static char **command(const struct hull_imgcfg *cfg, const struct hull_df_instr *in)
{
	if (in->json)
		return hull_strv_dup(in->args);
	return hull_imgedit_shell_form(cfg, in->rest);
}

/* "/a/b" + "c" -> "/a/b/c", cleaned ("." and ".." resolved, no trailing slash) */
static char *join_clean(const char *base, const char *path)
{
	cleanup_free char *full = path[0] == '/'
					  ? xstrdup(path)
					  : hull_strfmt("%s/%s", base && *base ? base : "/", path);
	char **parts = NULL, *save = NULL, *out;
	size_t n = 0;

	for (char *t = strtok_r(full, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (!strcmp(t, "."))
			continue;
		if (!strcmp(t, "..")) {
			if (n)
				free(parts[--n]);
			if (parts)
				parts[n] = NULL;
			continue;
		}
		hull_strv_push(&parts, t);
		n++;
	}
	out = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		char *next = hull_strfmt("%s/%s", out, parts[i]);
		free(out);
		out = next;
	}
	hull_strv_free(parts);
	if (!*out) {
		free(out);
		out = xstrdup("/");
	}
	return out;
}

/* 80, 80/udp, 8000-8002/tcp (every port of a range, as docker does) */
static int expose(struct hull_imgedit *ed, const char *spec, struct hull_err *err)
{
	const char *slash = strchr(spec, '/');
	cleanup_free char *ports = slash ? strndup(spec, (size_t)(slash - spec)) : xstrdup(spec);
	const char *proto = slash ? slash + 1 : "tcp";
	char *end, *dash;
	long lo, hi;

	if (strcmp(proto, "tcp") && strcmp(proto, "udp") && strcmp(proto, "sctp"))
		return hull_error(err, 0, "EXPOSE: invalid proto `%s` in `%s`", proto, spec);
	dash = strchr(ports, '-');
	lo = strtol(ports, &end, 10);
	if (end == ports || (dash ? end != dash : *end != '\0'))
		return hull_error(err, 0, "EXPOSE: invalid port `%s`", spec);
	hi = lo;
	if (dash) {
		hi = strtol(dash + 1, &end, 10);
		if (end == dash + 1 || *end)
			return hull_error(err, 0, "EXPOSE: invalid port range `%s`", spec);
	}
	if (lo < 1 || hi > 65535 || hi < lo)
		return hull_error(err, 0, "EXPOSE: invalid port `%s`", spec);
	for (long p = lo; p <= hi; p++) {
		cleanup_free char *one = hull_strfmt("%ld/%s", p, proto);
		hull_imgcfg_set_add(&ed->cfg->ports, one);
	}
	return 0;
}

/* a Go duration as HEALTHCHECK's flags take it ("30s", "1m30s"), in nanoseconds */
static int duration(const char *flag, const char *s, int64_t *ns, struct hull_err *err)
{
	const int64_t now = (int64_t)1 << 60;
	int64_t t;
	size_t n = strlen(s);

	if (!n || !isalpha((unsigned char)s[n - 1]) || hull_parse_time_arg(s, now, &t, NULL) < 0 ||
	    now - t < 0)
		return hull_error(err, 0, "HEALTHCHECK --%s: invalid duration `%s`", flag, s);
	*ns = now - t;
	return 0;
}

static int healthcheck(struct hull_imgedit *ed, const struct hull_df_instr *in,
		       struct hull_err *err)
{
	struct hull_healthcheck *h;
	struct hull_df_instr cmd;
	const char *rest = in->rest;
	size_t klen = strcspn(rest, " \t");
	const char *v;
	int rc = -1;

	if (klen == strlen(HC_NONE) && !strncasecmp(rest, HC_NONE, klen)) {
		if (rest[klen + strspn(rest + klen, " \t")] || in->flags)
			return hull_error(err, 0, "HEALTHCHECK NONE takes no arguments");
		if (ed->cfg->healthcheck) {
			hull_strv_free(ed->cfg->healthcheck->test);
			free(ed->cfg->healthcheck);
		}
		h = ed->cfg->healthcheck = xzalloc(sizeof(*h));
		hull_strv_push(&h->test, HC_NONE);
		return 0;
	}
	if (klen != strlen(HC_CMD) || strncasecmp(rest, HC_CMD, klen))
		return hull_error(err, 0, "HEALTHCHECK: unknown type `%.*s` (CMD or NONE)",
				  (int)klen, rest);
	/* the command after CMD, in either form, as a CMD instruction reads it */
	{
		cleanup_free char *line = hull_strfmt("CMD %s", rest + klen);
		if (hull_df_parse_line(line, ed->escape, &cmd, err) < 0)
			return -1;
	}
	h = xzalloc(sizeof(*h));
	if (cmd.json) {
		hull_strv_push(&h->test, HC_CMD);
		for (char **a = cmd.args; *a; a++)
			hull_strv_push(&h->test, *a);
	} else {
		hull_strv_push(&h->test, HC_CMD_SHELL);
		hull_strv_push(&h->test, cmd.rest);
	}
	if (((v = hull_df_flag(in, "interval")) &&
	     duration("interval", v, &h->interval, err) < 0) ||
	    ((v = hull_df_flag(in, "timeout")) && duration("timeout", v, &h->timeout, err) < 0) ||
	    ((v = hull_df_flag(in, "start-period")) &&
	     duration("start-period", v, &h->start_period, err) < 0) ||
	    ((v = hull_df_flag(in, "start-interval")) &&
	     duration("start-interval", v, &h->start_interval, err) < 0))
		goto out;
	if ((v = hull_df_flag(in, "retries"))) {
		char *end;
		h->retries = strtoll(v, &end, 10);
		if (!*v || *end || h->retries < 1) {
			hull_error(err, 0, "HEALTHCHECK --retries: invalid number `%s`", v);
			goto out;
		}
	}
	if (ed->cfg->healthcheck) {
		hull_strv_free(ed->cfg->healthcheck->test);
		free(ed->cfg->healthcheck);
	}
	ed->cfg->healthcheck = steal_pointer(&h);
	rc = 0;
out:
	if (h) {
		hull_strv_free(h->test);
		free(h);
	}
	hull_df_instr_clear(&cmd);
	return rc;
}

static int pairs(struct hull_imgedit *ed, const struct hull_df_instr *in, bool env,
		 struct hull_err *err)
{
	cleanup_strv char **kv = NULL;
	if (hull_df_pairs(in, ed->escape, hull_imgedit_lookup, ed, &kv, err) < 0)
		return -1;
	for (size_t i = 0; kv[i] && kv[i + 1]; i += 2) {
		if (env)
			hull_imgcfg_setenv(ed->cfg, kv[i], kv[i + 1]);
		else
			hull_imgcfg_set_label(ed->cfg, kv[i], kv[i + 1]);
	}
	return 0;
}

static int one_word(struct hull_imgedit *ed, const struct hull_df_instr *in, char **out,
		    struct hull_err *err)
{
	cleanup_strv char **w = NULL;
	if (words(ed, in->rest, false, &w, err) < 0)
		return -1;
	free(*out);
	*out = xstrdup(w[0]);
	return 0;
}

int hull_imgedit_apply(struct hull_imgedit *ed, const struct hull_df_instr *in,
		       struct hull_err *err)
{
	struct hull_imgcfg *c = ed->cfg;
	cleanup_strv char **w = NULL;

	switch (in->kind) {
	case HULL_DF_CMD:
		hull_strv_free(c->cmd);
		c->cmd = command(c, in);
		ed->cmd_set = true;
		return 0;
	case HULL_DF_ENTRYPOINT:
		hull_strv_free(c->entrypoint);
		c->entrypoint = in->json || *in->rest ? command(c, in) : NULL;
		if (!ed->cmd_set) {
			hull_strv_free(c->cmd);
			c->cmd = NULL;
		}
		return 0;
	case HULL_DF_ENV:
		return pairs(ed, in, true, err);
	case HULL_DF_LABEL:
		return pairs(ed, in, false, err);
	case HULL_DF_EXPOSE:
		if (words(ed, in->rest, true, &w, err) < 0)
			return -1;
		for (char **p = w; *p; p++)
			if (expose(ed, *p, err) < 0)
				return -1;
		return 0;
	case HULL_DF_VOLUME:
		if (in->json)
			w = hull_strv_dup(in->args);
		else if (words(ed, in->rest, true, &w, err) < 0)
			return -1;
		for (char **p = w; *p; p++) {
			if (!**p)
				return hull_error(err, 0,
						  "VOLUME specified can not be an empty string");
			hull_imgcfg_set_add(&c->volumes, *p);
		}
		return 0;
	case HULL_DF_USER:
		return one_word(ed, in, &c->user, err);
	case HULL_DF_WORKDIR: {
		cleanup_free char *dir = NULL;
		if (one_word(ed, in, &dir, err) < 0)
			return -1;
		{
			char *joined = join_clean(c->workdir, dir);
			free(c->workdir);
			c->workdir = joined;
		}
		return 0;
	}
	case HULL_DF_STOPSIGNAL: {
		cleanup_free char *sig = NULL;
		if (one_word(ed, in, &sig, err) < 0)
			return -1;
		if (hull_parse_signal(sig, err) < 0)
			return hull_error_wrap(err, "STOPSIGNAL");
		free(c->stop_signal);
		c->stop_signal = steal_pointer(&sig);
		return 0;
	}
	case HULL_DF_SHELL:
		if (!in->args || !*in->args)
			return hull_error(err, 0, "SHELL requires at least one argument");
		hull_strv_free(c->shell);
		c->shell = hull_strv_dup(in->args);
		return 0;
	case HULL_DF_HEALTHCHECK:
		return healthcheck(ed, in, err);
	case HULL_DF_ONBUILD:
		hull_strv_push(&c->onbuild, in->rest);
		return 0;
	case HULL_DF_MAINTAINER:
		free(c->author);
		c->author = xstrdup(in->rest);
		return 0;
	default:
		return hull_error(err, 0, "%s cannot be applied to an image's settings",
				  in->keyword);
	}
}

char *hull_imgedit_nop_text(struct hull_imgedit *ed, const struct hull_df_instr *in)
{
	cleanup_strv char **w = NULL;
	cleanup_free char *flags = xstrdup(""), *text = NULL;

	/* the flags too: they change the result (and so the cache key) */
	for (char **f = in->flags; f && *f; f++) {
		char *n = hull_strfmt("%s%s ", flags, *f);
		free(flags);
		flags = n;
	}
	if (in->kind == HULL_DF_ENV || in->kind == HULL_DF_LABEL) {
		/* the pairs as they were understood, as docker records them */
		if (hull_df_pairs(in, ed->escape, hull_imgedit_lookup, ed, &w, NULL) == 0) {
			text = xstrdup("");
			for (size_t i = 0; w[i] && w[i + 1]; i += 2) {
				char *n = hull_strfmt("%s%s%s=%s", text, i ? " " : "", w[i],
						      w[i + 1]);
				free(text);
				text = n;
			}
		}
	} else if (!in->json && in->kind != HULL_DF_CMD && in->kind != HULL_DF_ENTRYPOINT &&
		   in->kind != HULL_DF_HEALTHCHECK && in->kind != HULL_DF_ONBUILD &&
		   hull_df_expand(in->rest, ed->escape, hull_imgedit_lookup, ed, false, &w, NULL) ==
			   0) {
		/* what the instruction meant with its variables */
		text = xstrdup(w[0]);
	}
	return hull_strfmt("/bin/sh -c #(nop)  %s %s%s", in->keyword, flags,
			   text ? text : in->rest);
}
