# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# kernel-problems.sh - what counts as a kernel problem in a log, for every
# check of the harness: the guest's runner (after each test), its init
# (the whole log), the soak, and vmtest.sh on the host (the console).
# Sourced; defines variables and functions only.

# A line matching this reports a bug, or a detector that went off.
KERNEL_PROBLEMS='BUG:|WARNING:|Oops|general protection fault|Kernel panic'
# KASAN, UBSAN, lockdep and friends
KERNEL_PROBLEMS+='|KASAN:|UBSAN:|INFO: possible|inconsistent lock state'
KERNEL_PROBLEMS+='|list_add corruption|list_del corruption|ODEBUG:'
# RCU ("rcu_preempt self-detected stall on CPU", "detected stalls on
# CPUs/tasks", "detected expedited stalls", RCU-tasks' "detected stalls
# on tasks"), hung tasks, soft
# and hard lockups
KERNEL_PROBLEMS+='|detected (expedited )?stall|INFO: task .* blocked for more than'
KERNEL_PROBLEMS+='|soft lockup|hard LOCKUP'
# memory: the OOM killer, kmemleak switching itself off (not its "Cannot
# allocate a scan area", after which it scans the whole object)
KERNEL_PROBLEMS+='|invoked oom-killer|Out of memory|kmemleak: .*disabled'
KERNEL_PROBLEMS+='|kmemleak: Cannot allocate a kmemleak_object'

# A test that provokes a problem on purpose logs this mark followed by an
# extended regular expression (expect_kernel_problem in functions.sh); the
# next problem line that matches it is not a problem.
KERNEL_PROBLEM_MARK='vmtest: expect kernel problem: '
# How kernel_problems reports an announcement that nothing matched.
KERNEL_PROBLEM_UNMET='expected kernel problem did not occur: '

# kernel_problems - the problem lines of the log text on stdin, less one
# line for each expectation mark.  With KP_UNMET=1 in the environment,
# expectations that nothing matched are reported too.  If awk fails (a
# mark with a bad regular expression, say), that is reported as a problem
# too: the filter must not fail open.  gawk where there is one: busybox's
# awk, the guest's awk, takes a broken extended expression for a basic
# one instead of failing.
kernel_problems()
{
	local rc awk=awk

	command -v gawk >/dev/null && awk=gawk
	# shellcheck disable=SC2016 # an awk program
	KP_RE=$KERNEL_PROBLEMS KP_MARK=$KERNEL_PROBLEM_MARK \
	KP_UNMET_SAYS=$KERNEL_PROBLEM_UNMET "$awk" '
	BEGIN { re = ENVIRON["KP_RE"]; mark = ENVIRON["KP_MARK"] }
	{ i = index($0, mark) }
	i { want[++n] = substr($0, i + length(mark)); next }
	$0 ~ re {
		for (k = 1; k <= n; k++)
			if ((k in want) && $0 ~ want[k]) {
				delete want[k]
				next
			}
		print
	}
	END {
		if (ENVIRON["KP_UNMET"] == 1)
			for (k = 1; k <= n; k++)
				if (k in want)
					print ENVIRON["KP_UNMET_SAYS"] want[k]
	}'
	rc=$?
	((rc == 0)) || echo "kernel-problems: the log filter failed ($awk exit $rc)"
	return 0
}
