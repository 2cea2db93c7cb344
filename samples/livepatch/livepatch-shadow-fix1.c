// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * livepatch-shadow-fix1.c - fix a leak with a shadow variable
 *
 * livepatch-shadow-mod leaks the label of every widget it creates.  This
 * patch replaces widget_create() to record the label in a shadow variable
 * attached to the widget, and widget_destroy() to free the label it finds
 * there.  Widgets created before the patch have no shadow variable: their
 * labels stay leaked, which is the best a live fix can do.
 *
 *	insmod livepatch-shadow-mod.ko
 *	insmod livepatch-shadow-fix1.ko
 *	dmesg | grep -e widget_create -e widget_destroy	# no more leaks
 *
 * Disabling the patch frees the labels of the widgets still alive (the
 * post_unpatch callback), since the original code would leak them.  A
 * later fix that also changes these functions must be cumulative and take
 * the shadow variables over: see livepatch-shadow-fix2.c.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/slab.h>

/* Shared with livepatch-shadow-fix2: the same id means the same data. */
#define SHADOW_LABEL_ID		1
#define WIDGET_LABEL_SIZE	32

/* Only the fields the fix uses; the layout is the target module's. */
struct widget {
	struct list_head node;
	unsigned long born;
};

static int fix1_store_label(void *obj, void *shadow_data, void *ctor_data)
{
	*(char **)shadow_data = ctor_data;
	return 0;
}

static void fix1_free_label(void *obj, void *shadow_data)
{
	kfree(*(char **)shadow_data);
}

static struct widget *fix1_widget_create(void)
{
	struct widget *w = kzalloc(sizeof(*w), GFP_KERNEL);
	char *label = kzalloc(WIDGET_LABEL_SIZE, GFP_KERNEL);

	if (!w || !label)
		goto fail;
	snprintf(label, WIDGET_LABEL_SIZE, "widget-%lu", jiffies);
	if (!klp_shadow_alloc(w, SHADOW_LABEL_ID, sizeof(label), GFP_KERNEL,
			      fix1_store_label, label))
		goto fail;
	w->born = jiffies;
	pr_info("%s: created a widget, label kept in a shadow variable\n",
		__func__);
	return w;
fail:
	kfree(label);
	kfree(w);
	return NULL;
}

static void fix1_widget_destroy(struct widget *w)
{
	klp_shadow_free(w, SHADOW_LABEL_ID, fix1_free_label);
	pr_info("%s: destroyed a widget and its label\n", __func__);
	kfree(w);
}

static void fix1_post_unpatch(struct klp_object *obj)
{
	klp_shadow_free_all(SHADOW_LABEL_ID, fix1_free_label);
}

static struct klp_func fix1_funcs[] = {
	{ .old_name = "widget_create", .new_func = fix1_widget_create },
	{ .old_name = "widget_destroy", .new_func = fix1_widget_destroy },
	{ }
};

static struct klp_object fix1_objs[] = {
	{
		.name = "livepatch_shadow_mod",
		.funcs = fix1_funcs,
		.callbacks = { .post_unpatch = fix1_post_unpatch },
	},
	{ }
};

static struct klp_patch fix1_patch = {
	.mod = THIS_MODULE,
	.objs = fix1_objs,
};

static int __init fix1_init(void)
{
	return klp_enable_patch(&fix1_patch);
}

static void __exit fix1_exit(void)
{
}

module_init(fix1_init);
module_exit(fix1_exit);
MODULE_DESCRIPTION("Livepatch sample: fix a leak with a shadow variable");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
