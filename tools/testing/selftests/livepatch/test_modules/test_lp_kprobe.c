// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_kprobe.c - a kprobe on cmdline_proc_show(), the function that
 * test_lp_basic patches.  With post_handler=1 the probe has a post handler,
 * so that kprobes hooks the function through ftrace with IPMODIFY, which
 * ftrace grants one user per function: a livepatch of the function must
 * then be refused, and this probe must be refused while the livepatch is
 * there.  Without a post handler the probe hooks the function without
 * IPMODIFY and lives beside the livepatch.  The parameter "hits" counts
 * the probe's pre handler runs.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/kprobes.h>
#include <linux/module.h>

static bool post_handler;
module_param(post_handler, bool, 0444);
MODULE_PARM_DESC(post_handler, "give the probe a post handler (IPMODIFY)");

static atomic_t hits = ATOMIC_INIT(0);

static int test_lp_kprobe_hits_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&hits));
}

static const struct kernel_param_ops test_lp_kprobe_hits_ops = {
	.get = test_lp_kprobe_hits_get,
};
module_param_cb(hits, &test_lp_kprobe_hits_ops, NULL, 0444);
MODULE_PARM_DESC(hits, "runs of the probe's pre handler");

static int test_lp_kprobe_pre(struct kprobe *p, struct pt_regs *regs)
{
	atomic_inc(&hits);
	return 0;
}

static void test_lp_kprobe_post(struct kprobe *p, struct pt_regs *regs,
				unsigned long flags)
{
}

static struct kprobe test_lp_kprobe = {
	.symbol_name = "cmdline_proc_show",
	.pre_handler = test_lp_kprobe_pre,
};

static int __init test_lp_kprobe_init(void)
{
	if (post_handler)
		test_lp_kprobe.post_handler = test_lp_kprobe_post;
	return register_kprobe(&test_lp_kprobe);
}

static void __exit test_lp_kprobe_exit(void)
{
	unregister_kprobe(&test_lp_kprobe);
}

module_init(test_lp_kprobe_init);
module_exit(test_lp_kprobe_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: a kprobe beside a livepatched function");
