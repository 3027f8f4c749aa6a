# SPDX-License-Identifier: MIT
# no_gdb: `rewind replay` when gdb is not on PATH fails with one line that
# names the package to install, and a non-zero status below 128.
set -u
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"

record_to "$WORK/rec" "$PROGS/pipe" ||
	fail "record failed with status $(cat "$WORK/rec.status"): $(tail -n 1 "$WORK/rec.err")"
trace=$(find_trace "$REWIND_TRACE_DIR" 2>&1) || fail "$trace"
run_to "$WORK/replay" env PATH=/nonexistent "$REWIND" replay "$trace"
why=$(check_error "$?" "$WORK/replay.err" "gdb is not installed" whole) || fail "$why"
cat "$WORK/replay.err"
