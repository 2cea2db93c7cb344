// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_unmarked.c - a valid patch of test_lp_target_a_show() in a module
 * built without MODULE_INFO(livepatch, "Y"): klp_enable_patch() must
 * refuse it with -EINVAL, as 6.1 does, because the module loader did not
 * treat the module as a livepatch (no .klp.rela sections kept, no taint).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/livepatch.h>
#include <linux/module.h>
#include "test_lp_target.h"

static int test_lp_unmarked_show(struct test_lp_target_data *data, char *buf)
{
	return scnprintf(buf, TEST_LP_TARGET_BUF, "%s\n", THIS_MODULE->name);
}

static struct klp_func test_lp_unmarked_funcs[] = {
	{
		.old_name = "test_lp_target_a_show",
		.new_func = test_lp_unmarked_show,
	},
	{ }
};

static struct klp_object test_lp_unmarked_objs[] = {
	{
		.name = "test_lp_target",
		.funcs = test_lp_unmarked_funcs,
	},
	{ }
};

static struct klp_patch test_lp_unmarked_patch = {
	.mod = THIS_MODULE,
	.objs = test_lp_unmarked_objs,
};

static int __init test_lp_unmarked_init(void)
{
	return klp_enable_patch(&test_lp_unmarked_patch);
}

static void __exit test_lp_unmarked_exit(void)
{
}

module_init(test_lp_unmarked_init);
module_exit(test_lp_unmarked_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: a patch in a module not marked as a livepatch");
