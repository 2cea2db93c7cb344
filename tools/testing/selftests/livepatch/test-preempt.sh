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
# Callers loop in the kernel (writing to /proc/test_lp_preempt_target),
# each inside a cgroup of its own whose CPU bandwidth the script throttles
# until one of them is off the CPU in the handler's epilogue, after the
# choice.  The others then leave, so that nothing else holds the
# transition up.

. "$(dirname "$0")"/functions.sh

TARGET=test_lp_preempt_target
V1=test_lp_preempt_a
PARAMS=/sys/module/$TARGET/parameters
CGROOT=/sys/fs/cgroup
# Caller I runs in cgroup ${CG}_I.  Each caller is one more chance per
# throttling period to be caught where the test needs it.
CG=$CGROOT/test_lp_preempt
SEEKERS=${PREEMPT_SEEKERS:-4}
CALLERS=()
HELD=
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
	local i

	grep -q "^cgroup2 $CGROOT " /proc/mounts ||
		mount -t cgroup2 none "$CGROOT" ||
		skip "cannot mount cgroup2 on $CGROOT"
	echo +cpu >"$CGROOT/cgroup.subtree_control" ||
		skip "no cpu controller (CONFIG_CFS_BANDWIDTH)"
	for ((i = 0; i < SEEKERS; i++)); do
		mkdir -p "${CG}_$i"
	done
	[[ -e ${CG}_0/cpu.max ]] || skip "no ${CG}_0/cpu.max (CONFIG_CFS_BANDWIDTH)"
}

# nr_throttled I - NR_THROTTLED is the nr_throttled of caller I's cgroup:
# the periods at whose end it was throttled.  Each period gives the caller
# its 1 ms of CPU again, after which it is throttled where it stands until
# the next period.
nr_throttled()
{
	local key value

	NR_THROTTLED=
	while read -r key value; do
		[[ $key == nr_throttled ]] && NR_THROTTLED=$value && return
	done <"${CG}_$1/cpu.stat"
}

# start_callers N - N tasks calling f1 and f3 in a loop, in the kernel,
# caller I in cgroup ${CG}_I
start_callers()
{
	local i

	CALLERS=()
	for ((i = 0; i < $1; i++)); do
		echo max >"${CG}_$i/cpu.max"
		( echo "$BASHPID" >"${CG}_$i/cgroup.procs" && echo 1 >"/proc/$TARGET" ) &
		CALLERS[i]=$!
	done
	BG_PIDS=("${CALLERS[@]}")
	wait_for "[[ \$(param loops) -gt 0 ]]" || fail_case "the callers do not loop"
}

# stop_callers [KEEP] - let the callers run again and end their loops; a
# held caller first jumps where the handler sent it.  Caller KEEP, if
# given, stays where it is until its cgroup's period ends.
stop_callers()
{
	local i

	echo 1 >"$PARAMS/stop"
	for i in "${!CALLERS[@]}"; do
		[[ $i == "${1:-}" ]] && continue
		echo max >"${CG}_$i/cpu.max"
		wait "${CALLERS[i]}" || fail_case "caller $i failed"
		unset "CALLERS[i]"
	done
	BG_PIDS=("${CALLERS[@]}")
}

# caller_in_epilogue I - caller I sits in the handler's epilogue:
# preempt_enable_notrace() of the recursion guard, after the handler has
# set where the call returns.
caller_in_epilogue()
{
	local frame

	while read -r frame; do
		[[ $frame =~ ^\[\<[0-9a-f]*\>\]\ preempt_schedule_notrace ]] && return 0
	done <"/proc/${CALLERS[$1]}/stack"
	return 1
}

# hold_in_redirection - give each caller 1 ms of CPU per second and look
# where it stands each time it is throttled, until one of them is in the
# handler's epilogue; it then stays there until the end of its period
# (almost a second) or stop_callers, and the others leave.  Each look
# takes a period of one caller; how many it takes varies widely (from a
# few to a few dozen), hence the time budget.  Sets HELD, the caller held,
# and HELD_PERIOD, the nr_throttled of the period it is held in.
hold_in_redirection()
{
	local budget=120 start tries=0 i now
	local -a last=() since=()

	[[ -n ${VMTEST_DEBUG:-} ]] && budget=300
	for i in "${!CALLERS[@]}"; do
		echo "1000 1000000" >"${CG}_$i/cpu.max"
		nr_throttled "$i"
		last[i]=$NR_THROTTLED since[i]=
	done
	start=$SECONDS
	while ((SECONDS - start < budget)); do
		# Every 2 ms, as the loop was tuned, rather than with poll's
		# backoff: the look comes at the same point of each period.
		nap 0.002
		now=${EPOCHREALTIME/./}
		for i in "${!CALLERS[@]}"; do
			if [[ -z ${since[i]} ]]; then
				nr_throttled "$i"
				((NR_THROTTLED > last[i])) &&
					last[i]=$NR_THROTTLED since[i]=$now
				continue
			fi
			# Its 1 ms and the tick that throttles it.
			((now - since[i] < 50000)) && continue
			since[i]=
			tries=$((tries + 1))
			caller_in_epilogue "$i" || continue
			HELD=$i HELD_PERIOD=${last[i]}
			stop_callers "$HELD"
			log "test-preempt: a caller is held in the handler (try $tries)"
			echo -n "(held at try $tries) "
			return
		done
	done
	fail_case "no caller was ever throttled inside the handler ($tries tries in $budget s)"
}

# replace_under_hold REPLACE - the case: REPLACE takes over from $V1 while
# the caller is held in the middle of a redirection into $V1's code
replace_under_hold()
{
	local replace=$1

	load_mod $TARGET
	load_lp $V1
	start_callers "$SEEKERS"
	hold_in_redirection
	load_lp_nowait "$replace"

	# The caller cannot switch before it leaves the handler: the replace
	# must still be in transition as long as it is held (in the same
	# period).  Otherwise the replaced module would go next, and the
	# caller would jump into its freed code.
	if poll "file_is $KLP_SYSFS/$replace/transition 0" 0.2 &&
	   nr_throttled "$HELD" && [[ $NR_THROTTLED == "$HELD_PERIOD" ]]; then
		fail_case "$replace completed while a task was in the middle of a redirection"
	fi
	stop_callers
	wait_transition "$replace"
	wait_for "[[ ! -e $KLP_SYSFS/$V1 ]]" || fail_case "$V1 was not replaced"
	unload_lp $V1
	# Calls go on after the replaced module is gone.
	start_callers 1
	wait_param_grows loops 10000 || fail_case "the caller stopped after $V1 went"
	stop_callers
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
	local rc=$? cg

	for cg in "${CG}"_*; do
		[[ -e $cg/cpu.max ]] && echo max >"$cg/cpu.max"
	done
	[[ -e $PARAMS/stop ]] && echo 1 >"$PARAMS/stop"
	stop_background
	for cg in "${CG}"_*; do
		rmdir "$cg" 2>/dev/null
	done
	(exit "$rc")
	exit_cleanup test_lp_preempt_nop test_lp_preempt_both "$V1" "$TARGET"
}

setup_config
kernel_is_preemptible || skip "the kernel is not fully preemptible"
# The window held here is the handler's.  Once a transition completes,
# settled calls skip the handler (test-settled.sh): keep it for every call.
settle_calls 0
setup_cgroup
trap preempt_cleanup EXIT INT TERM HUP

start_test "a task held in the handler, replace with a nop for f3"
replace_under_hold test_lp_preempt_nop

start_test "a task held in the handler, replace covering f1 and f3"
replace_under_hold test_lp_preempt_both

exit 0
