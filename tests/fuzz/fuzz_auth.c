/* SPDX-License-Identifier: Apache-2.0 */
/* What a registry says about logging in (image/auth.h): the input's first line is a
 * WWW-Authenticate value, the rest a token endpoint's answer. */
#include "image/auth.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_err err = {0};
	struct hull_auth_challenge c;
	const uint8_t *nl = memchr(data, '\n', size);
	size_t first = nl ? (size_t)(nl - data) : size;
	char *challenge = fuzz_cstr(data, first);
	char *body = fuzz_cstr(data + first + (nl != NULL), size - first - (nl != NULL));
	char *token = NULL;

	if (hull_auth_challenge_parse(challenge, "registry.test", &c, &err) == 0)
		hull_auth_challenge_free(&c);
	if (hull_auth_token_parse(body, size - first - (nl != NULL), "https://auth.test/token",
				  &token, &err) == 0) {
		/* what goes into a header: never a control character or a space */
		for (const char *p = token; *p; p++)
			if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
				abort();
		free(token);
	}
	free(challenge);
	free(body);
	return 0;
}
