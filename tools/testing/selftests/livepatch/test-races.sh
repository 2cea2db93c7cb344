#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Modules against transitions: removing a patch module while its patching
# or unpatching transition is open is refused; a target module that goes
# in the middle of a transition takes its part of the patch with it and
# the transition completes; target modules coming and going in a loop
# while patches covering them are enabled, replaced and disabled.
#
# test_lp_target's kthread waits in test_lp_target_sleep() while its
# parameter "hold" is 1; test_lp_mod_b and test_lp_replace patch that
# function when given sleep=1, so their transitions stay open meanwhile.

# shellcheck disable=SC2317 # the loop steps run through step
. "$(dirname "$0")"/functions.sh

TARGET=test_lp_target
PARAMS=/sys/module/$TARGET/parameters
MOD_A=test_lp_mod_a
MOD_B=test_lp_mod_b
REPLACE=test_lp_replace
# How long the loops run, in seconds, at least ("make soak" runs them for
# longer): then on until each loop has done a whole cycle.
DURATION=${DURATION:-2}
[[ -n ${VMTEST_DEBUG:-} ]] && DURATION=${DURATION_DEBUG:-3}
WORK=$(mktemp -d --tmpdir lp-races.XXXXXX)

# rmmod_refused MOD - rmmod must fail and leave MOD loaded
rmmod_refused()
{
	local out

	log "% rmmod $1"
	out=$(rmmod "$1" 2>&1) && fail_case "rmmod $1 succeeded"
	log "$out"
	[[ -e /sys/module/$1 ]] || fail_case "$1 is gone"
}

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup()
{
	stop_background
	[[ -e $PARAMS/hold ]] && echo 0 >"$PARAMS/hold"
	teardown_mods "$REPLACE" "$MOD_A" "$MOD_B" "$TARGET"
	rm -rf "$WORK"
	restore_config
}

setup_config
trap cleanup EXIT INT TERM HUP

start_test "rmmod of a patch module during its transitions is refused"
load_mod $TARGET hold=1
set_target_hold 1
load_lp_nowait $MOD_B sleep=1
assert_sysfs "$MOD_B/transition" 1
rmmod_refused $MOD_B
assert_eq "the patching transition, after rmmod" 1 "$(value_of $KLP_SYSFS/$MOD_B/transition)"
set_target_hold 0
wait_transition $MOD_B
# The kthread goes back to sleep, in test_lp_mod_b's code now.
set_target_hold 1
disable_lp_nowait $MOD_B
assert_sysfs "$MOD_B/transition" 1
rmmod_refused $MOD_B
assert_eq "the unpatching transition, after rmmod" 1 "$(value_of $KLP_SYSFS/$MOD_B/transition)"
set_target_hold 0
wait_for "[[ ! -e $KLP_SYSFS/$MOD_B ]]" || fail_case "$MOD_B was not removed"
unload_lp $MOD_B
assert_eq "$TARGET's b" original "$(value_of $PARAMS/b)"
unload_mod $TARGET
check_result "% modprobe $TARGET hold=1
$TARGET: init, a: original
% echo 1 > $PARAMS/hold
% modprobe $MOD_B sleep=1
$(patching_started_log $MOD_B)
% rmmod $MOD_B
rmmod: ERROR: Module $MOD_B is in use
% echo 0 > $PARAMS/hold
$(transition_done_log $MOD_B patching)
% echo 1 > $PARAMS/hold
$(unpatching_started_log $MOD_B)
% rmmod $MOD_B
rmmod: ERROR: Module $MOD_B is in use
% echo 0 > $PARAMS/hold
$(transition_done_log $MOD_B unpatching)
% rmmod $MOD_B
% rmmod $TARGET
$TARGET: exit"

# In the cases below the transition's work and the module's going race:
# the lines are compared whatever their order.
start_test "a target module removed in the middle of a patching transition"
load_mod $TARGET hold=1
set_target_hold 1
load_lp_nowait $MOD_B sleep=1
assert_sysfs "$MOD_B/transition" 1
# The module's exit stops the kthread: it leaves the old code and goes.
unload_mod $TARGET
wait_transition $MOD_B
assert_sysfs "$MOD_B/enabled" 1
assert_sysfs "$MOD_B/$TARGET/patched" 0
load_mod $TARGET
assert_eq "$TARGET's b" $MOD_B "$(value_of $PARAMS/b)"
assert_sysfs "$MOD_B/$TARGET/patched" 1
disable_lp $MOD_B
unload_lp $MOD_B
unload_mod $TARGET
check_result_unordered "% modprobe $TARGET hold=1
$TARGET: init, a: original
% echo 1 > $PARAMS/hold
% modprobe $MOD_B sleep=1
$(patching_started_log $MOD_B)
% rmmod $TARGET
$TARGET: exit
livepatch: reverting patch '$MOD_B' on unloading module '$TARGET'
$(transition_done_log $MOD_B patching)
% modprobe $TARGET
livepatch: applying patch '$MOD_B' to loading module '$TARGET'
$TARGET: init, a: original
$(unpatching_log $MOD_B)
% rmmod $MOD_B
% rmmod $TARGET
$TARGET: exit"

