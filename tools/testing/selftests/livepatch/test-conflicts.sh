#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Conflict checking: livepatches do not stack.  A patch that is not an
# atomic replace may not change a function that an active patch (enabled,
# or in transition) changes: the core refuses it with -EINVAL, leaves
# nothing of it behind and says which patch owns the function.  Functions
# are compared by object and name (sympos 0 and 1 are the same) before
# anything is resolved, which covers modules not loaded yet, and by
# address once resolved, which catches aliases.  An atomic replace may
# overlap anything.  Without stacking, patches can be disabled in any
# order, and stack_order is simply the position in the enable order.
#
# Patch modules: test_lp_conflict_p1, _p2 and _p3, one code base whose
# funcs= parameter says what to patch (see test_modules/test_lp_conflict.h).
# Target module: test_lp_conflict_target, whose parameters a, b and b_alias
# show which code its functions run.

. "$(dirname "$0")"/functions.sh

P1=test_lp_conflict_p1
P2=test_lp_conflict_p2
P3=test_lp_conflict_p3
TARGET=test_lp_conflict_target
TPARAM=/sys/module/$TARGET/parameters
FUNC_A=test_lp_conflict_target_a
FUNC_B=test_lp_conflict_target_b
FUNC_B_ALIAS=test_lp_conflict_target_b_alias
FUNC_BUSY=test_lp_conflict_target_busy
# Rounds of the concurrent loads; fewer on the much slower debug kernel.
# "make soak" runs this script with many more.
if [[ -n ${VMTEST_DEBUG:-} ]]; then
	RACE_ROUNDS=${RACE_ROUNDS:-4}
else
	RACE_ROUNDS=${RACE_ROUNDS:-6}
fi

# --- local helpers ---------------------------------------------------------------

# Leave no patch or module of ours behind when a case fails half-way.
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup()
{
	local m i

	if [[ -r $TPARAM/block && $(value_of "$TPARAM/block") == 1 ]]; then
		echo 0 >"$TPARAM/block"
	fi
	for ((i = 0; i < 50; i++)); do
		for m in $P3 $P2 $P1; do
			[[ -e $KLP_SYSFS/$m/enabled ]] &&
				echo 0 >"$KLP_SYSFS/$m/enabled" 2>/dev/null
		done
		[[ -e $KLP_SYSFS/$P1 || -e $KLP_SYSFS/$P2 ||
		   -e $KLP_SYSFS/$P3 ]] || break
		sleep 0.2
	done
	for m in $P3 $P2 $P1 $TARGET; do
		[[ -e /sys/module/$m ]] && rmmod "$m" 2>/dev/null
	done
	restore_config
}

# What functions.sh logs for a modprobe that fails with errno text ERR.
modprobe_error()
{
	echo "modprobe: ERROR: could not insert '$1': $2"
}

# conflict_log FUNC,SYMPOS OBJECT OWNER - the core's refusal of a function
# that patch OWNER already changes.
conflict_log()
{
	echo "livepatch: Function '$1' in object '$2' has already been livepatched.
livepatch: Use cumulative livepatches for dependent changes.
livepatch: Function '$1' in object '$2' is patched by '$3': replace it with a cumulative patch or disable it first."
}

refcnt()
{
	cat "/sys/module/$1/refcnt" 2>&1
}

# assert_gone MOD - nothing is left of patch module MOD.
assert_gone()
{
	assert_absent "$KLP_SYSFS/$1"
	assert_absent "/sys/module/$1"
}

# refused_load MOD OWNER [PARAMS...] - loading patch MOD must fail, leave
# nothing behind and not touch the patch module OWNER ("" for none).
refused_load()
{
	local mod=$1 owner=$2 before=; shift 2

	[[ -n $owner ]] && before=$(refcnt "$owner")
	load_failing_mod "$mod" "$@"
	assert_gone "$mod"
	[[ -n $owner ]] &&
		assert_eq "refcnt of $owner after refusing $mod" "$before" \
			"$(refcnt "$owner")"
	return 0
}

# assert_reads FILE EXPECTED - what reading FILE gives.
assert_reads()
{
	assert_eq "$1" "$2" "$(value_of "$1" 2>&1)"
}

