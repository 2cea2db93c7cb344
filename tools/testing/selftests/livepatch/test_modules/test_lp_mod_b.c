// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Patch one function of a module: test_lp_target's
 * test_lp_target_b_show(), after which
 * /sys/module/test_lp_target/parameters/b reads "test_lp_mod_b".  The
 * target may be loaded before or after this patch.
 *
 * With sleep=1 it also replaces test_lp_target_sleep() by code that waits
 * the same way, so that test_lp_target's kthread can be held in this
 * patch's code (parameter "hold" of test_lp_target).
 *
 * With conflict_target=1 it also patches test_lp_conflict_target_a() of
 * test_lp_conflict_target (whose parameter "a" then reads
 * "test_lp_mod_b"): a second object, for a module loaded while this
 * patch's transition is held.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/livepatch.h>
#include <linux/module.h>
#include "test_lp_target.h"

static bool sleep;
module_param(sleep, bool, 0444);
MODULE_PARM_DESC(sleep, "Also replace test_lp_target_sleep()");

static bool conflict_target;
module_param(conflict_target, bool, 0444);
MODULE_PARM_DESC(conflict_target, "Also patch test_lp_conflict_target_a()");

static int test_lp_mod_b_show(struct test_lp_target_data *data, char *buf)
{
	return scnprintf(buf, TEST_LP_TARGET_BUF, "%s\n", THIS_MODULE->name);
}

static void test_lp_mod_b_sleep(struct test_lp_target_data *data)
{
	test_lp_target_wait(data);
}

static const char *test_lp_mod_b_conflict_target_a(void)
{
	return THIS_MODULE->name;
}

/* Without "sleep", the object's array starts at the second entry. */
static struct klp_func test_lp_mod_b_funcs[] = {
	{
		.old_name = "test_lp_target_sleep",
		.new_func = test_lp_mod_b_sleep,
	},
	{
		.old_name = "test_lp_target_b_show",
		.new_func = test_lp_mod_b_show,
	},
	{ }
};

static struct klp_func test_lp_mod_b_conflict_target_funcs[] = {
	{
		.old_name = "test_lp_conflict_target_a",
		.new_func = test_lp_mod_b_conflict_target_a,
	},
	{ }
};

/* Without "conflict_target", the second object is the end of the array. */
static struct klp_object test_lp_mod_b_objs[] = {
	{
		.name = "test_lp_target",
		.funcs = test_lp_mod_b_funcs,
	},
	{
		.name = "test_lp_conflict_target",
		.funcs = test_lp_mod_b_conflict_target_funcs,
	},
	{ }
};

static struct klp_patch test_lp_mod_b_patch = {
	.mod = THIS_MODULE,
	.objs = test_lp_mod_b_objs,
};

static int __init test_lp_mod_b_init(void)
{
	if (!sleep)
		test_lp_mod_b_objs[0].funcs = &test_lp_mod_b_funcs[1];
	if (!conflict_target)
		memset(&test_lp_mod_b_objs[1], 0, sizeof(test_lp_mod_b_objs[1]));
	return klp_enable_patch(&test_lp_mod_b_patch);
}

static void __exit test_lp_mod_b_exit(void)
{
}

module_init(test_lp_mod_b_init);
module_exit(test_lp_mod_b_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: patch test_lp_target_b_show() of test_lp_target");
MODULE_INFO(livepatch, "Y");
