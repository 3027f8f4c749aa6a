#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/run.sh: run the tests listed in tests/table.in (its header explains
# the rows), print one line per test (PASS name / FAIL name: reason, then the
# first differing lines / SKIP name: reason), and end with the line
# "N passed, N failed" (", N skipped" added when some were skipped).
# Exit status: 0 if nothing failed, 1 if something did, 99 for a harness
# error (a bad table, no build folder, a name that matches no test).
#
# Usage: BUILD=build tests/run.sh [NAME|GLOB...]
#   `make check` builds everything and then runs this; it builds nothing.
# Environment:
#   BUILD                    the build folder (default: build)
#   REWIND                   the rewind binary under test (default: $BUILD/rewind)
#   REWIND_TEST_TIMEOUT      seconds each command may take (default: 120)
#   REWIND_TEST_EXTRA_FLAGS  extra flags for every `rewind record`
#   KEEP=1                   keep the scratch folder (traces and outputs)
#   REWIND_TEST_XFAIL=run    run the rows marked xfail= (known bugs) instead
#                            of skipping them
#   REWIND_TEST_SLOW=1       with REWIND_TRAPS=0, run the needs-traps rows
#                            instead of skipping them (each takes minutes:
#                            raise REWIND_TEST_TIMEOUT)
#   TMPDIR                   where the scratch folder is made (default: /tmp)
# Unit-test binaries found in $BUILD/tests/unit/test_* that the table does
# not list are run too (mode `unit`). A run of the whole table also checks
# that every tests/progs/*.c, tests/errors/*.sh and tests/gdb/*.gdb has a row
# (`table_rows`).
set -u

cd "$(dirname "$0")/.." || exit 99
TESTS=$PWD/tests
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"

harness_error() { echo "run.sh: $*"; exit 99; }

BUILD=$(cd "${BUILD:-build}" 2>/dev/null && pwd) || harness_error "no build folder '${BUILD:-build}'"
REWIND=${REWIND:-$BUILD/rewind}
case $REWIND in /*) ;; *) REWIND=$PWD/$REWIND ;; esac
PROGS=$BUILD/tests/progs
export BUILD REWIND PROGS TESTS REWIND_TEST_TIMEOUT REWIND_TEST_EXTRA_FLAGS

# ---- the table --------------------------------------------------------------

names=() modes=() rests=()
declare -A seen=()
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	case $line in '' | '#'*) continue ;; esac
	read -r name mode rest <<<"$line"
	case $mode in
	replay | replay-sys | expect-error | script | unit | tool | gdb) ;;
	*) harness_error "tests/table.in:$lineno: unknown mode '$mode'" ;;
	esac
	[ -z "${seen[$name]:-}" ] || harness_error "tests/table.in:$lineno: duplicate name '$name'"
	seen[$name]=1
	names+=("$name") modes+=("$mode") rests+=("${rest:-}")
done <"$TESTS/table.in"

for f in "$BUILD"/tests/unit/test_*; do
	name=${f##*/}
	case $name in *.*) continue ;; esac # test_x.d and the like
	if [ -f "$f" ] && [ -x "$f" ] && [ -z "${seen[$name]:-}" ]; then
		seen[$name]=1
		names+=("$name") modes+=(unit) rests+=("")
	fi
done

