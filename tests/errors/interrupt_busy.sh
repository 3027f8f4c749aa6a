# SPDX-License-Identifier: MIT
# interrupt_busy: Ctrl-C (SIGINT) sent to a program that computes without
# syscalls must end the recording with status 130, and replay -a must print
# the same output and end the same way.
set -u
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"

"$REWIND" record "$PROGS/busy_loop" >"$WORK/rec.out" 2>"$WORK/rec.err" &
rec=$!
for _ in $(seq 100); do
	grep -q "busy pid" "$WORK/rec.out" 2>/dev/null && break
	sleep 0.05
done
pid=$(awk '{ print $3 }' "$WORK/rec.out")
[ -n "$pid" ] || { kill -9 "$rec"; fail "the program did not start"; }
sleep 0.2
kill -INT "$pid"
for _ in $(seq 100); do
	kill -0 "$rec" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$rec" 2>/dev/null; then
	kill -9 "$rec"
	fail "the recording did not end 10 s after SIGINT"
fi
wait "$rec"
st=$?
[ "$st" -eq 130 ] || fail "record exited with $st, expected 130"
trace=$(find_trace "$REWIND_TRACE_DIR" 2>&1) || fail "$trace"
for i in 1 2; do
	run_to "$WORK/rep$i" "$REWIND" replay -a "$trace"
	st=$(cat "$WORK/rep$i.status")
	[ "$st" -eq 130 ] || fail "replay $i exited with $st, expected 130: $(tail -n 1 "$WORK/rep$i.err")"
	cmp -s "$WORK/rec.out" "$WORK/rep$i.out" || fail "replay $i stdout differs"
	cmp -s "$WORK/rec.err" "$WORK/rep$i.err" || fail "replay $i stderr differs"
done
echo "recorded and replayed a SIGINT in a busy loop"
