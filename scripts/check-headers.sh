#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# make lint: nothing outside a top-level folder includes a header its README.md does not list
# as public ("Public headers: `a.h`, `sub/b.h`" or "Public headers: every header here").
# tests/ and bench/ may reach inside (unit tests test private parts).
set -u
cd "$(dirname "$0")/.."
folders="lib runtime vm engine image network cmd"
bad=0
for t in $folders; do
	line=$(sed -n '/^Public headers:/,/^$/p' "$t/README.md" | tr '\n' ' ')
	[ -n "$line" ] || { echo "$t/README.md: no 'Public headers:' line"; bad=1; continue; }
	all=0
	[[ $line == *"every header here"* ]] && all=1
	public=$(grep -o '`[^`]*\.h`' <<<"$line" | tr -d '`')
	for f in $(git ls-files '*.c' '*.h' | grep -v "^$t/" | grep -Ev '^(tests|bench)/'); do
		while read -r inc; do
			h=${inc#"$t/"}
			[ "$all" = 1 ] && continue
			grep -qxF "$h" <<<"$public" && continue
			echo "$f: includes $inc, which $t/README.md does not list as public"
			bad=1
		done < <(grep -oE "^#include \"$t/[^\"]+\"" "$f" | sed 's/#include "\(.*\)"/\1/')
	done
done
exit $bad
