#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Linux 6.1's own samples/livepatch modules, built unmodified as external
# modules (vmtest.sh installs them under extra/upstream-samples), must load
# and work on our core, except where they stack two non-cumulative patches
# on one function, which our core refuses by design.

. "$(dirname "$0")"/functions.sh

DIR=/lib/modules/$(uname -r)/extra/upstream-samples

setup_config
# Patches first: a module stays while a patch covers it.
trap 'exit_cleanup livepatch_sample livepatch_callbacks_demo livepatch_callbacks_mod livepatch_callbacks_busymod livepatch_shadow_fix2 livepatch_shadow_fix1 livepatch_shadow_mod' EXIT INT TERM HUP
[[ -d $DIR ]] || skip "upstream samples not installed in $DIR"

# insmod by path: our own samples have the same module names.
insmod_sample()
{
	log "% insmod $1.ko $2"
	# shellcheck disable=SC2086 # $2: optional module parameters
	insmod "$DIR/$1.ko" $2 || die "insmod $1 failed"
}

# Kernel log lines since start_test that contain $1.
log_with()
{
	case_log | grep -F -- "$1"
}

start_test "upstream livepatch-sample patches /proc/cmdline"
orig=$(value_of /proc/cmdline)
insmod_sample livepatch-sample
wait_transition livepatch_sample
assert_eq "/proc/cmdline" "this has been live patched" "$(value_of /proc/cmdline)"
disable_lp livepatch_sample
unload_mod livepatch_sample
assert_eq "/proc/cmdline after" "$orig" "$(value_of /proc/cmdline)"
pass_case

start_test "upstream callbacks demo with its target modules"
insmod_sample livepatch-callbacks-mod
insmod_sample livepatch-callbacks-demo
wait_transition livepatch_callbacks_demo
insmod_sample livepatch-callbacks-busymod "sleep_secs=0"
disable_lp livepatch_callbacks_demo
unload_mod livepatch_callbacks_demo
unload_mod livepatch_callbacks_busymod
unload_mod livepatch_callbacks_mod
got=$(log_with 'callback')
for want in "pre_patch_callback: vmlinux" "post_patch_callback: vmlinux" \
	    "pre_patch_callback: livepatch_callbacks_mod -> [MODULE_STATE_LIVE] Normal state" \
	    "pre_patch_callback: livepatch_callbacks_busymod -> [MODULE_STATE_COMING] Full formed, running module_init" \
	    "pre_unpatch_callback: vmlinux" "post_unpatch_callback: vmlinux"; do
	grep -qF -- "livepatch_callbacks_demo: $want" <<<"$got" ||
		fail_case "missing callback line '$want' in:"$'\n'"$got"
done
pass_case

# Upstream's livepatch-shadow-mod leaks an int with every widget it makes
# unless livepatch-shadow-fix1 is in place: that leak is what the sample
# demonstrates.  Patched before the module makes its first widget, and
# until it has freed its last (fix1 frees the saved ints with the widgets),
# it leaks nothing, which kmemleak checks after the last test of a debug
# run.
start_test "upstream shadow fix1 works; fix2 stacks on it and is refused"
insmod_sample livepatch-shadow-fix1
wait_transition livepatch_shadow_fix1
insmod_sample livepatch-shadow-mod
wait_for "case_log_has 'livepatch_fix1_dummy_alloc: dummy @'" ||
	fail_case "fix1's dummy_alloc does not run"
log "% insmod livepatch-shadow-fix2.ko"
insmod "$DIR/livepatch-shadow-fix2.ko" 2>/dev/null &&
	fail_case "livepatch-shadow-fix2 loaded on top of fix1"
assert_absent "$KLP_SYSFS/livepatch_shadow_fix2"
case_log_has "Function 'dummy_free,1' in object 'livepatch_shadow_mod' has already been livepatched." ||
	fail_case "no conflict message for dummy_free"
unload_mod livepatch_shadow_mod
disable_lp livepatch_shadow_fix1
unload_mod livepatch_shadow_fix1
# On its own, fix2 is an ordinary patch.
insmod_sample livepatch-shadow-fix2
wait_transition livepatch_shadow_fix2
disable_lp livepatch_shadow_fix2
unload_mod livepatch_shadow_fix2
pass_case

exit 0
