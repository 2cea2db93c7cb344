// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * twins_target_two.c - second half of test_lp_twins_target: the other
 * test_lp_twin(), sympos 2 (see twins_target_one.c).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>

/* Read only by test_lp_reloc_* patches, through livepatch relocations. */
static char test_lp_twin_file[] __used = "two";

static __noipa const char *test_lp_twin(void)
{
	return "original";
}

static int test_lp_twin_two_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%s\n", test_lp_twin());
}

static const struct kernel_param_ops test_lp_twin_two_ops = {
	.get = test_lp_twin_two_get,
};
module_param_cb(two, &test_lp_twin_two_ops, NULL, 0444);
MODULE_PARM_DESC(two, "which code the second test_lp_twin() runs");
