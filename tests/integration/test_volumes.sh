# SPDX-License-Identifier: Apache-2.0
# Volumes (`hull volume`, -v, --mount, the image's Volumes, docker's copy-up) and the other
# container options of `hull run`: --device, --ulimit, --init, --group-add, --sysctl,
# --shm-size, --label, --label-file, --stop-timeout.

run() { hull run --cgroup-parent "/hull-test/$T-h" "$@"; }

# The test images (tests/data/mkimage.py); OUTSIDE holds a file no volume may ever get.
images() {
	python3 "$REPO/tests/data/mkimage.py" "$WORK/img" "$WORK/outside" >/dev/null
	mkdir -p "$WORK/outside"
	echo "host secret" >"$WORK/outside/secret"
	hull load -q -i "$WORK/img/busybox.docker.tar" >/dev/null
	hull load -q -i "$WORK/img/volumes.docker.tar" >/dev/null
}

# no container, record or name left
store_empty() {
	assert_eq "$(ls "$WORK/store/containers" "$WORK/store/names" | grep -v : | grep -c .)" 0 \
		"records or names left in the store"
}
volumes_left() { hull volume ls -q | sort | tr '\n' ' '; }

test_hull_volume_commands() {
	local out anon
	watch_store
	assert_eq "$(hull volume create --label team=a --label solo data1)" data1
	assert_eq "$(hull volume create data1)" data1 "creating an existing volume names it"
	anon=$(hull volume create)
	[[ $anon =~ ^[0-9a-f]{64}$ ]] || fatal "an anonymous volume is named by 64 hex digits: $anon"
	hull volume create data2 >/dev/null
	[ -d "$WORK/store/volumes/data1/_data" ] || fatal "no _data directory"
	# ls: docker's table, templates, json, filters
	out=$(hull volume ls)
	assert_eq "$(head -1 <<<"$out" | tr -s ' ')" "DRIVER VOLUME NAME"
	assert_contains "$out" "local     data1"
	assert_eq "$(hull volume ls --format '{{.Name}}:{{.Driver}}:{{.Labels}}' --filter name=data1)" \
		"data1:local:team=a,solo="
	assert_eq "$(hull volume ls -q --filter label=team=a)" data1
	assert_eq "$(hull volume ls -q --filter label=solo)" data1
	assert_eq "$(hull volume ls -q --filter label=team=b)" ""
	assert_eq "$(hull volume ls -q --filter label=com.docker.volume.anonymous)" "$anon"
	assert_eq "$(hull volume ls -q --filter name=data | tr '\n' ' ')" "data1 data2 "
	assert_eq "$(hull volume ls --format json --filter name=data2 | jq -r .Mountpoint)" \
		"$WORK/store/volumes/data2/_data"
	# inspect
	out=$(hull volume inspect data1)
	assert_eq "$(jq -r '.[0] | "\(.Name) \(.Driver) \(.Scope) \(.Labels.team) \(.Mountpoint)"' <<<"$out")" \
		"data1 local local a $WORK/store/volumes/data1/_data"
	assert_eq "$(hull volume inspect -f '{{.Name}}={{.Labels.team}}' data1 data2)" $'data1=a\ndata2=<no value>'
	assert_fails hull volume inspect nosuch
	assert_contains "$OUT" "no such volume: nosuch"
	# bad input: named, nothing made
	assert_fails hull volume create 'bad/name'
	assert_contains "$OUT" "invalid volume name"
	assert_fails hull volume create -o type=nfs x1
	assert_contains "$OUT" "no options"
	assert_fails hull volume ls --filter dangling=maybe
	assert_contains "$OUT" "dangling"
	assert_fails hull volume ls --filter color=red
	assert_contains "$OUT" "unknown key"
	# rm: one at a time, -f ignores a missing one, prune takes the unused anonymous ones only
	assert_eq "$(hull volume rm data2)" data2
	assert_fails hull volume rm nosuch
	assert_contains "$OUT" "no such volume"
	assert_eq "$(hull volume rm -f nosuch)" ""
	out=$(hull volume prune -f)
	assert_eq "$out" $'Deleted Volumes:\n'"$anon"$'\n\nTotal reclaimed space: 0B'
	assert_eq "$(volumes_left)" "data1 " "prune keeps named volumes"
	echo hello >"$WORK/store/volumes/data1/_data/f"
	out=$(echo n | hull volume prune -a 2>/dev/null)
	assert_eq "$(volumes_left)" "data1 " "prune without a yes removes nothing"
	out=$(hull volume prune -a -f --filter label=team=b)
	assert_eq "$(volumes_left)" "data1 " "prune --filter"
	out=$(hull volume prune -a -f)
	assert_contains "$out" $'Deleted Volumes:\ndata1\n'
	assert_contains "$out" "Total reclaimed space: "
	assert_not_contains "$out" "space: 0B" "the file's blocks are counted"
	assert_eq "$(volumes_left)" "" "prune -a"
	assert_eq "$(ls -A "$WORK/store/volumes")" "" "nothing left in volumes/"
}

