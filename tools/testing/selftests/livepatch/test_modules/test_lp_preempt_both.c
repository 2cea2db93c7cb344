// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_preempt_both.c - atomic replace of test_lp_preempt_a that keeps
 * versions of both f1 and f3: no nop, so completing it unhooks nothing.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/livepatch.h>
#include <linux/module.h>
#include "test_lp_preempt.h"

static int test_lp_preempt_both_f1(void)
{
	return 2;
}

static int test_lp_preempt_both_f3(void)
{
	return 2;
}

static struct klp_func test_lp_preempt_both_funcs[] = {
	{ .old_name = "test_lp_preempt_f1", .new_func = test_lp_preempt_both_f1 },
	{ .old_name = "test_lp_preempt_f3", .new_func = test_lp_preempt_both_f3 },
	{ }
};

static struct klp_object test_lp_preempt_both_objs[] = {
	{
		.name = "test_lp_preempt_target",
		.funcs = test_lp_preempt_both_funcs,
		.callbacks.pre_patch = test_lp_preempt_pre_patch,
	},
	{ }
};

static struct klp_patch test_lp_preempt_both_patch = {
	.mod = THIS_MODULE,
	.objs = test_lp_preempt_both_objs,
	.replace = true,
};

static int __init test_lp_preempt_both_init(void)
{
	return klp_enable_patch(&test_lp_preempt_both_patch);
}

static void __exit test_lp_preempt_both_exit(void)
{
}

module_init(test_lp_preempt_both_init);
module_exit(test_lp_preempt_both_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: replace version 1, f1 and f3");
MODULE_INFO(livepatch, "Y");
