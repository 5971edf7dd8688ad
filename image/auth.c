/* SPDX-License-Identifier: Apache-2.0 */
/* WWW-Authenticate challenges (RFC 7235: scheme, then auth-params `name=token` or
 * `name="quoted string"`) and token endpoint answers.  Everything here is hostile input. */
#include "image/auth.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yajl/yajl_tree.h>

#include "lib/util.h"

/* How much of a hostile value a message may echo. */
#define ECHO_MAX 64

static bool is_tchar(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* A visible ASCII character: what a header value may hold (no controls, no spaces). */
static bool is_vchar(unsigned char ch)
{
	return ch > 0x20 && ch < 0x7f;
}

/* One parameter value at *p (quoted string or token); NULL if malformed. */
static char *param_value(const char **p)
{
	const char *s = *p;
	char *out, *o;

	if (*s != '"') {
		size_t n = strspn(s, "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz"
				     "ABCDEFGHIJKLMNOPQRSTUVWXYZ/:=@?");
		*p = s + n;
		return n ? strndup(s, n) : NULL;
	}
	out = o = xzalloc(strlen(s));
	for (s++; *s && *s != '"'; s++) {
		if (*s == '\\' && s[1])
			s++;
		/* a quoted string holds no controls (obs-text aside, which no registry sends) */
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			free(out);
			return NULL;
		}
		*o++ = *s;
	}
	if (*s != '"') {
		free(out);
		return NULL;
	}
	*p = s + 1;
	return out;
}

static int set_param(struct hull_auth_challenge *c, const char *name, size_t n, char *value)
{
	char **slot = NULL;

	if (n == 5 && !strncasecmp(name, "realm", 5))
		slot = &c->realm;
	else if (n == 7 && !strncasecmp(name, "service", 7))
		slot = &c->service;
	else if (n == 5 && !strncasecmp(name, "scope", 5))
		slot = &c->scope;
	if (!slot || *slot) { /* unknown, or repeated (the first one counts) */
		free(value);
		return 0;
	}
	*slot = value;
	return 0;
}

int hull_auth_challenge_parse(const char *value, const char *host, struct hull_auth_challenge *c,
			      struct hull_err *err)
{
	const char *p = value, *scheme = p;
	size_t n;

	memset(c, 0, sizeof(*c));
	while (is_tchar(*p))
		p++;
	n = (size_t)(p - scheme);
	if (n == 5 && !strncasecmp(scheme, "Basic", 5))
		c->scheme = HULL_AUTH_BASIC;
	else if (n == 6 && !strncasecmp(scheme, "Bearer", 6))
		c->scheme = HULL_AUTH_BEARER;
	else
		return hull_error(err, EACCES, "%s: unsupported authentication `%.*s`", host,
				  (int)(n && n < ECHO_MAX ? n : ECHO_MAX), scheme);
	if (*p && !is_space(*p))
		goto bad;
	/* auth-params until the end, or until the next challenge (a token without "=") */
	for (;;) {
		const char *name;
		char *v;

		while (is_space(*p) || *p == ',')
			p++;
		if (!*p)
			break;
		name = p;
		while (is_tchar(*p))
			p++;
		n = (size_t)(p - name);
		while (is_space(*p))
			p++;
		if (!n || *p != '=')
			break;
		p++;
		while (is_space(*p))
			p++;
		v = param_value(&p);
		if (!v)
			goto bad;
		set_param(c, name, n, v);
		if (*p && *p != ',' && !is_space(*p))
			goto bad;
	}
	if (c->scheme == HULL_AUTH_BEARER) {
		if (!c->realm) {
			hull_auth_challenge_free(c);
			return hull_error(err, EACCES, "%s: a bearer challenge without a realm",
					  host);
		}
		if (!hull_has_prefix(c->realm, "https://") &&
		    !hull_has_prefix(c->realm, "http://")) {
			hull_error(err, EACCES, "%s: the token realm `%.*s` is not an http(s) URL",
				   host, ECHO_MAX, c->realm);
			hull_auth_challenge_free(c);
			return -1;
		}
	}
	return 0;
bad:
	hull_auth_challenge_free(c);
	return hull_error(err, EACCES, "%s: malformed WWW-Authenticate `%.*s`", host, ECHO_MAX,
			  value);
}

void hull_auth_challenge_free(struct hull_auth_challenge *c)
{
	free(c->realm);
	free(c->service);
	free(c->scope);
	memset(c, 0, sizeof(*c));
}

int hull_auth_token_parse(const char *body, size_t len, const char *realm, char **token,
			  struct hull_err *err)
{
	const char *tp[] = {"token", NULL}, *ap[] = {"access_token", NULL};
	yajl_val j = NULL, v;
	const char *tok;
	size_t n, i;
	int rc = -1;

	*token = NULL;
	if (len > HULL_TOKEN_ANSWER_MAX)
		return hull_error(err, EFBIG, "the token answer of %.*s is bigger than %d KiB",
				  ECHO_MAX, realm, HULL_TOKEN_ANSWER_MAX >> 10);
	/* a NUL inside would hide the rest from the parser */
	if (strlen(body) != len)
		return hull_error(err, EBADMSG, "the token answer of %.*s is not JSON", ECHO_MAX,
				  realm);
	j = yajl_tree_parse(body, NULL, 0);
	v = yajl_tree_get(j, tp, yajl_t_string);
	if (!v || !*YAJL_GET_STRING(v))
		v = yajl_tree_get(j, ap, yajl_t_string);
	tok = YAJL_GET_STRING(v);
	if (!tok || !*tok) {
		hull_error(err, EACCES, "the token answer of %.*s holds no token", ECHO_MAX, realm);
		goto out;
	}
	n = strlen(tok);
	if (n > HULL_TOKEN_MAX) {
		hull_error(err, EACCES, "the token from %.*s is longer than %d KiB: refusing it",
			   ECHO_MAX, realm, HULL_TOKEN_MAX >> 10);
		goto out;
	}
	for (i = 0; i < n; i++)
		if (!is_vchar((unsigned char)tok[i])) {
			hull_error(err, EACCES,
				   "the token from %.*s holds the byte 0x%02x at offset %zu, which "
				   "an HTTP header may not carry: refusing it",
				   ECHO_MAX, realm, (unsigned char)tok[i], i);
			goto out;
		}
	*token = xstrdup(tok);
	rc = 0;
out:
	yajl_tree_free(j);
	return rc;
}
