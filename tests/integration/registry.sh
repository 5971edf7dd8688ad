# SPDX-License-Identifier: Apache-2.0
# Helpers of the registry tests (test_pull.sh, test_push.sh): sourced by them, not a test file.
# Registries run on 127.0.0.1: Debian's docker-registry (the distribution registry, pushed to
# with skopeo), with and without basic auth, and tests/data's fixtures.

# (hull and $HULL: lib.sh)

# A free port on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

images() {
	[ -f "$WORK/img/busybox.oci.tar" ] || python3 "$REPO/tests/data/mkimage.py" "$WORK/img" "$WORK/outside" >/dev/null
}

stop_pid() { kill "$1" 2>/dev/null; }
rmdir_cgroup_parent() { rmdir /sys/fs/cgroup/*/hull-test/"$1" 2>/dev/null; }

# start_registry [USER:PASSWORD]: docker-registry on a free port, its address in $REG.
start_registry() {
	command -v docker-registry >/dev/null && command -v skopeo >/dev/null ||
		skip "docker-registry or skopeo is not installed"
	local port auth="" i
	port=$(free_port)
	if [ -n "${1:-}" ]; then
		htpasswd -Bbc "$WORK/htpasswd" "${1%%:*}" "${1#*:}" 2>/dev/null
		auth="auth:
  htpasswd:
    realm: hull-test
    path: $WORK/htpasswd"
	fi
	cat >"$WORK/registry.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $WORK/registry
http:
  addr: 127.0.0.1:$port
$auth
EOF
	docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
	defer stop_pid $!
	REG=127.0.0.1:$port
	for i in $(seq 100); do
		curl -s -o /dev/null "http://$REG/v2/" && return 0
		sleep 0.1
	done
	fatal "the registry did not start: $(cat "$WORK/registry.log")"
}

push() { # push ARCHIVE NAME:TAG [USER:PASSWORD]
	skopeo copy -q --dest-tls-verify=false ${3:+--dest-creds "$3"} "oci-archive:$1" "docker://$REG/$2" >/dev/null
}

# hostile MODE: tests/data/hostile-registry.py serving the test image in the way MODE says;
# its address in $REG, its log in $WORK/port.log.
hostile() {
	local pid
	images
	rm -f "$WORK/port" "$WORK/port.log"
	python3 "$REPO/tests/data/hostile-registry.py" "$WORK/img/busybox.oci" "$1" "$WORK/port" &
	pid=$!
	defer stop_pid $pid
	for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
	REG=127.0.0.1:$(cat "$WORK/port")
}

# An index of two platforms: the test image as linux/amd64, and the same layers with a config
# that says linux/arm64/v8; pushed as $REG/multi:latest.
push_two_platforms() {
	local L=$WORK/two d cfg m2 c2
	rm -rf "$L"
	cp -r "$WORK/img/busybox.oci" "$L"
	d=$(jq -r '.manifests[0].digest' "$L/index.json")
	cfg=$(jq -r .config.digest "$L/blobs/sha256/${d#sha256:}")
	jq -c '.architecture = "arm64" | .variant = "v8"' "$L/blobs/sha256/${cfg#sha256:}" >"$L/c2"
	c2=$(sha256sum "$L/c2" | cut -d' ' -f1)
	mv "$L/c2" "$L/blobs/sha256/$c2"
	jq -c --arg c "sha256:$c2" --argjson s "$(stat -c %s "$L/blobs/sha256/$c2")" \
		'.config.digest = $c | .config.size = $s' "$L/blobs/sha256/${d#sha256:}" >"$L/m2"
	m2=$(sha256sum "$L/m2" | cut -d' ' -f1)
	mv "$L/m2" "$L/blobs/sha256/$m2"
	# index.json names one image: an index of the two (skopeo copies one image of a layout)
	jq -c --arg m "sha256:$m2" --argjson s "$(stat -c %s "$L/blobs/sha256/$m2")" \
		'{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
		  manifests: [(.manifests[0] | .platform = {os: "linux", architecture: "amd64"} | del(.annotations)),
		 (.manifests[0] | .digest = $m | .size = $s | .platform = {os: "linux", architecture: "arm64", variant: "v8"} | del(.annotations))]}' \
		"$L/index.json" >"$L/i2"
	d=$(sha256sum "$L/i2" | cut -d' ' -f1)
	jq -c --arg d "sha256:$d" --argjson s "$(stat -c %s "$L/i2")" \
		'{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.index.v1+json", digest: $d, size: $s}]}' \
		"$L/index.json" >"$L/i3"
	mv "$L/i2" "$L/blobs/sha256/$d"
	mv "$L/i3" "$L/index.json"
	skopeo copy -q --all --dest-tls-verify=false "oci:$L" "docker://$REG/multi:latest" >/dev/null
}
