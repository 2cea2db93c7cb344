// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * livepatch-shadow-fix2.c - a second fix that depends on the first
 *
 * Adds a counter of how often each widget was checked, in a second shadow
 * variable, and keeps livepatch-shadow-fix1's leak fix.  It changes
 * widget_destroy() too, which fix1 already changes, so it could not be
 * loaded beside fix1: it is cumulative (.replace = true) and carries
 * fix1's code, taking over fix1's shadow variables (same id and layout).
 *
 *	insmod livepatch-shadow-mod.ko
 *	insmod livepatch-shadow-fix1.ko
 *	insmod livepatch-shadow-fix2.ko	# replaces fix1, which goes away
 *	rmmod livepatch_shadow_fix1
 *	dmesg | grep widget_destroy		# labels freed, checks counted
 *
 * Loaded alone, it fixes the leak by itself just as well.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/slab.h>

#define SHADOW_LABEL_ID		1	/* as in livepatch-shadow-fix1 */
#define SHADOW_CHECKS_ID	2
#define WIDGET_LABEL_SIZE	32
#define WIDGET_LIFETIME		(2 * HZ)

struct widget {
	struct list_head node;
	unsigned long born;
};

static int fix2_store_label(void *obj, void *shadow_data, void *ctor_data)
{
	*(char **)shadow_data = ctor_data;
	return 0;
}

static void fix2_free_label(void *obj, void *shadow_data)
{
	kfree(*(char **)shadow_data);
}

static struct widget *fix2_widget_create(void)
{
	struct widget *w = kzalloc(sizeof(*w), GFP_KERNEL);
	char *label = kzalloc(WIDGET_LABEL_SIZE, GFP_KERNEL);

	if (!w || !label)
		goto fail;
	snprintf(label, WIDGET_LABEL_SIZE, "widget-%lu", jiffies);
	if (!klp_shadow_alloc(w, SHADOW_LABEL_ID, sizeof(label), GFP_KERNEL,
			      fix2_store_label, label))
		goto fail;
	w->born = jiffies;
	return w;
fail:
	kfree(label);
	kfree(w);
	return NULL;
}

static bool fix2_widget_expired(struct widget *w)
{
	unsigned int *checks;

	/* Runs from the module's work item: no sleeping allocation here. */
	checks = klp_shadow_get_or_alloc(w, SHADOW_CHECKS_ID, sizeof(*checks),
					 GFP_NOWAIT, NULL, NULL);
	if (checks)
		(*checks)++;
	return time_after(jiffies, w->born + WIDGET_LIFETIME);
}

static void fix2_widget_destroy(struct widget *w)
{
	unsigned int *checks = klp_shadow_get(w, SHADOW_CHECKS_ID);

	pr_info("%s: destroyed a widget checked %u times\n", __func__,
		checks ? *checks : 0);
	klp_shadow_free(w, SHADOW_CHECKS_ID, NULL);
	klp_shadow_free(w, SHADOW_LABEL_ID, fix2_free_label);
	kfree(w);
}

static void fix2_post_unpatch(struct klp_object *obj)
{
	klp_shadow_free_all(SHADOW_CHECKS_ID, NULL);
	klp_shadow_free_all(SHADOW_LABEL_ID, fix2_free_label);
}

static struct klp_func fix2_funcs[] = {
	{ .old_name = "widget_create", .new_func = fix2_widget_create },
	{ .old_name = "widget_expired", .new_func = fix2_widget_expired },
	{ .old_name = "widget_destroy", .new_func = fix2_widget_destroy },
	{ }
};

static struct klp_object fix2_objs[] = {
	{
		.name = "livepatch_shadow_mod",
		.funcs = fix2_funcs,
		.callbacks = { .post_unpatch = fix2_post_unpatch },
	},
	{ }
};

static struct klp_patch fix2_patch = {
	.mod = THIS_MODULE,
	.objs = fix2_objs,
	.replace = true,
};

static int __init fix2_init(void)
{
	return klp_enable_patch(&fix2_patch);
}

static void __exit fix2_exit(void)
{
}

module_init(fix2_init);
module_exit(fix2_exit);
MODULE_DESCRIPTION("Livepatch sample: a cumulative fix taking over shadow variables");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
