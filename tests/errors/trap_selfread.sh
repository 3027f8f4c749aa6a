# SPDX-License-Identifier: MIT
# trap_selfread: a program that reads its own code while replay has a trap
# patched into it must read the original bytes. timer_selfread's signals
# land on a 7-byte add that replay finds with a trap, and the loop folds
# that add's bytes into the value it prints. Replay must notice the read
# (the debug log says so), put the program back and find the point
# without the trap; both replays print what the recording printed.
set -u
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"

[ "${REWIND_TRAPS:-1}" != 0 ] || skip "REWIND_TRAPS=0: no trap to guard"

record_to "$WORK/rec" "$PROGS/timer_selfread" ||
	fail "record failed with status $(cat "$WORK/rec.status"): $(tail -n 1 "$WORK/rec.err")"
trace=$(find_trace "$REWIND_TRACE_DIR" 2>&1) || fail "$trace"
for i in 1 2; do
	REWIND_LOG=replay:debug run_to "$WORK/replay$i" "$REWIND" replay -a "$trace"
	st=$?
	[ "$st" -eq 0 ] || fail "replay $i exited $st: $(grep -v ' debug: ' "$WORK/replay$i.err" | tail -n 1)"
	cmp -s "$WORK/rec.out" "$WORK/replay$i.out" ||
		fail "replay $i printed something else: $(show_diff "$WORK/rec.out" "$WORK/replay$i.out" recording replay | sed -n 4,5p | tr '\n' '|')"
	undone=$(grep -c "touched the trap's bytes" "$WORK/replay$i.err")
	[ "$undone" -gt 0 ] || fail "replay $i never saw the program read a trap's bytes"
done
echo "$(grep -c '^signal' "$WORK/rec.out") signals replayed; $undone point searches undone and made again without their trap"
