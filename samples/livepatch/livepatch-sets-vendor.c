// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * livepatch-sets-vendor.c - a vendor team's cumulative patch, replace set 2
 *
 * It changes /proc/version, and lives beside the kernel team's patches of
 * set 1 (livepatch-sets-kernel, livepatch-sets-kernel-v2): an upgrade of
 * either set leaves the other set's patch alone.  No team may change a
 * function of the other's, not even with a cumulative patch; with
 * overreach=1 this patch also tries to change cmdline_proc_show(), which
 * set 1 owns, and is refused:
 *
 *	insmod livepatch-sets-kernel.ko
 *	insmod livepatch-sets-vendor.ko overreach=1	# Invalid argument
 *	dmesg | tail -n 3	# "... is patched by 'livepatch_sets_kernel' of replace set 1 ..."
 *	insmod livepatch-sets-vendor.ko
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>

#define VENDOR_TEAM_SET	2

static bool overreach;
module_param(overreach, bool, 0444);
MODULE_PARM_DESC(overreach, "also change cmdline_proc_show(), set 1's (refused)");

static int vendor_version_show(struct seq_file *m, void *v)
{
	seq_puts(m, "Linux version patched by the vendor team\n");
	return 0;
}

static int vendor_cmdline_show(struct seq_file *m, void *v)
{
	seq_puts(m, "patched by the vendor team\n");
	return 0;
}

/* The second entry is filled in with overreach=1. */
static struct klp_func vendor_funcs[] = {
	{ .old_name = "version_proc_show", .new_func = vendor_version_show },
	{ },
	{ }
};

static struct klp_object vendor_objs[] = {
	{ .name = NULL, .funcs = vendor_funcs },	/* vmlinux */
	{ }
};

static struct klp_patch vendor_patch = {
	.mod = THIS_MODULE,
	.objs = vendor_objs,
	.replace = true,
	.replace_set = VENDOR_TEAM_SET,
};

static int __init vendor_init(void)
{
	if (overreach) {
		vendor_funcs[1].old_name = "cmdline_proc_show";
		vendor_funcs[1].new_func = vendor_cmdline_show;
	}
	return klp_enable_patch(&vendor_patch);
}

static void __exit vendor_exit(void)
{
}

module_init(vendor_init);
module_exit(vendor_exit);
MODULE_DESCRIPTION("Livepatch sample: replace set 2, and a refused overreach into set 1");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
