# SPDX-License-Identifier: MIT
# replay_p_exec_name: a process that execs twice, `env X=1 gdb_funcs`.
# `replay -p gdb_funcs` must start gdb at gdb_funcs' exec with gdb_funcs'
# symbols, the way rr's -p COMMAND does. It used to start at env's exec,
# and gdb, given env, could not set a breakpoint in gdb_funcs
# ("Function "compute" not defined"); the server's exec-file also named env
# for the rest of the replay (the program of a later exec was not found).
set -u
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"

command -v gdb >/dev/null || skip "gdb is not installed"
record_to "$WORK/rec" env REWIND_X=1 "$PROGS/gdb_funcs" ||
	fail "record failed with status $(cat "$WORK/rec.status"): $(tail -n 1 "$WORK/rec.err")"
trace=$(find_trace "$REWIND_TRACE_DIR" 2>&1) || fail "$trace"
run_log "$WORK/gdb" "$REWIND" replay -p gdb_funcs "$trace" -- -batch -nx \
	-ex 'break compute' -ex continue -ex 'printf "at compute seed=%ld\n", seed' \
	-ex 'info inferiors'
st=$?
[ "$st" -eq 0 ] || fail "rewind replay -p gdb_funcs exited $st: $(tail -n 2 "$WORK/gdb.log" | tr '\n' ' ')"
seed=$(rec_value "$WORK/rec.out" seed) || fail "the recording printed no seed"
grep -q "^at compute seed=$seed\$" "$WORK/gdb.log" ||
	fail "gdb did not stop in gdb_funcs' compute: $(grep -m 1 -e 'not defined' -e Breakpoint "$WORK/gdb.log")"
grep -q "files/[0-9]*-gdb_funcs" "$WORK/gdb.log" ||
	fail "gdb's program is not gdb_funcs: $(grep -m 1 Remote "$WORK/gdb.log")"
echo "replay -p gdb_funcs of 'env REWIND_X=1 gdb_funcs': gdb starts at gdb_funcs' exec (seed $seed)"
