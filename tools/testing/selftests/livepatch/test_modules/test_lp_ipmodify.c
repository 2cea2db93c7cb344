// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_ipmodify.c - another ftrace user that may change the instruction
 * pointer (FTRACE_OPS_FL_IPMODIFY) of a function (by default
 * test_lp_target_a_show(); parameter "func"), as kprobes with a post
 * handler or another live patching tool would.  ftrace lets
 * only one such user hook a function, so a livepatch of that function
 * must be refused while this module is loaded.  Its handler does nothing.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/module.h>
#include <linux/string.h>

static char *func = "test_lp_target_a_show";
module_param(func, charp, 0444);
MODULE_PARM_DESC(func, "the function to hook");

static void notrace test_lp_ipmodify_handler(unsigned long ip,
					     unsigned long parent_ip,
					     struct ftrace_ops *ops,
					     struct ftrace_regs *fregs)
{
}

static struct ftrace_ops test_lp_ipmodify_ops = {
	.func = test_lp_ipmodify_handler,
	.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY,
};

static int __init test_lp_ipmodify_init(void)
{
	int err;

	/* ftrace_set_filter() may write to the buffer: "func" is ours. */
	err = ftrace_set_filter(&test_lp_ipmodify_ops, func, strlen(func), 0);
	if (!err)
		err = register_ftrace_function(&test_lp_ipmodify_ops);
	if (err) {
		pr_err("cannot hook %s: %d\n", func, err);
		ftrace_free_filter(&test_lp_ipmodify_ops);
	}
	return err;
}

static void __exit test_lp_ipmodify_exit(void)
{
	unregister_ftrace_function(&test_lp_ipmodify_ops);
	ftrace_free_filter(&test_lp_ipmodify_ops);
}

module_init(test_lp_ipmodify_init);
module_exit(test_lp_ipmodify_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: another IPMODIFY ftrace user");
