// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_preempt_a.c - version 1 of test_lp_preempt_target's f1 and f3,
 * not cumulative; both functions are hooked together.  Every run reports
 * itself to the target, which checks the caller's patch state, and so does
 * the start of a transition that disables it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/livepatch.h>
#include <linux/module.h>
#include "test_lp_preempt.h"

static int test_lp_preempt_a_f1(void)
{
	test_lp_preempt_ran_v1();
	return 1;
}

static int test_lp_preempt_a_f3(void)
{
	test_lp_preempt_ran_v1();
	return 1;
}

static struct klp_func test_lp_preempt_a_funcs[] = {
	{ .old_name = "test_lp_preempt_f1", .new_func = test_lp_preempt_a_f1 },
	{ .old_name = "test_lp_preempt_f3", .new_func = test_lp_preempt_a_f3 },
	{ }
};

static struct klp_object test_lp_preempt_a_objs[] = {
	{
		.name = "test_lp_preempt_target",
		.funcs = test_lp_preempt_a_funcs,
		.callbacks.pre_unpatch = test_lp_preempt_pre_unpatch,
	},
	{ }
};

static struct klp_patch test_lp_preempt_a_patch = {
	.mod = THIS_MODULE,
	.objs = test_lp_preempt_a_objs,
};

static int __init test_lp_preempt_a_init(void)
{
	return klp_enable_patch(&test_lp_preempt_a_patch);
}

static void __exit test_lp_preempt_a_exit(void)
{
}

module_init(test_lp_preempt_a_init);
module_exit(test_lp_preempt_a_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: version 1 of f1 and f3");
MODULE_INFO(livepatch, "Y");
