#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Allocation failures.  Every fault-injection point (failslab and
# fail_page_alloc) reached while enabling a patch, replacing patches,
# disabling one, loading and unloading a module that an enabled patch
# covers and allocating shadow variables is failed once, one point at a
# time, through the task's fail-nth counter.  Each attempt must end in a
# clean error or in the right result, leave no sysfs entry, module or
# patched function behind and log no kernel problem; afterwards the same
# patch must work as if nothing had happened.  Leaks are kmemleak's to
# find: the guest scans for them after the last test (vmtest-init.sh), and
# each report carries the allocation's stack trace.
#
# The counter is armed around the call under test only: test_lp_fault arms
# it around its own klp_enable_patch() and shadow calls; fail_nth (a small
# helper next to this script) around one write(2), finit_module(2) or
# delete_module(2).  Both retry with the next point until the call
# succeeds, so one module load or helper run goes through many points; a
# failed attempt that left anything behind makes the next attempt fail
# without a fault (a sysfs name or a function still taken), which fails
# the case.  The state is checked after each run.  Needs
# CONFIG_FAULT_INJECTION, CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC and
# CONFIG_FAULT_INJECTION_DEBUG_FS: the debug kernel (vmtest.sh -c debug).
#
# The sweep of every point takes a quarter of an hour on the debug kernel
# under TCG: "make faults" runs it (FAULT_STEP=1).  "make check" fails a
# sample: every FAULT_STEP-th point (default 7), from a random first one
# (FAULT_FIRST, printed so that a failure can be repeated), so that runs
# cover different points.  A module's load goes through hundreds of
# points in the module loader for a few in the core: a sample takes every
# third of those, every (3 x FAULT_STEP)-th point.  Disabling, a module
# going and the shadow calls reach few points, and are swept whole either
# way.  The faults must reach
# the core where it allocates (enabling, replacing, shadow variables, and
# in a full sweep a module coming), and none may be injected in the core
# while it disables a patch or lets a module go: those paths allocate
# nothing, so they cannot fail for want of memory.
#
# vmtest: timeout 400

. "$(dirname "$0")"/functions.sh
# shellcheck source=faults.sh
. "$(dirname "$0")"/faults.sh

FAULT=test_lp_fault
TARGET=test_lp_target
OLD_P1=test_lp_conflict_p1
OLD_P1_FUNCS=version_proc_show,test_lp_conflict_target_a
FAIL_NTH=$(dirname "$(realpath "$0")")/fail_nth
DEBUGFS=/sys/kernel/debug
# Past this many points an operation is taken to loop forever.
MAX_POINTS=${MAX_POINTS:-3000}
STEP=${FAULT_STEP:-7}
LOAD_STEP=$((STEP == 1 ? 1 : 3 * STEP))
# FIRST picks the first point of the module load, and of the others
# the same one modulo STEP.
FIRST=${FAULT_FIRST:-$((RANDOM % LOAD_STEP + 1))}
LOAD_FIRST=$FIRST
FIRST=$(((FIRST - 1) % STEP + 1))
summaries=()
points_total=0
core_points_total=0

# --- fault injection set-up ---------------------------------------------------

# Every slab and page allocation may fail, not only those that cannot
# sleep; each failure is logged with a stack trace, so that the point can
# be named.
setup_faults()
{
	[[ -e /proc/thread-self/fail-nth ]] ||
		skip "no /proc/thread-self/fail-nth: kernel without CONFIG_FAULT_INJECTION"
	[[ -d $DEBUGFS/failslab && -d $DEBUGFS/fail_page_alloc ]] ||
		skip "needs CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC and CONFIG_FAULT_INJECTION_DEBUG_FS"
	[[ -x $FAIL_NTH ]] || skip "$FAIL_NTH is not built"
	fail_every_allocation 2 || skip "cannot set the fault-injection attributes"
}

# --- the kernel log ----------------------------------------------------------------

# Where the injected faults hit, one word per fault in SITES: the innermost
# livepatch-core frame of the fault's stack trace (function+offset), or
# "elsewhere" when the core is not on the stack (the module loader, sysfs,
# a target module's init...).
SITES=()

