# SPDX-License-Identifier: MIT
# ls_rm: `rewind ls` lists the traces in $REWIND_TRACE_DIR by name; `rewind rm
# NAME` deletes one (and a second rm of it fails cleanly).
set -u
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"

record_to "$WORK/a" "$PROGS/pipe" || fail "first recording failed: $(tail -n 1 "$WORK/a.err")"
record_to "$WORK/b" "$PROGS/pipe" || fail "second recording failed: $(tail -n 1 "$WORK/b.err")"
mapfile -t traces < <(find "$REWIND_TRACE_DIR" -mindepth 1 -maxdepth 1 -type d | sort)
[ "${#traces[@]}" -eq 2 ] || fail "expected 2 trace folders, found ${#traces[@]}"
a=${traces[0]##*/} b=${traces[1]##*/}
[ "$a" != "$b" ] || fail "both recordings got the name $a"

run_to "$WORK/ls1" "$REWIND" ls || fail "ls exited $(cat "$WORK/ls1.status"): $(tail -n 1 "$WORK/ls1.err")"
grep -qwF -- "$a" "$WORK/ls1.out" || fail "ls does not list $a"
grep -qwF -- "$b" "$WORK/ls1.out" || fail "ls does not list $b"

run_to "$WORK/rm" "$REWIND" rm "$a" || fail "rm $a exited $(cat "$WORK/rm.status"): $(tail -n 1 "$WORK/rm.err")"
[ ! -e "$REWIND_TRACE_DIR/$a" ] || fail "rm $a left the folder behind"
[ -d "$REWIND_TRACE_DIR/$b" ] || fail "rm $a removed $b as well"
run_to "$WORK/ls2" "$REWIND" ls || fail "ls after rm exited $(cat "$WORK/ls2.status")"
grep -qwF -- "$a" "$WORK/ls2.out" && fail "ls still lists $a after rm"
grep -qwF -- "$b" "$WORK/ls2.out" || fail "ls no longer lists $b"

run_to "$WORK/rm2" "$REWIND" rm "$a"
why=$(check_error "$?" "$WORK/rm2.err" "$a" whole) || fail "second rm $a: $why"
