#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shadow variables.  test_lp_shadow exercises the API from its init
# function and logs "ok: <what>" for each check that holds; the cases
# below list the checks of each of its tests.  Then two patches share a
# shadow variable: test_lp_shadow_p1 makes it, its cumulative successor
# test_lp_shadow_p2 takes it over and frees it.
#
# The case "duplicate alloc" makes the core WARN (by design: allocating an
# existing variable is a caller bug), which prints "WARNING:" and a stack
# trace to the kernel log: the case tells the harness to expect that one.

. "$(dirname "$0")"/functions.sh

MOD=test_lp_shadow
TARGET=test_lp_target
P1=test_lp_shadow_p1
P2=test_lp_shadow_p2

# check_result_nopointers EXPECTED - check_result, with the pointers the
# core prints ("<%p, id>") replaced by PTR
check_result_nopointers()
{
	local expected=$1 got

	got=$(new_log_lines |
		sed -E 's/<([0-9a-f]{8,16}|\(____ptrval____\)), /<PTR, /')
	compare_log "$expected" "$got"
}

setup_config
trap 'exit_cleanup test_lp_shadow_p2 test_lp_shadow_p1 test_lp_shadow test_lp_target' EXIT INT TERM HUP

start_test "get, alloc, get_or_alloc, free and free_all"
load_mod $MOD test=basic
unload_mod $MOD
check_result "% modprobe $MOD test=basic
$MOD: test basic
$MOD: ok: get <obj1, 1> before any alloc: NULL
$MOD: ok: alloc <obj1, 1> without ctor: zeroed data
$MOD: ok: get <obj1, 1>: the data alloc returned
$MOD: ok: alloc <obj1, 2>: same object, other id, other variable
$MOD: ok: alloc <obj2, 1>: other object, same id, other variable
$MOD: ok: get finds each <obj, id> and nothing else
$MOD: ok: get_or_alloc <obj1, 1>: the existing data, untouched, no ctor call
$MOD: ok: get_or_alloc <obj2, 2>: new variable, ctor called once
$MOD: ok: ctor got the object, the new data and ctor_data
$MOD: ok: ctor got zeroed data
$MOD: ok: get <obj2, 2>: what the ctor wrote
$MOD: ok: free <obj1, 1>: dtor called once with the object and its data
$MOD: ok: get <obj1, 1> after free: NULL
$MOD: ok: free <obj1, 1> left the other variables alone
$MOD: ok: free of variables that do not exist: no dtor call
$MOD: ok: alloc <obj1, 1> again after free
$MOD: ok: alloc <obj3, 1>
$MOD: ok: free_all id 1: dtor called for each of its 3 variables
$MOD: ok: no variable with id 1 is left
$MOD: ok: the variables with id 2 are still there
$MOD: ok: free_all id 2 without dtor: none left
$MOD: ok: free_all of an id without variables: no dtor call
$MOD: test basic: passed
% rmmod $MOD"

# A failing constructor cancels the allocation; the core says so.
start_test "constructor data and constructor failure"
load_mod $MOD test=ctor
unload_mod $MOD
check_result_nopointers "% modprobe $MOD test=ctor
$MOD: test ctor
$MOD: ok: alloc <obj1, 3> with ctor: ctor called once with <obj, data, ctor_data>, data filled
$MOD: ok: get <obj1, 3>: the constructed data
livepatch: Failed to construct shadow variable <PTR, 3> (-5)
$MOD: ok: alloc <obj2, 3> with a failing ctor: NULL
$MOD: ok: get <obj2, 3> after the failed ctor: NULL
livepatch: Failed to construct shadow variable <PTR, 3> (-5)
$MOD: ok: get_or_alloc <obj2, 3> with a failing ctor: NULL, nothing left
$MOD: ok: get_or_alloc <obj2, 3> with a working ctor then succeeds
$MOD: ok: free_all id 3: both variables destroyed
$MOD: test ctor: passed
% rmmod $MOD"

start_test "data alignment"
load_mod $MOD test=align
unload_mod $MOD
check_result "% modprobe $MOD test=align
$MOD: test align
$MOD: ok: data of 1 to 256 bytes is 16-byte aligned
$MOD: test align: passed
% rmmod $MOD"

# Enough variables to make the table grow several times (and shrink
# again as they go), looked up while it may be resized; a quarter as many
# on the much slower debug kernel.
many=100000
[[ -n ${VMTEST_DEBUG:-} ]] && many=25000
start_test "$many variables"
load_mod $MOD test=many count=$many
unload_mod $MOD
check_result "% modprobe $MOD test=many count=$many
$MOD: test many
$MOD: ok: alloc of $many variables
$MOD: ok: get finds every variable with its data
$MOD: ok: get finds every variable with its data, later
$MOD: ok: free of every second variable: $((many / 2)) dtor calls
$MOD: ok: the freed variables are gone, the others are there
$MOD: ok: free_all: $((many / 2)) dtor calls
$MOD: ok: no variable is left
$MOD: test many: passed
% rmmod $MOD"

