// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_far_patch.c - patches both functions of test_lp_far_target:
 * test_lp_far_a() then returns 2, test_lp_far_b() 3.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/livepatch.h>
#include <linux/module.h>

static int test_lp_far_patched_a(void)
{
	return 2;
}

static int test_lp_far_patched_b(void)
{
	return 3;
}

static struct klp_func test_lp_far_funcs[] = {
	{ .old_name = "test_lp_far_a", .new_func = test_lp_far_patched_a },
	{ .old_name = "test_lp_far_b", .new_func = test_lp_far_patched_b },
	{ }
};

static struct klp_object test_lp_far_objs[] = {
	{
		.name = "test_lp_far_target",
		.funcs = test_lp_far_funcs,
	},
	{ }
};

static struct klp_patch test_lp_far_lp = {
	.mod = THIS_MODULE,
	.objs = test_lp_far_objs,
};

static int __init test_lp_far_patch_init(void)
{
	return klp_enable_patch(&test_lp_far_lp);
}

static void __exit test_lp_far_patch_exit(void)
{
}

module_init(test_lp_far_patch_init);
module_exit(test_lp_far_patch_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: patch two functions 64 KiB apart");
MODULE_INFO(livepatch, "Y");