# -v NAME:DST makes the volume on first use and keeps it; -v DST and the image's Volumes are
# anonymous volumes that `run --rm` (and `rm -v`) take away; a volume in use stays.
test_hull_volume_run_named_and_anonymous() {
	local id out
	watch_store
	images
	run --rm -u root -v keep:/k hulltest/busybox:docker 'echo kept >/k/f'
	assert_eq "$(cat "$WORK/store/volumes/keep/_data/f")" kept
	out=$(run --rm -u root -v keep:/again:ro hulltest/busybox:docker 'cat /again/f; echo x >/again/g || echo ro-refused')
	assert_eq "$out" $'kept\nro-refused'
	# --rm: the anonymous volumes (-v /anon and the image's /data) go with the container
	run --rm -u root -v /anon hulltest/busybox:docker 'echo a >/anon/a; echo d >/data/d'
	assert_eq "$(volumes_left)" "keep " "run --rm removes the anonymous volumes"
	# without --rm they stay with the container; a volume in use (even stopped) is not removed
	id=$(run -d -u root -v keep:/k -v /anon hulltest/busybox:docker 'echo a >/anon/a; sleep 60')
	out=$(hull inspect -f '{{range .Mounts}}{{.Type}} {{.Destination}} {{.RW}}{{"\n"}}{{end}}' "$id")
	assert_contains "$out" "volume /k true"
	assert_contains "$out" "volume /anon true"
	assert_contains "$out" "volume /data true" "the image's Volume"
	assert_eq "$(hull inspect -f '{{range .Mounts}}{{if eq .Destination "/k"}}{{.Name}}{{end}}{{end}}' "$id")" keep
	assert_fails hull volume rm keep
	assert_contains "$OUT" "volume keep is in use by container(s) ${id:0:12}"
	assert_eq "$(hull volume ls -q --filter dangling=true)" ""
	assert_eq "$(hull volume ls --format '{{.Name}} {{.Links}}' --filter name=keep)" "keep 1"
	hull stop -t 1 "$id" >/dev/null
	assert_fails hull volume rm keep
	assert_contains "$OUT" "in use"
	assert_eq "$(hull volume prune -f | grep -c '^[0-9a-f]\{64\}$' || true)" 0 \
		"prune leaves the volumes of a stopped container"
	assert_eq "$(hull volume ls -q | wc -l)" 3
	hull rm -v "$id" >/dev/null
	assert_eq "$(volumes_left)" "keep " "rm -v removes the anonymous volumes"
	# plain rm leaves them, dangling
	id=$(run -d -v /anon hulltest/busybox:docker true)
	hull wait "$id" >/dev/null
	hull rm "$id" >/dev/null
	assert_eq "$(hull volume ls -q --filter dangling=true --filter label=com.docker.volume.anonymous | wc -l)" 2 \
		"rm without -v keeps them"
	assert_eq "$(hull volume ls -q --filter dangling=false)" "" "no container uses any now"
	hull volume prune -f >/dev/null
	assert_eq "$(volumes_left)" "keep "
	# a run that fails after its volumes were made leaves no anonymous one behind
	assert_fails run --rm -v /anon -v /anon hulltest/busybox:docker true
	assert_contains "$OUT" "duplicate mount point /anon"
	assert_fails run --rm -v /anon --entrypoint /nosuchcmd hulltest/busybox:docker
	assert_fails run -d -v /anon --entrypoint /nosuchcmd hulltest/busybox:docker
	assert_eq "$(volumes_left)" "keep " "a failed run leaks no volume"
	# names: an absolute path is a host directory, anything else a volume name
	assert_fails run --rm -v ./rel:/x hulltest/busybox:docker true
	assert_contains "$OUT" "invalid volume name"
	assert_fails run --rm -v keep:/x:shared hulltest/busybox:docker true
	assert_contains "$OUT" "propagation"
	store_empty
}

