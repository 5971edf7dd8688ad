/* SPDX-License-Identifier: Apache-2.0 */
/* A docker-archive's manifest.json (image/dockerman.h), as `hull load` reads it. */
#include "image/dockerman.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_err err = {0};
	struct hull_docker_image *v;
	char *json = fuzz_cstr(data, size);
	size_t n;

	if (hull_docker_manifest_parse(json, &v, &n, &err) == 0)
		hull_docker_manifest_free(v, n);
	/* what a message may quote stays bounded */
	if (strlen(err.msg) >= sizeof(err.msg) - 1 && size < sizeof(err.msg))
		abort();
	free(json);
	return 0;
}
