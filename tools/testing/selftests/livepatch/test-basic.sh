#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Patch a vmlinux function and look at it from user space and sysfs.

. "$(dirname "$0")"/functions.sh

MOD=test_lp_basic

setup_config
trap 'exit_cleanup test_lp_basic' EXIT INT TERM HUP

start_test "patching /proc/cmdline and undoing it"
orig=$(value_of /proc/cmdline)
load_lp $MOD
assert_eq "/proc/cmdline while patched" "$MOD: patched" "$(value_of /proc/cmdline)"
disable_lp $MOD
assert_eq "/proc/cmdline after disabling" "$orig" "$(value_of /proc/cmdline)"
unload_lp $MOD
check_result "% modprobe $MOD
$(patching_log $MOD)
$(unpatching_log $MOD)
% rmmod $MOD"

start_test "sysfs attributes, their modes and values"
load_lp $MOD
assert_mode "$MOD" drwxr-xr-x \
	"$MOD/enabled" -rw-r--r-- \
	"$MOD/transition" -r--r--r-- \
	"$MOD/force" --w------- \
	"$MOD/replace" -r--r--r-- \
	"$MOD/stack_order" -r--r--r-- \
	"$MOD/replace_set" -r--r--r-- \
	"$MOD/vmlinux/patched" -r--r--r--
assert_sysfs "$MOD/enabled" 1
assert_sysfs "$MOD/transition" 0
assert_sysfs "$MOD/replace" 0
assert_sysfs "$MOD/stack_order" 1
assert_sysfs "$MOD/replace_set" 0
assert_sysfs "$MOD/vmlinux/patched" 1
[[ -d $KLP_SYSFS/$MOD/vmlinux/cmdline_proc_show,1 ]] ||
	fail_case "no function directory cmdline_proc_show,1"
disable_lp $MOD
unload_lp $MOD
pass_case

exit 0
