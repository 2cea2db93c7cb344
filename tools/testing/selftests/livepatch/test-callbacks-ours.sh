#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The callbacks of a patch's objects (pre_patch, post_patch, pre_unpatch,
# post_unpatch) for vmlinux and for a module, test_lp_target: their order
# around the transitions and around the module's loading and unloading, as
# in Linux 6.1, and what a failing pre_patch callback does.

. "$(dirname "$0")"/functions.sh

TARGET=test_lp_target
MOD=test_lp_callbacks
PARAMS=/sys/module/$MOD/parameters

# set_param NAME VALUE - change a parameter of the loaded patch module
set_param()
{
	log "% echo $2 > $PARAMS/$1"
	echo "$2" >"$PARAMS/$1" || die "cannot set $PARAMS/$1"
}

ENABLE_LOG="livepatch: enabling patch '$MOD'
livepatch: '$MOD': initializing patching transition
$MOD: pre_patch vmlinux"

DISABLE_VMLINUX_ONLY="% echo 0 > $KLP_SYSFS/$MOD/enabled
livepatch: '$MOD': initializing unpatching transition
$MOD: pre_unpatch vmlinux
livepatch: '$MOD': starting unpatching transition
livepatch: '$MOD': completing unpatching transition
$MOD: post_unpatch vmlinux
livepatch: '$MOD': unpatching complete"

setup_config
trap 'exit_cleanup test_lp_callbacks test_lp_target' EXIT INT TERM HUP

# Enabling: pre_patch of each loaded object before the transition starts,
# post_patch once it is complete.  Disabling: pre_unpatch before, and
# post_unpatch after the unpatching transition.
start_test "target module loaded before the patch"
load_mod $TARGET
load_lp $MOD
assert_target b $MOD
disable_lp $MOD
assert_target b original
unload_lp $MOD
unload_mod $TARGET
check_result "% modprobe $TARGET
$TARGET: init, a: original
% modprobe $MOD
$ENABLE_LOG
$MOD: pre_patch $TARGET (live)
livepatch: '$MOD': starting patching transition
livepatch: '$MOD': completing patching transition
$MOD: post_patch vmlinux
$MOD: post_patch $TARGET (live)
livepatch: '$MOD': patching complete
% echo 0 > $KLP_SYSFS/$MOD/enabled
livepatch: '$MOD': initializing unpatching transition
$MOD: pre_unpatch vmlinux
$MOD: pre_unpatch $TARGET (live)
livepatch: '$MOD': starting unpatching transition
livepatch: '$MOD': completing unpatching transition
$MOD: post_unpatch vmlinux
$MOD: post_unpatch $TARGET (live)
livepatch: '$MOD': unpatching complete
% rmmod $MOD
% rmmod $TARGET
$TARGET: exit"

# A module that loads under an enabled patch gets pre_patch and post_patch
# while it is "coming", before its init function.
start_test "target module loaded after the patch"
load_lp $MOD
load_mod $TARGET
assert_target b $MOD
disable_lp $MOD
unload_lp $MOD
unload_mod $TARGET
check_result "% modprobe $MOD
$ENABLE_LOG
livepatch: '$MOD': starting patching transition
livepatch: '$MOD': completing patching transition
$MOD: post_patch vmlinux
livepatch: '$MOD': patching complete
% modprobe $TARGET
livepatch: applying patch '$MOD' to loading module '$TARGET'
$MOD: pre_patch $TARGET (coming)
$MOD: post_patch $TARGET (coming)
$TARGET: init, a: original
% echo 0 > $KLP_SYSFS/$MOD/enabled
livepatch: '$MOD': initializing unpatching transition
$MOD: pre_unpatch vmlinux
$MOD: pre_unpatch $TARGET (live)
livepatch: '$MOD': starting unpatching transition
livepatch: '$MOD': completing unpatching transition
$MOD: post_unpatch vmlinux
$MOD: post_unpatch $TARGET (live)
livepatch: '$MOD': unpatching complete
% rmmod $MOD
% rmmod $TARGET
$TARGET: exit"

# A module that goes while patched gets pre_unpatch and post_unpatch
# after its exit function; disabling the patch later concerns vmlinux only.
start_test "target module unloaded while patched"
load_mod $TARGET
load_lp $MOD
unload_mod $TARGET
assert_sysfs "$MOD/$TARGET/patched" 0
disable_lp $MOD
unload_lp $MOD
check_result "% modprobe $TARGET
$TARGET: init, a: original
% modprobe $MOD
$ENABLE_LOG
$MOD: pre_patch $TARGET (live)
livepatch: '$MOD': starting patching transition
livepatch: '$MOD': completing patching transition
$MOD: post_patch vmlinux
$MOD: post_patch $TARGET (live)
livepatch: '$MOD': patching complete
% rmmod $TARGET
$TARGET: exit
$MOD: pre_unpatch $TARGET (going)
livepatch: reverting patch '$MOD' on unloading module '$TARGET'
$MOD: post_unpatch $TARGET (going)
$DISABLE_VMLINUX_ONLY
% rmmod $MOD"

