/* SPDX-License-Identifier: Apache-2.0 */
/* process.json as `hull-oci exec --process FILE` reads it: a process object, parsed by the
 * spec's process parser (runtime/exec.c hands it the parsed tree the same way). */
#include <yajl/yajl_tree.h>

#include "lib/util.h"
#include "runtime/spec/spec.h"
#include "runtime/spec/spec_parse.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_err err = {0};
	char *json = fuzz_cstr(data, size);
	yajl_val tree = yajl_tree_parse(json, NULL, 0);

	if (tree && YAJL_IS_OBJECT(tree)) {
		struct hull_process *p = xzalloc(sizeof(*p));
		hull_spec_parse_process(tree, p, &err);
		hull_spec_free_process(p);
	}
	yajl_tree_free(tree);
	free(json);
	return 0;
}
