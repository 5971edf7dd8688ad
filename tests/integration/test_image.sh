#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# hull's image side: load/import/save, the store, layer unpacking, rootfs, config conversion.
# Every test has its own store under $WORK/store.

HULL_BIN=${HULL:-$REPO/build/hull}
IMGBUNDLE=$REPO/build/tests/imgbundle
# keyed by the builder's content: worktrees with different builders share the machine
IMGDATA=/var/tmp/hull-test-cache/images-$(sha256sum "$REPO/tests/data/mkimage.py" | cut -c1-16)

H() { "$HULL_BIN" --root "$WORK/store" "$@"; }

# The test images (tests/data/mkimage.py), built once for each version of the builder.
# Their hostile-* images point at a folder that is never made: test_image_hostile_layers
# builds its own, aimed at a folder of the test's.
images() {
	mkdir -p "$(dirname "$IMGDATA")"
	if [ ! -f "$IMGDATA/busybox.docker.tar" ]; then
		local tmp
		tmp=$(mktemp -d "$IMGDATA.XXXXXX")
		python3 "$REPO/tests/data/mkimage.py" "$tmp" /nonexistent/hull-test-outside >/dev/null
		rm -rf "$IMGDATA"
		mv "$tmp" "$IMGDATA"
	fi
}

layer_dir() { # layer_dir IMAGE INDEX(0 = bottom)
	local lower
	lower=$(H image inspect "$1" | jq -r '.[0].GraphDriver.Data.LowerDir')
	tr ':' '\n' <<<"$lower" | tac | sed -n "$(($2 + 1))p"
}

test_image_load_formats() {
	images
	assert_eq "$(H load -i "$IMGDATA/busybox.docker.tar")" "Loaded image: hulltest/busybox:docker"
	assert_eq "$(H load -i "$IMGDATA/busybox.oci.tar")" "Loaded image: hulltest/busybox:oci"
	assert_eq "$(H load -i "$IMGDATA/busybox.oci")" "Loaded image: hulltest/busybox:layout"
	# standard input, and the image command group
	out=$(H image load <"$IMGDATA/busybox.oci.tar")
	assert_eq "$out" "Loaded image: hulltest/busybox:oci"
	out=$(H images)
	assert_contains "$out" "REPOSITORY"
	assert_contains "$out" "IMAGE ID"
	for tag in docker oci layout; do
		grep -Eq "^hulltest/busybox +$tag +[0-9a-f]{12} +2 years ago +2\.[0-9]+MB" <<<"$out" ||
			fatal "no row for tag $tag in: $out"
	done
	# one image (one config), three names
	assert_eq "$(H images -q | wc -l)" 1
	assert_eq "$(H images --format json | jq -r .Tag | sort | tr '\n' ' ')" "docker layout oci "
	assert_eq "$(H images hulltest/busybox:oci | tail -n +2 | wc -l)" 1
	id=$(H images -q)
	assert_eq "$(H image inspect "$id" | jq -r '.[0].RepoTags | length')" 3
	assert_eq "$(H image inspect hulltest/busybox:docker | jq -r '.[0].Config.Env[1]')" "FOO=bar"
	assert_eq "$(H image inspect hulltest/busybox:docker | jq -r '.[0].RootFS.Layers | length')" 3
	# piped: no progress on stderr
	H load -i "$IMGDATA/busybox.oci.tar" >/dev/null 2>"$WORK/err"
	assert_eq "$(cat "$WORK/err")" ""
	assert_fails H image inspect nosuch
	assert_contains "$OUT" "No such image: nosuch"
}

