#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Enable and disable a livepatch over and over while many tasks call the
# functions it replaces.
#
# test_lp_trans_stress has kthreads on every CPU, and this script starts
# user processes that read /proc/test_lp_trans_stress, all calling a
# dependent pair of functions and their caller in tight loops;
# test_lp_trans_stress_patch replaces the three together.  Every call
# checks that it ran either all old or all new code; the module counts
# the calls that did not ("mismatches"), which must stay 0.  One cycle in
# five reverses the patching transition, one the unpatching transition,
# while a kthread of the module holds it open (waiting inside the pair)
# and the other tasks switch; one more has test_lp_trans_stress_replace
# (version 3, an atomic replace) take the three functions over.  Every
# enable and disable rewrites the call sites of the three functions while
# the tasks run through them.
#
# vmtest: single-threaded TCG
# (check.sh runs this script in a guest whose vCPUs share one host
# thread: QEMU's multi-threaded TCG can leave a vCPU on a stale
# translation of a call site that another vCPU rewrites, and the guest
# hangs or oopses on the int3 left there, with upstream's core as with
# ours.)
#
# STRESS_CYCLES (default 300) and STRESS_SECONDS (default 6, 10 on the
# debug kernel) bound the number of cycles and the time they may take,
# whichever comes first; "make soak" runs thousands of cycles.  Whatever
# the time, the loop runs MIN_CYCLES cycles: a slow machine takes longer,
# it does not test less.
# The transition times printed are those of the plain cycles: from the
# return of modprobe to transition 0, and from "echo 0 > enabled" to the
# patch's sysfs directory gone.

. "$(dirname "$0")"/functions.sh

TARGET=test_lp_trans_stress
PATCH=test_lp_trans_stress_patch
REPLACE=test_lp_trans_stress_replace
PARAMS=/sys/module/$TARGET/parameters
PROC_FILE=/proc/$TARGET
MAX_CYCLES=${STRESS_CYCLES:-300}
TIME_BUDGET=${STRESS_SECONDS:-6}
# The debug kernel needs about 2 s a cycle.
[[ -n ${VMTEST_DEBUG:-} ]] && TIME_BUDGET=${STRESS_SECONDS:-10}
NR_READERS=3
# At least one cycle of each kind, however slow the machine.
MIN_CYCLES=4

# --- helpers --------------------------------------------------------------------

# A user process calling the pair through read() as fast as it can.
# shellcheck disable=SC2317  # run in the background
reader()
{
	while read -r _ <"$PROC_FILE"; do
		:
	done
}

