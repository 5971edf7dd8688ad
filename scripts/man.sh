#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# man.sh DOC.md OUT: a roff man page from one of docs/*.1.md, with Debian's go-md2man.  The
# page's first line, "# NAME(1) — what it is", becomes the title and the NAME section.
set -eu
src=${1:?usage: man.sh DOC.md OUT}
out=${2:?usage: man.sh DOC.md OUT}
first=$(head -n 1 "$src")
name=$(printf '%s\n' "$first" | sed -n 's/^# \([a-z-]*\)(\([0-9]\)).*/\1/p')
sect=$(printf '%s\n' "$first" | sed -n 's/^# \([a-z-]*\)(\([0-9]\)).*/\2/p')
what=$(printf '%s\n' "$first" | sed -n 's/^# [^—]*— *//p')
[ -n "$name" ] && [ -n "$sect" ] && [ -n "$what" ] ||
	{ echo "man.sh: $src: the first line must be '# NAME(N) — summary'" >&2; exit 1; }
upper=$(printf '%s' "$name" | tr 'a-z' 'A-Z')
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
{
	printf '%% %s %s "%s" "hull %s" "hull manual"\n\n' "$upper" "$sect" \
		"${HULL_MAN_DATE:-$(date -u +%Y-%m-%d)}" "${HULL_VERSION:-}"
	printf '# NAME\n\n%s - %s\n\n' "$name" "$what"
	tail -n +2 "$src"
} >"$tmp"
mkdir -p "$(dirname "$out")"
go-md2man -in "$tmp" -out "$out"
