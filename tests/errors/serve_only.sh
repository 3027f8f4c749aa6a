# SPDX-License-Identifier: MIT
# serve_only: `rewind replay -s 0 TRACE` serves the replay on a loopback port
# and prints the gdb command to connect; a gdb started separately connects,
# stops at a breakpoint with the recorded values, and detaching ends the
# server with status 0.
set -u
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"

command -v gdb >/dev/null || skip "gdb is not installed"
record_to "$WORK/rec" "$PROGS/gdb_calls" ||
	fail "record failed with status $(cat "$WORK/rec.status"): $(tail -n 1 "$WORK/rec.err")"
trace=$(find_trace "$REWIND_TRACE_DIR" 2>&1) || fail "$trace"
seed=$(awk '$1 == "seed" { print $2 }' "$WORK/rec.out")
[ -n "$seed" ] || fail "the recording printed no seed"

"$REWIND" replay -s 0 "$trace" >"$WORK/serve.out" 2>"$WORK/serve.err" &
server=$!
port=
for _ in $(seq 100); do
	port=$(grep -oE '127\.0\.0\.1:[0-9]+' "$WORK/serve.out" 2>/dev/null | head -n 1 | cut -d: -f2)
	[ -n "$port" ] && break
	sleep 0.05
done
[ -n "$port" ] || { kill "$server"; fail "the server printed no port: $(cat "$WORK/serve.err")"; }
grep -q "target extended-remote" "$WORK/serve.out" ||
	{ kill "$server"; fail "no connect command printed: $(cat "$WORK/serve.out")"; }
timeout "$REWIND_TEST_TIMEOUT" gdb -batch -nx -ex "set sysroot /" \
	-ex "target extended-remote 127.0.0.1:$port" -ex "break gdb_calls.c:44" -ex continue \
	-ex "printf \"seed=%ld\\n\", seed" -ex detach "$PROGS/gdb_calls" \
	</dev/null >"$WORK/gdb.out" 2>&1
wait "$server"
st=$?
grep -q "seed=$seed" "$WORK/gdb.out" ||
	fail "gdb did not print the recorded seed $seed: $(tail -n 3 "$WORK/gdb.out" | tr '\n' ' ')"
[ "$st" -eq 0 ] || fail "the server exited with $st: $(tail -n 1 "$WORK/serve.err")"
echo "served on port $port; gdb saw seed=$seed"