fault_sites()
{
	local line site=

	SITES=()
	for line in "${KMSG[@]}"; do
		if [[ $line == "FAULT_INJECTION: forcing a failure."* ]]; then
			[[ -n $site ]] && SITES+=("$site")
			site=elsewhere
		elif [[ $site == elsewhere && $line =~ ^\ (klp_[a-z0-9_]+|enabled_store|force_store)\+(0x[0-9a-f]+) ]]; then
			site=${BASH_REMATCH[1]}+${BASH_REMATCH[2]}
		fi
	done
	[[ -n $site ]] && SITES+=("$site")
	return 0
}

# Fail on kernel problems among the records just read.
check_kmsg_clean()
{
	kmsg_problems
	[[ -z $PROBLEMS ]] || fail_case "fault $1: the kernel logged: $PROBLEMS"
}

# --- state checks ----------------------------------------------------------------

# The checks run hundreds of times on a slow guest: they read files with
# the read builtin, without command substitutions and their forks.

# file_value VAR FILE - FILE's first line in VAR, or "(unreadable)"
file_value()
{
	read -r "$1" <"$2" 2>/dev/null || printf -v "$1" '(unreadable)'
}

# expect_file WHAT FILE VALUE
expect_file()
{
	local v

	file_value v "$2"
	assert_eq "$1" "$3" "$v"
}

# expect_values WHAT CMDLINE A B - what /proc/cmdline and test_lp_target's
# "a" and "b" read: which code runs ("original": unpatched)
expect_values()
{
	local what=$1 cmdline=$2

	[[ $cmdline == original ]] && cmdline=$ORIG_CMDLINE
	expect_file "$what: /proc/cmdline" /proc/cmdline "$cmdline"
	[[ -e /sys/module/$TARGET ]] || return 0
	expect_file "$what: $TARGET's a" /sys/module/$TARGET/parameters/a "$3"
	expect_file "$what: $TARGET's b" /sys/module/$TARGET/parameters/b "$4"
}

unpatched()
{
	expect_values "$1" original original original
}

patched()
{
	expect_values "$1" $FAULT $FAULT $FAULT
}

# expect_patches WHAT PATCH... - exactly these patches are in sysfs, enabled
# and out of transition
expect_patches()
{
	local what=$1 p got=() dir; shift

	for dir in "$KLP_SYSFS"/*; do
		[[ -e $dir ]] && got+=("${dir##*/}")
	done
	assert_eq "$what: patches in $KLP_SYSFS" "$*" "${got[*]}"
	for p in "$@"; do
		expect_file "$what: $p/enabled" "$KLP_SYSFS/$p/enabled" 1
		expect_file "$what: $p/transition" "$KLP_SYSFS/$p/transition" 0
	done
}

expect_unloaded()
{
	[[ ! -e /sys/module/$1 ]] || fail_case "$2: module $1 is still loaded"
}

# wait_file FILE VALUE - until FILE reads VALUE (or is gone, for VALUE "")
wait_file()
{
	if [[ -z $2 ]]; then
		poll "[[ ! -e $1 ]]" "$WAIT_LIMIT"
	else
		poll "file_is $1 $2" "$WAIT_LIMIT"
	fi
}

# --- runs of attempts ------------------------------------------------------------

# What the last run did: ATTEMPTS holds "n injected ret" per attempt, the
# last one successful; LAST_N and LAST_INJECTED describe that one.
ATTEMPTS=()
LAST_N=
LAST_INJECTED=

