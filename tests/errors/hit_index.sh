# SPDX-License-Identifier: MIT
# hit_index: reverse-continue keeps where breakpoints were hit in the trace
# folder (hits-FOCUS), and the next debugging session of the recording
# answers from it: the same stops as the session that scanned, without
# scanning again. A hit index that does not parse is ignored and rewritten.
set -u
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"

command -v gdb >/dev/null || skip "gdb is not installed"
record_to "$WORK/rec" "$PROGS/gdb_hits" ||
	fail "record failed with status $(cat "$WORK/rec.status"): $(tail -n 1 "$WORK/rec.err")"
trace=$(find_trace "$REWIND_TRACE_DIR" 2>&1) || fail "$trace"
last=$(rec_value "$WORK/rec.out" last) || fail "gdb_hits printed no 'last' line"

# session NAME: the gdb script of reverse_continue_hits, with the scans logged;
# $WORK/NAME.k gets the values of k it printed.
session()
{
	REWIND_LOG=replay:debug run_log "$WORK/$1" "$REWIND" replay "$trace" -- -batch -nx \
		-x "$TESTS/gdb/reverse_continue_hits.gdb"
	local st=$?
	[ "$st" -eq 0 ] || fail "session $1: rewind replay exited $st: $(grep -v '^\[ev' "$WORK/$1.log" | tail -n 2 | tr '\n' ' ')"
	grep '^k=' "$WORK/$1.log" >"$WORK/$1.k"
	printf 'k=%s\nk=11999\nk=11998\nk=5000\n' "$last" | cmp -s - "$WORK/$1.k" ||
		fail "session $1 stopped at $(tr '\n' ' ' <"$WORK/$1.k"), expected k=$last 11999 11998 5000"
}

session first
[ -s "$trace/hits-0" ] || fail "the first session left no hit index in the trace folder"
grep -q 'reverse-continue: .* hits before event' "$WORK/first.log" ||
	fail "the first session did not bisect a scan with many hits"
cp "$trace/hits-0" "$WORK/index"

session second
! grep -q 'reverse-continue: .* hits before event' "$WORK/second.log" ||
	fail "the second session scanned again instead of using the index"
cmp -s "$WORK/index" "$trace/hits-0" || fail "the second session changed an index it only read"

printf 'rewind-hits 1 focus 0\nbp 0 zz\n' >"$trace/hits-0"
session garbled
head -n 1 "$trace/hits-0" | grep -q '^rewind-hits 1 focus 0$' ||
	fail "a garbled index was not rewritten: $(head -n 2 "$trace/hits-0" | tr '\n' ' ')"
echo "$(grep -c '^h ' "$WORK/index") intervals with hits indexed; second session from the index"
