/* SPDX-License-Identifier: Apache-2.0 */
/* Image manifests, indexes and configs, as a registry or an archive hands them over: the
 * same bytes through each parser of image/manifest.h. */
#include "image/manifest.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_err err = {0};
	struct hull_manifest m;
	char *json = fuzz_cstr(data, size), pick[HULL_DIGEST_SIZE], **diff_ids = NULL;
	char *created = NULL;

	if (hull_manifest_parse(json, &m, &err) == 0)
		hull_manifest_free(&m);
	hull_index_select(json, NULL, pick, &err);
	if (hull_config_diff_ids(json, &diff_ids, &created, &err) == 0) {
		for (size_t i = 0; diff_ids[i]; i++)
			free(diff_ids[i]);
		free(diff_ids);
		free(created);
	}
	free(json);
	return 0;
}
