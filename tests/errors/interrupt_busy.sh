# SPDX-License-Identifier: MIT
# interrupt_busy: Ctrl-C (SIGINT) sent to a program that computes without
# syscalls must end the recording with status 130, and replay -a must print
# the same output and end the same way.
set -u
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"

st=$(record_busy_loop 0.2)
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
