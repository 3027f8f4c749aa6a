# SPDX-License-Identifier: MIT
# thread_exec: execve from a thread other than the main one is not recorded
# yet. The recorder must stop with one clear line (it used to hang: the
# exec waits for the killed main thread, whose exit stop was never
# resumed), and the trace must replay up to the cut.
set -u
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"

record_to "$WORK/rec" "$PROGS/thread_exec"
why=$(check_error "$(cat "$WORK/rec.status")" "$WORK/rec.err" \
	"exec from a thread other than the main one is not supported") || fail "record: $why"
trace=$(find_trace "$REWIND_TRACE_DIR" 2>&1) || fail "$trace"
run_to "$WORK/replay" "$REWIND" replay -a "$trace"
why=$(check_error "$(cat "$WORK/replay.status")" "$WORK/replay.err" "recording was cut short") ||
	fail "replay: $why"
cmp -s "$WORK/rec.out" "$WORK/replay.out" ||
	fail "replay printed something else: $(show_diff "$WORK/rec.out" "$WORK/replay.out" recording replay | sed -n 4,5p | tr '\n' '|')"
echo "record stopped at the exec with: $(tail -n 1 "$WORK/rec.err" | cut -c 1-100)"
