/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The code of test_lp_state1 and test_lp_state2, two
 * patches that may carry a system state (struct klp_state).
 *
 * Parameters:
 *   version  version of the patch's state TEST_LP_STATE_ID; 0: no state
 *   replace  make the patch an atomic replace
 *
 * The patch replaces the test_lp_target function TEST_LP_STATE_FUNC (set by
 * the including module), which then shows the patch module's name.  The
 * callbacks of its vmlinux object handle the state:
 *
 *   pre_patch     logs what klp_get_prev_state() finds; an atomic replace
 *                 takes the previous state's data over, any other patch
 *                 with the state makes its own ("made by <module>")
 *   post_unpatch  frees the data it holds
 *
 * A replaced patch runs no callback, so its data lives on in its successor.
 */

#ifndef _TEST_LP_STATE_H
#define _TEST_LP_STATE_H

#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/slab.h>
#include "test_lp_target.h"

#define TEST_LP_STATE_ID	42

static uint version;
module_param(version, uint, 0444);
MODULE_PARM_DESC(version, "Version of the state; 0: none");

static bool replace;
module_param(replace, bool, 0444);
MODULE_PARM_DESC(replace, "Atomic replace");

static struct klp_patch test_lp_state_patch;

static int test_lp_state_pre_patch(struct klp_object *obj)
{
	struct klp_state *state, *prev;

	prev = klp_get_prev_state(TEST_LP_STATE_ID);
	if (prev)
		pr_info("pre_patch: previous state version %u, data '%s'\n",
			prev->version, (char *)prev->data);
	else
		pr_info("pre_patch: no previous state\n");

	state = klp_get_state(&test_lp_state_patch, TEST_LP_STATE_ID);
	if (!state)
		return 0;

	if (prev && test_lp_state_patch.replace) {
		state->data = prev->data;
		pr_info("pre_patch: taking the data over as version %u\n",
			state->version);
		return 0;
	}

	state->data = kasprintf(GFP_KERNEL, "made by %s", THIS_MODULE->name);
	if (!state->data)
		return -ENOMEM;
	pr_info("pre_patch: new state, version %u\n", state->version);
	return 0;
}

static void test_lp_state_post_unpatch(struct klp_object *obj)
{
	struct klp_state *state;

	state = klp_get_state(&test_lp_state_patch, TEST_LP_STATE_ID);
	if (!state || !state->data)
		return;
	pr_info("post_unpatch: freeing '%s'\n", (char *)state->data);
	kfree(state->data);
	state->data = NULL;
}

static int test_lp_state_show(struct test_lp_target_data *data, char *buf)
{
	return scnprintf(buf, TEST_LP_TARGET_BUF, "%s\n", THIS_MODULE->name);
}

static struct klp_func test_lp_state_no_funcs[] = {
	{ }
};

static struct klp_func test_lp_state_funcs[] = {
	{
		.old_name = TEST_LP_STATE_FUNC,
		.new_func = test_lp_state_show,
	},
	{ }
};

static struct klp_object test_lp_state_objs[] = {
	{
		.funcs = test_lp_state_no_funcs,
		.callbacks = {
			.pre_patch = test_lp_state_pre_patch,
			.post_unpatch = test_lp_state_post_unpatch,
		},
	},
	{
		.name = "test_lp_target",
		.funcs = test_lp_state_funcs,
	},
	{ }
};

static struct klp_state test_lp_state_states[] = {
	{ .id = TEST_LP_STATE_ID },
	{ }
};

static struct klp_patch test_lp_state_patch = {
	.mod = THIS_MODULE,
	.objs = test_lp_state_objs,
};

static int __init test_lp_state_init(void)
{
	test_lp_state_patch.replace = replace;
	if (version) {
		test_lp_state_states[0].version = version;
		test_lp_state_patch.states = test_lp_state_states;
	}
	return klp_enable_patch(&test_lp_state_patch);
}

static void __exit test_lp_state_exit(void)
{
}

module_init(test_lp_state_init);
module_exit(test_lp_state_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");

#endif /* _TEST_LP_STATE_H */
