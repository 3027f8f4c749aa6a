#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/threads.sh: recording and replaying threads and process trees.
# For each workload: native, rewind record and rewind replay -a times
# (hyperfine), then from one recording the events that name thread
# switches (rewind dump -s: clone, enter, sched), the state-identified
# points, and how each point was found at replay (REWIND_LOG=replay:debug:
# by an in-tracee trap after N hits, or by a hardware breakpoint).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/rewind ] || { echo "bench/threads.sh: build/rewind is missing; run make" >&2; exit 1; }
make -s progs
RUNS=${RUNS:-3}
dir=$(mktemp -d "${TMPDIR:-/tmp}/rewind-threads.XXXXXX")
trap 'rm -rf "$dir"' EXIT
rw=$PWD/build/rewind
P=$PWD/build/tests/progs
head -c 1500000 /dev/urandom | base64 >"$dir/text"

# The mean (ms) of a one-command hyperfine markdown export.
mean() { tail -n 1 "$1" | cut -d'|' -f3 | sed 's/ //g'; }

bench() # NAME RECORD-FLAGS COMMAND...
{
	local name=$1 flags=$2
	shift 2
	echo "== $name: $*"
	hyperfine -N --time-unit millisecond --runs "$RUNS" --warmup 1 "$*" --export-markdown "$dir/n.md" >/dev/null
	# shellcheck disable=SC2086
	hyperfine --time-unit millisecond --runs "$RUNS" --prepare "rm -rf $dir/r" \
		"$rw record $flags -o $dir/r $*" --export-markdown "$dir/r.md" >/dev/null
	rm -rf "$dir/t"
	# shellcheck disable=SC2086
	"$rw" record $flags -o "$dir/t" "$@" >/dev/null
	hyperfine --time-unit millisecond --runs "$RUNS" "$rw replay -a $dir/t" --export-markdown "$dir/p.md" >/dev/null
	printf "  native %s ms, record %s ms, replay %s ms\n" "$(mean "$dir/n.md")" \
		"$(mean "$dir/r.md")" "$(mean "$dir/p.md")"
	"$rw" dump -s "$dir/t" | awk '/^memory written/ { done = 1 }
		!done && $1 ~ /^(clone|enter|sched)$/ { printf "  %s %s", $1, $2 }
		/^state-identified/ { printf "  points %s\n", $3 }'
	REWIND_LOG=replay:debug "$rw" replay -a "$dir/t" 2>&1 >/dev/null |
		grep -oE "found after [0-9]+ hits( \(conditional trap\))?" |
		awk '{ n++; h += $3; t += /trap/ } END { if (n) printf "  points found: %d (%d by a trap), %d hits in all, %.1f per point\n", n, t, h, h / n }' ||
		true
}

bench spin_token_c5ms "-c 5000" "$P/spin_token"
bench timer_noloop "" "$P/timer_noloop"
bench racy_counter "" "$P/threads_racy_counter"
bench mutex_condvar "" "$P/threads_mutex_condvar"
bench fork_tree_pipes "" "$P/fork_tree_pipes"
bench xz_T2 "" xz -T2 -c "$dir/text"
