/* SPDX-License-Identifier: Apache-2.0 */
/* What a registry says about logging in: the WWW-Authenticate challenge of a 401 and the
 * answer of its token endpoint.  Both come from the network, so both are parsed strictly
 * here, apart from the transfer code (registry.c), and fuzzed alone (tests/fuzz/). */
#ifndef HULL_IMAGE_AUTH_H
#define HULL_IMAGE_AUTH_H

#include <stddef.h>

#include "lib/err.h"

/* A token longer than this is refused: it goes into a request header, and servers refuse
 * headers past 8-16 KiB anyway (registries' JWTs are 1-4 KiB). */
#define HULL_TOKEN_MAX (16 << 10)
/* The token endpoint's whole JSON answer (a token, maybe a refresh token, dates). */
#define HULL_TOKEN_ANSWER_MAX (256 << 10)

enum hull_auth_scheme { HULL_AUTH_BASIC = 1, HULL_AUTH_BEARER };

/* The first challenge of a WWW-Authenticate value, e.g.
 *   Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a:pull"
 * realm (an http or https URL, required for Bearer), service and scope may be NULL. */
struct hull_auth_challenge {
	enum hull_auth_scheme scheme;
	char *realm;
	char *service;
	char *scope;
};

/* host names the registry in messages.  Schemes other than Basic and Bearer, a Bearer
 * challenge without an http(s) realm, and parameters with control characters are refused. */
int hull_auth_challenge_parse(const char *value, const char *host, struct hull_auth_challenge *c,
			      struct hull_err *err);
void hull_auth_challenge_free(struct hull_auth_challenge *c);

/* The token out of a token endpoint's JSON answer ("token", else "access_token").  The token
 * goes verbatim into "Authorization: Bearer TOKEN": one that is empty, longer than
 * HULL_TOKEN_MAX or holds anything but visible ASCII (token68 is a subset; CR or LF would
 * inject headers) is refused.  realm names the endpoint in messages. */
int hull_auth_token_parse(const char *body, size_t len, const char *realm, char **token,
			  struct hull_err *err);

#endif