# docker's copy-up: a new, empty volume gets what the image has at its path (contents, owners,
# modes, symlinks as symlinks), once; symlinks are followed inside the rootfs only.
test_hull_volume_seeded_from_image() {
	local out before
	watch_store
	images
	before=$(ls -lR "$WORK/outside")
	run --rm -u root -v seeded:/data hulltest/volumes:latest true
	out=$(cd "$WORK/store/volumes/seeded/_data" && stat -c '%n %u:%g %a %F' . seed link sub sub/deep)
	assert_eq "$out" ". 1000:50 750 directory
seed 1000:1000 640 regular file
link 0:0 777 symbolic link
sub 65534:65534 700 directory
sub/deep 0:0 644 regular file" "contents, owners and modes copied"
	assert_eq "$(readlink "$WORK/store/volumes/seeded/_data/link")" /etc/passwd "a symlink stays a symlink"
	assert_eq "$(cat "$WORK/store/volumes/seeded/_data/seed")" "from the image"
	# containers made at once on a new volume: one fills it, each sees it whole
	local pids=() i
	for i in 1 2 3; do
		run --rm -u root -v race:/data hulltest/volumes:latest 'cat /data/seed; ls /data | wc -l' >"$WORK/race$i" 2>&1 &
		pids+=($!)
	done
	for i in 0 1 2; do wait "${pids[$i]}" || fatal "run $i on a new volume: $(cat "$WORK/race$((i + 1))")"; done
	for i in 1 2 3; do assert_eq "$(cat "$WORK/race$i")" $'from the image\n3'; done
	# a volume with content is not filled again
	run --rm -u root -v seeded:/data hulltest/volumes:latest 'rm /data/seed; echo mine >/data/own'
	out=$(run --rm -u root -v seeded:/data hulltest/volumes:latest 'ls /data | tr "\n" " "')
	assert_eq "$out" "link own sub "
	# nocopy, --mount volume-nocopy: left empty
	run --rm -u root -v plain:/data:nocopy hulltest/volumes:latest true
	assert_eq "$(ls -A "$WORK/store/volumes/plain/_data")" "" "nocopy"
	run --rm -u root --mount type=volume,src=plain2,dst=/data,volume-nocopy hulltest/volumes:latest true
	assert_eq "$(ls -A "$WORK/store/volumes/plain2/_data")" "" "volume-nocopy"
	# the image's own Volumes: /data seeded; /evil and /evil-rel point out of the rootfs:
	# resolved inside it, nothing of the host's directory is copied, nothing written there
	out=$(run --rm -u root hulltest/volumes:latest 'cat /data/seed; ls /evil/ /evil-rel/ | grep -c secret || true')
	assert_eq "$out" $'from the image\n0'
	run -d --name ev -u root hulltest/volumes:latest 'echo planted >/evil/planted; echo planted >/evil-rel/p2'
	hull wait ev >/dev/null
	assert_eq "$(ls -lR "$WORK/outside")" "$before" "the host directory the symlinks name is untouched"
	assert_eq "$(grep -rl secret "$WORK/store/volumes" || true)" "" "no volume got the host's file"
	assert_eq "$(grep -rl planted "$WORK/store/volumes" | wc -l)" 2 "written into the container's volumes"
	hull rm -v ev >/dev/null
	# an image path that is not there: an empty volume, and the path made in the container
	out=$(run --rm -u root -v fresh:/not/there hulltest/volumes:latest 'ls -A /not/there | wc -l')
	assert_eq "$out" 0
	store_empty
}

