// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * livepatch-sets-kernel-v2.c - the kernel team's cumulative patch, version 2
 *
 * The upgrade of livepatch-sets-kernel in replace set 1: a new
 * cmdline_proc_show() and a first loadavg_proc_show().  Loaded over
 * version 1, it takes over from it in one transition, while the vendor
 * team's patch (livepatch-sets-vendor, set 2) stays as it is:
 *
 *	insmod livepatch-sets-kernel-v2.ko
 *	cat /proc/cmdline /proc/loadavg /proc/version
 *	rmmod livepatch_sets_kernel	# replaced: its module may go
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>

#define KERNEL_TEAM_SET	1

static int kernel_v2_cmdline_show(struct seq_file *m, void *v)
{
	seq_puts(m, "patched by the kernel team, version 2\n");
	return 0;
}

static int kernel_v2_loadavg_show(struct seq_file *m, void *v)
{
	seq_puts(m, "0.00 0.00 0.00 1/1 1 (kernel team, version 2)\n");
	return 0;
}

static struct klp_func kernel_v2_funcs[] = {
	{ .old_name = "cmdline_proc_show", .new_func = kernel_v2_cmdline_show },
	{ .old_name = "loadavg_proc_show", .new_func = kernel_v2_loadavg_show },
	{ }
};

static struct klp_object kernel_v2_objs[] = {
	{ .name = NULL, .funcs = kernel_v2_funcs },	/* vmlinux */
	{ }
};

static struct klp_patch kernel_v2_patch = {
	.mod = THIS_MODULE,
	.objs = kernel_v2_objs,
	.replace = true,
	.replace_set = KERNEL_TEAM_SET,
};

static int __init kernel_v2_init(void)
{
	return klp_enable_patch(&kernel_v2_patch);
}

static void __exit kernel_v2_exit(void)
{
}

module_init(kernel_v2_init);
module_exit(kernel_v2_exit);
MODULE_DESCRIPTION("Livepatch sample: replace set 1, cumulative patch version 2");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
