#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What the core refuses: malformed patches (test_lp_malformed case=...),
# and a patch in a module not marked as a livepatch (test_lp_unmarked),
# fail with -EINVAL, say why, and leave nothing behind; a patch cannot be
# enabled, nor another one disabled, while a transition is in progress
# (-EBUSY); and the sysfs attributes refuse writes that make no sense.

. "$(dirname "$0")"/functions.sh

MOD=test_lp_malformed
TARGET=test_lp_target
MOD_A=test_lp_mod_a
MOD_B=test_lp_mod_b
REPLACE=test_lp_replace

# malformed DESCRIPTION ERROR_LINE PARAMS... - loading $MOD with PARAMS
# must fail with EINVAL, log "livepatch: ERROR_LINE" and nothing else, and
# leave neither the module nor its sysfs directory.
malformed()
{
	local what=$1 line=$2; shift 2

	start_test "$what"
	load_failing_mod $MOD "$@"
	assert_absent "/sys/module/$MOD"
	assert_absent "$KLP_SYSFS/$MOD"
	check_result "% modprobe $MOD $*
livepatch: $line
modprobe: ERROR: could not insert '$MOD': Invalid argument"
}

# write_fails FILE VALUE ERROR - writing VALUE to FILE must fail with ERROR
write_fails()
{
	local file=$1 value=$2 want=$3 out

	log "% echo $value > $file"
	out=$( { echo "$value" >"$file"; } 2>&1) &&
		fail_case "writing '$value' to $file succeeded"
	[[ $out == *": $want" ]] ||
		fail_case "writing '$value' to $file: expected '$want', got '$out'"
}

setup_config
trap 'exit_cleanup test_lp_malformed test_lp_replace test_lp_mod_a test_lp_mod_b test_lp_ipmodify test_lp_target' EXIT INT TERM HUP

start_test "the malformed-patch module makes a valid patch by default"
load_lp $MOD
assert_sysfs "$MOD/enabled" 1
disable_lp $MOD
unload_lp $MOD
pass_case

malformed "patch without objects" \
	"patch '$MOD' has no object array" case=null_objs
malformed "object without functions" \
	"patch '$MOD': object '$TARGET' has no function array" case=null_funcs
malformed "patch without a module" \
	"invalid patch: mod is NULL" case=null_mod
malformed "function with an empty old_name" \
	"patch '$MOD': a function of object '$TARGET' has an empty old_name" \
	case=empty_old_name
malformed "object with an empty name" \
	"patch '$MOD': an object has an empty name; use a NULL name for vmlinux" \
	case=empty_obj_name
malformed "state listed twice" \
	"patch '$MOD': state 1 is listed twice" case=state_twice
malformed "state without an id" \
	"patch '$MOD': a state has no id" case=state_no_id
malformed "function without old_name" \
	"patch '$MOD': a function of object '$TARGET' has no old_name" \
	case=null_old_name
malformed "function without new_func" \
	"patch '$MOD': a function of object '$TARGET' has no new_func" \
	case=null_new_func
malformed "function listed twice in an object" \
	"patch '$MOD': function 'test_lp_target_a_show,1' is listed twice in object '$TARGET'" \
	case=func_twice
malformed "function listed twice, as sympos 0 and sympos 1" \
	"patch '$MOD': function 'test_lp_target_a_show,1' is listed twice in object '$TARGET'" \
	case=func_twice_pos
malformed "object listed twice" \
	"patch '$MOD': object '$TARGET' is listed twice" case=obj_twice
malformed "object named vmlinux" \
	"patch '$MOD': object name 'vmlinux' is reserved; use a NULL name for vmlinux" \
	case=obj_vmlinux
malformed "object name too long" \
	"patch '$MOD': object name 'test_lp_malformed_an_object_name_longer_than_a_module_name' is too long" \
	case=obj_name_long
malformed "function name too long" \
	"patch '$MOD': function name 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' is too long" \
	case=func_name_long
malformed "function that does not exist" \
	"symbol 'test_lp_malformed_no_such_function' not found in symbol table" \
	case=no_symbol
# A missing function of a module that is not loaded yet goes unnoticed
# until the module loads: then the module is refused, the patch stays.
# A module without MODULE_INFO(livepatch, "Y") was loaded as any module:
# no .klp.rela sections kept, no livepatch taint.
start_test "a patch in a module not marked as a livepatch module"
load_failing_mod test_lp_unmarked
assert_absent /sys/module/test_lp_unmarked
assert_absent "$KLP_SYSFS/test_lp_unmarked"
check_result "% modprobe test_lp_unmarked
livepatch: module test_lp_unmarked is not marked as a livepatch module
modprobe: ERROR: could not insert 'test_lp_unmarked': Invalid argument"

