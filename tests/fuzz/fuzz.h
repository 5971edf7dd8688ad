/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the fuzz targets: libFuzzer's entry point, and helpers to turn its bytes into what
 * the parsers take.  A target is built twice: with libFuzzer (`make fuzz`) and with driver.c,
 * which feeds it every file of its seed corpus once (`make test`). */
#ifndef HULL_FUZZ_H
#define HULL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a C string (parsers of JSON text take one): cut at the first NUL. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
