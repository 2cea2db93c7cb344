// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_preempt_nop.c - atomic replace of test_lp_preempt_a that keeps
 * a version of f1 only: f3 gets a nop, and goes back to the original when
 * the transition completes.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/livepatch.h>
#include <linux/module.h>
#include "test_lp_preempt.h"

static int test_lp_preempt_nop_f1(void)
{
	return 2;
}

static struct klp_func test_lp_preempt_nop_funcs[] = {
	{ .old_name = "test_lp_preempt_f1", .new_func = test_lp_preempt_nop_f1 },
	{ }
};

static struct klp_object test_lp_preempt_nop_objs[] = {
	{
		.name = "test_lp_preempt_target",
		.funcs = test_lp_preempt_nop_funcs,
		.callbacks.pre_patch = test_lp_preempt_pre_patch,
	},
	{ }
};

static struct klp_patch test_lp_preempt_nop_patch = {
	.mod = THIS_MODULE,
	.objs = test_lp_preempt_nop_objs,
	.replace = true,
};

static int __init test_lp_preempt_nop_init(void)
{
	return klp_enable_patch(&test_lp_preempt_nop_patch);
}

static void __exit test_lp_preempt_nop_exit(void)
{
}

module_init(test_lp_preempt_nop_init);
module_exit(test_lp_preempt_nop_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: replace version 1, f1 only");
MODULE_INFO(livepatch, "Y");
