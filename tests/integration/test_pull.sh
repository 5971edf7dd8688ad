# SPDX-License-Identifier: Apache-2.0
# hull pull from registries on 127.0.0.1: Debian's docker-registry (the distribution registry,
# pushed to with skopeo), with and without basic auth, and a registry that wants bearer tokens.

source "$REPO/tests/integration/registry.sh"

test_pull_from_a_registry_and_run() {
	local out id first
	images
	start_registry
	push "$WORK/img/busybox.oci.tar" app:v1
	# stdout: the name pulled and the image's ID; the layers' progress goes to stderr
	out=$(hull pull "$REG/app:v1" 2>/dev/null)
	first=$out
	assert_contains "$out" "$REG/app:v1"
	# the name pulled and the image's id, the config's digest
	assert_eq "$(tail -1 <<<"$out")" "$(skopeo inspect --tls-verify=false --raw "docker://$REG/app:v1" | jq -r .config.digest)" "the pulled image's id"
	out=$(hull images)
	assert_contains "$out" "$REG/app"
	assert_contains "$out" "v1"
	# the layers arrived and were stacked: the third layer's file, the second's whiteout
	defer rmdir_cgroup_parent "$T-h"
	# the image's entrypoint is `sh -c`: the command is the script
	out=$(hull run --rm --network none --cgroup-parent "/hull-test/$T-h" "$REG/app:v1" 'echo top=$(cat /etc/layer3); ls /etc/removed 2>&1; true')
	assert_contains "$out" "top=3"
	assert_contains "$out" "No such file"
	# pulling again finds everything present: the same image
	assert_eq "$(hull pull "$REG/app:v1" 2>/dev/null)" "$first" "a second pull"
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
	skopeo inspect --tls-verify=false --raw "docker://$REG/multi:latest" >"$WORK/manifest"
	digest=$(sha256sum <"$WORK/manifest" | cut -d' ' -f1)
	# by digest: the image that manifest names, recorded under that digest
	assert_eq "$(hull pull "$REG/multi@sha256:$digest")" "$(jq -r .config.digest "$WORK/manifest")" "the image pulled by digest"
	assert_eq "$(hull images --format json | jq -r .Digest)" "sha256:$digest" "its manifest"
	assert_fails hull pull "$REG/multi@sha256:$(printf '%064d' 0)"
	assert_contains "$OUT" "manifest unknown"
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

# (hostile MODE: registry.sh.)  Every pull of such a registry runs under `timeout`: one that
# hangs fails the test instead of the suite.
# tpull [VAR=VALUE...] REF: hull pull with those variables set
tpull() {
	local envs=()
	while [[ $1 == *=* ]]; do
		envs+=("$1")
		shift
	done
	timeout 30 env "${envs[@]}" "$HULL" --root "$WORK/store" --runroot "$ROOT" pull "$@"
}
# the first manifest of the test layout, and its config's declared size
layout_manifest() {
	local d
	d=$(jq -r '.manifests[0].digest' "$WORK/img/busybox.oci/index.json")
	cat "$WORK/img/busybox.oci/blobs/sha256/${d#sha256:}"
}
# nothing of a refused pull stays behind: no image, no partial blob, no layer
nothing_pulled() {
	assert_eq "$(hull images -q)" ""
	assert_eq "$(ls "$WORK/store/images/tmp" 2>/dev/null)" "" "temporary files left"
	assert_eq "$(ls "$WORK/store/images/layers" 2>/dev/null)" "" "layers left"
}

test_pull_refuses_a_token_that_would_inject_headers() {
	hostile crlf-token
	assert_fails tpull "$REG/app:v1"
	assert_contains "$OUT" "the token from http://$REG/token holds the byte 0x0d at offset 3"
	assert_contains "$OUT" "refusing it"
	assert_not_contains "$OUT" "X-Injected"
	nothing_pulled
}

test_pull_names_what_is_too_big() {
	hostile huge-token
	assert_fails tpull "$REG/app:v1"
	assert_contains "$OUT" "the token answer of http://$REG/token is bigger than the limit of 256 KiB"
	assert_not_contains "$OUT" "Failure writing"
	hostile huge-manifest
	assert_fails tpull "$REG/app:v1"
	assert_contains "$OUT" "the manifest v1 of $REG/app is bigger than the limit of 4096 KiB"
	assert_not_contains "$OUT" "Failure writing"
	nothing_pulled
}

test_pull_quotes_a_registry_error_bounded() {
	hostile long-error
	assert_fails tpull "$REG/app:v1"
	assert_contains "$OUT" "get the manifest v1 of $REG/app: UNKNOWN: mmmm"
	assert_contains "$OUT" "(HTTP 500)"
	[ ${#OUT} -lt 800 ] || fatal "a ${#OUT}-character error"
}

test_pull_holds_blobs_to_their_declared_size() {
	local cfg size
	images
	cfg=$(layout_manifest | jq -r .config.digest)
	size=$(layout_manifest | jq -r .config.size)
	# an endless body is cut one byte past the declared size (the config comes first)
	hostile endless-blob
	assert_fails tpull "$REG/app:v1"
	assert_contains "$OUT" "the blob $cfg is bigger than its descriptor says: declared $size bytes, received more ($((size + 1)) and counting)"
	nothing_pulled
	# and a body that ends early is refused too, before its digest is even checked
	hostile short-blob
	assert_fails tpull "$REG/app:v1"
	assert_contains "$OUT" "the blob $cfg is shorter than its descriptor says: declared $size bytes, received $((size - 10))"
	nothing_pulled
}

test_pull_limits_declared_sizes() {
	local layer
	images
	layer=$(layout_manifest | jq -r '.layers[0].digest')
	hostile huge-declared
	# one layer over HULL_PULL_MAX_BLOB: refused before anything is fetched
	assert_fails tpull HULL_PULL_MAX_BLOB=1g "$REG/app:v1"
	assert_contains "$OUT" "the layer $layer declares 2000000000 bytes: more than the limit of 1073741824 (HULL_PULL_MAX_BLOB)"
	assert_eq "$(ls "$WORK/store/images/blobs/sha256" 2>/dev/null | wc -l)" "1" "only the manifest should be stored"
	# the whole image over HULL_PULL_MAX_IMAGE
	assert_fails tpull HULL_PULL_MAX_IMAGE=100m "$REG/app:v1"
	assert_contains "$OUT" "bytes in all: more than the limit of 104857600 (HULL_PULL_MAX_IMAGE)"
	# a config over its own limit (16 MiB), whatever HULL_PULL_MAX_BLOB allows
	hostile huge-config
	assert_fails tpull HULL_PULL_MAX_BLOB=1g "$REG/app:v1"
	assert_contains "$OUT" "the image config $(layout_manifest | jq -r .config.digest) declares 20971520 bytes: more than the limit of 16 MiB"
	# a sum that would wrap around 2^64 is still too big
	hostile wrap-declared
	assert_fails tpull HULL_PULL_MAX_BLOB=8191p "$REG/app:v1"
	assert_contains "$OUT" "bytes in all: more than the limit of 68719476736 (HULL_PULL_MAX_IMAGE)"
	hostile huge-declared
	# under the default limits the 2 GB layer is fetched, and held to its size: the real
	# (smaller) body is short
	assert_fails tpull "$REG/app:v1"
	assert_contains "$OUT" "the blob $layer is shorter than its descriptor says: declared 2000000000 bytes"
	# a limit that is not a size is an error, not ignored
	assert_fails tpull HULL_PULL_MAX_BLOB=lots "$REG/app:v1"
	assert_contains "$OUT" "HULL_PULL_MAX_BLOB=lots: a size such as 512m or 20g is needed"
	assert_fails tpull HULL_PULL_TIMEOUT=-1 "$REG/app:v1"
	assert_contains "$OUT" "HULL_PULL_TIMEOUT=-1: a whole number of seconds is needed"
	nothing_pulled
}

test_pull_times_out_on_a_trickle_and_overall() {
	local t0 took
	# 2 bytes/s is not progress: under 1 KiB/s for HULL_PULL_STALL_TIMEOUT seconds fails
	hostile trickle
	t0=$SECONDS
	assert_fails tpull HULL_PULL_STALL_TIMEOUT=1 "$REG/app:v1"
	took=$((SECONDS - t0))
	assert_contains "$OUT" "stalled (HULL_PULL_STALL_TIMEOUT=1)"
	[ "$took" -le 10 ] || fatal "the stalled pull took ${took}s"
	nothing_pulled
	# fast enough not to stall, too slow overall: HULL_PULL_TIMEOUT bounds the whole pull
	hostile slow
	t0=$SECONDS
	assert_fails tpull HULL_PULL_TIMEOUT=2 "$REG/app:v1"
	took=$((SECONDS - t0))
	assert_contains "$OUT" "out of time: the pull took longer than 2 s (HULL_PULL_TIMEOUT)"
	[ "$took" -le 10 ] || fatal "the slow pull took ${took}s"
	nothing_pulled
}

# the layers of the test layout's first manifest: "DIGEST SIZE" lines
layout_layers() { layout_manifest | jq -r '.layers[] | "\(.digest) \(.size)"'; }

test_pull_resumes_a_dropped_layer() {
	local out d size n=0
	hostile drop-once
	out=$(tpull "$REG/app:v1" 2>&1) || fatal "pull failed: $out"
	assert_contains "$(hull images)" "$REG/app"
	# each layer was cut halfway, then asked for again from the byte it stopped at
	while read -r d size; do
		assert_contains "$(cat "$WORK/port.log")" "$d bytes=$((size / 2))-" "no resumed request for $d"
		n=$((n + 1))
	done < <(layout_layers)
	[ "$n" -eq 3 ] || fatal "$n layers"
	assert_contains "$out" "Retrying attempt 2 of 5"
	# and what was put together is the layers themselves: their files are there
	assert_eq "$(cat "$WORK/store/images/layers/"*/etc/layer3)" 3
}

test_pull_starts_over_when_range_is_ignored() {
	local d size
	hostile no-range
	tpull -q "$REG/app:v1" >/dev/null || fatal "pull failed"
	while read -r d size; do
		assert_contains "$(cat "$WORK/port.log")" "$d bytes=$((size / 2))-"
	done < <(layout_layers)
	# the whole body came again with a 200 and replaced the half: digests checked on commit
	assert_contains "$(hull images)" "$REG/app"
}

test_pull_fetches_layers_in_parallel() {
	local t0 took
	hostile concurrent
	t0=$SECONDS
	tpull -q "$REG/app:v1" >/dev/null || fatal "pull failed"
	took=$((SECONDS - t0))
	# 3 layers of 1 s each, at once (docker's 3 at a time)
	assert_eq "$(grep -c '^max' "$WORK/port.log")" 3
	assert_eq "$(tail -1 "$WORK/port.log")" "max 3" "layers were not fetched at the same time"
	[ "$took" -le 10 ] || fatal "took ${took}s"
}

test_pull_failed_layer_leaves_nothing_unpacked() {
	local d size last
	hostile bad-layer
	last=$(layout_layers | tail -1 | cut -d' ' -f1)
	assert_fails tpull "$REG/app:v1"
	assert_contains "$OUT" "digest mismatch: expected $last"
	# the other layers were fetched and unpacked meanwhile: unpacked layers go again, their
	# verified blobs stay for the next pull
	nothing_pulled
	while read -r d size; do
		[ "$d" = "$last" ] && continue
		[ -f "$WORK/store/images/blobs/sha256/${d#sha256:}" ] || fatal "blob $d not kept"
	done < <(layout_layers)
}

test_pull_shows_progress_per_layer() {
	local out id
	images
	start_registry
	push "$WORK/img/busybox.oci.tar" app:v1
	# not a terminal: a plain line per layer and state, on stderr; stdout keeps name and ID
	out=$(hull pull "$REG/app:v1" 2>&1 >/dev/null)
	while read -r id _; do
		id=${id#sha256:}
		assert_contains "$out" "${id:0:12}: Downloading"
		assert_contains "$out" "${id:0:12}: Verifying Checksum"
		assert_contains "$out" "${id:0:12}: Extracting"
		assert_contains "$out" "${id:0:12}: Pull complete"
	done < <(layout_layers)
	out=$(hull pull "$REG/app:v1" 2>&1 >/dev/null)
	assert_contains "$out" "Already exists"
	assert_not_contains "$out" "Downloading"
	assert_eq "$(hull pull -q "$REG/app:v1" 2>&1 | wc -l)" 2 "-q: name and ID only"
	hull rmi "$REG/app:v1" >/dev/null
	# a terminal: lines redrawn in place, with a bar and the bytes
	out=$(script -qec "$HULL --root $WORK/store --runroot $ROOT pull $REG/app:v1" /dev/null)
	assert_contains "$out" $'\033[2K'
	assert_contains "$out" "Downloading ["
	assert_contains "$out" "Pull complete"
	hull rmi "$REG/app:v1" >/dev/null
}

test_pull_chooses_the_platform() {
	local id
	images
	start_registry
	push_two_platforms
	id=$(hull pull -q --platform linux/arm64 "$REG/multi" | tail -1)
	assert_eq "$(jq -r .architecture "$WORK/store/images/blobs/sha256/${id#sha256:}")" arm64
	# the host's by default
	id=$(hull pull -q "$REG/multi" | tail -1)
	assert_eq "$(jq -r .architecture "$WORK/store/images/blobs/sha256/${id#sha256:}")" amd64
	assert_fails hull pull --platform linux/s390x "$REG/multi"
	assert_contains "$OUT" "no manifest for linux/s390x (the index has linux/amd64, linux/arm64/v8; choose one with --platform)"
	assert_fails hull pull --platform linux/arm64/v7 "$REG/multi"
	assert_contains "$OUT" "no manifest for linux/arm64/v7"
	assert_fails hull pull --platform "linux//x" "$REG/multi"
	assert_contains "$OUT" "OS/ARCH[/VARIANT]"
	hull rmi -f "$REG/multi" >/dev/null
}

# The limits of the hardening hold for each of the layers fetched at once, not only for the
# config fetched alone.
test_pull_limits_hold_for_parallel_layers() {
	local t0 took
	images
	hostile endless-blob-layers
	assert_fails tpull "$REG/app:v1"
	assert_contains "$OUT" "is bigger than its descriptor says"
	assert_contains "$OUT" "and counting): refusing it"
	nothing_pulled
	hostile short-blob-layers
	assert_fails tpull "$REG/app:v1"
	assert_contains "$OUT" "is shorter than its descriptor says"
	nothing_pulled
	hostile trickle-layers
	t0=$SECONDS
	assert_fails tpull HULL_PULL_STALL_TIMEOUT=1 "$REG/app:v1"
	took=$((SECONDS - t0))
	assert_contains "$OUT" "stalled (HULL_PULL_STALL_TIMEOUT=1)"
	[ "$took" -le 10 ] || fatal "the stalled pull took ${took}s"
	nothing_pulled
	hostile slow-layers
	t0=$SECONDS
	assert_fails tpull HULL_PULL_TIMEOUT=2 "$REG/app:v1"
	took=$((SECONDS - t0))
	assert_contains "$OUT" "out of time: the pull took longer than 2 s (HULL_PULL_TIMEOUT)"
	[ "$took" -le 10 ] || fatal "the slow pull took ${took}s"
	nothing_pulled
}

# A manifest is checked against the digest that names it, not only found: a registry that
# answers every digest with some other manifest (and no Docker-Content-Digest), or announces a
# digest its manifest does not have, is refused and leaves no image; the same registry's honest
# answers are taken (tests/data/lying-registry.py).
test_pull_manifest_checked_against_its_digest() {
	local pid port good out
	images
	mkdir -p "$WORK/layout"
	tar -C "$WORK/layout" -xf "$WORK/img/busybox.oci.tar"
	python3 "$REPO/tests/data/lying-registry.py" "$WORK/layout" "$WORK/port" &
	pid=$!
	defer stop_pid $pid
	for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
	port=$(cat "$WORK/port")
	good=$(jq -r '.manifests[0].digest' "$WORK/layout/index.json")
	# a digest the registry does not have: it answers with the manifest of $good
	assert_fails hull pull "127.0.0.1:$port/app@sha256:$(printf '%064d' 0)"
	assert_contains "$OUT" "sha256:$(printf '%064d' 0)"
	assert_contains "$OUT" "$good"
	assert_contains "$OUT" "refusing it"
	assert_eq "$(hull images -q)" "" "an image from a manifest that is not the one asked for"
	# a tag whose answer announces a digest the manifest does not have
	assert_fails hull pull "127.0.0.1:$port/app:wrong-header"
	assert_contains "$OUT" "wrong-header has the digest $good"
	assert_contains "$OUT" "refusing it"
	assert_eq "$(hull images -q)" "" "an image from a manifest announced with another digest"
	# an image index naming a digest the registry answers with another manifest
	assert_fails hull pull "127.0.0.1:$port/app:bad-index"
	assert_contains "$OUT" "sha256:$(printf '2%.0s' $(seq 64)) has the digest $good"
	assert_eq "$(hull images -q)" "" "an image from an index's lying entry"
	# the right digest: pulled, and recorded under that digest
	hull pull "127.0.0.1:$port/app@$good" >/dev/null
	assert_eq "$(hull images --format json | jq -r .Digest)" "$good" "the pulled image's manifest"
	hull rmi "$(hull images -q)" >/dev/null
	# an honest index: the image it names for linux/amd64
	hull pull "127.0.0.1:$port/app:index" >/dev/null
	assert_eq "$(hull images --format json | jq -r '.Tag + " " + .Digest')" "index $good" "the image picked from the index"
	hull rmi "$(hull images -q)" >/dev/null
}

# A pull killed with -9 midway leaves its partial downloads and unpacks in the store's tmp/;
# the next pull that finds no other hull at work on the store clears them.
test_pull_killed_midway_is_tidied_by_the_next() {
	local pid busy kept
	hostile slow-layers
	"$HULL" --root "$WORK/store" --runroot "$ROOT" pull -q "$REG/app:v1" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		[ -n "$(ls "$WORK/store/images/tmp" 2>/dev/null)" ] && break
		sleep 0.1
	done
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || : # killed: 137
	[ -n "$(ls "$WORK/store/images/tmp")" ] || fatal "the pull was not killed midway: nothing in tmp/"
	assert_eq "$(hull images -q)" "" "an image from a killed pull"
	hostile concurrent
	tpull -q "$REG/app:v1" >/dev/null || fatal "the next pull failed"
	assert_contains "$(hull images)" "$REG/app"
	assert_eq "$(ls "$WORK/store/images/tmp")" "" "what the killed pull left in tmp/"
	# but not while another pull is at work: its partial download stays
	hull rmi "$REG/app:v1" >/dev/null
	hostile slow-layers
	"$HULL" --root "$WORK/store" --runroot "$ROOT" pull -q "$REG/app:v1" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		[ -n "$(ls "$WORK/store/images/tmp" 2>/dev/null)" ] && break
		sleep 0.1
	done
	busy=$(ls "$WORK/store/images/tmp")
	[ -n "$busy" ] || fatal "the slow pull wrote nothing to tmp/"
	hostile concurrent
	tpull -q "$REG/app:v1" >/dev/null || fatal "the pull beside the slow one failed"
	# the slow pull finishes its small layers meanwhile (their files leave tmp/ by rename);
	# its big one (1 MiB at 16 KiB/s) is still coming: its file stays
	kept=$(cd "$WORK/store/images/tmp" && ls $busy 2>/dev/null) || :
	[ -n "$kept" ] || fatal "the running pull's downloads were removed: $busy"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || : # killed: 137
	hull rmi "$REG/app:v1" >/dev/null
	nothing_pulled
}
