# SPDX-License-Identifier: MIT
# replay_no_side_effects: replay must not redo what the recorded program did
# to the world. Record `touch NEW`, `mkdir DIR` and `rm VICTIM`; undo their
# effects; replay each trace; the files must stay as we left them.
set -u
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"

: >"$WORK/victim"
record_to "$WORK/touch" touch "$WORK/new" || fail "recording touch failed: $(tail -n 1 "$WORK/touch.err")"
record_to "$WORK/mkdir" mkdir "$WORK/dir" || fail "recording mkdir failed: $(tail -n 1 "$WORK/mkdir.err")"
record_to "$WORK/rm" rm "$WORK/victim" || fail "recording rm failed: $(tail -n 1 "$WORK/rm.err")"
if [ ! -e "$WORK/new" ] || [ ! -d "$WORK/dir" ] || [ -e "$WORK/victim" ]; then
	fail "the recorded commands did not do their work"
fi
rm -r "$WORK/new" "$WORK/dir" || fail "cannot undo"
echo keep >"$WORK/victim"

n=0
while IFS= read -r trace; do
	n=$((n + 1))
	run_to "$WORK/replay$n" "$REWIND" replay -a "$trace" ||
		fail "replay of $trace exited $(cat "$WORK/replay$n.status"): $(tail -n 1 "$WORK/replay$n.err")"
done < <(find "$REWIND_TRACE_DIR" -mindepth 1 -maxdepth 1 -type d)
[ "$n" -eq 3 ] || fail "expected 3 traces, found $n"
[ ! -e "$WORK/new" ] || fail "replaying touch created the file"
[ ! -e "$WORK/dir" ] || fail "replaying mkdir created the folder"
[ "$(cat "$WORK/victim" 2>/dev/null)" = keep ] || fail "replaying rm removed the file"
