# SPDX-License-Identifier: MIT
# truncated_trace: a trace whose events file (then, separately, its data
# file) lost its second half, as after a full disk or a copy cut short.
# Replay must not crash: exit status 1..127, the last line on stderr starts
# "rewind: ", and what it printed is a prefix of the recording's output.
set -u
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"

record_to "$WORK/rec" "$PROGS/stdio_buffered" ||
	fail "record failed with status $(cat "$WORK/rec.status"): $(tail -n 1 "$WORK/rec.err")"
trace=$(find_trace "$REWIND_TRACE_DIR" 2>&1) || fail "$trace"

for f in events data; do
	copy=$WORK/cut-$f
	cp -r "$trace" "$copy" || fail "cannot copy the trace"
	[ -f "$copy/$f" ] || fail "the trace has no '$f' file"
	size=$(wc -c <"$copy/$f")
	[ "$size" -ge 2 ] || fail "'$f' is only $size bytes"
	truncate -s $((size / 2)) "$copy/$f" || fail "cannot truncate"
	run_to "$WORK/replay-$f" "$REWIND" replay -a "$copy"
	why=$(check_error "$?" "$WORK/replay-$f.err") || fail "replay with '$f' cut to half: $why"
	is_prefix "$WORK/replay-$f.out" "$WORK/rec.out" ||
		fail "replay with '$f' cut to half printed what the recording did not"
	echo "'$f' cut from $size to $((size / 2)) bytes: $(tail -n 1 "$WORK/replay-$f.err")"
done
