# SPDX-License-Identifier: Apache-2.0
# hull build (Dockerfiles) and hull commit: images made from the test busybox image
# (tests/data/mkimage.py), run with hull, and loaded by podman where it is installed.

# keyed by the builder's content (worktrees with different builders share the machine), and
# apart from test_image.sh's: these images' symlinks point at OUTSIDE below, theirs elsewhere
IMGDATA=/var/tmp/hull-test-cache/build-images-$(sha256sum "$REPO/tests/data/mkimage.py" | cut -c1-16)
BASE=hulltest/busybox:docker

# The store with the busybox image loaded (mkimage.py's, built once per machine).
setup_store() {
	defer hull_store_cleanup "$HULL" "$WORK/store" "$ROOT" "$T-b"
	if [ ! -f "$IMGDATA/busybox.docker.tar" ]; then
		local tmp
		mkdir -p "$(dirname "$IMGDATA")"
		tmp=$(mktemp -d "$IMGDATA.XXXXXX")
		python3 "$REPO/tests/data/mkimage.py" "$tmp" /var/tmp/hull-test-cache/outside >/dev/null
		rm -rf "$IMGDATA"
		mv "$tmp" "$IMGDATA"
	fi
	hull load -q -i "$IMGDATA/busybox.docker.tar" >/dev/null
}

# build ARGS...: hull build with this test's cgroup parent (so leaks are seen).
build() { hull build --cgroup-parent "/hull-test/$T-b" "$@"; }
run() { hull run --rm --cgroup-parent "/hull-test/$T-b" "$@"; }
keep() { hull run --cgroup-parent "/hull-test/$T-b" "$@"; }

# Nothing of the build's steps is left: no working directory, container, record or mount.
no_leftovers() {
	assert_eq "$(ls "$WORK/store/containers" 2>/dev/null | grep -c .)" 0 "containers left by the build"
	assert_eq "$(grep -c "$WORK/store" /proc/self/mountinfo)" 0 "mounts left by the build"
}

# A context with files, a subdirectory, ignored files and an exception.
make_context() {
	mkdir -p "$WORK/ctx/sub/deep" "$WORK/ctx/logs"
	echo "hello from the context" >"$WORK/ctx/hello.txt"
	echo "deep" >"$WORK/ctx/sub/deep/file"
	echo "ignored" >"$WORK/ctx/sub/skip.log"
	echo "kept" >"$WORK/ctx/logs/keep.log"
	echo "ignored" >"$WORK/ctx/logs/other.log"
	chmod 0750 "$WORK/ctx/sub/deep"
	printf '# comment\n**/*.log\n!logs/keep.log\nsecret\n' >"$WORK/ctx/.dockerignore"
	echo "secret" >"$WORK/ctx/secret"
}

