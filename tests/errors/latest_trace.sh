# SPDX-License-Identifier: MIT
# latest_trace: `rewind replay -a` with no trace replays the latest recording
# in $REWIND_TRACE_DIR.
set -u
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"

record_to "$WORK/first" "$PROGS/pipe" || fail "recording pipe failed: $(tail -n 1 "$WORK/first.err")"
sleep 1 # distinct timestamps, whatever "latest" is based on
record_to "$WORK/second" "$PROGS/getrandom" ||
	fail "recording getrandom failed: $(tail -n 1 "$WORK/second.err")"
run_to "$WORK/replay" "$REWIND" replay -a
st=$?
[ "$st" -eq 0 ] || fail "replay -a without a trace exited $st: $(tail -n 1 "$WORK/replay.err")"
cmp -s "$WORK/second.out" "$WORK/replay.out" ||
	fail "replay -a without a trace did not replay the latest recording: $(head -n 1 "$WORK/replay.out")"