# The held kthread stops in the target's exit(), before the core handles
# the module going: a retry of the transition in between ends it, the
# disabled patch has nothing left to revert when the module goes, and what
# the case is about did not happen.  Then it starts again, up to three
# times.
unpatch_while_module_goes()
{
	load_mod $TARGET
	load_lp $MOD_B sleep=1
	set_target_hold 1
	disable_lp_nowait $MOD_B
	assert_sysfs "$MOD_B/transition" 1
	unload_mod $TARGET
	wait_for "[[ ! -e $KLP_SYSFS/$MOD_B ]]" || fail_case "$MOD_B was not removed"
	unload_lp $MOD_B
	load_mod $TARGET
	assert_eq "$TARGET's b" original "$(value_of $PARAMS/b)"
	unload_mod $TARGET
}

start_test "a target module removed in the middle of an unpatching transition"
for try in 1 2 3; do
	unpatch_while_module_goes
	case_log_has "reverting patch '$MOD_B' on unloading" && break
	((try < 3)) && restart_case "the transition ended before the module went"
done
check_result_unordered "% modprobe $TARGET
$TARGET: init, a: original
$(lp_load_log $MOD_B sleep=1)
% echo 1 > $PARAMS/hold
$(unpatching_started_log $MOD_B)
% rmmod $TARGET
$TARGET: exit
livepatch: reverting patch '$MOD_B' on unloading module '$TARGET'
$(transition_done_log $MOD_B unpatching)
% rmmod $MOD_B
% modprobe $TARGET
$TARGET: init, a: original
% rmmod $TARGET
$TARGET: exit"

# The same race as above: the replaced patches may go first.
replace_while_module_goes()
{
	load_mod $TARGET
	load_lp $MOD_A
	load_lp $MOD_B
	set_target_hold 1
	load_lp_nowait $REPLACE sleep=1
	assert_sysfs "$REPLACE/transition" 1
	unload_mod $TARGET
	wait_transition $REPLACE
	wait_for "[[ ! -e $KLP_SYSFS/$MOD_A && ! -e $KLP_SYSFS/$MOD_B ]]" ||
		fail_case "the replaced patches are still there"
	unload_lp $MOD_A
	unload_lp $MOD_B
	load_mod $TARGET
	assert_eq "$TARGET's a" $REPLACE "$(value_of $PARAMS/a)"
	assert_eq "$TARGET's b" original "$(value_of $PARAMS/b)"
	disable_lp $REPLACE
	unload_lp $REPLACE
	assert_eq "$TARGET's a" original "$(value_of $PARAMS/a)"
	unload_mod $TARGET
}

start_test "a target module removed in the middle of an atomic replace"
for try in 1 2 3; do
	replace_while_module_goes
	case_log_has "reverting patch '$MOD_A' on unloading" && break
	((try < 3)) && restart_case "the transition ended before the module went"
done
check_result_unordered "% modprobe $TARGET
$TARGET: init, a: original
$(lp_load_log $MOD_A)
$(lp_load_log $MOD_B)
% echo 1 > $PARAMS/hold
% modprobe $REPLACE sleep=1
$(patching_started_log $REPLACE)
% rmmod $TARGET
$TARGET: exit
livepatch: reverting patch '$MOD_A' on unloading module '$TARGET'
livepatch: reverting patch '$MOD_B' on unloading module '$TARGET'
livepatch: reverting patch '$REPLACE' on unloading module '$TARGET'
$(transition_done_log $REPLACE patching)
% rmmod $MOD_A
% rmmod $MOD_B
% modprobe $TARGET
livepatch: applying patch '$REPLACE' to loading module '$TARGET'
$TARGET: init, a: $REPLACE
$(unpatching_log $REPLACE)
% rmmod $REPLACE
% rmmod $TARGET
$TARGET: exit"

# --- loops ----------------------------------------------------------------------

