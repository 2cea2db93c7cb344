// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A patch whose objects log every callback.
 *
 * Two objects: vmlinux, which changes no function and is there for its
 * callbacks, and test_lp_target, whose test_lp_target_b_show() it patches
 * ("b" then reads "test_lp_callbacks").  Each callback logs
 *
 *	<callback> vmlinux
 *	<callback> test_lp_target (<state of the module: coming, live...>)
 *
 * Parameters, which may be changed while the patch is loaded:
 *   pre_patch_ret      value returned by the vmlinux pre_patch callback
 *   mod_pre_patch_ret  value returned by the test_lp_target pre_patch
 *                      callback
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/livepatch.h>
#include <linux/module.h>
#include "test_lp_target.h"

static int pre_patch_ret;
module_param(pre_patch_ret, int, 0644);
MODULE_PARM_DESC(pre_patch_ret, "Return value of the vmlinux pre_patch callback");

static int mod_pre_patch_ret;
module_param(mod_pre_patch_ret, int, 0644);
MODULE_PARM_DESC(mod_pre_patch_ret, "Return value of the test_lp_target pre_patch callback");

static const char *test_lp_callbacks_state(struct klp_object *obj)
{
	if (!obj->mod)
		return "not loaded";
	switch (obj->mod->state) {
	case MODULE_STATE_LIVE:
		return "live";
	case MODULE_STATE_COMING:
		return "coming";
	case MODULE_STATE_GOING:
		return "going";
	case MODULE_STATE_UNFORMED:
		return "unformed";
	}
	return "?";
}

static void test_lp_callbacks_log(const char *callback, struct klp_object *obj)
{
	if (obj->name)
		pr_info("%s %s (%s)\n", callback, obj->name,
			test_lp_callbacks_state(obj));
	else
		pr_info("%s vmlinux\n", callback);
}

static int test_lp_callbacks_pre_patch(struct klp_object *obj)
{
	test_lp_callbacks_log("pre_patch", obj);
	return obj->name ? mod_pre_patch_ret : pre_patch_ret;
}

static void test_lp_callbacks_post_patch(struct klp_object *obj)
{
	test_lp_callbacks_log("post_patch", obj);
}

static void test_lp_callbacks_pre_unpatch(struct klp_object *obj)
{
	test_lp_callbacks_log("pre_unpatch", obj);
}

static void test_lp_callbacks_post_unpatch(struct klp_object *obj)
{
	test_lp_callbacks_log("post_unpatch", obj);
}

static int test_lp_callbacks_b_show(struct test_lp_target_data *data,
				    char *buf)
{
	return scnprintf(buf, TEST_LP_TARGET_BUF, "%s\n", THIS_MODULE->name);
}

static struct klp_func test_lp_callbacks_no_funcs[] = {
	{ }
};

static struct klp_func test_lp_callbacks_target_funcs[] = {
	{
		.old_name = "test_lp_target_b_show",
		.new_func = test_lp_callbacks_b_show,
	},
	{ }
};

static struct klp_object test_lp_callbacks_objs[] = {
	{
		.funcs = test_lp_callbacks_no_funcs,
		.callbacks = {
			.pre_patch = test_lp_callbacks_pre_patch,
			.post_patch = test_lp_callbacks_post_patch,
			.pre_unpatch = test_lp_callbacks_pre_unpatch,
			.post_unpatch = test_lp_callbacks_post_unpatch,
		},
	},
	{
		.name = "test_lp_target",
		.funcs = test_lp_callbacks_target_funcs,
		.callbacks = {
			.pre_patch = test_lp_callbacks_pre_patch,
			.post_patch = test_lp_callbacks_post_patch,
			.pre_unpatch = test_lp_callbacks_pre_unpatch,
			.post_unpatch = test_lp_callbacks_post_unpatch,
		},
	},
	{ }
};

static struct klp_patch test_lp_callbacks_patch = {
	.mod = THIS_MODULE,
	.objs = test_lp_callbacks_objs,
};

static int __init test_lp_callbacks_init(void)
{
	return klp_enable_patch(&test_lp_callbacks_patch);
}

static void __exit test_lp_callbacks_exit(void)
{
}

module_init(test_lp_callbacks_init);
module_exit(test_lp_callbacks_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: callbacks of a vmlinux and a module object");
MODULE_INFO(livepatch, "Y");
