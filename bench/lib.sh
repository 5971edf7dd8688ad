# SPDX-License-Identifier: Apache-2.0
# Shared by the benchmarks (sourced).

# like_crun CMD...: run CMD where crun can run.  crun 1.8 refuses hybrid cgroup hosts (a
# cgroup2 mount holding a controller beside v1), so there CMD runs in a private mount
# namespace with /sys/fs/cgroup/unified unmounted: every runtime compared sees the same
# pure v1 host.
like_crun() {
	if [ -e /sys/fs/cgroup/unified/cgroup.controllers ] &&
		[ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers)" ]; then
		echo "(hybrid cgroup host: /sys/fs/cgroup/unified hidden for every runtime, as crun requires)"
		unshare -m bash -c 'mount --make-rprivate / && umount /sys/fs/cgroup/unified && exec "$@"' _ "$@"
	else
		"$@"
	fi
}
