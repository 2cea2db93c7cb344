// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_trans_forced.c - livepatch of test_lp_trans_target, for the forced
 * disable case of test-transition.sh (a forced disable pins its module
 * for good, so it gets a module of its own): the gate function becomes
 * version 3, which waits at the gate like the original and then reports
 * "version 3".
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/livepatch.h>
#include <linux/module.h>
#include "test_lp_trans.h"

#define TEST_LP_TRANS_FORCED_VERSION	3

static int test_lp_trans_forced_gate(struct test_lp_trans_gate *gate)
{
	return test_lp_trans_gate_pass(gate, TEST_LP_TRANS_FORCED_VERSION);
}

static struct klp_func test_lp_trans_forced_funcs[] = {
	{
		.old_name = "test_lp_trans_target_gate",
		.new_func = test_lp_trans_forced_gate,
	},
	{ }
};

static struct klp_object test_lp_trans_forced_objs[] = {
	{
		.name = "test_lp_trans_target",
		.funcs = test_lp_trans_forced_funcs,
	},
	{ }
};

static struct klp_patch test_lp_trans_forced_patch = {
	.mod = THIS_MODULE,
	.objs = test_lp_trans_forced_objs,
};

static int __init test_lp_trans_forced_init(void)
{
	return klp_enable_patch(&test_lp_trans_forced_patch);
}

static void __exit test_lp_trans_forced_exit(void)
{
}

module_init(test_lp_trans_forced_init);
module_exit(test_lp_trans_forced_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: replace the gate of test_lp_trans_target, to be forced");
MODULE_INFO(livepatch, "Y");