test_build_steps_and_image() {
	local out id
	setup_store
	make_context
	cat >"$WORK/ctx/Dockerfile" <<'EOF'
# syntax=docker/dockerfile:1
ARG BASE_IMAGE=hulltest/busybox:docker
FROM ${BASE_IMAGE}
ARG WHO=nobody
ARG UNSET
USER root
ENV GREETING="hello there" \
    PATH_EXTRA=/opt/bin
# a comment between instructions
COPY hello.txt /app/
COPY sub /app/sub/
COPY logs /app/logs
WORKDIR /app
WORKDIR rel
RUN echo "$GREETING, $WHO${UNSET:-!}" > /app/greeting && \
    pwd > /app/pwd
RUN ["/bin/sh", "-c", "id -u > /app/uid"]
SHELL ["/bin/sh", "-e", "-c"]
RUN case $- in *e*) echo "shell: $0 errexit";; esac > /app/shell
EXPOSE 8080 53/udp
LABEL org.example.built=yes "org.example.two"="a b"
VOLUME /data2
STOPSIGNAL SIGUSR1
HEALTHCHECK --interval=30s --retries=3 CMD cat /app/greeting
ONBUILD RUN echo triggered
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /app/greeting"]
EOF
	out=$(build -t built:one -t built:two --build-arg WHO=world --label org.example.label=x "$WORK/ctx")
	assert_contains "$out" "Step 1/23 : ARG BASE_IMAGE=hulltest/busybox:docker"
	assert_contains "$out" "Step 12/23 : RUN echo \"\$GREETING, \$WHO\${UNSET:-!}\" > /app/greeting &&     pwd > /app/pwd"
	grep -Eq '^ ---> Running in [0-9a-f]{12}$' <<<"$out" || fatal "no 'Running in' line: $out"
	grep -Eq '^Removing intermediate container [0-9a-f]{12}$' <<<"$out" || fatal "no 'Removing' line: $out"
	grep -Eq '^Successfully built [0-9a-f]{12}$' <<<"$out" || fatal "no 'Successfully built': $out"
	assert_contains "$out" $'Successfully tagged built:one\nSuccessfully tagged built:two'
	id=$(sed -n 's/^Successfully built //p' <<<"$out")
	assert_eq "$(hull images -q built:one)" "$id"
	assert_eq "$(hull images -q built:two)" "$id"
	# the step images left the index: only the base and the image built are listed
	assert_eq "$(hull images -q | sort -u | wc -l)" 2 "intermediate images listed"
	# what RUN saw and made
	out=$(run built:one)
	assert_eq "$out" "hello there, world!"
	out=$(run --entrypoint /bin/sh built:one -c 'cat /app/pwd /app/uid /app/shell; cat /app/hello.txt /app/sub/deep/file; find /app/sub /app/logs | sort; ls /secret 2>&1; stat -c "%a %u:%g" /app/sub/deep; echo "$PATH_EXTRA"; pwd')
	assert_eq "$out" "/app/rel
0
shell: /bin/sh errexit
hello from the context
deep
/app/logs
/app/logs/keep.log
/app/sub
/app/sub/deep
/app/sub/deep/file
ls: /secret: No such file or directory
750 0:0
/opt/bin
/app/rel"
	# the image's settings
	# (the base image's own ExposedPorts are there too)
	out=$(hull image inspect built:one | jq -c '.[0].Config | [.User, .WorkingDir, .Entrypoint, .Cmd,
		(.ExposedPorts | keys | map(select(. == "8080/tcp" or . == "53/udp"))), .Labels, (.Volumes | keys), .StopSignal, .Healthcheck, .OnBuild, .Shell,
		(.Env | map(select(startswith("GREETING"))))]')
	assert_eq "$out" '["root","/app/rel",["/bin/sh","-c"],["cat /app/greeting"],["53/udp","8080/tcp"],{"org.example.test":"yes","org.example.built":"yes","org.example.two":"a b","org.example.label":"x"},["/data","/data2"],"SIGUSR1",{"Test":["CMD-SHELL","cat /app/greeting"],"Interval":30000000000,"Retries":3},["RUN echo triggered"],["/bin/sh","-e","-c"],["GREETING=hello there"]]'
	# history: one entry per step, RUN with the build arg it saw
	out=$(hull history --no-trunc --format '{{.CreatedBy}}' built:one)
	assert_contains "$out" '|1 WHO=world /bin/sh -c echo "$GREETING, $WHO${UNSET:-!}" > /app/greeting'
	assert_contains "$out" "/bin/sh -c #(nop)  ENV GREETING=hello there PATH_EXTRA=/opt/bin"
	# an image built FROM it runs its ONBUILD trigger first, and does not pass it on
	mkdir -p "$WORK/ctx2"
	printf 'FROM built:one\nLABEL child=1\n' >"$WORK/ctx2/Dockerfile"
	out=$(build -t child "$WORK/ctx2")
	assert_contains "$out" $'# Executing 1 build trigger\n ---> Running in'
	assert_contains "$out" $'\ntriggered\n'
	assert_eq "$(hull image inspect child | jq -c '.[0].Config.OnBuild')" null
	no_leftovers
}

