#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Every module of samples/livepatch loads and behaves as its header
# comment says, so that none of them rots.

. "$(dirname "$0")"/functions.sh

setup_config
# Patches first: a module stays while a patch covers it.
trap 'exit_cleanup livepatch_sets_kernel_v2 livepatch_sets_vendor livepatch_sets_kernel livepatch_sample livepatch_conflict_cumulative livepatch_conflict_overlap livepatch_conflict_hotfix livepatch_callbacks_demo livepatch_callbacks_mod livepatch_callbacks_busymod livepatch_shadow_fix2 livepatch_shadow_fix1 livepatch_shadow_mod' EXIT INT TERM HUP

want_log()
{
	case_log_has "$1" || fail_case "no kernel log line with: $1"
}

start_test "livepatch-sample patches /proc/cmdline"
orig=$(value_of /proc/cmdline)
load_lp livepatch_sample
assert_eq "/proc/cmdline" "this has been live patched" "$(value_of /proc/cmdline)"
disable_lp livepatch_sample
unload_lp livepatch_sample
assert_eq "/proc/cmdline after" "$orig" "$(value_of /proc/cmdline)"
pass_case

start_test "conflict samples: hot fix accepted, overlap refused, cumulative replaces"
load_lp livepatch_sample
load_lp livepatch_conflict_hotfix
assert_eq "/proc/version" "Linux version patched by livepatch-conflict-hotfix" \
	"$(value_of /proc/version)"
load_failing_mod livepatch_conflict_overlap
assert_absent "$KLP_SYSFS/livepatch_conflict_overlap"
want_log "livepatch: Function 'cmdline_proc_show,1' in object 'vmlinux' has already been livepatched."
want_log "is patched by 'livepatch_sample'"
load_lp livepatch_conflict_cumulative
wait_for "[[ ! -e $KLP_SYSFS/livepatch_sample && ! -e $KLP_SYSFS/livepatch_conflict_hotfix ]]" ||
	fail_case "the replaced patches are still there"
assert_eq "/proc/cmdline" "patched by livepatch-conflict-cumulative" "$(value_of /proc/cmdline)"
unload_lp livepatch_sample
unload_lp livepatch_conflict_hotfix
disable_lp livepatch_conflict_cumulative
unload_lp livepatch_conflict_cumulative
# Alone, the overlapping sample is an ordinary patch.
load_lp livepatch_conflict_overlap
assert_eq "/proc/cmdline" "patched by livepatch-conflict-overlap" "$(value_of /proc/cmdline)"
disable_lp livepatch_conflict_overlap
unload_lp livepatch_conflict_overlap
pass_case

start_test "replace-set samples: each team upgrades its own set"
load_lp livepatch_sets_kernel
load_failing_mod livepatch_sets_vendor overreach=1
assert_absent "$KLP_SYSFS/livepatch_sets_vendor"
want_log "is patched by 'livepatch_sets_kernel' of replace set 1: only a patch of that set may change it."
load_lp livepatch_sets_vendor
assert_sysfs livepatch_sets_kernel/replace_set 1
assert_sysfs livepatch_sets_vendor/replace_set 2
load_lp livepatch_sets_kernel_v2
wait_replaced livepatch_sets_kernel
assert_eq "/proc/cmdline" "patched by the kernel team, version 2" "$(value_of /proc/cmdline)"
assert_eq "/proc/version" "Linux version patched by the vendor team" "$(value_of /proc/version)"
unload_lp livepatch_sets_kernel
disable_lp livepatch_sets_vendor
disable_lp livepatch_sets_kernel_v2
unload_lp livepatch_sets_vendor
unload_lp livepatch_sets_kernel_v2
pass_case

start_test "callbacks demo with its target modules"
load_mod livepatch_callbacks_mod
load_lp livepatch_callbacks_demo
want_log "livepatch_callbacks_demo: demo_pre_patch: vmlinux"
want_log "livepatch_callbacks_demo: demo_pre_patch: livepatch_callbacks_mod (live)"
want_log "livepatch_callbacks_demo: demo_post_patch: vmlinux"
load_mod livepatch_callbacks_busymod sleep_secs=1
want_log "livepatch_callbacks_demo: demo_pre_patch: livepatch_callbacks_busymod (coming)"
wait_for "case_log_has 'patched work function, not sleeping'" ||
	fail_case "the busy module did not run the patched work function"
unload_mod livepatch_callbacks_mod
want_log "livepatch_callbacks_demo: demo_post_unpatch: livepatch_callbacks_mod (going)"
disable_lp livepatch_callbacks_demo
want_log "livepatch_callbacks_demo: demo_pre_unpatch: vmlinux"
want_log "livepatch_callbacks_demo: demo_post_unpatch: livepatch_callbacks_busymod (live)"
unload_lp livepatch_callbacks_demo
unload_mod livepatch_callbacks_busymod
pass_case

start_test "callbacks demo: a failing pre_patch refuses the patch"
load_failing_mod livepatch_callbacks_demo pre_patch_ret=-19
assert_absent "$KLP_SYSFS/livepatch_callbacks_demo"
want_log "livepatch: pre-patch callback failed for object 'vmlinux'"
pass_case

start_test "shadow samples: fix1 stops the leak, cumulative fix2 takes over"
load_mod livepatch_shadow_mod
wait_for "case_log_has 'created a widget, label leaked'" ||
	fail_case "the leaky module creates no widgets"
load_lp livepatch_shadow_fix1
wait_for "case_log_has 'label kept in a shadow variable'" ||
	fail_case "fix1 is not creating widgets"
wait_for "case_log_has 'destroyed a widget and its label'" ||
	fail_case "fix1 is not freeing labels"
load_lp livepatch_shadow_fix2
wait_for "[[ ! -e $KLP_SYSFS/livepatch_shadow_fix1 ]]" ||
	fail_case "fix2 did not replace fix1"
unload_lp livepatch_shadow_fix1
wait_for "case_log_has 'destroyed a widget checked'" ||
	fail_case "fix2 is not counting checks"
disable_lp livepatch_shadow_fix2
unload_lp livepatch_shadow_fix2
unload_mod livepatch_shadow_mod
pass_case

exit 0
