// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Patch one function of a module: test_lp_target's
 * test_lp_target_a_show(), after which
 * /sys/module/test_lp_target/parameters/a reads "test_lp_mod_a".  The
 * target may be loaded before or after this patch.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/livepatch.h>
#include <linux/module.h>
#include "test_lp_target.h"

static int test_lp_mod_a_show(struct test_lp_target_data *data, char *buf)
{
	return scnprintf(buf, TEST_LP_TARGET_BUF, "%s\n", THIS_MODULE->name);
}

static struct klp_func test_lp_mod_a_funcs[] = {
	{
		.old_name = "test_lp_target_a_show",
		.new_func = test_lp_mod_a_show,
	},
	{ }
};

static struct klp_object test_lp_mod_a_objs[] = {
	{
		.name = "test_lp_target",
		.funcs = test_lp_mod_a_funcs,
	},
	{ }
};

static struct klp_patch test_lp_mod_a_patch = {
	.mod = THIS_MODULE,
	.objs = test_lp_mod_a_objs,
};

static int __init test_lp_mod_a_init(void)
{
	return klp_enable_patch(&test_lp_mod_a_patch);
}

static void __exit test_lp_mod_a_exit(void)
{
}

module_init(test_lp_mod_a_init);
module_exit(test_lp_mod_a_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: patch test_lp_target_a_show() of test_lp_target");
MODULE_INFO(livepatch, "Y");
