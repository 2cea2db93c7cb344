// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_trans_patch.c - livepatch of test_lp_trans_target: its gate
 * function becomes version 2, which waits at the gate like the original
 * (so a task can also be held inside the new code) and then reports
 * "version 2".
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/livepatch.h>
#include <linux/module.h>
#include "test_lp_trans.h"

#define TEST_LP_TRANS_PATCH_VERSION	2

static int test_lp_trans_patch_gate(struct test_lp_trans_gate *gate)
{
	return test_lp_trans_gate_pass(gate, TEST_LP_TRANS_PATCH_VERSION);
}

static struct klp_func test_lp_trans_patch_funcs[] = {
	{
		.old_name = "test_lp_trans_target_gate",
		.new_func = test_lp_trans_patch_gate,
	},
	{ }
};

static struct klp_object test_lp_trans_patch_objs[] = {
	{
		.name = "test_lp_trans_target",
		.funcs = test_lp_trans_patch_funcs,
	},
	{ }
};

static struct klp_patch test_lp_trans_patch_patch = {
	.mod = THIS_MODULE,
	.objs = test_lp_trans_patch_objs,
};

static int __init test_lp_trans_patch_init(void)
{
	return klp_enable_patch(&test_lp_trans_patch_patch);
}

static void __exit test_lp_trans_patch_exit(void)
{
}

module_init(test_lp_trans_patch_init);
module_exit(test_lp_trans_patch_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: replace the gate of test_lp_trans_target");
MODULE_INFO(livepatch, "Y");
