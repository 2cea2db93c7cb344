// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_far_target.c - target of the cases of test-settled.sh for the
 * forms of the hook groups' trampolines that nearby functions do not get
 * (kernel/livepatch/settle.c).
 *
 * Each function is alone in a section of its own alignment, which the
 * module loader keeps relative to the module's start, a page boundary (one
 * section with padding between functions would hold instructions that
 * objtool finds unreachable).  Laid out in the order they are defined:
 *
 * - test_lp_far_a() at a multiple of 64 KiB from the start, so at a page
 *   boundary, test_lp_far_c() 256 bytes and test_lp_far_b() 64 KiB after
 *   it: no byte of their addresses, and no window of bits below 16,
 *   differs between all three, so a patch of them gets the search head;
 * - test_lp_near_a() at a page boundary, test_lp_near_b() 32 bytes and
 *   test_lp_near_c() 256 bytes after it: no byte differs between all
 *   three either, bits 5 to 8 do: the table form that masks them.
 *
 * The same holds for the addresses of their fentry calls, a few bytes
 * further.  Reading a parameter named after a function calls it and shows
 * what it returns (1: the original); "layout" shows the offsets that the
 * above depends on.
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

noinline __noipa __section(".text.test_lp_far_c") __aligned(SZ_256)
int test_lp_far_c(void)
{
	return 1;
}

noinline __noipa __section(".text.test_lp_far_b") __aligned(SZ_64K)
int test_lp_far_b(void)
{
	return 1;
}

noinline __noipa __section(".text.test_lp_near_a") __aligned(SZ_4K)
int test_lp_near_a(void)
{
	return 1;
}

noinline __noipa __section(".text.test_lp_near_b") __aligned(32)
int test_lp_near_b(void)
{
	return 1;
}

noinline __noipa __section(".text.test_lp_near_c") __aligned(SZ_256)
int test_lp_near_c(void)
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
module_param_cb(c, &test_lp_far_call_ops, (void *)test_lp_far_c, 0444);
MODULE_PARM_DESC(c, "what test_lp_far_c() returns");
module_param_cb(near_a, &test_lp_far_call_ops, (void *)test_lp_near_a, 0444);
MODULE_PARM_DESC(near_a, "what test_lp_near_a() returns");
module_param_cb(near_b, &test_lp_far_call_ops, (void *)test_lp_near_b, 0444);
MODULE_PARM_DESC(near_b, "what test_lp_near_b() returns");
module_param_cb(near_c, &test_lp_far_call_ops, (void *)test_lp_near_c, 0444);
MODULE_PARM_DESC(near_c, "what test_lp_near_c() returns");

static long test_lp_far_offset(int (*fn)(void), int (*from)(void))
{
	return (long)fn - (long)from;
}

static int test_lp_far_layout(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld %ld %ld %ld %ld %ld\n",
			  (long)test_lp_far_a & (SZ_4K - 1),
			  test_lp_far_offset(test_lp_far_c, test_lp_far_a),
			  test_lp_far_offset(test_lp_far_b, test_lp_far_a),
			  (long)test_lp_near_a & (SZ_4K - 1),
			  test_lp_far_offset(test_lp_near_b, test_lp_near_a),
			  test_lp_far_offset(test_lp_near_c, test_lp_near_a));
}

static const struct kernel_param_ops test_lp_far_layout_ops = {
	.get = test_lp_far_layout,
};

module_param_cb(layout, &test_lp_far_layout_ops, NULL, 0444);
MODULE_PARM_DESC(layout, "test_lp_far_a() modulo 4 KiB, test_lp_far_c() and test_lp_far_b() from it, test_lp_near_a() modulo 4 KiB, test_lp_near_b() and test_lp_near_c() from it");

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: functions that only a search or a masked table tells apart");
