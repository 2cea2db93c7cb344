// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_far_target.c - target of the case of test-settled.sh for the
 * tree form of the hook groups' trampolines (kernel/livepatch/settle.c).
 *
 * Its two functions are alone in sections aligned to 64 KiB, which the
 * module loader places at multiples of 64 KiB from the module's start
 * (one section for both would hold padding instructions, which objtool
 * finds unreachable).  Their addresses, and those of their fentry calls,
 * differ in no bit below 16: no table of up to 64 KiB tells them apart, and a patch of both gets a
 * trampoline with a tree of compares.  Reading the parameter "a" or "b"
 * calls the function and shows what it returns (1: the original);
 * "distance" is how far apart they are.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>

noinline __noipa __section(".text.test_lp_far_a") __aligned(SZ_64K)
int test_lp_far_a(void)
{
	return 1;
}

noinline __noipa __section(".text.test_lp_far_b") __aligned(SZ_64K)
int test_lp_far_b(void)
{
	return 1;
}

static int test_lp_far_call(char *buf, const struct kernel_param *kp)
{
	int (*fn)(void) = kp->arg;

	return sysfs_emit(buf, "%d\n", fn());
}

static const struct kernel_param_ops test_lp_far_call_ops = {
	.get = test_lp_far_call,
};

module_param_cb(a, &test_lp_far_call_ops, (void *)test_lp_far_a, 0444);
MODULE_PARM_DESC(a, "what test_lp_far_a() returns");
module_param_cb(b, &test_lp_far_call_ops, (void *)test_lp_far_b, 0444);
MODULE_PARM_DESC(b, "what test_lp_far_b() returns");

static int test_lp_far_distance(char *buf, const struct kernel_param *kp)
{
	long d = (long)test_lp_far_b - (long)test_lp_far_a;

	return sysfs_emit(buf, "%ld\n", d);
}

static const struct kernel_param_ops test_lp_far_distance_ops = {
	.get = test_lp_far_distance,
};

module_param_cb(distance, &test_lp_far_distance_ops, NULL, 0444);
MODULE_PARM_DESC(distance, "address of test_lp_far_b() minus that of test_lp_far_a()");

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: two functions 64 KiB apart");
