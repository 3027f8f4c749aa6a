# SPDX-License-Identifier: MIT
# tests/lib.sh: shell helpers shared by tests/run.sh and the scripts in
# tests/errors/ (bash; sourced, never run).
#
# A script test (mode `script` in tests/table.in) is run by tests/run.sh as
# `bash tests/errors/NAME.sh` in the repository root with these exported:
#   REWIND            absolute path of the rewind binary under test
#   BUILD, PROGS      the build folder and its tests/progs/ folder (absolute)
#   TESTS             the tests/ folder (absolute), to source this file
#   WORK              a fresh scratch folder of its own
#   REWIND_TRACE_DIR  $WORK/traces, empty
#   REWIND_TEST_TIMEOUT, REWIND_TEST_EXTRA_FLAGS
# and exits 0 to pass, 77 to skip, anything else to fail; the last line it
# printed is the reason shown.

: "${REWIND_TEST_TIMEOUT:=120}"
: "${REWIND_TEST_EXTRA_FLAGS:=}"

fail() { echo "$*"; exit 1; }
skip() { echo "$*"; exit 77; }

# run_to PREFIX CMD...: run CMD under a timeout with stdin from /dev/null,
# stdout to PREFIX.out, stderr to PREFIX.err, exit status to PREFIX.status
# and the return value. REWIND_TEST_VAR gets a fresh value on every run, so a
# replay that reads the live environment instead of the recorded one shows.
run_to()
{
	local prefix=$1
	shift
	# The subshell keeps bash's "Aborted"/"Killed" notices off our stderr.
	(
		REWIND_TEST_VAR="v$RANDOM$RANDOM" timeout -k 5 "$REWIND_TEST_TIMEOUT" "$@" \
			</dev/null >"$prefix.out" 2>"$prefix.err"
		echo "$?" >"$prefix.status"
	) 2>/dev/null
	return "$(cat "$prefix.status")"
}

# run_log PREFIX CMD...: like run_to, but stdout and stderr go together, in
# the order written, to PREFIX.log.
run_log()
{
	local prefix=$1
	shift
	(
		REWIND_TEST_VAR="v$RANDOM$RANDOM" timeout -k 5 "$REWIND_TEST_TIMEOUT" "$@" \
			</dev/null >"$prefix.log" 2>&1
		echo "$?" >"$prefix.status"
	) 2>/dev/null
	return "$(cat "$prefix.status")"
}

# record_to PREFIX PROG ARGS...: `rewind record` PROG into $REWIND_TRACE_DIR.
record_to()
{
	local prefix=$1
	shift
	# shellcheck disable=SC2086 # the extra flags are meant to split into words
	run_to "$prefix" "$REWIND" record $REWIND_TEST_EXTRA_FLAGS ${REWIND_TEST_ROW_FLAGS:-} "$@"
}

# find_trace DIR: print the one trace directory inside DIR (symbolic links,
# such as a "latest" link, are ignored). Fails if there is not exactly one.
find_trace()
{
	local found
	found=$(find "$1" -mindepth 1 -maxdepth 1 -type d)
	if [ -z "$found" ]; then
		echo "no trace directory was created in $1" >&2
		return 1
	fi
	if [ "$(printf '%s\n' "$found" | wc -l)" -ne 1 ]; then
		echo "more than one trace directory in $1: $(echo "$found" | tr '\n' ' ')" >&2
		return 1
	fi
	printf '%s\n' "$found"
}

# check_error STATUS ERRFILE [MATCH] [WHOLE]: check the outcome of a command
# that must fail cleanly: STATUS non-zero, below 128 (not a crash) and not a
# timeout; the last line of ERRFILE starts with "rewind: " and contains MATCH
# (a fixed string, if given). With WHOLE=whole, ERRFILE must hold exactly
# that one line. Prints the reason and returns 1 on failure.
check_error()
{
	local st=$1 err=$2 match=${3:-} whole=${4:-} last nl
	if [ "$st" -eq 124 ]; then
		last=$(tail -n 1 "$err" 2>/dev/null | cut -c 1-200)
		echo "timed out after ${REWIND_TEST_TIMEOUT}s${last:+; stderr: $last}"
		return 1
	fi
	if [ "$st" -eq 0 ]; then
		echo "exit status 0, expected an error"
		return 1
	fi
	if [ "$st" -ge 128 ]; then
		echo "exit status $st: killed by signal $((st - 128)) (a crash, not an error)"
		return 1
	fi
	if [ ! -s "$err" ]; then
		echo "exit status $st but nothing on stderr"
		return 1
	fi
	if [ -n "$(tail -c 1 "$err")" ]; then
		echo "stderr does not end with a newline: $(tail -n 1 "$err" | cut -c 1-200)"
		return 1
	fi
	nl=$(wc -l <"$err")
	if [ "$whole" = whole ] && [ "$nl" -ne 1 ]; then
		echo "stderr has $nl lines, expected one: $(head -n 3 "$err" | cut -c 1-200 | tr '\n' '|')"
		return 1
	fi
	last=$(tail -n 1 "$err")
	case $last in
	"rewind: "*) ;;
	*)
		echo "stderr's last line does not start with 'rewind: ': $(printf '%s' "$last" | cut -c 1-200)"
		return 1
		;;
	esac
	if [ -n "$match" ] && ! printf '%s\n' "$last" | grep -qF -- "$match"; then
		echo "error does not mention '$match': $last"
		return 1
	fi
	return 0
}

