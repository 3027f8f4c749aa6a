# SPDX-License-Identifier: MIT
# record_without_traps: a recording made with REWIND_TRAPS=0 keeps each
# signal's point where it landed, which can be right after a syscall (the
# recorder moves points to a patchable instruction only when traps are
# on). timer_loop's SIGPROF lands there often: its replay must deliver the
# signal at that point, with traps and without.
set -u
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"

REWIND_TRAPS=0 record_to "$WORK/rec" "$PROGS/timer_loop" ||
	fail "record failed with status $(cat "$WORK/rec.status"): $(tail -n 1 "$WORK/rec.err")"
trace=$(find_trace "$REWIND_TRACE_DIR" 2>&1) || fail "$trace"
for traps in 1 0; do
	REWIND_TRAPS=$traps run_to "$WORK/replay$traps" "$REWIND" replay -a "$trace"
	st=$?
	[ "$st" -eq 0 ] || fail "replay with REWIND_TRAPS=$traps exited $st: $(tail -n 1 "$WORK/replay$traps.err")"
	cmp -s "$WORK/rec.out" "$WORK/replay$traps.out" ||
		fail "replay with REWIND_TRAPS=$traps printed something else: $(show_diff "$WORK/rec.out" "$WORK/replay$traps.out" recording replay | sed -n 4,5p | tr '\n' '|')"
done
echo "$(grep -c '^signal' "$WORK/rec.out") signals replayed at their points, with traps and without"