# check_result_except PATTERN EXPECTED - check_result, ignoring the log
# lines that match PATTERN (messages whose timing is not ours to choose).
check_result_except()
{
	local pattern=$1 expected=$2 got

	got=$(new_log_lines | grep -v -e "$pattern")
	[[ $got == "$expected" ]] ||
		fail_case "$(diff -u --label expected --label got \
			<(echo "$expected") <(echo "$got"))"
	pass_case
}

# count_log_lines FIXED_STRING - how many new log lines contain it.
count_log_lines()
{
	new_log_lines | grep -cF -- "$1"
}

# kallsyms_addr NAME - the address of vmlinux symbol NAME ("" if absent).
kallsyms_addr()
{
	awk -v name="$1" '$3 == name && NF == 3 { print $1 }' /proc/kallsyms
}

setup_config
trap cleanup EXIT INT TERM HUP

for m in $P1 $P2 $P3 $TARGET; do
	require_mod "$m"
done

orig_version=$(value_of /proc/version)

# --- vmlinux -----------------------------------------------------------------------

start_test "vmlinux: a function patched by an enabled patch is refused"
load_lp $P1 funcs=version_proc_show
assert_reads /proc/version $P1
assert_sysfs "$P1/stack_order" 1
[[ -d $KLP_SYSFS/$P1/vmlinux/version_proc_show,1 ]] ||
	fail_case "no function directory version_proc_show,1"
refused_load $P2 $P1 funcs=version_proc_show
# Only one function of several overlaps: nothing of the patch remains.
refused_load $P2 $P1 funcs=loadavg_proc_show,version_proc_show
[[ $(value_of /proc/loadavg) == "$P2" ]] && fail_case "/proc/loadavg still patched"
assert_reads /proc/version $P1
assert_sysfs "$P1/enabled" 1
assert_sysfs "$P1/stack_order" 1
assert_eq "refcnt of $P1" 1 "$(refcnt $P1)"
disable_lp $P1
unload_lp $P1
assert_reads /proc/version "$orig_version"
check_result "% modprobe $P1 funcs=version_proc_show
$(patching_log $P1)
% modprobe $P2 funcs=version_proc_show
$(conflict_log version_proc_show,1 vmlinux $P1)
$(modprobe_error $P2 'Invalid argument')
% modprobe $P2 funcs=loadavg_proc_show,version_proc_show
$(conflict_log version_proc_show,1 vmlinux $P1)
$(modprobe_error $P2 'Invalid argument')
$(unpatching_log $P1)
% rmmod $P1"

start_test "vmlinux: sympos 0 and 1 name the same function"
load_lp $P1 funcs=version_proc_show@1
[[ -d $KLP_SYSFS/$P1/vmlinux/version_proc_show,1 ]] ||
	fail_case "no function directory version_proc_show,1"
refused_load $P2 $P1 funcs=version_proc_show
refused_load $P3 $P1 funcs=version_proc_show@1
assert_reads /proc/version $P1
disable_lp $P1
unload_lp $P1
load_lp $P1 funcs=version_proc_show
refused_load $P2 $P1 funcs=version_proc_show@1
assert_reads /proc/version $P1
disable_lp $P1
unload_lp $P1
assert_reads /proc/version "$orig_version"
check_result "% modprobe $P1 funcs=version_proc_show@1
$(patching_log $P1)
% modprobe $P2 funcs=version_proc_show
$(conflict_log version_proc_show,1 vmlinux $P1)
$(modprobe_error $P2 'Invalid argument')
% modprobe $P3 funcs=version_proc_show@1
$(conflict_log version_proc_show,1 vmlinux $P1)
$(modprobe_error $P3 'Invalid argument')
$(unpatching_log $P1)
% rmmod $P1
% modprobe $P1 funcs=version_proc_show
$(patching_log $P1)
% modprobe $P2 funcs=version_proc_show@1
$(conflict_log version_proc_show,1 vmlinux $P1)
$(modprobe_error $P2 'Invalid argument')
$(unpatching_log $P1)
% rmmod $P1"

# x86's SYSCALL_DEFINE0() makes __x64_sys_<name> an alias of
# __do_sys_<name>: one function with an ftrace location, two names.
start_test "vmlinux: an alias of a patched function is refused"
addr=$(kallsyms_addr __do_sys_sync)
[[ -n $addr ]] || fail_case "no __do_sys_sync in /proc/kallsyms"
assert_eq "address of __x64_sys_sync (alias of __do_sys_sync)" "$addr" \
	"$(kallsyms_addr __x64_sys_sync)"
