#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# conflicts.sh - what the conflict tests (test-conflicts*.sh) share: their
# modules and helpers; sourced after functions.sh, then conflicts_setup.
#
# Patch modules: test_lp_conflict_p1, _p2 and _p3, one code base whose
# funcs= parameter says what to patch (see test_modules/test_lp_conflict.h).
# Target module: test_lp_conflict_target, whose parameters a, b and b_alias
# show which code its functions run.

# The scripts that source this file use what it sets.
# shellcheck disable=SC2034
P1=test_lp_conflict_p1
P2=test_lp_conflict_p2
P3=test_lp_conflict_p3
TARGET=test_lp_conflict_target
TPARAM=/sys/module/$TARGET/parameters
FUNC_A=test_lp_conflict_target_a
FUNC_B=test_lp_conflict_target_b
FUNC_B_ALIAS=test_lp_conflict_target_b_alias
FUNC_BUSY=test_lp_conflict_target_busy

# Leave no patch or module of ours behind when a case fails half-way.
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup()
{
	local m i

	if [[ -r $TPARAM/block && $(value_of "$TPARAM/block") == 1 ]]; then
		echo 0 >"$TPARAM/block"
	fi
	for ((i = 0; i < 50; i++)); do
		for m in $P3 $P2 $P1; do
			[[ -e $KLP_SYSFS/$m/enabled ]] &&
				echo 0 >"$KLP_SYSFS/$m/enabled" 2>/dev/null
		done
		[[ -e $KLP_SYSFS/$P1 || -e $KLP_SYSFS/$P2 ||
		   -e $KLP_SYSFS/$P3 ]] || break
		sleep 0.2
	done
	for m in $P3 $P2 $P1 $TARGET; do
		[[ -e /sys/module/$m ]] && fast_rmmod "$m" 2>/dev/null
	done
	restore_config
}

# What functions.sh logs for a modprobe that fails with errno text ERR.
modprobe_error()
{
	echo "modprobe: ERROR: could not insert '$1': $2"
}

# conflict_log FUNC,SYMPOS OBJECT OWNER - the core's refusal of a function
# that patch OWNER already changes.
conflict_log()
{
	echo "livepatch: Function '$1' in object '$2' has already been livepatched.
livepatch: Use cumulative livepatches for dependent changes.
livepatch: Function '$1' in object '$2' is patched by '$3': replace it with a cumulative patch or disable it first."
}

refcnt()
{
	value_of "/sys/module/$1/refcnt" 2>&1
}

# assert_gone MOD - nothing is left of patch module MOD.
assert_gone()
{
	assert_absent "$KLP_SYSFS/$1"
	assert_absent "/sys/module/$1"
}

# refused_load MOD OWNER [PARAMS...] - loading patch MOD must fail, leave
# nothing behind and not touch the patch module OWNER ("" for none).
refused_load()
{
	local mod=$1 owner=$2 before after; shift 2

	[[ -n $owner ]] && read_into before "/sys/module/$owner/refcnt"
	load_failing_mod "$mod" "$@"
	assert_gone "$mod"
	[[ -n $owner ]] || return 0
	read_into after "/sys/module/$owner/refcnt"
	assert_eq "refcnt of $owner after refusing $mod" "$before" "$after"
}

# assert_reads FILE EXPECTED - what reading FILE gives.
assert_reads()
{
	local v

	read_into v "$1"
	assert_eq "$1" "$2" "$v"
}

# check_result_except PATTERN EXPECTED - check_result, ignoring the log
# lines that match PATTERN (messages whose timing is not ours to choose).
check_result_except()
{
	local pattern=$1 expected=$2 got

	got=$(new_log_lines | grep -v -e "$pattern")
	compare_log "$expected" "$got"
}

# count_log_lines FIXED_STRING - how many new log lines contain it.
count_log_lines()
{
	new_log_lines | grep -cF -- "$1"
}

# kallsyms_addr NAME - the address of vmlinux symbol NAME ("" if absent).
kallsyms_addr()
{
	awk -v name="$1" '$3 == name && NF == 3 { print $1 }' /proc/kallsyms
}

# conflicts_setup - the tests' configuration, their clean-up on exit, and
# orig_version, what /proc/version says unpatched
conflicts_setup()
{
	local m

	setup_config
	trap cleanup EXIT INT TERM HUP
	for m in $P1 $P2 $P3 $TARGET; do
		require_mod "$m"
	done
	orig_version=$(value_of /proc/version)
}
