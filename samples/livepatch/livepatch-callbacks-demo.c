// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * livepatch-callbacks-demo.c - when each livepatch callback runs
 *
 * Patches vmlinux (cmdline_proc_show, as livepatch-sample does: while one
 * of the two is enabled, the core refuses the other) and
 * livepatch_callbacks_busymod (its work function), and
 * declares an object for livepatch_callbacks_mod with callbacks only.
 * Every callback logs its name, the object and, for modules, the module's
 * state.  Load and unload the modules in different orders to see:
 *
 *	pre_patch	before an object is patched: at enable time for
 *			loaded objects, or when a target module loads
 *	post_patch	once the patch is fully in place
 *	pre_unpatch	before the object starts going back
 *	post_unpatch	once it is back, or when a target module goes
 *
 * Loaded with pre_patch_ret=-19 (for example), pre_patch fails for vmlinux
 * and the patch does not load.  Written to
 * /sys/module/livepatch_callbacks_demo/parameters/pre_patch_ret once the
 * patch is enabled, it makes a target module loaded afterwards refuse to
 * load.
 *
 *	insmod livepatch-callbacks-mod.ko
 *	insmod livepatch-callbacks-demo.ko
 *	insmod livepatch-callbacks-busymod.ko
 *	rmmod livepatch_callbacks_mod
 *	echo 0 > /sys/kernel/livepatch/livepatch_callbacks_demo/enabled
 *	dmesg | grep livepatch_callbacks_demo
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/workqueue.h>

static int pre_patch_ret;
module_param(pre_patch_ret, int, 0644);
MODULE_PARM_DESC(pre_patch_ret, "value pre_patch returns (default 0)");

static const char *demo_state_name(enum module_state state)
{
	switch (state) {
	case MODULE_STATE_LIVE:
		return "live";
	case MODULE_STATE_COMING:
		return "coming";
	case MODULE_STATE_GOING:
		return "going";
	default:
		return "unformed";
	}
}

static void demo_report(const char *callback, struct klp_object *obj)
{
	if (obj->mod)
		pr_info("%s: %s (%s)\n", callback, obj->mod->name,
			demo_state_name(obj->mod->state));
	else
		pr_info("%s: vmlinux\n", callback);
}

static int demo_pre_patch(struct klp_object *obj)
{
	demo_report(__func__, obj);
	return pre_patch_ret;
}

static void demo_post_patch(struct klp_object *obj)
{
	demo_report(__func__, obj);
}

static void demo_pre_unpatch(struct klp_object *obj)
{
	demo_report(__func__, obj);
}

static void demo_post_unpatch(struct klp_object *obj)
{
	demo_report(__func__, obj);
}

#define DEMO_CALLBACKS {			\
	.pre_patch = demo_pre_patch,		\
	.post_patch = demo_post_patch,		\
	.pre_unpatch = demo_pre_unpatch,	\
	.post_unpatch = demo_post_unpatch,	\
}

static int demo_cmdline_show(struct seq_file *m, void *v)
{
	seq_puts(m, "patched by livepatch-callbacks-demo\n");
	return 0;
}

/* Replaces busymod_work_func(); returns at once. */
static void demo_busymod_work_func(struct work_struct *work)
{
	pr_info("%s: patched work function, not sleeping\n", __func__);
}

static struct klp_func demo_vmlinux_funcs[] = {
	{ .old_name = "cmdline_proc_show", .new_func = demo_cmdline_show },
	{ }
};

static struct klp_func demo_busymod_funcs[] = {
	{ .old_name = "busymod_work_func", .new_func = demo_busymod_work_func },
	{ }
};

static struct klp_func demo_no_funcs[] = {
	{ }
};

static struct klp_object demo_objs[] = {
	{
		.name = NULL,
		.funcs = demo_vmlinux_funcs,
		.callbacks = DEMO_CALLBACKS,
	}, {
		.name = "livepatch_callbacks_mod",
		.funcs = demo_no_funcs,
		.callbacks = DEMO_CALLBACKS,
	}, {
		.name = "livepatch_callbacks_busymod",
		.funcs = demo_busymod_funcs,
		.callbacks = DEMO_CALLBACKS,
	},
	{ }
};

static struct klp_patch demo_patch = {
	.mod = THIS_MODULE,
	.objs = demo_objs,
};

static int __init demo_init(void)
{
	return klp_enable_patch(&demo_patch);
}

static void __exit demo_exit(void)
{
}

module_init(demo_init);
module_exit(demo_exit);
MODULE_DESCRIPTION("Livepatch sample: the four callbacks");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
