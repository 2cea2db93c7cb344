// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * An atomic-replace patch: it patches test_lp_target's
 * test_lp_target_a_show() (then "a" reads "test_lp_replace") and takes over
 * from every enabled patch; what they patched and it does not goes back to
 * the original code.
 *
 * With sleep=1 it also replaces test_lp_target_sleep(), so that its
 * transition cannot complete while test_lp_target's kthread waits in there
 * (parameter "hold" of test_lp_target).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/livepatch.h>
#include <linux/module.h>
#include "test_lp_target.h"

static bool sleep;
module_param(sleep, bool, 0444);
MODULE_PARM_DESC(sleep, "Also replace test_lp_target_sleep()");

static int test_lp_replace_a_show(struct test_lp_target_data *data, char *buf)
{
	return scnprintf(buf, TEST_LP_TARGET_BUF, "%s\n", THIS_MODULE->name);
}

static void test_lp_replace_sleep(struct test_lp_target_data *data)
{
	test_lp_target_wait(data);
}

/* Without "sleep", the object's array starts at the second entry. */
static struct klp_func test_lp_replace_funcs[] = {
	{
		.old_name = "test_lp_target_sleep",
		.new_func = test_lp_replace_sleep,
	},
	{
		.old_name = "test_lp_target_a_show",
		.new_func = test_lp_replace_a_show,
	},
	{ }
};

static struct klp_object test_lp_replace_objs[] = {
	{
		.name = "test_lp_target",
		.funcs = test_lp_replace_funcs,
	},
	{ }
};

static struct klp_patch test_lp_replace_patch = {
	.mod = THIS_MODULE,
	.objs = test_lp_replace_objs,
	.replace = true,
};

static int __init test_lp_replace_init(void)
{
	if (!sleep)
		test_lp_replace_objs[0].funcs = &test_lp_replace_funcs[1];
	return klp_enable_patch(&test_lp_replace_patch);
}

static void __exit test_lp_replace_exit(void)
{
}

module_init(test_lp_replace_init);
module_exit(test_lp_replace_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: atomic replace");
MODULE_INFO(livepatch, "Y");
