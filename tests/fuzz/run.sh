#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tests/fuzz/run.sh SECONDS NAME...: run each build/fuzz/fuzz_NAME under libFuzzer for SECONDS,
# one at a time, in a temporary directory: new inputs go to a copy of the seed corpus
# (tests/fuzz/corpus/NAME/ is only read), crashes to the temporary directory, which is kept
# and named when something was found.  Prints one line per target; exits non-zero on a find.
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:?usage: run.sh SECONDS NAME...}
shift
found=0
for name in "$@"; do
	bin=$repo/build/fuzz/fuzz_$name
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/hull-fuzz-$name.XXXXXX")
	mkdir "$tmp/corpus"
	(cd "$tmp" && "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$tmp/" -print_final_stats=1 \
		"$tmp/corpus" "$repo/tests/fuzz/corpus/$name") >"$tmp/log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/log")
	if [ $rc -ne 0 ] || ls "$tmp"/crash-* "$tmp"/leak-* "$tmp"/timeout-* "$tmp"/oom-* >/dev/null 2>&1; then
		echo "FOUND $name: ${runs:-?} runs in ${secs}s; see $tmp/log and the artifacts there"
		grep -m3 -E 'ERROR|SUMMARY' "$tmp/log" | sed 's/^/    /'
		found=1
	else
		echo "ok $name: ${runs:-?} runs in ${secs}s, nothing found"
		rm -rf "$tmp"
	fi
done
exit $found