# --mount, docker's syntax: bind, volume and tmpfs, their options, the errors
test_hull_volume_mount_flag() {
	local out
	watch_store
	images
	mkdir -p "$WORK/host"
	echo host >"$WORK/host/f"
	out=$(run --rm -u root \
		--mount type=bind,source="$WORK/host",target=/h,readonly \
		--mount type=volume,src=mv,dst=/v,volume-label=made=by-mount \
		--mount 'type=tmpfs,destination=/t,tmpfs-size=1m,tmpfs-mode=1770' \
		--mount type=bind,src="$WORK/host",dst=/hw,bind-propagation=rslave \
		hulltest/busybox:docker 'cat /h/f; echo x >/h/g || echo ro-refused; echo v >/v/f;
			stat -c %a /t; df -k /t | tail -1 | awk "{print \$2}"; grep " /t " /proc/mounts; echo w >/hw/w')
	assert_eq "$(sed -n 1,4p <<<"$out")" $'host\nro-refused\n1770\n1024'
	assert_contains "$out" "nosuid,nodev,noexec"
	assert_eq "$(cat "$WORK/store/volumes/mv/_data/f")" v
	assert_eq "$(cat "$WORK/host/w")" w
	assert_eq "$(hull volume inspect -f '{{.Labels.made}}' mv)" by-mount "volume-label on a new volume"
	# --tmpfs keeps docker's defaults, the user's options replace those they contradict
	out=$(run --rm --tmpfs /x:exec,size=2m hulltest/busybox:docker 'grep " /x " /proc/mounts')
	assert_contains "$out" "nosuid,nodev"
	assert_not_contains "$out" "noexec"
	# an anonymous volume by --mount, gone with --rm
	run --rm --mount type=volume,target=/anon hulltest/busybox:docker true
	assert_eq "$(volumes_left)" "mv "
	# errors, each naming the problem
	assert_fails run --rm --mount type=bind,src="$WORK/nosuch",dst=/x hulltest/busybox:docker true
	assert_contains "$OUT" "bind source path does not exist"
	assert_fails run --rm --mount type=bind,dst=/x hulltest/busybox:docker true
	assert_contains "$OUT" "absolute source"
	assert_fails run --rm --mount type=volume,src=a hulltest/busybox:docker true
	assert_contains "$OUT" "target is required"
	assert_fails run --rm --mount type=nfs,dst=/x hulltest/busybox:docker true
	assert_contains "$OUT" "unsupported type"
	assert_fails run --rm --mount type=volume,dst=/x,tmpfs-size=1m hulltest/busybox:docker true
	assert_contains "$OUT" "options of another type"
	assert_fails run --rm --mount type=tmpfs,dst=/x,color=red hulltest/busybox:docker true
	assert_contains "$OUT" "unsupported option \`color=red\`"
	assert_fails run --rm --mount type=tmpfs,dst=/x,tmpfs-mode=999 hulltest/busybox:docker true
	assert_contains "$OUT" "not an octal mode"
	assert_fails run --rm --mount type=tmpfs,dst=relative hulltest/busybox:docker true
	assert_contains "$OUT" "must be absolute"
	assert_fails run --rm --mount type=volume,src=mv,dst=/x,readonly=maybe hulltest/busybox:docker true
	assert_contains "$OUT" "invalid value for readonly"
	assert_eq "$(volumes_left)" "mv "
	store_empty
}

# A volume is a bind mount of a directory, which virtio-fs shares with the guest: what a VM
# writes there a container reads later.  Also --init, --ulimit, --sysctl in the guest.
test_hull_volume_vm() {
	local out
	command -v qemu-system-x86_64 >/dev/null && [ -r "$REPO/build/vm/vmlinux" ] ||
		skip "no QEMU or guest kernel for the vm isolation level"
	watch_store
	images
	out=$(run --rm --isolation vm -u root -v shared:/data --init --ulimit nofile=100:200 \
		--sysctl kernel.shmmax=654321 hulltest/volumes:latest \
		'cat /data/seed; echo "from $(uname -r)" >/data/vm; ulimit -n; cat /proc/sys/kernel/shmmax;
		 tr "\0" " " </proc/$PPID/cmdline' 2>/dev/null)
	assert_eq "$(sed -n 1,3p <<<"$out")" $'from the image\n100\n654321'
	assert_contains "$(sed -n 4p <<<"$out")" "/sbin/docker-init --" "the init is the workload's parent"
	out=$(run --rm -v shared:/d hulltest/busybox:docker 'cat /d/vm')
	assert_eq "$out" "from $(guest_kernel_version)" "written in the VM, read by a container"
	assert_fails run --rm --isolation vm --device /dev/null:/dev/x hulltest/busybox:docker true
	assert_contains "$OUT" "--device is not available at the vm isolation level"
	assert_eq "$(volumes_left)" "shared "
	store_empty
}

# What a hull killed midway leaves: a half-made or half-removed volume is cleared by the next
# listing, a reference of a container that is gone keeps nothing in use.
test_hull_volume_after_crash() {
	watch_store
	hull volume create v1 >/dev/null
	mkdir -p "$WORK/store/volumes/.tmp-0123456789abcdef/_data" "$WORK/store/volumes/.trash-0123456789abcdef/_data"
	touch "$WORK/store/volumes/v1/refs/$(printf '%064d' 7)"
	assert_eq "$(hull volume ls -q)" v1
	assert_eq "$(ls -A "$WORK/store/volumes" | tr '\n' ' ')" ".tmp-0123456789abcdef .trash-0123456789abcdef v1 " \
		"one just made may be a live hull's"
	# the change time of a directory cannot be set back: wait for the leftovers to age
	sleep 11
	assert_eq "$(hull volume ls -q)" v1
	assert_eq "$(ls -A "$WORK/store/volumes")" v1 "leftovers of dead hulls are removed"
	assert_eq "$(hull volume ls -q --filter dangling=true)" v1 "a stale reference counts for nothing"
	# a copy-up a kill interrupted left its copy aside: the volume is still empty, and the
	# next container fills it from the start
	python3 "$REPO/tests/data/mkimage.py" "$WORK/img" "$WORK/outside" >/dev/null
	hull load -q -i "$WORK/img/volumes.docker.tar" >/dev/null
	mkdir -p "$WORK/store/volumes/v1/.seed/half"
	echo partial >"$WORK/store/volumes/v1/.seed/half/f"
	assert_eq "$(run --rm -u root -v v1:/data hulltest/volumes:latest 'ls /data | tr "\n" " "')" "link seed sub "
	assert_eq "$(ls -A "$WORK/store/volumes/v1")" $'_data\nrefs\nvolume.json' "the half copy is gone"
	hull volume rm v1 >/dev/null
	assert_eq "$(ls -A "$WORK/store/volumes")" ""
	store_empty
}

test_hull_run_devices() {
	local out id
	watch_store
	images
	[ -c /dev/fuse ] || skip "no /dev/fuse on this host"
	out=$(run --rm -u root --device /dev/fuse hulltest/busybox:docker 'stat -c "%F %t:%T" /dev/fuse; exec 3<>/dev/fuse && echo opened')
	assert_eq "$out" $'character special file a:e5\nopened'
	out=$(run --rm -u root --device /dev/fuse:/dev/myfuse:rw hulltest/busybox:docker 'ls /dev/myfuse; ls /dev/fuse 2>&1 || true')
	assert_contains "$out" "/dev/myfuse"
	assert_contains "$out" "No such file"
	# a directory of devices: each node in it
	if [ -c /dev/net/tun ]; then
		out=$(run --rm -u root --device /dev/net:/dev/mynet hulltest/busybox:docker 'stat -c "%F %t:%T" /dev/mynet/tun')
		assert_eq "$out" "character special file a:c8"
	fi
	# the cgroup rule has the permissions asked for
	id=$(run -d -u root --device /dev/fuse:/dev/f:r hulltest/busybox:docker true)
	hull wait "$id" >/dev/null
	assert_eq "$(jq -c '.linux.resources.devices[-1]' "$WORK/store/containers/$id/config.json")" \
		'{"allow":true,"type":"c","major":10,"minor":229,"access":"r"}'
	assert_eq "$(jq -c '.linux.devices[0] | [.path, .type, .major, .minor]' "$WORK/store/containers/$id/config.json")" \
		'["/dev/f","c",10,229]'
	hull rm "$id" >/dev/null
	# without it, no node and no access
	out=$(run --rm -u root hulltest/busybox:docker '(mknod /tmp/f c 10 229 && exec 3<>/tmp/f) 2>/dev/null && echo opened || echo refused')
	assert_contains "$out" "refused"
	assert_fails run --rm --device /etc/passwd hulltest/busybox:docker true
	assert_contains "$OUT" "is not a device node"
	assert_fails run --rm --device /dev/fuse:/dev/f:rwx hulltest/busybox:docker true
	assert_contains "$OUT" "invalid permissions"
	assert_fails run --rm --device /dev/nosuch hulltest/busybox:docker true
	assert_contains "$OUT" "/dev/nosuch"
	store_empty
}

test_hull_run_ulimit_groups_sysctl_shm() {
	local out hard
	watch_store
	images
	out=$(run --rm -u root --ulimit nofile=512:1024 --ulimit core=0 --ulimit nproc=100 \
		hulltest/busybox:docker 'ulimit -n; ulimit -Hn; ulimit -c; ulimit -u')
	assert_eq "$out" $'512\n1024\n0\n100'
	# raising a hard limit needs CAP_SYS_RESOURCE: said before anything is made
	hard=$(ulimit -Hn)
	if [ "$hard" != unlimited ] && ! capsh --has-p=cap_sys_resource 2>/dev/null; then
		assert_fails run --rm --ulimit nofile=64:$((hard + 1)) hulltest/busybox:docker true
		assert_contains "$OUT" "above this host's ($hard)"
		assert_contains "$OUT" "CAP_SYS_RESOURCE"
	fi
	assert_fails run --rm --ulimit nofiles=1 hulltest/busybox:docker true
	assert_contains "$OUT" "unknown limit \`nofiles\`"
	assert_fails run --rm --ulimit nofile=20:10 hulltest/busybox:docker true
	assert_contains "$OUT" "soft limit is above the hard limit"
	# --group-add: names from the image's /etc/group, and numbers
	out=$(run --rm -u root --group-add staff --group-add 4242 hulltest/busybox:docker 'id -G')
	assert_eq "$out" "0 50 4242"
	assert_fails run --rm --group-add nosuchgroup hulltest/busybox:docker true
	assert_contains "$OUT" "nosuchgroup"
	# --sysctl: namespaced keys only (the runtime says which)
	out=$(run --rm --sysctl kernel.shmmax=123456 --sysctl net.ipv4.ip_forward=1 hulltest/busybox:docker \
		'cat /proc/sys/kernel/shmmax /proc/sys/net/ipv4/ip_forward')
	assert_eq "$out" $'123456\n1'
	assert_fails run --rm --sysctl kernel.hostname hulltest/busybox:docker true
	assert_contains "$OUT" "KEY=VALUE"
	assert_fails run --rm --sysctl vm.swappiness=1 hulltest/busybox:docker true
	assert_contains "$OUT" "vm.swappiness"
	# --shm-size
	out=$(run --rm --shm-size 2m hulltest/busybox:docker 'df -k /dev/shm | tail -1 | awk "{print \$2}"')
	assert_eq "$out" 2048
	assert_fails run --rm --shm-size lots hulltest/busybox:docker true
	assert_contains "$OUT" "--shm-size"
	store_empty
}

test_hull_run_labels_and_stop_timeout() {
	local id out
	watch_store
	images
	printf 'from.file=1\n# comment\nboth=file\n' >"$WORK/labels"
	id=$(run -d --name lab -l team=blue --label both=flag --label-file "$WORK/labels" \
		--stop-timeout 0 -u root hulltest/busybox:docker \
		'trap "exit 7" TERM QUIT; while :; do sleep 0.1; done')
	out=$(hull inspect -f '{{json .Config.Labels}}' lab)
	assert_eq "$(jq -S -c . <<<"$out")" \
		'{"both":"flag","from.file":"1","org.example.test":"yes","team":"blue"}' \
		"the image's labels, the file's, then --label"
	assert_eq "$(hull inspect -f '{{.Config.StopTimeout}}' lab)" 0
	assert_eq "$(hull ps --filter label=team=blue --format '{{.Names}}')" lab
	assert_eq "$(hull ps --filter label=team --filter label=from.file=1 -q)" "${id:0:12}"
	assert_eq "$(hull ps --filter label=team=red -q)" ""
	assert_eq "$(hull ps --filter name=lab --format '{{.Labels}}')" "org.example.test=yes,from.file=1,both=flag,team=blue"
	# --stop-timeout 0: `hull stop` without -t kills at once, no SIGTERM first
	hull stop lab >/dev/null
	assert_eq "$(hull wait lab)" 137 "killed, not stopped by its TERM trap"
	hull rm lab >/dev/null
	# the default still sends the stop signal first
	id=$(run -d -u root hulltest/busybox:docker 'trap "exit 7" TERM QUIT; touch /tmp/ready; while :; do sleep 0.1; done')
	for _ in $(seq 50); do hull exec "$id" test -f /tmp/ready 2>/dev/null && break; sleep 0.1; done
	hull stop "$id" >/dev/null
	assert_eq "$(hull wait "$id")" 7
	assert_eq "$(hull inspect -f '{{.Config.StopTimeout}}' "$id")" "<no value>"
	hull rm "$id" >/dev/null
	assert_fails run --rm --stop-timeout soon hulltest/busybox:docker true
	assert_contains "$OUT" "invalid --stop-timeout"
	assert_fails run --rm --label =x hulltest/busybox:docker true
	assert_contains "$OUT" "invalid --label"
	assert_fails run --rm --label-file "$WORK/nosuch" hulltest/busybox:docker true
	assert_contains "$OUT" "label file"
	store_empty
}

# --init: tini (or catatonit) is pid 1, the workload its child; orphans are reaped and the
# stop signal reaches the workload
test_hull_run_init() {
	local out id
	[ -x /usr/bin/tini-static ] || [ -x /usr/bin/catatonit ] ||
		skip "no static init (scripts/deps.sh installs tini)"
	watch_store
	images
	out=$(run --rm --init -u root hulltest/busybox:docker 'tr "\0" " " </proc/1/cmdline; echo; echo $PPID')
	assert_contains "$(head -1 <<<"$out")" "/dev/init -- /bin/sh -c" "pid 1 is the init"
	assert_eq "$(tail -1 <<<"$out")" 1 "the workload is its child"
	# an orphan goes to pid 1: the init reaps it, a workload that is pid 1 itself does not
	for init in "" --init; do
		id=$(run -d $init -u root hulltest/busybox:docker '(sleep 0.1 &); exec sleep 5')
		sleep 1
		out=$(hull exec "$id" ps -o stat,comm | grep -c '^Z' || true)
		assert_eq "$out" "$([ -n "$init" ] && echo 0 || echo 1)" "zombies with '$init'"
		hull rm -f -v "$id" >/dev/null
	done
	id=$(run -d --init -u root hulltest/busybox:docker 'trap "exit 7" TERM QUIT; touch /tmp/ready; while :; do sleep 0.1; done')
	for _ in $(seq 50); do hull exec "$id" test -f /tmp/ready 2>/dev/null && break; sleep 0.1; done
	hull stop "$id" >/dev/null
	assert_eq "$(hull wait "$id")" 7 "the init forwarded the stop signal"
	assert_eq "$(hull inspect -f '{{.Path}}' "$id")" /bin/sh "the command, as docker shows it"
	assert_eq "$(hull inspect -f '{{range .Mounts}}{{.Destination}}{{end}}' "$id")" "/data" \
		"the init's mount is hull's own, not the user's"
	hull rm -v "$id" >/dev/null
	store_empty
}
