#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
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
./build.sh
[ -r ../build/vm/vmlinux ] && ./vm-boot.sh || echo "bench: no guest kernel in build/vm: vm-boot.sh skipped"
if [ -r ../build/vm/vmlinux ] && command -v containerd >/dev/null && command -v protoc >/dev/null; then
	./pod.sh
else
	echo "bench: no guest kernel, containerd or protoc: pod.sh skipped"
fi
