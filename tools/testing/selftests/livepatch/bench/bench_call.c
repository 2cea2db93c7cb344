// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench_call.c - what a call of a patched function costs.
 *
 *	cat /sys/module/bench_call/parameters/ns_per_call
 *
 * calls bench_call_fn(), a function of one add instruction, "loops" times
 * in a loop and prints the mean time per call in nanoseconds.  Read before
 * bench_call_patch is loaded, after its transition, and during it (hold=1
 * keeps a kthread asleep in bench_call_hold(), which the patch also changes,
 * so the transition stays open until hold=0).
 */

#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/wait.h>

static unsigned int loops = 1000000;
module_param(loops, uint, 0644);
MODULE_PARM_DESC(loops, "calls per measurement");

static bool hold;
static DECLARE_WAIT_QUEUE_HEAD(bench_call_wq);
static struct task_struct *bench_call_thread;

__noipa int bench_call_fn(int x)
{
	return x + 1;
}

/* The kthread waits here while hold is set. */
__noipa void bench_call_hold(void)
{
	wait_event_interruptible(bench_call_wq,
				 !READ_ONCE(hold) || kthread_should_stop());
}

static int bench_call_kthread(void *data)
{
	while (!kthread_should_stop()) {
		wait_event_interruptible(bench_call_wq,
					 READ_ONCE(hold) || kthread_should_stop());
		if (READ_ONCE(hold))
			bench_call_hold();
	}
	return 0;
}

static int bench_call_set_hold(const char *val, const struct kernel_param *kp)
{
	int err = param_set_bool(val, kp);

	wake_up_interruptible(&bench_call_wq);
	return err;
}

static const struct kernel_param_ops bench_call_hold_ops = {
	.set = bench_call_set_hold,
	.get = param_get_bool,
};

module_param_cb(hold, &bench_call_hold_ops, &hold, 0644);
MODULE_PARM_DESC(hold, "1: keep a kthread in bench_call_hold()");

static int bench_call_measure(char *buf, const struct kernel_param *kp)
{
	unsigned int i, n = max(READ_ONCE(loops), 1U);
	u64 start, ps;
	int sum = 0;

	start = ktime_get_ns();
	for (i = 0; i < n; i++)
		sum = bench_call_fn(sum);
	ps = div_u64((ktime_get_ns() - start) * 1000, n);
	/* sum keeps the loop; it is n unless a patch changed the result. */
	return sysfs_emit(buf, "%llu.%03llu %d\n", div_u64(ps, 1000),
			  ps % 1000, sum);
}

static const struct kernel_param_ops bench_call_ns_ops = {
	.get = bench_call_measure,
};

module_param_cb(ns_per_call, &bench_call_ns_ops, NULL, 0444);
MODULE_PARM_DESC(ns_per_call, "run the loop: ns per call, and the sum");

static int __init bench_call_init(void)
{
	bench_call_thread = kthread_run(bench_call_kthread, NULL, "bench_call");
	return PTR_ERR_OR_ZERO(bench_call_thread);
}

static void __exit bench_call_exit(void)
{
	kthread_stop(bench_call_thread);
}

module_init(bench_call_init);
module_exit(bench_call_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("livepatch benchmark: cost of a patched call");
