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
