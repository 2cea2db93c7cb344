#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The per-task consistency model: transitions on an idle system and with a
# kernel thread or a user task asleep in the function being replaced,
# reversal, force, the fake signal, fork during a transition and the
# values of /proc/<pid>/patch_state.
#
# test_lp_trans_target's gate function is what test_lp_trans_patch (and,
# for the forced disable, test_lp_trans_forced) replace; the target's
# parameters hold its kthread or readers of /proc/test_lp_trans_target
# asleep inside it.  Each version of the gate says which it is: 1 original,
# 2 test_lp_trans_patch, 3 test_lp_trans_forced.

. "$(dirname "$0")"/functions.sh

TARGET=test_lp_trans_target
PATCH=test_lp_trans_patch
FORCED=test_lp_trans_forced
PARAMS=/sys/module/$TARGET/parameters
PROC_FILE=/proc/$TARGET
# Timing limits, in ms, on an idle system: the patching transition after
# modprobe returns (it is retried after 4 ms, 8 ms...), and disabling until
# the patch is gone, which also waits for RCU grace periods and a work
# item (ms under KVM, up to a second under TCG on a busy host).
IDLE_LIMIT_MS=1000
DISABLE_LIMIT_MS=3000
# Seconds before the core nudges stragglers, in the case that waits for it.
SIGNAL_PERIOD=${TRANSITION_SIGNAL_PERIOD:-1}

KT_PID=
BG_PIDS=()

# --- helpers --------------------------------------------------------------------

set_param()
{
	echo "$2" >"$PARAMS/$1" || die "cannot set parameter $1"
}

# state_of PID - /proc/PID/patch_state
state_of()
{
	local v

	read -r v <"/proc/$1/patch_state" || die "no patch_state for pid $1"
	echo "$v"
}

assert_state()
{
	assert_eq "patch_state of $2" "$3" "$(state_of "$1")"
}