test_build_cache() {
	local out first second
	setup_store
	make_context
	printf 'FROM %s\nUSER root\nCOPY hello.txt /h\nRUN cat /h > /copy\nARG X=1\nRUN echo $X > /x\nCMD ["cat /copy /x"]\n' "$BASE" >"$WORK/ctx/Dockerfile"
	first=$(build -q "$WORK/ctx")
	out=$(build "$WORK/ctx")
	assert_eq "$(grep -c '^ ---> Using cache$' <<<"$out")" 5 "cached steps of an unchanged build"
	assert_not_contains "$out" "Running in"
	assert_contains "$out" "Successfully built ${first:7:12}"
	# a file of the context changed: its COPY and every later step are made again
	echo "changed" >"$WORK/ctx/hello.txt"
	out=$(build "$WORK/ctx")
	assert_eq "$(grep -c '^ ---> Using cache$' <<<"$out")" 1 "steps after a changed COPY"
	assert_contains "$out" $'COPY hello.txt /h\n --->'
	assert_contains "$out" $'USER root\n ---> Using cache' 
	assert_eq "$(run "$(sed -n 's/^Successfully built //p' <<<"$out")")" $'changed\n1'
	# a file the .dockerignore leaves out changes nothing
	echo "other" >"$WORK/ctx/sub/skip.log"
	out=$(build "$WORK/ctx")
	assert_eq "$(grep -c '^ ---> Using cache$' <<<"$out")" 5
	# another build arg: the RUN that sees it is made again, the steps before it are not
	out=$(build --build-arg X=2 "$WORK/ctx")
	assert_eq "$(grep -c '^ ---> Using cache$' <<<"$out")" 3
	second=$(sed -n 's/^Successfully built //p' <<<"$out")
	assert_eq "$(run "$second")" $'changed\n2'
	# the cache outlives garbage collection (an rmi), and `builder prune` forgets it
	hull rmi -f "$second" >/dev/null
	out=$(build --build-arg X=2 "$WORK/ctx")
	assert_eq "$(grep -c '^ ---> Using cache$' <<<"$out")" 5 "cache after rmi"
	assert_eq "$(run "$second")" $'changed\n2'
	out=$(build --no-cache "$WORK/ctx")
	assert_not_contains "$out" "Using cache"
	out=$(hull builder prune)
	assert_contains "$out" "Deleted"
	out=$(build --build-arg X=2 "$WORK/ctx")
	assert_not_contains "$out" "Using cache"
	no_leftovers
}

test_build_multistage_target_scratch() {
	local out
	setup_store
	mkdir -p "$WORK/ctx"
	# a Containerfile (podman's name) when there is no Dockerfile
	cat >"$WORK/ctx/Containerfile" <<'EOF'
FROM hulltest/busybox:docker AS builder
USER root
RUN mkdir -p /out && echo "made in builder" > /out/artifact && chown 1000:1000 /out/artifact
FROM builder as second
RUN echo second > /out/second
FROM scratch
COPY --from=builder /out/artifact /artifact
COPY --from=1 /out/second /second
COPY --from=hulltest/busybox:docker /bin/busybox /bin/busybox
COPY --from=0 /etc/passwd /etc/group /etc/
CMD ["/bin/busybox", "sh", "-c", "/bin/busybox cat /artifact /second; /bin/busybox ls -n /artifact | /bin/busybox cut -c1-30; /bin/busybox ls /"]
EOF
	out=$(build -t multi "$WORK/ctx")
	assert_contains "$out" "Step 6/11 : FROM scratch"
	out=$(run multi)
	assert_contains "$out" $'made in builder\nsecond\n-rw-r--r--    1 1000     1000'
	# a scratch image holds only what was copied (and what the runtime mounts)
	assert_eq "$(tail -n +4 <<<"$out" | grep -v -x -e proc -e sys -e dev | tr '\n' ' ')" "artifact bin etc second "
	assert_eq "$(hull image inspect multi | jq -r '.[0].RootFS.Layers | length')" 4
	# --target: the build stops after that stage
	out=$(build -t tgt --target second "$WORK/ctx")
	assert_contains "$out" "Step 5/5 : RUN echo second > /out/second"
	assert_eq "$(run --entrypoint /bin/cat tgt /out/second /out/artifact)" $'second\nmade in builder'
	assert_fails build --target nosuch "$WORK/ctx"
	assert_contains "$OUT" 'target stage `nosuch` could not be found'
	no_leftovers
}

