#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Atomic replace: test_lp_replace (which patches test_lp_target's function
# a) takes over from test_lp_mod_a and test_lp_mod_b (which patch a and b).
# The replaced patches go away and their modules can be removed; b, which
# test_lp_replace does not patch, runs its original code again.  A replace
# transition that is reversed leaves the old patches in place; one that
# is forced pins the modules of the patches it took over from.

. "$(dirname "$0")"/functions.sh

TARGET=test_lp_target
MOD_A=test_lp_mod_a
MOD_B=test_lp_mod_b
REPLACE=test_lp_replace
# test_lp_mod_b under another name: the forced replace pins it.
FORCED_B=test_lp_forced_b
# A patch of another replace set, which no replace here may touch.
OTHER_SET=test_lp_conflict_p3

setup_config
trap 'exit_cleanup test_lp_replace test_lp_mod_a test_lp_mod_b test_lp_forced_b test_lp_conflict_p3 test_lp_target' EXIT INT TERM HUP

start_test "atomic replace of one patch"
load_mod $TARGET
load_lp $MOD_B
assert_target b $MOD_B
load_lp $REPLACE
wait_replaced $MOD_B
assert_target a $REPLACE
assert_target b original
unload_lp $MOD_B
assert_target a $REPLACE
disable_lp $REPLACE
assert_target a original
assert_target b original
unload_lp $REPLACE
unload_mod $TARGET
check_result "% modprobe $TARGET
$TARGET: init, a: original
$(lp_load_log $MOD_B)
$(lp_load_log $REPLACE)
% rmmod $MOD_B
$(unpatching_log $REPLACE)
% rmmod $REPLACE
% rmmod $TARGET
$TARGET: exit"

start_test "atomic replace of two patches"
load_mod $TARGET
load_lp $MOD_A
load_lp $MOD_B
assert_target a $MOD_A
assert_target b $MOD_B
load_lp $REPLACE
wait_replaced $MOD_A
wait_replaced $MOD_B
assert_target a $REPLACE
assert_target b original
unload_lp $MOD_A
unload_lp $MOD_B
assert_target a $REPLACE
assert_target b original
disable_lp $REPLACE
assert_target a original
unload_lp $REPLACE
unload_mod $TARGET
check_result "% modprobe $TARGET
$TARGET: init, a: original
$(lp_load_log $MOD_A)
$(lp_load_log $MOD_B)
$(lp_load_log $REPLACE)
% rmmod $MOD_A
% rmmod $MOD_B
$(unpatching_log $REPLACE)
% rmmod $REPLACE
% rmmod $TARGET
$TARGET: exit"

# The replaced patch's object was not loaded: the module that loads later
# gets the new patch only.
start_test "atomic replace, target module loaded afterwards"
load_lp $MOD_B
load_lp $REPLACE
wait_replaced $MOD_B
unload_lp $MOD_B
load_mod $TARGET
assert_target a $REPLACE
assert_target b original
disable_lp $REPLACE
unload_lp $REPLACE
unload_mod $TARGET
check_result "$(lp_load_log $MOD_B)
$(lp_load_log $REPLACE)
% rmmod $MOD_B
% modprobe $TARGET
livepatch: applying patch '$REPLACE' to loading module '$TARGET'
$TARGET: init, a: $REPLACE
$(unpatching_log $REPLACE)
% rmmod $REPLACE
% rmmod $TARGET
$TARGET: exit"

# The kthread of the target waits in test_lp_target_sleep(), which
# "test_lp_replace sleep=1" changes: its transition cannot complete.
# Tasks that switched already (this shell's children) run the new code,
# nops included.  Writing 0 to "enabled" sends everyone back: the replace
# patch goes and the patches it was replacing stay as they were.
start_test "reversing an atomic-replace transition"
load_mod $TARGET
load_lp $MOD_A
load_lp $MOD_B
set_target_hold 1
load_lp_nowait $REPLACE sleep=1
let_retries_run
assert_sysfs "$REPLACE/transition" 1
assert_sysfs "$MOD_A/enabled" 1
assert_sysfs "$MOD_B/enabled" 1
assert_target a $REPLACE
assert_target b original
disable_lp $REPLACE
assert_sysfs "$MOD_A/enabled" 1
assert_sysfs "$MOD_A/transition" 0
assert_sysfs "$MOD_B/enabled" 1
assert_target a $MOD_A
assert_target b $MOD_B
set_target_hold 0
unload_lp $REPLACE
assert_target a $MOD_A
disable_lp $MOD_A
disable_lp $MOD_B
unload_lp $MOD_A
unload_lp $MOD_B
unload_mod $TARGET
check_result "% modprobe $TARGET
$TARGET: init, a: original
$(lp_load_log $MOD_A)
$(lp_load_log $MOD_B)
% echo 1 > /sys/module/$TARGET/parameters/hold
% modprobe $REPLACE sleep=1
$(patching_started_log $REPLACE)
% echo 0 > $KLP_SYSFS/$REPLACE/enabled
livepatch: '$REPLACE': reversing transition from patching to unpatching
livepatch: '$REPLACE': starting unpatching transition
$(transition_done_log $REPLACE unpatching)
% echo 0 > /sys/module/$TARGET/parameters/hold
% rmmod $REPLACE
$(unpatching_log $MOD_A)
$(unpatching_log $MOD_B)
% rmmod $MOD_A
% rmmod $MOD_B
% rmmod $TARGET
$TARGET: exit"

