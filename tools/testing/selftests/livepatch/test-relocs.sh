#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Livepatch relocations: a patch module reaches symbols it cannot link
# against (static data of a module, a vmlinux symbol that is not exported)
# through .klp.rela sections and SHN_LIVEPATCH symbols, as kpatch-built
# modules do.  test_lp_reloc is built with placeholders that klp-convert.py
# turns into that format.  The vmlinux section is applied when the patch
# module loads, the module's section when the target module is patched:
# at enable time, or when the target loads later.

. "$(dirname "$0")"/functions.sh

MOD=test_lp_reloc
TARGET=test_lp_reloc_target
ANSWER=/sys/module/$TARGET/parameters/answer
PATCHED="secret=1234 banner=Linux"

setup_config
trap 'exit_cleanup test_lp_reloc test_lp_reloc_target' EXIT INT TERM HUP

start_test "relocations to a loaded module and to vmlinux"
load_mod $TARGET
assert_eq "$ANSWER before" original "$(value_of $ANSWER)"
load_lp $MOD
assert_eq "$ANSWER while patched" "$PATCHED" "$(value_of $ANSWER)"
disable_lp $MOD
assert_eq "$ANSWER after" original "$(value_of $ANSWER)"
unload_lp $MOD
unload_mod $TARGET
check_result "% modprobe $TARGET
% modprobe $MOD
$(patching_log $MOD)
$(unpatching_log $MOD)
% rmmod $MOD
% rmmod $TARGET"

# The core undoes a module's relocations when it goes, so that it can
# come back: x86 refuses to relocate over a non-zero value, which made
# such a reload fail with Linux 6.1's core.
start_test "relocations to a module loaded after the patch, twice"
load_lp $MOD
load_mod $TARGET
assert_eq "$ANSWER while patched" "$PATCHED" "$(value_of $ANSWER)"
unload_mod $TARGET
load_mod $TARGET
assert_eq "$ANSWER after a reload" "$PATCHED" "$(value_of $ANSWER)"
unload_mod $TARGET
disable_lp $MOD
unload_lp $MOD
check_result "% modprobe $MOD
$(patching_log $MOD)
% modprobe $TARGET
livepatch: applying patch '$MOD' to loading module '$TARGET'
% rmmod $TARGET
livepatch: reverting patch '$MOD' on unloading module '$TARGET'
% modprobe $TARGET
livepatch: applying patch '$MOD' to loading module '$TARGET'
% rmmod $TARGET
livepatch: reverting patch '$MOD' on unloading module '$TARGET'
$(unpatching_log $MOD)
% rmmod $MOD"

exit 0
