# SPDX-License-Identifier: MIT
# gdb_interrupt: Ctrl-C in gdb while the replay computes (no event for a
# second) stops it where it is: gdb reports SIGINT, and the program can be
# examined there ('monitor when' answers) and reversed from.
set -u
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"

command -v gdb >/dev/null || skip "gdb is not installed"
st=$(record_busy_loop 1.5)
[ "$st" -eq 130 ] || fail "record exited with $st, expected 130"
trace=$(find_trace "$REWIND_TRACE_DIR" 2>&1) || fail "$trace"

"$REWIND" replay "$trace" -- -batch -nx -ex continue -ex "monitor when" \
	-ex "reverse-stepi" -ex "info registers rip" </dev/null >"$WORK/gdb.out" 2>&1 &
replay=$!
gdbpid=
for _ in $(seq 100); do
	gdbpid=$(pgrep -P "$replay" -x gdb | head -n 1)
	[ -n "$gdbpid" ] && break
	sleep 0.05
done
[ -n "$gdbpid" ] || { kill "$replay"; fail "gdb did not start"; }
sleep 0.7
kill -INT "$gdbpid"
for _ in $(seq 200); do
	kill -0 "$replay" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$replay" 2>/dev/null; then
	kill -9 "$replay" "$gdbpid"
	fail "the replay did not end after Ctrl-C: $(tail -n 3 "$WORK/gdb.out" | tr '\n' ' ')"
fi
grep -q "Program received signal SIGINT" "$WORK/gdb.out" ||
	fail "gdb did not report SIGINT: $(tail -n 5 "$WORK/gdb.out" | tr '\n' ' ')"
grep -q "Current event:" "$WORK/gdb.out" || fail "'monitor when' did not answer after Ctrl-C"
grep -q "^rip" "$WORK/gdb.out" || fail "reverse-stepi after Ctrl-C failed: $(tail -n 3 "$WORK/gdb.out" | tr '\n' ' ')"
echo "interrupted: $(grep "Current event" "$WORK/gdb.out")"
