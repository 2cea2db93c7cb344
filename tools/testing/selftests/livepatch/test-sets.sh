#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Replace sets (klp_patch.replace_set): independent cumulative patches for
# independent owners.  An atomic replace takes over from the active patches
# of its own set only; a function, or a system state, that a patch of
# another set has is refused to every patch, replace or not; a set's
# upgrade hands its states on within the set.  Set 0 is 6.1's atomic
# replace, which test-replace.sh and the compatibility suite cover.

. "$(dirname "$0")"/functions.sh
# shellcheck source=conflicts.sh
. "$(dirname "$0")"/conflicts.sh

# cross_set_log FUNC,SYMPOS OBJECT OWNER SET - the core's refusal of a
# function that patch OWNER of replace set SET changes
cross_set_log()
{
	echo "livepatch: Function '$1' in object '$2' has already been livepatched.
livepatch: Use cumulative livepatches for dependent changes.
livepatch: Function '$1' in object '$2' is patched by '$3' of replace set $4: only a patch of that set may change it."
}

# assert_listing PATCH:SET... - what an admin tool that lists patches (the
# kpatch CLI's "list", say) finds in sysfs: exactly these patches, each
# enabled and settled, with its replace set
assert_listing()
{
	local dir found=() want=("$@") set

	for dir in "$KLP_SYSFS"/*; do
		[[ -d $dir ]] || continue
		if ! file_is "$dir/enabled" 1 || ! file_is "$dir/transition" 0; then
			fail_case "${dir##*/} is listed but not enabled and settled"
		fi
		read_into set "$dir/replace_set"
		found+=("${dir##*/}:$set")
	done
	assert_eq "the patches listed" "${want[*]}" "${found[*]}"
}

# shellcheck disable=SC2317 # run by the EXIT trap
sets_cleanup()
{
	local rc=$?

	cleanup
	((rc)) && teardown_mods test_lp_state3 test_lp_state2 test_lp_state1 \
		test_lp_target
	return 0
}

conflicts_setup
trap sets_cleanup EXIT INT TERM HUP

start_test "two sets upgrade their cumulative patches independently"
load_mod $TARGET
load_lp $P1 replace=1 replace_set=1 funcs=version_proc_show
load_lp $P2 replace=1 replace_set=2 funcs=$FUNC_A
assert_sysfs "$P1/replace_set" 1
assert_sysfs "$P2/replace_set" 2
assert_sysfs "$P1/replace" 1
# Set 1's upgrade drops version_proc_show and takes loadavg_proc_show.
load_lp $P3 replace=1 replace_set=1 funcs=loadavg_proc_show
wait_replaced $P1
assert_reads /proc/version "$orig_version"
assert_reads /proc/loadavg $P3
assert_reads "$TPARAM/a" $P2
assert_sysfs "$P2/enabled" 1
assert_sysfs "$P2/stack_order" 1
assert_sysfs "$P3/stack_order" 2
assert_listing $P2:2 $P3:1
unload_lp $P1
# Set 2's upgrade leaves set 1 alone.
disable_lp $P2
unload_lp $P2
load_lp $P2 replace=1 replace_set=2 funcs=$FUNC_B
assert_reads "$TPARAM/a" original
assert_reads "$TPARAM/b" $P2
assert_reads /proc/loadavg $P3
# Non-replace patches can be disabled in any order, across sets too.
disable_lp $P3
disable_lp $P2
unload_lp $P3
unload_lp $P2
unload_mod $TARGET
check_result "% modprobe $TARGET
$(lp_load_log $P1 replace=1 replace_set=1 funcs=version_proc_show)
$(lp_load_log $P2 replace=1 replace_set=2 funcs=$FUNC_A)
$(lp_load_log $P3 replace=1 replace_set=1 funcs=loadavg_proc_show)
% rmmod $P1
$(unpatching_log $P2)
% rmmod $P2
$(lp_load_log $P2 replace=1 replace_set=2 funcs=$FUNC_B)
$(unpatching_log $P3)
$(unpatching_log $P2)
% rmmod $P3
% rmmod $P2
% rmmod $TARGET"

