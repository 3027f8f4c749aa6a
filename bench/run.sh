#!/usr/bin/env bash
# Benchmark rewind: native vs `rewind record` vs `strace -f` vs `rewind replay -a`
# on a few workloads, plus a getppid() micro-benchmark. See bench/README.md.
#
# Usage: bench/run.sh            (from anywhere; needs build/rewind, hyperfine,
#                                 strace, gcc, /usr/bin/python3, /usr/bin/sqlite3)
# Environment: RUNS   timed runs per command (default 5; plus one warmup run)
set -euo pipefail

RUNS=${RUNS:-5}

cd "$(dirname "$0")/.."
root=$PWD
if [[ ! -x build/rewind ]]; then
	echo "run.sh: build/rewind not found; run 'make' first" >&2
	exit 1
fi
for tool in hyperfine strace gcc /usr/bin/python3 /usr/bin/sqlite3; do
	if ! command -v "$tool" >/dev/null; then
		echo "run.sh: $tool not found" >&2
		exit 1
	fi
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/rewind-bench.XXXXXX")
echo "scratch dir: $scratch"
summary=$scratch/summary.txt

# Use a copy of the binary, so a rebuild during the run cannot mix versions
# (the trace format may change between builds).
rewind=$scratch/rewind
cp build/rewind "$rewind"
echo "rewind: build/rewind of $(date -r build/rewind '+%F %T'), tree $(git describe --always --dirty 2>/dev/null || echo unknown)"
echo "machine: $(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), kernel $(uname -r)"

# Build the C workloads and the SQL script.
gcc -O2 -Wall -o "$scratch/cpu_bound" bench/cpu_bound.c
gcc -O2 -Wall -o "$scratch/getppid_loop" bench/getppid_loop.c
awk 'BEGIN {
	print "CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v TEXT);"
	print "BEGIN;"
	for (i = 1; i <= 20000; i++)
		printf "INSERT INTO t(k, v) VALUES (%d, \047value-%d\047);\n", (i * 7919) % 1000, i
	print "COMMIT;"
	print "CREATE INDEX t_k ON t(k);"
	print "SELECT k % 10, count(*), sum(length(v)) FROM t GROUP BY k % 10 ORDER BY 1;"
}' >"$scratch/sqlite.sql"

# Events in a trace, from `rewind dump -s` output on stdin: the sum of the
# per-kind counts. (The first line, "events: N", is printed too, but it said
# 0 in builds before commit e6b5569.)
trace_events() {
	awk 'NR == 1 { next } /^memory written/ { exit } { n += $2 } END { print n + 0 }'
}

# Mean of one named command in a hyperfine CSV export, in seconds.
csv_mean() {
	awk -F, -v name="$2" '$1 == name { print $2 }' "$1"
}

# bench NAME COMMAND: one hyperfine comparison for one workload.
bench() {
	local name=$1 cmd=$2
	local trace=$scratch/$name.trace rec=$scratch/$name.rec
	local err=$scratch/$name.err
	# One --prepare per command: a single one would run before all of them.
	local -a cmds=(-n native --prepare true "$cmd")
	local record_ok=1 replay_ok=1

	echo
	echo "=== $name: $cmd"
	# One recording made beforehand, for the replay runs and the trace stats.
	if ! bash -c "'$rewind' record -o '$trace' -- $cmd" >/dev/null 2>"$err"; then
		echo "$name: record FAILED: $(grep -m1 rewind "$err" || tail -n1 "$err")"
		record_ok=0
		replay_ok=0
	elif ! "$rewind" replay -a "$trace" >/dev/null 2>"$err"; then
		echo "$name: replay FAILED: $(grep -m1 rewind "$err" || tail -n1 "$err")"
		replay_ok=0
	fi
	if ((record_ok)); then
		cmds+=(-n record --prepare "rm -rf '$rec'" "'$rewind' record -o '$rec' -- $cmd")
	fi
	cmds+=(-n strace --prepare true "strace -f -o /dev/null $cmd")
	if ((replay_ok)); then
		cmds+=(-n replay --prepare true "'$rewind' replay -a '$trace'")
	fi

	hyperfine --warmup 1 --runs "$RUNS" \
		--export-markdown "$scratch/$name.md" --export-csv "$scratch/$name.csv" \
		"${cmds[@]}"
	cat "$scratch/$name.md"

	if ((record_ok)); then
		local stats events size own native record replay
		stats=$("$rewind" dump -s "$trace")
		events=$(trace_events <<<"$stats")
		size=$(du -sh "$trace" | cut -f1)
		# Mapped files are hard links where possible: count only the files
		# with no other link, i.e. the disk space the trace really adds.
		own=$(find "$trace" -type f -links 1 -printf '%b\n' |
			awk '{ k += $1 / 2 } END { printf(k < 1024 ? "%dK" : "%.1fM", k < 1024 ? k : k / 1024) }')
		native=$(csv_mean "$scratch/$name.csv" native)
		record=$(csv_mean "$scratch/$name.csv" record)
		replay=$(csv_mean "$scratch/$name.csv" replay)
		echo "${stats%%$'\n'*} (sum of kinds: $events), trace size $size ($own not hard-linked)"
		awk -v n="$name" -v e="$events" -v s="$size" -v o="$own" \
			-v t0="$native" -v tr="$record" -v tp="$replay" '
			# Per-event cost only means something when events dominate.
			function us(t) { return t == "" || e < 5000 ? "-" : sprintf("%.2f", (t - t0) / e * 1e6) }
			function x(t) { return t == "" ? "-" : sprintf("%.2fx", t / t0) }
			BEGIN { printf "%-10s %9d %8s %8s %8s %8s %13s %13s\n",
				n, e, s, o, x(tr), x(tp), us(tr), us(tp) }' >>"$summary"
	fi
}

printf '%-10s %9s %8s %8s %8s %8s %13s %13s\n' workload events du-size own record replay \
	"rec us/event" "rep us/event" >"$summary"

# Commands are shell strings: hyperfine runs each through a shell, and the
# recording made beforehand goes through `bash -c` the same way, so a
# redirection applies to rewind/strace and the traced program inherits it.
bench ls_lR "ls -lR /usr/share >/dev/null"
bench cpu_bound "'$scratch/cpu_bound'"
bench python "/usr/bin/python3 '$root/bench/mixed.py'"
bench sqlite "/usr/bin/sqlite3 :memory: '.read $scratch/sqlite.sql'"
bench getppid "'$scratch/getppid_loop'"

echo
echo "=== summary (record/replay: mean time relative to native;"
echo "    us/event: (mean - native mean) / events, for workloads with >= 5000 events)"
cat "$summary"
echo
echo "per-syscall recording overhead, ls -lR: $(awk '$1 == "ls_lR" { print $7 }' "$summary") us"
echo "getppid: record $(awk '$1 == "getppid" { print $7 }' "$summary") us/syscall," \
	"replay $(awk '$1 == "getppid" { print $8 }' "$summary") us/syscall"
echo "results in $scratch"
