// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * livepatch-conflict-hotfix.c - an independent hot fix
 *
 * Changes version_proc_show(), behind /proc/version, and nothing else.  It
 * shares no function with livepatch-sample, so the two can be enabled side
 * by side and disabled in any order:
 *
 *	insmod livepatch-sample.ko
 *	insmod livepatch-conflict-hotfix.ko	# accepted: no overlap
 *	cat /proc/cmdline /proc/version		# both patched
 *	echo 0 > /sys/kernel/livepatch/livepatch_sample/enabled	# any order
 *
 * See livepatch-conflict-overlap.c for a patch that is refused, and
 * livepatch-conflict-cumulative.c for the right way to combine fixes.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>

static int hotfix_version_show(struct seq_file *m, void *v)
{
	seq_puts(m, "Linux version patched by livepatch-conflict-hotfix\n");
	return 0;
}

static struct klp_func hotfix_funcs[] = {
	{ .old_name = "version_proc_show", .new_func = hotfix_version_show },
	{ }
};

static struct klp_object hotfix_objs[] = {
	{ .name = NULL, .funcs = hotfix_funcs },	/* vmlinux */
	{ }
};

static struct klp_patch hotfix_patch = {
	.mod = THIS_MODULE,
	.objs = hotfix_objs,
};

static int __init hotfix_init(void)
{
	return klp_enable_patch(&hotfix_patch);
}

static void __exit hotfix_exit(void)
{
}

module_init(hotfix_init);
module_exit(hotfix_exit);
MODULE_DESCRIPTION("Livepatch sample: an independent hot fix of /proc/version");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
