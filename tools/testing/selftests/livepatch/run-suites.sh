#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-suites.sh - run livepatch test suites inside the vmtest.sh guest
#
# Usage: run-suites.sh SUITE[:TEST,TEST...]...
#   ours        this project's selftests (/selftests/livepatch)
#   upstream    Linux 6.1's livepatch selftests, unmodified, with 6.1's
#               lib/livepatch test modules: the compatibility suite
#   harness     tests that break the rules below on purpose, for
#               check-harness.sh, which checks that each one fails
# With a list of tests (e.g. ours:test-basic.sh,test-samples.sh) only those
# run.
#
# The output is TAP.  A suite that is unknown, has no test to run, or
# lacks a test named in its list ends the run before anything runs ("Bail
# out!").  The plan comes first, with a "# plan: N SUITE/TEST" line per
# test, so that a reader can name the tests that never reported if the
# run dies; then each test's output, as diagnostics, and its result.  A
# test fails when
#  - it exits with a status other than 0, the skip status (4) included:
#    a test that may not run somewhere is listed in known-skips, and is
#    then not started at all but reported as a SKIP with the reason;
#  - it is still running after its time limit: 300 s, or what a line
#    "# vmtest: timeout SECONDS" in the script says, three times as long
#    on the debug kernel;
#  - the kernel logged a problem while it ran (kernel-problems.sh), or did
#    not log one that the test announced it would provoke;
#  - the kernel log wrapped while it ran, so that records were lost;
#  - it left something behind: a livepatch, a module (other than one
#    that a forced transition pinned), an ftrace hook, a tracer, or
#    processes still running.  The runner then cleans up, so that the
#    next test starts clean.
# A summary line per test and per suite follows, then
# "N passed, N failed, N skipped".  Exit status: 0 when nothing failed.

SELFTESTS=${SELFTESTS:-/selftests}
KNOWN_SKIPS=$SELFTESTS/livepatch/known-skips
DEFAULT_LIMIT=300
TIMEOUT_MARK='^# vmtest: timeout [0-9]+$'

# shellcheck source=functions.sh
. "$SELFTESTS/livepatch/functions.sh"

# The tests may end the runner itself (the harness suite does).
export VMTEST_RUNNER_PID=$$

plan_suite=() plan_test=() plan_dir=() plan_skip=()
passed=0 failed=0 skipped=0
summary=()

