/* SPDX-License-Identifier: Apache-2.0 */
/* config.json as `hull-oci create` reads it from a bundle: hull_spec_parse. */
#include "runtime/spec/spec.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_err err = {0};
	char *json = fuzz_cstr(data, size);
	struct hull_spec *spec = hull_spec_parse(json, &err);

	hull_spec_free(spec);
	free(json);
	return 0;
}