test_image_layers_unpacked() {
	images
	H load -i "$IMGDATA/busybox.docker.tar" >/dev/null
	l1=$(layer_dir hulltest/busybox:docker 0)
	l2=$(layer_dir hulltest/busybox:docker 1)
	l3=$(layer_dir hulltest/busybox:docker 2)
	[ -d "$l1" ] && [ -d "$l2" ] && [ -d "$l3" ] || fatal "layer dirs missing: $l1 $l2 $l3"
	# whiteout: a 0/0 character device; opaque directory: the overlay xattr
	assert_eq "$(stat -c '%F %t:%T' "$l2/etc/removed")" "character special file 0:0"
	assert_eq "$(python3 -c "import os; print(os.getxattr('$l2/opt/old', 'trusted.overlay.opaque'))")" "b'y'"
	[ ! -e "$l2/opt/old/.wh..wh..opq" ] || fatal "opaque marker file left in the layer"
	[ ! -e "$l2/etc/.wh.removed" ] || fatal "whiteout marker file left in the layer"
	# hard links, device nodes, owners, modes, xattrs, mtimes, symlinks
	assert_eq "$(stat -c %i "$l1/opt/keep")" "$(stat -c %i "$l1/opt/keep-link")"
	assert_eq "$(stat -c '%F %t:%T %a' "$l1/dev/hulltest")" "character special file 1:3 666"
	assert_eq "$(stat -c '%u:%g %a' "$l2/home/app/secret")" "1000:1000 640"
	assert_eq "$(python3 -c "import os; print(os.getxattr('$l2/home/app/secret', 'user.hulltest'))")" "b'yes'"
	assert_eq "$(stat -c %Y "$l1/etc/passwd")" 1700000000
	assert_eq "$(stat -c %a "$l1/tmp")" 1777
	assert_eq "$(readlink "$l1/bin/sh")" busybox
	# gzip and zstd layers (layer 2 and 3 of the docker-archive) came out the same as plain tar
	assert_eq "$(cat "$l3/etc/motd")" "layer 3"
}

test_image_rmi_gc() {
	images
	H load -i "$IMGDATA/busybox.docker.tar" >/dev/null
	H load -i "$IMGDATA/busybox.oci.tar" >/dev/null
	H import "$IMGDATA/rootfs.tar.gz" other:1 >/dev/null
	id=$(H images -q hulltest/busybox)
	assert_fails H rmi "$id"
	assert_contains "$OUT" "must be forced"
	assert_eq "$(H rmi hulltest/busybox:oci)" "Untagged: hulltest/busybox:oci"
	assert_eq "$(H images -q | wc -l)" 2
	out=$(H rmi -f "$id")
	assert_contains "$out" "Untagged: hulltest/busybox:docker"
	assert_contains "$out" "Deleted: sha256:$id"
	assert_fails H rmi hulltest/busybox:docker
	assert_contains "$OUT" "No such image"
	set +e
	H rmi nosuch >/dev/null 2>&1
	rc=$?
	set -e
	assert_eq "$rc" 125 "exit status of a failed rmi"
	# only the imported image's blobs (layer, config, manifest) and its one layer remain
	assert_eq "$(ls "$WORK/store/images/blobs/sha256" | wc -l)" 3
	assert_eq "$(ls -d "$WORK/store/images/layers"/*/ | wc -l)" 1
	H rmi other:1 >/dev/null
	assert_eq "$(ls "$WORK/store/images/blobs/sha256" "$WORK/store/images/layers" "$WORK/store/images/tmp")" \
		"$(printf '%s:\n\n%s:\n\n%s:' "$WORK/store/images/blobs/sha256" "$WORK/store/images/layers" "$WORK/store/images/tmp")"
	assert_eq "$(jq '.images | length' "$WORK/store/images/index.json")" 0
}

