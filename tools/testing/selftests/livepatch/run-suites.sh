#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-suites.sh - run livepatch test suites inside the vmtest.sh guest
#
# Usage: run-suites.sh SUITE[:TEST,TEST...]...
#   ours        this project's selftests (/selftests/livepatch)
#   upstream    Linux 6.1's livepatch selftests, unmodified, with 6.1's
#               lib/livepatch test modules: the compatibility suite
# With a list of tests (e.g. ours:test-basic.sh,test-samples.sh) only those
# run.
#
# Each suite runs through the kselftest runner, so its output is TAP.  A
# summary line per test and per suite follows, then "N passed, N failed,
# N skipped".  Exit status: 0 when nothing failed.

SELFTESTS=${SELFTESTS:-/selftests}
# Tests listed in known-skips (suite, test, reason) are not run; each is
# reported as a SKIP with its reason.  A suite written "ours@CONFIG" limits
# the line to one kernel configuration (default, preempt or debug).
KNOWN_SKIPS=$SELFTESTS/livepatch/known-skips

passed=0
failed=0
skipped=0
summary=()

known_skip_reason()
{
	local suite=$1 test=$2 s t reason

	[[ -r $KNOWN_SKIPS ]] || return 1
	while read -r s t reason; do
		[[ $s == "#"* || -z $s ]] && continue
		# "SUITE@CONFIG" lines apply to that configuration only.
		[[ $s == *@* && ${s#*@} != "${VMTEST_CONFIG:-}" ]] && continue
		if [[ ${s%@*} == "$suite" && $t == "$test" ]]; then
			echo "$reason"
			return 0
		fi
	done <"$KNOWN_SKIPS"
	return 1
}

# Record the TAP result lines of one suite's output.
count_results()
{
	local suite=$1 line

	while read -r line; do
		case $line in
		"ok "*"# SKIP"*)
			skipped=$((skipped + 1)); summary+=("SKIP  $suite: ${line#ok }") ;;
		"ok "*)
			passed=$((passed + 1)); summary+=("PASS  $suite: ${line#ok }") ;;
		"not ok "*)
			failed=$((failed + 1)); summary+=("FAIL  $suite: ${line#not ok }") ;;
		esac
	done
}

run_suite()
{
	local suite=${1%%:*} only='' dir tests=() t reason start out

	[[ $1 == *:* ]] && only=,${1#*:},

	case $suite in
	ours) dir=livepatch ;;
	upstream) dir=upstream-livepatch ;;
	*) echo "run-suites: unknown suite '$suite'" >&2; return 2 ;;
	esac

	for t in "$SELFTESTS/$dir"/test-*.sh; do
		[[ -e $t ]] || continue
		[[ -z $only || $only == *",$(basename "$t"),"* ]] || continue
		if reason=$(known_skip_reason "$suite" "$(basename "$t")"); then
			skipped=$((skipped + 1))
			summary+=("SKIP  $suite: $(basename "$t") ($reason)")
			continue
		fi
		tests+=("./$(basename "$t")")
	done

	echo "# ===== suite: $suite ($dir, ${#tests[@]} tests) ====="
	start=$(date +%s)
	out=$(mktemp)
	(
		cd "$SELFTESTS/$dir" || exit 1
		export BASE_DIR=$SELFTESTS
		# shellcheck source=/dev/null
		. "$SELFTESTS/kselftest/runner.sh"
		run_many "${tests[@]}"
	) 2>&1 | tee "$out"
	count_results "$suite" <"$out"
	rm -f "$out"
	summary+=("TIME  $suite: $(( $(date +%s) - start )) s")
}

[[ $# -gt 0 ]] || set -- ours upstream
for suite in "$@"; do
	run_suite "$suite" || failed=$((failed + 1))
done

echo "# ===== summary ====="
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
