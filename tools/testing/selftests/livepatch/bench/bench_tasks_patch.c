// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench_tasks_patch.c - the patch of bench_tasks_fn(), whose transition
 * the benchmark times while bench_tasks' threads call it.
 */

#include <linux/livepatch.h>
#include <linux/module.h>

static int bench_tasks_patch_fn(int x)
{
	return x + 1;
}

static struct klp_func bench_tasks_patch_funcs[] = {
	{ .old_name = "bench_tasks_fn", .new_func = bench_tasks_patch_fn },
	{ }
};

static struct klp_object bench_tasks_patch_objs[] = {
	{ .name = "bench_tasks", .funcs = bench_tasks_patch_funcs },
	{ }
};

static struct klp_patch bench_tasks_patch = {
	.mod = THIS_MODULE,
	.objs = bench_tasks_patch_objs,
};

static int __init bench_tasks_patch_init(void)
{
	return klp_enable_patch(&bench_tasks_patch);
}

static void __exit bench_tasks_patch_exit(void)
{
}

module_init(bench_tasks_patch_init);
module_exit(bench_tasks_patch_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("livepatch benchmark: patch of bench_tasks");
MODULE_INFO(livepatch, "Y");