test_image_concurrent_loads() {
	images
	local pids=() i
	# two images and the same layers from four processes at once, plus an rmi racing them
	H load -i "$IMGDATA/busybox.docker.tar" >"$WORK/l0" 2>&1 &
	pids+=($!)
	H load -i "$IMGDATA/busybox.oci.tar" >"$WORK/l1" 2>&1 &
	pids+=($!)
	H import "$IMGDATA/rootfs.tar.gz" imported:1 >"$WORK/l2" 2>&1 &
	pids+=($!)
	H load -i "$IMGDATA/busybox.oci" >"$WORK/l3" 2>&1 &
	pids+=($!)
	for i in 0 1 2 3; do
		wait "${pids[$i]}" || fatal "load $i failed: $(cat "$WORK/l$i")"
	done
	assert_eq "$(H images --format json | jq -r '.Repository + ":" + .Tag' | sort | tr '\n' ' ')" \
		"hulltest/busybox:docker hulltest/busybox:layout hulltest/busybox:oci imported:1 "
	jq -e . "$WORK/store/images/index.json" >/dev/null || fatal "index.json is not valid JSON"
	assert_eq "$(ls "$WORK/store/images/tmp")" ""
	# every stored blob still matches its name
	for f in "$WORK/store/images/blobs/sha256"/*; do
		assert_eq "$(sha256sum <"$f" | cut -d' ' -f1)" "$(basename "$f")" "blob content"
	done
	# the layers are whole: the merged view of each image is right
	assert_eq "$(cat "$(layer_dir hulltest/busybox:oci 2)/etc/motd")" "layer 3"
	H rmi imported:1 >/dev/null &
	p=$!
	H load -i "$IMGDATA/busybox.docker.tar" >/dev/null || fatal "load racing rmi failed"
	wait $p || fatal "rmi racing a load failed"
	assert_eq "$(H images -q | wc -l)" 1
	assert_eq "$(ls -d "$WORK/store/images/layers"/*/ | wc -l)" 3
}

test_image_digest_mismatch() {
	images
	assert_fails H load -i "$IMGDATA/corrupt.oci.tar"
	assert_contains "$OUT" "digest mismatch"
	assert_fails H load -i "$IMGDATA/badiff.docker.tar"
	assert_contains "$OUT" "diff_id"
	# an OCI layout whose blob was changed after it was named
	cp -a "$IMGDATA/busybox.oci" "$WORK/layout"
	blob=$(jq -r '.manifests[0].digest' "$WORK/layout/index.json")
	m="$WORK/layout/blobs/sha256/${blob#sha256:}"
	cfg=$(jq -r .config.digest "$m")
	echo '{}' >"$WORK/layout/blobs/sha256/${cfg#sha256:}"
	assert_fails H load -i "$WORK/layout"
	assert_contains "$OUT" "digest mismatch"
	assert_eq "$(H images -q)" ""
	assert_eq "$(ls "$WORK/store/images/tmp")" "" "temporary files left"
	assert_eq "$(ls "$WORK/store/images/layers")" "" "partial layers left"
}

# docker and podman load a layer whose stream ends right after its last file's data, without
# the padding and the end-of-archive blocks (umoci 0.4.7's insert writes such layers); a
# stream cut inside a file's data stays an error
test_image_layer_without_end_blocks() {
	local l
	images
	assert_eq "$(H load -i "$IMGDATA/notail.oci.tar")" "Loaded image: hulltest/notail:latest"
	l=$(layer_dir hulltest/notail:latest 1)
	assert_eq "$(stat -c %s "$l/inserted/last")" 1000
	python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); sys.exit(d != bytes((i * 7) % 251 for i in range(1000)))' "$l/inserted/last" ||
		fatal "the last file's data differs"
	assert_fails H load -i "$IMGDATA/cutdata.oci.tar"
	assert_contains "$OUT" "inserted/last"
	assert_eq "$(H images -q hulltest/cutdata:latest)" ""
}

