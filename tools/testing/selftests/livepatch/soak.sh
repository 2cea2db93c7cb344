#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# soak.sh - livepatch operations in a loop, under load and random
# allocation failures, for a bounded time: "make soak" runs it in the
# debug kernel.
#
# Each cycle enables, replaces and disables patches of test_lp_target,
# reloads that module under an enabled patch and, every few cycles, runs a
# shadow-variable workout; these operations run with failslab and
# fail_page_alloc failing SOAK_FAULT_PERCENT percent of their allocations
# (the fault injection's task filter spares everything else).  Meanwhile
# test_lp_trans_stress's kthreads and user readers call a patched pair of
# functions, and test_lp_trans_stress_patch is enabled and disabled once
# per cycle without faults.  A cycle ends by winding everything down and
# checking the result:
#   - no patch left in sysfs, test_lp_target's functions back to their
#     original code, no transition stuck for SOAK_STUCK seconds;
#   - an operation that failed had a fault injected while it ran;
#   - the stress pair never ran a mix of old and new code;
#   - nothing in the kernel log that means a bug.
# Each violation is a finding, printed as it is found.  At the end, a
# kmemleak scan (debug kernel) and one line of figures: cycles, operations,
# faults injected and findings.  Exit status 0 when there were no findings.
#
# Before the loop, the load tests of "make check" run for much longer than
# there: test-stress.sh, the concurrent parts of test-races.sh and
# test-hostile.sh, and test-conflicts-races.sh's concurrent loads; a test that
# fails is a finding.  They take about a quarter of SOAK_MINUTES.  Then
# test-transition.sh, with the core's default signal period (15 s, where
# make check waits 3).
#
# SOAK_MINUTES (default 20) bounds the whole; SOAK_FAULT_PERCENT (default 2).

. "$(dirname "$0")"/functions.sh
# shellcheck source=faults.sh
. "$(dirname "$0")"/faults.sh

MINUTES=${SOAK_MINUTES:-20}
FAULT_PERCENT=${SOAK_FAULT_PERCENT:-2}
STUCK=${SOAK_STUCK:-120}
TARGET=test_lp_target
PATCHES=(test_lp_mod_a test_lp_mod_b test_lp_replace)
FAULT=test_lp_fault
SHADOW=test_lp_shadow
STRESS=test_lp_trans_stress
STRESS_PATCH=test_lp_trans_stress_patch
DEBUGFS=/sys/kernel/debug
ATTRS=(failslab fail_page_alloc)
# "times" counts down from here with every injected fault.
TIMES=1000000000
NR_READERS=2

cycles=0
operations=0
failed_with_fault=0
findings=0

finding()
{
	findings=$((findings + 1))
	echo "soak: cycle $cycles: FINDING: $*"
	log "soak: FINDING: $*"
}

# --- fault injection ------------------------------------------------------------------

setup_faults()
{
	local a

	for a in "${ATTRS[@]}"; do
		[[ -d $DEBUGFS/$a ]] ||
			die "no $DEBUGFS/$a: run in the debug kernel (make soak)"
		set_fault_attr "$DEBUGFS/$a/task-filter" Y
		set_fault_attr "$DEBUGFS/$a/probability" "$FAULT_PERCENT"
		set_fault_attr "$DEBUGFS/$a/interval" 1
		set_fault_attr "$DEBUGFS/$a/times" $TIMES
	done
	fail_every_allocation 0 || die "cannot set the fault-injection attributes"
}

faults_injected()
{
	local a n sum=0

	for a in "${ATTRS[@]}"; do
		read -r n <"$DEBUGFS/$a/times"
		sum=$((sum + TIMES - n))
	done
	echo "$sum"
}

# faulty COMMAND - run the shell COMMAND in a task whose allocations may
# fail (its children inherit that).  A failure is a finding unless a fault
# was injected meanwhile.
faulty()
{
	local before rc

	operations=$((operations + 1))
	before=$(faults_injected)
	bash -c 'echo 1 >/proc/self/make-it-fail && eval "$1"' soak "$1" \
		>/dev/null 2>&1
	rc=$?
	((rc == 0)) && return 0
	if (($(faults_injected) == before)); then
		finding "'$1' failed ($rc) with no fault injected"
	else
		failed_with_fault=$((failed_with_fault + 1))
	fi
	return 1
}

# Without faults: a failure is a finding.
must()
{
	operations=$((operations + 1))
	"$@" >/dev/null 2>&1 && return 0
	finding "'$*' failed"
	return 1
}

write_file()
{
	echo "$2" >"$1"
}

# --- state -------------------------------------------------------------------------------

transitions_done()
{
	poll "! grep -qx 1 $KLP_SYSFS/*/transition 2>/dev/null" "$STUCK" ||
		finding "a transition stuck for ${STUCK}s: $(grep -l 1 $KLP_SYSFS/*/transition)"
}

# Disable and unload every patch of the cycle, without faults.
wind_down()
{
	local m

	transitions_done
	for m in "${PATCHES[@]}" $FAULT; do
		[[ -e $KLP_SYSFS/$m ]] && must write_file "$KLP_SYSFS/$m/enabled" 0
	done
	transitions_done
	wait_for "[[ -z \$(ls $KLP_SYSFS | grep -v $STRESS_PATCH) ]]" ||
		finding "patches left: $(ls $KLP_SYSFS)"
	for m in "${PATCHES[@]}" $FAULT; do
		[[ -e /sys/module/$m ]] && must rmmod "$m"
	done
}

