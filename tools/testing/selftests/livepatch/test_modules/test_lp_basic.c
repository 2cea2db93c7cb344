// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_basic.c - patch a vmlinux function: cmdline_proc_show(), the
 * code behind /proc/cmdline, which then reads "test_lp_basic: patched".
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>

static int test_lp_basic_cmdline(struct seq_file *m, void *v)
{
	seq_printf(m, "%s: patched\n", THIS_MODULE->name);
	return 0;
}

static struct klp_func test_lp_basic_funcs[] = {
	{ .old_name = "cmdline_proc_show", .new_func = test_lp_basic_cmdline },
	{ }
};

static struct klp_object test_lp_basic_objs[] = {
	{ .funcs = test_lp_basic_funcs },
	{ }
};

static struct klp_patch test_lp_basic_patch = {
	.mod = THIS_MODULE,
	.objs = test_lp_basic_objs,
};

static int __init test_lp_basic_init(void)
{
	return klp_enable_patch(&test_lp_basic_patch);
}

static void __exit test_lp_basic_exit(void)
{
}

module_init(test_lp_basic_init);
module_exit(test_lp_basic_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: patch a vmlinux function");
MODULE_INFO(livepatch, "Y");