test_build_add_archives_and_refusals() {
	local out
	setup_store
	mkdir -p "$WORK/ctx/tree/d"
	echo "in the archive" >"$WORK/ctx/tree/d/f"
	tar -C "$WORK/ctx/tree" --owner=7 --group=8 -czf "$WORK/ctx/arch.tar.gz" .
	echo "plain" >"$WORK/ctx/plain.txt"
	echo "other" >"$WORK/ctx/other.txt"
	ln -s /etc/hostname "$WORK/ctx/host-link"
	printf 'FROM %s\nADD arch.tar.gz /unpacked\nADD plain.txt /plain/\nADD --chown=app:staff plain.txt /owned\nCOPY *.txt /wild/\nCOPY --chmod=600 plain.txt /moded\n' "$BASE" >"$WORK/ctx/Dockerfile"
	build -t added "$WORK/ctx" >/dev/null
	out=$(run --entrypoint /bin/sh added -c 'cat /unpacked/d/f /plain/plain.txt; stat -c "%u:%g" /unpacked/d/f /owned; ls /wild; stat -c %a /moded')
	assert_eq "$out" $'in the archive\nplain\n7:8\n1000:50\nother.txt\nplain.txt\n600'
	# a symlink of the context is followed inside the context only: /etc/hostname is not there
	printf 'FROM %s\nCOPY host-link /x\n' "$BASE" >"$WORK/ctx/Dockerfile"
	assert_fails build "$WORK/ctx"
	assert_contains "$OUT" '`host-link`: not found in the build context'
	# no network here: a URL is refused, saying so
	printf 'FROM %s\nADD https://example.com/x /x\n' "$BASE" >"$WORK/ctx/Dockerfile"
	assert_fails build "$WORK/ctx"
	assert_contains "$OUT" "remote sources are not supported"
	# nothing outside the context
	printf 'FROM %s\nCOPY ../../etc/passwd /x\n' "$BASE" >"$WORK/ctx/Dockerfile"
	assert_fails build "$WORK/ctx"
	assert_contains "$OUT" "forbidden path outside the build context"
	printf 'FROM %s\nCOPY nosuch /x\n' "$BASE" >"$WORK/ctx/Dockerfile"
	assert_fails build "$WORK/ctx"
	assert_contains "$OUT" '`nosuch`: not found in the build context'
	printf 'FROM %s\nFROBNICATE x\n' "$BASE" >"$WORK/ctx/Dockerfile"
	assert_fails build "$WORK/ctx"
	assert_contains "$OUT" "line 2: unknown instruction: FROBNICATE"
	printf 'FROM nosuch/image\n' >"$WORK/ctx/Dockerfile"
	assert_fails build "$WORK/ctx"
	assert_contains "$OUT" "no such image: nosuch/image"
	no_leftovers
}

test_build_run_fails_and_network_none() {
	local rc=0
	setup_store
	mkdir -p "$WORK/ctx"
	printf 'FROM %s\nRUN echo before; exit 3\n' "$BASE" >"$WORK/ctx/Dockerfile"
	OUT=$(build "$WORK/ctx" 2>&1) || rc=$?
	assert_eq "$rc" 125 "exit status of a failed build"
	assert_contains "$OUT" "before"
	assert_contains "$OUT" "The command '/bin/sh -c echo before; exit 3' returned a non-zero code: 3"
	# network none unless asked: only the loopback interface
	printf 'FROM %s\nUSER root\nRUN ls /sys/class/net > /nets\nCMD ["cat /nets"]\n' "$BASE" >"$WORK/ctx/Dockerfile"
	build -t nets "$WORK/ctx" >/dev/null
	assert_eq "$(run nets)" "lo"
	no_leftovers
}

