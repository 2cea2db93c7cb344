// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench_tasks.c - tasks that keep calling a function a patch changes, to
 * time transitions under load.
 *
 *	modprobe bench_tasks threads=1000
 *
 * starts that many kthreads, each calling bench_tasks_fn() in a loop and
 * sleeping BENCH_TASKS_NAP between rounds (a thousand threads waking every
 * jiffy would starve everything else of a 2-CPU TCG guest); reading
 * /sys/module/bench_tasks/parameters/poke calls it from a user task.
 * bench_tasks_patch changes bench_tasks_fn().
 *
 * Two ftrace_ops that do nothing hook bench_tasks_fn() before any thread
 * calls it and until none does, so that its call site always calls the
 * generic ftrace_caller and a patch only changes the list of ftrace_ops:
 * QEMU's TCG can keep running a stale translation of a call site that
 * another vCPU rewrites under it (the guest then spins at the function's
 * first byte), whichever core does the rewriting.
 */

#include <linux/ftrace.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/slab.h>

#define BENCH_TASKS_CALLS	100
#define BENCH_TASKS_NAP		(HZ / 50)

static unsigned int threads = 100;
module_param(threads, uint, 0444);
MODULE_PARM_DESC(threads, "kthreads started at load time");

static struct task_struct **bench_tasks;
static unsigned int bench_tasks_started;

__noipa int bench_tasks_fn(int x)
{
	return x + 1;
}

static int bench_tasks_kthread(void *data)
{
	int i, sum = 0;

	while (!kthread_should_stop()) {
		for (i = 0; i < BENCH_TASKS_CALLS; i++)
			sum = bench_tasks_fn(sum);
		schedule_timeout_interruptible(BENCH_TASKS_NAP);
	}
	return sum;
}

static void notrace bench_tasks_observe(unsigned long ip,
					unsigned long parent_ip,
					struct ftrace_ops *op,
					struct ftrace_regs *fregs)
{
}

static struct ftrace_ops bench_tasks_observers[] = {
	{ .func = bench_tasks_observe },
	{ .func = bench_tasks_observe },
};

static void bench_tasks_unobserve(unsigned int nr)
{
	while (nr--) {
		unregister_ftrace_function(&bench_tasks_observers[nr]);
		ftrace_free_filter(&bench_tasks_observers[nr]);
	}
}

static int bench_tasks_observe_start(void)
{
	unsigned long ip = (unsigned long)bench_tasks_fn;
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(bench_tasks_observers); i++) {
		err = ftrace_set_filter_ip(&bench_tasks_observers[i], ip, 0, 1);
		if (!err)
			err = register_ftrace_function(&bench_tasks_observers[i]);
		if (err) {
			ftrace_free_filter(&bench_tasks_observers[i]);
			bench_tasks_unobserve(i);
			return err;
		}
	}
	return 0;
}

static int bench_tasks_poke(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", bench_tasks_fn(0));
}

static const struct kernel_param_ops bench_tasks_poke_ops = {
	.get = bench_tasks_poke,
};

module_param_cb(poke, &bench_tasks_poke_ops, NULL, 0444);
MODULE_PARM_DESC(poke, "call bench_tasks_fn() once");

static void bench_tasks_stop(void)
{
	while (bench_tasks_started)
		kthread_stop(bench_tasks[--bench_tasks_started]);
	kfree(bench_tasks);
	bench_tasks_unobserve(ARRAY_SIZE(bench_tasks_observers));
}

static int __init bench_tasks_init(void)
{
	struct task_struct *task;
	int err;

	bench_tasks = kcalloc(threads, sizeof(*bench_tasks), GFP_KERNEL);
	if (!bench_tasks)
		return -ENOMEM;
	err = bench_tasks_observe_start();
	if (err) {
		kfree(bench_tasks);
		return err;
	}
	while (bench_tasks_started < threads) {
		task = kthread_run(bench_tasks_kthread, NULL, "bench_tasks/%u",
				   bench_tasks_started);
		if (IS_ERR(task)) {
			bench_tasks_stop();
			return PTR_ERR(task);
		}
		bench_tasks[bench_tasks_started++] = task;
	}
	return 0;
}

static void __exit bench_tasks_exit(void)
{
	bench_tasks_stop();
}

module_init(bench_tasks_init);
module_exit(bench_tasks_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("livepatch benchmark: busy tasks");
