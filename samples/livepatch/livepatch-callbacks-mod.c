// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * livepatch-callbacks-mod.c - a plain module for livepatch-callbacks-demo
 *
 * Does nothing but exist: loading it while livepatch-callbacks-demo is
 * enabled shows the demo's callbacks for a module that arrives late, and
 * unloading it shows the ones for a module that goes.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

static int __init cbmod_init(void)
{
	pr_info("loaded\n");
	return 0;
}

static void __exit cbmod_exit(void)
{
	pr_info("unloaded\n");
}

module_init(cbmod_init);
module_exit(cbmod_exit);
MODULE_DESCRIPTION("Livepatch sample: target module for the callbacks demo");
MODULE_LICENSE("GPL");
