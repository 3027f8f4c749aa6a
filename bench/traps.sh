#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/traps.sh: what in-tracee conditional traps (src/trap) save.
#  1. bench/timer_nosys.c (40 signals in a loop without syscalls): rewind
#     record, then rewind replay -a with traps and with REWIND_TRAPS=0
#     (hyperfine), and the per-point hit counts (REWIND_LOG=replay:debug).
#  2. bench/cond_break.c (f called 100,000 times, with a time() syscall
#     before each call and without): gdb's wall time for
#     `break f if i == 99999` + `continue`, with traps, without, and with
#     gdb evaluating the condition itself.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/rewind ] || { echo "bench/traps.sh: build/rewind is missing; run make" >&2; exit 1; }
RUNS=${RUNS:-5}
dir=$(mktemp -d "${TMPDIR:-/tmp}/rewind-traps.XXXXXX")
cp build/rewind "$dir/rewind"
rw="$dir/rewind"
gcc -O1 -g -o "$dir/timer_nosys" bench/timer_nosys.c
gcc -O1 -g -o "$dir/cond_break" bench/cond_break.c

echo "== timer_nosys: record, replay with traps, replay with REWIND_TRAPS=0"
hyperfine -N --runs "$RUNS" --warmup 1 "$dir/timer_nosys" \
	--export-markdown "$dir/native.md" >/dev/null
hyperfine --runs "$RUNS" --warmup 1 --prepare "rm -rf $dir/t.rec" \
	"$rw record -o $dir/t.rec $dir/timer_nosys" --export-markdown "$dir/record.md" >/dev/null
"$rw" record -o "$dir/t.trace" "$dir/timer_nosys" >"$dir/t.rec.out"
hyperfine --runs "$RUNS" --warmup 1 "$rw replay -a $dir/t.trace" \
	--export-markdown "$dir/replay.md" >/dev/null
for f in native record replay; do tail -n 1 "$dir/$f.md"; done
REWIND_LOG=replay:debug "$rw" replay -a "$dir/t.trace" 2>&1 >/dev/null |
	grep -c "(conditional trap)" | sed 's/^/state points found by a trap: /'
# Without traps each point costs millions of stops: run for LIMIT seconds and extrapolate.
LIMIT=${LIMIT:-60}
start=$(date +%s.%N)
REWIND_TRAPS=0 REWIND_LOG=replay:debug timeout "$LIMIT" "$rw" replay -a "$dir/t.trace" \
	2>"$dir/replay0.log" >/dev/null || true
took=$(echo "$(date +%s.%N) - $start" | bc)
grep -oE "after [0-9]+ hits" "$dir/replay0.log" | awk -v t="$took" '
	{ s += $2; n++ }
	END { printf "REWIND_TRAPS=0: %d of 40 points in %.1f s, %d hits (%.1f s, %d hits a point)\n",
		n, t, s, n ? t / n : 0, n ? s / n : 0 }' || true

echo "== cond_break: break f if i == 99999; continue"
# "sys": a time() syscall before each call (100,000 events to replay on the way);
# "pure": no syscall at all. host: gdb evaluates the condition itself, one stop
# per call (the baseline; HOST=0 skips it, it takes over a minute).
cat >"$dir/c.gdb" <<'GDB'
maint set per-command time on
break f if i == 99999
continue
print i
GDB
sed '1i set breakpoint condition-evaluation host' "$dir/c.gdb" >"$dir/h.gdb"
for variant in sys pure; do
	arg=; [ "$variant" = pure ] && arg=pure
	"$rw" record -o "$dir/c-$variant.trace" "$dir/cond_break" $arg >/dev/null
	for mode in traps notraps host; do
		[ "$mode" = host ] && [ "${HOST:-1}" = 0 ] && continue
		script="$dir/c.gdb"; traps=1
		[ "$mode" = notraps ] && traps=0
		[ "$mode" = host ] && script="$dir/h.gdb"
		REWIND_TRAPS=$traps "$rw" replay "$dir/c-$variant.trace" -- -batch -nx -x "$script" \
			>"$dir/c.out" 2>&1
		printf '%-4s %-8s continue %s s wall, %s\n' "$variant" "$mode" \
			"$(grep -oE '[0-9.]+ \(wall\)' "$dir/c.out" | sed -n 2p | cut -d' ' -f1)" \
			"$(grep -E '^\$1' "$dir/c.out")"
	done
done
rm -rf "$dir"
