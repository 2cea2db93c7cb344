// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * livepatch-conflict-overlap.c - a patch that is refused
 *
 * Changes cmdline_proc_show() again, without being cumulative.  While
 * livepatch-sample (which changes the same function) is enabled, loading
 * it fails with "Invalid argument" and the kernel log says:
 *
 *	livepatch: Function 'cmdline_proc_show,1' in object 'vmlinux'
 *		has already been livepatched.
 *	livepatch: Use cumulative livepatches for dependent changes.
 *	livepatch: Function 'cmdline_proc_show,1' in object 'vmlinux'
 *		is patched by 'livepatch_sample': ...
 *
 * (each message is one line in the log)
 *
 * Nothing of it remains.  On its own (no other patch of the function
 * enabled) it loads like any patch.  To change a function that is patched
 * already, ship a cumulative patch: livepatch-conflict-cumulative.c.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>

static int overlap_cmdline_show(struct seq_file *m, void *v)
{
	seq_puts(m, "patched by livepatch-conflict-overlap\n");
	return 0;
}

static struct klp_func overlap_funcs[] = {
	{ .old_name = "cmdline_proc_show", .new_func = overlap_cmdline_show },
	{ }
};

static struct klp_object overlap_objs[] = {
	{ .name = NULL, .funcs = overlap_funcs },	/* vmlinux */
	{ }
};

static struct klp_patch overlap_patch = {
	.mod = THIS_MODULE,
	.objs = overlap_objs,
};

static int __init overlap_init(void)
{
	return klp_enable_patch(&overlap_patch);
}

static void __exit overlap_exit(void)
{
}

module_init(overlap_init);
module_exit(overlap_exit);
MODULE_DESCRIPTION("Livepatch sample: an overlapping patch, refused while another patch owns the function");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