# attempts_from_module CALL - test_lp_fault's report lines for CALL
attempts_from_module()
{
	local line injected re="^fault ([0-9]+) (injected|not reached), returned (-?[0-9]+)$"

	ATTEMPTS=()
	for line in "${KMSG[@]}"; do
		[[ $line == "$FAULT: $1: "* ]] || continue
		[[ ${line#"$FAULT: $1: "} =~ $re ]] || continue
		injected=0
		[[ ${BASH_REMATCH[2]} == injected ]] && injected=1
		ATTEMPTS+=("${BASH_REMATCH[1]} $injected ${BASH_REMATCH[3]}")
	done
}

# attempts_from_helper OUTPUT - fail_nth's lines
attempts_from_helper()
{
	local line

	ATTEMPTS=()
	while read -r line; do
		[[ $line =~ ^n=([0-9]+)\ injected=([01])\ ret=(-?[0-9]+)$ ]] ||
			fail_case "fail_nth: unexpected output '$line'"
		ATTEMPTS+=("${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${BASH_REMATCH[3]}")
	done <<<"$1"
}

# account OP - check the run's attempts and the kernel log, count the points
account()
{
	local a n injected ret i

	((${#ATTEMPTS[@]})) || fail_case "$1: no attempt reported"
	for ((i = 0; i < ${#ATTEMPTS[@]}; i++)); do
		read -r n injected ret <<<"${ATTEMPTS[i]}"
		if ((i < ${#ATTEMPTS[@]} - 1)); then
			[[ $injected == 1 && $ret != 0 ]] ||
				fail_case "$1: attempt $n went on after '$injected $ret'"
		elif [[ $ret != 0 ]]; then
			fail_case "$1 #$n: failed ($ret) without a fault: left over from an earlier attempt?"
		fi
		[[ $injected == 1 ]] && points=$((points + 1))
	done
	LAST_N=$n
	LAST_INJECTED=$injected
	((n <= MAX_POINTS)) || fail_case "$1: more than $MAX_POINTS points"

	check_kmsg_clean "$1 #$n"
	fault_sites
	for a in "${SITES[@]}"; do
		[[ $a == elsewhere ]] && continue
		core_points=$((core_points + 1))
		core_sites[$a]=1
	done
}

declare -A core_sites

begin_op()
{
	points=0
	core_points=0
	core_sites=()
	read_kmsg_or_die
}

# end_op OP CORE - sum the operation up; CORE says whether faults must
# reach the core ("allocates"), may not ("allocates nothing"), or either
# ("may allocate")
end_op()
{
	local sites

	sites=$(printf '%s\n' "${!core_sites[@]}" | sort | tr '\n' ' ')
	summaries+=("$1: $points points failed, $core_points in the core (${#core_sites[@]} sites: ${sites% })")
	points_total=$((points_total + points))
	core_points_total=$((core_points_total + core_points))
	case $2 in
	allocates)
		((core_points > 0)) ||
			fail_case "$1: no fault reached the core's allocations" ;;
	"allocates nothing")
		((core_points == 0)) ||
			fail_case "$1: the core allocates, and can fail: ${sites% }" ;;
	"may allocate") ;;
	*) die "end_op: '$2'" ;;
	esac
}

# pass_case, then what the case's operations counted
pass_with_summary()
{
	pass_case
	printf '  %s\n' "${summaries[@]}"
	summaries=()
}

# modprobe that must succeed, quietly
mod_load()
{
	fast_modprobe "$@" || fail_case "modprobe $* failed"
}

mod_unload()
{
	wait_file "/sys/module/$1/refcnt" 0 || fail_case "module $1 stays in use"
	fast_rmmod "$1" || fail_case "rmmod $1 failed"
}

lp_disable()
{
	echo 0 >"$KLP_SYSFS/$1/enabled" || fail_case "cannot disable $1"
	wait_file "$KLP_SYSFS/$1" "" || fail_case "$1 was not removed"
}

lp_wait()
{
	wait_file "$KLP_SYSFS/$1/transition" 0 ||
		fail_case "the transition of $1 did not complete"
}

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup()
{
	restore_fault_attrs
	teardown_mods "$FAULT" "$OLD_P1" "$TARGET"
	restore_config
}

setup_config
trap cleanup EXIT INT TERM HUP
setup_faults
kmsg_open
file_value ORIG_CMDLINE /proc/cmdline
for m in $FAULT $TARGET $OLD_P1; do
	require_mod "$m"
done

# --- enabling -------------------------------------------------------------------

echo "# failing one point in $STEP from point $FIRST on, and of a module's" \
	"load one in $LOAD_STEP from point $LOAD_FIRST" \
	"(FAULT_STEP=$STEP FAULT_FIRST=$LOAD_FIRST)"

start_test "every point of klp_enable_patch() fails once"
mod_load $TARGET
begin_op
n=$FIRST
while :; do
	mod_load $FAULT fail_nth="$n" fail_step="$STEP"
	read_kmsg_or_die
	attempts_from_module "klp_enable_patch()"
	account enable
	lp_wait $FAULT
	expect_patches "enable #$LAST_N" $FAULT
	patched "enable #$LAST_N"
	lp_disable $FAULT
	mod_unload $FAULT
	unpatched "enable #$LAST_N, disabled"
	[[ $LAST_INJECTED == 1 ]] || break
	n=$((LAST_N + STEP))
done
expect_file "after enabling: refcnt of $TARGET" /sys/module/$TARGET/refcnt 0
end_op "enable" "allocates"
pass_with_summary

# --- atomic replace --------------------------------------------------------------

# test_lp_fault replace=1 takes over from OLD_P1, which patches
# /proc/version (a nop function in the vmlinux object) and a function of
# test_lp_conflict_target, not loaded (a nop object).
load_old_patch()
{
	mod_load $OLD_P1 funcs=$OLD_P1_FUNCS
	lp_wait $OLD_P1
	expect_patches "$1" $OLD_P1
	unpatched "$1"
	expect_file "$1: /proc/version" /proc/version $OLD_P1
}

start_test "every point of an atomic replace's klp_enable_patch() fails once"
begin_op
n=$FIRST
while :; do
	load_old_patch "replace #$n, before"
	mod_load $FAULT replace=1 fail_nth="$n" fail_step="$STEP"
	read_kmsg_or_die
	attempts_from_module "klp_enable_patch()"
	account replace
	lp_wait $FAULT
	wait_file "$KLP_SYSFS/$OLD_P1" "" ||
		fail_case "replace #$LAST_N: the replaced patch is still there"
	expect_patches "replace #$LAST_N" $FAULT
	patched "replace #$LAST_N"
	version=
	file_value version /proc/version
	[[ $version != "$OLD_P1" ]] ||
		fail_case "replace #$LAST_N: /proc/version still runs $OLD_P1's code"
	lp_disable $FAULT
	mod_unload $FAULT
	mod_unload $OLD_P1
	unpatched "replace #$LAST_N, disabled"
	[[ $LAST_INJECTED == 1 ]] || break
	n=$((LAST_N + STEP))
done
end_op "replace" "allocates"
pass_with_summary

# --- disabling --------------------------------------------------------------------

start_test "every point of disabling through sysfs fails once"
# Few points, and the check that none is in the core is only as good as
# the sweep: all of them, whatever STEP.
begin_op
n=1
while :; do
	mod_load $FAULT
	lp_wait $FAULT
	patched "disable #$n, before"
	attempts_from_helper "$("$FAIL_NTH" "$n" write $KLP_SYSFS/$FAULT/enabled 0)"
	read_kmsg_or_die
	account disable
	wait_file "$KLP_SYSFS/$FAULT" "" ||
		fail_case "disable #$LAST_N: $FAULT was not removed"
	unpatched "disable #$LAST_N"
	mod_unload $FAULT
	[[ $LAST_INJECTED == 1 ]] || break
	n=$((LAST_N + 1))
done
end_op "disable" "allocates nothing"
pass_with_summary

# --- a module that the patch covers comes and goes --------------------------------

start_test "every point of loading and unloading a module that a patch covers fails once"
begin_op
target_ko=$(modinfo -n $TARGET) || fail_case "no path for $TARGET"
mod_unload $TARGET
mod_load $FAULT
lp_wait $FAULT
n=$LOAD_FIRST
while :; do
	attempts_from_helper "$("$FAIL_NTH" "$n:$LOAD_STEP" load "$target_ko")"
	read_kmsg_or_die
	account "module load"
	[[ -e /sys/module/$TARGET ]] || fail_case "load #$LAST_N: $TARGET is not loaded"
	patched "load #$LAST_N"
	expect_file "load #$LAST_N: $FAULT/$TARGET/patched" \
		$KLP_SYSFS/$FAULT/$TARGET/patched 1
	[[ $LAST_INJECTED == 1 ]] || break
	mod_unload $TARGET
	n=$((LAST_N + LOAD_STEP))
done
# A module's coming allocates in the core at a few points among hundreds
# in the module loader: a sample may miss them all.
if ((LOAD_STEP == 1 && LOAD_FIRST == 1)); then
	end_op "module load" "allocates"
else
	end_op "module load" "may allocate"
fi

# All of them, as for disabling.
begin_op
n=1
while :; do
	attempts_from_helper "$("$FAIL_NTH" "$n" unload $TARGET)"
	read_kmsg_or_die
	account "module unload"
	expect_unloaded $TARGET "unload #$LAST_N"
	expect_file "unload #$LAST_N: $FAULT/$TARGET/patched" \
		$KLP_SYSFS/$FAULT/$TARGET/patched 0
	[[ $LAST_INJECTED == 1 ]] || break
	mod_load $TARGET
	n=$((LAST_N + 1))
done
end_op "module unload" "allocates nothing"
expect_patches "after the module's comings and goings" $FAULT
lp_disable $FAULT
mod_unload $FAULT
pass_with_summary

# --- shadow variables ----------------------------------------------------------------

start_test "every point of klp_shadow_alloc() and klp_shadow_get_or_alloc() fails once"
begin_op
mod_load $TARGET
# Few points, in a loop inside the module: all of them, whatever STEP.
mod_load $FAULT shadow_nth=1
read_kmsg_or_die
for call in "klp_shadow_alloc()" "klp_shadow_get_or_alloc()"; do
	grep -qxF -- "$FAULT: ok: $call" < <(printf '%s\n' "${KMSG[@]}") ||
		fail_case "$call: $(printf '%s\n' "${KMSG[@]}" | grep "$FAULT: ")"
	attempts_from_module "$call"
	account "$call"
done
lp_wait $FAULT
lp_disable $FAULT
mod_unload $FAULT
end_op "shadow" "allocates"
pass_with_summary

# --- the shadow table's resize work -------------------------------------------------

# kworkers_fail 0|1 - whether failslab may fail the slab allocations of the
# unbound workqueues' workers (its task filter): the resize work of the
# shadow table runs there
kworkers_fail()
{
	local f comm

	for f in /proc/[0-9]*/comm; do
		read -r comm <"$f" 2>/dev/null || continue
		[[ $comm == kworker/u* ]] &&
			echo "$1" 2>/dev/null >"${f%comm}make-it-fail"
	done
	return 0
}

# The table grows from a work item, where no caller sees the failure: the
# variables must stay where lookups find them, at the old size, and the
# resize be asked for again (test_lp_shadow's "many" checks every lookup).
start_test "the shadow table's resize work cannot allocate"
read_kmsg_or_die
# Slab for the smaller tables, pages for those past kmalloc's caches.
for attr in failslab fail_page_alloc; do
	set_fault_attr $DEBUGFS/$attr/task-filter Y
	set_fault_attr $DEBUGFS/$attr/interval 1
	set_fault_attr $DEBUGFS/$attr/times 20
	set_fault_attr $DEBUGFS/$attr/probability 100
done
kworkers_fail 1
mod_load test_lp_shadow test=many count=20000
kworkers_fail 0
echo 0 >$DEBUGFS/failslab/probability
echo 0 >$DEBUGFS/fail_page_alloc/probability
mod_unload test_lp_shadow
read_kmsg_or_die
fault_sites
resize_faults=0
for site in "${SITES[@]}"; do
	[[ $site == klp_shadow_* ]] && resize_faults=$((resize_faults + 1))
done
((resize_faults > 0)) ||
	fail_case "no fault reached the resize work (sites: ${SITES[*]:-none})"
many_passed=0
for line in "${KMSG[@]}"; do
	[[ $line == "test_lp_shadow: FAIL: "* ]] && fail_case "$line"
	[[ $line == "test_lp_shadow: test many: passed" ]] && many_passed=1
done
((many_passed)) || fail_case "test_lp_shadow's test many did not pass"
check_kmsg_clean "in the resize work"
summaries+=("resize work: ${#SITES[@]} faults in workers, $resize_faults in the shadow table's resize")
pass_with_summary

# --- afterwards --------------------------------------------------------------------------

start_test "afterwards, the patch works"
restore_fault_attrs
mod_load $FAULT
lp_wait $FAULT
expect_patches "again" $FAULT
patched "again"
lp_disable $FAULT
mod_unload $FAULT
unpatched "again, disabled"
mod_unload $TARGET
read_kmsg_or_die
check_kmsg_clean "afterwards"
summaries+=("in all: $points_total points failed, $core_points_total in the livepatch core")
pass_with_summary

exit 0
