# SPDX-License-Identifier: MIT
# trace_layout: `rewind record -o DIR` writes the trace to DIR, which holds
# the files version (one line with the format number), header, events, data, mmaps and the folder
# files/; `replay -a DIR` reproduces the recording.
set -u
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"

trace=$WORK/my-trace
record_to "$WORK/rec" -o "$trace" "$PROGS/read_write" ||
	fail "record -o failed with status $(cat "$WORK/rec.status"): $(tail -n 1 "$WORK/rec.err")"
[ -d "$trace" ] || fail "record -o $trace made no such folder"
for f in version header events data mmaps; do
	[ -f "$trace/$f" ] || fail "the trace has no file '$f'"
done
[ -d "$trace/files" ] || fail "the trace has no folder 'files'"
[ -s "$trace/events" ] || fail "'events' is empty"
if [ "$(wc -l <"$trace/version")" -ne 1 ] || ! grep -q '[0-9]' "$trace/version"; then
	fail "'version' is not one line holding a number"
fi
run_to "$WORK/replay" "$REWIND" replay -a "$trace"
st=$?
cmp -s "$WORK/rec.out" "$WORK/replay.out" || fail "replay's stdout differs from the recording's"
cmp -s "$WORK/rec.err" "$WORK/replay.err" || fail "replay's stderr differs from the recording's"
[ "$st" -eq 0 ] || fail "replay exited $st"