selected=()
for i in "${!names[@]}"; do
	if [ $# -eq 0 ]; then
		selected+=("$i")
		continue
	fi
	for pat in "$@"; do
		# shellcheck disable=SC2053 # a glob match is the point
		if [[ ${names[$i]} == $pat ]]; then
			selected+=("$i")
			break
		fi
	done
done
for pat in "$@"; do
	ok=
	for i in "${!names[@]}"; do
		# shellcheck disable=SC2053
		[[ ${names[$i]} == $pat ]] && ok=1 && break
	done
	[ -n "$ok" ] || harness_error "no test matches '$pat'"
done

# ---- scratch space ----------------------------------------------------------

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/rewind-tests.XXXXXX") || harness_error "cannot make a scratch folder"
SHARED=$SCRATCH/shared
mkdir "$SHARED" || exit 99
export SHARED
cleanup() { [ "${KEEP:-}" = 1 ] || rm -rf "$SCRATCH"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Setup steps named by a row's prep= option; each makes files in $SHARED
# (once per run) or in the test's own $WORK.
prep_rand50m() { [ -s "$SHARED/rand50m" ] || head -c 50M /dev/urandom >"$SHARED/rand50m"; }
prep_emptydir() { mkdir -p "$WORK/empty"; }
prep_lines200k() { [ -s "$SHARED/lines200k" ] || seq 200000 | sort -R --random-source=/dev/zero >"$SHARED/lines200k"; }
prep_text2m() { [ -s "$SHARED/text2m" ] || head -c 1500000 /dev/urandom | base64 >"$SHARED/text2m"; }
# A tiny C project: two sources and a Makefile (for make -j2, gcc).
prep_cproject()
{
	mkdir -p "$WORK/proj" &&
		printf 'int f(int x) { return x * 3; }\n' >"$WORK/proj/a.c" &&
		printf 'int f(int);\nint main(void) { return f(0); }\n' >"$WORK/proj/b.c" &&
		printf 'prog: a.o b.o\n\t$(CC) -o $@ a.o b.o\n%%.o: %%.c\n\t$(CC) -O2 -c $<\n' \
			>"$WORK/proj/Makefile"
}

# ---- the modes --------------------------------------------------------------
# Each test_MODE runs one test with "$@" = the row's words after its options.
# It returns 0 (pass), 1 (fail) or 77 (skip), leaving the reason in $reason
# and any extra lines to show (diffs, stderr) in $WORK/details.

reason=

last_line_is_marker() { [ "$(tail -n 1 "$1")" = EXIT-SUCCESS ]; }

# tail_of FILE: the last lines of FILE, indented, for details.
tail_of() { tail -n 8 "$1" | cut -c 1-200 | cat -v | sed 's/^/    /'; }

# record "$@", replay it twice and dump it (modes replay and replay-sys).
check_record_replay()
{
	local st rec_st trace i bad

	run_to "$WORK/native" "$@"
	st=$?
	if [ "$st" -ne "$opt_status" ]; then
		reason="native run (without rewind) exited $st, expected $opt_status"
		tail_of "$WORK/native.err" >"$WORK/details"
		return 1
	fi
	if [ -n "$opt_marker" ] && ! last_line_is_marker "$WORK/native.out"; then
		reason="native run (without rewind) did not end with EXIT-SUCCESS"
		tail_of "$WORK/native.err" >"$WORK/details"
		return 1
	fi

	record_to "$WORK/rec" "$@"
	rec_st=$?
	if [ "$rec_st" -ne "$opt_status" ]; then
		reason="record exited $rec_st, expected $opt_status"
		[ "$rec_st" -ne 124 ] || reason="record timed out after ${REWIND_TEST_TIMEOUT}s"
		tail_of "$WORK/rec.err" >"$WORK/details"
		return 1
	fi
	if [ -n "$opt_marker" ] && ! last_line_is_marker "$WORK/rec.out"; then
		reason="the recorded program did not end with EXIT-SUCCESS"
		tail_of "$WORK/rec.err" >"$WORK/details"
		return 1
	fi
	if [ -n "$opt_nondet" ] && cmp -s "$WORK/native.out" "$WORK/rec.out"; then
		reason="recording printed the same as the native run: the test observes no nondeterminism"
		return 1
	fi
	trace=$(find_trace "$REWIND_TRACE_DIR" 2>&1) || {
		reason=$trace
		return 1
	}

	for i in 1 2; do
		run_to "$WORK/replay$i" "$REWIND" replay -a "$trace"
		st=$?
		bad=
		: >"$WORK/details"
		if ! cmp -s "$WORK/rec.out" "$WORK/replay$i.out"; then
			bad="stdout differs from the recording"
			show_diff "$WORK/rec.out" "$WORK/replay$i.out" recording "replay $i" \
				>>"$WORK/details"
		fi
		# rewind's own note that a point search is slow is not the program's output
		grep -v '^rewind: warning: replaying the .* in a loop without syscalls' \
			"$WORK/replay$i.err" >"$WORK/replay$i.err.prog"
		if ! cmp -s "$WORK/rec.err" "$WORK/replay$i.err.prog"; then
			bad=${bad:+$bad; }"stderr differs from the recording"
			show_diff "$WORK/rec.err" "$WORK/replay$i.err.prog" "recording stderr" \
				"replay $i stderr" >>"$WORK/details"
		fi
		if [ "$st" -ne "$rec_st" ]; then
			bad=${bad:+$bad; }"exit status $st, the recording's $rec_st"
			[ "$st" -ne 124 ] || bad="timed out after ${REWIND_TEST_TIMEOUT}s; $bad"
		fi
		if [ -n "$bad" ]; then
			reason="replay $i: $bad"
			return 1
		fi
	done

	run_to "$WORK/dump" "$REWIND" dump "$trace"
	st=$?
	if [ "$st" -ne 0 ]; then
		reason="dump exited $st"
		tail_of "$WORK/dump.err" >"$WORK/details"
		return 1
	fi
	if [ ! -s "$WORK/dump.out" ]; then
		reason="dump printed nothing"
		return 1
	fi
	return 0
}

test_replay()
{
	local prog=$PROGS/$opt_prog
	if [ ! -x "$prog" ]; then
		reason="test program not built: $prog"
		return 1
	fi
	opt_marker=1
	check_record_replay "$prog" "$@"
}

test_replay_sys()
{
	if [ $# -eq 0 ]; then
		reason="no command given"
		return 1
	fi
	if ! command -v "$1" >/dev/null; then
		reason="'$1' is not installed"
		return 77
	fi
	opt_marker=
	check_record_replay "$@"
}

test_expect_error()
{
	local left
	run_to "$WORK/cmd" "$REWIND" "$@"
	reason=$(check_error "$?" "$WORK/cmd.err" "$opt_match" whole) || {
		tail_of "$WORK/cmd.err" >"$WORK/details"
		return 1
	}
	if [ -s "$WORK/cmd.out" ]; then
		reason="printed to stdout as well: $(head -n 1 "$WORK/cmd.out" | cut -c 1-100)"
		return 1
	fi
	if [ -n "$opt_clean" ]; then
		left=$(find "$REWIND_TRACE_DIR" -mindepth 1 -maxdepth 1 | head -n 3)
		if [ -n "$left" ]; then
			reason="left something behind in the trace folder: $(echo "$left" | tr '\n' ' ')"
			return 1
		fi
	fi
	return 0
}

# run_binary PATH ARGS...: a self-checking binary (unit tests, tools).
run_binary()
{
	local st
	if [ ! -x "$1" ]; then
		reason="not built: $1"
		return 1
	fi
	run_to "$WORK/bin" "$@"
	st=$?
	cat "$WORK/bin.out" "$WORK/bin.err" >"$WORK/bin.log"
	case $st in
	0) return 0 ;;
	77)
		reason=$(tail -n 1 "$WORK/bin.log")
		return 77
		;;
	124) reason="timed out after ${REWIND_TEST_TIMEOUT}s" ;;
	*) reason="exited $st" ;;
	esac
	tail_of "$WORK/bin.log" >"$WORK/details"
	return 1
}

