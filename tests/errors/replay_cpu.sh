# SPDX-License-Identifier: MIT
# replay_cpu: CPUID answers differ between CPUs (the APIC id), so replay
# pins itself to the CPU the recording ran on. cpuid_apic, whose path
# depends on that id, is recorded on CPU 1 and replayed twice started on
# CPU 0 (taskset), then recorded on CPU 0 and replayed started on CPU 1:
# each replay must agree with its recording.
set -u
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"

command -v taskset >/dev/null || skip "taskset is not installed"
taskset -c 0,1 true 2>/dev/null || skip "this machine has fewer than two CPUs to use"

for rec in 1 0; do
	other=$((1 - rec))
	dir=$WORK/cpu$rec
	# shellcheck disable=SC2086 # the extra flags are meant to split into words
	taskset -c $rec "$REWIND" record $REWIND_TEST_EXTRA_FLAGS -o "$dir" "$PROGS/cpuid_apic" \
		>"$WORK/rec$rec.out" 2>"$WORK/rec$rec.err" ||
		fail "record on CPU $rec failed: $(tail -n 1 "$WORK/rec$rec.err")"
	grep -q '^apic id' "$WORK/rec$rec.out" || fail "cpuid_apic printed no APIC id"
	for i in 1 2; do
		out=$WORK/rep$rec-$i
		taskset -c $other "$REWIND" replay -a "$dir" >"$out.out" 2>"$out.err"
		st=$?
		[ "$st" = 0 ] || fail "replay $i of the CPU $rec recording, started on CPU $other, exited $st: $(tail -n 1 "$out.err")"
		[ ! -s "$out.err" ] || fail "replay $i of the CPU $rec recording printed on stderr: $(head -n 1 "$out.err")"
		cmp -s "$WORK/rec$rec.out" "$out.out" || fail "replay $i of the CPU $rec recording printed other than it"
	done
	echo "CPU $rec: $(head -n 1 "$WORK/rec$rec.out"); replayed twice from CPU $other"
done
