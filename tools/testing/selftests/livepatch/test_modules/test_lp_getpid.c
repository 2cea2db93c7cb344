// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_getpid.c - a livepatch of the getpid(2) system call
 * (__x64_sys_getpid()).  The parameter "pids" lists the processes the test
 * watches (up to TEST_LP_GETPID_MAX); "pending" reads how many of them
 * have not run the patched system call yet.  A process runs it only once
 * the transition has switched it, so "pending" reaching 0 means every
 * watched process went through the transition.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/sched.h>

#define TEST_LP_GETPID_MAX	64

static int pids[TEST_LP_GETPID_MAX];
static unsigned int nr_pids;
module_param_array(pids, int, &nr_pids, 0444);
MODULE_PARM_DESC(pids, "the processes to watch");

static DECLARE_BITMAP(seen, TEST_LP_GETPID_MAX);

static int test_lp_getpid_pending_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%u\n", nr_pids - bitmap_weight(seen, nr_pids));
}

static const struct kernel_param_ops test_lp_getpid_pending_ops = {
	.get = test_lp_getpid_pending_get,
};
module_param_cb(pending, &test_lp_getpid_pending_ops, NULL, 0444);
MODULE_PARM_DESC(pending, "watched processes that have not run the patched getpid()");

static long test_lp_getpid(const struct pt_regs *regs)
{
	pid_t tgid = task_tgid_vnr(current);
	unsigned int i;

	for (i = 0; i < nr_pids; i++) {
		if (pids[i] == tgid) {
			set_bit(i, seen);
			break;
		}
	}
	return tgid;
}

static struct klp_func test_lp_getpid_funcs[] = {
	{ .old_name = "__x64_sys_getpid", .new_func = test_lp_getpid },
	{ }
};

static struct klp_object test_lp_getpid_objs[] = {
	{ .funcs = test_lp_getpid_funcs },	/* vmlinux */
	{ }
};

static struct klp_patch test_lp_getpid_patch = {
	.mod = THIS_MODULE,
	.objs = test_lp_getpid_objs,
};

static int __init test_lp_getpid_init(void)
{
	return klp_enable_patch(&test_lp_getpid_patch);
}

static void __exit test_lp_getpid_exit(void)
{
}

module_init(test_lp_getpid_init);
module_exit(test_lp_getpid_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: the getpid() system call patched under load");
MODULE_INFO(livepatch, "Y");
