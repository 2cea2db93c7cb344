// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_far_patch.c - patches the functions of test_lp_far_target that
 * only a search of their addresses tells apart: test_lp_far_a() then returns 2,
 * test_lp_far_b() 3 and test_lp_far_c() 4; or, given near=1, those that a
 * masked table does: test_lp_near_a() returns 5, test_lp_near_b() 6 and
 * test_lp_near_c() 7.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/livepatch.h>
#include <linux/module.h>

static bool near;
module_param(near, bool, 0444);
MODULE_PARM_DESC(near, "patch the test_lp_near_* functions instead");

static int test_lp_far_patched_a(void)
{
	return 2;
}

static int test_lp_far_patched_b(void)
{
	return 3;
}

static int test_lp_far_patched_c(void)
{
	return 4;
}

static int test_lp_near_patched_a(void)
{
	return 5;
}

static int test_lp_near_patched_b(void)
{
	return 6;
}

static int test_lp_near_patched_c(void)
{
	return 7;
}

static struct klp_func test_lp_far_funcs[] = {
	{ .old_name = "test_lp_far_a", .new_func = test_lp_far_patched_a },
	{ .old_name = "test_lp_far_b", .new_func = test_lp_far_patched_b },
	{ .old_name = "test_lp_far_c", .new_func = test_lp_far_patched_c },
	{ }
};

static struct klp_func test_lp_near_funcs[] = {
	{ .old_name = "test_lp_near_a", .new_func = test_lp_near_patched_a },
	{ .old_name = "test_lp_near_b", .new_func = test_lp_near_patched_b },
	{ .old_name = "test_lp_near_c", .new_func = test_lp_near_patched_c },
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
	if (near)
		test_lp_far_objs[0].funcs = test_lp_near_funcs;
	return klp_enable_patch(&test_lp_far_lp);
}

static void __exit test_lp_far_patch_exit(void)
{
}

module_init(test_lp_far_patch_init);
module_exit(test_lp_far_patch_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: patch functions of test_lp_far_target");
MODULE_INFO(livepatch, "Y");
