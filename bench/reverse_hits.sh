#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/reverse_hits.sh: reverse-continue to a breakpoint hit about 100,000
# times a second (bench/hot_calls.c, about 6 s natively): continue to mark()
# 5 s in, set `break f`, then reverse-continue twice. Prints gdb's wall time
# per command (maint set per-command time on) and the arguments of the two
# calls found, which must be the last two before mark().
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/rewind ] || { echo "bench/reverse_hits.sh: build/rewind is missing; run make" >&2; exit 1; }
command -v gdb >/dev/null || { echo "bench/reverse_hits.sh: gdb is not installed" >&2; exit 1; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/rewind-rchits.XXXXXX")
trap 'rm -rf "$dir"' EXIT
gcc -O1 -g -o "$dir/hot_calls" bench/hot_calls.c
start=$(date +%s.%N)
build/rewind record -o "$dir/trace" "$dir/hot_calls" >"$dir/rec.out"
record=$(echo "$(date +%s.%N) - $start" | bc)
cat >"$dir/script.gdb" <<'GDB'
maint set per-command time on
break mark
continue
break f
reverse-continue
print i
reverse-continue
print i
monitor stats
GDB
build/rewind replay "$dir/trace" -- -batch -nx -x "$dir/script.gdb" >"$dir/gdb.out" 2>&1
printf 'record:                %6.2f s (%s)\n' "$record" "$(head -n 1 "$dir/rec.out")"
mapfile -t times < <(grep -oE '[0-9.]+ \(wall\)' "$dir/gdb.out" | cut -d' ' -f1)
labels=("break mark" "continue to mark (5 s)" "break f" "reverse-continue" "print i"
	"reverse-continue again" "print i" "monitor stats")
for i in "${!times[@]}"; do
	[ "$i" -lt "${#labels[@]}" ] && printf '  %-28s %8.3f s\n' "${labels[$i]}" "${times[$i]}"
done
grep -E '^\$[0-9]+ = ' "$dir/gdb.out" | tr '\n' ' '
echo