start_test "a function of another set is refused, replace or not"
load_mod $TARGET
load_lp $P1 replace_set=1 funcs=version_proc_show,$FUNC_B
refused_load $P2 $P1 replace=1 replace_set=2 funcs=version_proc_show
refused_load $P2 $P1 replace_set=2 funcs=loadavg_proc_show,version_proc_show
# Set 0, the default, is a set like the others.
refused_load $P2 $P1 replace=1 funcs=version_proc_show
# By address: an alias of the function.
refused_load $P2 $P1 replace=1 replace_set=2 funcs=$FUNC_B_ALIAS
assert_reads /proc/version $P1
[[ $(value_of /proc/loadavg) == "$P2" ]] && fail_case "/proc/loadavg patched"
assert_reads "$TPARAM/b" $P1
# Within its set, a replace takes over.
load_lp $P2 replace=1 replace_set=1 funcs=version_proc_show
wait_replaced $P1
assert_reads "$TPARAM/b" original
disable_lp $P2
unload_lp $P1
unload_lp $P2
unload_mod $TARGET
check_result "% modprobe $TARGET
$(lp_load_log $P1 replace_set=1 funcs=version_proc_show,$FUNC_B)
% modprobe $P2 replace=1 replace_set=2 funcs=version_proc_show
$(cross_set_log version_proc_show,1 vmlinux $P1 1)
$(modprobe_error $P2 'Invalid argument')
% modprobe $P2 replace_set=2 funcs=loadavg_proc_show,version_proc_show
$(cross_set_log version_proc_show,1 vmlinux $P1 1)
$(modprobe_error $P2 'Invalid argument')
% modprobe $P2 replace=1 funcs=version_proc_show
$(cross_set_log version_proc_show,1 vmlinux $P1 1)
$(modprobe_error $P2 'Invalid argument')
% modprobe $P2 replace=1 replace_set=2 funcs=$FUNC_B_ALIAS
$(cross_set_log $FUNC_B_ALIAS,1 $TARGET $P1 1)
$(modprobe_error $P2 'Invalid argument')
$(lp_load_log $P2 replace=1 replace_set=1 funcs=version_proc_show)
$(unpatching_log $P2)
% rmmod $P1
% rmmod $P2
% rmmod $TARGET"

start_test "a module coming while two sets patch it"
load_lp $P1 replace_set=1 funcs=$FUNC_A
load_lp $P2 replace_set=2 funcs=$FUNC_B
load_mod $TARGET
assert_reads "$TPARAM/a" $P1
assert_reads "$TPARAM/b" $P2
unload_mod $TARGET
# Set 1 upgrades while the module is away; it comes back to both sets.
load_lp $P3 replace=1 replace_set=1 funcs=$FUNC_A,version_proc_show
wait_replaced $P1
unload_lp $P1
load_mod $TARGET
assert_reads "$TPARAM/a" $P3
assert_reads "$TPARAM/b" $P2
unload_mod $TARGET
disable_lp $P2
disable_lp $P3
unload_lp $P2
unload_lp $P3
check_result "$(lp_load_log $P1 replace_set=1 funcs=$FUNC_A)
$(lp_load_log $P2 replace_set=2 funcs=$FUNC_B)
% modprobe $TARGET
livepatch: applying patch '$P1' to loading module '$TARGET'
livepatch: applying patch '$P2' to loading module '$TARGET'
% rmmod $TARGET
livepatch: reverting patch '$P1' on unloading module '$TARGET'
livepatch: reverting patch '$P2' on unloading module '$TARGET'
$(lp_load_log $P3 replace=1 replace_set=1 funcs=$FUNC_A,version_proc_show)
% rmmod $P1
% modprobe $TARGET
livepatch: applying patch '$P2' to loading module '$TARGET'
livepatch: applying patch '$P3' to loading module '$TARGET'
% rmmod $TARGET
livepatch: reverting patch '$P2' on unloading module '$TARGET'
livepatch: reverting patch '$P3' on unloading module '$TARGET'
$(unpatching_log $P2)
$(unpatching_log $P3)
% rmmod $P2
% rmmod $P3"

# Two sets named aliases of one function of a module not loaded yet; the
# module went to set 1.  Set 0's replace gets a nop for its alias, which
# would undo nothing of set 0: it is dropped, not refused.
start_test "a replace's nop for code that another set owns is dropped"
load_lp $P2 replace_set=1 funcs=$FUNC_B
load_lp $P1 funcs=$FUNC_B_ALIAS,version_proc_show
load_mod $TARGET
assert_sysfs "$P1/$TARGET/patched" 0
load_lp $P3 replace=1 funcs=loadavg_proc_show
wait_replaced $P1
unload_lp $P1
assert_reads "$TPARAM/b" $P2
assert_reads /proc/version "$orig_version"
assert_reads /proc/loadavg $P3
unload_mod $TARGET
disable_lp $P2
disable_lp $P3
unload_lp $P2
unload_lp $P3
check_result "$(lp_load_log $P2 replace_set=1 funcs=$FUNC_B)
$(lp_load_log $P1 funcs=$FUNC_B_ALIAS,version_proc_show)
% modprobe $TARGET
livepatch: applying patch '$P2' to loading module '$TARGET'
$(cross_set_log $FUNC_B_ALIAS,1 $TARGET $P2 1)
livepatch: module '$TARGET' loads without patch '$P1', whose object for it stays unpatched
$(lp_load_log $P3 replace=1 funcs=loadavg_proc_show)
% rmmod $P1
% rmmod $TARGET
livepatch: reverting patch '$P2' on unloading module '$TARGET'
$(unpatching_log $P2)
$(unpatching_log $P3)
% rmmod $P2
% rmmod $P3"

