#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Livepatch relocations: a patch module reaches symbols it cannot link
# against (static data of a module, a vmlinux symbol that is not exported)
# through .klp.rela sections and SHN_LIVEPATCH symbols, as kpatch-built
# modules do.  test_lp_reloc is built with placeholders that klp-convert.py
# turns into that format.  The vmlinux section is applied when the patch
# module loads, the module's section when the target module is patched:
# at enable time, or when the target loads later.  The test_lp_reloc_<case>
# patches reach a static variable that test_lp_twins_target has twice, by
# its position among the symbols of that name (test_lp_reloc_twin.h).

. "$(dirname "$0")"/functions.sh

MOD=test_lp_reloc
TARGET=test_lp_reloc_target
ANSWER=/sys/module/$TARGET/parameters/answer
PATCHED="secret=1234 banner=Linux"
TWINS=test_lp_twins_target
TWIN_ONE=/sys/module/$TWINS/parameters/one
TWIN_SYM="symbol 'test_lp_twin_file'"

setup_config
trap 'exit_cleanup test_lp_reloc test_lp_reloc_target test_lp_reloc_sympos \
	test_lp_reloc_ambiguous test_lp_reloc_nopos test_lp_reloc_unknown $TWINS' \
	EXIT INT TERM HUP

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

start_test "a relocation to the second of two same-named variables"
load_mod $TWINS
load_lp test_lp_reloc_sympos
assert_eq "$TWIN_ONE" two "$(value_of "$TWIN_ONE")"
disable_lp test_lp_reloc_sympos
assert_eq "$TWIN_ONE unpatched" original "$(value_of "$TWIN_ONE")"
unload_lp test_lp_reloc_sympos
unload_mod $TWINS
load_lp test_lp_reloc_sympos
load_mod $TWINS
assert_eq "$TWIN_ONE patched on load" two "$(value_of "$TWIN_ONE")"
unload_mod $TWINS
disable_lp test_lp_reloc_sympos
unload_lp test_lp_reloc_sympos
check_result "% modprobe $TWINS
$(lp_load_log test_lp_reloc_sympos)
$(unpatching_log test_lp_reloc_sympos)
% rmmod test_lp_reloc_sympos
% rmmod $TWINS
$(lp_load_log test_lp_reloc_sympos)
% modprobe $TWINS
livepatch: applying patch 'test_lp_reloc_sympos' to loading module '$TWINS'
% rmmod $TWINS
livepatch: reverting patch 'test_lp_reloc_sympos' on unloading module '$TWINS'
$(unpatching_log test_lp_reloc_sympos)
% rmmod test_lp_reloc_sympos"

# refused_reloc MOD ERROR - with the target loaded, patch MOD is refused;
# ERROR is the core's line about the relocation it cannot resolve.  Adds
# the transcript to REFUSED.
refused_reloc()
{
	load_failing_mod "$1"
	assert_absent "$KLP_SYSFS/$1"
	assert_absent "/sys/module/$1"
	REFUSED+="% modprobe $1
livepatch: $2
modprobe: ERROR: could not insert '$1': Invalid argument
"
}

start_test "unresolvable relocations refuse the patch"
REFUSED=
load_mod $TWINS
refused_reloc test_lp_reloc_ambiguous \
	"unresolvable ambiguity for $TWIN_SYM in object '$TWINS'"
refused_reloc test_lp_reloc_nopos \
	"symbol position 3 for $TWIN_SYM in object '$TWINS' not found"
refused_reloc test_lp_reloc_unknown \
	"symbol 'test_lp_twin_none' not found in symbol table"
assert_eq "$TWIN_ONE" original "$(value_of "$TWIN_ONE")"
unload_mod $TWINS
check_result "% modprobe $TWINS
$REFUSED% rmmod $TWINS"

# Patched first, the target is refused: the patch's code would read
# through the relocation it could not apply.
start_test "an unresolvable relocation refuses the module it is for"
load_lp test_lp_reloc_ambiguous
load_failing_mod $TWINS
assert_absent "/sys/module/$TWINS"
assert_sysfs "test_lp_reloc_ambiguous/$TWINS/patched" 0
disable_lp test_lp_reloc_ambiguous
unload_lp test_lp_reloc_ambiguous
check_result "$(lp_load_log test_lp_reloc_ambiguous)
% modprobe $TWINS
livepatch: unresolvable ambiguity for $TWIN_SYM in object '$TWINS'
livepatch: failed to initialize patch 'test_lp_reloc_ambiguous' for module '$TWINS' (-22)
livepatch: patch 'test_lp_reloc_ambiguous' failed for module '$TWINS', refusing to load module '$TWINS'
modprobe: ERROR: could not insert '$TWINS': Invalid argument
$(unpatching_log test_lp_reloc_ambiguous)
% rmmod test_lp_reloc_ambiguous"

exit 0