# Hostile layers, built for this test: what they aim at is a folder of its own ($WORK/outside,
# removed with $WORK), so an escape fails this run only, not every later one.
test_image_hostile_layers() {
	local before name IMGDATA=$WORK/img OUTSIDE=$WORK/outside
	mkdir -p "$OUTSIDE"
	python3 "$REPO/tests/data/mkimage.py" "$IMGDATA" "$OUTSIDE" >/dev/null
	before=$(sha256sum /etc/passwd)
	for name in dotdot abs symlink hardlink hardlink-dotdot hardlink-symlink; do
		assert_fails H load -i "$IMGDATA/hostile-$name.docker.tar"
		assert_contains "$OUT" "layer entry"
		assert_contains "$OUT" "refused"
	done
	assert_fails H load -i "$IMGDATA/hostile-dotdot.docker.tar"
	assert_contains "$OUT" '`a/../../dotdot-escape`'
	assert_fails H load -i "$IMGDATA/hostile-symlink.docker.tar"
	assert_contains "$OUT" '`evil/symlink-escape`'
	assert_fails H load -i "$IMGDATA/hostile-hardlink.docker.tar"
	assert_contains "$OUT" '`/etc/passwd`'
	assert_eq "$(ls -A "$OUTSIDE")" "" "files written outside the layer"
	# the dot-dot escape aims above the layer's folder in the store, under $WORK
	[ -z "$(find "$WORK" -name '*-escape')" ] || fatal "escape files written: $(find "$WORK" -name '*-escape')"
	assert_eq "$(sha256sum /etc/passwd)" "$before"
	assert_eq "$(ls "$WORK/store/images/layers")" "" "partial layers left"
	assert_eq "$(ls "$WORK/store/images/tmp")" ""
	assert_eq "$(H images -q)" ""
	# overlayfs's own xattrs in a layer would hide lower layers: they are dropped
	H load -i "$IMGDATA/hostile-overlay-xattr.docker.tar" >/dev/null
	l=$(layer_dir hostile/overlay-xattr 0)
	assert_eq "$(python3 -c "import os; print([x for x in os.listxattr('$l/x') if x.startswith('trusted.overlay')])")" "[]"
}

# overlay or copy: the merged view, a container of hull-oci on it, what rmi does meanwhile
rootfs_check() {
	local mode=$1 r id
	images
	H load -i "$IMGDATA/busybox.oci.tar" >/dev/null
	mkdir -p "$WORK/b"
	defer "$IMGBUNDLE" --remove "$WORK/store" c1
	r=$("$IMGBUNDLE" "$WORK/store" hulltest/busybox:oci c1 "$WORK/b" "$mode")
	if [ "$mode" = overlay ]; then
		assert_eq "$(findmnt -n -o FSTYPE "$r")" overlay
	else
		[ -z "$(findmnt -n "$r")" ] || fatal "copy rootfs is a mount"
	fi
	[ ! -e "$r/etc/removed" ] || fatal "whiteout not applied"
	assert_eq "$(ls "$r/opt/old")" "c" "opaque directory"
	assert_eq "$(cat "$r/etc/motd")" "layer 3"
	assert_eq "$(cat "$r/opt/keep")" "keep"
	# the converted config: Entrypoint + Cmd, user app:staff, WorkingDir, Env, annotations
	assert_eq "$(jq -c .process.args "$WORK/b/config.json")" '["/bin/sh","-c","cat /etc/motd"]'
	assert_eq "$(jq -r '.annotations["org.opencontainers.image.stopSignal"]' "$WORK/b/config.json")" SIGQUIT
	assert_eq "$(jq -r '.annotations["org.example.test"]' "$WORK/b/config.json")" yes
	id=$(cid run)
	assert_eq "$(oci run --bundle "$WORK/b" "$id")" "layer 3"
	oci delete "$id" 2>/dev/null || true
	cfg "$WORK/b" '.process.args = ["sh", "-c", "id; pwd; echo $FOO; echo new > /home/app/new; ls /data"]'
	out=$(oci run --bundle "$WORK/b" "$id")
	assert_contains "$out" "uid=1000(app) gid=50(staff)"
	assert_contains "$out" $'/opt\nbar'
	oci delete "$id" 2>/dev/null || true
	# the container's writes stay in its own upper dir (or copy), never in a shared layer
	assert_eq "$(cat "$r/home/app/new")" new
	for l in "$WORK/store/images/layers"/*/; do
		[ ! -e "$l/home/app/new" ] || fatal "container write reached layer $l"
	done
	# an image in use: rmi needs -f, and even then its layers stay until the container goes
	assert_fails H rmi hulltest/busybox:oci
	assert_contains "$OUT" "container is using"
	H rmi -f hulltest/busybox:oci >/dev/null
	assert_eq "$(ls -d "$WORK/store/images/layers"/*/ | wc -l)" 3
	"$IMGBUNDLE" --remove "$WORK/store" c1
	[ ! -e "$WORK/store/containers/c1" ] || fatal "container dir left"
	H load -i "$IMGDATA/busybox.docker.tar" >/dev/null
	H rmi hulltest/busybox:docker >/dev/null
	assert_eq "$(ls "$WORK/store/images/layers")" "" "layers of removed images left"
}

