/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's resolv.conf, docker's way: the host's file minus what cannot work in the
 * container's own network namespace (nameservers on loopback, such as systemd-resolved's
 * 127.0.0.53), with --dns, --dns-search and --dns-option each replacing its part.  On a user
 * network the one nameserver is the network's resolver (its gateway, as podman writes it);
 * --dns replaces it too, as in podman, and then names of other containers do not resolve.
 */
#include "network/resolv.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

static const char *const fallback_dns[] = {"8.8.8.8", "8.8.4.4"};

static void append(char **buf, const char *fmt, const char *a, const char *b)
{
	char *next = hull_strfmt("%s%s%s%s", *buf, fmt, a, b);
	free(*buf);
	*buf = next;
}

static bool is_loopback(const char *ip)
{
	unsigned char a[16];
	if (inet_pton(AF_INET, ip, a) == 1)
		return a[0] == 127;
	return inet_pton(AF_INET6, ip, a) == 1 &&
	       !memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16);
}

/* the words after key on the host's lines "key w1 w2..." (nameserver: one per line) */
static char **host_words(const char *host, const char *key)
{
	cleanup_free char *text = xstrdup(host ? host : "");
	char **out = NULL, *save = NULL, *line;
	size_t klen = strlen(key);

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *w, *wsave = NULL;
		while (isspace((unsigned char)*line))
			line++;
		if (strncmp(line, key, klen) || !isspace((unsigned char)line[klen]))
			continue;
		/* search replaces the previous search line, as the resolver reads it */
		if (!strcmp(key, "search")) {
			hull_strv_free(out);
			out = NULL;
		}
		for (w = strtok_r(line + klen, " \t", &wsave); w; w = strtok_r(NULL, " \t", &wsave))
			if (*w != '#' && *w != ';')
				hull_strv_push(&out, w);
	}
	return out;
}

char *hull_resolv_conf(const char *host, const struct hull_resolv_opts *o)
{
	cleanup_strv char **ns = NULL, **search = NULL, **opts = NULL;
	char *out = xstrdup("");

	if (o->dns && *o->dns) {
		ns = hull_strv_dup(o->dns);
	} else if (o->resolver) {
		hull_strv_push(&ns, o->resolver);
	} else {
		cleanup_strv char **all = host_words(host, "nameserver");
		for (char **s = all; s && *s; s++)
			if (o->host_network || !is_loopback(*s))
				hull_strv_push(&ns, *s);
		if (!ns)
			for (size_t i = 0; i < ARRAY_SIZE(fallback_dns); i++)
				hull_strv_push(&ns, fallback_dns[i]);
	}
	if (o->dns_search && *o->dns_search) {
		for (char *const *s = o->dns_search; *s; s++)
			if (strcmp(*s, "."))
				hull_strv_push(&search, *s);
	} else {
		search = host_words(host, "search");
	}
	opts = o->dns_options && *o->dns_options ? hull_strv_dup(o->dns_options)
						 : host_words(host, "options");
	for (char **s = search; s && *s; s++)
		append(&out, s == search ? "search " : " ", *s, s[1] ? "" : "\n");
	for (char **s = ns; s && *s; s++)
		append(&out, "nameserver ", *s, "\n");
	for (char **s = opts; s && *s; s++)
		append(&out, s == opts ? "options " : " ", *s, s[1] ? "" : "\n");
	return out;
}

int hull_resolv_check(const struct hull_resolv_opts *o, struct hull_err *err)
{
	unsigned char a[16];

	for (char *const *s = o->dns; s && *s; s++)
		if (inet_pton(AF_INET, *s, a) != 1 && inet_pton(AF_INET6, *s, a) != 1)
			return hull_error(err, EINVAL, "--dns `%s` is not an IP address", *s);
	for (char *const *s = o->dns_search; s && *s; s++)
		if (!**s || strpbrk(*s, " \t\n"))
			return hull_error(err, EINVAL, "--dns-search `%s` is not a domain", *s);
	for (char *const *s = o->dns_options; s && *s; s++)
		if (!**s || strpbrk(*s, " \t\n"))
			return hull_error(err, EINVAL, "--dns-option `%s` is not one option", *s);
	return 0;
}