[[ $addr =~ ^0+$ ]] && fail_case "/proc/kallsyms hides the addresses"
load_lp $P1 funcs=__do_sys_sync
refused_load $P2 $P1 funcs=__x64_sys_sync
# sync(2) runs the replacement once while patched, never after.
sync
disable_lp $P1
unload_lp $P1
sync
check_result "% modprobe $P1 funcs=__do_sys_sync
$(patching_log $P1)
% modprobe $P2 funcs=__x64_sys_sync
$(conflict_log __x64_sys_sync,1 vmlinux $P1)
$(modprobe_error $P2 'Invalid argument')
$P1: sync() replaced
$(unpatching_log $P1)
% rmmod $P1"

# --- a module ----------------------------------------------------------------------

start_test "module: a function patched by an enabled patch is refused"
load_mod $TARGET
assert_reads "$TPARAM/a" original
load_lp $P1 funcs=$FUNC_A
assert_reads "$TPARAM/a" $P1
refused_load $P2 $P1 funcs=$FUNC_A@1
# A patch of vmlinux and the module, overlapping in the module only.
refused_load $P2 $P1 funcs=version_proc_show,$FUNC_B,$FUNC_A
assert_reads "$TPARAM/a" $P1
assert_reads "$TPARAM/b" original
assert_reads /proc/version "$orig_version"
disable_lp $P1
unload_lp $P1
assert_reads "$TPARAM/a" original
unload_mod $TARGET
check_result "% modprobe $TARGET
% modprobe $P1 funcs=$FUNC_A
$(patching_log $P1)
% modprobe $P2 funcs=$FUNC_A@1
$(conflict_log $FUNC_A,1 $TARGET $P1)
$(modprobe_error $P2 'Invalid argument')
% modprobe $P2 funcs=version_proc_show,$FUNC_B,$FUNC_A
$(conflict_log $FUNC_A,1 $TARGET $P1)
$(modprobe_error $P2 'Invalid argument')
$(unpatching_log $P1)
% rmmod $P1
% rmmod $TARGET"

start_test "module not loaded yet: refused by name"
load_lp $P1 funcs=$FUNC_A
assert_sysfs "$P1/$TARGET/patched" 0
refused_load $P2 $P1 funcs=$FUNC_A
refused_load $P2 $P1 funcs=$FUNC_A@1
load_mod $TARGET
assert_sysfs "$P1/$TARGET/patched" 1
assert_reads "$TPARAM/a" $P1
refused_load $P2 $P1 funcs=$FUNC_A
unload_mod $TARGET
assert_sysfs "$P1/$TARGET/patched" 0
disable_lp $P1
unload_lp $P1
check_result "% modprobe $P1 funcs=$FUNC_A
$(patching_log $P1)
% modprobe $P2 funcs=$FUNC_A
$(conflict_log $FUNC_A,1 $TARGET $P1)
$(modprobe_error $P2 'Invalid argument')
% modprobe $P2 funcs=$FUNC_A@1
$(conflict_log $FUNC_A,1 $TARGET $P1)
$(modprobe_error $P2 'Invalid argument')
% modprobe $TARGET
livepatch: applying patch '$P1' to loading module '$TARGET'
% modprobe $P2 funcs=$FUNC_A
$(conflict_log $FUNC_A,1 $TARGET $P1)
$(modprobe_error $P2 'Invalid argument')
% rmmod $TARGET
livepatch: reverting patch '$P1' on unloading module '$TARGET'
$(unpatching_log $P1)
% rmmod $P1"

start_test "module: an alias of a patched function is refused"
load_mod $TARGET
load_lp $P1 funcs=$FUNC_B
assert_reads "$TPARAM/b" $P1
assert_reads "$TPARAM/b_alias" $P1
refused_load $P2 $P1 funcs=$FUNC_B_ALIAS
# The other way round.
disable_lp $P1
unload_lp $P1
load_lp $P1 funcs=$FUNC_B_ALIAS
assert_reads "$TPARAM/b" $P1
refused_load $P2 $P1 funcs=$FUNC_B
assert_reads "$TPARAM/b" $P1
disable_lp $P1
unload_lp $P1
assert_reads "$TPARAM/b" original
unload_mod $TARGET
check_result "% modprobe $TARGET
% modprobe $P1 funcs=$FUNC_B
$(patching_log $P1)
% modprobe $P2 funcs=$FUNC_B_ALIAS
$(conflict_log $FUNC_B_ALIAS,1 $TARGET $P1)
$(modprobe_error $P2 'Invalid argument')
$(unpatching_log $P1)
% rmmod $P1
% modprobe $P1 funcs=$FUNC_B_ALIAS
$(patching_log $P1)
% modprobe $P2 funcs=$FUNC_B
$(conflict_log $FUNC_B,1 $TARGET $P1)
$(modprobe_error $P2 'Invalid argument')
$(unpatching_log $P1)
% rmmod $P1
% rmmod $TARGET"

