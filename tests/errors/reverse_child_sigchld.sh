# SPDX-License-Identifier: MIT
# reverse_child_sigchld: `replay -p CHILD` of fork_tree_pipes, continue to
# the end, then reverse-continue to the child's read_all. Near the end only
# the parent lives, so the timeline has checkpoints there, and the parent's
# next event from one of them is a SIGCHLD recorded right after a syscall.
# A restored checkpoint starts in a SIGSTOP stop, where a signal passed
# with the resume was acted on at once (ignored) instead of stopping:
# "replay diverged at event N: expected SIGCHLD, got syscall read".
set -u
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"

command -v gdb >/dev/null || skip "gdb is not installed"
record_to "$WORK/rec" "$PROGS/fork_tree_pipes" ||
	fail "record failed with status $(cat "$WORK/rec.status"): $(tail -n 1 "$WORK/rec.err")"
trace=$(find_trace "$REWIND_TRACE_DIR" 2>&1) || fail "$trace"
run_to "$WORK/ps" "$REWIND" ps "$trace" || fail "ps failed: $(tail -n 1 "$WORK/ps.err")"
child=$(awk -F '\t' 'NR == 3 { print $1 }' "$WORK/ps.out")
[ -n "$child" ] || fail "ps listed no child: $(tr '\n' '|' <"$WORK/ps.out")"
cat >"$WORK/s.gdb" <<'GDB'
break read_all
continue
continue
reverse-continue
printf "back in read_all fd=%d size=%d\n", fd, (int)size
GDB
run_log "$WORK/gdb" "$REWIND" replay -p "$child" "$trace" -- -batch -nx -x "$WORK/s.gdb"
st=$?
! grep -q "diverged" "$WORK/gdb.log" || fail "$(grep -m 1 diverged "$WORK/gdb.log")"
[ "$st" -eq 0 ] || fail "rewind replay -p $child exited $st: $(tail -n 2 "$WORK/gdb.log" | tr '\n' ' ')"
grep -q "^back in read_all fd=3 size=256" "$WORK/gdb.log" ||
	fail "reverse-continue did not stop in the child's read_all: $(tail -n 3 "$WORK/gdb.log" | tr '\n' ' ')"
echo "replay -p $child: reverse-continue from the end back to the child's read_all"
