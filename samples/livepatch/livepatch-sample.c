// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * livepatch-sample.c - the smallest useful livepatch
 *
 * Replaces cmdline_proc_show(), the function behind /proc/cmdline, so that
 * reading the file shows a fixed message instead of the boot command line.
 *
 * Try it:
 *	cat /proc/cmdline			# the real command line
 *	insmod livepatch-sample.ko
 *	cat /proc/cmdline			# "this has been live patched"
 *	echo 0 > /sys/kernel/livepatch/livepatch_sample/enabled
 *	cat /proc/cmdline			# the real command line again
 *	rmmod livepatch_sample			# once the directory is gone
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>

/* Same prototype as the function it replaces, in fs/proc/cmdline.c. */
static int lp_sample_cmdline_show(struct seq_file *m, void *v)
{
	seq_puts(m, "this has been live patched\n");
	return 0;
}

static struct klp_func lp_sample_funcs[] = {
	{
		.old_name = "cmdline_proc_show",
		.new_func = lp_sample_cmdline_show,
	},
	{ }
};

static struct klp_object lp_sample_objs[] = {
	{
		.name = NULL,	/* vmlinux */
		.funcs = lp_sample_funcs,
	},
	{ }
};

static struct klp_patch lp_sample_patch = {
	.mod = THIS_MODULE,
	.objs = lp_sample_objs,
};

static int __init lp_sample_init(void)
{
	return klp_enable_patch(&lp_sample_patch);
}

static void __exit lp_sample_exit(void)
{
	/* Nothing: the core holds the module until the patch is disabled. */
}

module_init(lp_sample_init);
module_exit(lp_sample_exit);
MODULE_DESCRIPTION("Livepatch sample: replace /proc/cmdline's output");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
