#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check.sh CONFIG [SUITE...] - "make check": run the suites (run-suites.sh
# syntax; default "ours upstream") in vmtest.sh guests of kernel CONFIG.
#
# Two boots.  The tests that rewrite code while tasks run through it (they
# carry the line "# vmtest: single-threaded TCG") run under single-threaded
# TCG: QEMU's multi-threaded TCG can leave a vCPU on a stale translation of
# a call site that another vCPU rewrote, which hangs or oopses the guest
# with upstream's core as with ours.  Everything else runs under the
# default multi-threaded TCG, where the vCPUs really run in parallel.
#
# Prints both runs, then their summaries and one total line,
# "N passed, N failed, N skipped", counted here from the TAP results: a
# planned test that did not report exactly once is a failure, whatever the
# guest's own summary says.  Exit status 0 when nothing failed.

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VMTEST=$SCRIPT_DIR/vmtest.sh
MARK='^# vmtest: single-threaded TCG$'
# shellcheck source=kernel-problems.sh
. "$SCRIPT_DIR/kernel-problems.sh"

config=${1:?usage: check.sh CONFIG [SUITE...]}
shift
[[ $# -gt 0 ]] || set -- ours upstream

# The marked tests among ours, by script name.
mapfile -t single < <(cd "$SCRIPT_DIR" && grep -l -- "$MARK" test-*.sh)

is_single()
{
	local t

	for t in "${single[@]}"; do
		[[ $t == "$1" ]] && return 0
	done
	return 1
}

# Split each "ours[:list]" between the two boots; other suites run in the
# multi-threaded one.
multi_args=()
single_args=()
for spec in "$@"; do
	suite=${spec%%:*}
	if [[ $suite != ours ]]; then
		multi_args+=("$spec")
		continue
	fi
	if [[ $spec == *:* ]]; then
		IFS=, read -r -a wanted <<<"${spec#*:}"
	else
		mapfile -t wanted < <(cd "$SCRIPT_DIR" && ls test-*.sh)
	fi
	m=() s=()
	for t in "${wanted[@]}"; do
		if is_single "$t"; then s+=("$t"); else m+=("$t"); fi
	done
	[[ ${#m[@]} -gt 0 ]] && multi_args+=("ours:$(IFS=,; echo "${m[*]}")")
	[[ ${#s[@]} -gt 0 ]] && single_args+=("ours:$(IFS=,; echo "${s[*]}")")
done

summaries=()
passed=0 failed=0 skipped=0

# count_tap OUT THREAD - count the TAP results in OUT, and fail every
# planned test that did not report exactly once (the run stopped, say)
count_tap()
{
	local out=$1 thread=$2 planned n name times

	planned=$(sed -n 's/^1\.\.\([0-9]\+\)$/\1/p' "$out" | head -n 1)
	if [[ -z $planned ]]; then
		summaries+=("FAIL  boot thread=$thread: no test plan")
		failed=$((failed + 1))
		return
	fi
	for ((n = 1; n <= planned; n++)); do
		times=$(grep -cE "^(not )?ok $n " "$out")
		[[ $times -eq 1 ]] && continue
		name=$(sed -n "s/^# plan: $n //p" "$out")
		summaries+=("FAIL  ${name:-test $n}: reported $times times, planned once")
		failed=$((failed + 1))
	done
	passed=$((passed + $(grep -E '^ok [0-9]+ ' "$out" | grep -vc ' # SKIP ')))
	skipped=$((skipped + $(grep -cE '^ok [0-9]+ .* # SKIP ' "$out")))
	failed=$((failed + $(grep -cE '^not ok [0-9]+ ' "$out")))
}

# outside_why OUT - why a boot whose tests all reported failed anyway, for
# its FAIL line (CI's last lines show FAIL lines only): ": ", the first of
# vmtest's own error lines (the guest's end-of-run checks, the host's
# console check) and its first detail: the function names of the first
# leaked object's backtrace, or else the first kernel problem line after it
outside_why()
{
	KP_RE=$KERNEL_PROBLEMS awk '
	BEGIN { re = ENVIRON["KP_RE"] }
	!head && /^vmtest: (error: |the kernel|kmemleak)/ { head = $0; next }
	!head { next }
	++seen > 60 { exit }
	{ sub(/^  \| /, "") }
	head ~ /unreferenced/ {
		if (/backtrace:/) { bt = 1; next }
		if (bt && !/^ *\[</) exit
		if (bt && nf++ < 6) {
			f = $2
			sub(/\+.*/, "", f)
			detail = detail (nf > 1 ? " < " : "") f
		}
		next
	}
	detail == "" && $0 ~ re { detail = $0 }
	END {
		if (head != "")
			printf ": %s%s", head, (detail != "" ? " " detail : "")
	}' "$1"
}

# run_boot THREAD SUITE... - one guest; adds its counts
run_boot()
{
	local thread=$1 out rc f_before; shift

	out=$(mktemp)
	echo "# ===== boot: TCG thread=$thread: $* ====="
	VMTEST_TCG_THREAD=$thread "$VMTEST" -c "$config" -- \
		/selftests/livepatch/run-suites.sh "$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	f_before=$failed
	count_tap "$out" "$thread"
	if [[ $rc -ne 0 && $failed -eq $f_before ]]; then
		summaries+=("FAIL  boot thread=$thread: failed outside the tests (exit $rc)$(outside_why "$out")")
		failed=$((failed + 1))
	fi
	mapfile -t -O "${#summaries[@]}" summaries < <(
		sed -n '/^# ===== summary =====$/,/^[0-9]* passed/{/^\(PASS\|FAIL\|SKIP\|TIME\) /p}' "$out" |
		sed "s/^\(TIME  [^:]*\)/\1 (thread=$thread)/")
	rm -f "$out"
}

[[ ${#multi_args[@]} -gt 0 ]] && run_boot multi "${multi_args[@]}"
[[ ${#single_args[@]} -gt 0 ]] && run_boot single "${single_args[@]}"

echo "# ===== check: CONFIG=$config ====="
printf '%s\n' "${summaries[@]}"
echo "$passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
