/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_lp_reloc_twin.h - the body of the test_lp_reloc_<case> patches,
 * which read a static variable of test_lp_twins_target through a
 * livepatch relocation.  The module has two variables of that name,
 * test_lp_twin_file: "one" at sympos 1 (twins_target_one.c) and "two" at
 * sympos 2.  Each case defines TEST_LP_TWIN_REF, the placeholder's name
 * (klp_sym$<object>$<symbol>$<sympos>, see test_lp_reloc.h), before it
 * includes this file.
 *
 * The patch makes /sys/module/test_lp_twins_target/parameters/one print
 * the variable it resolved to; a relocation the core cannot resolve
 * fails the patch, or the module load that would need it.
 */

#ifndef _TEST_LP_RELOC_TWIN_H
#define _TEST_LP_RELOC_TWIN_H

#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

extern char test_lp_twin_ref[] __asm__(TEST_LP_TWIN_REF) __weak;

static int test_lp_reloc_twin_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", test_lp_twin_ref);
}

static struct klp_func test_lp_reloc_twin_funcs[] = {
	{
		.old_name = "test_lp_twin_one_get",
		.new_func = test_lp_reloc_twin_get,
	},
	{ }
};

static struct klp_object test_lp_reloc_twin_objs[] = {
	{ .name = "test_lp_twins_target", .funcs = test_lp_reloc_twin_funcs },
	{ }
};

static struct klp_patch test_lp_reloc_twin_patch = {
	.mod = THIS_MODULE,
	.objs = test_lp_reloc_twin_objs,
};

static int __init test_lp_reloc_twin_init(void)
{
	return klp_enable_patch(&test_lp_reloc_twin_patch);
}

static void __exit test_lp_reloc_twin_exit(void)
{
}

module_init(test_lp_reloc_twin_init);
module_exit(test_lp_reloc_twin_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");

#endif /* _TEST_LP_RELOC_TWIN_H */
