// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * livepatch-conflict-cumulative.c - combining fixes the right way
 *
 * A cumulative (atomic replace) patch carries every change that should be
 * live: here a new version of cmdline_proc_show() and the /proc/version
 * fix of livepatch-conflict-hotfix.  Loaded over livepatch-sample and
 * livepatch-conflict-hotfix, it takes over both functions in one
 * transition; when it completes, the older patches are disabled and their
 * sysfs directories go, so their modules can be removed:
 *
 *	insmod livepatch-conflict-cumulative.ko
 *	ls /sys/kernel/livepatch		# only livepatch_conflict_cumulative
 *	rmmod livepatch_sample livepatch_conflict_hotfix
 *
 * Functions that an older patch changed and this one does not would go
 * back to their original code.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>

static int cumulative_cmdline_show(struct seq_file *m, void *v)
{
	seq_puts(m, "patched by livepatch-conflict-cumulative\n");
	return 0;
}

static int cumulative_version_show(struct seq_file *m, void *v)
{
	seq_puts(m, "Linux version patched by livepatch-conflict-cumulative\n");
	return 0;
}

static struct klp_func cumulative_funcs[] = {
	{ .old_name = "cmdline_proc_show", .new_func = cumulative_cmdline_show },
	{ .old_name = "version_proc_show", .new_func = cumulative_version_show },
	{ }
};

static struct klp_object cumulative_objs[] = {
	{ .name = NULL, .funcs = cumulative_funcs },	/* vmlinux */
	{ }
};

static struct klp_patch cumulative_patch = {
	.mod = THIS_MODULE,
	.objs = cumulative_objs,
	.replace = true,
};

static int __init cumulative_init(void)
{
	return klp_enable_patch(&cumulative_patch);
}

static void __exit cumulative_exit(void)
{
}

module_init(cumulative_init);
module_exit(cumulative_exit);
MODULE_DESCRIPTION("Livepatch sample: a cumulative patch replacing two others");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