# stats NAME VALUES... - "NAME: min/avg/max X/Y/Z ms (N)" of values in us
stats()
{
	local name=$1 min max sum=0 v; shift

	min=$1 max=$1
	for v in "$@"; do
		((v < min)) && min=$v
		((v > max)) && max=$v
		sum=$((sum + v))
	done
	printf '%s: min/avg/max %d.%03d/%d.%03d/%d.%03d ms (%d transitions)\n' \
		"$name" $((min / 1000)) $((min % 1000)) \
		$((sum / $# / 1000)) $((sum / $# % 1000)) \
		$((max / 1000)) $((max % 1000)) $#
}

load_stress_patch()
{
	fast_modprobe $PATCH || fail_case "cycle $cycle: cannot load $PATCH"
	[[ -e $KLP_SYSFS/$PATCH ]] || fail_case "cycle $cycle: no $KLP_SYSFS/$PATCH"
}

# remove_cycle_mod MOD - remove a patch module once it is released
remove_cycle_mod()
{
	poll "file_is /sys/module/$1/refcnt 0" 10 ||
		fail_case "cycle $cycle: $1 is still in use"
	fast_rmmod "$1" || fail_case "cycle $cycle: cannot remove $1"
}

# write_attr ATTR VALUE - write the patch's sysfs attribute
write_attr()
{
	echo "$2" >"$KLP_SYSFS/$PATCH/$1" ||
		fail_case "cycle $cycle: cannot write $2 to $1"
}

# Make the holder kthread wait inside the pair, and let it go.
hold_pair()
{
	echo 1 >"$PARAMS/hold" || die "cannot set hold"
	poll "file_is $PARAMS/holding 1" 10 || fail_case "the holder does not hold"
}

release_pair()
{
	echo 0 >"$PARAMS/hold" || die "cannot clear hold"
}

# shellcheck disable=SC2317  # the exit trap
cleanup()
{
	stop_background
	[[ -d $PARAMS ]] && echo 0 >"$PARAMS/hold"
	teardown_mods "$REPLACE" "$PATCH"
	fast_rmmod "$TARGET" 2>/dev/null
	restore_config
}

setup_config
trap cleanup EXIT INT TERM HUP
# A hundred cycles would flood the kernel log: only the core's notices,
# and its reversals, which the checks count.
echo 'file kernel/livepatch/* -p' >/sys/kernel/debug/dynamic_debug/control
echo 'format reversing +p' >/sys/kernel/debug/dynamic_debug/control
dmesg_start=$(dmesg | wc -l)

# --- cases ------------------------------------------------------------------------

start_test "the patched pair runs old code, then new code, then old code"
load_mod $TARGET
wait_for "! file_is $PARAMS/calls_old 0" || fail_case "the kthreads do not call"
load_lp $PATCH
nap 0.2
old=$(param calls_old)
wait_for "((\$(param calls_new) > 1000))" || fail_case "no calls of the new code"
assert_eq "calls of the old code while patched" "$old" "$(param calls_old)"
disable_lp $PATCH
new=$(param calls_new)
wait_for "((\$(param calls_old) > old + 1000))" ||
	fail_case "no calls of the old code after unpatching"
assert_eq "calls of the new code after unpatching" "$new" "$(param calls_new)"
assert_eq mismatches 0 "$(param mismatches)"
unload_lp $PATCH
check_result "% modprobe $TARGET
% modprobe $PATCH
livepatch: enabling patch '$PATCH'
livepatch: '$PATCH': starting patching transition
livepatch: '$PATCH': patching complete
% echo 0 > $KLP_SYSFS/$PATCH/enabled
livepatch: '$PATCH': starting unpatching transition
livepatch: '$PATCH': unpatching complete
% rmmod $PATCH"

start_test "enabling, replacing and disabling the patch under load, $MAX_CYCLES times at most"
require_mod $PATCH
is_livepatch $PATCH || die "$PATCH is not a livepatch"
for ((i = 0; i < NR_READERS; i++)); do
	reader &
	BG_PIDS+=($!)
done
wait_for "((\$(param user_calls) > 1000))" || fail_case "the readers do not call"
enable_us=()
disable_us=()
plain=0
rev_patch=0
rev_unpatch=0
replaced=0
start=${EPOCHREALTIME//[!0-9]/}
for ((cycle = 0; cycle < MAX_CYCLES; cycle++)); do
	now=${EPOCHREALTIME//[!0-9]/}
	((cycle >= MIN_CYCLES && now - start > TIME_BUDGET * 1000000)) && break
	case $((cycle % 5)) in
	0 | 4)
		# Enable, wait, disable, wait.
		load_stress_patch
		t1=${EPOCHREALTIME//[!0-9]/}
		poll "file_is $KLP_SYSFS/$PATCH/transition 0" 30 ||
			fail_case "cycle $cycle: the patching transition did not complete"
		t2=${EPOCHREALTIME//[!0-9]/}
		write_attr enabled 0
		poll "[[ ! -e $KLP_SYSFS/$PATCH ]]" 30 ||
			fail_case "cycle $cycle: the unpatching transition did not complete"
		t3=${EPOCHREALTIME//[!0-9]/}
		enable_us+=($((t2 - t1)))
		disable_us+=($((t3 - t2)))
		plain=$((plain + 1))
		;;
	1)
		# The holder waits in the old pair: reverse the patching
		# transition while the other tasks switch.
		hold_pair
		load_stress_patch
		nap 0.05
		file_is "$KLP_SYSFS/$PATCH/transition" 1 ||
			fail_case "cycle $cycle: the holder did not hold the transition"
		write_attr enabled 0
		release_pair
		poll "[[ ! -e $KLP_SYSFS/$PATCH ]]" 30 ||
			fail_case "cycle $cycle: the reversed transition did not complete"
		rev_patch=$((rev_patch + 1))
		;;
	2)
		# The holder waits in the new pair: reverse the unpatching
		# transition, then disable again.
		load_stress_patch
		poll "file_is $KLP_SYSFS/$PATCH/transition 0" 30 ||
			fail_case "cycle $cycle: the patching transition did not complete"
		hold_pair
		write_attr enabled 0
		nap 0.05
		file_is "$KLP_SYSFS/$PATCH/transition" 1 ||
			fail_case "cycle $cycle: the holder did not hold the transition"
		write_attr enabled 1
		release_pair
		poll "file_is $KLP_SYSFS/$PATCH/transition 0" 30 ||
			fail_case "cycle $cycle: the reversed transition did not complete"
		file_is "$KLP_SYSFS/$PATCH/enabled" 1 ||
			fail_case "cycle $cycle: the patch is not enabled"
		write_attr enabled 0
		poll "[[ ! -e $KLP_SYSFS/$PATCH ]]" 30 ||
			fail_case "cycle $cycle: the unpatching transition did not complete"
		rev_unpatch=$((rev_unpatch + 1))
		;;
	3)
		# An atomic replace takes the three functions over, then goes.
		load_stress_patch
		poll "file_is $KLP_SYSFS/$PATCH/transition 0" 30 ||
			fail_case "cycle $cycle: the patching transition did not complete"
		modprobe $REPLACE || fail_case "cycle $cycle: cannot load $REPLACE"
		poll "file_is $KLP_SYSFS/$REPLACE/transition 0" 30 ||
			fail_case "cycle $cycle: the replace did not complete"
		poll "[[ ! -e $KLP_SYSFS/$PATCH ]]" 30 ||
			fail_case "cycle $cycle: $PATCH was not replaced"
		echo 0 >"$KLP_SYSFS/$REPLACE/enabled" ||
			fail_case "cycle $cycle: cannot disable $REPLACE"
		poll "[[ ! -e $KLP_SYSFS/$REPLACE ]]" 30 ||
			fail_case "cycle $cycle: the replace's unpatching did not complete"
		remove_cycle_mod $REPLACE
		replaced=$((replaced + 1))
		;;
	esac
	remove_cycle_mod $PATCH
done
elapsed=$((${EPOCHREALTIME//[!0-9]/} - start))
for pid in "${BG_PIDS[@]}"; do
	kill -0 "$pid" 2>/dev/null || fail_case "reader $pid died"
done
stop_background || fail_case "a reader did not stop"
assert_eq mismatches 0 "$(param mismatches)"
for counter in calls_old calls_new kthread_calls user_calls; do
	(($(param $counter) > 0)) || fail_case "$counter is 0"
done
# Every transition shows in the log: check that none went missing.
got=$(new_log_lines)
count_lines()
{
	grep -cxF -- "$1" <<<"$got"
}
assert_eq "patches enabled" "$cycle" \
	"$(count_lines "livepatch: enabling patch '$PATCH'")"
assert_eq "patching transitions completed" "$((plain + 2 * rev_unpatch + replaced))" \
	"$(count_lines "livepatch: '$PATCH': patching complete")"
assert_eq "unpatching transitions completed" "$((cycle - replaced))" \
	"$(count_lines "livepatch: '$PATCH': unpatching complete")"
for line in "enabling patch '$REPLACE'" "'$REPLACE': patching complete" \
	    "'$REPLACE': unpatching complete"; do
	assert_eq "$line" "$replaced" "$(count_lines "livepatch: $line")"
done
assert_eq "patching transitions reversed" "$rev_patch" \
	"$(count_lines "livepatch: '$PATCH': reversing transition from patching to unpatching")"
assert_eq "unpatching transitions reversed" "$rev_unpatch" \
	"$(count_lines "livepatch: '$PATCH': reversing transition from unpatching to patching")"
pass_case
echo "# $cycle cycles in $((elapsed / 1000000)).$((elapsed % 1000000 / 100000)) s:" \
	"$plain plain, $rev_patch with the patching and $rev_unpatch with the" \
	"unpatching transition reversed, $replaced atomic replaces"
echo "# calls: $(param calls_old) old, $(param calls_new) new," \
	"$(param mismatches) mismatched; $(param kthread_calls) by kthreads," \
	"$(param user_calls) by readers"
echo "# $(stats "patching, modprobe return to transition 0" "${enable_us[@]}")"
echo "# $(stats "unpatching, echo 0 to sysfs dir gone" "${disable_us[@]}")"

start_test "no kernel warnings"
unload_mod $TARGET
log_tail=$(dmesg | tail -n +"$((dmesg_start + 1))")
warnings=$(kernel_problems <<<"$log_tail"; grep mismatch <<<"$log_tail")
[[ -z $warnings ]] || fail_case "$warnings"
pass_case

exit 0
