// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_reloc.c - a patch that reaches symbols it cannot link against,
 * through livepatch relocations, as kpatch-built modules do.
 *
 * test_lp_reloc_target_answer() becomes one that writes the static
 * test_lp_reloc_target_secret of the module and the first word of vmlinux's
 * linux_banner (not exported): "secret=1234 banner=Linux".  Both are weak
 * placeholders here (test_lp_reloc.h); klp-convert.py (run by vmtest.sh on the built module)
 * turns them into .klp.sym symbols and their relocations into a
 * .klp.rela.vmlinux section, applied when this module loads, and a
 * .klp.rela.test_lp_reloc_target section, applied whenever the target
 * module is patched.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/livepatch.h>
#include <linux/module.h>
#include "test_lp_reloc.h"

static int test_lp_reloc_answer(char *buf)
{
	return sysfs_emit(buf, "secret=%d banner=%.5s\n", test_lp_reloc_secret,
			  test_lp_reloc_banner);
}

static struct klp_func test_lp_reloc_funcs[] = {
	{
		.old_name = "test_lp_reloc_target_answer",
		.new_func = test_lp_reloc_answer,
	},
	{ }
};

static struct klp_object test_lp_reloc_objs[] = {
	{ .name = "test_lp_reloc_target", .funcs = test_lp_reloc_funcs },
	{ }
};

static struct klp_patch test_lp_reloc_patch = {
	.mod = THIS_MODULE,
	.objs = test_lp_reloc_objs,
};

static int __init test_lp_reloc_init(void)
{
	return klp_enable_patch(&test_lp_reloc_patch);
}

static void __exit test_lp_reloc_exit(void)
{
}

module_init(test_lp_reloc_init);
module_exit(test_lp_reloc_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: livepatch relocations");
MODULE_INFO(livepatch, "Y");