# By name the two patches do not overlap; once the module loads, their
# functions resolve to the same address.  The module loads; the first
# patch keeps the code, the second patch's object stays unpatched.
start_test "module loaded later: an alias conflict leaves the later patch's object unpatched"
load_lp $P1 funcs=$FUNC_B
load_lp $P2 funcs=$FUNC_B_ALIAS
assert_sysfs "$P2/stack_order" 2
load_mod $TARGET
assert_sysfs "$P1/$TARGET/patched" 1
assert_sysfs "$P2/$TARGET/patched" 0
assert_sysfs "$P1/enabled" 1
assert_sysfs "$P2/enabled" 1
assert_reads "$TPARAM/b" $P1
assert_reads "$TPARAM/b_alias" $P1
unload_mod $TARGET
assert_sysfs "$P1/$TARGET/patched" 0
# Without the first patch, the second one applies at the next load.
disable_lp $P1
unload_lp $P1
load_mod $TARGET
assert_sysfs "$P2/$TARGET/patched" 1
assert_reads "$TPARAM/b" $P2
unload_mod $TARGET
disable_lp $P2
unload_lp $P2
check_result "% modprobe $P1 funcs=$FUNC_B
$(patching_log $P1)
% modprobe $P2 funcs=$FUNC_B_ALIAS
$(patching_log $P2)
% modprobe $TARGET
livepatch: applying patch '$P1' to loading module '$TARGET'
$(conflict_log $FUNC_B_ALIAS,1 $TARGET $P1)
livepatch: module '$TARGET' loads without patch '$P2', whose object for it stays unpatched
% rmmod $TARGET
livepatch: reverting patch '$P1' on unloading module '$TARGET'
$(unpatching_log $P1)
% rmmod $P1
% modprobe $TARGET
livepatch: applying patch '$P2' to loading module '$TARGET'
% rmmod $TARGET
livepatch: reverting patch '$P2' on unloading module '$TARGET'
$(unpatching_log $P2)
% rmmod $P2"

# A work item sleeping in test_lp_conflict_target_busy() holds the
# transition of a patch that changes it.  Only one transition runs at a
# time, so a patch that overlaps it is refused as busy, as in 6.1, before
# any conflict check: trying again later may succeed.
start_test "a patch in transition: busy before a conflict"
load_mod $TARGET
log "% echo 1 > $TPARAM/block"
echo 1 >"$TPARAM/block" || fail_case "cannot block in $FUNC_BUSY"
load_lp_nowait $P1 funcs=$FUNC_BUSY,$FUNC_A
let_retries_run
assert_sysfs "$P1/transition" 1
refused_load $P2 $P1 funcs=$FUNC_A
refused_load $P2 $P1 funcs=$FUNC_BUSY
# No overlap, but only one transition at a time.
refused_load $P3 "" funcs=version_proc_show
assert_sysfs "$P1/transition" 1
log "% echo 0 > $TPARAM/block"
echo 0 >"$TPARAM/block" || fail_case "cannot unblock $FUNC_BUSY"
wait_transition $P1
assert_reads "$TPARAM/a" $P1
disable_lp $P1
unload_lp $P1
unload_mod $TARGET
check_result_except "signaling remaining tasks" "% modprobe $TARGET
% echo 1 > $TPARAM/block
% modprobe $P1 funcs=$FUNC_BUSY,$FUNC_A
$(patching_started_log $P1)
% modprobe $P2 funcs=$FUNC_A
$(modprobe_error $P2 'Device or resource busy')
% modprobe $P2 funcs=$FUNC_BUSY
$(modprobe_error $P2 'Device or resource busy')
% modprobe $P3 funcs=version_proc_show
$(modprobe_error $P3 'Device or resource busy')
% echo 0 > $TPARAM/block
$(transition_done_log $P1 patching)
$(unpatching_log $P1)
% rmmod $P1
% rmmod $TARGET"

