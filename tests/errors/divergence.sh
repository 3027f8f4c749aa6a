# SPDX-License-Identifier: MIT
# divergence: replay must notice when execution differs from the recording.
# The copy of the program saved in the trace gets an int3 written over the
# first instruction of main(), so replay traps where the recording made a
# syscall: replay -a must stop with one line naming the event, print nothing
# the recording did not print, and exit non-zero below 128.
set -u
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"

command -v nm >/dev/null || skip "nm is not installed"
record_to "$WORK/rec" "$PROGS/read_write" ||
	fail "record failed with status $(cat "$WORK/rec.status"): $(tail -n 1 "$WORK/rec.err")"
trace=$(find_trace "$REWIND_TRACE_DIR" 2>&1) || fail "$trace"
copy=$(find "$trace/files" -name '*-read_write' | head -n 1)
[ -n "$copy" ] || fail "the trace holds no copy of the program: $(ls "$trace/files")"
# In a gcc PIE the text segment's file offsets equal its addresses.
addr=$(nm "$copy" | awk '$3 == "main" { print $1 }')
[ -n "$addr" ] || fail "no symbol main in $copy"
chmod u+w "$copy"
printf '\314' | dd of="$copy" bs=1 seek=$((16#$addr)) conv=notrunc status=none ||
	fail "cannot patch $copy"

run_to "$WORK/replay" "$REWIND" replay -a "$trace"
why=$(check_error "$?" "$WORK/replay.err" "replay diverged at event" whole) ||
	fail "replay of a tampered trace: $why"
grep -q "SIGTRAP" "$WORK/replay.err" || fail "the error does not name the trap: $(cat "$WORK/replay.err")"
cat "$WORK/replay.err"
