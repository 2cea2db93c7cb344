// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * livepatch-shadow-mod.c - a leaky module for the shadow variable samples
 *
 * Every second a work item creates a "widget" and retires the widgets that
 * are more than two seconds old.  widget_create() also allocates a label
 * buffer that it forgets to record, so widget_destroy() cannot free it:
 * every widget leaks its label.  struct widget has no room to record it,
 * and a livepatch cannot change the layout of a live structure.
 *
 *	livepatch-shadow-fix1.c fixes the leak with a shadow variable that
 *	remembers each widget's label.
 *	livepatch-shadow-fix2.c, cumulative, keeps that fix and adds a use
 *	counter in a second shadow variable.
 *
 *	insmod livepatch-shadow-mod.ko
 *	dmesg | grep livepatch_shadow_mod	# "leaked" lines, one per widget
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/kmemleak.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#define WIDGET_LIFETIME		(2 * HZ)
#define WIDGET_LABEL_SIZE	32

struct widget {
	struct list_head node;
	unsigned long born;
};

static LIST_HEAD(widgets);
static void widget_tick(struct work_struct *work);
static DECLARE_DELAYED_WORK(widget_work, widget_tick);

/* Buggy: the label is allocated and never recorded (nor freed). */
noinline struct widget *widget_create(void)
{
	struct widget *w = kzalloc(sizeof(*w), GFP_KERNEL);
	char *label = kzalloc(WIDGET_LABEL_SIZE, GFP_KERNEL);

	if (!w || !label) {
		kfree(label);
		kfree(w);
		return NULL;
	}
	snprintf(label, WIDGET_LABEL_SIZE, "widget-%lu", jiffies);
	/* The leak is this sample's point: keep kmemleak quiet about it. */
	kmemleak_not_leak(label);
	w->born = jiffies;
	pr_info("%s: created a widget, label leaked\n", __func__);
	return w;
}
EXPORT_SYMBOL_GPL(widget_create);

noinline void widget_destroy(struct widget *w)
{
	pr_info("%s: destroyed a widget\n", __func__);
	kfree(w);
}
EXPORT_SYMBOL_GPL(widget_destroy);

/* Called for every live widget on each tick; true when it should go. */
noinline bool widget_expired(struct widget *w)
{
	return time_after(jiffies, w->born + WIDGET_LIFETIME);
}
EXPORT_SYMBOL_GPL(widget_expired);

static void widget_tick(struct work_struct *work)
{
	struct widget *w, *tmp;

	list_for_each_entry_safe(w, tmp, &widgets, node) {
		if (widget_expired(w)) {
			list_del(&w->node);
			widget_destroy(w);
		}
	}
	w = widget_create();
	if (w)
		list_add_tail(&w->node, &widgets);
	schedule_delayed_work(&widget_work, HZ);
}

static int __init shadow_mod_init(void)
{
	schedule_delayed_work(&widget_work, HZ);
	return 0;
}

static void __exit shadow_mod_exit(void)
{
	struct widget *w, *tmp;

	cancel_delayed_work_sync(&widget_work);
	list_for_each_entry_safe(w, tmp, &widgets, node) {
		list_del(&w->node);
		widget_destroy(w);
	}
}

module_init(shadow_mod_init);
module_exit(shadow_mod_exit);
MODULE_DESCRIPTION("Livepatch sample: a module with a leak to fix");
MODULE_LICENSE("GPL");
