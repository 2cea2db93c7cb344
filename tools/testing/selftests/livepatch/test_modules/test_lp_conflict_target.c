// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_conflict_target.c - a module for test_lp_conflict_p* to patch.
 *
 * Each function below returns "original"; a replacement returns the name
 * of its livepatch module.  Reading a parameter calls the function behind
 * it, so user space sees which version runs:
 *
 *   /sys/module/test_lp_conflict_target/parameters/a        target_a()
 *   /sys/module/test_lp_conflict_target/parameters/b        target_b()
 *   /sys/module/test_lp_conflict_target/parameters/b_alias  target_b_alias()
 *
 * test_lp_conflict_target_b_alias is a second name of the code of
 * test_lp_conflict_target_b: the same address, two kallsyms entries.
 *
 * Writing 1 to .../parameters/block makes a work item enter
 * test_lp_conflict_target_busy() and sleep there until 0 is written: a
 * patch changing that function cannot complete its transition meanwhile.
 * The write returns once the work sleeps in the function, so do it only
 * while test_lp_conflict_target_busy() is not patched.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

/*
 * __noipa: every call must really reach the function, where the ftrace
 * hook of a livepatch sits; no inlining, cloning or constant propagation.
 */
static __noipa const char *test_lp_conflict_target_a(void)
{
	return "original";
}

static __noipa const char *test_lp_conflict_target_b(void)
{
	return "original";
}

static const char *test_lp_conflict_target_b_alias(void)
	__alias(test_lp_conflict_target_b);

static bool test_lp_conflict_blocked;
static bool test_lp_conflict_released;
static DECLARE_COMPLETION(test_lp_conflict_entered);
static DECLARE_WAIT_QUEUE_HEAD(test_lp_conflict_wq);

static __noipa const char *test_lp_conflict_target_busy(void)
{
	complete(&test_lp_conflict_entered);
	/*
	 * A sleep as long as the test wants (make soak's loops take
	 * minutes) is no hung task: sleep idle, which the detector skips.
	 */
	wait_event_idle(test_lp_conflict_wq,
			READ_ONCE(test_lp_conflict_released));
	return "original";
}

static void test_lp_conflict_busy_fn(struct work_struct *work)
{
	test_lp_conflict_target_busy();
}

static DECLARE_WORK(test_lp_conflict_work, test_lp_conflict_busy_fn);

static bool test_lp_conflict_ready;

static void test_lp_conflict_release(void)
{
	WRITE_ONCE(test_lp_conflict_released, true);
	wake_up(&test_lp_conflict_wq);
	flush_work(&test_lp_conflict_work);
	test_lp_conflict_blocked = false;
}

/* Runs with the module's parameter lock held: one writer at a time. */
static int test_lp_conflict_set_block(const char *val,
				      const struct kernel_param *kp)
{
	bool block;
	int err;

	if (!test_lp_conflict_ready)
		return -EBUSY;	/* not at load time: the work needs init */

	err = kstrtobool(val, &block);
	if (err)
		return err;
	if (block == test_lp_conflict_blocked)
		return -EINVAL;

	if (!block) {
		test_lp_conflict_release();
		return 0;
	}

	WRITE_ONCE(test_lp_conflict_released, false);
	reinit_completion(&test_lp_conflict_entered);
	schedule_work(&test_lp_conflict_work);
	test_lp_conflict_blocked = true;
	if (!wait_for_completion_timeout(&test_lp_conflict_entered,
					 10 * HZ)) {
		/* A patched busy() does not sleep: let the work go. */
		test_lp_conflict_release();
		return -ETIMEDOUT;
	}
	return 0;
}

static int test_lp_conflict_get_block(char *buf,
				      const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%d\n", test_lp_conflict_blocked);
}

static const struct kernel_param_ops test_lp_conflict_block_ops = {
	.set = test_lp_conflict_set_block,
	.get = test_lp_conflict_get_block,
};
module_param_cb(block, &test_lp_conflict_block_ops, NULL, 0644);
MODULE_PARM_DESC(block, "1: a work item sleeps in test_lp_conflict_target_busy() until 0 is written");

/* One read-only parameter per function: reading it calls the function. */
#define TEST_LP_CONFLICT_SHOW(name)					\
static int test_lp_conflict_get_##name(char *buf,			\
				       const struct kernel_param *kp)	\
{									\
	return scnprintf(buf, PAGE_SIZE, "%s\n",			\
			 test_lp_conflict_target_##name());		\
}									\
static const struct kernel_param_ops test_lp_conflict_##name##_ops = {	\
	.get = test_lp_conflict_get_##name,				\
};									\
module_param_cb(name, &test_lp_conflict_##name##_ops, NULL, 0444);	\
MODULE_PARM_DESC(name, "which code test_lp_conflict_target_" #name "() runs")

TEST_LP_CONFLICT_SHOW(a);
TEST_LP_CONFLICT_SHOW(b);
TEST_LP_CONFLICT_SHOW(b_alias);

static int __init test_lp_conflict_target_init(void)
{
	test_lp_conflict_ready = true;
	return 0;
}

static void __exit test_lp_conflict_target_exit(void)
{
	if (test_lp_conflict_blocked)
		test_lp_conflict_release();
}

module_init(test_lp_conflict_target_init);
module_exit(test_lp_conflict_target_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: target module of the conflict tests");