# goto_event TRACE SPEC: the event number for `rewind replay -g`: SPEC itself
# if it is a number, or for SPEC=write the first write syscall in
# `rewind dump TRACE`.
goto_event()
{
	case $2 in
	'' | *[!0-9]*) ;;
	*)
		echo "$2"
		return 0
		;;
	esac
	[ "$2" = write ] || {
		echo "bad goto=$2 (a number or 'write')"
		return 1
	}
	run_to "$WORK/dump" "$REWIND" dump "$1" || {
		echo "dump exited $(cat "$WORK/dump.status")"
		return 1
	}
	awk '$3 == "syscall" && $4 ~ /^write\(/ { print $1; found = 1; exit }
		END { if (!found) exit 1 }' "$WORK/dump.out" || {
		echo "rewind dump shows no write syscall"
		return 1
	}
}

test_gdb()
{
	# Relative to the repository root (the current folder), for shorter messages.
	local prog=$PROGS/$opt_prog script=tests/gdb/$current.gdb expect=tests/gdb/$current.expect
	local st trace event='' goto=()
	if ! command -v gdb >/dev/null; then
		reason="'gdb' is not installed"
		return 77
	fi
	if [ ! -x "$prog" ]; then
		reason="test program not built: $prog"
		return 1
	fi
	if [ ! -f "$script" ] || [ ! -f "$expect" ]; then
		reason="missing $script or $expect"
		return 1
	fi

	record_to "$WORK/rec" "$prog" "$@"
	st=$?
	if [ "$st" -ne "$opt_status" ]; then
		reason="record exited $st, expected $opt_status"
		[ "$st" -ne 124 ] || reason="record timed out after ${REWIND_TEST_TIMEOUT}s"
		tail_of "$WORK/rec.err" >"$WORK/details"
		return 1
	fi
	trace=$(find_trace "$REWIND_TRACE_DIR" 2>&1) || {
		reason=$trace
		return 1
	}
	if [ -n "$opt_goto" ]; then
		event=$(goto_event "$trace" "$opt_goto") || {
			reason=$event
			return 1
		}
		goto=(-g "$event")
	fi

	run_log "$WORK/gdb" "$REWIND" replay "${goto[@]}" "$trace" -- -batch -nx -x "$script"
	st=$?
	if [ "$st" -eq 124 ]; then
		reason="gdb session timed out after ${REWIND_TEST_TIMEOUT}s"
	elif ! reason=$(check_expect "$expect" "$WORK/gdb.log" "$WORK/rec.out" "$event"); then
		[ "$st" -eq "$opt_gdb_status" ] || reason="$reason (and rewind replay exited $st)"
	elif [ "$st" -ne "$opt_gdb_status" ]; then
		reason="rewind replay (gdb) exited $st, expected $opt_gdb_status"
	else
		return 0
	fi
	{
		echo "    last lines of the gdb session:"
		tail -n 20 "$WORK/gdb.log" | cut -c 1-200 | cat -v | sed 's/^/    | /'
	} >"$WORK/details"
	return 1
}

