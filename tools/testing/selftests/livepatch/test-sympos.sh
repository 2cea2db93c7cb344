#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Two functions of one name: test_lp_twins_target has two static
# test_lp_twin(), sympos 1 and 2 in its symbol table, whose parameters
# "one" and "two" show which code each runs.  Patches of different
# positions change different functions: they may be enabled side by side
# and disabled in any order.  A patch of a position that an enabled patch
# changes is refused and names the owner; sympos 0 ("the only one") is
# ambiguous, and a position past the last is not found.
#
# Patch modules: test_lp_conflict_p1.._p3 (test_modules/test_lp_conflict.h).

. "$(dirname "$0")"/functions.sh

TWINS=test_lp_twins_target
P1=test_lp_conflict_p1
P2=test_lp_conflict_p2
P3=test_lp_conflict_p3

# assert_twins ONE TWO - the code the two test_lp_twin() run
assert_twins()
{
	assert_eq "$TWINS's first test_lp_twin()" "$1" \
		"$(value_of /sys/module/$TWINS/parameters/one)"
	assert_eq "$TWINS's second test_lp_twin()" "$2" \
		"$(value_of /sys/module/$TWINS/parameters/two)"
}

setup_config
trap 'exit_cleanup test_lp_conflict_p3 test_lp_conflict_p2 test_lp_conflict_p1 test_lp_twins_target' EXIT INT TERM HUP

start_test "patches of the first and the second of two twins, side by side"
load_mod $TWINS
assert_twins original original
load_lp $P1 funcs=test_lp_twin@1
assert_twins $P1 original
load_lp $P2 funcs=test_lp_twin@2
assert_twins $P1 $P2
[[ -d "$KLP_SYSFS/$P2/$TWINS/test_lp_twin,2" ]] ||
	fail_case "no directory for $P2's test_lp_twin,2"
disable_lp $P1
assert_twins original $P2
unload_lp $P1
disable_lp $P2
assert_twins original original
unload_lp $P2
unload_mod $TWINS
check_result "% modprobe $TWINS
$(lp_load_log $P1 funcs=test_lp_twin@1)
$(lp_load_log $P2 funcs=test_lp_twin@2)
$(unpatching_log $P1)
% rmmod $P1
$(unpatching_log $P2)
% rmmod $P2
% rmmod $TWINS"

start_test "a twin already patched is refused; sympos 0 and 3 resolve to nothing"
load_mod $TWINS
load_lp $P2 funcs=test_lp_twin@2
load_failing_mod $P3 funcs=test_lp_twin@2
load_failing_mod $P3 funcs=test_lp_twin
load_failing_mod $P3 funcs=test_lp_twin@3
assert_absent "$KLP_SYSFS/$P3"
assert_absent /sys/module/$P3
assert_twins original $P2
disable_lp $P2
unload_lp $P2
unload_mod $TWINS
check_result "% modprobe $TWINS
$(lp_load_log $P2 funcs=test_lp_twin@2)
% modprobe $P3 funcs=test_lp_twin@2
livepatch: Function 'test_lp_twin,2' in object '$TWINS' has already been livepatched.
livepatch: Use cumulative livepatches for dependent changes.
livepatch: Function 'test_lp_twin,2' in object '$TWINS' is patched by '$P2': replace it with a cumulative patch or disable it first.
modprobe: ERROR: could not insert '$P3': Invalid argument
% modprobe $P3 funcs=test_lp_twin
livepatch: unresolvable ambiguity for symbol 'test_lp_twin' in object '$TWINS'
modprobe: ERROR: could not insert '$P3': Invalid argument
% modprobe $P3 funcs=test_lp_twin@3
livepatch: symbol position 3 for symbol 'test_lp_twin' in object '$TWINS' not found
modprobe: ERROR: could not insert '$P3': Invalid argument
$(unpatching_log $P2)
% rmmod $P2
% rmmod $TWINS"

exit 0
