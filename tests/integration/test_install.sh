# SPDX-License-Identifier: Apache-2.0
# hull-oci install: the runtimes registered in each client's own configuration format, what
# was there kept, a second run changing nothing, --dry-run writing nothing.

test_install_docker_daemon_json() {
	local f=$WORK/daemon.json
	echo '{"debug": true, "runtimes": {"other": {"path": "/x"}}}' >"$f"
	oci install --config "$f" docker >/dev/null
	assert_eq "$(jq -c '[.debug, .runtimes.other.path, .runtimes.hull.path, .runtimes["hull-vm"].path]' "$f")" \
		"[true,\"/x\",\"$HULL_OCI\",\"$(dirname "$HULL_OCI")/hull-oci-vm\"]"
	cp "$f" "$WORK/first"
	oci install --config "$f" docker >/dev/null
	assert_eq "$(cat "$f")" "$(cat "$WORK/first")" "a second install changed daemon.json"
	# a new file; --dry-run; a daemon.json that is not JSON
	oci install --config "$WORK/new/daemon.json" docker >/dev/null
	assert_eq "$(jq -r '.runtimes.hull.path' "$WORK/new/daemon.json")" "$HULL_OCI"
	assert_contains "$(oci install --dry-run --config "$WORK/none.json" docker)" '"hull-vm"'
	[ ! -e "$WORK/none.json" ] || fatal "--dry-run wrote the file"
	echo '{nope' >"$WORK/bad.json"
	assert_fails oci install --config "$WORK/bad.json" docker
	assert_contains "$OUT" "not a JSON object"
	assert_eq "$(cat "$WORK/bad.json")" "{nope" "a bad file was changed"
	assert_fails oci install nosuch
	assert_contains "$OUT" "unknown client"
}

test_install_containerd_config() {
	local f=$WORK/config.toml out
	command -v containerd >/dev/null || skip "containerd is not installed"
	printf 'version = 2\n\n[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "pause:x"\n' >"$f"
	oci install --config "$f" containerd >/dev/null 2>"$WORK/classes"
	assert_contains "$(cat "$WORK/classes")" "handler: hull-vm" "the RuntimeClasses"
	out=$(containerd --config "$f" config dump 2>/dev/null)
	assert_contains "$out" "BinaryName = \"$HULL_OCI\""
	assert_contains "$out" "BinaryName = \"$(dirname "$HULL_OCI")/hull-oci-vm\""
	assert_contains "$out" 'sandbox_image = "pause:x"'
	cp "$f" "$WORK/first"
	oci install --config "$f" containerd >/dev/null 2>&1
	assert_eq "$(cat "$f")" "$(cat "$WORK/first")" "a second install changed config.toml"
	echo 'foo = 1' >"$WORK/v1.toml"
	assert_fails oci install --config "$WORK/v1.toml" containerd
	assert_contains "$OUT" "version = 2"
}

test_install_podman_and_crio_dropins() {
	local f=$WORK/containers.conf.d/hull.conf
	oci install --config "$f" podman >/dev/null
	assert_contains "$(cat "$f")" "hull = [\"$HULL_OCI\"]"
	if command -v podman >/dev/null; then
		# podman wants a short runroot
		local rr=/run/hull-pmi-$$
		defer rm -rf "$rr"
		CONTAINERS_CONF=$f podman --root "$WORK/pmr" --runroot "$rr" --storage-driver vfs \
			info >/dev/null 2>"$WORK/err" || fatal "podman refuses the drop-in: $(cat "$WORK/err")"
	fi
	oci install --config "$WORK/99-hull.conf" crio >/dev/null
	assert_contains "$(cat "$WORK/99-hull.conf")" "[crio.runtime.runtimes.hull-vm]"
	assert_contains "$(cat "$WORK/99-hull.conf")" "runtime_path = \"$(dirname "$HULL_OCI")/hull-oci-vm\""
}

# make deb: the package holds what make install installs, depends on the libraries the binaries
# link, and its binaries run from where it unpacks
test_deb_package() {
	local deb=$WORK/hull.deb out
	command -v dpkg-deb >/dev/null || skip "no dpkg-deb"
	(cd "$REPO" && scripts/deb.sh 9.9.9 "$deb") >/dev/null
	assert_eq "$(dpkg-deb -f "$deb" Package Version | tr '\n' ' ')" "Package: hull Version: 9.9.9 "
	out=$(dpkg-deb -f "$deb" Depends)
	assert_contains "$out" libseccomp2
	assert_contains "$out" libyajl2
	assert_not_contains "$out" libgnutls "only the libraries linked directly"
	out=$(dpkg-deb -c "$deb" | awk '{print $6}')
	for f in ./usr/bin/hull ./usr/bin/hull-oci ./usr/bin/hull-oci-vm ./usr/share/man/man1/hull.1 \
		./usr/share/bash-completion/completions/hull ./usr/lib/hull/vm/hull-vm-exit.so; do
		grep -qx -- "$f" <<<"$out" || fatal "$f is not in the package: $out"
	done
	dpkg-deb -x "$deb" "$WORK/root"
	assert_contains "$("$WORK/root/usr/bin/hull-oci" --version)" "hull-oci version"
	assert_contains "$("$WORK/root/usr/bin/hull" version)" "hull version"
}
