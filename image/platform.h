/* SPDX-License-Identifier: Apache-2.0 */
/* Platforms as OCI indexes name them (os, architecture, variant) and as --platform gives
 * them: OS/ARCH[/VARIANT], or ARCH alone for linux/ARCH. */
#ifndef HULL_IMAGE_PLATFORM_H
#define HULL_IMAGE_PLATFORM_H

#include <stdbool.h>

#include "lib/err.h"

struct hull_platform {
	char os[32], arch[32], variant[16]; /* variant may be "" */
};

/* Parse (and normalize: x86_64 is amd64, aarch64 arm64); a malformed one is an error that
 * says the form. */
int hull_platform_parse(const char *s, struct hull_platform *p, struct hull_err *err);
/* The platform this machine runs (linux/amd64 here). */
void hull_platform_host(struct hull_platform *p);
/* Does an image of os/arch/variant (variant may be NULL or "") serve want?  A wanted variant
 * must be the image's (arm64's unnamed variant is v8); no wanted variant takes any. */
bool hull_platform_match(const struct hull_platform *want, const char *os, const char *arch,
			 const char *variant);
/* "os/arch[/variant]" into buf. */
void hull_platform_format(const char *os, const char *arch, const char *variant, char *buf,
			  size_t len);
/* Does the image config's os/architecture/variant serve want? */
bool hull_config_platform_match(const char *config_json, const struct hull_platform *want);

#endif