# A build killed with SIGKILL mid-RUN leaves its step container; the next build removes it.
test_build_killed_then_swept() {
	local pid out step
	setup_store
	mkdir -p "$WORK/ctx"
	printf 'FROM %s\nENV K=1\nRUN echo started; sleep 60\n' "$BASE" >"$WORK/ctx/Dockerfile"
	"$HULL" --root "$WORK/store" --runroot "$ROOT" build --cgroup-parent "/hull-test/$T-b" \
		"$WORK/ctx" >"$WORK/out" 2>&1 &
	pid=$!
	for _ in $(seq 300); do grep -qx started "$WORK/out" && break; sleep 0.1; done
	grep -qx started "$WORK/out" || fatal "the RUN never started: $(cat "$WORK/out")"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	assert_eq "$(hull ps -aq | wc -l)" 1 "the killed build's step container"
	step=$(sed -n 's/^ ---> \([0-9a-f]\{12\}\)$/\1/p' "$WORK/out" | tail -1)
	assert_contains "$(hull images -q)" "$step" "the ENV step's image while the build runs"
	# and the working directory of a COPY killed midway: its mount, its lock no one holds
	mkdir -p "$WORK/store/containers/.build-0123456789ab/rootfs"
	mount -t tmpfs tmpfs "$WORK/store/containers/.build-0123456789ab/rootfs"
	touch "$WORK/store/containers/.build-0123456789ab.lock"
	printf 'FROM %s\nENV A=1\n' "$BASE" >"$WORK/ctx/Dockerfile"
	build -q "$WORK/ctx" >/dev/null
	assert_eq "$(hull ps -aq | wc -l)" 0 "step containers left after the next build"
	assert_eq "$(ls -A "$WORK/store/containers")" "" "working directories left after the next build"
	assert_not_contains "$(hull images -q)" "$step" "the killed build's step image"
	assert_eq "$(ls -A "$WORK/store/images/build-cache" | grep -c '^\.')" 0 "journals left"
	no_leftovers
}

test_build_isolation_vm() {
	local out
	vm_ready
	setup_store
	mkdir -p "$WORK/ctx"
	printf 'FROM %s\nUSER root\nRUN uname -r > /kernel && echo in-vm > /where\n' "$BASE" >"$WORK/ctx/Dockerfile"
	build -t invm --isolation vm "$WORK/ctx" >/dev/null
	out=$(run --entrypoint /bin/cat invm /kernel /where)
	assert_eq "$out" "$(guest_kernel_version)
in-vm" "RUN ran in the guest kernel"
	no_leftovers
}