# The kthread waits in test_lp_mod_b's version of test_lp_target_sleep():
# that is the code a replace transition changes (to its own version, or
# back to the original through a nop), so it must wait for the kthread.
for variant in "sleep=1" ""; do
	if [[ -n $variant ]]; then
		start_test "a kthread in a replaced patch's code holds the transition"
	else
		start_test "a kthread in a replaced patch's code holds a nop's transition"
	fi
	load_mod $TARGET
	load_lp $MOD_B sleep=1
	set_target_hold 1
	# shellcheck disable=SC2086 # $variant: no parameter, or one
	load_lp_nowait $REPLACE $variant
	let_retries_run
	assert_sysfs "$REPLACE/transition" 1
	assert_sysfs "$MOD_B/enabled" 1
	set_target_hold 0
	wait_transition $REPLACE
	wait_replaced $MOD_B
	assert_target a $REPLACE
	assert_target b original
	unload_lp $MOD_B
	disable_lp $REPLACE
	unload_lp $REPLACE
	unload_mod $TARGET
	check_result "% modprobe $TARGET
$TARGET: init, a: original
$(lp_load_log $MOD_B sleep=1)
% echo 1 > /sys/module/$TARGET/parameters/hold
% modprobe $(echo "$REPLACE $variant" | sed 's/ *$//')
$(patching_started_log $REPLACE)
% echo 0 > /sys/module/$TARGET/parameters/hold
$(transition_done_log $REPLACE patching)
% rmmod $MOD_B
$(unpatching_log $REPLACE)
% rmmod $REPLACE
% rmmod $TARGET
$TARGET: exit"
done

# Forced, the replace completes while the kthread still runs the replaced
# patch's code: that patch goes from sysfs, but its module must stay.
# The patch of replace set 1 is neither replaced nor pinned.
start_test "a forced replace pins the module of a patch it took over from"
[[ -e /sys/module/$FORCED_B ]] &&
	fail_case "$FORCED_B is still loaded from an earlier run: reboot first"
load_mod $TARGET
load_lp $FORCED_B sleep=1
load_lp $OTHER_SET replace_set=1 funcs=version_proc_show
set_target_hold 1
load_lp_nowait $REPLACE sleep=1
let_retries_run
assert_sysfs "$REPLACE/transition" 1
log "% echo 1 > $KLP_SYSFS/$REPLACE/force"
echo 1 >"$KLP_SYSFS/$REPLACE/force" || fail_case "cannot force $REPLACE"
module_pinned $FORCED_B
wait_transition $REPLACE
wait_replaced $FORCED_B
assert_target a $REPLACE
assert_target b original
assert_eq "refcnt of $FORCED_B" 1 "$(value_of /sys/module/$FORCED_B/refcnt)"
assert_sysfs "$OTHER_SET/enabled" 1
log "% rmmod $FORCED_B"
err=$(rmmod $FORCED_B 2>&1) && fail_case "rmmod $FORCED_B succeeded"
log "$err"
set_target_hold 0
wait_for "file_is /sys/module/$TARGET/parameters/sleeping N" ||
	fail_case "the kthread of $TARGET did not wake up"
disable_lp $REPLACE
unload_lp $REPLACE
disable_lp $OTHER_SET
unload_lp $OTHER_SET
unload_mod $TARGET
check_result "% modprobe $TARGET
$TARGET: init, a: original
$(lp_load_log $FORCED_B sleep=1)
$(lp_load_log $OTHER_SET replace_set=1 funcs=version_proc_show)
% echo 1 > /sys/module/$TARGET/parameters/hold
% modprobe $REPLACE sleep=1
$(patching_started_log $REPLACE)
% echo 1 > $KLP_SYSFS/$REPLACE/force
livepatch: forcing remaining tasks to the patched state
$(transition_done_log $REPLACE patching)
% rmmod $FORCED_B
rmmod: ERROR: Module $FORCED_B is in use
% echo 0 > /sys/module/$TARGET/parameters/hold
$(unpatching_log $REPLACE)
% rmmod $REPLACE
$(unpatching_log $OTHER_SET)
% rmmod $OTHER_SET
% rmmod $TARGET
$TARGET: exit"

exit 0