# The table grows twice, then shrinks back to its first size, which takes
# two steps from there (test_lp_shadow.c says why): lookups, allocations
# and frees before, during and after; during the first growth, variables
# made and freed with free_all, which must leave none in the new table.
start_test "a table grown twice shrinks back"
load_mod $MOD test=regrow
unload_mod $MOD
check_result "% modprobe $MOD test=regrow
$MOD: test regrow
$MOD: ok: while the table grows, rounds of 20 variables freed with free_all: none is left in the new table
$MOD: ok: alloc of 20000 variables, a pause, then 250000 more
$MOD: ok: get finds every variable with its data
$MOD: ok: free_all: no variable is left
$MOD: ok: alloc of 1000 variables while the table shrinks: get finds them
$MOD: ok: after the shrink: 1000 more, get finds all of them and none of the freed ones
$MOD: ok: free_all: no variable is left
$MOD: test regrow: passed
% rmmod $MOD"

# Meanwhile another thread makes and frees 20000 variables over and over:
# the table grows and shrinks under the others; and one more frees its
# own with free_all, over and over, so that some of its walks meet a
# resize publishing another table.
# The debug kernel needs longer for the churn thread's rounds.
secs=1
[[ -n ${VMTEST_DEBUG:-} ]] && secs=3
start_test "4 threads doing alloc, get and free on shared keys for $secs s"
load_mod $MOD test=stress threads=4 seconds=$secs
unload_mod $MOD
check_result "% modprobe $MOD test=stress threads=4 seconds=$secs
$MOD: test stress
$MOD: ok: churn thread started
$MOD: ok: free_all rounds thread started
$MOD: ok: 4 threads started
$MOD: ok: each thread did some operations
$MOD: ok: the churn thread made and freed 20000 variables at least once
$MOD: ok: rounds of 64 variables freed with free_all while the table grows and shrinks: each was made, none is left
$MOD: ok: no lookup, alloc or free saw a wrong variable
$MOD: ok: every constructed variable was destroyed once
$MOD: ok: no variable is left after free_all
$MOD: test stress: passed
% rmmod $MOD"

start_test "GFP_ATOMIC from softirq, hardirq and irqs-off sections at once"
load_mod $MOD test=atomic
unload_mod $MOD
check_result "% modprobe $MOD test=atomic
$MOD: test atomic
$MOD: ok: timer (softirq): 8 rounds of alloc, get, get_or_alloc, free and free_all with GFP_ATOMIC
$MOD: ok: hrtimer (hardirq): 8 rounds of alloc, get, get_or_alloc, free and free_all with GFP_ATOMIC
$MOD: ok: spinlock, irqs off: 8 rounds of alloc, get, get_or_alloc, free and free_all with GFP_ATOMIC
$MOD: test atomic: passed
% rmmod $MOD"

# Expected kernel WARNING: allocating <obj1, 4> a second time.
start_test "duplicate alloc (expected kernel WARNING)"
expect_kernel_problem 'WARNING: .* at kernel/livepatch/shadow\.c:[0-9]+ klp_shadow_'
load_mod $MOD test=dup
unload_mod $MOD
# The WARNING and its stack trace name the module too: look for the
# checks, the warning's message and its origin.
case_log | grep -q 'Duplicate shadow variable <[^,]*, 4>' ||
	fail_case "no 'Duplicate shadow variable' warning"
check_log_contains "% modprobe $MOD test=dup" \
	"$MOD: ok: alloc <obj1, 4>" \
	"$MOD: allocating <obj1, 4> again: a WARNING follows" \
	"$MOD: ok: second alloc <obj1, 4>: NULL, ctor not called" \
	"$MOD: ok: the first <obj1, 4> is still there, unchanged" \
	"$MOD: ok: get_or_alloc <obj1, 4>: the existing data, no WARNING" \
	"$MOD: test dup: passed"

# test_lp_shadow_p1 counts the calls of function a in a shadow variable
# attached to the target's data.  Its replacement finds the variable and
# counts on; the replaced patch's post_unpatch callback does not run, so
# the variable lives until test_lp_shadow_p2 is disabled.  The next patch
# starts from scratch, and its own post_unpatch frees its variable.
start_test "shadow variable taken over by a cumulative patch"
load_mod $TARGET
load_lp $P1
assert_target a "$P1, call 1"
assert_target a "$P1, call 2"
load_lp $P2
wait_for "[[ ! -e $KLP_SYSFS/$P1 ]]" || fail_case "$P1 was not replaced"
unload_lp $P1
assert_target a "$P2, call 3"
assert_target a "$P2, call 4"
disable_lp $P2
assert_target a original
unload_lp $P2
load_lp $P1
assert_target a "$P1, call 1"
disable_lp $P1
unload_lp $P1
unload_mod $TARGET
check_result "% modprobe $TARGET
$TARGET: init, a: original
% modprobe $P1
$(patching_log $P1)
% modprobe $P2
$(patching_log $P2)
% rmmod $P1
$(unpatching_started_log $P2)
livepatch: '$P2': completing unpatching transition
$P2: freeing the call counter, at 4
livepatch: '$P2': unpatching complete
% rmmod $P2
% modprobe $P1
$(patching_log $P1)
$(unpatching_started_log $P1)
livepatch: '$P1': completing unpatching transition
$P1: freeing the call counter, at 1
livepatch: '$P1': unpatching complete
% rmmod $P1
% rmmod $TARGET
$TARGET: exit"

exit 0
