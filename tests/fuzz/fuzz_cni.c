/* SPDX-License-Identifier: Apache-2.0 */
/* What a CNI plugin prints on ADD (its result, kept and read back for the container's
 * address) and port mappings as `hull run -p` takes them. */
#include "network/cni.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_err err = {0};
	struct hull_port p;
	char *s = fuzz_cstr(data, size), buf[64];

	hull_cni_result_ipv4(s, buf, sizeof(buf));
	hull_cni_result_ipv4(s, buf, 8);
	if (hull_port_parse(s, &p, &err) == 0)
		hull_port_format(&p, buf, sizeof(buf));
	free(s);
	return 0;
}
