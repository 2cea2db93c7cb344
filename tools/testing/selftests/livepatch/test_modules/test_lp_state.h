/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The code of test_lp_state1 and test_lp_state2, two
 * patches that may carry a system state (struct klp_state).
 *
 * Parameters:
 *   version  version of the patch's state TEST_LP_STATE_ID; 0: no state
 *   second   version of a second state, TEST_LP_STATE_ID + 1; 0: none
 *   replace  make the patch an atomic replace
 *   replace_set  the patch's replace set (default 0)
 *   sleep    also replace test_lp_target_sleep(), so that the transition
 *            waits while test_lp_target's kthread is held in there
 *
 * The patch replaces the test_lp_target function TEST_LP_STATE_FUNC (set by
 * the including module), which then shows the patch module's name.  The
 * callbacks of its vmlinux object handle the state TEST_LP_STATE_ID:
 *
 *   pre_patch     logs what klp_get_prev_state() finds; without a previous
 *                 state, the patch makes the data ("made by <module>") and
 *                 owns it; an atomic replace takes the previous data over,
 *                 and then owns it; any other patch shares it
 *   post_unpatch  frees the data if the patch owns it
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

static uint second;
module_param(second, uint, 0444);
MODULE_PARM_DESC(second, "Version of a second state; 0: none");

static bool replace;
module_param(replace, bool, 0444);
MODULE_PARM_DESC(replace, "Atomic replace");

static uint replace_set;
module_param(replace_set, uint, 0444);
MODULE_PARM_DESC(replace_set, "Replace set of the patch (default: 0)");

static bool sleep;
module_param(sleep, bool, 0444);
MODULE_PARM_DESC(sleep, "Also replace test_lp_target_sleep()");

static struct klp_patch test_lp_state_patch;
static bool test_lp_state_owner;

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

	if (prev) {
		state->data = prev->data;
		test_lp_state_owner = test_lp_state_patch.replace;
		pr_info("pre_patch: %s as version %u\n",
			test_lp_state_owner ? "taking the data over" :
					      "sharing the data",
			state->version);
		return 0;
	}

	state->data = kasprintf(GFP_KERNEL, "made by %s", THIS_MODULE->name);
	if (!state->data)
		return -ENOMEM;
	test_lp_state_owner = true;
	pr_info("pre_patch: new state, version %u\n", state->version);
	return 0;
}

static void test_lp_state_post_unpatch(struct klp_object *obj)
{
	struct klp_state *state;

	state = klp_get_state(&test_lp_state_patch, TEST_LP_STATE_ID);
	if (!state || !state->data || !test_lp_state_owner)
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

static void test_lp_state_sleep(struct test_lp_target_data *data)
{
	test_lp_target_wait(data);
}

/* The second entry becomes test_lp_target_sleep()'s with sleep=1. */
static struct klp_func test_lp_state_funcs[] = {
	{
		.old_name = TEST_LP_STATE_FUNC,
		.new_func = test_lp_state_show,
	},
	{ },
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

static struct klp_state test_lp_state_states[3];

static struct klp_patch test_lp_state_patch = {
	.mod = THIS_MODULE,
	.objs = test_lp_state_objs,
};

static int __init test_lp_state_init(void)
{
	struct klp_state *state = test_lp_state_states;

	test_lp_state_patch.replace = replace;
	test_lp_state_patch.replace_set = replace_set;
	if (sleep) {
		test_lp_state_funcs[1].old_name = "test_lp_target_sleep";
		test_lp_state_funcs[1].new_func = test_lp_state_sleep;
	}
	if (version) {
		state->id = TEST_LP_STATE_ID;
		state++->version = version;
	}
	if (second) {
		state->id = TEST_LP_STATE_ID + 1;
		state->version = second;
	}
	if (version || second)
		test_lp_state_patch.states = test_lp_state_states;
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