# `hull commit`: the container's changes (new, changed and deleted files, an opaque directory)
# as a layer, docker's --change on its settings.
test_commit_changes() {
	local id out layer
	setup_store
	keep --name c1 -u root --entrypoint /bin/sh "$BASE" -c \
		'echo new > /etc/newfile; echo changed > /etc/motd; rm /etc/layer3; rm -rf /opt/old; mkdir /opt/old; echo z > /opt/old/z; mkdir -p /srv; ln -s /etc/newfile /srv/link' \
		>/dev/null 2>&1 || true
	out=$(hull ps -a --format '{{.Names}}')
	assert_eq "$out" c1
	id=$(hull commit -m "the message" -a "An Author" -c 'CMD ["cat /etc/newfile /etc/motd; ls /opt/old; ls /etc/layer3 2>&1; readlink /srv/link"]' \
		-c "ENV COMMITTED=yes" -c "EXPOSE 9000" -c "LABEL stage=commit" -c "USER app" -c "WORKDIR /srv" c1 committed:v1)
	[[ $id =~ ^sha256:[0-9a-f]{64}$ ]] || fatal "commit printed '$id', not an image ID"
	assert_eq "$(hull images -q committed:v1)" "${id:7:12}"
	out=$(run committed:v1)
	assert_eq "$out" "new
changed
z
ls: /etc/layer3: No such file or directory
/etc/newfile"
	out=$(hull image inspect committed:v1 | jq -c '.[0] | [.Author, .Config.User, .Config.WorkingDir,
		(.Config.ExposedPorts | has("9000/tcp")), .Config.Labels.stage, (.Config.Env | map(select(startswith("COMMITTED")))),
		(.RootFS.Layers | length)]')
	assert_eq "$out" '["An Author","app","/srv",true,"commit",["COMMITTED=yes"],4]'
	assert_contains "$(hull history --format '{{.Comment}}' committed:v1 | head -1)" "the message"
	# the layer: OCI whiteouts, the opaque marker, and none of the runtime's mount points
	layer=$(jq -r '.images[] | select(.names[0] == "committed:v1") | .manifest' "$WORK/store/images/index.json")
	layer=$(jq -r '.layers[-1].digest' "$WORK/store/images/blobs/sha256/${layer#sha256:}")
	out=$(tar -tzf "$WORK/store/images/blobs/sha256/${layer#sha256:}" | sort | tr '\n' ' ')
	assert_eq "$out" "etc/ etc/.wh.layer3 etc/motd etc/newfile opt/ opt/old/ opt/old/.wh..wh..opq opt/old/z srv/ srv/link "
	# no image, nothing to commit on; a change commit cannot make
	hull run --name r1 --rootfs "$(bundle rb)/rootfs" true >/dev/null
	assert_fails hull commit r1
	assert_contains "$OUT" "container r1 has no image"
	assert_fails hull commit -c "RUN true" c1
	assert_contains "$OUT" "RUN is not a change commit can make"
	assert_fails hull commit nosuch
	hull rm c1 r1 >/dev/null
	# a dangling image when no name is given
	keep --name c2 --entrypoint /bin/true "$BASE" >/dev/null
	id=$(hull commit c2)
	assert_eq "$(hull images --format '{{.Repository}}:{{.Tag}} {{.ID}}' | grep "${id:7:12}")" "<none>:<none> ${id:7:12}"
	# a directory overlayfs renamed with redirect_dir on: its contents are partly below
	keep --name c3 -u root --entrypoint /bin/mkdir "$BASE" /moved >/dev/null
	id=$(hull inspect c3 | jq -r '.[0].Id')
	python3 -c "import os, sys; os.setxattr(sys.argv[1], 'trusted.overlay.redirect', b'/opt/old')" \
		"$WORK/store/containers/$id/upper/moved"
	assert_fails hull commit c3
	assert_contains "$OUT" "overlayfs redirect_dir or metacopy is on"
}

# A running container is paused while its files are read, and runs on afterwards.
test_commit_running_container() {
	local id img
	setup_store
	id=$(hull run -d --cgroup-parent "/hull-test/$T-b" -u root --entrypoint /bin/sh "$BASE" \
		-c 'echo written > /state; while :; do sleep 0.1; done')
	for _ in $(seq 100); do [ -f "$WORK/store/containers/$id/upper/state" ] && break; sleep 0.1; done
	img=$(hull commit "$id" live)
	assert_eq "$(hull inspect "$id" | jq -r '.[0].State.Status')" running "after commit"
	assert_eq "$(run --entrypoint /bin/cat live /state)" written
	img=$(hull commit --pause=false "$id" live2)
	[[ $img =~ ^sha256: ]] || fatal "commit --pause=false: $img"
	hull rm -f "$id" >/dev/null
}

