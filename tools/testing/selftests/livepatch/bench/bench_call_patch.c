// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench_call_patch.c - the patch of bench_call: bench_call_fn() gets a
 * replacement as small as itself, and bench_call_hold() one that behaves
 * the same, only so that a task sleeping there keeps the transition open.
 * With alone=1, only bench_call_fn(): a patch, and a hook group, of one
 * function.
 */

#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>

static bool alone;
module_param(alone, bool, 0444);
MODULE_PARM_DESC(alone, "patch bench_call_fn() only");

static int bench_call_patch_fn(int x)
{
	return x + 1;
}

static void bench_call_patch_hold(void)
{
	/* Not reached while the benchmark holds the transition open. */
	schedule_timeout_interruptible(1);
}

static struct klp_func bench_call_patch_funcs[] = {
	{ .old_name = "bench_call_fn", .new_func = bench_call_patch_fn },
	{ .old_name = "bench_call_hold", .new_func = bench_call_patch_hold },
	{ }
};

static struct klp_object bench_call_patch_objs[] = {
	{ .name = "bench_call", .funcs = bench_call_patch_funcs },
	{ }
};

static struct klp_patch bench_call_patch = {
	.mod = THIS_MODULE,
	.objs = bench_call_patch_objs,
};

static int __init bench_call_patch_init(void)
{
	if (alone)
		memset(&bench_call_patch_funcs[1], 0,
		       sizeof(bench_call_patch_funcs[1]));
	return klp_enable_patch(&bench_call_patch);
}

static void __exit bench_call_patch_exit(void)
{
}

module_init(bench_call_patch_init);
module_exit(bench_call_patch_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("livepatch benchmark: patch of bench_call");
MODULE_INFO(livepatch, "Y");