# target_refused_under CASE - with patch case CASE enabled before it,
# test_lp_target is refused when it loads; the patch stays enabled, its
# object unpatched, until it is disabled and removed
target_refused_under()
{
	load_lp $MOD case="$1"
	load_failing_mod $TARGET
	assert_absent "/sys/module/$TARGET"
	assert_sysfs "$MOD/enabled" 1
	assert_sysfs "$MOD/$TARGET/patched" 0
	disable_lp $MOD
	unload_lp $MOD
}

start_test "function that does not exist in a module loaded later"
target_refused_under mod_no_symbol
load_mod $TARGET
unload_mod $TARGET
check_result "% modprobe $MOD case=mod_no_symbol
$(patching_log $MOD)
% modprobe $TARGET
livepatch: symbol 'test_lp_target_no_such_function' not found in symbol table
livepatch: failed to initialize patch '$MOD' for module '$TARGET' (-22)
livepatch: patch '$MOD' failed for module '$TARGET', refusing to load module '$TARGET'
modprobe: ERROR: could not insert '$TARGET': Invalid argument
$(unpatching_log $MOD)
% rmmod $MOD
% modprobe $TARGET
$TARGET: init, a: original
% rmmod $TARGET
$TARGET: exit"

malformed "old_sympos beyond the only symbol of that name" \
	"symbol position 2 for symbol 'version_proc_show' in object 'vmlinux' not found" \
	case=sympos sym=version_proc_show sympos=2

# A name that vmlinux has several times, as kallsyms shows it.
read -r dup_count dup_name < <(awk 'NF == 3 { print $3 }' /proc/kallsyms |
	sort | uniq -c | awk '$1 > 1 && $2 ~ /^[a-z_][a-z0-9_]*$/ { print $1, $2; exit }')
if [[ -n $dup_name ]]; then
	malformed "ambiguous name '$dup_name' ($dup_count symbols) with sympos 0" \
		"unresolvable ambiguity for symbol '$dup_name' in object 'vmlinux'" \
		case=sympos "sym=$dup_name" sympos=0
	malformed "old_sympos beyond the $dup_count symbols '$dup_name'" \
		"symbol position $((dup_count + 1)) for symbol '$dup_name' in object 'vmlinux' not found" \
		case=sympos "sym=$dup_name" sympos=$((dup_count + 1))
else
	start_test "ambiguous symbol name"
	fail_case "vmlinux has no name twice: these cases need one"
fi

# The target's kthread waits in test_lp_target_sleep(), which the replace
# patch changes: its transition stays open until "hold" goes back to 0.
# ftrace lets one user at a time change where a function returns to.
start_test "a function another ftrace user redirects: EBUSY, nothing left"
load_mod test_lp_target
load_mod test_lp_ipmodify
load_failing_mod test_lp_mod_a
assert_absent "$KLP_SYSFS/test_lp_mod_a"
assert_absent /sys/module/test_lp_mod_a
assert_eq "test_lp_target's a" original "$(value_of /sys/module/test_lp_target/parameters/a)"
unload_mod test_lp_ipmodify
load_lp test_lp_mod_a
assert_eq "test_lp_target's a" test_lp_mod_a "$(value_of /sys/module/test_lp_target/parameters/a)"
disable_lp test_lp_mod_a
unload_lp test_lp_mod_a
unload_mod test_lp_target
check_result "% modprobe $TARGET
$TARGET: init, a: original
% modprobe test_lp_ipmodify
% modprobe $MOD_A
livepatch: enabling patch '$MOD_A'
livepatch: '$MOD_A': initializing patching transition
livepatch: failed to register ftrace handler for function 'test_lp_target_a_show' (-16)
livepatch: failed to patch object '$TARGET'
livepatch: failed to enable patch '$MOD_A'
livepatch: '$MOD_A': canceling patching transition, going to unpatch
$(transition_done_log $MOD_A unpatching)
modprobe: ERROR: could not insert '$MOD_A': Device or resource busy
% rmmod test_lp_ipmodify
$(lp_load_log $MOD_A)
$(unpatching_log $MOD_A)
% rmmod $MOD_A
% rmmod $TARGET
$TARGET: exit"

