// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * twins_target_one.c - first half of test_lp_twins_target, whose two
 * source files each have a static test_lp_twin(): two functions of one
 * name in one module, sympos 1 (this file, linked first) and 2 in its
 * symbol table.  Each returns "original"; a livepatch of the conflict
 * tests (test_lp_conflict.h) returns its module's name instead.  Reading
 * /sys/module/test_lp_twins_target/parameters/one calls this file's twin,
 * .../two the other file's.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>

/* Read only by test_lp_reloc_* patches, through livepatch relocations. */
static char test_lp_twin_file[] __used = "one";

/* __noipa: every read really calls the function, where a patch hooks it. */
static __noipa const char *test_lp_twin(void)
{
	return "original";
}

static int test_lp_twin_one_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%s\n", test_lp_twin());
}

static const struct kernel_param_ops test_lp_twin_one_ops = {
	.get = test_lp_twin_one_get,
};
module_param_cb(one, &test_lp_twin_one_ops, NULL, 0444);
MODULE_PARM_DESC(one, "which code the first test_lp_twin() runs");

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: two static functions of one name in one module");
