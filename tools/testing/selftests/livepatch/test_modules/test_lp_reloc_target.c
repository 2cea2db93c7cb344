// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_reloc_target.c - a module whose static data only a livepatch
 * relocation can reach.
 *
 *	cat /sys/module/test_lp_reloc_target/parameters/answer
 *
 * shows what test_lp_reloc_target_answer() writes: "original" unless
 * test_lp_reloc patched it.  test_lp_reloc_target_secret is static and not
 * exported; the patch reads it through a .klp.rela section.
 */

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static int test_lp_reloc_target_secret __used = 1234;

__noipa int test_lp_reloc_target_answer(char *buf)
{
	return sysfs_emit(buf, "original\n");
}

static int test_lp_reloc_target_get(char *buf, const struct kernel_param *kp)
{
	return test_lp_reloc_target_answer(buf);
}

static const struct kernel_param_ops test_lp_reloc_target_ops = {
	.get = test_lp_reloc_target_get,
};

module_param_cb(answer, &test_lp_reloc_target_ops, NULL, 0444);
MODULE_PARM_DESC(answer, "what test_lp_reloc_target_answer() writes");

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: target with static data");
