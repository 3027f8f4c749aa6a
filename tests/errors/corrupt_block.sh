# SPDX-License-Identifier: MIT
# corrupt_block: invert one byte in the middle of the events file (then,
# separately, of the data file) of a trace. Every block carries a checksum,
# so replay must stop with one line "rewind: ... corrupt ..." and an exit
# status of 1..127, having printed at most a prefix of the recording's output.
# (The program, getrandom, writes nothing to stderr.)
set -u
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"

record_to "$WORK/rec" "$PROGS/getrandom" ||
	fail "record failed with status $(cat "$WORK/rec.status"): $(tail -n 1 "$WORK/rec.err")"
[ ! -s "$WORK/rec.err" ] || fail "getrandom wrote to stderr when recorded: $(head -n 1 "$WORK/rec.err")"
trace=$(find_trace "$REWIND_TRACE_DIR" 2>&1) || fail "$trace"

for f in events data; do
	copy=$WORK/flip-$f
	cp -r "$trace" "$copy" || fail "cannot copy the trace"
	[ -f "$copy/$f" ] || fail "the trace has no '$f' file"
	size=$(wc -c <"$copy/$f")
	[ "$size" -ge 2 ] || fail "'$f' is only $size bytes"
	flip_byte "$copy/$f" $((size / 2)) || fail "cannot change byte $((size / 2)) of '$f'"
	cmp -s "$trace/$f" "$copy/$f" && fail "flip_byte changed nothing"
	run_to "$WORK/replay-$f" "$REWIND" replay -a "$copy"
	why=$(check_error "$?" "$WORK/replay-$f.err" corrupt whole) ||
		fail "replay with byte $((size / 2)) of '$f' inverted: $why"
	is_prefix "$WORK/replay-$f.out" "$WORK/rec.out" ||
		fail "replay with a corrupt '$f' printed what the recording did not"
	echo "'$f' byte $((size / 2)) of $size: $(cat "$WORK/replay-$f.err")"
done
