#!/bin/bash
# `make bench`: every benchmark, results in bench/results/*.md.
set -euo pipefail
cd "$(dirname "$0")"
[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 1; }
./oci-run.sh
./hull-run.sh
./docker-run.sh
./concurrent.sh
./unpack.sh
./pull.sh
./stats.sh
[ -r ../build/vm/vmlinux ] && ./vm-boot.sh || echo "bench: no guest kernel in build/vm: vm-boot.sh skipped"
