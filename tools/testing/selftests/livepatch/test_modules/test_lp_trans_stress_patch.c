// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_trans_stress_patch.c - livepatch of test_lp_trans_stress: the
 * dependent pair test_lp_trans_stress_a() and test_lp_trans_stress_b()
 * and their caller test_lp_trans_stress_pair() become version 2 together.
 * The new caller calls the pair through the original functions, as a real
 * livepatch would, so the livepatch core picks the code of each call.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/livepatch.h>
#include <linux/module.h>
#include "test_lp_trans_stress.h"

/* test_lp_trans_stress_replace.c builds this file again as version 3. */
#ifdef TEST_LP_TRANS_STRESS_REPLACE
#define TEST_LP_TRANS_STRESS_PATCH_VERSION	3
#else
#define TEST_LP_TRANS_STRESS_PATCH_VERSION	2
#endif

static int test_lp_trans_stress_patch_a(void)
{
	return TEST_LP_TRANS_STRESS_PATCH_VERSION;
}

static int test_lp_trans_stress_patch_b(void)
{
	return TEST_LP_TRANS_STRESS_PATCH_VERSION;
}

static int test_lp_trans_stress_patch_pair(enum test_lp_trans_stress_nap nap)
{
	int a, b;

	a = test_lp_trans_stress_a();
	test_lp_trans_stress_nap(nap);
	b = test_lp_trans_stress_b();
	return TEST_LP_TRANS_STRESS_PACK(TEST_LP_TRANS_STRESS_PATCH_VERSION,
					 a, b);
}

static struct klp_func test_lp_trans_stress_patch_funcs[] = {
	{
		.old_name = "test_lp_trans_stress_a",
		.new_func = test_lp_trans_stress_patch_a,
	},
	{
		.old_name = "test_lp_trans_stress_b",
		.new_func = test_lp_trans_stress_patch_b,
	},
	{
		.old_name = "test_lp_trans_stress_pair",
		.new_func = test_lp_trans_stress_patch_pair,
	},
	{ }
};

static struct klp_object test_lp_trans_stress_patch_objs[] = {
	{
		.name = "test_lp_trans_stress",
		.funcs = test_lp_trans_stress_patch_funcs,
	},
	{ }
};

static struct klp_patch test_lp_trans_stress_patch_patch = {
	.mod = THIS_MODULE,
	.objs = test_lp_trans_stress_patch_objs,
	.replace = TEST_LP_TRANS_STRESS_PATCH_VERSION == 3,
};

static int __init test_lp_trans_stress_patch_init(void)
{
	return klp_enable_patch(&test_lp_trans_stress_patch_patch);
}

static void __exit test_lp_trans_stress_patch_exit(void)
{
}

module_init(test_lp_trans_stress_patch_init);
module_exit(test_lp_trans_stress_patch_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: replace a dependent pair of functions and their caller");
MODULE_INFO(livepatch, "Y");