# Only one transition at a time: during an atomic replace, a patch that
# overlaps the replaced patch or the replace is busy, not a conflict; once
# the replaced patch is gone, its functions are free.
start_test "during an atomic replace's transition: busy; then the replaced patch's functions are free"
load_mod $TARGET
load_lp $P1 funcs=loadavg_proc_show
log "% echo 1 > $TPARAM/block"
echo 1 >"$TPARAM/block" || fail_case "cannot block in $FUNC_BUSY"
load_lp_nowait $P3 replace=1 funcs=$FUNC_BUSY
let_retries_run
assert_sysfs "$P3/transition" 1
assert_sysfs "$P1/enabled" 1
refused_load $P2 $P1 funcs=loadavg_proc_show
refused_load $P2 $P3 funcs=$FUNC_BUSY
log "% echo 0 > $TPARAM/block"
echo 0 >"$TPARAM/block" || fail_case "cannot unblock $FUNC_BUSY"
wait_transition $P3
wait_for "[[ ! -e $KLP_SYSFS/$P1 ]]" || fail_case "$P1 was not replaced"
unload_lp $P1
load_lp $P2 funcs=loadavg_proc_show
assert_reads /proc/loadavg $P2
disable_lp $P2
disable_lp $P3
unload_lp $P2
unload_lp $P3
unload_mod $TARGET
check_result_except "signaling remaining tasks" "% modprobe $TARGET
% modprobe $P1 funcs=loadavg_proc_show
$(patching_log $P1)
% echo 1 > $TPARAM/block
% modprobe $P3 replace=1 funcs=$FUNC_BUSY
$(patching_started_log $P3)
% modprobe $P2 funcs=loadavg_proc_show
$(modprobe_error $P2 'Device or resource busy')
% modprobe $P2 funcs=$FUNC_BUSY
$(modprobe_error $P2 'Device or resource busy')
% echo 0 > $TPARAM/block
$(transition_done_log $P3 patching)
% rmmod $P1
% modprobe $P2 funcs=loadavg_proc_show
$(patching_log $P2)
$(unpatching_log $P2)
$(unpatching_log $P3)
% rmmod $P2
% rmmod $P3
% rmmod $TARGET"

# --- within one patch ----------------------------------------------------------

