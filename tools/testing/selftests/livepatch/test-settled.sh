#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Settled calls: once a transition completes, ftrace calls the hook
# group's trampoline, which sends the calls of a patched function straight
# to its replacement (patch.c, settle.c).  Before a transition changes a
# settled function, the function goes back to the handler; tasks calling
# it meanwhile never run a version their patch state forbids (the target
# counts such runs of version 1 in "v1_mixed").  The last cases settle
# functions whose trampolines must take their other forms (settle.c).
# test-modules.sh shows a module's functions settling again when it comes
# back.
#
# The patches are enabled and disabled while tasks call their functions,
# so ftrace rewrites call sites that other vCPUs run through: QEMU
# emulates that correctly only with one thread for all vCPUs (check.sh).
# vmtest: single-threaded TCG

. "$(dirname "$0")"/functions.sh

TARGET=test_lp_preempt_target
V1=test_lp_preempt_a
V2=test_lp_preempt_both
PARAMS=/sys/module/$TARGET/parameters
FAR=test_lp_far_target
FAR_LP=test_lp_far_patch

# assert_both_settled LP 0|1 - f1 and f3, as LP patches them
assert_both_settled()
{
	assert_settled "$1" $TARGET test_lp_preempt_f1 "$2"
	assert_settled "$1" $TARGET test_lp_preempt_f3 "$2"
}

# start_callers N - N tasks calling f1 and f3 in a loop.  Each write runs
# a short loop in the kernel; between two, the task goes back to user
# space, where it can switch (a PREEMPT_NONE kernel never switches a task
# that keeps running in the kernel).
start_callers()
{
	local i n

	echo 20000 >"$PARAMS/rounds"
	n=$(param loops)
	for ((i = 0; i < $1; i++)); do
		while :; do echo 1 >"/proc/$TARGET"; done &
		BG_PIDS+=($!)
	done
	wait_for "[[ \$(param loops) -gt $n ]]" || fail_case "the callers do not loop"
}

stop_callers()
{
	stop_background || fail_case "a caller did not stop"
}

# calls_go_on - the callers still loop, through whatever is patched now
calls_go_on()
{
	wait_param_grows loops 10000 || fail_case "the callers stopped"
}

# v1_runs_grow - calls run version 1
v1_runs_grow()
{
	wait_param_grows v1_runs 1000 || fail_case "the calls do not run $V1"
}

assert_trampoline()
{
	[[ $(ftrace_hook_of test_lp_preempt_f1) == *$'\t'"tramp: 0x"* ]] ||
		fail_case "ftrace does not call a trampoline for f1 alone: $(ftrace_hook_of test_lp_preempt_f1)"
}

# assert_far_calls SET A B C - test_lp_SET_a(), _b() and _c() of $FAR
# (SET: far or near) return A, B and C (1 1 1: the originals)
assert_far_calls()
{
	local set=$1 fn param

	shift
	for fn in a b c; do
		param=$fn
		[[ $set == near ]] && param=near_$fn
		assert_eq "test_lp_${set}_$fn()" "$1" \
			"$(value_of "/sys/module/$FAR/parameters/$param")"
		shift
	done
}

# far_functions_settle SET A B C [ARG...] - $FAR_LP, loaded with ARGs,
# patches the functions of SET, which then return A, B and C: they settle,
# go back to the handler and settle again, and the patch goes
far_functions_settle()
{
	local set=$1 patched=("$2" "$3" "$4") fn

	shift 4
	load_mod $FAR
	# What makes the trampoline take the form the case is about.
	assert_eq "the layout of $FAR's functions" "0 256 65536 0 32 256" \
		"$(value_of "/sys/module/$FAR/parameters/layout")"
	load_lp $FAR_LP "$@"
	for fn in a b c; do
		assert_settled $FAR_LP $FAR "test_lp_${set}_$fn" 1
	done
	assert_far_calls "$set" "${patched[@]}"
	settle_calls 0
	assert_settled $FAR_LP $FAR "test_lp_${set}_a" 0
	assert_far_calls "$set" "${patched[@]}"
	settle_calls 1
	assert_settled $FAR_LP $FAR "test_lp_${set}_a" 1
	assert_far_calls "$set" "${patched[@]}"
	disable_lp $FAR_LP
	unload_lp $FAR_LP
	assert_far_calls "$set" 1 1 1
	unload_mod $FAR
	check_result "% modprobe $FAR
$(lp_load_log $FAR_LP "$@")
$(unpatching_log $FAR_LP)
% rmmod $FAR_LP
% rmmod $FAR"
}