# The symbol is there, but ftrace has no call site in it to hook: the
# patch is bound to the module, and fails only where it is applied.
start_test "a function ftrace cannot hook, in a module loaded later"
target_refused_under mod_notrace
check_result "% modprobe $MOD case=mod_notrace
$(patching_log $MOD)
% modprobe $TARGET
livepatch: applying patch '$MOD' to loading module '$TARGET'
livepatch: failed to find location for function 'test_lp_target_untraced'
livepatch: failed to apply patch '$MOD' to module '$TARGET' (-22)
livepatch: patch '$MOD' failed for module '$TARGET', refusing to load module '$TARGET'
modprobe: ERROR: could not insert '$TARGET': Invalid argument
$(unpatching_log $MOD)
% rmmod $MOD"

start_test "enabling an enabled patch again: EINVAL, the patch stays"
load_mod test_lp_target
load_lp $MOD case=enable_twice
assert_sysfs "$MOD/enabled" 1
assert_eq "test_lp_target's a" $MOD "$(value_of /sys/module/test_lp_target/parameters/a)"
disable_lp $MOD
unload_lp $MOD
unload_mod test_lp_target
# The second call's two lines come after the transition started; whether
# before or after it completed (in a worker) is up to the scheduler.
got=$(new_log_lines)
refusal="livepatch: patch '$MOD' is already enabled"
again="$MOD: enabling the patch again: -22"
[[ $got == *"$refusal"$'\n'*"$again"$'\n'* ]] ||
	fail_case "no refusal of the second klp_enable_patch() in:"$'\n'"$got"
got=${got/"$refusal"$'\n'/}
compare_log "% modprobe $TARGET
$TARGET: init, a: original
% modprobe $MOD case=enable_twice
$(patching_started_log $MOD)
$(transition_done_log $MOD patching)
$(unpatching_log $MOD)
% rmmod $MOD
% rmmod $TARGET
$TARGET: exit" "${got/"$again"$'\n'/}"

start_test "enabling or disabling a patch during a transition: EBUSY"
load_lp $MOD_A
load_mod $TARGET hold=1
wait_for "file_is /sys/module/$TARGET/parameters/sleeping Y" ||
	fail_case "the kthread of $TARGET did not go to sleep"
load_lp_nowait $REPLACE sleep=1
let_retries_run
assert_sysfs "$REPLACE/transition" 1
load_failing_mod $MOD_B
assert_absent "$KLP_SYSFS/$MOD_B"
assert_absent "/sys/module/$MOD_B"
write_fails "$KLP_SYSFS/$MOD_A/enabled" 0 "Device or resource busy"
assert_sysfs "$MOD_A/enabled" 1
write_fails "$KLP_SYSFS/$REPLACE/enabled" 1 "Invalid argument"
assert_sysfs "$REPLACE/transition" 1
set_target_hold 0
wait_transition $REPLACE
wait_for "[[ ! -e $KLP_SYSFS/$MOD_A ]]" || fail_case "$MOD_A was not replaced"
disable_lp $REPLACE
unload_lp $REPLACE
unload_lp $MOD_A
unload_mod $TARGET
check_result "% modprobe $MOD_A
$(patching_log $MOD_A)
% modprobe $TARGET hold=1
livepatch: applying patch '$MOD_A' to loading module '$TARGET'
$TARGET: init, a: $MOD_A
% modprobe $REPLACE sleep=1
$(patching_started_log $REPLACE)
% modprobe $MOD_B
modprobe: ERROR: could not insert '$MOD_B': Device or resource busy
% echo 0 > $KLP_SYSFS/$MOD_A/enabled
% echo 1 > $KLP_SYSFS/$REPLACE/enabled
% echo 0 > /sys/module/$TARGET/parameters/hold
$(transition_done_log $REPLACE patching)
$(unpatching_log $REPLACE)
% rmmod $REPLACE
% rmmod $MOD_A
% rmmod $TARGET
$TARGET: exit"

start_test "sysfs writes that make no sense: EINVAL"
load_lp $MOD_A
write_fails "$KLP_SYSFS/$MOD_A/enabled" 1 "Invalid argument"
write_fails "$KLP_SYSFS/$MOD_A/enabled" garbage "Invalid argument"
write_fails "$KLP_SYSFS/$MOD_A/force" 1 "Invalid argument"
write_fails "$KLP_SYSFS/$MOD_A/force" garbage "Invalid argument"
assert_sysfs "$MOD_A/enabled" 1
assert_sysfs "$MOD_A/transition" 0
disable_lp $MOD_A
unload_lp $MOD_A
check_result "% modprobe $MOD_A
$(patching_log $MOD_A)
% echo 1 > $KLP_SYSFS/$MOD_A/enabled
% echo garbage > $KLP_SYSFS/$MOD_A/enabled
% echo 1 > $KLP_SYSFS/$MOD_A/force
% echo garbage > $KLP_SYSFS/$MOD_A/force
$(unpatching_log $MOD_A)
% rmmod $MOD_A"

exit 0
