// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_trans_stress.c - target of test-stress.sh: many tasks call the
 * dependent pair of functions described in test_lp_trans_stress.h in tight
 * loops, and count what they get back.
 *
 *  - nr_kthreads kthreads (default 8), spread over the online CPUs, each
 *    calling the pair for half a millisecond in a row (sleeping inside
 *    it once), then sleeping for a jiffy;
 *  - every read() of /proc/test_lp_trans_stress calls it 16 times
 *    (sleeping inside it once), for user processes to hammer;
 *  - one more kthread, the holder, calls it when the parameter hold is set
 *    and waits inside it until hold is cleared: the script holds a
 *    transition open that way, to reverse it.
 *
 * Nothing else hooks the three functions: enabling and disabling the
 * livepatch rewrites their call sites while the callers run through them.
 * Under QEMU that needs single-threaded TCG (test-stress.sh says so).
 *
 * Read-only parameters: calls_old and calls_new, the calls that saw
 * version 1 and version 2 throughout; mismatches, the calls that saw a mix
 * of versions (must stay 0); kthread_calls and user_calls, all calls by
 * kind of caller; holding, 1 while the holder waits inside the pair.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include "test_lp_trans_stress.h"

#define TEST_LP_TRANS_STRESS_VERSION	1
#define TEST_LP_TRANS_STRESS_MAX_KTHREADS	32
#define TEST_LP_TRANS_STRESS_BURST_NS	(500 * NSEC_PER_USEC)
#define TEST_LP_TRANS_STRESS_BURST_NAP	8
#define TEST_LP_TRANS_STRESS_READ_CALLS	16

static int nr_kthreads = 8;
module_param(nr_kthreads, int, 0444);
MODULE_PARM_DESC(nr_kthreads, "number of calling kthreads (at most 32)");

static atomic_long_t calls_old, calls_new, mismatches;
static atomic_long_t kthread_calls, user_calls;

static int test_lp_trans_stress_ro_set(const char *val,
				       const struct kernel_param *kp)
{
	return -EPERM;
}

static int test_lp_trans_stress_counter_get(char *buf,
					    const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%ld\n", atomic_long_read(kp->arg));
}

static const struct kernel_param_ops test_lp_trans_stress_counter_ops = {
	.set = test_lp_trans_stress_ro_set,
	.get = test_lp_trans_stress_counter_get,
};

module_param_cb(calls_old, &test_lp_trans_stress_counter_ops, &calls_old, 0444);
MODULE_PARM_DESC(calls_old, "calls that ran the original pair");
module_param_cb(calls_new, &test_lp_trans_stress_counter_ops, &calls_new, 0444);
MODULE_PARM_DESC(calls_new, "calls that ran the patched pair");
module_param_cb(mismatches, &test_lp_trans_stress_counter_ops, &mismatches, 0444);
MODULE_PARM_DESC(mismatches, "calls that mixed old and new code");
module_param_cb(kthread_calls, &test_lp_trans_stress_counter_ops,
		&kthread_calls, 0444);
MODULE_PARM_DESC(kthread_calls, "calls made by the kthreads");
module_param_cb(user_calls, &test_lp_trans_stress_counter_ops, &user_calls,
		0444);
MODULE_PARM_DESC(user_calls, "calls made by readers of the /proc file");

/* --- the pair and its caller, all three replaced by the livepatch ------------ */

noinline __noipa int test_lp_trans_stress_a(void)
{
	return TEST_LP_TRANS_STRESS_VERSION;
}
EXPORT_SYMBOL_GPL(test_lp_trans_stress_a);

noinline __noipa int test_lp_trans_stress_b(void)
{
	return TEST_LP_TRANS_STRESS_VERSION;
}
EXPORT_SYMBOL_GPL(test_lp_trans_stress_b);

static noinline __noipa int test_lp_trans_stress_pair(enum test_lp_trans_stress_nap nap)
{
	int a, b;

	a = test_lp_trans_stress_a();
	test_lp_trans_stress_nap(nap);
	b = test_lp_trans_stress_b();
	return TEST_LP_TRANS_STRESS_PACK(TEST_LP_TRANS_STRESS_VERSION, a, b);
}

/* --- callers ------------------------------------------------------------------ */

static void test_lp_trans_stress_call(enum test_lp_trans_stress_nap nap,
				      atomic_long_t *calls)
{
	int v = test_lp_trans_stress_pair(nap);
	int caller = TEST_LP_TRANS_STRESS_CALLER(v);
	int a = TEST_LP_TRANS_STRESS_A(v);
	int b = TEST_LP_TRANS_STRESS_B(v);

	atomic_long_inc(calls);
	if (a != caller || b != caller) {
		atomic_long_inc(&mismatches);
		pr_err_ratelimited("mismatch: caller version %d, a %d, b %d\n",
				   caller, a, b);
	} else if (caller == TEST_LP_TRANS_STRESS_VERSION) {
		atomic_long_inc(&calls_old);
	} else {
		atomic_long_inc(&calls_new);
	}
}

static struct task_struct *test_lp_trans_stress_kthreads[TEST_LP_TRANS_STRESS_MAX_KTHREADS];

/*
 * Bursts of calls for half a millisecond, then a jiffy asleep: busy, but
 * leaving the CPUs some time for the script, even on a debug kernel.
 */
static int test_lp_trans_stress_kthread_fn(void *data)
{
	enum test_lp_trans_stress_nap nap;
	unsigned int i;
	u64 start;

	while (!kthread_should_stop()) {
		start = local_clock();
		for (i = 0; local_clock() - start < TEST_LP_TRANS_STRESS_BURST_NS; i++) {
			nap = i == TEST_LP_TRANS_STRESS_BURST_NAP ?
			      TEST_LP_TRANS_STRESS_SLEEP :
			      TEST_LP_TRANS_STRESS_YIELD;
			test_lp_trans_stress_call(nap, &kthread_calls);
			cond_resched();
		}
		/* Asleep outside the pair: a chance to switch. */
		schedule_timeout_interruptible(1);
	}
	return 0;
}