test_image_overlay_rootfs() { rootfs_check overlay; }
test_image_copy_rootfs() { rootfs_check copy; }

test_image_import_save_roundtrip() {
	images
	id=$(H import "$IMGDATA/rootfs.tar.gz" myroot:v1)
	[[ $id == sha256:* ]] || fatal "import printed $id"
	assert_eq "$(H image inspect myroot:v1 | jq -r '.[0].Id')" "$id"
	H load -i "$IMGDATA/busybox.docker.tar" >/dev/null
	H save -o "$WORK/both.tar" myroot:v1 hulltest/busybox:docker
	tar tf "$WORK/both.tar" >"$WORK/list"
	for f in manifest.json repositories index.json oci-layout; do
		grep -qx "$f" "$WORK/list" || fatal "$f missing from the docker-archive"
	done
	H save --format oci-archive -o "$WORK/oci.tar" myroot:v1
	! tar tf "$WORK/oci.tar" | grep -qx manifest.json || fatal "manifest.json in an oci-archive"
	H save myroot:v1 >"$WORK/stdout.tar"
	cmp -s "$WORK/stdout.tar" "$WORK/oci.tar" && fatal "docker-archive and oci-archive identical"
	H rmi myroot:v1 hulltest/busybox:docker >/dev/null
	out=$(H load -i "$WORK/both.tar")
	assert_contains "$out" "Loaded image: myroot:v1"
	assert_contains "$out" "Loaded image: hulltest/busybox:docker"
	assert_eq "$(H image inspect myroot:v1 | jq -r '.[0].Id')" "$id"
	H rmi myroot:v1 >/dev/null
	assert_eq "$(H load -i "$WORK/oci.tar")" "Loaded image: myroot:v1"
	assert_eq "$(H image inspect myroot:v1 | jq -r '.[0].Id')" "$id"
	# the imported rootfs is whole
	l=$(layer_dir myroot:v1 0)
	[ -x "$l/bin/busybox" ] || fatal "imported layer lacks bin/busybox"
	assert_fails H save -o "$WORK/x.tar" nosuch
	assert_contains "$OUT" "No such image"
	[ ! -e "$WORK/x.tar" ] || fatal "a failed save left its file"
}

