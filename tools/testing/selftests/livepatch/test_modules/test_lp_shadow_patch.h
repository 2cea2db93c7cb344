/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The code of test_lp_shadow_p1 and
 * test_lp_shadow_p2, two patches that keep state in a shadow variable.
 *
 * Both replace test_lp_target_a_show() with a version that counts its
 * calls in a shadow variable attached to test_lp_target's data, and shows
 * "<patch module>, call <n>".  The variable is made on first use, so a
 * patch that follows another one takes the count over.  The post_unpatch
 * callback of the test_lp_target object frees the counters (and logs their
 * value): it runs when the patch is disabled or the target goes, but not
 * when an atomic-replace patch takes over.
 *
 * The module that includes this sets TEST_LP_SHADOW_REPLACE to make its
 * patch an atomic replace.
 */

#ifndef _TEST_LP_SHADOW_PATCH_H
#define _TEST_LP_SHADOW_PATCH_H

#include <linux/livepatch.h>
#include <linux/module.h>
#include "test_lp_target.h"

/* The shadow variable id, the same in both patches. */
#define TEST_LP_SHADOW_CALLS	0x5ca11

static int test_lp_shadow_patch_ctor(void *obj, void *shadow_data,
				     void *ctor_data)
{
	unsigned long *calls = shadow_data;

	*calls = 0;
	return 0;
}

static int test_lp_shadow_patch_a_show(struct test_lp_target_data *data,
				       char *buf)
{
	unsigned long *calls;

	calls = klp_shadow_get_or_alloc(data, TEST_LP_SHADOW_CALLS,
					sizeof(*calls), GFP_KERNEL,
					test_lp_shadow_patch_ctor, NULL);
	if (!calls)
		return scnprintf(buf, TEST_LP_TARGET_BUF, "%s, no counter\n",
				 THIS_MODULE->name);
	return scnprintf(buf, TEST_LP_TARGET_BUF, "%s, call %lu\n",
			 THIS_MODULE->name, ++*calls);
}

static void test_lp_shadow_patch_dtor(void *obj, void *shadow_data)
{
	unsigned long *calls = shadow_data;

	pr_info("freeing the call counter, at %lu\n", *calls);
}

static void test_lp_shadow_patch_post_unpatch(struct klp_object *obj)
{
	klp_shadow_free_all(TEST_LP_SHADOW_CALLS, test_lp_shadow_patch_dtor);
}

static struct klp_func test_lp_shadow_patch_funcs[] = {
	{
		.old_name = "test_lp_target_a_show",
		.new_func = test_lp_shadow_patch_a_show,
	},
	{ }
};

static struct klp_object test_lp_shadow_patch_objs[] = {
	{
		.name = "test_lp_target",
		.funcs = test_lp_shadow_patch_funcs,
		.callbacks = {
			.post_unpatch = test_lp_shadow_patch_post_unpatch,
		},
	},
	{ }
};

static struct klp_patch test_lp_shadow_patch = {
	.mod = THIS_MODULE,
	.objs = test_lp_shadow_patch_objs,
	.replace = TEST_LP_SHADOW_REPLACE,
};

static int __init test_lp_shadow_patch_init(void)
{
	return klp_enable_patch(&test_lp_shadow_patch);
}

static void __exit test_lp_shadow_patch_exit(void)
{
}

module_init(test_lp_shadow_patch_init);
module_exit(test_lp_shadow_patch_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");

#endif /* _TEST_LP_SHADOW_PATCH_H */