start_test "target module absent all along"
load_lp $MOD
disable_lp $MOD
unload_lp $MOD
check_result "% modprobe $MOD
$ENABLE_LOG
livepatch: '$MOD': starting patching transition
livepatch: '$MOD': completing patching transition
$MOD: post_patch vmlinux
livepatch: '$MOD': patching complete
$DISABLE_VMLINUX_ONLY
% rmmod $MOD"

# The error of a vmlinux pre_patch callback is klp_enable_patch()'s: the
# patch module does not load and leaves nothing behind.  No other callback
# runs: post_unpatch is owed only after a successful pre_patch.
start_test "vmlinux pre_patch callback fails"
load_mod $TARGET
load_failing_mod $MOD pre_patch_ret=-19
assert_absent "$KLP_SYSFS/$MOD"
assert_absent "/sys/module/$MOD"
assert_target b original
unload_mod $TARGET
check_result "% modprobe $TARGET
$TARGET: init, a: original
% modprobe $MOD pre_patch_ret=-19
$ENABLE_LOG
livepatch: pre-patch callback failed for object 'vmlinux'
livepatch: failed to enable patch '$MOD'
livepatch: '$MOD': canceling patching transition, going to unpatch
$(transition_done_log $MOD unpatching)
modprobe: ERROR: could not insert '$MOD': No such device
% rmmod $TARGET
$TARGET: exit"

# Here vmlinux's pre_patch succeeded before the module object's failed:
# vmlinux gets its post_unpatch when the patch is given up.
start_test "module object pre_patch callback fails while enabling"
load_mod $TARGET
load_failing_mod $MOD mod_pre_patch_ret=-19
assert_absent "$KLP_SYSFS/$MOD"
assert_absent "/sys/module/$MOD"
assert_target b original
unload_mod $TARGET
check_result "% modprobe $TARGET
$TARGET: init, a: original
% modprobe $MOD mod_pre_patch_ret=-19
$ENABLE_LOG
$MOD: pre_patch $TARGET (live)
livepatch: pre-patch callback failed for object '$TARGET'
livepatch: failed to enable patch '$MOD'
livepatch: '$MOD': canceling patching transition, going to unpatch
livepatch: '$MOD': completing unpatching transition
$MOD: post_unpatch vmlinux
livepatch: '$MOD': unpatching complete
modprobe: ERROR: could not insert '$MOD': No such device
% rmmod $TARGET
$TARGET: exit"

# When the module object's pre_patch fails as the module loads, the module
# is refused and the patch stays as it was; the module loads fine once the
# callback succeeds again.
start_test "module object pre_patch callback fails while the module loads"
load_lp $MOD
set_param mod_pre_patch_ret -19
load_failing_mod $TARGET
assert_absent "/sys/module/$TARGET"
assert_sysfs "$MOD/enabled" 1
assert_sysfs "$MOD/transition" 0
assert_sysfs "$MOD/$TARGET/patched" 0
set_param mod_pre_patch_ret 0
load_mod $TARGET
assert_sysfs "$MOD/$TARGET/patched" 1
assert_target b $MOD
unload_mod $TARGET
disable_lp $MOD
unload_lp $MOD
check_result "% modprobe $MOD
$ENABLE_LOG
livepatch: '$MOD': starting patching transition
livepatch: '$MOD': completing patching transition
$MOD: post_patch vmlinux
livepatch: '$MOD': patching complete
% echo -19 > $PARAMS/mod_pre_patch_ret
% modprobe $TARGET
livepatch: applying patch '$MOD' to loading module '$TARGET'
$MOD: pre_patch $TARGET (coming)
livepatch: pre-patch callback failed for object '$TARGET'
livepatch: patch '$MOD' failed for module '$TARGET', refusing to load module '$TARGET'
modprobe: ERROR: could not insert '$TARGET': No such device
% echo 0 > $PARAMS/mod_pre_patch_ret
% modprobe $TARGET
livepatch: applying patch '$MOD' to loading module '$TARGET'
$MOD: pre_patch $TARGET (coming)
$MOD: post_patch $TARGET (coming)
$TARGET: init, a: original
% rmmod $TARGET
$TARGET: exit
$MOD: pre_unpatch $TARGET (going)
livepatch: reverting patch '$MOD' on unloading module '$TARGET'
$MOD: post_unpatch $TARGET (going)
$DISABLE_VMLINUX_ONLY
% rmmod $MOD"

exit 0
