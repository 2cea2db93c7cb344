#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Kprobes beside livepatches.  ftrace lets one user per function change
# where the function returns to (IPMODIFY): a livepatch, or a kprobe with a
# post handler.  Whichever comes second is refused with -EBUSY.  A kprobe
# without a post handler needs no IPMODIFY and runs beside the patch.
# test_lp_kprobe probes cmdline_proc_show(), which test_lp_basic patches.
# The patched function is settled (its calls skip the handler, patch.c)
# when the kprobe comes or is refused: that changes nothing for ftrace.

. "$(dirname "$0")"/functions.sh

MOD=test_lp_basic
KPROBE=test_lp_kprobe
HITS=/sys/module/$KPROBE/parameters/hits

setup_config
trap 'exit_cleanup $MOD $KPROBE' EXIT INT TERM HUP

orig=$(value_of /proc/cmdline)

# hits_grow WHAT - reading /proc/cmdline runs the probe
hits_grow()
{
	local before after

	read_into before "$HITS"
	value_of /proc/cmdline >/dev/null
	read_into after "$HITS"
	((after > before)) || fail_case "$1: the probe did not run ($before, then $after)"
}

start_test "a kprobe with a post handler: a patch of its function is refused"
load_mod $KPROBE post_handler=1
load_failing_mod $MOD
assert_absent "$KLP_SYSFS/$MOD"
assert_eq "/proc/cmdline" "$orig" "$(value_of /proc/cmdline)"
hits_grow "after the refusal"
unload_mod $KPROBE
check_result "% modprobe $KPROBE post_handler=1
% modprobe $MOD
livepatch: enabling patch '$MOD'
livepatch: '$MOD': initializing patching transition
livepatch: failed to register ftrace handler for function 'cmdline_proc_show' (-16)
livepatch: failed to patch object 'vmlinux'
livepatch: failed to enable patch '$MOD'
livepatch: '$MOD': canceling patching transition, going to unpatch
livepatch: '$MOD': completing unpatching transition
livepatch: '$MOD': unpatching complete
modprobe: ERROR: could not insert '$MOD': Device or resource busy
% rmmod $KPROBE"

start_test "a patched function: a kprobe with a post handler is refused"
load_lp $MOD
assert_settled $MOD vmlinux cmdline_proc_show 1
load_failing_mod $KPROBE post_handler=1
assert_eq "/proc/cmdline" "$MOD: patched" "$(value_of /proc/cmdline)"
disable_lp $MOD
unload_lp $MOD
check_result "$(lp_load_log $MOD)
% modprobe $KPROBE post_handler=1
modprobe: ERROR: could not insert '$KPROBE': Device or resource busy
$(unpatching_log $MOD)
% rmmod $MOD"

start_test "a kprobe without a post handler lives beside the patch"
load_mod $KPROBE
load_lp $MOD
assert_eq "/proc/cmdline" "$MOD: patched" "$(value_of /proc/cmdline)"
hits_grow "patched, probe loaded first"
disable_lp $MOD
unload_lp $MOD
hits_grow "unpatched"
load_lp $MOD
unload_mod $KPROBE
assert_settled $MOD vmlinux cmdline_proc_show 1
assert_eq "/proc/cmdline" "$MOD: patched" "$(value_of /proc/cmdline)"
load_mod $KPROBE
assert_eq "/proc/cmdline" "$MOD: patched" "$(value_of /proc/cmdline)"
hits_grow "patched, probe loaded second"
unload_mod $KPROBE
assert_eq "/proc/cmdline" "$MOD: patched" "$(value_of /proc/cmdline)"
disable_lp $MOD
unload_lp $MOD
assert_eq "/proc/cmdline" "$orig" "$(value_of /proc/cmdline)"
check_result "% modprobe $KPROBE
$(lp_load_log $MOD)
$(unpatching_log $MOD)
% rmmod $MOD
$(lp_load_log $MOD)
% rmmod $KPROBE
% modprobe $KPROBE
% rmmod $KPROBE
$(unpatching_log $MOD)
% rmmod $MOD"

exit 0
