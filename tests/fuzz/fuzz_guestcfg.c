/* SPDX-License-Identifier: Apache-2.0 */
/* The VM guest's config records (/hull/config, written by the host, parsed by the guest's
 * init): guest_config_parse, compiled in from the guest's sources as the unit tests do. */
#include "tests/fuzz/fuzz.h"
#include "vm/guest/config.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guest_config c;
	struct hull_err err = {0};
	char *buf = malloc(size ? size : 1);

	if (!buf)
		abort();
	memcpy(buf, data, size);
	if (guest_config_parse(buf, size, &c, &err) == 0)
		guest_config_free(&c);
	free(buf);
	return 0;
}