# other_tasks_in_state STATE - every thread but the target's kthread has
# STATE as patch_state (threads that exit meanwhile do not count)
# shellcheck disable=SC2317  # called through eval
other_tasks_in_state()
{
	local dir v

	for dir in /proc/[0-9]*/task/[0-9]*; do
		[[ ${dir##*/} == "$KT_PID" ]] && continue
		read -r v <"$dir/patch_state" 2>/dev/null || continue
		[[ $v == "$1" ]] || return 1
	done
	return 0
}

hold_kthread()
{
	set_param kthread_hold 1
	wait_for "file_is $PARAMS/kthread_inside 1" ||
		fail_case "the kthread did not enter the gate"
}

release_kthread()
{
	set_param kthread_hold 0
	wait_for "file_is $PARAMS/kthread_inside 0" ||
		fail_case "the kthread did not leave the gate"
}

# kthread_runs VERSION - make the kthread pass the gate once and check
# which version of the code it went through
kthread_runs()
{
	hold_kthread
	assert_eq "version of the gate the kthread entered" "$1" \
		"$(param kthread_version)"
	release_kthread
}

# check_log EXPECTED - like check_result, but the fake signal the core
# sends to stragglers after 15 s does not count: a slow host may make a
# blocked case last that long.
check_log()
{
	local got

	got=$(new_log_lines | grep -vx 'livepatch: signaling remaining tasks')
	compare_log "$1" "$got"
}

ms()
{
	printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000))
}

# shellcheck disable=SC2317  # the exit trap
cleanup()
{
	local pid mod

	for pid in "${BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	if [[ -d $PARAMS ]]; then
		echo 0 >"$PARAMS/kthread_hold"
		echo 0 >"$PARAMS/read_hold"
	fi
	for mod in $PATCH $FORCED; do
		[[ -e $KLP_SYSFS/$mod ]] && echo 0 >"$KLP_SYSFS/$mod/enabled"
		wait_for "[[ ! -e $KLP_SYSFS/$mod ]]"
		rmmod "$mod" 2>/dev/null
	done
	rmmod "$TARGET" 2>/dev/null
	restore_config
}

setup_config
trap cleanup EXIT INT TERM HUP
dmesg_start=$(dmesg | wc -l)

# --- cases ------------------------------------------------------------------------

start_test "a transition completes quickly on an idle system"
load_mod $TARGET
read -r KT_PID <"$PARAMS/kthread_pid"
assert_eq "$PROC_FILE before patching" "version 1" "$(value_of "$PROC_FILE")"
require_mod $PATCH
is_livepatch $PATCH || die "$PATCH is not a livepatch"
log "% modprobe $PATCH"
t0=${EPOCHREALTIME//[!0-9]/}
modprobe $PATCH || die "cannot load $PATCH"
t1=${EPOCHREALTIME//[!0-9]/}
poll "file_is $KLP_SYSFS/$PATCH/transition 0" 10 ||
	fail_case "the transition did not complete"
t2=${EPOCHREALTIME//[!0-9]/}
assert_eq "$PROC_FILE while patched" "version 2" "$(value_of "$PROC_FILE")"
assert_state $$ "this shell" -1
log "% echo 0 > $KLP_SYSFS/$PATCH/enabled"
t3=${EPOCHREALTIME//[!0-9]/}
echo 0 >"$KLP_SYSFS/$PATCH/enabled" || die "cannot disable $PATCH"
poll "[[ ! -e $KLP_SYSFS/$PATCH ]]" 10 || fail_case "the patch was not removed"
t4=${EPOCHREALTIME//[!0-9]/}
assert_eq "$PROC_FILE after unpatching" "version 1" "$(value_of "$PROC_FILE")"
unload_lp $PATCH
((t2 - t1 < IDLE_LIMIT_MS * 1000)) ||
	fail_case "patching took $(ms $((t2 - t1))) ms after modprobe returned"
((t4 - t3 < DISABLE_LIMIT_MS * 1000)) ||
	fail_case "disabling took $(ms $((t4 - t3))) ms"
check_result "% modprobe $TARGET
% modprobe $PATCH
$(patching_started_log $PATCH)
$(transition_done_log $PATCH patching)
$(unpatching_started_log $PATCH)
$(transition_done_log $PATCH unpatching)
% rmmod $PATCH"
echo "# idle: modprobe to transition 0: $(ms $((t2 - t0))) ms" \
	"(modprobe $(ms $((t1 - t0))) ms, then $(ms $((t2 - t1))) ms);" \
	"disable to sysfs dir gone: $(ms $((t4 - t3))) ms"

start_test "a kthread asleep in the old function holds the transition"
hold_kthread
assert_eq "version of the gate the kthread entered" 1 "$(param kthread_version)"
assert_state "$KT_PID" "the kthread before the transition" -1
assert_state $$ "this shell before the transition" -1
load_lp_nowait $PATCH
let_retries_run
assert_sysfs $PATCH/transition 1
assert_sysfs $PATCH/enabled 1
assert_state "$KT_PID" "the kthread in the old function" 0
assert_state $$ "this shell" 1
wait_for "other_tasks_in_state 1" ||
	fail_case "some task other than the kthread is not patched"
assert_eq "/proc/self/patch_state of a new process" 1 "$(cat /proc/self/patch_state)"
assert_sysfs $PATCH/transition 1
t0=${EPOCHREALTIME//[!0-9]/}
release_kthread
wait_transition $PATCH
t1=${EPOCHREALTIME//[!0-9]/}
assert_state "$KT_PID" "the kthread after the transition" -1
assert_state $$ "this shell after the transition" -1
assert_eq "/proc/self/patch_state after the transition" -1 "$(cat /proc/self/patch_state)"
kthread_runs 2
disable_lp $PATCH
kthread_runs 1
unload_lp $PATCH
check_log "% modprobe $PATCH
$(patching_started_log $PATCH)
$(transition_done_log $PATCH patching)
$(unpatching_started_log $PATCH)
$(transition_done_log $PATCH unpatching)
% rmmod $PATCH"
echo "# completion after the kthread left the gate: $(ms $((t1 - t0))) ms"

start_test "a task forked during a transition inherits its parent's state"
hold_kthread
load_lp_nowait $PATCH
let_retries_run
assert_sysfs $PATCH/transition 1
parent=$(state_of $$)
assert_eq "patch_state of this shell while patching" 1 "$parent"
assert_eq "/proc/self/patch_state of a child while patching" "$parent" \
	"$(cat /proc/self/patch_state)"
sleep 60 &
child=$!
BG_PIDS+=("$child")
assert_state "$child" "a child that stays around" "$parent"
release_kthread
wait_transition $PATCH
assert_state "$child" "the child after the transition" -1
kill "$child"
wait "$child" 2>/dev/null
hold_kthread
assert_eq "version of the gate the kthread entered" 2 "$(param kthread_version)"
disable_lp_nowait $PATCH
let_retries_run
assert_sysfs $PATCH/transition 1
assert_sysfs $PATCH/enabled 0
assert_state "$KT_PID" "the kthread in the new function" 1
parent=$(state_of $$)
assert_eq "patch_state of this shell while unpatching" 0 "$parent"
assert_eq "/proc/self/patch_state of a child while unpatching" "$parent" \
	"$(cat /proc/self/patch_state)"
sleep 60 &
child=$!
BG_PIDS+=("$child")
assert_state "$child" "a child that stays around" "$parent"
wait_for "other_tasks_in_state 0" ||
	fail_case "some task other than the kthread is not unpatched"
release_kthread
wait_for "[[ ! -e $KLP_SYSFS/$PATCH ]]" || fail_case "the patch was not removed"
assert_state "$child" "the child after the transition" -1
kill "$child"
wait "$child" 2>/dev/null
unload_lp $PATCH
check_log "% modprobe $PATCH
$(patching_started_log $PATCH)
$(transition_done_log $PATCH patching)
$(unpatching_started_log $PATCH)
$(transition_done_log $PATCH unpatching)
% rmmod $PATCH"

start_test "reversing a transition that a kthread holds up"
hold_kthread
load_lp_nowait $PATCH
let_retries_run
assert_sysfs $PATCH/transition 1
# The kthread never left the old function, which the reversed
# transition targets: nothing holds it up any more.
disable_lp $PATCH
assert_eq "kthread in the gate" 1 "$(param kthread_inside)"
assert_eq "version of the gate the kthread is in" 1 "$(param kthread_version)"
assert_state "$KT_PID" "the kthread" -1
release_kthread
kthread_runs 1
unload_lp $PATCH
check_log "% modprobe $PATCH
$(patching_started_log $PATCH)
% echo 0 > $KLP_SYSFS/$PATCH/enabled
livepatch: '$PATCH': reversing transition from patching to unpatching
livepatch: '$PATCH': starting unpatching transition
$(transition_done_log $PATCH unpatching)
% rmmod $PATCH"

start_test "reversing an unpatching transition that a kthread holds up"
load_lp $PATCH
hold_kthread
assert_eq "version of the gate the kthread entered" 2 "$(param kthread_version)"
disable_lp_nowait $PATCH
let_retries_run
assert_sysfs $PATCH/transition 1
log "% echo 1 > $KLP_SYSFS/$PATCH/enabled"
echo 1 >"$KLP_SYSFS/$PATCH/enabled" || fail_case "cannot re-enable $PATCH"
wait_transition $PATCH
assert_sysfs $PATCH/enabled 1
assert_eq "kthread in the gate" 1 "$(param kthread_inside)"
release_kthread
kthread_runs 2
disable_lp $PATCH
unload_lp $PATCH
check_log "% modprobe $PATCH
$(patching_started_log $PATCH)
$(transition_done_log $PATCH patching)
$(unpatching_started_log $PATCH)
% echo 1 > $KLP_SYSFS/$PATCH/enabled
livepatch: '$PATCH': reversing transition from unpatching to patching
livepatch: '$PATCH': starting patching transition
$(transition_done_log $PATCH patching)
$(unpatching_started_log $PATCH)
$(transition_done_log $PATCH unpatching)
% rmmod $PATCH"

start_test "forcing a patching transition that a kthread holds up"
hold_kthread
load_lp_nowait $PATCH
let_retries_run
assert_sysfs $PATCH/transition 1
assert_state "$KT_PID" "the kthread in the old function" 0
log "% echo 1 > $KLP_SYSFS/$PATCH/force"
echo 1 >"$KLP_SYSFS/$PATCH/force" || fail_case "cannot force $PATCH"
wait_transition $PATCH
assert_sysfs $PATCH/enabled 1
assert_state "$KT_PID" "the kthread" -1
assert_eq "kthread in the old gate" 1 "$(param kthread_inside)"
release_kthread
kthread_runs 2
assert_eq "refcnt of $PATCH while enabled" 1 "$(value_of /sys/module/$PATCH/refcnt)"
disable_lp $PATCH
# A forced patching transition leaves no task in the patch's code: the
# module may go.
unload_lp $PATCH
check_log "% modprobe $PATCH
$(patching_started_log $PATCH)
% echo 1 > $KLP_SYSFS/$PATCH/force
livepatch: forcing remaining tasks to the patched state
$(transition_done_log $PATCH patching)
$(unpatching_started_log $PATCH)
$(transition_done_log $PATCH unpatching)
% rmmod $PATCH"

# The kthread, too, sleeps in the old function.  It leaves only when
# something wakes it: the core's nudge of kthreads, at the same time.  The
# nudge comes SIGNAL_PERIOD seconds into the transition ("make soak" waits
# for the default 15 s): the period is an hour when the transition starts,
# and shortened while it is held up, which applies at once.
start_test "a user task and a kthread asleep in the old function: fake signal and wake-up"
if [[ -e $SIGNAL_PARAM ]]; then
	assert_eq "default signal_period" 15 "$(value_of $SIGNAL_PARAM)"
	for bad in 0 3601 soon; do
		echo "$bad" 2>/dev/null >$SIGNAL_PARAM &&
			fail_case "signal_period accepted $bad"
	done
	assert_eq "signal_period after refused values" 15 "$(value_of $SIGNAL_PARAM)"
	signal_period 3600
fi
set_param kthread_wake_leaves 1
set_param kthread_hold 1
wait_for "file_is $PARAMS/kthread_inside 1" || fail_case "the kthread did not block"
set_param read_hold 1
out=$(mktemp --tmpdir lp-read.XXXXXX)
cat "$PROC_FILE" >"$out" &
reader=$!
BG_PIDS+=("$reader")
wait_for "file_is $PARAMS/read_inside 1" || fail_case "the reader did not block"
assert_eq "version of the gate the reader entered" 1 "$(param read_version)"
assert_state "$reader" "the reader before the transition" -1
t0=${EPOCHREALTIME//[!0-9]/}
load_lp_nowait $PATCH
let_retries_run
assert_sysfs $PATCH/transition 1
assert_state "$reader" "the reader in the old function" 0
assert_eq "kthread in the gate" 1 "$(param kthread_inside)"
[[ -e $SIGNAL_PARAM ]] && signal_period "$SIGNAL_PERIOD"
# wait_transition allows 60 s.
wait_transition $PATCH
t1=${EPOCHREALTIME//[!0-9]/}
[[ -e $SIGNAL_PARAM ]] && signal_period default
assert_eq "kthread in the gate after the wake-up" 0 "$(param kthread_inside)"
assert_eq "kthread_hold after the wake-up" 0 "$(param kthread_hold)"
set_param kthread_wake_leaves 0
# The signal interrupted the read, the task switched on its way out, and
# the restarted read() now waits in the new function.
kill -0 "$reader" 2>/dev/null || fail_case "the reader is gone"
wait_for "file_is $PARAMS/read_inside 1" ||
	fail_case "the reader did not come back to the gate"
assert_eq "version of the gate the reader entered" 2 "$(param read_version)"
assert_state "$reader" "the reader after the transition" -1
set_param read_hold 0
wait "$reader" || fail_case "the reader failed"
assert_eq "what the reader read" "version 2" "$(value_of "$out")"
rm -f "$out"
disable_lp $PATCH
unload_lp $PATCH
check_result "% modprobe $PATCH
$(patching_started_log $PATCH)
livepatch: signaling remaining tasks
$(transition_done_log $PATCH patching)
$(unpatching_started_log $PATCH)
$(transition_done_log $PATCH unpatching)
% rmmod $PATCH"
echo "# transition held by the reader and the kthread completed after $(ms $((t1 - t0))) ms"

start_test "a forced unpatching transition pins the livepatch module"
if [[ -e /sys/module/$FORCED ]]; then
	# A forced disable cannot be undone before a reboot.
	fail_case "$FORCED is still loaded from an earlier run: reboot first"
else
	load_lp $FORCED
	kthread_runs 3
	hold_kthread
	disable_lp_nowait $FORCED
	let_retries_run
	assert_sysfs $FORCED/transition 1
	assert_state "$KT_PID" "the kthread in the new function" 1
	log "% echo 1 > $KLP_SYSFS/$FORCED/force"
	echo 1 >"$KLP_SYSFS/$FORCED/force" || fail_case "cannot force $FORCED"
	module_pinned $FORCED
	wait_for "[[ ! -e $KLP_SYSFS/$FORCED ]]" ||
		fail_case "the patch was not removed"
	assert_state "$KT_PID" "the kthread" -1
	# The kthread still runs the code of the module that may not go.
	assert_eq "kthread in the gate" 1 "$(param kthread_inside)"
	assert_eq "version of the gate the kthread is in" 3 "$(param kthread_version)"
	let_retries_run
	assert_eq "refcnt of $FORCED" 1 "$(value_of /sys/module/$FORCED/refcnt)"
	log "% rmmod $FORCED"
	err=$(rmmod $FORCED 2>&1) && fail_case "rmmod $FORCED succeeded"
	log "$err"
	[[ -e /sys/module/$FORCED ]] || fail_case "$FORCED is gone"
	release_kthread
	kthread_runs 1
	unload_mod $TARGET
	check_log "% modprobe $FORCED
$(patching_started_log $FORCED)
$(transition_done_log $FORCED patching)
$(unpatching_started_log $FORCED)
% echo 1 > $KLP_SYSFS/$FORCED/force
livepatch: forcing remaining tasks to the patched state
$(transition_done_log $FORCED unpatching)
% rmmod $FORCED
rmmod: ERROR: Module $FORCED is in use
% rmmod $TARGET"
fi

start_test "no kernel warnings"
warnings=$(dmesg | tail -n +"$((dmesg_start + 1))" | kernel_problems)
[[ -z $warnings ]] || fail_case "$warnings"
pass_case

exit 0