# One transition at a time, whatever the sets.
start_test "a replace of set 2 while set 1 is in transition: busy"
load_mod $TARGET
log "% echo 1 > $TPARAM/block"
echo 1 >"$TPARAM/block" || fail_case "cannot block in $FUNC_BUSY"
load_lp_nowait $P1 replace=1 replace_set=1 funcs=$FUNC_BUSY
let_retries_run
assert_sysfs "$P1/transition" 1
refused_load $P2 $P1 replace=1 replace_set=2 funcs=version_proc_show
log "% echo 0 > $TPARAM/block"
echo 0 >"$TPARAM/block"
wait_transition $P1
load_lp $P2 replace=1 replace_set=2 funcs=version_proc_show
assert_sysfs "$P1/enabled" 1
disable_lp $P1
disable_lp $P2
unload_lp $P1
unload_lp $P2
unload_mod $TARGET
check_result_except "signaling remaining tasks" "% modprobe $TARGET
% echo 1 > $TPARAM/block
% modprobe $P1 replace=1 replace_set=1 funcs=$FUNC_BUSY
$(patching_started_log $P1)
% modprobe $P2 replace=1 replace_set=2 funcs=version_proc_show
$(modprobe_error $P2 'Device or resource busy')
% echo 0 > $TPARAM/block
$(transition_done_log $P1 patching)
$(lp_load_log $P2 replace=1 replace_set=2 funcs=version_proc_show)
$(unpatching_log $P1)
$(unpatching_log $P2)
% rmmod $P1
% rmmod $P2
% rmmod $TARGET"

# test_lp_state1..3 hold state 42 (version=) and patch test_lp_target.
start_test "a state of another set is refused; states pass on within a set"
load_mod test_lp_target
load_lp test_lp_state1 version=1 replace_set=1
load_failing_mod test_lp_state2 version=1 replace_set=2
assert_absent "$KLP_SYSFS/test_lp_state2"
# Without the state, the patch is welcome, and inherits nothing from set 1.
load_lp test_lp_state2 replace_set=2
load_lp test_lp_state3 version=2 replace=1 replace_set=1
wait_replaced test_lp_state1
assert_sysfs test_lp_state2/enabled 1
disable_lp test_lp_state3
disable_lp test_lp_state2
unload_lp test_lp_state1
unload_lp test_lp_state2
unload_lp test_lp_state3
unload_mod test_lp_target
check_result "% modprobe test_lp_target
test_lp_target: init, a: original
% modprobe test_lp_state1 version=1 replace_set=1
livepatch: enabling patch 'test_lp_state1'
livepatch: 'test_lp_state1': initializing patching transition
test_lp_state1: pre_patch: no previous state
test_lp_state1: pre_patch: new state, version 1
livepatch: 'test_lp_state1': starting patching transition
$(transition_done_log test_lp_state1 patching)
% modprobe test_lp_state2 version=1 replace_set=2
livepatch: patch 'test_lp_state2': state 42 is held by patch 'test_lp_state1' of replace set 1
livepatch: Livepatch patch (test_lp_state2) is not compatible with the already installed livepatches.
$(modprobe_error test_lp_state2 'Invalid argument')
% modprobe test_lp_state2 replace_set=2
livepatch: enabling patch 'test_lp_state2'
livepatch: 'test_lp_state2': initializing patching transition
test_lp_state2: pre_patch: no previous state
livepatch: 'test_lp_state2': starting patching transition
$(transition_done_log test_lp_state2 patching)
% modprobe test_lp_state3 version=2 replace=1 replace_set=1
livepatch: enabling patch 'test_lp_state3'
livepatch: 'test_lp_state3': initializing patching transition
test_lp_state3: pre_patch: previous state version 1, data 'made by test_lp_state1'
test_lp_state3: pre_patch: taking the data over as version 2
livepatch: 'test_lp_state3': starting patching transition
$(transition_done_log test_lp_state3 patching)
% echo 0 > $KLP_SYSFS/test_lp_state3/enabled
livepatch: 'test_lp_state3': initializing unpatching transition
livepatch: 'test_lp_state3': starting unpatching transition
livepatch: 'test_lp_state3': completing unpatching transition
test_lp_state3: post_unpatch: freeing 'made by test_lp_state1'
livepatch: 'test_lp_state3': unpatching complete
$(unpatching_log test_lp_state2)
% rmmod test_lp_state1
% rmmod test_lp_state2
% rmmod test_lp_state3
% rmmod test_lp_target
test_lp_target: exit"

exit 0
