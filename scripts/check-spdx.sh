#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `make lint`: every source file git tracks (C, shell, Python, the Makefile, bash completion,
# CI) names its license in an SPDX line near its top, as the LICENSE file (Apache-2.0) says.
set -euo pipefail
cd "$(dirname "$0")/.."
tag="SPDX-License-Identifier: Apache-2.0"
missing=$(git ls-files '*.c' '*.h' '*.sh' '*.py' Makefile .ci/run 'scripts/completion/*' |
	while read -r f; do head -c 400 "$f" | grep -q "$tag" || echo "$f"; done)
if [ -n "$missing" ]; then
	echo "check-spdx: no '$tag' line at the top of:" >&2
	echo "$missing" >&2
	exit 1
fi
