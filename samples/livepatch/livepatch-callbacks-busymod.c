// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * livepatch-callbacks-busymod.c - a module that is busy in a patched function
 *
 * At load time it queues a work item whose function, busymod_work_func(),
 * sleeps for sleep_secs seconds (default 10).  livepatch-callbacks-demo
 * replaces that function, so a transition started meanwhile cannot switch
 * the worker until it returns: watch
 * /sys/kernel/livepatch/livepatch_callbacks_demo/transition stay at 1.
 *
 *	insmod livepatch-callbacks-busymod.ko sleep_secs=30
 *	insmod livepatch-callbacks-demo.ko	# transition waits for the worker
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/module.h>
#include <linux/workqueue.h>

static int sleep_secs = 10;
module_param(sleep_secs, int, 0644);
MODULE_PARM_DESC(sleep_secs, "how long the work function sleeps (default 10)");

static noinline void busymod_work_func(struct work_struct *work)
{
	pr_info("work function: sleeping %d seconds\n", sleep_secs);
	msleep(sleep_secs * 1000);
	pr_info("work function: done\n");
}

static DECLARE_WORK(busymod_work, busymod_work_func);

static int __init busymod_init(void)
{
	pr_info("loaded\n");
	schedule_work(&busymod_work);
	return 0;
}

static void __exit busymod_exit(void)
{
	flush_work(&busymod_work);
	pr_info("unloaded\n");
}

module_init(busymod_init);
module_exit(busymod_exit);
MODULE_DESCRIPTION("Livepatch sample: module busy inside a function to patch");
MODULE_LICENSE("GPL");
