#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Install the Debian packages hull needs that are missing; do nothing when all are present.
# `deps.sh guest-kernel`: those `make guest-kernel` needs (Debian's kernel source and its
# build tools) instead.
set -eu
PKGS="build-essential pkg-config libyajl-dev libseccomp-dev libcap-dev libcgroup-dev
libarchive-dev libssl-dev libcurl4-openssl-dev busybox-static iproute2 util-linux procps
clang-format cppcheck crun runc time jq containerd podman conmon zstd python3
docker-registry skopeo apache2-utils curl qemu-system-x86 qemu-system-common tini
linux-image-amd64 cpio xz-utils umoci bc containernetworking-plugins iptables go-md2man chromium
libsystemd-dev systemd dbus libcap2-bin docker.io aardvark-dns
python3-grpcio python3-protobuf protobuf-compiler"
if [ "${1:-}" = guest-kernel ]; then
	PKGS="build-essential bc bison flex libelf-dev libssl-dev cpio linux-source-6.1"
fi
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "hull: installing missing Debian packages:$missing"
if [ "$(id -u)" != 0 ]; then
	echo "hull: need root to install packages (run as root, or install them yourself)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# The tests start their own daemons (dockerd, containerd) with private roots: the packages'
# scripts must not start the system's.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
