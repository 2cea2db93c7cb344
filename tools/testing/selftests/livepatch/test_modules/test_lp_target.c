// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A module for the livepatch selftests to patch.
 *
 * Parameters (see test_lp_target.h):
 *   a, b      read-only: the text that test_lp_target_a_show() and
 *             test_lp_target_b_show() produce, "original" unless patched
 *   hold      1: the module's kthread waits inside test_lp_target_sleep()
 *             until hold is set back to 0; may be given at load time
 *   sleeping  read-only: Y while the kthread waits there
 *
 * The init function prints what test_lp_target_a_show() says at that
 * moment, which shows whether a patch was applied before the module ran.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include "test_lp_target.h"

static struct test_lp_target_data test_lp_target_data = {
	.wq = __WAIT_QUEUE_HEAD_INITIALIZER(test_lp_target_data.wq),
};

static struct task_struct *test_lp_target_thread;

/*
 * The patched functions must stay what the callers reach: no inlining,
 * cloning, or merging of a and b, whose bodies are the same (without
 * __noipa, GCC's identical code folding makes get_b() call a's code).
 */
__noipa int test_lp_target_a_show(struct test_lp_target_data *data, char *buf)
{
	return scnprintf(buf, TEST_LP_TARGET_BUF, "original\n");
}

__noipa int test_lp_target_b_show(struct test_lp_target_data *data, char *buf)
{
	return scnprintf(buf, TEST_LP_TARGET_BUF, "original\n");
}

/* No ftrace call site: a patch of it cannot be applied (test-malformed). */
static __used noinline notrace int test_lp_target_untraced(void)
{
	return 0;
}

__noipa void test_lp_target_sleep(struct test_lp_target_data *data)
{
	test_lp_target_wait(data);
}

static int test_lp_target_thread_fn(void *arg)
{
	struct test_lp_target_data *data = arg;

	while (!kthread_should_stop()) {
		wait_event_interruptible(data->wq, READ_ONCE(data->hold) ||
					 kthread_should_stop());
		if (READ_ONCE(data->hold) && !kthread_should_stop())
			test_lp_target_sleep(data);
	}
	return 0;
}

static int test_lp_target_get_a(char *buf, const struct kernel_param *kp)
{
	return test_lp_target_a_show(&test_lp_target_data, buf);
}

static int test_lp_target_get_b(char *buf, const struct kernel_param *kp)
{
	return test_lp_target_b_show(&test_lp_target_data, buf);
}

static int test_lp_target_set_ro(const char *val, const struct kernel_param *kp)
{
	return -EPERM;
}

static const struct kernel_param_ops test_lp_target_a_ops = {
	.set = test_lp_target_set_ro,
	.get = test_lp_target_get_a,
};

static const struct kernel_param_ops test_lp_target_b_ops = {
	.set = test_lp_target_set_ro,
	.get = test_lp_target_get_b,
};

module_param_cb(a, &test_lp_target_a_ops, NULL, 0444);
MODULE_PARM_DESC(a, "What test_lp_target_a_show() says (read-only)");
module_param_cb(b, &test_lp_target_b_ops, NULL, 0444);
MODULE_PARM_DESC(b, "What test_lp_target_b_show() says (read-only)");

static int test_lp_target_set_hold(const char *val,
				   const struct kernel_param *kp)
{
	int err = param_set_bool(val, kp);

	if (!err)
		wake_up_all(&test_lp_target_data.wq);
	return err;
}

static const struct kernel_param_ops test_lp_target_hold_ops = {
	.set = test_lp_target_set_hold,
	.get = param_get_bool,
};

module_param_cb(hold, &test_lp_target_hold_ops, &test_lp_target_data.hold,
		0644);
MODULE_PARM_DESC(hold, "1: the kthread waits in test_lp_target_sleep()");
module_param_named(sleeping, test_lp_target_data.sleeping, bool, 0444);
MODULE_PARM_DESC(sleeping, "1 while the kthread waits in test_lp_target_sleep() (read-only)");

static int __init test_lp_target_init(void)
{
	char buf[TEST_LP_TARGET_BUF];

	test_lp_target_a_show(&test_lp_target_data, buf);
	pr_info("init, a: %s", buf);

	test_lp_target_thread = kthread_run(test_lp_target_thread_fn,
					    &test_lp_target_data,
					    "test_lp_target");
	return PTR_ERR_OR_ZERO(test_lp_target_thread);
}

static void __exit test_lp_target_exit(void)
{
	kthread_stop(test_lp_target_thread);
	pr_info("exit\n");
}

module_init(test_lp_target_init);
module_exit(test_lp_target_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: functions to patch and a kthread to block a transition");
