#!/bin/bash
# `make bench`: every benchmark, results in bench/results/*.md.
set -euo pipefail
cd "$(dirname "$0")"
[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 1; }
./oci-run.sh
./hull-run.sh
./concurrent.sh
./unpack.sh
