/* SPDX-License-Identifier: Apache-2.0 */
#include "image/platform.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <yajl/yajl_tree.h>

#include "lib/json.h"
#include "lib/util.h"

/* The names Go (and so every registry) uses for the kernel's machine names. */
static const char *const arch_alias[][2] = {
	{"x86_64", "amd64"}, {"x86-64", "amd64"}, {"aarch64", "arm64"}, {"i386", "386"},
	{"i686", "386"},     {"armhf", "arm"},	  {"armel", "arm"},	{"ppc64el", "ppc64le"},
};

static const char *arch_name(const char *a)
{
	for (size_t i = 0; i < ARRAY_SIZE(arch_alias); i++)
		if (!strcmp(a, arch_alias[i][0]))
			return arch_alias[i][1];
	return a;
}

static bool word(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-' || s[i] == '.'))
			return false;
	return true;
}

int hull_platform_parse(const char *s, struct hull_platform *p, struct hull_err *err)
{
	cleanup_free char *copy = xstrdup(s);
	char *rest = copy, *f[3] = {0}, *tok;
	size_t n = 0;

	memset(p, 0, sizeof(*p));
	while ((tok = strsep(&rest, "/"))) {
		if (n == 3 || !word(tok, strlen(tok)) || strlen(tok) >= sizeof(p->variant))
			return hull_error(err, EINVAL,
					  "invalid platform `%.64s`: OS/ARCH[/VARIANT] is needed, "
					  "e.g. linux/amd64 or linux/arm64/v8",
					  s);
		f[n++] = tok;
	}
	/* ARCH alone: this host's OS */
	snprintf(p->os, sizeof(p->os), "%s", n == 1 ? "linux" : f[0]);
	snprintf(p->arch, sizeof(p->arch), "%.31s", arch_name(f[n == 1 ? 0 : 1]));
	if (n == 3)
		snprintf(p->variant, sizeof(p->variant), "%s", f[2]);
	return 0;
}

void hull_platform_host(struct hull_platform *p)
{
	struct utsname u;

	memset(p, 0, sizeof(*p));
	snprintf(p->os, sizeof(p->os), "linux");
	snprintf(p->arch, sizeof(p->arch), "%.31s",
		 uname(&u) == 0 ? arch_name(u.machine) : "amd64");
}

bool hull_platform_match(const struct hull_platform *want, const char *os, const char *arch,
			 const char *variant)
{
	const char *v = variant ? variant : "";

	if (!os || !arch || strcmp(want->os, os) || strcmp(want->arch, arch_name(arch)))
		return false;
	if (!want->variant[0])
		return true;
	if (!strcmp(want->arch, "arm64") && !*v)
		v = "v8";
	return !strcmp(want->variant, v);
}

void hull_platform_format(const char *os, const char *arch, const char *variant, char *buf,
			  size_t len)
{
	snprintf(buf, len, "%.32s/%.32s%s%.16s", os ? os : "?", arch ? arch : "?",
		 variant && *variant ? "/" : "", variant ? variant : "");
}

bool hull_config_platform_match(const char *config_json, const struct hull_platform *want)
{
	char ebuf[128];
	yajl_val j = yajl_tree_parse(config_json, ebuf, sizeof(ebuf));
	bool ok = j && hull_platform_match(want, hull_json_str(sj_get(j, "os")),
					   hull_json_str(sj_get(j, "architecture")),
					   hull_json_str(sj_get(j, "variant")));
	yajl_tree_free(j);
	return ok;
}
