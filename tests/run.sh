#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The test suite: tests/run.sh [all|unit|integration] [NAME-FILTER...]
# Ends with the line "N passed, N failed, N skipped"; exits non-zero if anything failed.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
what=${1:-all}
[ $# -gt 0 ] && shift
filters=("$@")
pass=0 fail=0 skip=0 log=
failed_names=()

wanted() {
	local f
	[ ${#filters[@]} -eq 0 ] && return 0
	for f in "${filters[@]}"; do [[ $1 == *"$f"* ]] && return 0; done
	return 1
}

run_unit() {
	local bin out rc ok nok sk
	# the C unit tests, and tests/unit/test_*.py (the mutation harness's own check)
	for bin in "$repo"/build/tests/test_* "$repo"/tests/unit/test_*.py; do
		[ -x "$bin" ] || continue
		wanted "$(basename "$bin")" || continue
		# a hung binary (a loop that never ends) fails the run instead of stopping it
		out=$(timeout -k 5 "${HULL_UNIT_TIMEOUT:-300}" "$bin" 2>&1)
		rc=$?
		[ "$rc" -eq 124 ] && out+=$'\n'"(timed out after ${HULL_UNIT_TIMEOUT:-300} s)"
		ok=$(grep -c '^ok - ' <<<"$out")
		nok=$(grep -c '^not ok - ' <<<"$out")
		sk=$(grep -c '^skip - ' <<<"$out")
		grep -E '^(ok|not ok|skip) - ' <<<"$out" |
			sed -e 's/^ok - /PASS /' -e 's/^not ok - /FAIL /' -e 's/^skip - /SKIP /'
		pass=$((pass + ok))
		fail=$((fail + nok))
		skip=$((skip + sk))
		if [ "$rc" -ne 0 ] && [ "$nok" -eq 0 ]; then
			echo "FAIL $(basename "$bin") (exit $rc)"
			sed 's/^/    /' <<<"$out" | tail -20
			fail=$((fail + 1))
		fi
	done
}

run_integration() {
	local file fn out rc names
	log=$(mktemp)
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP integration: needs root (namespaces, mounts, cgroups)"
		skip=$((skip + 1))
		return
	fi
	for file in "$repo"/tests/integration/test_*.sh; do
		[ -f "$file" ] || continue
		names=$(bash -c "source '$repo/tests/integration/lib.sh'; source '$file'; declare -F" |
			awk '$3 ~ /^test_/ {print $3}')
		for fn in $names; do
			wanted "$fn" || continue
			# output goes to a file: a process a broken test leaves behind may hold
			# its stdout open, and must not hang the suite
			timeout -k 5 $((${HULL_TEST_TIMEOUT:-90} + 30)) \
				bash "$repo/tests/integration/lib.sh" --run "$file" "$fn" \
				</dev/null >"$log" 2>&1
			rc=$?
			out=$(cat "$log")
			case $rc in
			0)
				echo "PASS $fn"
				pass=$((pass + 1))
				;;
			77)
				echo "SKIP $fn: $(grep '^SKIP: ' <<<"$out" | tail -1 | cut -c7-)"
				skip=$((skip + 1))
				;;
			*)
				[ $rc -eq 124 ] && out+=$'\n'"(timed out)"
				echo "FAIL $fn"
				sed 's/^/    /' <<<"$out" | tail -40
				fail=$((fail + 1))
				failed_names+=("$fn")
				;;
			esac
		done
	done
}

case $what in
unit) run_unit ;;
integration) run_integration ;;
all)
	run_unit
	run_integration
	;;
*)
	echo "usage: tests/run.sh [all|unit|integration] [NAME-FILTER...]" >&2
	exit 2
	;;
esac
rm -f "${log:-}"
[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
