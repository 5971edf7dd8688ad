# hull pull from registries on 127.0.0.1: Debian's docker-registry (the distribution registry,
# pushed to with skopeo), with and without basic auth, and a registry that wants bearer tokens.

HULL=${HULL:-$REPO/build/hull}
hull() { "$HULL" --root "$WORK/store" --runroot "$ROOT" "$@"; }

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

test_pull_from_a_registry_and_run() {
	local out id
	images
	start_registry
	push "$WORK/img/busybox.oci.tar" app:v1
	out=$(hull pull "$REG/app:v1" 2>&1)
	assert_contains "$out" "$REG/app:v1"
	out=$(hull images)
	assert_contains "$out" "$REG/app"
	assert_contains "$out" "v1"
	# the layers arrived and were stacked: the third layer's file, the second's whiteout
	defer rmdir_cgroup_parent "$T-h"
	# the image's entrypoint is `sh -c`: the command is the script
	out=$(hull run --rm --network none --cgroup-parent "/hull-test/$T-h" "$REG/app:v1" 'echo top=$(cat /etc/layer3); ls /etc/removed 2>&1; true')
	assert_contains "$out" "top=3"
	assert_contains "$out" "No such file"
	# pulling again finds everything present
	hull pull "$REG/app:v1" >/dev/null
	# a tag that is not there, a registry that is not there
	assert_fails hull pull "$REG/app:nope"
	assert_contains "$OUT" "manifest unknown"
	assert_fails hull pull "127.0.0.1:1/app:v1"
	assert_contains "$OUT" "127.0.0.1:1"
	hull rmi "$REG/app:v1" >/dev/null
}

test_pull_by_digest_and_from_an_index() {
	local digest out
	images
	start_registry
	# skopeo pushes the OCI layout's index as a manifest list with --all
	skopeo copy -q --all --dest-tls-verify=false "oci-archive:$WORK/img/busybox.oci.tar" "docker://$REG/multi:latest" >/dev/null
	hull pull "$REG/multi" >/dev/null
	assert_contains "$(hull images)" "$REG/multi"
	digest=$(skopeo inspect --tls-verify=false --raw "docker://$REG/multi:latest" | sha256sum | cut -d' ' -f1)
	hull pull "$REG/multi@sha256:$digest" >/dev/null
	assert_fails hull pull "$REG/multi@sha256:$(printf '%064d' 0)"
	hull rmi "$REG/multi" >/dev/null
}

test_pull_with_basic_auth() {
	images
	start_registry alice:s3cret
	push "$WORK/img/busybox.oci.tar" private:v1 alice:s3cret
	assert_fails hull pull "$REG/private:v1"
	assert_contains "$OUT" "password"
	assert_fails hull pull --creds alice:wrong "$REG/private:v1"
	assert_contains "$OUT" "denied"
	hull pull --creds alice:s3cret "$REG/private:v1" >/dev/null
	assert_contains "$(hull images)" "$REG/private"
	hull rmi "$REG/private:v1" >/dev/null
}

test_pull_with_bearer_tokens() {
	local pid port
	images
	mkdir -p "$WORK/layout"
	tar -C "$WORK/layout" -xf "$WORK/img/busybox.oci.tar"
	python3 "$REPO/tests/data/token-registry.py" "$WORK/layout" bob:hunter2 "$WORK/port" &
	pid=$!
	defer stop_pid $pid
	for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
	port=$(cat "$WORK/port")
	assert_fails hull pull "127.0.0.1:$port/app:oci"
	assert_contains "$OUT" "token"
	assert_fails hull pull --creds bob:wrong "127.0.0.1:$port/app:oci"
	assert_contains "$OUT" "token"
	hull pull --creds bob:hunter2 "127.0.0.1:$port/app:oci" >/dev/null
	assert_contains "$(hull images)" "127.0.0.1:$port/app"
	hull rmi "127.0.0.1:$port/app:oci" >/dev/null
}
