# SPDX-License-Identifier: MIT
# unknown_version: a trace whose `version` file says a newer format than this
# rewind knows (its number raised by 4242): replay and dump must refuse with
# one line naming that version.
set -u
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"

record_to "$WORK/rec" "$PROGS/pipe" ||
	fail "record failed with status $(cat "$WORK/rec.status"): $(tail -n 1 "$WORK/rec.err")"
trace=$(find_trace "$REWIND_TRACE_DIR" 2>&1) || fail "$trace"
[ -f "$trace/version" ] || fail "the trace has no 'version' file"
# The version file is one line holding the format number ("rewind-trace N"):
# replace its last number with a bigger one.
v=$(grep -oE '[0-9]+' "$trace/version" | tail -n 1)
[ -n "$v" ] || fail "'version' holds no number: $(head -c 40 "$trace/version")"
new=$((v + 4242))
sed -E -i "\$s/[0-9]+([^0-9]*)\$/$new\1/" "$trace/version" || fail "cannot edit 'version'"
grep -qw "$new" "$trace/version" || fail "editing 'version' did not work: $(cat "$trace/version")"

run_to "$WORK/replay" "$REWIND" replay -a "$trace"
why=$(check_error "$?" "$WORK/replay.err" "$new" whole) || fail "replay of a version $new trace: $why"
[ ! -s "$WORK/replay.out" ] || fail "replay of a version $new trace printed: $(head -n 1 "$WORK/replay.out")"
run_to "$WORK/dump" "$REWIND" dump "$trace"
why=$(check_error "$?" "$WORK/dump.err" "$new" whole) || fail "dump of a version $new trace: $why"
cat "$WORK/replay.err"
