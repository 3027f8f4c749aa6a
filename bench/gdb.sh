#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/gdb.sh: reverse-execution figures on a recording of bench/long_run.c
# (about 10 s natively): gdb's own per-command wall time for starting at the
# first instruction, continuing to a breakpoint near the end, reverse-continue
# to the last write of a watched variable (~1 s earlier), reverse-stepi, a
# second reverse-continue, and the checkpoints' count and memory.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/rewind ] || { echo "bench/gdb.sh: build/rewind is missing; run make" >&2; exit 1; }
command -v gdb >/dev/null || { echo "bench/gdb.sh: gdb is not installed" >&2; exit 1; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/rewind-gdbbench.XXXXXX")
gcc -O1 -g -o "$dir/long_run" bench/long_run.c
start=$(date +%s.%N)
"$dir/long_run" >/dev/null
native=$(echo "$(date +%s.%N) - $start" | bc)
start=$(date +%s.%N)
build/rewind record -o "$dir/trace" "$dir/long_run" >/dev/null
record=$(echo "$(date +%s.%N) - $start" | bc)
start=$(date +%s.%N)
build/rewind replay "$dir/trace" -- -batch -nx -ex 'info registers rip' >/dev/null 2>&1
first=$(echo "$(date +%s.%N) - $start" | bc)
cat >"$dir/script.gdb" <<'GDB'
maint set per-command time on
break finish
continue
watch -l phase
reverse-continue
reverse-stepi
reverse-continue
monitor stats
GDB
start=$(date +%s.%N)
build/rewind replay "$dir/trace" -- -batch -nx -x "$dir/script.gdb" >"$dir/gdb.out" 2>&1
total=$(echo "$(date +%s.%N) - $start" | bc)
printf 'native run:            %6.2f s\n' "$native"
printf 'record:                %6.2f s\n' "$record"
printf 'gdb at the first instruction (start, one command, quit): %6.2f s\n' "$first"
printf 'whole gdb session:     %6.2f s\n' "$total"
mapfile -t times < <(grep -oE '[0-9.]+ \(wall\)' "$dir/gdb.out" | cut -d' ' -f1)
labels=("break finish" "continue to the end" "watch -l phase" "reverse-continue (~1 s back)"
	"reverse-stepi" "reverse-continue (~1 s further)" "monitor stats")
for i in "${!times[@]}"; do
	[ "$i" -lt "${#labels[@]}" ] && printf '  %-32s %8.3f s\n' "${labels[$i]}" "${times[$i]}"
done
grep -E "^Checkpoints:" "$dir/gdb.out" || true
grep -E "Old value|New value" "$dir/gdb.out" | tr '\n' ' '
echo
rm -rf "$dir"
