# SPDX-License-Identifier: MIT
# ps: `rewind ps TRACE` lists the recorded process with its pid (the one the
# trace's events carry), its exit status (42; -6 after abort) and its command.
set -u
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"

check_ps()
{
	local want_status=$1 trace pid line
	trace=$(find_trace "$REWIND_TRACE_DIR" 2>&1) || fail "$trace"
	pid=$("$REWIND" dump "$trace" 1 | awk '{ print $2 }')
	[ -n "$pid" ] || fail "dump printed no pid"
	run_to "$WORK/ps" "$REWIND" ps "$trace" || fail "ps failed: $(cat "$WORK/ps.err")"
	head -n 1 "$WORK/ps.out" | grep -q "^PID" || fail "no header: $(head -n 1 "$WORK/ps.out")"
	line=$(sed -n 2p "$WORK/ps.out")
	printf '%s\n' "$line" | grep -qP "^$pid\t--\t$want_status\t.*$2" ||
		fail "ps line '$line', expected pid $pid, status $want_status, command $2"
	rm -rf "$trace"
}

record_to "$WORK/rec" "$PROGS/exit_codes" 42
check_ps 42 "exit_codes 42"
record_to "$WORK/rec" "$PROGS/abort"
check_ps -6 "abort"
echo "ps shows pid, status and command"