test_unit() { run_binary "$BUILD/tests/unit/${1:-$current}" "${@:2}"; }
test_tool() { run_binary "$BUILD/tools/${1:-$current}" "${@:2}"; }

test_script()
{
	local script=$TESTS/errors/$current.sh st
	if [ ! -f "$script" ]; then
		reason="no script $script"
		return 1
	fi
	timeout -k 5 $((4 * REWIND_TEST_TIMEOUT)) bash "$script" "$@" </dev/null \
		>"$WORK/script.log" 2>&1
	st=$?
	reason=$(tail -n 1 "$WORK/script.log" | cut -c 1-300)
	case $st in
	0) return 0 ;;
	77) return 77 ;;
	124) reason="timed out after $((4 * REWIND_TEST_TIMEOUT))s" ;;
	*) reason=${reason:-exited $st} ;;
	esac
	head -n -1 "$WORK/script.log" | tail -n 12 | cut -c 1-200 | cat -v | sed 's/^/    /' \
		>"$WORK/details"
	return 1
}

# ---- running ----------------------------------------------------------------

# run_row NAME MODE REST: parse the options and words of a row, run it.
run_row()
{
	local mode=$2 rest=$3 need
	current=$1
	WORK=$SCRATCH/$current
	REWIND_TRACE_DIR=$WORK/traces
	mkdir -p "$REWIND_TRACE_DIR"
	: >"$WORK/details"
	export WORK REWIND_TRACE_DIR
	reason=
	opt_status=0 opt_match='' opt_prog=$current opt_clean='' opt_nondet=
	opt_goto='' opt_gdb_status=0 opt_xfail= opt_pad=
	REWIND_TEST_ROW_FLAGS=
	export REWIND_TEST_ROW_FLAGS
	[ "$mode" != replay ] || opt_nondet=1

	if ! eval "set -- $rest" 2>"$WORK/details"; then
		reason="table row does not parse"
		return 1
	fi
	while [ $# -gt 0 ]; do
		case $1 in
		status=*) opt_status=${1#status=} ;;
		match=*) opt_match=${1#match=} ;;
		prog=*) opt_prog=${1#prog=} ;;
		needs=*)
			for need in ${1#needs=}; do
				if ! command -v "$need" >/dev/null; then
					reason="'$need' is not installed"
					return 77
				fi
			done
			;;
		prep=*)
			if ! "prep_${1#prep=}" >"$WORK/details" 2>&1; then
				reason="setup step ${1#prep=} failed"
				return 1
			fi
			;;
		goto=*) opt_goto=${1#goto=} ;;
		gdbstatus=*) opt_gdb_status=${1#gdbstatus=} ;;
		xfail=*) opt_xfail=${1#xfail=} ;;
		needs-traps)
			if [ "${REWIND_TRAPS:-1}" = 0 ] && [ "${REWIND_TEST_SLOW:-}" != 1 ]; then
				reason="points in loops without syscalls: without traps each search stops at every iteration (minutes; REWIND_TEST_SLOW=1 runs it)"
				return 77
			fi
			;;
		pad) opt_pad=1 ;;
		slice=*) REWIND_TEST_ROW_FLAGS="-c ${1#slice=}" ;;
		nondet) opt_nondet=1 ;;
		det) opt_nondet= ;;
		clean) opt_clean=1 ;;
		--)
			shift
			break
			;;
		*) break ;;
		esac
		shift
	done
	case $mode in
	replay | replay-sys | expect-error | script | gdb)
		if [ ! -x "$REWIND" ]; then
			reason="rewind binary not found: $REWIND"
			return 1
		fi
		;;
	esac
	if [ -n "$opt_xfail" ] && [ "${REWIND_TEST_XFAIL:-}" != run ]; then
		reason="known bug: $opt_xfail"
		return 77
	fi
	if [ -n "$opt_pad" ] && [ "${REWIND_TRAPS:-1}" = 0 ]; then
		opt_prog=$opt_prog-pad
	fi
	"test_${mode//-/_}" "$@"
}