# Each loop writes "cycles failures" to $WORK/<name> when stopped, and makes
# $WORK/<name>.ran once it has done a whole cycle.
target_loop()
{
	local cycles=0 failures=0

	while keep_looping; do
		fast_modprobe -q $TARGET || failures=$((failures + 1))
		nap 0.$((RANDOM % 5))
		{ flock 9 && fast_rmmod $TARGET 2>/dev/null; } 9>"$WORK/lock" ||
			failures=$((failures + 1))
		cycles=$((cycles + 1))
		progress_made "$WORK/target.ran"
		nap 0.$((RANDOM % 3))
	done
	echo "$cycles $failures" >"$WORK/target"
}

# One step of the patch loop: a failure is counted and noted, never
# retried.  Once the loops are asked to stop, the steps left are skipped:
# the loop stops anywhere in its cycle.
step()
{
	keep_looping || return 0
	"$@" && return
	failures=$((failures + 1))
	echo "$*" >>"$WORK/failed-steps"
}

transition_done()
{
	wait_for "file_is $KLP_SYSFS/$1/transition 0"
}

gone()
{
	wait_for "[[ ! -e $KLP_SYSFS/$1 ]]"
}

# code_is F MOD - the target's function F runs MOD's code (or the
# original), if the target is there: the other loop takes it away and
# brings it back.  Not while it removes it: a module that goes is
# unpatched before its sysfs files go, so a read then runs the original
# code, rightly.  Counts the checks it could make in $checks.
code_is()
{
	local v

	v=$(flock "$WORK/lock" cat "$PARAMS/$1" 2>/dev/null) || return 0
	checks=$((checks + 1))
	[[ $v == "$2" ]] && return
	echo "$1: $v" >>"$WORK/failed-steps"
	return 1
}

# Enable test_lp_mod_a and test_lp_mod_b, replace both, disable the
# replacement, unload the three, and again; after each step, the target
# runs the code it should.
patch_loop()
{
	local cycles=0 failures=0 checks=0

	while keep_looping; do
		step fast_modprobe -q $MOD_A
		step transition_done $MOD_A
		step code_is a $MOD_A
		step fast_modprobe -q $MOD_B
		step transition_done $MOD_B
		step code_is b $MOD_B
		step fast_modprobe -q $REPLACE
		step transition_done $REPLACE
		step gone $MOD_A
		step gone $MOD_B
		step code_is a $REPLACE
		step code_is b original
		step eval "echo 0 >$KLP_SYSFS/$REPLACE/enabled"
		step gone $REPLACE
		step code_is a original
		step fast_rmmod $REPLACE $MOD_A $MOD_B
		# A cycle cut short by the stop does not count.
		keep_looping || break
		cycles=$((cycles + 1))
		((checks > 0)) && progress_made "$WORK/patches.ran"
	done
	echo "$cycles $failures $checks" >"$WORK/patches"
}

start_test "target modules come and go while patches are enabled, replaced and disabled ($DURATION s)"
target_loop & BG_LOOPS+=($!)
patch_loop & BG_LOOPS+=($!)
let_loops_run "$DURATION" "$WORK/target.ran" "$WORK/patches.ran"
stop_background || fail_case "a loop did not stop"
read -r target_cycles target_failures <"$WORK/target" ||
	fail_case "the target loop left no counts"
read -r patch_cycles patch_failures code_checks <"$WORK/patches" ||
	fail_case "the patch loop left no counts"
[[ $patch_failures -eq 0 ]] ||
	fail_case "$patch_failures failed steps of the patch loop:"$'\n'"$(sort "$WORK/failed-steps" | uniq -c)"
assert_eq "failed loads and unloads of $TARGET" 0 "$target_failures"
((patch_cycles > 0 && target_cycles > 0 && code_checks > 0)) ||
	fail_case "the loops did too little: $patch_cycles patch cycles, $target_cycles of the target, $code_checks code checks"
# The loop may have stopped anywhere: wind down, then check the result.
wait_for "! grep -qx 1 $KLP_SYSFS/*/transition 2>/dev/null" ||
	fail_case "a transition did not complete"
for m in $REPLACE $MOD_A $MOD_B; do
	settle_lp "$m"
	[[ -e /sys/module/$m ]] && unload_lp "$m"
done
[[ -e /sys/module/$TARGET ]] || load_mod $TARGET
assert_eq "$TARGET's a" original "$(value_of $PARAMS/a)"
assert_eq "$TARGET's b" original "$(value_of $PARAMS/b)"
load_lp $MOD_A
assert_eq "$TARGET's a" $MOD_A "$(value_of $PARAMS/a)"
disable_lp $MOD_A
unload_lp $MOD_A
unload_mod $TARGET
pass_case
echo "  $patch_cycles patch cycles ($code_checks checks of the code that" \
	"runs), $target_cycles loads and unloads of $TARGET"

exit 0