# hull's layer writer against GNU tar on the same tarball (GNU format: sparse files, long
# names, xattrs, setuid, owners, read-only directories): the same tree, metadata and content
test_image_unpack_like_tar() {
	local src="$WORK/src" l
	mkdir -p "$src/ro/sub" "$src/bin" "$src/$(printf 'n%.0s' {1..120})/$(printf 'm%.0s' {1..120})"
	echo deep >"$src/$(printf 'n%.0s' {1..120})/$(printf 'm%.0s' {1..120})/f"
	truncate -s 64M "$src/sparse"
	printf 'middle' | dd of="$src/sparse" bs=1 seek=$((32 << 20)) conv=notrunc status=none
	printf 'end' | dd of="$src/sparse" bs=1 seek=$(((64 << 20) - 3)) conv=notrunc status=none
	head -c 3000000 /dev/urandom >"$src/bin/big"
	echo x >"$src/bin/suid" && chmod 4755 "$src/bin/suid" && chown 1000:1000 "$src/bin/suid"
	ln "$src/bin/suid" "$src/bin/suid-link"
	ln -s ../bin/big "$src/ro/sym"
	mkfifo "$src/ro/fifo"
	python3 -c "import os; os.setxattr('$src/bin/big', 'user.hull', b'yes')"
	echo f >"$src/ro/sub/f" && chmod 555 "$src/ro" && touch -d @1000000000 "$src/ro"
	tar --sparse --xattrs --numeric-owner -C "$src" -cf "$WORK/layer.tar" .
	H import -q "$WORK/layer.tar" like:tar >/dev/null
	l=$(layer_dir like:tar 0)
	mkdir "$WORK/bytar"
	tar --xattrs --xattrs-include='*' -xpf "$WORK/layer.tar" -C "$WORK/bytar"
	meta() { (cd "$1" && find . -printf '%p %y %m %U:%G %s %T@ %n %l\n' | sort); }
	assert_eq "$(meta "$l")" "$(meta "$WORK/bytar")" "metadata differs from tar -x"
	sums() { (cd "$1" && find . -type f -exec sha256sum {} + | sort); }
	assert_eq "$(sums "$l")" "$(sums "$WORK/bytar")" "content differs from tar -x"
	assert_eq "$(python3 -c "import os; print(os.getxattr('$l/bin/big', 'user.hull'))")" "b'yes'"
	# holes stay holes
	[ "$(stat -c %b "$l/sparse")" -lt 1024 ] || fatal "sparse file written out: $(stat -c %b "$l/sparse") blocks"
	chmod -R u+w "$WORK/bytar" "$src"
}

test_image_cli() {
	local c
	for c in images load import save rmi image version; do
		H "$c" --help | grep -q "^Usage: hull" || fatal "hull $c --help"
	done
	H image inspect --help | grep -q "^Usage: hull image inspect" || fatal "inspect --help"
	assert_contains "$(H version)" "hull version"
	set +e
	H nosuch >/dev/null 2>&1
	assert_eq "$?" 125 "unknown command"
	H images --bogus >/dev/null 2>&1
	assert_eq "$?" 125 "unknown flag"
	H load -i /nonexistent >/dev/null 2>"$WORK/err"
	assert_eq "$?" 125 "missing input"
	set -e
	assert_contains "$(cat "$WORK/err")" "/nonexistent"
	assert_fails H import "$WORK/nothing" "Bad:Name"
	assert_contains "$OUT" "Bad"
	# docker's tabwriter: columns at least 10 wide, 3 spaces of padding
	assert_eq "$(H images)" "REPOSITORY   TAG       IMAGE ID   CREATED   SIZE"
}

