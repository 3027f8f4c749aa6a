# SPDX-License-Identifier: MIT
# killed_recorder: record ticker (a line every millisecond for 10 s), kill -9
# the recorder after about a second of output, and replay what it left.
# The streams are written in independently compressed blocks, so replay must
# print a non-empty prefix of what the recording printed, then stop with one
# line "rewind: ..." and an exit status of 1..127.
set -u
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"

tracee=
reap_tracee()
{
	# The recorded ticker may outlive its recorder; it is ours to end.
	if [ -n "$tracee" ] && [ "$(cat "/proc/$tracee/comm" 2>/dev/null)" = ticker ]; then
		kill -9 "$tracee" 2>/dev/null
	fi
}
trap reap_tracee EXIT

# shellcheck disable=SC2086
"$REWIND" record $REWIND_TEST_EXTRA_FLAGS "$PROGS/ticker" 10000 </dev/null \
	>"$WORK/rec.out" 2>"$WORK/rec.err" &
recorder=$!

# Wait for about a second of ticks (1000 lines), at most 60 s.
for _ in $(seq 600); do
	[ "$(wc -l <"$WORK/rec.out")" -lt 1000 ] || break
	kill -0 "$recorder" 2>/dev/null || break
	sleep 0.1
done
lines=$(wc -l <"$WORK/rec.out")
kill -0 "$recorder" 2>/dev/null ||
	fail "the recorder ended before it was killed, after $lines lines: $(tail -n 1 "$WORK/rec.err")"
kill -9 "$recorder"
wait "$recorder" 2>/dev/null
tracee=$(sed -n '1s/^pid \([0-9]*\)$/\1/p' "$WORK/rec.out")
[ -n "$tracee" ] || fail "ticker's first line is not its pid: $(head -n 1 "$WORK/rec.out")"
[ "$lines" -ge 1000 ] || fail "only $lines lines of output after 60 s"
reap_tracee
for _ in $(seq 50); do
	[ -e "/proc/$tracee" ] || break
	sleep 0.1
done

trace=$(find_trace "$REWIND_TRACE_DIR" 2>&1) || fail "$trace"
run_to "$WORK/replay" "$REWIND" replay -a "$trace"
why=$(check_error "$?" "$WORK/replay.err" "" whole) || fail "replay of the killed recording: $why"
[ -s "$WORK/replay.out" ] || fail "replay printed nothing: the recorder wrote no complete block in $lines ticks"
is_prefix "$WORK/replay.out" "$WORK/rec.out" ||
	fail "replay printed what the recording did not: $(show_diff "$WORK/rec.out" "$WORK/replay.out" recording replay | sed -n 4,6p | tr '\n' '|')"
echo "replayed $(wc -l <"$WORK/replay.out") of $(wc -l <"$WORK/rec.out") lines: $(cat "$WORK/replay.err")"
