// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * livepatch-sets-kernel.c - the kernel team's cumulative patch, version 1
 *
 * Two teams ship livepatches for one kernel, each a cumulative patch of
 * its own replace set: the kernel team in set 1 (this sample and
 * livepatch-sets-kernel-v2), a vendor team in set 2 (livepatch-sets-vendor).
 * Each team upgrades its own patch without touching the other's:
 *
 *	insmod livepatch-sets-kernel.ko		# set 1: /proc/cmdline
 *	insmod livepatch-sets-vendor.ko		# set 2: /proc/version
 *	insmod livepatch-sets-kernel-v2.ko	# replaces set 1 only
 *	ls /sys/kernel/livepatch	# livepatch_sets_vendor livepatch_sets_kernel_v2
 *	cat /sys/kernel/livepatch/livepatch_sets_vendor/replace_set	# 2
 *
 * See Documentation/livepatch/cumulative-patches.rst.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>

#define KERNEL_TEAM_SET	1

static int kernel_v1_cmdline_show(struct seq_file *m, void *v)
{
	seq_puts(m, "patched by the kernel team, version 1\n");
	return 0;
}

static struct klp_func kernel_v1_funcs[] = {
	{ .old_name = "cmdline_proc_show", .new_func = kernel_v1_cmdline_show },
	{ }
};

static struct klp_object kernel_v1_objs[] = {
	{ .name = NULL, .funcs = kernel_v1_funcs },	/* vmlinux */
	{ }
};

static struct klp_patch kernel_v1_patch = {
	.mod = THIS_MODULE,
	.objs = kernel_v1_objs,
	.replace = true,
	.replace_set = KERNEL_TEAM_SET,
};

static int __init kernel_v1_init(void)
{
	return klp_enable_patch(&kernel_v1_patch);
}

static void __exit kernel_v1_exit(void)
{
}

module_init(kernel_v1_init);
module_exit(kernel_v1_exit);
MODULE_DESCRIPTION("Livepatch sample: replace set 1, cumulative patch version 1");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
