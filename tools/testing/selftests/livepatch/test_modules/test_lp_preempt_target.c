// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_preempt_target.c - target of test-preempt.sh and
 * test-settled.sh (see test_lp_preempt.h).
 *
 * A write to /proc/test_lp_preempt_target calls f1 and f3 in a loop, in
 * the writer's own context, until the parameter "stop" is set or the
 * writer gets a fatal signal; or, when "rounds" is set, for that many
 * rounds.  (Not a module parameter's write: the loop would hold the
 * module's parameter lock, and "stop" could never be set.)
 * test-preempt.sh puts the writer in a cgroup whose CPU bandwidth it
 * controls, so that it can hold the task off the CPU at any point of the
 * loop.  The loop does not end on the livepatch core's fake signal.
 *
 * "replacing" says that an atomic replace of version 1 has started: the
 * replace's pre_patch callback sets it, once every task has been given
 * the state KLP_UNPATCHED.  From then on version 1 may only run for tasks
 * that have not switched to the replace.  "unpatching" says the same of a
 * transition disabling version 1 (its pre_unpatch callback sets it): then
 * version 1 may only run for tasks that have not switched back.  "v1_mixed"
 * counts the runs of version 1 that broke either rule, "v1_runs" all runs.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include "test_lp_preempt.h"

static bool replacing;
module_param(replacing, bool, 0444);
MODULE_PARM_DESC(replacing, "an atomic replace of version 1 has started");

static bool unpatching;
module_param(unpatching, bool, 0444);
MODULE_PARM_DESC(unpatching, "a transition disabling version 1 has started");

static bool stop;
module_param(stop, bool, 0644);
MODULE_PARM_DESC(stop, "ends the loop of the writer of /proc/" KBUILD_MODNAME);

static unsigned int rounds;
module_param(rounds, uint, 0644);
MODULE_PARM_DESC(rounds, "rounds of the loop of each write, or 0: until \"stop\"");

static atomic_long_t v1_runs, v1_mixed, loops;

static int test_lp_preempt_counter_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%ld\n", atomic_long_read(kp->arg));
}

static const struct kernel_param_ops test_lp_preempt_counter_ops = {
	.get = test_lp_preempt_counter_get,
};

module_param_cb(v1_runs, &test_lp_preempt_counter_ops, &v1_runs, 0444);
MODULE_PARM_DESC(v1_runs, "runs of version 1");
module_param_cb(v1_mixed, &test_lp_preempt_counter_ops, &v1_mixed, 0444);
MODULE_PARM_DESC(v1_mixed, "runs of version 1 by a task switched away from it");
module_param_cb(loops, &test_lp_preempt_counter_ops, &loops, 0444);
MODULE_PARM_DESC(loops, "rounds of the loop of \"run\"");

noinline __noipa int test_lp_preempt_f1(void)
{
	return 0;
}
EXPORT_SYMBOL_GPL(test_lp_preempt_f1);

noinline __noipa int test_lp_preempt_f3(void)
{
	return 0;
}
EXPORT_SYMBOL_GPL(test_lp_preempt_f3);

void test_lp_preempt_replace_starts(void)
{
	WRITE_ONCE(replacing, true);
}
EXPORT_SYMBOL_GPL(test_lp_preempt_replace_starts);

void test_lp_preempt_unpatch_starts(void)
{
	WRITE_ONCE(unpatching, true);
}
EXPORT_SYMBOL_GPL(test_lp_preempt_unpatch_starts);

void test_lp_preempt_ran_v1(void)
{
	bool replace = READ_ONCE(replacing), unpatch = READ_ONCE(unpatching);
	int state;

	/*
	 * The state after the flags: the core gives every task its state
	 * before a callback sets a flag.
	 */
	smp_rmb();
	state = READ_ONCE(current->patch_state);
	atomic_long_inc(&v1_runs);
	if ((replace && state != KLP_UNPATCHED) ||
	    (unpatch && state != KLP_PATCHED)) {
		atomic_long_inc(&v1_mixed);
		pr_err_ratelimited("%s:%d runs version 1 in patch state %d\n",
				   current->comm, current->pid, state);
	}
}
EXPORT_SYMBOL_GPL(test_lp_preempt_ran_v1);

static ssize_t test_lp_preempt_run(struct file *file, const char __user *buf,
				   size_t count, loff_t *ppos)
{
	unsigned int limit = READ_ONCE(rounds), done = 0;

	WRITE_ONCE(stop, false);
	while (!READ_ONCE(stop) && !fatal_signal_pending(current) &&
	       (!limit || done++ < limit)) {
		test_lp_preempt_f1();
		test_lp_preempt_f3();
		/* A no-op when fully preemptible; needed when not. */
		if (!(atomic_long_inc_return(&loops) % 1024))
			cond_resched();
	}
	return count;
}

static const struct proc_ops test_lp_preempt_proc_ops = {
	.proc_write = test_lp_preempt_run,
};

static struct proc_dir_entry *test_lp_preempt_proc;

static int __init test_lp_preempt_init(void)
{
	test_lp_preempt_proc = proc_create(KBUILD_MODNAME, 0200, NULL,
					   &test_lp_preempt_proc_ops);
	return test_lp_preempt_proc ? 0 : -ENOMEM;
}

static void __exit test_lp_preempt_exit(void)
{
	proc_remove(test_lp_preempt_proc);
}

module_init(test_lp_preempt_init);
module_exit(test_lp_preempt_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: functions called by a task held off the CPU");