# What hull build and hull commit make, `hull save` writes and podman loads and runs.
test_build_podman_loads_images() {
	local out pm pmrr
	command -v podman >/dev/null && command -v conmon >/dev/null || skip "podman is not installed"
	setup_store
	mkdir -p "$WORK/ctx"
	echo "from the context" >"$WORK/ctx/f"
	printf 'FROM %s\nUSER root\nCOPY f /srv/f\nRUN echo ran > /srv/r && rm /etc/motd\nENV K=v\nCMD ["cat /srv/f /srv/r; ls /etc/motd 2>&1; echo $K"]\n' \
		"$BASE" >"$WORK/ctx/Dockerfile"
	build -q -t built:pm "$WORK/ctx" >/dev/null
	keep --name cm -u root --entrypoint /bin/sh built:pm -c 'echo committed > /srv/c' >/dev/null
	hull commit -c 'CMD ["cat /srv/c /srv/f"]' cm committed:pm >/dev/null
	hull rm cm >/dev/null
	hull save -o "$WORK/images.tar" built:pm committed:pm
	pm=$WORK/pm
	pmrr=/run/hull-pm-$$
	mkdir -p "$pm" "$pmrr"
	defer stop_build_podman "$pm" "$pmrr" "$T"
	podman_b() {
		podman --root "$pm/root" --runroot "$pmrr" --runtime "$HULL_OCI" --cgroup-manager cgroupfs \
			--events-backend file --storage-driver vfs "$@"
	}
	out=$(podman_b load -i "$WORK/images.tar" 2>&1)
	assert_contains "$out" "Loaded image"
	out=$(podman_b run --rm --network none --cgroup-parent "/hull-test/$T-pm" --ulimit nofile=4096:4096 \
		--ulimit nproc=4096:4096 built:pm)
	assert_eq "$out" "from the context
ran
ls: /etc/motd: No such file or directory
v"
	out=$(podman_b run --rm --network none --cgroup-parent "/hull-test/$T-pm" --ulimit nofile=4096:4096 \
		--ulimit nproc=4096:4096 committed:pm)
	assert_eq "$out" $'committed\nfrom the context'
}

