#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Conflict checking: livepatches do not stack.  A patch that is not an
# atomic replace may not change a function that an active patch (enabled,
# or in transition) changes: the core refuses it with -EINVAL, leaves
# nothing of it behind and says which patch owns the function.  Functions
# are compared by object and name (sympos 0 and 1 are the same) before
# anything is resolved, which covers modules not loaded yet, and by
# address once resolved, which catches aliases; one patch may not list a
# function twice either.  Atomic replace and the order of disabling:
# test-conflicts-replace.sh; conflicts meeting transitions and each other:
# test-conflicts-races.sh.

. "$(dirname "$0")"/functions.sh
# shellcheck source=conflicts.sh
. "$(dirname "$0")"/conflicts.sh

conflicts_setup

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
compare_log "$expected" "$got"
