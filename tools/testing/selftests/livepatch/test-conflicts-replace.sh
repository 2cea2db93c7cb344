#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Conflicts and atomic replace: an atomic replace may overlap anything and
# takes over.  Without stacking, patches can be disabled in any order, and
# stack_order is simply the position in the enable order.

. "$(dirname "$0")"/functions.sh
# shellcheck source=conflicts.sh
. "$(dirname "$0")"/conflicts.sh

conflicts_setup

# --- atomic replace ----------------------------------------------------------------

start_test "an atomic replace may overlap and takes over"
load_mod $TARGET
load_lp $P1 funcs=version_proc_show
load_lp $P2 funcs=loadavg_proc_show,$FUNC_A
assert_sysfs "$P1/stack_order" 1
assert_sysfs "$P2/stack_order" 2
assert_reads /proc/loadavg $P2
load_lp $P3 replace=1 funcs=version_proc_show,$FUNC_B
wait_for "[[ ! -e $KLP_SYSFS/$P1 && ! -e $KLP_SYSFS/$P2 ]]" ||
	fail_case "the replaced patches are still there"
assert_sysfs "$P3/replace" 1
assert_sysfs "$P3/stack_order" 1
assert_reads /proc/version $P3
assert_reads "$TPARAM/b" $P3
assert_reads "$TPARAM/a" original
[[ $(value_of /proc/loadavg) == "$P2" ]] && fail_case "/proc/loadavg still patched"
# The replaced modules are free to go.
unload_lp $P1
unload_lp $P2
# The replace patch owns what it changes, not what it reverted.
refused_load $P1 $P3 funcs=version_proc_show
refused_load $P1 $P3 funcs=$FUNC_B_ALIAS
load_lp $P1 funcs=loadavg_proc_show,$FUNC_A
assert_sysfs "$P1/stack_order" 2
assert_reads /proc/loadavg $P1
# A replace over a replace and a normal patch.
load_lp $P2 replace=1 funcs=version_proc_show,loadavg_proc_show
wait_for "[[ ! -e $KLP_SYSFS/$P1 && ! -e $KLP_SYSFS/$P3 ]]" ||
	fail_case "the replaced patches are still there"
assert_sysfs "$P2/stack_order" 1
assert_reads /proc/version $P2
assert_reads /proc/loadavg $P2
assert_reads "$TPARAM/a" original
assert_reads "$TPARAM/b" original
unload_lp $P1
unload_lp $P3
disable_lp $P2
unload_lp $P2
unload_mod $TARGET
assert_reads /proc/version "$orig_version"
check_result "% modprobe $TARGET
% modprobe $P1 funcs=version_proc_show
$(patching_log $P1)
% modprobe $P2 funcs=loadavg_proc_show,$FUNC_A
$(patching_log $P2)
% modprobe $P3 replace=1 funcs=version_proc_show,$FUNC_B
$(patching_log $P3)
% rmmod $P1
% rmmod $P2
% modprobe $P1 funcs=version_proc_show
$(conflict_log version_proc_show,1 vmlinux $P3)
$(modprobe_error $P1 'Invalid argument')
% modprobe $P1 funcs=$FUNC_B_ALIAS
$(conflict_log $FUNC_B_ALIAS,1 $TARGET $P3)
$(modprobe_error $P1 'Invalid argument')
% modprobe $P1 funcs=loadavg_proc_show,$FUNC_A
$(patching_log $P1)
% modprobe $P2 replace=1 funcs=version_proc_show,loadavg_proc_show
$(patching_log $P2)
% rmmod $P1
% rmmod $P3
$(unpatching_log $P2)
% rmmod $P2
% rmmod $TARGET"

start_test "an atomic replace may change an alias of a patched function"
load_mod $TARGET
load_lp $P1 funcs=$FUNC_B
assert_reads "$TPARAM/b" $P1
load_lp $P2 replace=1 funcs=$FUNC_B_ALIAS
wait_for "[[ ! -e $KLP_SYSFS/$P1 ]]" ||
	fail_case "the replaced patch is still there"
assert_reads "$TPARAM/b" $P2
assert_reads "$TPARAM/b_alias" $P2
# The nop for the old name had nothing left to do and is gone.
assert_absent "$KLP_SYSFS/$P2/$TARGET/$FUNC_B,1"
unload_lp $P1
disable_lp $P2
unload_lp $P2
assert_reads "$TPARAM/b" original
unload_mod $TARGET
check_result "% modprobe $TARGET
% modprobe $P1 funcs=$FUNC_B
$(patching_log $P1)
% modprobe $P2 replace=1 funcs=$FUNC_B_ALIAS
$(patching_log $P2)
% rmmod $P1
$(unpatching_log $P2)
% rmmod $P2
% rmmod $TARGET"

# --- disabling and stack_order -------------------------------------------------------

start_test "patches can be disabled in any order; stack_order follows"
load_mod $TARGET
load_lp $P1 funcs=version_proc_show
load_lp $P2 funcs=loadavg_proc_show
load_lp $P3 funcs=$FUNC_A
assert_sysfs "$P1/stack_order" 1
assert_sysfs "$P2/stack_order" 2
assert_sysfs "$P3/stack_order" 3
# The first one first: its functions go back to the original code.
disable_lp $P1
assert_reads /proc/version "$orig_version"
assert_reads /proc/loadavg $P2
assert_reads "$TPARAM/a" $P3
assert_sysfs "$P2/stack_order" 1
assert_sysfs "$P3/stack_order" 2
unload_lp $P1
# Then the last one, leaving the one enabled in between.
disable_lp $P3
assert_reads "$TPARAM/a" original
assert_reads /proc/loadavg $P2
assert_sysfs "$P2/stack_order" 1
unload_lp $P3
load_lp $P1 funcs=version_proc_show
assert_sysfs "$P1/stack_order" 2
# One in the middle: those after it move up.
load_lp $P3 funcs=$FUNC_A
assert_sysfs "$P3/stack_order" 3
disable_lp $P1
assert_sysfs "$P2/stack_order" 1
assert_sysfs "$P3/stack_order" 2
disable_lp $P2
assert_sysfs "$P3/stack_order" 1
disable_lp $P3
unload_lp $P1
unload_lp $P2
unload_lp $P3
unload_mod $TARGET
[[ $(value_of /proc/loadavg) == "$P2" ]] && fail_case "/proc/loadavg still patched"
check_result "% modprobe $TARGET
% modprobe $P1 funcs=version_proc_show
$(patching_log $P1)
% modprobe $P2 funcs=loadavg_proc_show
$(patching_log $P2)
% modprobe $P3 funcs=$FUNC_A
$(patching_log $P3)
$(unpatching_log $P1)
% rmmod $P1
$(unpatching_log $P3)
% rmmod $P3
% modprobe $P1 funcs=version_proc_show
$(patching_log $P1)
% modprobe $P3 funcs=$FUNC_A
$(patching_log $P3)
$(unpatching_log $P1)
$(unpatching_log $P2)
$(unpatching_log $P3)
% rmmod $P1
% rmmod $P2
% rmmod $P3
% rmmod $TARGET"