# known_skip_reason SUITE TEST - the reason known-skips gives, if any.  A
# suite written "SUITE@CONFIG" limits the line to one kernel configuration.
known_skip_reason()
{
	local suite=$1 test=$2 s t reason

	[[ -r $KNOWN_SKIPS ]] || return 1
	while read -r s t reason; do
		[[ $s == "#"* || -z $s ]] && continue
		[[ $s == *@* && ${s#*@} != "${VMTEST_CONFIG:-}" ]] && continue
		if [[ ${s%@*} == "$suite" && $t == "$test" ]]; then
			echo "$reason"
			return 0
		fi
	done <"$KNOWN_SKIPS"
	return 1
}

# plan SUITE[:LIST] - add the suite's tests to the plan
plan()
{
	local suite=${1%%:*} only='' dir t name n=0

	[[ $1 == *:* ]] && only=,${1#*:},
	case $suite in
	ours) dir=livepatch ;;
	upstream) dir=upstream-livepatch ;;
	harness) dir=livepatch/harness ;;
	*) echo "run-suites: unknown suite '$suite'" >&2; return 1 ;;
	esac

	for t in "$SELFTESTS/$dir"/test-*.sh; do
		[[ -e $t ]] || continue
		name=${t##*/}
		[[ -z $only || $only == *",$name,"* ]] || continue
		plan_suite+=("$suite") plan_test+=("$name") plan_dir+=("$dir")
		plan_skip+=("$(known_skip_reason "$suite" "$name")")
		n=$((n + 1))
	done
	if ((n == 0)); then
		echo "run-suites: suite '$1' has no tests" >&2
		return 1
	fi
	# A name in the list that matched nothing is a typo, not a pass.
	for name in ${only//,/ }; do
		[[ -e $SELFTESTS/$dir/$name ]] && continue
		echo "run-suites: suite '$suite' has no test '$name'" >&2
		return 1
	done
}

# The checks between tests start no process when all is well, and return
# their results in variables rather than through command substitutions:
# in the debug guest, a fork costs 30 to 50 ms and starting a program
# three times as much, tens of seconds over a run.

# time_limit SCRIPT - how long the test may run, in seconds, in LIMIT
time_limit()
{
	local line

	LIMIT=$DEFAULT_LIMIT
	while IFS= read -r line; do
		[[ $line =~ $TIMEOUT_MARK ]] || continue
		LIMIT=${line##* }
		break
	done <"$1"
	[[ ${VMTEST_CONFIG:-} == debug ]] && LIMIT=$((LIMIT * 3))
}

# Modules found pinned: nothing unpins a module before a reboot, so each
# costs its grep and rmmod (0.3 s each on the debug kernel) once, not after
# every test.
declare -A PINNED=()

# is_pinned MOD - a test declared MOD pinned (functions.sh: module_pinned)
# and it really is: it cannot be removed.  One that can is removed.
is_pinned()
{
	[[ -n ${PINNED[$1]:-} ]] && return 0
	grep -qxF "$1" /run/vmtest-pinned-modules 2>/dev/null &&
		! rmmod "$1" 2>/dev/null || return 1
	PINNED[$1]=1
}

# leftovers - what a test left behind, one thing per entry of LEFT
leftovers()
{
	local p m tracer hook

	LEFT=()
	for p in "$KLP_SYSFS"/*; do
		[[ -e $p ]] && LEFT+=("livepatch ${p##*/}")
	done
	while read -r m _; do
		is_pinned "$m" || LEFT+=("module $m")
	done </proc/modules
	tracer=
	read -r tracer <"$TRACING/current_tracer" 2>/dev/null
	[[ -z $tracer || $tracer == nop ]] || LEFT+=("tracer $tracer")
	while IFS= read -r hook; do
		LEFT+=("ftrace hook: $hook")
	done <"$TRACING/enabled_functions" 2>/dev/null
}

# clean_up - remove what leftovers found: tracer, patches, modules
clean_up()
{
	local p m

	echo nop >"$TRACING/current_tracer" 2>/dev/null
	echo >"$TRACING/set_ftrace_filter" 2>/dev/null
	for p in "$KLP_SYSFS"/*; do
		[[ -e $p/enabled ]] && echo 0 >"$p/enabled" 2>/dev/null
	done
	wait_for "[[ -z \$(ls $KLP_SYSFS) ]]"
	# Modules may hold each other: a few rounds.
	for _ in 1 2 3; do
		while read -r m _; do
			is_pinned "$m" || rmmod "$m" 2>/dev/null
		done </proc/modules
	done
}

# dump_stacks PGID - the state and kernel stack of each process of
# process group PGID
dump_stacks()
{
	local pid

	for pid in $(pgrep -g "$1"); do
		describe_task "$pid"
	done
}

# processes_started - how many processes the kernel has started since
# boot, in FORKS
processes_started()
{
	local key value

	FORKS=0
	while read -r key value _; do
		[[ $key == processes ]] && FORKS=$value && return
	done </proc/stat
}

# late_marks - keep the announcements that PROBLEMS says nothing matched:
# the test failed for it, and if the announced problem comes after its
# checks, the announcement still covers it when the next test looks at
# what came before it, which fails one test, not two
LATE_MARKS=()
late_marks()
{
	local line

	while IFS= read -r line; do
		[[ $line == "$KERNEL_PROBLEM_UNMET"* ]] &&
			LATE_MARKS+=("$KERNEL_PROBLEM_MARK${line#"$KERNEL_PROBLEM_UNMET"}")
	done <<<"$PROBLEMS"
}

# fail_for_problems [WHEN [REASON_WHEN]] - if kmsg_problems found any,
# show the first of them ("problems WHEN:") and add "kernel problems
# REASON_WHEN" to the reasons (why) of run_test's test
fail_for_problems()
{
	[[ -n $PROBLEMS ]] || return 0
	echo "# the kernel log reports problems${1:+ $1}:"
	head -n 20 <<<"$PROBLEMS" | sed 's/^/#   /'
	why+=("kernel problems${2:+ $2}")
}

# result N STATUS NAME [DIRECTIVE] - one TAP result, counted
result()
{
	local n=$1 status=$2 name=$3 directive=${4:-}

	case $status in
	pass) passed=$((passed + 1)); summary+=("PASS  $name")
	      echo "ok $n $name" ;;
	skip) skipped=$((skipped + 1)); summary+=("SKIP  $name ($directive)")
	      echo "ok $n $name # SKIP $directive" ;;
	fail) failed=$((failed + 1)); summary+=("FAIL  $name: $directive")
	      echo "not ok $n $name # $directive" ;;
	esac
}

# comment_lines - copy stdin line by line as it comes, each line made a
# TAP comment, ending with a newline even where the input did not
comment_lines()
{
	local line

	while IFS= read -r line || [[ -n $line ]]; do
		printf '# %s\n' "$line"
	done
}

# run_test N - run the N-th planned test and report it
run_test()
{
	local n=$1 i=$(($1 - 1)) name dir script rc start strays forks
	local why=()

	name=${plan_suite[i]}/${plan_test[i]}
	dir=$SELFTESTS/${plan_dir[i]}
	script=$dir/${plan_test[i]}
	if [[ -n ${plan_skip[i]} ]]; then
		result "$n" skip "$name" "${plan_skip[i]}"
		return
	fi

	time_limit "$script"
	echo "# ===== $name (limit ${LIMIT} s) ====="
	# What the kernel logged since the last test's checks (work that test
	# left queued, a detector that fired late) would otherwise be seen
	# only by the guest's check of the whole log, which names no test.
	read_kmsg || why+=("the kernel log could not be read before it")
	((KMSG_LOST)) && why+=("kernel log overflowed before it: records were lost")
	KMSG=("${LATE_MARKS[@]}" "${KMSG[@]}")
	LATE_MARKS=()
	kmsg_problems
	fail_for_problems "from before this test started" "before it started"
	processes_started
	forks=$FORKS
	start=${EPOCHREALTIME/./}
	# timeout leads a process group of its own: what the test leaves
	# running is found there, and killed before the output pipe can
	# close.  sed adds a missing last newline, so that the result line
	# stays on a line of its own.
	# shellcheck disable=SC1003 # sed's "$a\" is meant
	(
		cd "$dir" || exit 1
		timeout -k 10 "$LIMIT" "./${plan_test[i]}" &
		pgid=$!
		# Where a test that hangs is stuck: its processes' kernel
		# stacks, just before the time limit.
		( nap $((LIMIT - 2)); dump_stacks "$pgid" ) &
		watchdog=$!
		wait "$pgid"
		rc=$?
		kill "$watchdog" 2>/dev/null
		# Give processes that are on their way out a moment to go.
		# Signal 0 to the group finds whether any is left.
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 -- "-$pgid" 2>/dev/null || break
			nap 0.05
		done
		: >"$STRAYS_FILE"
		if kill -0 -- "-$pgid" 2>/dev/null; then
			pgrep -g "$pgid" | tr '\n' ' ' >"$STRAYS_FILE"
			kill -KILL -- "-$pgid" 2>/dev/null
		fi
		exit "$rc"
	) </dev/null 2>&1 | comment_lines
	rc=${PIPESTATUS[0]}
	strays=
	read -r strays <"$STRAYS_FILE"
	start=$((${EPOCHREALTIME/./} - start))
	processes_started
	forks=$((FORKS - forks))
	summary+=("TIME  $name: $((start / 1000000)).$((start % 1000000 / 100000)) s, $forks processes")

	case $rc in
	0) ;;
	124 | 137) why+=("TIMEOUT after $LIMIT s"); strays= ;;
	"$ksft_skip") why+=("skipped, but not listed in known-skips") ;;
	*) why+=("exit=$rc") ;;
	esac

	[[ -n $strays ]] && why+=("left processes running: $strays")

	read_kmsg || why+=("the kernel log could not be read")
	((KMSG_LOST)) && why+=("kernel log overflowed: records were lost")
	KP_UNMET=1 kmsg_problems
	late_marks
	fail_for_problems

	leftovers
	if ((${#LEFT[@]})); then
		echo "# left behind:"
		printf '#   %s\n' "${LEFT[@]:0:20}"
		why+=("left things behind")
		clean_up
		# What the clean-up makes the kernel say is this test's too.
		read_kmsg || why+=("the kernel log could not be read after cleaning up")
		((KMSG_LOST)) && why+=("kernel log overflowed while cleaning up")
		kmsg_problems
		fail_for_problems "while cleaning up" "while cleaning up"
	fi

	if ((${#why[@]})); then
		local IFS=';'
		result "$n" fail "$name" "${why[*]}"
	else
		result "$n" pass "$name"
	fi
}

[[ $# -gt 0 ]] || set -- ours upstream
echo "TAP version 13"
for spec in "$@"; do
	plan "$spec" && continue
	echo "Bail out! no test of '$spec' can run"
	exit 1
done
echo "1..${#plan_test[@]}"
for ((n = 1; n <= ${#plan_test[@]}; n++)); do
	echo "# plan: $n ${plan_suite[n - 1]}/${plan_test[n - 1]}"
done

run_start=${EPOCHREALTIME/./}
kmsg_open || { echo "Bail out! cannot read /dev/kmsg"; exit 1; }
STRAYS_FILE=$(mktemp)
export BASE_DIR=$SELFTESTS
for ((n = 1; n <= ${#plan_test[@]}; n++)); do
	run_test "$n"
done

run_time=$((${EPOCHREALTIME/./} - run_start))
summary+=("TIME  all, with the checks between tests: $((run_time / 1000000)).$((run_time % 1000000 / 100000)) s")
echo "# ===== summary ====="
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