stop_build_podman() {
	local pm=$1 pmrr=$2 t=$3 m d
	[[ $pm == /var/tmp/hull-test/* && $pmrr == /run/hull-pm-* ]] || return 1
	podman --root "$pm/root" --runroot "$pmrr" --storage-driver vfs rm -f -a -t 0
	for d in "$pm" "$pmrr"; do
		for m in $(awk -v d="$d" 'index($5, d "/") == 1 {print $5}' /proc/self/mountinfo | sort -r); do
			umount -l "$m"
		done
	done
	rm -rf "$pm" "$pmrr"
	for d in /sys/fs/cgroup/*/hull-test/"$t"-pm; do
		rmdir "$d/conmon" "$d"
	done
}

# COPY, ADD and WORKDIR resolve the image's symlinks inside the image: an image whose /evil
# points at a host directory (absolute, and by ..) gets the files in its own tree.
test_build_symlinks_stay_inside() {
	local outside=/var/tmp/hull-test-cache/outside out
	setup_store
	hull load -q -i "$IMGDATA/volumes.docker.tar" >/dev/null
	mkdir -p "$WORK/ctx"
	echo pwned >"$WORK/ctx/f"
	tar -C "$WORK/ctx" -cf "$WORK/ctx/a.tar" f
	printf 'FROM hulltest/volumes\nUSER root\nCOPY f /evil/copied\nCOPY f /evil-rel/copied-rel\nADD a.tar /evil/added/\nWORKDIR /evil/wd\n' >"$WORK/ctx/Dockerfile"
	build -t inside "$WORK/ctx" >/dev/null
	assert_eq "$(ls -A "$outside")" "" "files written on the host through the image's symlinks"
	out=$(run --entrypoint /bin/sh inside -c "cat $outside/copied $outside/copied-rel $outside/added/f; ls -d $outside/wd")
	assert_eq "$out" "pwned
pwned
pwned
$outside/wd"
	no_leftovers
}

# ARG scopes: one declared before FROM is seen by FROM, and in a stage only once declared
# there again; ENV wins over ARG; a --build-arg nothing declares is reported.
test_build_arg_scopes() {
	local out
	setup_store
	mkdir -p "$WORK/ctx"
	cat >"$WORK/ctx/Dockerfile" <<'EOF2'
ARG TAG=docker
FROM hulltest/busybox:${TAG}
LABEL before="${TAG:-unset}"
ARG TAG
ARG OTHER=default
LABEL after="$TAG" other="$OTHER"
ENV OTHER=from-env
LABEL env="$OTHER"
EOF2
	out=$(build -t scopes --build-arg OTHER=given --build-arg NOBODY=x "$WORK/ctx")
	assert_contains "$out" "[Warning] One or more build-args [NOBODY] were not consumed"
	out=$(hull image inspect scopes | jq -c '.[0].Config.Labels | [.before, .after, .other, .env]')
	assert_eq "$out" '["unset","docker","given","from-env"]'
}

# Two builds at once sharing their steps (through the cache) both succeed, and leave only
# their images listed.
test_build_concurrent() {
	local p1 p2 rc1=0 rc2=0
	setup_store
	mkdir -p "$WORK/ctx"
	printf 'FROM %s\nUSER root\nRUN echo one > /one\nARG N\nRUN echo $N > /n\n' "$BASE" >"$WORK/ctx/Dockerfile"
	build -q "$WORK/ctx" >/dev/null
	build -q -t c:1 --build-arg N=1 "$WORK/ctx" >"$WORK/o1" 2>&1 &
	p1=$!
	build -q -t c:2 --build-arg N=2 "$WORK/ctx" >"$WORK/o2" 2>&1 &
	p2=$!
	wait $p1 || rc1=$?
	wait $p2 || rc2=$?
	assert_eq "$rc1 $rc2" "0 0" "exit statuses of two concurrent builds: $(cat "$WORK/o1" "$WORK/o2")"
	assert_eq "$(run --entrypoint /bin/cat c:1 /one /n)" $'one\n1'
	assert_eq "$(run --entrypoint /bin/cat c:2 /one /n)" $'one\n2'
	assert_eq "$(hull images -q | sort -u | wc -l)" 4 "base, the first build's image, c:1, c:2"
	no_leftovers
}

# docker_start and docker_stop are test_docker.sh's: sourced where they run (its tests must
# not become this file's), the stop too, which runs deferred in the harness's shell.
docker_start_from_tests() {
	source "$REPO/tests/integration/test_docker.sh"
	docker_start
}
docker_stop() {
	source "$REPO/tests/integration/test_docker.sh"
	docker_stop "$@"
}

# What hull build and hull commit make, docker (20.10, a private dockerd) loads and runs.
# Its `docker load` reads no zstd layer, so the base here is mkimage.py's rootfs imported.
test_build_docker_loads_images() {
	local out
	setup_store
	docker_start_from_tests
	hull import "$IMGDATA/rootfs.tar.gz" plainbase:1 >/dev/null
	mkdir -p "$WORK/ctx"
	echo "from the context" >"$WORK/ctx/f"
	printf 'FROM plainbase:1\nCOPY f /srv/f\nRUN echo ran > /srv/r && rm -f /etc/motd\nCMD ["/bin/sh", "-c", "cat /srv/f /srv/r; ls /etc/motd 2>&1; true"]\n' \
		>"$WORK/ctx/Dockerfile"
	build -q -t built:dk "$WORK/ctx" >/dev/null
	keep --name cd --entrypoint /bin/sh built:dk -c 'echo committed > /srv/c' >/dev/null
	hull commit -c 'CMD ["cat", "/srv/c", "/srv/f"]' cd committed:dk >/dev/null
	hull rm cd >/dev/null
	hull save -o "$WORK/images.tar" built:dk committed:dk
	out=$(dk load -i "$WORK/images.tar")
	assert_contains "$out" "Loaded image: built:dk"
	assert_contains "$out" "Loaded image: committed:dk"
	out=$(dk run --rm --runtime "$RT" --network none built:dk)
	assert_eq "$out" "from the context
ran
ls: /etc/motd: No such file or directory"
	assert_eq "$(dk run --rm --runtime "$RT" --network none committed:dk)" $'committed\nfrom the context'
}

# `hull build -`: a Dockerfile on stdin, no context; --iidfile
test_build_stdin_and_iidfile() {
	local out
	setup_store
	out=$(printf 'FROM %s\nLABEL from=stdin\n' "$BASE" | build -q --iidfile "$WORK/iid" -t fromstdin -)
	assert_eq "$(cat "$WORK/iid")" "$out"
	assert_eq "$(hull image inspect fromstdin | jq -r '.[0].Config.Labels.from')" stdin
	printf 'FROM %s\nCOPY x /x\n' "$BASE" >"$WORK/df"
	assert_fails build - <"$WORK/df"
	assert_contains "$OUT" "COPY needs a build context"
}