start_test "one patch listing a function twice is refused"
load_mod $TARGET
refused_load $P1 "" funcs=version_proc_show,version_proc_show@1
refused_load $P1 "" funcs=$FUNC_A,$FUNC_B,$FUNC_A
refused_load $P1 "" funcs=__x64_sys_sync,__do_sys_sync
refused_load $P1 "" funcs=$FUNC_B,$FUNC_B_ALIAS
assert_reads /proc/version "$orig_version"
assert_reads "$TPARAM/a" original
assert_reads "$TPARAM/b" original
unload_mod $TARGET
# Which alias comes first depends on the sort; accept both orders.
got=$(new_log_lines)
for pair in __do_sys_sync,__x64_sys_sync:vmlinux \
	    $FUNC_B,$FUNC_B_ALIAS:$TARGET; do
	obj=${pair#*:}
	f1=${pair%%,*}
	f2=${pair%:*}
	f2=${f2#*,}
	line1="livepatch: patch '$P1': functions '$f1,1' and '$f2,1' in object '$obj' are the same code"
	line2="livepatch: patch '$P1': functions '$f2,1' and '$f1,1' in object '$obj' are the same code"
	grep -qxF -e "$line1" -e "$line2" <<<"$got" ||
		fail_case "missing: $line1"$'\n'"log was:"$'\n'"$got"
	got=$(grep -vxF -e "$line1" -e "$line2" <<<"$got")
done
expected="% modprobe $TARGET
% modprobe $P1 funcs=version_proc_show,version_proc_show@1
livepatch: patch '$P1': function 'version_proc_show,1' is listed twice in object 'vmlinux'
$(modprobe_error $P1 'Invalid argument')
% modprobe $P1 funcs=$FUNC_A,$FUNC_B,$FUNC_A
livepatch: patch '$P1': function '$FUNC_A,1' is listed twice in object '$TARGET'
$(modprobe_error $P1 'Invalid argument')
% modprobe $P1 funcs=__x64_sys_sync,__do_sys_sync
$(modprobe_error $P1 'Invalid argument')
% modprobe $P1 funcs=$FUNC_B,$FUNC_B_ALIAS
$(modprobe_error $P1 'Invalid argument')
% rmmod $TARGET"
[[ $got == "$expected" ]] ||
	fail_case "$(diff -u --label expected --label got \
		<(echo "$expected") <(echo "$got"))"
pass_case

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
disable_lp $P2
assert_sysfs "$P1/stack_order" 1
disable_lp $P1
unload_lp $P1
unload_lp $P2
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
$(unpatching_log $P2)
$(unpatching_log $P1)
% rmmod $P1
% rmmod $P2
% rmmod $TARGET"

# --- concurrent loads ----------------------------------------------------------------

# loser_refused LOSER OUTPUT WINNER - the loser's modprobe failed as a
# conflict (the winner's transition was over) or as busy (it was not).
loser_refused()
{
	if grep -qF "$(modprobe_error "$1" 'Invalid argument')" "$2"; then
		RACE_CONFLICTS[$3]=$((${RACE_CONFLICTS[$3]:-0} + 1))
	elif ! grep -qF "$(modprobe_error "$1" 'Device or resource busy')" "$2"; then
		fail_case "$1 failed otherwise: $(value_of "$2")"
	fi
}

# race_round FUNCS_OF_P1 FUNCS_OF_P2 - load both at once: exactly one wins.
race_round()
{
	local out1 out2 rc1 rc2 pid1 pid2 winner loser

	out1=$(mktemp) out2=$(mktemp)
	log "% modprobe $P1 funcs=$1 & modprobe $P2 funcs=$2 &"
	modprobe $P1 funcs="$1" >"$out1" 2>&1 &
	pid1=$!
	modprobe $P2 funcs="$2" >"$out2" 2>&1 &
	pid2=$!
	wait $pid1
	rc1=$?
	wait $pid2
	rc2=$?
	if [[ $rc1 -eq 0 && $rc2 -ne 0 ]]; then
		winner=$P1 loser=$P2
		loser_refused $P2 "$out2" $P1
	elif [[ $rc1 -ne 0 && $rc2 -eq 0 ]]; then
		winner=$P2 loser=$P1
		loser_refused $P1 "$out1" $P2
	else
		fail_case "exit codes $rc1 and $rc2: $(cat "$out1" "$out2")"
	fi
	rm -f "$out1" "$out2"
	log "winner: $winner"

	assert_gone $loser
	[[ -d $KLP_SYSFS/$winner ]] || fail_case "$winner has no sysfs directory"
	wait_transition $winner
	assert_sysfs "$winner/enabled" 1
	assert_sysfs "$winner/stack_order" 1
	assert_eq "refcnt of $winner" 1 "$(refcnt $winner)"
	if [[ $1 == version_proc_show ]]; then
		assert_reads /proc/version $winner
	else
		assert_reads "$TPARAM/b" $winner
	fi
	disable_lp $winner
	unload_lp $winner
	RACE_WINS[$winner]=$((${RACE_WINS[$winner]:-0} + 1))
}

start_test "concurrent loads of conflicting patches: exactly one wins"
declare -A RACE_WINS=() RACE_CONFLICTS=()
load_mod $TARGET
for ((round = 0; round < RACE_ROUNDS; round++)); do
	# Same name in vmlinux, and aliases in a module (checked by address).
	if ((round % 2 == 0)); then
		race_round version_proc_show version_proc_show
	else
		race_round $FUNC_B $FUNC_B_ALIAS
	fi
done
unload_mod $TARGET
conflicts=$((${RACE_CONFLICTS[$P1]:-0} + ${RACE_CONFLICTS[$P2]:-0}))
echo -n "($P1 won ${RACE_WINS[$P1]:-0}, $P2 won ${RACE_WINS[$P2]:-0}, $conflicts conflicts) "
assert_eq "conflict refusals" "$conflicts" \
	"$(count_log_lines 'has already been livepatched.')"
assert_eq "refusals naming $P1" "${RACE_CONFLICTS[$P1]:-0}" \
	"$(count_log_lines "is patched by '$P1'")"
assert_eq "refusals naming $P2" "${RACE_CONFLICTS[$P2]:-0}" \
	"$(count_log_lines "is patched by '$P2'")"
assert_eq "patches enabled" "$RACE_ROUNDS" \
	"$(count_log_lines 'livepatch: enabling patch')"
pass_case

exit 0
