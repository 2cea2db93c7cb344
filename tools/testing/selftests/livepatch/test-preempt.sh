#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A task preempted in the middle of a redirection: the handler has chosen
# the code of the patch being replaced, and the task is off the CPU before
# it gets there.  An atomic replace must not count that task as switched
# (it would run the old patch's code in the new state, a mix of versions),
# and the replaced patch's module must not go while the task may still
# jump into it.  Needs a preemptible kernel: only there can a task be
# preempted inside the handler.
#
# The caller loops in the kernel (writing to /proc/test_lp_preempt_target)
# inside a cgroup whose CPU bandwidth the script throttles until the caller
# is off the CPU in the handler's epilogue, after the choice.

. "$(dirname "$0")"/functions.sh

TARGET=test_lp_preempt_target
V1=test_lp_preempt_a
PARAMS=/sys/module/$TARGET/parameters
CGROOT=/sys/fs/cgroup
CG=$CGROOT/test_lp_preempt
CALLER=
HELD_PERIOD=

kernel_is_preemptible()
{
	local mode

	# PREEMPT_DYNAMIC: the mode booted, e.g. "none voluntary (full)".
	if read -r mode 2>/dev/null </sys/kernel/debug/sched/preempt; then
		[[ $mode == *"(full)"* ]]
		return
	fi
	[[ $(uname -v) =~ (^| )PREEMPT(_RT)?( |$) ]]
}

setup_cgroup()
{
	grep -q "^cgroup2 $CGROOT " /proc/mounts ||
		mount -t cgroup2 none "$CGROOT" ||
		skip "cannot mount cgroup2 on $CGROOT"
	echo +cpu >"$CGROOT/cgroup.subtree_control" ||
		skip "no cpu controller (CONFIG_CFS_BANDWIDTH)"
	mkdir -p "$CG"
	[[ -e $CG/cpu.max ]] || skip "no $CG/cpu.max (CONFIG_CFS_BANDWIDTH)"
}

# nr_throttled of $CG: the periods at whose end it was throttled.  Each
# period gives the caller its 1 ms of CPU again, after which it is
# throttled where it stands until the next period.
nr_throttled()
{
	local key value

	while read -r key value; do
		[[ $key == nr_throttled ]] && echo "$value" && return
	done <"$CG/cpu.stat"
}

# start_caller - a task in $CG calling f1 and f3 in a loop, in the kernel
start_caller()
{
	echo max >"$CG/cpu.max"
	( echo "$BASHPID" >"$CG/cgroup.procs" && echo 1 >"/proc/$TARGET" ) &
	CALLER=$!
	BG_PIDS+=("$CALLER")
	wait_for "[[ \$(param loops) -gt 0 ]]" || fail_case "the caller does not loop"
}

# stop_caller - let the caller run again and end its loop; a held caller
# first jumps where the handler sent it
stop_caller()
{
	echo max >"$CG/cpu.max"
	echo 1 >"$PARAMS/stop"
	wait "$CALLER" || fail_case "the caller failed"
	BG_PIDS=()
}

# The caller sits in the handler's epilogue: preempt_enable_notrace() of
# the recursion guard, after the handler has set where the call returns.
caller_in_epilogue()
{
	grep -q '^\[<[0-9a-f]*>\] preempt_schedule_notrace' "/proc/$CALLER/stack"
}

# hold_in_redirection - give the caller 1 ms of CPU per second and look
# where it stands each time it is throttled, until that is the handler's
# epilogue; it then stays there until the end of the period (almost a
# second) or stop_caller.  Each look takes a period; how many it takes
# varies widely (from a few to a few dozen), hence the time budget.  Sets
# HELD_PERIOD, the nr_throttled of the period it is held in.
hold_in_redirection()
{
	local budget=120 start tries=0 n deadline

	[[ -n ${VMTEST_DEBUG:-} ]] && budget=300
	echo "1000 1000000" >"$CG/cpu.max"
	start=$SECONDS
	while ((SECONDS - start < budget)); do
		n=$(nr_throttled)
		# Every 2 ms, as the loop was tuned, rather than with poll's
		# backoff: the look comes at the same point of each period.
		deadline=$((SECONDS + 5))
		until (($(nr_throttled) > n)); do
			((SECONDS < deadline)) ||
				fail_case "the caller is never throttled"
			nap 0.002
		done
		# Its 1 ms and the tick that throttles it.
		nap 0.05
		tries=$((tries + 1))
		if caller_in_epilogue; then
			HELD_PERIOD=$(nr_throttled)
			log "test-preempt: the caller is held in the handler (try $tries)"
			echo -n "(held at try $tries) "
			return
		fi
	done
	fail_case "the caller was never throttled inside the handler ($tries tries in $budget s)"
}

# replace_under_hold REPLACE - the case: REPLACE takes over from $V1 while
# the caller is held in the middle of a redirection into $V1's code
replace_under_hold()
{
	local replace=$1 n

	load_mod $TARGET
	load_lp $V1
	start_caller
	hold_in_redirection
	load_lp_nowait "$replace"

	# The caller cannot switch before it leaves the handler: the replace
	# must still be in transition as long as it is held (in the same
	# period).  Otherwise the replaced module would go next, and the
	# caller would jump into its freed code.
	if poll "file_is $KLP_SYSFS/$replace/transition 0" 0.2 &&
	   [[ $(nr_throttled) == "$HELD_PERIOD" ]]; then
		fail_case "$replace completed while a task was in the middle of a redirection"
	fi
	stop_caller
	wait_transition "$replace"
	wait_for "[[ ! -e $KLP_SYSFS/$V1 ]]" || fail_case "$V1 was not replaced"
	unload_lp $V1
	# Calls go on after the replaced module is gone.
	start_caller
	n=$(param loops)
	wait_for "[[ \$(param loops) -gt $((n + 10000)) ]]" ||
		fail_case "the caller stopped after $V1 went"
	stop_caller
	assert_eq "runs of $V1 by tasks switched away from it" 0 "$(param v1_mixed)"
	disable_lp "$replace"
	unload_lp "$replace"
	unload_mod $TARGET
	pass_case
}

# The exit trap: let the caller go, then what exit_cleanup does.
# shellcheck disable=SC2317  # called by the trap
preempt_cleanup()
{
	local rc=$?

	[[ -e $CG/cpu.max ]] && echo max >"$CG/cpu.max"
	[[ -e $PARAMS/stop ]] && echo 1 >"$PARAMS/stop"
	stop_background
	rmdir "$CG" 2>/dev/null
	(exit "$rc")
	exit_cleanup test_lp_preempt_nop test_lp_preempt_both "$V1" "$TARGET"
}

setup_config
kernel_is_preemptible || skip "the kernel is not fully preemptible"
setup_cgroup
trap preempt_cleanup EXIT INT TERM HUP

start_test "a task held in the handler, replace with a nop for f3"
replace_under_hold test_lp_preempt_nop

start_test "a task held in the handler, replace covering f1 and f3"
replace_under_hold test_lp_preempt_both

exit 0
