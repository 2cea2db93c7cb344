#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Hook groups: the functions that start being redirected together share
# one ftrace_ops, whose filter is never edited while it is registered
# (patch.c).  A replace that drops part of a group leaves dormant hooks.
#
# The function tracer is turned on for idle-loop functions, so ftrace
# rewrites call sites that the other vCPUs run through all the time: QEMU
# emulates that correctly only with one thread for all vCPUs (check.sh).
# vmtest: single-threaded TCG

. "$(dirname "$0")"/functions.sh

TARGET=test_lp_target
MOD_B=test_lp_mod_b
REPLACE=test_lp_replace

setup_config
trap 'exit_cleanup test_lp_replace test_lp_mod_b test_lp_ipmodify test_lp_target; trace_off' EXIT INT TERM HUP

# test_lp_mod_b sleep=1 hooks b and test_lp_target_sleep() with one
# ftrace_ops; test_lp_replace sleep=1 keeps the latter and drops b.  A
# registered group's filter is never edited (patch.c): b's hook goes
# dormant, b runs its original code, and ftrace shows b hooked until the
# whole group goes.  A later patch of b wakes the hook up.  Meanwhile the
# function tracer traces the same functions and the idle loop, so that
# ftrace's list function reads our filters, also where RCU is not
# watching.
start_test "a replace drops part of a hook group"
load_mod $TARGET
trace_functions 'test_lp_target_*' '*idle*'
load_lp $MOD_B sleep=1
load_lp $REPLACE sleep=1
wait_replaced $MOD_B
unload_lp $MOD_B
assert_target a $REPLACE
assert_target b original
assert_eq "functions hooked" "test_lp_target_a_show
test_lp_target_b_show
test_lp_target_sleep" "$(ipmodify_hooks | sort)"
# The price of a dormant hook: another IPMODIFY user cannot have b.
load_failing_mod test_lp_ipmodify func=test_lp_target_b_show
load_lp $MOD_B
assert_target b $MOD_B
disable_lp $MOD_B
unload_lp $MOD_B
assert_target a $REPLACE
assert_target b original
disable_lp $REPLACE
unload_lp $REPLACE
assert_eq "functions hooked" "" "$(ipmodify_hooks)"
load_mod test_lp_ipmodify func=test_lp_target_b_show
unload_mod test_lp_ipmodify
trace_off
unload_mod $TARGET
check_result "% modprobe $TARGET
$TARGET: init, a: original
$(lp_load_log $MOD_B sleep=1)
$(lp_load_log $REPLACE sleep=1)
% rmmod $MOD_B
% modprobe test_lp_ipmodify func=test_lp_target_b_show
test_lp_ipmodify: cannot hook test_lp_target_b_show: -16
modprobe: ERROR: could not insert 'test_lp_ipmodify': Device or resource busy
$(lp_load_log $MOD_B)
$(unpatching_log $MOD_B)
% rmmod $MOD_B
$(unpatching_log $REPLACE)
% rmmod $REPLACE
% modprobe test_lp_ipmodify func=test_lp_target_b_show
% rmmod test_lp_ipmodify
% rmmod $TARGET
$TARGET: exit"

exit 0
