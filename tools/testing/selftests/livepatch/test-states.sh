#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# System states (struct klp_state) and the compatibility rules of 6.1: an
# atomic-replace patch must carry every state of the enabled patches, at
# the same or a newer version; any patch that carries a state must not
# downgrade it; a patch that is not a replace may leave a state out.  The
# enabled patches include one in transition; klp_get_prev_state() finds the
# newest patch's state.  The
# callbacks of test_lp_state1 and test_lp_state2 (see test_lp_state.h) show
# what klp_get_prev_state() finds and who owns the state's data.

. "$(dirname "$0")"/functions.sh

TARGET=test_lp_target
S1=test_lp_state1
S2=test_lp_state2
S3=test_lp_state3
INCOMPATIBLE="livepatch: Livepatch patch ($S2) is not compatible with the already installed livepatches."

# enable_log MOD PARAMS... PRE_PATCH_LINES - the log of a successful load
enable_log()
{
	local mod=$1 lines=${*: -1} params=("${@:2:$#-2}") cmd

	cmd="% modprobe $mod ${params[*]}"
	echo "${cmd%"${cmd##*[! ]}"}"
	echo "livepatch: enabling patch '$mod'
livepatch: '$mod': initializing patching transition
$lines
livepatch: '$mod': starting patching transition
$(transition_done_log "$mod" patching)"
}

disable_log()
{
	local mod=$1 lines=$2

	echo "$(unpatching_started_log "$mod")
livepatch: '$mod': completing unpatching transition${lines:+
$lines}
livepatch: '$mod': unpatching complete"
}

# refused PARAMS... - loading $S2 with PARAMS fails as incompatible
refused()
{
	load_failing_mod $S2 "$@"
	assert_absent "$KLP_SYSFS/$S2"
	assert_absent "/sys/module/$S2"
}

refused3()
{
	load_failing_mod $S3 "$@"
	assert_absent "$KLP_SYSFS/$S3"
	assert_absent "/sys/module/$S3"
}

setup_config
trap 'exit_cleanup test_lp_state3 test_lp_state2 test_lp_state1 test_lp_target' EXIT INT TERM HUP
load_mod $TARGET

S1_V1_LOG=$(enable_log $S1 version=1 "$S1: pre_patch: no previous state
$S1: pre_patch: new state, version 1")
S1_V2_LOG=$(enable_log $S1 version=2 "$S1: pre_patch: no previous state
$S1: pre_patch: new state, version 2")

start_test "a replace patch takes a state over at the same version"
load_lp $S1 version=1
load_lp $S2 version=1 replace=1
wait_for "[[ ! -e $KLP_SYSFS/$S1 ]]" || fail_case "$S1 was not replaced"
unload_lp $S1
assert_target a original
assert_target b $S2
disable_lp $S2
unload_lp $S2
check_result "$S1_V1_LOG
$(enable_log $S2 version=1 replace=1 "$S2: pre_patch: previous state version 1, data 'made by $S1'
$S2: pre_patch: taking the data over as version 1")
% rmmod $S1
$(disable_log $S2 "$S2: post_unpatch: freeing 'made by $S1'")
% rmmod $S2"

start_test "a replace patch takes a state over at a newer version"
load_lp $S1 version=1
load_lp $S2 version=2 replace=1
wait_for "[[ ! -e $KLP_SYSFS/$S1 ]]" || fail_case "$S1 was not replaced"
unload_lp $S1
disable_lp $S2
unload_lp $S2
check_result "$S1_V1_LOG
$(enable_log $S2 version=2 replace=1 "$S2: pre_patch: previous state version 1, data 'made by $S1'
$S2: pre_patch: taking the data over as version 2")
% rmmod $S1
$(disable_log $S2 "$S2: post_unpatch: freeing 'made by $S1'")
% rmmod $S2"

start_test "a replace patch without the state is refused"
load_lp $S1 version=1
refused replace=1
assert_sysfs "$S1/enabled" 1
assert_target a $S1
disable_lp $S1
unload_lp $S1
check_result "$S1_V1_LOG
% modprobe $S2 replace=1
$INCOMPATIBLE
modprobe: ERROR: could not insert '$S2': Invalid argument
$(disable_log $S1 "$S1: post_unpatch: freeing 'made by $S1'")
% rmmod $S1"

start_test "a replace patch with an older version of the state is refused"
load_lp $S1 version=2
refused version=1 replace=1
assert_sysfs "$S1/enabled" 1
disable_lp $S1
unload_lp $S1
check_result "$S1_V2_LOG
% modprobe $S2 version=1 replace=1
$INCOMPATIBLE
modprobe: ERROR: could not insert '$S2': Invalid argument
$(disable_log $S1 "$S1: post_unpatch: freeing 'made by $S1'")
% rmmod $S1"

start_test "a patch that is not a replace may leave the state out"
load_lp $S1 version=1
load_lp $S2
assert_sysfs "$S1/enabled" 1
assert_sysfs "$S2/enabled" 1
assert_target a $S1
assert_target b $S2
disable_lp $S2
disable_lp $S1
unload_lp $S2
unload_lp $S1
check_result "$S1_V1_LOG
$(enable_log $S2 "$S2: pre_patch: previous state version 1, data 'made by $S1'")
$(disable_log $S2)
$(disable_log $S1 "$S1: post_unpatch: freeing 'made by $S1'")
% rmmod $S2
% rmmod $S1"

start_test "a patch that is not a replace may not downgrade the state"
load_lp $S1 version=2
refused version=1
assert_sysfs "$S1/enabled" 1
disable_lp $S1
unload_lp $S1
check_result "$S1_V2_LOG
% modprobe $S2 version=1
$INCOMPATIBLE
modprobe: ERROR: could not insert '$S2': Invalid argument
$(disable_log $S1 "$S1: post_unpatch: freeing 'made by $S1'")
% rmmod $S1"

start_test "a patch that is not a replace may carry the state at the same version"
load_lp $S1 version=1
load_lp $S2 version=1
disable_lp $S2
disable_lp $S1
unload_lp $S2
unload_lp $S1
check_result "$S1_V1_LOG
$(enable_log $S2 version=1 "$S2: pre_patch: previous state version 1, data 'made by $S1'
$S2: pre_patch: sharing the data as version 1")
$(disable_log $S2)
$(disable_log $S1 "$S1: post_unpatch: freeing 'made by $S1'")
% rmmod $S2
% rmmod $S1"

# klp_get_prev_state() returns the state of the newest enabled patch that
# has it: test_lp_state3 sees version 2, test_lp_state2's.
start_test "a replace over two patches with the state takes over the newest"
load_lp $S1 version=1
load_lp $S2 version=2
load_lp $S3 version=2 replace=1
wait_for "[[ ! -e $KLP_SYSFS/$S1 && ! -e $KLP_SYSFS/$S2 ]]" ||
	fail_case "$S1 and $S2 were not replaced"
unload_lp $S1
unload_lp $S2
assert_target a $S3
assert_target b original
disable_lp $S3
unload_lp $S3
check_result "$S1_V1_LOG
$(enable_log $S2 version=2 "$S2: pre_patch: previous state version 1, data 'made by $S1'
$S2: pre_patch: sharing the data as version 2")
$(enable_log $S3 version=2 replace=1 "$S3: pre_patch: previous state version 2, data 'made by $S1'
$S3: pre_patch: taking the data over as version 2")
% rmmod $S1
% rmmod $S2
$(disable_log $S3 "$S3: post_unpatch: freeing 'made by $S1'")
% rmmod $S3"

start_test "a replace over two patches that lacks a state of the older one is refused"
load_lp $S1 version=1 second=1
load_lp $S2 version=1
refused3 version=1 replace=1
load_lp $S3 version=1 second=1 replace=1
wait_for "[[ ! -e $KLP_SYSFS/$S1 && ! -e $KLP_SYSFS/$S2 ]]" ||
	fail_case "$S1 and $S2 were not replaced"
unload_lp $S1
unload_lp $S2
disable_lp $S3
unload_lp $S3
check_result "$(enable_log $S1 version=1 second=1 "$S1: pre_patch: no previous state
$S1: pre_patch: new state, version 1")
$(enable_log $S2 version=1 "$S2: pre_patch: previous state version 1, data 'made by $S1'
$S2: pre_patch: sharing the data as version 1")
% modprobe $S3 version=1 replace=1
livepatch: Livepatch patch ($S3) is not compatible with the already installed livepatches.
modprobe: ERROR: could not insert '$S3': Invalid argument
$(enable_log $S3 version=1 second=1 replace=1 "$S3: pre_patch: previous state version 1, data 'made by $S1'
$S3: pre_patch: taking the data over as version 1")
% rmmod $S1
% rmmod $S2
$(disable_log $S3 "$S3: post_unpatch: freeing 'made by $S1'")
% rmmod $S3"

# A patch in transition counts as installed: an incompatible patch is
# refused as such (EINVAL), a compatible one waits its turn (EBUSY).
start_test "compatibility is checked against a patch in transition"
set_target_hold 1
load_lp_nowait $S1 version=2 sleep=1
assert_sysfs "$S1/transition" 1
refused version=1
load_failing_mod $S2 version=2
assert_absent "$KLP_SYSFS/$S2"
set_target_hold 0
wait_transition $S1
disable_lp $S1
unload_lp $S1
check_result "% echo 1 > /sys/module/$TARGET/parameters/hold
% modprobe $S1 version=2 sleep=1
livepatch: enabling patch '$S1'
livepatch: '$S1': initializing patching transition
$S1: pre_patch: no previous state
$S1: pre_patch: new state, version 2
livepatch: '$S1': starting patching transition
% modprobe $S2 version=1
$INCOMPATIBLE
modprobe: ERROR: could not insert '$S2': Invalid argument
% modprobe $S2 version=2
modprobe: ERROR: could not insert '$S2': Device or resource busy
% echo 0 > /sys/module/$TARGET/parameters/hold
$(transition_done_log $S1 patching)
$(disable_log $S1 "$S1: post_unpatch: freeing 'made by $S1'")
% rmmod $S1"

unload_mod $TARGET
exit 0