passed=0 failed=0 skipped=0

# A whole run also checks that every test program and script has a row:
# one without would never run.
if [ $# -eq 0 ]; then
	orphans=
	for f in "$TESTS"/progs/*.c "$TESTS"/errors/*.sh "$TESTS"/gdb/*.gdb; do
		name=${f##*/}
		name=${name%.*}
		[ -n "${seen[$name]:-}" ] ||
			grep -qE "[[:space:]]prog=$name([[:space:]]|\$)" "$TESTS/table.in" ||
			orphans="$orphans $name"
	done
	if [ -z "$orphans" ]; then
		echo "PASS table_rows"
		passed=$((passed + 1))
	else
		echo "FAIL table_rows: no row in tests/table.in for:$orphans"
		failed=$((failed + 1))
	fi
fi

for i in "${selected[@]}"; do
	run_row "${names[$i]}" "${modes[$i]}" "${rests[$i]}"
	case $? in
	0)
		echo "PASS ${names[$i]}"
		passed=$((passed + 1))
		;;
	77)
		echo "SKIP ${names[$i]}: $reason"
		skipped=$((skipped + 1))
		;;
	*)
		echo "FAIL ${names[$i]}: $reason"
		[ ! -s "$WORK/details" ] || cat "$WORK/details"
		failed=$((failed + 1))
		;;
	esac
done

[ "${KEEP:-}" != 1 ] || echo "scratch folder kept: $SCRATCH"
summary="$passed passed, $failed failed"
[ "$skipped" -eq 0 ] || summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ]