# v1_case_log - the transcript of a case that loads the target and $V1,
# then disables and removes them
v1_case_log()
{
	echo "% modprobe $TARGET
$(lp_load_log $V1)
$(unpatching_log $V1)
% rmmod $V1
% rmmod $TARGET"
}

setup_config
settle_calls 1 || skip "the kernel has no settled calls (CONFIG_LIVEPATCH_SETTLED_CALLS)"
# The mitigations these cases run under (config.mitigations): the
# trampolines return through the kernel's return thunk where it wants one.
for v in spectre_v2 retbleed indirect_target_selection; do
	echo "$v: $(cat /sys/devices/system/cpu/vulnerabilities/$v 2>/dev/null || echo unknown)"
done
trap 'exit_cleanup $FAR_LP $FAR $V2 $V1 $TARGET; trace_off' EXIT INT TERM HUP

start_test "a patch settles when its transition completes, and can be unsettled"
load_mod $TARGET
load_lp $V1
assert_both_settled $V1 1
assert_trampoline
start_callers 1
v1_runs_grow
settle_calls 0
assert_both_settled $V1 0
v1_runs_grow
settle_calls 1
assert_both_settled $V1 1
v1_runs_grow
# Another ftrace user on f1: ftrace calls its own caller and the handler
# for it, then our trampoline again.
trace_functions test_lp_preempt_f1
[[ $(ftrace_hook_of test_lp_preempt_f1) == *tramp:* ]] &&
	fail_case "f1 still calls our trampoline while it is traced"
v1_runs_grow
grep -q "test_lp_preempt_f1 <-" "$TRACING/trace" || fail_case "f1 is not traced"
trace_off
assert_trampoline
v1_runs_grow
stop_callers
disable_lp $V1
unload_lp $V1
unload_mod $TARGET
check_result "$(v1_case_log)"

start_test "a replace takes settled functions back to the handler under load"
load_mod $TARGET
load_lp $V1
assert_both_settled $V1 1
start_callers 2
v1_runs_grow
load_lp $V2
wait_replaced $V1
unload_lp $V1
assert_both_settled $V2 1
calls_go_on
stop_callers
assert_eq "runs of $V1 by tasks switched away from it" 0 "$(param v1_mixed)"
disable_lp $V2
unload_lp $V2
unload_mod $TARGET
check_result "% modprobe $TARGET
$(lp_load_log $V1)
$(lp_load_log $V2)
% rmmod $V1
$(unpatching_log $V2)
% rmmod $V2
% rmmod $TARGET"

start_test "a disable takes settled functions back to the handler under load"
load_mod $TARGET
load_lp $V1
start_callers 2
v1_runs_grow
# A reader of "settled" while the core removes the file under klp_mutex.
while read -r _ <"$KLP_SYSFS/$V1/$TARGET/test_lp_preempt_f1,1/settled"; do
	:
done 2>/dev/null &
BG_PIDS+=($!)
disable_lp $V1
unload_lp $V1
calls_go_on
stop_callers
assert_eq "runs of $V1 by tasks switched back from it" 0 "$(param v1_mixed)"
unload_mod $TARGET
check_result "$(v1_case_log)"

# The cases above get the table form with a word per value of a byte of
# the return address (or, where returns go through a thunk, a masked one),
# and f1 alone one with a single word.  No byte tells apart the functions
# of the last two cases: theirs are a search of their addresses, and a
# table that a window of bits indexes.
start_test "functions that only a search of their addresses tells apart settle too"
far_functions_settle far 2 3 4

start_test "functions that only a masked table tells apart settle too"
far_functions_settle near 5 6 7 near=1

exit 0
