# SPDX-License-Identifier: Apache-2.0
# hull push, login and logout against registries on 127.0.0.1 (registry.sh), cross-checked with
# skopeo and podman; run and create with --pull.

source "$REPO/tests/integration/registry.sh"

# hull with a home of the test's own: no login of the machine's files is read or written
hullh() {
	env HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/cfg" XDG_RUNTIME_DIR="$WORK/xrt" \
		DOCKER_CONFIG= REGISTRY_AUTH_FILE= "$HULL" --root "$WORK/store" --runroot "$ROOT" "$@"
}

load_test_image() { # the busybox test image (3 layers, the top one zstd) as hulltest/busybox:docker
	images
	hull load -q -i "$WORK/img/busybox.docker.tar" >/dev/null
}

# podman with a store of its own, running what it pulled with hull-oci (crun does not run on
# this machine's hybrid cgroups, and hull-oci is what is under test anyway)
PM="" PMRR=""
podman_() {
	podman --root "$PM/root" --runroot "$PMRR" --runtime "$HULL_OCI" \
		--cgroup-manager cgroupfs --events-backend file --storage-driver vfs "$@"
}
setup_podman() {
	command -v podman >/dev/null && command -v conmon >/dev/null || skip "podman is not installed"
	PM=$WORK/pm
	PMRR=/run/hull-pm-$$
	mkdir -p "$PM" "$PMRR"
	defer stop_podman "$PM" "$PMRR" "$T"
}
stop_podman() {
	local m d
	PM=$1 PMRR=$2 T=$3
	[[ $PM == "$WORK"/* && $PMRR == /run/hull-pm-* ]] || return 1
	podman_ rm -f -a -t 0
	podman_ rmi -a -f
	for d in "$PM" "$PMRR"; do
		for m in $(awk -v d="$d" 'index($5, d "/") == 1 {print $5}' /proc/self/mountinfo | sort -r); do
			umount -l "$m"
		done
	done
	rm -rf "$PM" "$PMRR"
	for d in /sys/fs/cgroup/*/hull-test/"$T"-pm; do
		rmdir "$d/conmon" "$d"
	done
}
# podman_runs REF: podman pulls REF from the registry and runs it; the top layer's file shows
podman_runs() {
	local out
	podman_ pull -q --tls-verify=false "$1" >/dev/null || fatal "podman could not pull $1"
	out=$(podman_ run --rm --network none --cgroup-parent "/hull-test/$T-pm" \
		--ulimit nofile=4096:4096 --ulimit nproc=4096:4096 "$1" "${@:2}")
	echo "$out"
}

test_push_round_trip() {
	local out digest
	load_test_image
	start_registry
	out=$(hull push hulltest/busybox:docker "$REG/app:v1" 2>&1)
	assert_contains "$out" "Pushed"
	digest=$(sed -n 's/^digest: \(sha256:[0-9a-f]*\) size: [0-9]*$/\1/p' <<<"$out")
	[ -n "$digest" ] || fatal "no digest line: $out"
	# skopeo reads what was pushed: the stored OCI manifest, byte for byte
	out=$(skopeo inspect --tls-verify=false --raw "docker://$REG/app:v1")
	assert_eq "sha256:$(printf '%s' "$out" | sha256sum | cut -d' ' -f1)" "$digest"
	assert_eq "$(jq -r .mediaType <<<"$out")" "application/vnd.oci.image.manifest.v1+json"
	assert_eq "$(jq -r '.layers | length' <<<"$out")" 3
	assert_eq "$(skopeo inspect --tls-verify=false "docker://$REG/app:v1" | jq -r .Architecture)" amd64
	# hull pulls it back: same image, runnable
	hull rmi -f hulltest/busybox:docker >/dev/null
	out=$(hull pull -q "$REG/app:v1")
	assert_contains "$out" "$REG/app:v1"
	defer rmdir_cgroup_parent "$T-h"
	out=$(hull run --rm --network none --cgroup-parent "/hull-test/$T-h" "$REG/app:v1" 'cat /etc/layer3')
	assert_eq "$out" 3
	# podman pulls and runs it too
	setup_podman
	out=$(podman_runs "$REG/app:v1" 'cat /etc/layer3; ls /etc/removed 2>&1; true')
	assert_contains "$out" 3
	assert_contains "$out" "No such file"
	hull rmi "$REG/app:v1" >/dev/null
}

test_push_skips_and_mounts_layers() {
	local out
	load_test_image
	start_registry
	hull push -q hulltest/busybox:docker "$REG/app:v1" >/dev/null
	# the repository has every blob: nothing is sent again
	out=$(hull push hulltest/busybox:docker "$REG/app:v1" 2>&1)
	assert_eq "$(grep -c ': Layer already exists$' <<<"$out")" 3 "$out"
	assert_not_contains "$out" "Pushing"
	# another repository of the registry: mounted from the one a local name says has them
	hull tag hulltest/busybox:docker "$REG/app:v1"
	out=$(hull push "$REG/app:v1" "$REG/other:v2" 2>&1)
	assert_eq "$(grep -c ': Mounted from app$' <<<"$out")" 3 "$out"
	assert_not_contains "$out" "Pushing"
	skopeo inspect --tls-verify=false "docker://$REG/other:v2" >/dev/null || fatal "other:v2 is not readable"
	# under its own name when no destination is given; an ID names no repository
	out=$(hull push -q "$REG/app:v1")
	assert_contains "$out" "sha256:"
	assert_fails hull push "$(hull images -q | head -1)"
	assert_contains "$OUT" "is not a name of the image: give a destination"
	assert_fails hull push nosuch:image "$REG/x:y"
	assert_contains "$OUT" "no such image: nosuch:image"
	hull rmi -f "$REG/app:v1" >/dev/null
}

test_push_as_docker_format() {
	local out raw
	images
	start_registry
	# import keeps the gzip tarball as the layer
	hull import -q "$WORK/img/rootfs.tar.gz" gz:v1 >/dev/null
	hull push -q --format docker gz:v1 "$REG/gz:docker" >/dev/null
	raw=$(skopeo inspect --tls-verify=false --raw "docker://$REG/gz:docker")
	assert_eq "$(jq -r .mediaType <<<"$raw")" "application/vnd.docker.distribution.manifest.v2+json"
	assert_eq "$(jq -r .config.mediaType <<<"$raw")" "application/vnd.docker.container.image.v1+json"
	assert_eq "$(jq -r '.layers[0].mediaType' <<<"$raw")" "application/vnd.docker.image.rootfs.diff.tar.gzip"
	# and back to OCI
	hull push -q --format oci gz:v1 "$REG/gz:oci" >/dev/null
	raw=$(skopeo inspect --tls-verify=false --raw "docker://$REG/gz:oci")
	assert_eq "$(jq -r .mediaType <<<"$raw")" "application/vnd.oci.image.manifest.v1+json"
	assert_eq "$(jq -r '.layers[0].mediaType' <<<"$raw")" "application/vnd.oci.image.layer.v1.tar+gzip"
	# hull and podman pull the docker one
	hull rmi gz:v1 >/dev/null
	hull pull -q "$REG/gz:docker" >/dev/null
	setup_podman
	out=$(podman_runs "$REG/gz:docker" sh -c 'echo hello from $(cat /etc/hostname >/dev/null; echo docker)')
	assert_eq "$out" "hello from docker"
	hull rmi "$REG/gz:docker" >/dev/null
	# a zstd layer has no docker media type: refused, naming the way out
	load_test_image
	assert_fails hull push --format docker hulltest/busybox:docker "$REG/app:docker"
	assert_contains "$OUT" "+zstd\`, which the docker format has no media type for (push it with --format oci)"
	assert_fails hull push --format v1 hulltest/busybox:docker "$REG/app:docker"
	assert_contains "$OUT" "--format takes oci or docker"
}

# A connection that drops in the middle of an upload is tried again in a new upload (as
# docker's push does), and the registry gets every blob whole (tests/data/hostile-registry.py
# push-drop-once checks each digest).
test_push_retries_a_dropped_upload() {
	local out d log
	load_test_image
	hostile push-drop-once
	out=$(hull push hulltest/busybox:docker "$REG/app:v1" 2>&1) || fatal "push: $out"
	assert_contains "$out" "Retrying attempt 2 of 5"
	assert_contains "$out" "digest: sha256:"
	log=$(cat "$WORK/port.log")
	# the big layer was cut halfway, then came again whole; the config and the small
	# layers came whole the first time; none arrived wrong
	d=$(sed -n 's/^PUT \(sha256:[0-9a-f]*\) dropped$/\1/p' <<<"$log")
	[ -n "$d" ] || fatal "no upload was cut: $log"
	assert_contains "$log" "PUT $d ok"
	assert_eq "$(grep -c ' ok$' <<<"$log")" 4 "$log"
	assert_not_contains "$log" " bad"
	assert_contains "$log" "MANIFEST app:v1"
}

# The layers go up at once (docker's 5 at a time), after the config, and all before the
# manifest.
test_push_sends_layers_in_parallel() {
	local out log
	load_test_image
	hostile push-concurrent
	out=$(hull push hulltest/busybox:docker "$REG/app:v1" 2>&1) || fatal "push: $out"
	log=$(cat "$WORK/port.log")
	assert_eq "$(grep -c ' ok$' <<<"$log")" 4 "$log"
	# the config alone first (its answers authenticate the connections the layers copy)
	assert_eq "$(grep -m1 '^max' <<<"$log")" "max 1" "$log"
	assert_eq "$(grep '^max' <<<"$log" | tail -1)" "max 3" "the layers did not go up at once: $log"
	assert_eq "$(tail -1 <<<"$log")" "MANIFEST app:v1" "the manifest before a blob: $log"
	assert_eq "$(grep -c ': Pushed$' <<<"$out")" 3 "$out"
}

test_login_checks_and_stores_credentials() {
	local f out
	load_test_image
	start_registry alice:s3cret
	f=$WORK/cfg/hull/auth.json
	# without a login the registry says no
	assert_fails hullh push hulltest/busybox:docker "$REG/private:v1"
	assert_contains "$OUT" "password"
	# a wrong password is refused by the registry, and nothing is stored
	assert_fails hullh login -u alice --password-stdin "$REG" <<<"wrong"
	assert_contains "$OUT" "access denied"
	[ ! -e "$f" ] || fatal "a refused login was stored"
	out=$(hullh login -u alice --password-stdin "$REG" <<<"s3cret")
	assert_eq "$out" "Login Succeeded"
	# docker's format, base64(user:password), only the owner may read it
	assert_eq "$(jq -r --arg r "$REG" '.auths[$r].auth' "$f" | base64 -d)" "alice:s3cret"
	assert_eq "$(stat -c %a "$f")" 600
	# push and pull use it
	hullh push -q hulltest/busybox:docker "$REG/private:v1" >/dev/null
	hull rmi -f hulltest/busybox:docker >/dev/null
	hullh pull -q "$REG/private:v1" >/dev/null
	# -p works too, with docker's warning; another registry's entry and other keys stay
	jq '.auths["other.example:5000"] = {auth: "eDp5"} | .credsStore = ""' "$f" >"$f.new" && mv "$f.new" "$f"
	out=$(hullh login -u alice -p s3cret "$REG" 2>&1)
	assert_contains "$out" "WARNING! Using --password via the CLI is insecure"
	assert_eq "$(jq -r '.auths["other.example:5000"].auth' "$f")" "eDp5"
	assert_eq "$(jq -r '.credsStore' "$f")" ""
	# logout forgets it: pulls are refused again
	out=$(hullh logout "$REG")
	assert_eq "$out" "Removing login credentials for $REG"
	assert_eq "$(jq -r --arg r "$REG" '.auths[$r] // "gone"' "$f")" "gone"
	assert_eq "$(hullh logout "$REG")" "Not logged in to $REG"
	hull rmi "$REG/private:v1" >/dev/null
	assert_fails hullh pull "$REG/private:v1"
	assert_contains "$OUT" "password"
	# --authfile and REGISTRY_AUTH_FILE choose the file instead
	hullh login -u alice --password-stdin --authfile "$WORK/other.json" "$REG" <<<"s3cret" >/dev/null
	hullh pull -q --authfile "$WORK/other.json" "$REG/private:v1" >/dev/null
	hull rmi "$REG/private:v1" >/dev/null
	env HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/cfg" REGISTRY_AUTH_FILE="$WORK/other.json" \
		"$HULL" --root "$WORK/store" --runroot "$ROOT" pull -q "$REG/private:v1" >/dev/null
	hull rmi "$REG/private:v1" >/dev/null
	# usage errors
	assert_fails hullh login "$REG" </dev/null
	assert_contains "$OUT" "no user name"
	assert_fails hullh login -u alice "$REG" </dev/null
	assert_contains "$OUT" "no password"
}

test_login_with_bearer_tokens() {
	local port out
	images
	mkdir -p "$WORK/layout"
	tar -C "$WORK/layout" -xf "$WORK/img/busybox.oci.tar"
	python3 "$REPO/tests/data/token-registry.py" "$WORK/layout" bob:hunter2 "$WORK/port" &
	defer stop_pid $!
	for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
	port=$(cat "$WORK/port")
	assert_fails hullh login -u bob --password-stdin "127.0.0.1:$port" <<<"wrong"
	assert_contains "$OUT" "get a token"
	out=$(hullh login -u bob --password-stdin "127.0.0.1:$port" <<<"hunter2")
	assert_eq "$out" "Login Succeeded"
	hullh pull -q "127.0.0.1:$port/app:oci" >/dev/null
	hull rmi "127.0.0.1:$port/app:oci" >/dev/null
}

# start_token_registry USER:PASSWORD: docker-registry with token auth, its tokens signed by
# tests/data/jwt-token-server.py (which logs the scopes asked for to $WORK/tport.log); $REG.
start_token_registry() {
	command -v docker-registry >/dev/null || skip "docker-registry is not installed"
	python3 -c 'import cryptography' 2>/dev/null || skip "python3-cryptography is not installed"
	local port
	mkdir -p "$WORK/tsrv"
	python3 "$REPO/tests/data/jwt-token-server.py" "$WORK/tsrv" "$1" "$WORK/tport" &
	defer stop_pid $!
	for _ in $(seq 100); do [ -s "$WORK/tport" ] && break; sleep 0.1; done
	[ -s "$WORK/tport" ] || fatal "the token service did not start"
	port=$(free_port)
	cat >"$WORK/registry.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $WORK/registry
http:
  addr: 127.0.0.1:$port
auth:
  token:
    realm: http://127.0.0.1:$(cat "$WORK/tport")/token
    service: hull-test
    issuer: hull-test-issuer
    rootcertbundle: $WORK/tsrv/cert.pem
EOF
	docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
	defer stop_pid $!
	REG=127.0.0.1:$port
	for _ in $(seq 100); do
		curl -s -o /dev/null "http://$REG/v2/" && return 0
		sleep 0.1
	done
	fatal "the registry did not start: $(cat "$WORK/registry.log")"
}

# Pushes to a registry that wants bearer tokens (distribution's token auth, as Docker Hub's):
# the token covers push, and a cross-repository mount gets one that reads the other
# repository too, each scope its own parameter (distribution's challenge joins them with a
# space, which token services do not split).
test_push_with_bearer_tokens() {
	local out
	load_test_image
	start_token_registry bob:hunter2
	assert_fails hullh push hulltest/busybox:docker "$REG/team/app:v1"
	assert_contains "$OUT" "get a token"
	out=$(hullh login -u bob --password-stdin "$REG" <<<"hunter2")
	assert_eq "$out" "Login Succeeded"
	out=$(hullh push hulltest/busybox:docker "$REG/team/app:v1" 2>&1) || fatal "push: $out"
	assert_eq "$(grep -c ': Pushed$' <<<"$out")" 3 "$out"
	# a token service reads the actions as a set: the first push asks with the registry's
	# challenge ("push,pull"), a later re-authentication with hull's own ("pull,push")
	grep -Eqx 'repository:team/app:(pull,push|push,pull)' "$WORK/tport.log" ||
		fatal "no token asked for push to team/app: $(cat "$WORK/tport.log")"
	hull tag hulltest/busybox:docker "$REG/team/app:v1"
	: >"$WORK/tport.log"
	out=$(hullh push "$REG/team/app:v1" "$REG/team/other:v2" 2>&1) || fatal "mounting push: $out"
	assert_eq "$(grep -c ': Mounted from team/app$' <<<"$out")" 3 "$out"
	assert_contains "$(cat "$WORK/tport.log")" "repository:team/other:pull,push;repository:team/app:pull"
	# what was pushed reads back, with the stored login
	hull rmi -f hulltest/busybox:docker >/dev/null
	hullh pull -q "$REG/team/other:v2" >/dev/null
	assert_contains "$(hull images)" "$REG/team/other"
	hull rmi -f "$REG/team/other:v2" >/dev/null
}

# A credential helper on PATH that knows one server's password, as docker-credential-pass does.
fake_helper() { # fake_helper DIR SERVER USER SECRET
	mkdir -p "$1"
	cat >"$1/docker-credential-fake" <<HELPER
#!/bin/sh
[ "\$1" = get ] || exit 1
read -r server
echo "\$server" >>"$1/asked"
[ "\$server" = "$2" ] || { echo "credentials not found in native keychain"; exit 1; }
printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\n' "$2" "$3" "$4"
HELPER
	chmod +x "$1/docker-credential-fake"
}

test_credentials_from_docker_and_podman_files() {
	local b64
	images
	start_registry carol:pw1
	push "$WORK/img/busybox.oci.tar" app:v1 carol:pw1
	b64=$(printf carol:pw1 | base64)
	# docker's config.json (DOCKER_CONFIG), its auths written with a scheme and a path
	mkdir -p "$WORK/dc"
	jq -n --arg k "http://$REG/v2/" --arg a "$b64" '{auths: {($k): {auth: $a}}}' >"$WORK/dc/config.json"
	env HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/cfg" XDG_RUNTIME_DIR="$WORK/xrt" \
		DOCKER_CONFIG="$WORK/dc" "$HULL" --root "$WORK/store" --runroot "$ROOT" pull -q "$REG/app:v1" >/dev/null
	hull rmi "$REG/app:v1" >/dev/null
	# ~/.docker/config.json with a credential helper for this registry
	fake_helper "$WORK/bin" "$REG" carol pw1
	mkdir -p "$WORK/home/.docker"
	jq -n --arg k "$REG" '{credHelpers: {($k): "fake"}}' >"$WORK/home/.docker/config.json"
	PATH="$WORK/bin:$PATH" hullh pull -q "$REG/app:v1" >/dev/null
	assert_eq "$(cat "$WORK/bin/asked")" "$REG" "the helper was not asked for the registry"
	hull rmi "$REG/app:v1" >/dev/null
	# credsStore: the helper for every registry; it knows nothing of this one: refused
	jq -n '{credsStore: "fake"}' >"$WORK/home/.docker/config.json"
	fake_helper "$WORK/bin" "elsewhere:1" carol pw1
	PATH="$WORK/bin:$PATH" assert_fails hullh pull "$REG/app:v1"
	assert_contains "$OUT" "password"
	rm "$WORK/home/.docker/config.json"
	# podman's auth.json under XDG_RUNTIME_DIR
	mkdir -p "$WORK/xrt/containers"
	jq -n --arg k "$REG" --arg a "$b64" '{auths: {($k): {auth: $a}}}' >"$WORK/xrt/containers/auth.json"
	hullh pull -q "$REG/app:v1" >/dev/null
	hull rmi "$REG/app:v1" >/dev/null
	# hull's own file comes first: a wrong password there wins over podman's right one
	mkdir -p "$WORK/cfg/hull"
	jq -n --arg k "$REG" --arg a "$(printf carol:bad | base64)" '{auths: {($k): {auth: $a}}}' >"$WORK/cfg/hull/auth.json"
	assert_fails hullh pull "$REG/app:v1"
	assert_contains "$OUT" "denied"
	# and --creds before everything
	hullh pull -q --creds carol:pw1 "$REG/app:v1" >/dev/null
	hull rmi "$REG/app:v1" >/dev/null
}

test_run_pulls_a_missing_image() {
	local out
	images
	start_registry
	push "$WORK/img/busybox.oci.tar" app:v1
	defer rmdir_cgroup_parent "$T-h"
	# never: not here, so not run
	assert_fails hull run --rm --pull never --network none "$REG/app:v1" true
	assert_contains "$OUT" "no such image: $REG/app:v1, and --pull=never forbids pulling it"
	assert_eq "$(hull images -q)" ""
	# missing, the default: pulled (progress on stderr), then run
	out=$(hull run --rm --network none --cgroup-parent "/hull-test/$T-h" "$REG/app:v1" 'cat /etc/layer3' 2>"$WORK/err")
	assert_eq "$out" 3
	assert_contains "$(head -1 "$WORK/err")" "Unable to find image '$REG/app:v1' locally"
	assert_contains "$(cat "$WORK/err")" "Pull complete"
	# here now: not pulled again
	out=$(hull run --rm --network none --cgroup-parent "/hull-test/$T-h" "$REG/app:v1" true 2>&1)
	assert_not_contains "$out" "Already exists"
	assert_not_contains "$out" "Unable to find image"
	# always: the registry is asked again (the layers are there)
	out=$(hull run --rm --pull always --network none --cgroup-parent "/hull-test/$T-h" "$REG/app:v1" true 2>&1)
	assert_contains "$out" "Already exists"
	assert_not_contains "$out" "Unable to find image"
	out=$(hull run --rm -q --pull always --network none --cgroup-parent "/hull-test/$T-h" "$REG/app:v1" true 2>&1)
	assert_eq "$out" ""
	# a platform the image is not for: never refuses, the default pulls (and finds none)
	assert_fails hull run --rm --pull never --platform linux/arm64 --network none "$REG/app:v1" true
	assert_contains "$OUT" "is not for linux/arm64, and --pull=never forbids pulling it"
	assert_fails hull run --rm --platform linux/arm64 --network none "$REG/app:v1" true
	assert_contains "$OUT" "the image is not for linux/arm64"
	assert_fails hull run --rm --pull sometimes "$REG/app:v1" true
	assert_contains "$OUT" "--pull takes missing, always or never, not \`sometimes\`"
	assert_fails hull run --rm --platform "linux//" "$REG/app:v1" true
	assert_contains "$OUT" "OS/ARCH[/VARIANT]"
	hull rmi "$REG/app:v1" >/dev/null
}

# hull build pulls the base images it does not have (FROM, COPY --from) as run does, --pull
# asks the registry again, and --platform (or FROM's) picks the platform of a multi-platform
# base, with docker's automatic platform ARGs.
test_build_pulls_its_base_images() {
	local out err id
	images
	start_registry
	push "$WORK/img/busybox.oci.tar" app:v1
	push "$WORK/img/busybox.oci.tar" other:v2
	push_two_platforms
	watch_store
	mkdir -p "$WORK/ctx" "$WORK/ctx2"
	cat >"$WORK/ctx/Dockerfile" <<EOF
FROM $REG/app:v1
USER root
COPY --from=$REG/other:v2 /etc/layer3 /copied
RUN cat /etc/layer3 /copied >/got
EOF
	# never: the base is not here, so nothing is built
	assert_fails hull build --pull=never --cgroup-parent "/hull-test/$T-h" "$WORK/ctx"
	assert_contains "$OUT" "no such image: $REG/app:v1, and --pull=never forbids pulling it"
	assert_eq "$(hull images -q)" ""
	# missing, the default: FROM's and COPY --from's images are pulled, then used
	hull build -t built --cgroup-parent "/hull-test/$T-h" "$WORK/ctx" >"$WORK/out" 2>"$WORK/err" ||
		fatal "build: $(cat "$WORK/out" "$WORK/err")"
	err=$(cat "$WORK/err")
	assert_contains "$err" "Unable to find image '$REG/app:v1' locally"
	assert_contains "$err" "Unable to find image '$REG/other:v2' locally"
	assert_contains "$err" "Pull complete"
	out=$(hull run --rm --network none --cgroup-parent "/hull-test/$T-h" built "cat /got" 2>&1)
	assert_eq "$out" "3
3"
	assert_contains "$(hull images)" "$REG/other"
	# here now: not pulled again, the steps come from the cache
	out=$(hull build -t built --cgroup-parent "/hull-test/$T-h" "$WORK/ctx" 2>&1)
	assert_not_contains "$out" "Unable to find image"
	assert_not_contains "$out" "Already exists"
	assert_contains "$out" "Using cache"
	# --pull (docker's boolean: always): the registry is asked again, the layers are here
	out=$(hull build --pull -t built --cgroup-parent "/hull-test/$T-h" "$WORK/ctx" 2>&1)
	assert_contains "$out" "Already exists"
	assert_not_contains "$out" "Unable to find image"
	# --platform: the base of that platform, TARGETARCH in the stage, the image's platform
	cat >"$WORK/ctx2/Dockerfile" <<EOF
FROM --platform=\$TARGETPLATFORM $REG/multi AS target
ARG TARGETARCH
USER root
RUN echo "\$TARGETARCH" >/arch
FROM --platform=\$BUILDPLATFORM $REG/multi AS build
ARG BUILDPLATFORM
ARG TARGETPLATFORM
USER root
RUN echo "\$BUILDPLATFORM \$TARGETPLATFORM" >/plat
FROM target
COPY --from=build /plat /plat
EOF
	id=$(hull build -q --platform linux/arm64 --cgroup-parent "/hull-test/$T-h" "$WORK/ctx2") ||
		fatal "build --platform: $id"
	assert_eq "$(hull image inspect --format '{{.Architecture}} {{.Variant}}' "$id")" "arm64 v8"
	# the test image's binaries are amd64 whatever its config says, so they run here
	assert_eq "$(hull run --rm --network none --cgroup-parent "/hull-test/$T-h" "$id" "cat /arch /plat")" "arm64
linux/amd64 linux/arm64"
	# the stage FROM --platform=$BUILDPLATFORM is this host's
	id=$(hull build -q --target build --platform linux/arm64 --cgroup-parent "/hull-test/$T-h" "$WORK/ctx2")
	assert_eq "$(hull image inspect --format '{{.Architecture}}' "$id")" amd64
	# bad values are named
	assert_fails hull build --pull=sometimes "$WORK/ctx"
	assert_contains "$OUT" "--pull takes missing, always or never, not \`sometimes\`"
	assert_fails hull build --platform "linux//" "$WORK/ctx"
	assert_contains "$OUT" "OS/ARCH[/VARIANT]"
	printf 'ARG P="linux/arm64 linux/amd64"\nFROM --platform=$P %s/multi\n' "$REG" >"$WORK/ctx2/Dockerfile"
	assert_fails hull build "$WORK/ctx2"
	assert_contains "$OUT" 'FROM --platform=$P: invalid platform `linux/arm64 linux/amd64`: OS/ARCH[/VARIANT]'
	printf 'FROM --platform=linux/s390x %s/multi\n' "$REG" >"$WORK/ctx2/Dockerfile"
	assert_fails hull build "$WORK/ctx2"
	assert_contains "$OUT" "no manifest for linux/s390x"
}

# A private dockerd as test_docker.sh starts one (own roots, socket, hull-oci as its runtime,
# stopped by pid); D and DCG set.  docker treats registries on 127.0.0.0/8 as insecure: plain
# HTTP without configuration.
dk() { /usr/bin/docker -H "unix://$D/sock" "$@"; }
dockerd_start() {
	local i
	[ -x /usr/sbin/dockerd ] && [ -x /usr/bin/docker ] || skip "docker.io is not installed"
	D=$WORK/d
	DCG=/hull-test/$T-docker
	mkdir -p "$D/data" "$D/exec"
	defer dockerd_stop "$D" "$DCG"
	/usr/sbin/dockerd --data-root "$D/data" --exec-root "$D/exec" --pidfile "$D/pid" \
		-H "unix://$D/sock" --add-runtime "hull=$HULL_OCI" --iptables=false --ip6tables=false \
		--bridge=none --exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "$DCG" \
		--storage-driver overlay2 >"$D/log" 2>&1 </dev/null &
	for i in $(seq 150); do
		dk version >/dev/null 2>&1 && return 0
		[ -e "$D/pid" ] || [ $i -lt 20 ] || kill -0 $! 2>/dev/null ||
			skip "dockerd does not start here: $(tail -3 "$D/log")"
		sleep 0.2
	done
	skip "dockerd does not answer here: $(tail -3 "$D/log")"
}
dockerd_stop() {
	local pid i d
	# shellcheck disable=SC2046
	/usr/bin/docker -H "unix://$1/sock" rm -f $(/usr/bin/docker -H "unix://$1/sock" ps -aq) 2>/dev/null
	pid=$(cat "$1/pid" 2>/dev/null)
	if [ -n "$pid" ]; then
		kill "$pid"
		for i in $(seq 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null
	fi
	for d in /sys/fs/cgroup/*/"${2#/}"; do
		[ -d "$d" ] && rmdir "$d"
	done
	grep "$1" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
	rm -rf "$1"
}

test_push_docker_pulls_and_runs_it() {
	local f out
	images
	start_registry
	dockerd_start
	# docker 20.10 reads gzip and plain layers, not zstd: the one-layer imported image
	hull import -q "$WORK/img/rootfs.tar.gz" gz:v1 >/dev/null
	for f in docker oci; do
		hull push -q --format "$f" gz:v1 "$REG/gz:$f" >/dev/null
		dk pull -q "$REG/gz:$f" >/dev/null || fatal "docker could not pull the $f manifest: $(tail -3 "$D/log")"
		out=$(dk run --rm --runtime hull --network none "$REG/gz:$f" sh -c 'echo ran $0' "$f")
		assert_eq "$out" "ran $f"
	done
	assert_eq "$(dk image inspect -f '{{.Architecture}}' "$REG/gz:docker")" amd64
}