/*
 * The holder: a kthread that, while "hold" is set, waits inside the pair,
 * which keeps the transition from completing so that the script can
 * reverse it for sure.
 */
static DECLARE_WAIT_QUEUE_HEAD(test_lp_trans_stress_hold_wq);
static bool hold;
static atomic_t holding = ATOMIC_INIT(0);
static struct task_struct *test_lp_trans_stress_holder;

void test_lp_trans_stress_hold_wait(void)
{
	atomic_inc(&holding);
	wait_event_interruptible(test_lp_trans_stress_hold_wq,
				 !READ_ONCE(hold));
	atomic_dec(&holding);
}
EXPORT_SYMBOL_GPL(test_lp_trans_stress_hold_wait);

static int test_lp_trans_stress_holder_fn(void *data)
{
	while (!kthread_should_stop()) {
		wait_event_interruptible(test_lp_trans_stress_hold_wq,
					 READ_ONCE(hold) ||
					 kthread_should_stop());
		if (READ_ONCE(hold) && !kthread_should_stop())
			test_lp_trans_stress_call(TEST_LP_TRANS_STRESS_HOLD,
						  &kthread_calls);
	}
	return 0;
}

static int test_lp_trans_stress_hold_set(const char *val,
					 const struct kernel_param *kp)
{
	int err = param_set_bool(val, kp);

	wake_up_all(&test_lp_trans_stress_hold_wq);
	return err;
}

static const struct kernel_param_ops test_lp_trans_stress_hold_ops = {
	.set = test_lp_trans_stress_hold_set,
	.get = param_get_bool,
};

module_param_cb(hold, &test_lp_trans_stress_hold_ops, &hold, 0644);
MODULE_PARM_DESC(hold, "hold the holder kthread inside the pair while set");

static int test_lp_trans_stress_holding_get(char *buf,
					    const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%d\n", atomic_read(&holding));
}

static const struct kernel_param_ops test_lp_trans_stress_holding_ops = {
	.set = test_lp_trans_stress_ro_set,
	.get = test_lp_trans_stress_holding_get,
};

module_param_cb(holding, &test_lp_trans_stress_holding_ops, NULL, 0444);
MODULE_PARM_DESC(holding, "1 while the holder waits inside the pair");

static ssize_t test_lp_trans_stress_read(struct file *file, char __user *ubuf,
					 size_t count, loff_t *ppos)
{
	char buf[32];
	unsigned int i;
	int len;

	if (*ppos)
		return 0;
	for (i = 0; i < TEST_LP_TRANS_STRESS_READ_CALLS; i++)
		test_lp_trans_stress_call(i ? TEST_LP_TRANS_STRESS_YIELD :
					  TEST_LP_TRANS_STRESS_SLEEP, &user_calls);
	len = scnprintf(buf, sizeof(buf), "%ld\n",
			atomic_long_read(&mismatches));
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct proc_ops test_lp_trans_stress_proc_ops = {
	.proc_read = test_lp_trans_stress_read,
	.proc_lseek = default_llseek,
};

static struct proc_dir_entry *test_lp_trans_stress_proc;

static void test_lp_trans_stress_stop(void)
{
	int i;

	if (test_lp_trans_stress_holder) {
		WRITE_ONCE(hold, false);
		wake_up_all(&test_lp_trans_stress_hold_wq);
		kthread_stop(test_lp_trans_stress_holder);
		test_lp_trans_stress_holder = NULL;
	}

	for (i = 0; i < TEST_LP_TRANS_STRESS_MAX_KTHREADS; i++) {
		if (test_lp_trans_stress_kthreads[i])
			kthread_stop(test_lp_trans_stress_kthreads[i]);
		test_lp_trans_stress_kthreads[i] = NULL;
	}
}

static int __init test_lp_trans_stress_init(void)
{
	struct task_struct *task;
	unsigned int cpu = cpumask_first(cpu_online_mask);
	int i, err;

	if (nr_kthreads < 0 || nr_kthreads > TEST_LP_TRANS_STRESS_MAX_KTHREADS)
		return -EINVAL;

	for (i = 0; i < nr_kthreads; i++) {
		task = kthread_create(test_lp_trans_stress_kthread_fn, NULL,
				      "test_lp_trans_stress/%d", i);
		if (IS_ERR(task)) {
			err = PTR_ERR(task);
			goto err;
		}
		kthread_bind(task, cpu);
		wake_up_process(task);
		test_lp_trans_stress_kthreads[i] = task;
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
	}

	task = kthread_run(test_lp_trans_stress_holder_fn, NULL,
			   "test_lp_trans_stress/hold");
	if (IS_ERR(task)) {
		err = PTR_ERR(task);
		goto err;
	}
	test_lp_trans_stress_holder = task;

	test_lp_trans_stress_proc = proc_create(KBUILD_MODNAME, 0444, NULL,
						&test_lp_trans_stress_proc_ops);
	if (!test_lp_trans_stress_proc) {
		err = -ENOMEM;
		goto err;
	}
	return 0;

err:
	test_lp_trans_stress_stop();
	return err;
}

static void __exit test_lp_trans_stress_exit(void)
{
	proc_remove(test_lp_trans_stress_proc);
	test_lp_trans_stress_stop();
}

module_init(test_lp_trans_stress_init);
module_exit(test_lp_trans_stress_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: tasks calling a dependent pair of patched functions");