# hull tag: a name moves to the image it is given to; hull history: the config's steps with
# the manifest's layers, newest first
test_image_tag_and_history() {
	local id out
	images
	H load -q -i "$IMGDATA/busybox.docker.tar" >/dev/null
	H import -q "$IMGDATA/rootfs.tar.gz" other:1 >/dev/null
	id=$(H images -q --no-trunc hulltest/busybox:docker)
	id=${id#sha256:}
	H tag hulltest/busybox:docker mine/box:1
	H tag "$id" mine/box:2
	assert_eq "$(H images -q mine/box:1) $(H images -q mine/box:2)" "${id:0:12} ${id:0:12}" "tagged by name and by id"
	H tag other:1 mine/box:1
	assert_eq "$(H images -q mine/box:1)" "$(H images -q other:1)" "the name moved to the other image"
	assert_eq "$(H image inspect -f '{{len .RepoTags}}' "$id")" 2 "the first image kept its other names"
	assert_fails H tag nosuch:1 x:1
	assert_contains "$OUT" "nosuch"
	assert_fails H tag other:1 'Bad Name'
	assert_contains "$OUT" "Bad Name"
	assert_fails H tag other:1 x@sha256:0000000000000000000000000000000000000000000000000000000000000000
	assert_contains "$OUT" "digest"
	# history: the image's id on the newest step, its layer's size
	out=$(H history --format '{{.ID}}|{{.CreatedBy}}|{{.Size}}' hulltest/busybox:docker)
	assert_eq "$(head -1 <<<"$out" | cut -d'|' -f1,2)" "${id:0:12}|mkimage.py"
	[[ $(head -1 <<<"$out" | cut -d'|' -f3) =~ [0-9.]+[kM]B$ ]] || fatal "history size: $out"
	assert_eq "$(H history -q --no-trunc hulltest/busybox:docker | head -1)" "sha256:$id"
	assert_eq "$(H history --human=false --format '{{.Size}}' hulltest/busybox:docker | head -1)" \
		"$(H image inspect -f '{{.Manifest}}' hulltest/busybox:docker >/dev/null; jq -r '.layers[0].size' "$WORK/store/images/blobs/sha256/$(H image inspect -f '{{.Manifest}}' hulltest/busybox:docker | cut -d: -f2)")"
	assert_contains "$(H history hulltest/busybox:docker | head -1)" "CREATED BY"
	assert_fails H history nosuch
	assert_contains "$OUT" "No such image: nosuch"
}

# oci_layout_edit DIR PYTHON: run PYTHON on the OCI layout DIR with `index` (index.json as a
# dict), `manifest` (its first manifest) and `put(obj)` (writes a blob, returns its
# descriptor fields); index.json is written back, the manifest too (renamed by its digest)
oci_layout_edit() {
	python3 - "$1" "$2" <<'PY'
import hashlib, json, os, sys
d, code = sys.argv[1], sys.argv[2]
index = json.load(open(os.path.join(d, "index.json")))
def blob(digest): return open(os.path.join(d, "blobs/sha256", digest[7:]), "rb").read()
def put(obj):
    data = json.dumps(obj).encode() if not isinstance(obj, bytes) else obj
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    open(os.path.join(d, "blobs/sha256", digest[7:]), "wb").write(data)
    return digest, len(data)
manifest = json.loads(blob(index["manifests"][0]["digest"]))
before = json.dumps(manifest)
exec(code)
if json.dumps(manifest) != before:
    index["manifests"][0]["digest"], index["manifests"][0]["size"] = put(manifest)
open(os.path.join(d, "index.json"), "w").write(json.dumps(index).replace('"@RAW@"', index.get("raw", "")))
PY
}

test_image_load_checks_descriptor_sizes() {
	local v
	images
	# sizes must be integers from 0 to 2^63-1: the index's, and the manifest's
	for v in -1 1.5 1e400 9223372036854775808 '"12"'; do
		rm -rf "$WORK/layout" && cp -a "$IMGDATA/busybox.oci" "$WORK/layout"
		oci_layout_edit "$WORK/layout" "index['manifests'][0]['size'] = '@RAW@'; index['raw'] = '$v'"
		assert_fails H load -i "$WORK/layout"
		assert_contains "$OUT" "index.json: image index: \`manifests[0].size\` must be an integer from 0 to 2^63-1"
	done
	assert_contains "$OUT" "not \`(not a number)\`"
	rm -rf "$WORK/layout" && cp -a "$IMGDATA/busybox.oci" "$WORK/layout"
	oci_layout_edit "$WORK/layout" "manifest['layers'][1]['size'] = -5"
	assert_fails H load -i "$WORK/layout"
	assert_contains "$OUT" "manifest: \`layers[1].size\` must be an integer from 0 to 2^63-1, not \`-5\`"
	# a size that parses but is not the blob's
	rm -rf "$WORK/layout" && cp -a "$IMGDATA/busybox.oci" "$WORK/layout"
	oci_layout_edit "$WORK/layout" "manifest['layers'][0]['size'] += 1"
	assert_fails H load -i "$WORK/layout"
	assert_contains "$OUT" "bytes, but its descriptor says"
	rm -rf "$WORK/layout" && cp -a "$IMGDATA/busybox.oci" "$WORK/layout"
	oci_layout_edit "$WORK/layout" "index['manifests'][0]['size'] -= 1"
	assert_fails H load -i "$WORK/layout"
	assert_contains "$OUT" "bytes, but its descriptor says"
	assert_eq "$(H images -q)" ""
}

test_image_load_refuses_empty_or_odd_indexes() {
	mkdir -p "$WORK/odd/blobs/sha256"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$WORK/odd/oci-layout"
	echo '{"schemaVersion":1e400,"manifests":[]}' >"$WORK/odd/index.json"
	assert_fails H load -i "$WORK/odd"
	assert_contains "$OUT" "\`schemaVersion\` must be 2, not \`1e400\`"
	echo '{"schemaVersion":2,"manifests":[]}' >"$WORK/odd/index.json"
	assert_fails H load -i "$WORK/odd"
	assert_contains "$OUT" "image index: no manifests"
	echo '{"schemaVersion":2}' >"$WORK/odd/index.json"
	assert_fails H load -i "$WORK/odd"
	assert_contains "$OUT" "image index: no manifests"
	# the same as an oci-archive
	echo '{"schemaVersion":2.0,"manifests":[]}' >"$WORK/odd/index.json"
	tar -C "$WORK/odd" -cf "$WORK/odd.tar" oci-layout index.json
	assert_fails H load -i "$WORK/odd.tar"
	assert_contains "$OUT" "\`schemaVersion\` must be 2, not \`2.0\`"
	# a docker-archive listing no image
	echo '[]' >"$WORK/odd/manifest.json"
	tar -C "$WORK/odd" -cf "$WORK/odd.tar" manifest.json
	assert_fails H load -i "$WORK/odd.tar"
	assert_contains "$OUT" "manifest.json: no images in it"
}

test_image_errors_quote_hostile_names_bounded() {
	local long
	long=$(printf 'a%.0s' $(seq 40000))
	mkdir -p "$WORK/arch"
	# a docker-archive whose manifest.json names a 40,000-character layer
	printf '[{"Config":"c.json","RepoTags":[],"Layers":["%s"]}]' "$long" >"$WORK/arch/manifest.json"
	echo '{}' >"$WORK/arch/c.json"
	tar -C "$WORK/arch" -cf "$WORK/long.tar" manifest.json c.json
	assert_fails H load -i "$WORK/long.tar"
	assert_contains "$OUT" "manifest.json: Layers[0] is longer than 4096 bytes: \`aaaa"
	assert_contains "$OUT" "aaa...\`"
	[ ${#OUT} -lt 600 ] || fatal "a ${#OUT}-character error"
	# 4,000 characters: a path, but not in the archive
	printf '[{"Config":"c.json","RepoTags":[],"Layers":["%s"]}]' "${long:0:4000}" >"$WORK/arch/manifest.json"
	tar -C "$WORK/arch" -cf "$WORK/long.tar" manifest.json c.json
	assert_fails H load -i "$WORK/long.tar"
	assert_contains "$OUT" "is not in the archive"
	[ ${#OUT} -lt 600 ] || fatal "a ${#OUT}-character error"
	# a layer entry with a long hostile name
	python3 - "$WORK/arch" "$long" <<'PY'
import hashlib, io, json, os, sys, tarfile
d, long = sys.argv[1], sys.argv[2]
def tar(entries):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for name, data in entries:
            t = tarfile.TarInfo(name); t.size = len(data); tf.addfile(t, io.BytesIO(data))
    return b.getvalue()
layer = tar([("a/../" + long, b"x")])
cfg = json.dumps({"rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]}}).encode()
with tarfile.open(os.path.join(d, "entry.tar"), "w") as tf:
    for name, data in [("l.tar", layer), ("c.json", cfg),
                       ("manifest.json", json.dumps([{"Config": "c.json", "Layers": ["l.tar"]}]).encode())]:
        t = tarfile.TarInfo(name); t.size = len(data); tf.addfile(t, io.BytesIO(data))
PY
	assert_fails H load -i "$WORK/arch/entry.tar"
	assert_contains "$OUT" "\`..\` in a layer path"
	assert_contains "$OUT" "aaa...\`"
	[ ${#OUT} -lt 600 ] || fatal "a ${#OUT}-character error"
}
