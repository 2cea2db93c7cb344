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
 * Nothing else hooks bench_tasks_fn(): enabling and disabling a patch
 * rewrites its call site while the threads run through it, so bench.sh
 * runs this benchmark under single-threaded TCG (see check.sh).
 */

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
}

static int __init bench_tasks_init(void)
{
	struct task_struct *task;
	int err;

	bench_tasks = kcalloc(threads, sizeof(*bench_tasks), GFP_KERNEL);
	if (!bench_tasks)
		return -ENOMEM;
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
