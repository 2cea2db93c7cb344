#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Patch a function of a module, test_lp_target: with the module loaded
# before the patch, loaded after it (the core patches it while it loads),
# unloaded while patched (the core unpatches it) and loaded again, and
# loaded while the patch's transition is held open.
# /sys/module/test_lp_target/parameters/{a,b} show which code runs.

. "$(dirname "$0")"/functions.sh

TARGET=test_lp_target
MOD=test_lp_mod_a
MOD_B=test_lp_mod_b
CTARGET=test_lp_conflict_target

setup_config
trap 'exit_cleanup test_lp_mod_a test_lp_mod_b test_lp_target test_lp_conflict_target' EXIT INT TERM HUP

start_test "target module loaded before the patch"
load_mod $TARGET
assert_target a original
load_lp $MOD
assert_target a $MOD
assert_target b original
assert_sysfs "$MOD/$TARGET/patched" 1
[[ -d $KLP_SYSFS/$MOD/$TARGET/test_lp_target_a_show,1 ]] ||
	fail_case "no directory for the patched function"
err=$(rmmod $MOD 2>&1) && fail_case "an enabled patch module could be removed"
[[ $err == *"is in use"* ]] || fail_case "rmmod $MOD failed for another reason: $err"
disable_lp $MOD
assert_target a original
unload_lp $MOD
unload_mod $TARGET
check_result "% modprobe $TARGET
$TARGET: init, a: original
% modprobe $MOD
$(patching_log $MOD)
$(unpatching_log $MOD)
% rmmod $MOD
% rmmod $TARGET
$TARGET: exit"

# The core applies the patch in the module's "coming" state, before its
# init function runs: init already sees the patched code.
start_test "target module loaded after the patch"
load_lp $MOD
assert_sysfs "$MOD/enabled" 1
assert_sysfs "$MOD/$TARGET/patched" 0
load_mod $TARGET
assert_sysfs "$MOD/$TARGET/patched" 1
assert_settled $MOD $TARGET test_lp_target_a_show 1
assert_target a $MOD
assert_target b original
check_result "% modprobe $MOD
$(patching_log $MOD)
% modprobe $TARGET
livepatch: applying patch '$MOD' to loading module '$TARGET'
$TARGET: init, a: $MOD"

start_test "target module unloaded while patched"
unload_mod $TARGET
assert_sysfs "$MOD/$TARGET/patched" 0
assert_settled $MOD $TARGET test_lp_target_a_show 0
assert_sysfs "$MOD/enabled" 1
assert_sysfs "$MOD/transition" 0
check_result "% rmmod $TARGET
$TARGET: exit
livepatch: reverting patch '$MOD' on unloading module '$TARGET'"

start_test "target module loaded again"
load_mod $TARGET
assert_sysfs "$MOD/$TARGET/patched" 1
assert_settled $MOD $TARGET test_lp_target_a_show 1
assert_target a $MOD
disable_lp $MOD
assert_target a original
unload_lp $MOD
unload_mod $TARGET
check_result "% modprobe $TARGET
livepatch: applying patch '$MOD' to loading module '$TARGET'
$TARGET: init, a: $MOD
$(unpatching_log $MOD)
% rmmod $MOD
% rmmod $TARGET
$TARGET: exit"

start_test "target module loaded after the patch was disabled"
load_lp $MOD
disable_lp $MOD
unload_lp $MOD
load_mod $TARGET
assert_target a original
unload_mod $TARGET
check_result "% modprobe $MOD
$(patching_log $MOD)
$(unpatching_log $MOD)
% rmmod $MOD
% modprobe $TARGET
$TARGET: init, a: original
% rmmod $TARGET
$TARGET: exit"

# Patches are applied to a loading module, and reverted from a going one,
# in the order they were enabled.
start_test "two patches of one module, loaded and unloaded under them"
load_lp $MOD
load_lp $MOD_B
load_mod $TARGET
assert_target a $MOD
assert_target b $MOD_B
assert_sysfs "$MOD/$TARGET/patched" 1
assert_sysfs "$MOD_B/$TARGET/patched" 1
unload_mod $TARGET
assert_sysfs "$MOD/$TARGET/patched" 0
assert_sysfs "$MOD_B/$TARGET/patched" 0
disable_lp $MOD
disable_lp $MOD_B
unload_lp $MOD
unload_lp $MOD_B
check_result "% modprobe $MOD
$(patching_log $MOD)
% modprobe $MOD_B
$(patching_log $MOD_B)
% modprobe $TARGET
livepatch: applying patch '$MOD' to loading module '$TARGET'
livepatch: applying patch '$MOD_B' to loading module '$TARGET'
$TARGET: init, a: $MOD
% rmmod $TARGET
$TARGET: exit
livepatch: reverting patch '$MOD' on unloading module '$TARGET'
livepatch: reverting patch '$MOD_B' on unloading module '$TARGET'
$(unpatching_log $MOD)
$(unpatching_log $MOD_B)
% rmmod $MOD
% rmmod $MOD_B"

# test_lp_mod_b sleep=1 conflict_target=1 also patches a function of
# test_lp_conflict_target, which comes while test_lp_target's kthread
# holds the transition in test_lp_target_sleep().  The module is patched
# as it loads; this shell has switched already and runs the new code.
start_test "target module loaded while the patch's transition is held"
load_mod $TARGET
set_target_hold 1
load_lp_nowait $MOD_B sleep=1 conflict_target=1
let_retries_run
assert_sysfs "$MOD_B/transition" 1
assert_sysfs "$MOD_B/$CTARGET/patched" 0
load_mod $CTARGET
assert_sysfs "$MOD_B/$CTARGET/patched" 1
assert_sysfs "$MOD_B/transition" 1
assert_eq "$CTARGET's a" $MOD_B "$(value_of /sys/module/$CTARGET/parameters/a)"
set_target_hold 0
wait_transition $MOD_B
assert_eq "$CTARGET's a" $MOD_B "$(value_of /sys/module/$CTARGET/parameters/a)"
assert_target b $MOD_B
disable_lp $MOD_B
assert_eq "$CTARGET's a" original "$(value_of /sys/module/$CTARGET/parameters/a)"
unload_lp $MOD_B
unload_mod $CTARGET
unload_mod $TARGET
check_result "% modprobe $TARGET
$TARGET: init, a: original
% echo 1 > /sys/module/$TARGET/parameters/hold
% modprobe $MOD_B sleep=1 conflict_target=1
$(patching_started_log $MOD_B)
% modprobe $CTARGET
livepatch: applying patch '$MOD_B' to loading module '$CTARGET'
% echo 0 > /sys/module/$TARGET/parameters/hold
$(transition_done_log $MOD_B patching)
$(unpatching_log $MOD_B)
% rmmod $MOD_B
% rmmod $CTARGET
% rmmod $TARGET
$TARGET: exit"

exit 0