# is_prefix SMALL BIG: true if the bytes of file SMALL begin file BIG.
is_prefix()
{
	local n
	n=$(wc -c <"$1")
	[ "$n" -eq 0 ] || cmp -s -n "$n" "$1" "$2"
}

# flip_byte FILE OFFSET: invert every bit of the byte at OFFSET, in place.
flip_byte()
{
	local old new
	old=$(od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' ')
	[ -n "$old" ] || return 1
	new=$((old ^ 255))
	# shellcheck disable=SC2059 # an octal escape made on purpose
	printf "\\$(printf '%03o' "$new")" |
		dd of="$1" bs=1 seek="$2" count=1 conv=notrunc status=none
}

# show_diff A B LABEL_A LABEL_B: the first differing lines, indented, printable.
show_diff()
{
	diff -a -u --label "$3" --label "$4" "$1" "$2" | head -n 20 | cut -c 1-200 | cat -v |
		sed 's/^/    /'
}

# rec_value RECOUT LABEL: what the recording printed after "LABEL " on its
# first stdout line that starts so (fails if there is none).
rec_value()
{
	local line
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		"$2 "*)
			printf '%s\n' "${line#"$2 "}"
			return 0
			;;
		esac
	done <"$1"
	return 1
}

# check_expect EXPECT LOG [RECOUT] [EVENT]: every line of the file EXPECT must
# be found in LOG, in order: each one is a fixed string that must occur in a
# line after the line that matched the one before. Blank lines and lines
# starting with '#' are ignored. Two lines stand for values known only now:
#   @rec LABEL [TEXT]  TEXT (default "{}") with {} replaced by the value the
#                      recording printed on its stdout line "LABEL VALUE"
#                      (RECOUT), so a gdb print can be held against it
#   @goto TEXT         TEXT with {} replaced by EVENT (the -g event number)
# On a mismatch, prints the reason (the unmatched line) and returns 1.
check_expect()
{
	local expect=$1 log=$2 recout=${3:-} event=${4:-} want label text value n=0 i=0
	local -a out
	mapfile -t out <"$log"
	while IFS= read -r want || [ -n "$want" ]; do
		n=$((n + 1))
		case $want in
		'' | '#'*) continue ;;
		'@rec '*)
			label=${want#@rec }
			label=${label%% *}
			text=${want#@rec "$label"}
			text=${text# }
			[ -n "$text" ] || text='{}'
			if [ -z "$recout" ] || ! value=$(rec_value "$recout" "$label"); then
				echo "$expect:$n: the recording printed no line '$label ...'"
				return 1
			fi
			want=${text//\{\}/"$value"}
			;;
		'@goto '*)
			text=${want#@goto }
			want=${text//\{\}/"$event"}
			;;
		esac
		while [ "$i" -lt "${#out[@]}" ]; do
			i=$((i + 1))
			[[ ${out[i - 1]} == *"$want"* ]] && continue 2
		done
		echo "$expect:$n: not found (in order): $want"
		return 1
	done <"$expect"
	return 0
}

# record_busy_loop SECONDS: record $PROGS/busy_loop into $REWIND_TRACE_DIR
# (output in $WORK/rec.out, .err), let it spin SECONDS, send the program
# SIGINT, and wait at most 10 s for the recording to end. Prints the
# recorder's exit status; fails the test if the program never started or the
# recording did not end.
record_busy_loop()
{
	local spin=$1 rec pid
	"$REWIND" record "$PROGS/busy_loop" >"$WORK/rec.out" 2>"$WORK/rec.err" &
	rec=$!
	for _ in $(seq 100); do
		grep -q "busy pid" "$WORK/rec.out" 2>/dev/null && break
		sleep 0.05
	done
	pid=$(awk '{ print $3 }' "$WORK/rec.out")
	[ -n "$pid" ] || { kill -9 "$rec"; fail "the program did not start"; }
	sleep "$spin"
	kill -INT "$pid"
	for _ in $(seq 100); do
		kill -0 "$rec" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$rec" 2>/dev/null; then
		kill -9 "$rec"
		fail "the recording did not end 10 s after SIGINT"
	fi
	wait "$rec"
	echo "$?"
}
