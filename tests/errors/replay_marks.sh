# SPDX-License-Identifier: MIT
# replay_marks: `rewind replay -a -M` prefixes each write to stdout/stderr
# with "[rewind PID EVENT]": PID is the recorded pid (read_write prints it
# first), event numbers increase, and without the marks the output is the
# recording's.
set -u
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"

record_to "$WORK/rec" "$PROGS/read_write" ||
	fail "record failed with status $(cat "$WORK/rec.status"): $(tail -n 1 "$WORK/rec.err")"
trace=$(find_trace "$REWIND_TRACE_DIR" 2>&1) || fail "$trace"
pid=$(sed -n '1s/^pid \([0-9]*\)$/\1/p' "$WORK/rec.out")
[ -n "$pid" ] || fail "read_write's first line is not its pid"

run_to "$WORK/replay" "$REWIND" replay -a -M "$trace"
st=$?
[ "$st" -eq 0 ] || fail "replay -a -M exited $st: $(tail -n 1 "$WORK/replay.err")"
mark='\[rewind [0-9]+ [0-9]+\]'
for s in out err; do
	grep -qE "^$mark" "$WORK/replay.$s" || fail "no line of std$s starts with a mark: $(head -n 1 "$WORK/replay.$s")"
	sed -E "s/$mark ?//g" "$WORK/replay.$s" >"$WORK/stripped.$s"
	cmp -s "$WORK/rec.$s" "$WORK/stripped.$s" ||
		fail "std$s without its marks differs from the recording: $(show_diff "$WORK/rec.$s" "$WORK/stripped.$s" recording replay | sed -n 4,5p | tr '\n' '|')"
done
grep -oE "$mark" "$WORK/replay.out" | tr -d '[]' >"$WORK/marks"
why=$(awk -v pid="$pid" '
	$2 != pid { print "a mark names pid " $2 ", the recording had " pid; exit 1 }
	NR > 1 && $3 <= last { print "event numbers do not increase: " last " then " $3; exit 1 }
	{ last = $3 }' "$WORK/marks") || fail "$why"
