# SPDX-License-Identifier: Apache-2.0
# The manuals tell what exists: every command `hull --help` and `hull-oci --help` list has its
# section in docs/, every section names a command that exists, every long option a command's
# --help shows is in its section, and the roff pages built from docs/ render without warnings.

# commands listed by BINARY --help (the lines under "Commands:")
commands_of() {
	"$1" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF {print $1}'
}

# The section of DOC for COMMAND: from its heading to the next one.  hull.1.md has
# "### hull CMD ..." headings; hull-oci.1.md a definition list whose terms start "`CMD ...".
# A section that says "[OTHER's options]" takes OTHER's section in too.
section_of() {
	local text
	text=$(awk -v bin="$2" -v cmd="$3" '
		/^##/ { on = 0 }
		/^### / { for (i = 2; i < NF; i++) if ($i == bin && ($(i + 1) == cmd || index($(i + 1), cmd "|") == 1)) on = 1 }
		/^`/ && bin == "hull-oci" { on = index($0, "`" cmd " ") == 1 || index($0, "`" cmd "`") == 1 || index($0, "`" cmd "|") == 1 }
		on' "$1")
	printf '%s\n' "$text"
	if [[ $text =~ \[([a-z-]+)\'s\ options\] ]] && [ "${BASH_REMATCH[1]}" != "$3" ]; then
		section_of "$1" "$2" "${BASH_REMATCH[1]}"
	fi
}

check_manual() {
	local bin=$1 doc=$2 exe=$3 c o missing="" extra="" flags=""
	local text
	for c in $(commands_of "$exe"); do
		text=$(section_of "$doc" "$bin" "$c")
		[ -n "${text//$'\n'/}" ] || missing+="$c "
		for o in $("$exe" "$c" --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u); do
			[ "$o" = --help ] && continue
			[[ $text == *"$o"* ]] || flags+="$c $o, "
		done
	done
	assert_eq "$missing" "" "commands of $bin --help without a section in $doc"
	assert_eq "$flags" "" "options of $bin's commands missing from $doc"
	local term="^### $bin [a-z-]+"
	[ "$bin" = hull-oci ] && term='^`[a-z]+'
	for c in $(awk '/^## / { on = $2 == "COMMANDS" } on' "$doc" |
		grep -oE "$term" | sed 's/^### [a-z-]* //; s/^`//' | sort -u); do
		commands_of "$exe" | grep -qx "$c" || extra+="$c "
	done
	assert_eq "$extra" "" "sections of $doc for commands $bin does not have"
}

test_docs_cover_every_command_and_option() {
	check_manual hull "$REPO/docs/hull.1.md" "$HULL"
	check_manual hull-oci "$REPO/docs/hull-oci.1.md" "$HULL_OCI"
}

test_docs_man_pages_render() {
	local p out
	command -v go-md2man >/dev/null || skip "no go-md2man (scripts/deps.sh installs it)"
	for p in hull hull-oci; do
		[ -r "$REPO/build/man/$p.1" ] || fatal "build/man/$p.1 was not built"
		out=$(MANWIDTH=100 man --warnings -l "$REPO/build/man/$p.1" 2>"$WORK/warn")
		# a wide table or a line that cannot be justified only looks worse; anything else is
		# broken roff
		assert_eq "$(grep -v "table wider than line width\|cannot adjust line\|^warning: file '<standard input>', around line" "$WORK/warn")" "" \
			"warnings rendering $p.1"
		assert_contains "$(head -5 <<<"$out")" "$(tr a-z A-Z <<<"$p")(1)"
		assert_contains "$out" "SYNOPSIS"
	done
}

# bash completion: commands, a command's own options, and the names of what exists
complete_words() { # complete_words FILE FUNCTION WORD... (the last word is being completed)
	bash -c 'source "$1"; f=$2; shift 2; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); $f; printf "%s\n" "${COMPREPLY[@]}"' _ "$@"
}

test_bash_completion() {
	local b id out
	out=$(complete_words "$REPO/scripts/completion/hull" _hull "$HULL" "pa")
	assert_eq "$out" pause
	out=$(complete_words "$REPO/scripts/completion/hull" _hull "$HULL" logs "--s")
	assert_eq "$out" "--since"
	mkdir -p "$WORK/store"
	"$HULL" --root "$WORK/store" --runroot "$ROOT" run -d --name compl-web --network none \
		--cgroup-parent "/hull-test/$T" --rootfs "$(bundle c)/rootfs" sleep 60 >/dev/null
	defer "$HULL" --root "$WORK/store" --runroot "$ROOT" rm -f compl-web
	out=$(complete_words "$REPO/scripts/completion/hull" _hull "$HULL" --root "$WORK/store" --runroot "$ROOT" stop "compl")
	assert_eq "$out" compl-web "container names from the store given on the command line"
	out=$(complete_words "$REPO/scripts/completion/hull-oci" _hull_oci "$HULL_OCI" --root "$ROOT" kill "")
	assert_contains "$out" "$("$HULL_OCI" --root "$ROOT" list -q | head -1)"
	out=$(complete_words "$REPO/scripts/completion/hull-oci" _hull_oci "$HULL_OCI" "fea")
	assert_eq "$out" features
	"$HULL" --root "$WORK/store" --runroot "$ROOT" rm -f compl-web >/dev/null
	rmdir /sys/fs/cgroup/*/hull-test/"$T" 2>/dev/null || true
}
