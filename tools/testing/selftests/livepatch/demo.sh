#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# demo.sh - a short tour of live patching, run by "make run" in the guest
#
# Uses the modules of samples/livepatch: patches /proc/cmdline, shows the
# sysfs state, shows that an overlapping non-cumulative patch is refused
# while an independent one is accepted, replaces both with a cumulative
# patch, then disables and unloads everything.  Exits non-zero if anything
# does not behave as described.

KLP=/sys/kernel/livepatch
failed=0

say()
{
	printf '\n== %s\n' "$*"
}

# Show a command, then run it and show its output.
run()
{
	printf '$ %s\n' "$*"
	eval "$*" 2>&1 | sed 's/^/  /'
	return "${PIPESTATUS[0]}"
}

problem()
{
	echo "demo: unexpected: $*" >&2
	failed=1
}

wait_gone()
{
	local i

	for ((i = 0; i < 300; i++)); do
		[[ -e $1 ]] || return 0
		sleep 0.1
	done
	echo "demo: $1 did not go away" >&2
	failed=1
}

wait_settled()
{
	local i

	for ((i = 0; i < 300; i++)); do
		[[ $(cat "$KLP/$1/transition" 2>/dev/null) == 0 ]] && return 0
		sleep 0.1
	done
	echo "demo: transition of $1 did not finish" >&2
	failed=1
}

# Kernel log lines of the livepatch core since the last mark.
klp_log_since_mark()
{
	dmesg | tail -n +"$((log_mark + 1))" | grep 'livepatch:' |
		sed 's/^\[[ 0-9.]*\] //; s/^/  /'
}

mark_log()
{
	log_mark=$(dmesg | wc -l)
}

say "A kernel with our livepatch core, $(nproc) CPUs"
run uname -r
run cat /proc/cmdline

say "Patch cmdline_proc_show(), the function behind /proc/cmdline"
mark_log
run modprobe livepatch-sample
wait_settled livepatch_sample
run cat /proc/cmdline
[[ $(cat /proc/cmdline) == "this has been live patched" ]] ||
	problem "/proc/cmdline is not patched"
echo "kernel log:"
klp_log_since_mark

say "The patch in sysfs"
run "grep -H . $KLP/livepatch_sample/{enabled,transition,replace,stack_order}"
run "ls $KLP/livepatch_sample/vmlinux"
run "cat $KLP/livepatch_sample/vmlinux/patched"

say "An independent hot fix (another function) is accepted"
run modprobe livepatch-conflict-hotfix
wait_settled livepatch_conflict_hotfix
run cat /proc/version
run ls $KLP

say "A second, non-cumulative patch of cmdline_proc_show() is refused"
mark_log
run modprobe livepatch-conflict-overlap
[[ ! -e $KLP/livepatch_conflict_overlap ]] ||
	problem "the overlapping patch was not refused"
echo "kernel log:"
klp_log_since_mark
run ls $KLP

say "The right way: one cumulative patch that carries both changes"
run modprobe livepatch-conflict-cumulative
wait_settled livepatch_conflict_cumulative
wait_gone $KLP/livepatch_sample
wait_gone $KLP/livepatch_conflict_hotfix
run ls $KLP
run cat /proc/cmdline /proc/version
run rmmod livepatch_sample livepatch_conflict_hotfix

say "Disable the cumulative patch and unload it"
run "echo 0 > $KLP/livepatch_conflict_cumulative/enabled"
wait_gone $KLP/livepatch_conflict_cumulative
run rmmod livepatch_conflict_cumulative
run cat /proc/cmdline
[[ $(cat /proc/cmdline) != *patched* ]] ||
	problem "/proc/cmdline is still patched"

say "Two owners, two replace sets: the kernel team's (1) and a vendor's (2)"
run modprobe livepatch-sets-kernel
wait_settled livepatch_sets_kernel

say "The vendor may not change a function of the kernel team's set"
mark_log
run modprobe livepatch-sets-vendor overreach=1
[[ ! -e $KLP/livepatch_sets_vendor ]] ||
	problem "the vendor's overreaching patch was not refused"
echo "kernel log:"
klp_log_since_mark

say "The vendor's own cumulative patch loads beside the kernel team's"
run modprobe livepatch-sets-vendor
wait_settled livepatch_sets_vendor
run "grep -H . $KLP/*/replace_set"
run cat /proc/cmdline /proc/version

say "The kernel team upgrades its cumulative patch; the vendor's stays"
run modprobe livepatch-sets-kernel-v2
wait_settled livepatch_sets_kernel_v2
wait_gone $KLP/livepatch_sets_kernel
run ls $KLP
run cat /proc/cmdline /proc/loadavg /proc/version
[[ $(cat /proc/version) == *"vendor team"* ]] ||
	problem "the vendor's patch of /proc/version is gone"
run rmmod livepatch_sets_kernel
for p in livepatch_sets_kernel_v2 livepatch_sets_vendor; do
	run "echo 0 > $KLP/$p/enabled"
	wait_gone "$KLP/$p"
	run rmmod "$p"
done

if [[ $failed -ne 0 ]]; then
	say "demo FAILED"
	exit 1
fi
say "demo done"
