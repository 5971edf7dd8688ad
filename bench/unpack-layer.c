/* SPDX-License-Identifier: Apache-2.0 */
/* bench helper: unpack one layer blob already in a store, by the code path `hull load` and
 * `hull pull` take (hull_layer_unpack: read, hash the diff ID, write the entries, syncfs,
 * rename into layers/<chain ID>).  Usage: unpack-layer STORE-ROOT sha256:BLOB
 * Prints the chain ID.  The layer must not be unpacked already (remove layers/<chain ID>). */
#include <stdio.h>

#include "image/unpack.h"

int main(int argc, char **argv)
{
	struct hull_err err = {0};
	struct hull_store s;
	char chain[HULL_DIGEST_SIZE];
	uint64_t size;

	if (argc != 3) {
		fprintf(stderr, "usage: %s STORE-ROOT sha256:BLOB\n", argv[0]);
		return 2;
	}
	if (hull_store_open(&s, argv[1], false, &err) < 0 ||
	    hull_layer_unpack(&s, argv[2], NULL, NULL, chain, &size, &err) < 0) {
		fprintf(stderr, "unpack-layer: %s\n", err.msg);
		return 1;
	}
	hull_store_close(&s);
	printf("%s %llu\n", chain, (unsigned long long)size);
	return 0;
}