check_cycle()
{
	local f v

	[[ -e /sys/module/$TARGET ]] || must modprobe $TARGET
	for f in a b; do
		read -r v <"/sys/module/$TARGET/parameters/$f"
		[[ $v == original ]] || finding "$TARGET's $f runs $v's code"
	done
	read -r v <"/sys/module/$STRESS/parameters/mismatches"
	[[ $v == 0 ]] || finding "$v calls of the stress pair mixed old and new code"
	scan_kmsg
}

# Read the kernel log since the last call; what means a bug is a finding.
scan_kmsg()
{
	read_kmsg || finding "the kernel log could not be read"
	((KMSG_LOST)) && finding "the kernel log overflowed: records were lost"
	kmsg_problems
	[[ -z $PROBLEMS ]] || finding "the kernel logged: $PROBLEMS"
}

# --- one cycle -------------------------------------------------------------------------

# Random patches of test_lp_target, a replace now and then; some disabled
# under faults.
patch_step()
{
	local m

	for m in "${PATCHES[@]}"; do
		((RANDOM % 3)) || continue
		faulty "modprobe $m"
		transitions_done
	done
	for m in "${PATCHES[@]}"; do
		[[ -e $KLP_SYSFS/$m ]] && ((RANDOM % 2)) &&
			faulty "echo 0 >$KLP_SYSFS/$m/enabled"
	done
	transitions_done
}

# test_lp_target goes and comes back, under faults, while a patch covers it.
module_step()
{
	local v

	must modprobe test_lp_mod_a
	transitions_done
	must rmmod $TARGET
	if faulty "modprobe $TARGET"; then
		read -r v <"/sys/module/$TARGET/parameters/a"
		[[ $v == test_lp_mod_a ]] ||
			finding "$TARGET loaded under test_lp_mod_a runs $v's code"
	fi
}

shadow_step()
{
	faulty "modprobe $FAULT shadow_nth=$((RANDOM % 3 + 1))"
	must modprobe $SHADOW test=many count=20000
	scan_kmsg
	printf '%s\n' "${KMSG[@]}" | grep -q "$SHADOW: test many: passed" ||
		finding "$SHADOW test=many did not pass"
	must rmmod $SHADOW
}

stress_step()
{
	must modprobe $STRESS_PATCH && transitions_done
	must write_file "$KLP_SYSFS/$STRESS_PATCH/enabled" 0
	wait_for "[[ ! -e $KLP_SYSFS/$STRESS_PATCH ]]" ||
		finding "$STRESS_PATCH was not removed"
	must rmmod $STRESS_PATCH
}

# --- the load tests of make check, for longer ----------------------------------------

# long_runs SECONDS - run the load tests for about SECONDS in all; a
# failure, or a kernel problem while they run, is a finding
long_runs()
{
	# No shorter than make check's runs.
	local each=$(($1 / 4 < 30 ? 30 : $1 / 4)) t script rc

	for t in "STRESS_SECONDS=$each STRESS_CYCLES=1000000 test-stress.sh" \
		 "DURATION=$each DURATION_DEBUG=$each test-races.sh" \
		 "DURATION=$each DURATION_DEBUG=$each test-hostile.sh" \
		 "RACE_ROUNDS=$((each / 3 + 8)) test-conflicts-races.sh" \
		 "TRANSITION_SIGNAL_PERIOD=15 test-transition.sh"; do
		script=${t##* }
		echo "soak: $t"
		# shellcheck disable=SC2086 # the assignments are words
		(cd "$(dirname "$0")" && env ${t% *} "./$script")
		rc=$?
		((rc == 0)) || finding "$script failed ($rc)"
		scan_kmsg
	done
}

# --- main --------------------------------------------------------------------------------

reader()
{
	while read -r _ <"/proc/$STRESS"; do
		:
	done
}

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup()
{
	stop_background
	restore_fault_attrs
	teardown_mods "${PATCHES[@]}" $FAULT $SHADOW $STRESS_PATCH $STRESS $TARGET
	restore_config
}

setup_config
trap cleanup EXIT INT TERM HUP
# Only the core's notices: a thousand cycles of debug messages would bury
# the log.
echo 'file kernel/livepatch/* -p' >/sys/kernel/debug/dynamic_debug/control
for m in $TARGET "${PATCHES[@]}" $FAULT $SHADOW $STRESS $STRESS_PATCH; do
	require_mod "$m"
done
kmsg_open
long_runs $((MINUTES * 15))
# The loop gets the rest of the time.
MINUTES=$((MINUTES - MINUTES / 4))
setup_faults
modprobe $TARGET || die "cannot load $TARGET"
modprobe $STRESS || die "cannot load $STRESS"
for ((i = 0; i < NR_READERS; i++)); do
	reader &
	BG_PIDS+=($!)
done

echo "soak: $MINUTES min, $FAULT_PERCENT% of the operations' allocations fail"
start=$(date +%s)
end=$((start + MINUTES * 60))
while (($(date +%s) < end)); do
	cycles=$((cycles + 1))
	patch_step
	wind_down
	module_step
	wind_down
	((cycles % 5)) || { shadow_step; wind_down; }
	stress_step
	check_cycle
	((cycles % 20)) ||
		echo "soak: $cycles cycles, $(($(date +%s) - start)) s, $(faults_injected) faults injected, $findings findings"
done
elapsed=$(($(date +%s) - start))
injected=$(faults_injected)
restore_fault_attrs

leaks=$(kmemleak_report)
[[ -z $leaks ]] || finding "kmemleak: $(head -n 40 <<<"$leaks")"

echo "soak: $cycles cycles in $((elapsed / 60)) min $((elapsed % 60)) s: $operations operations," \
	"$failed_with_fault of them failed under the $injected faults injected; findings: $findings"
((findings == 0))
