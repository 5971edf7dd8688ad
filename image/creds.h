/* SPDX-License-Identifier: Apache-2.0 */
/* Stored registry credentials, in docker's config.json format
 *   {"auths": {"host:port": {"auth": base64("user:password")}}, "credHelpers": {...}}
 * written by `hull login` to hull's own file and read, for a pull or push without --creds,
 * from (first found wins): --authfile (or REGISTRY_AUTH_FILE), hull's file, podman's
 * auth.json, docker's config.json.  In each file credHelpers and credsStore name a
 * `docker-credential-NAME` helper asked as docker asks it (`get`, the server on stdin). */
#ifndef HULL_IMAGE_CREDS_H
#define HULL_IMAGE_CREDS_H

#include <stdbool.h>

#include "lib/err.h"

/* hull's own file: $XDG_CONFIG_HOME/hull/auth.json, else ~/.config/hull/auth.json. */
#define HULL_AUTH_FILE "hull/auth.json"
/* A credential helper's answer is a little JSON; more is not read. */
#define HULL_CRED_HELPER_MAX (64 << 10)

struct hull_creds {
	char *username; /* NULL: none found */
	char *password;
	char *source; /* the file (or "docker-credential-NAME") they came from */
};
void hull_creds_free(struct hull_creds *c);

/* The key a registry is stored under: "docker.io" for Docker Hub's names, else the host. */
char *hull_creds_key(const char *registry);

/* The credentials for the registry host (e.g. "localhost:5000", "registry-1.docker.io");
 * authfile (NULL: REGISTRY_AUTH_FILE, if set) is read first.  None is not an error. */
int hull_creds_find(const char *host, const char *authfile, struct hull_creds *c,
		    struct hull_err *err);

/* The file `hull login` writes and `hull logout` edits: authfile, else REGISTRY_AUTH_FILE,
 * else hull's file. */
char *hull_creds_file(const char *authfile);

/* Add (or replace) the registry's entry of the file, keeping the rest of it; the file is
 * made 0600 and replaced atomically. */
int hull_creds_store(const char *file, const char *registry, const char *user, const char *pass,
		     struct hull_err *err);
/* Drop the registry's entry (*had: whether there was one); all entries if registry is NULL. */
int hull_creds_erase(const char *file, const char *registry, bool *had, struct hull_err *err);

#endif
