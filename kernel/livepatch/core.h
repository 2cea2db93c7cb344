/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal interface of the livepatch core: the patch list, the lock that
 * guards it, and the per-object callback helpers shared by core.c and
 * transition.c.
 */
#ifndef _LIVEPATCH_CORE_H
#define _LIVEPATCH_CORE_H

#include <linux/livepatch.h>

extern struct mutex klp_mutex;
extern struct list_head klp_patches;

int klp_mutex_lock_or_restart(void);

#define klp_for_each_active_patch_safe(patch, tmp_patch)		\
	list_for_each_entry_safe(patch, tmp_patch, &klp_patches, list)

#define klp_for_each_active_patch(patch)	\
	list_for_each_entry(patch, &klp_patches, list)

/* An atomic replace takes over from the patches of its own set only. */
static inline bool klp_same_set(struct klp_patch *a, struct klp_patch *b)
{
	return a->replace_set == b->replace_set;
}

void klp_release_patch_async(struct klp_patch *patch, bool was_live);
void klp_release_replaced_patches(struct klp_patch *new_patch);
void klp_retire_replaced_patches(struct klp_patch *new_patch);
void klp_drop_nops(struct klp_patch *new_patch);

static inline bool klp_obj_is_module(struct klp_object *obj)
{
	return obj->name;
}

/* Name used in sysfs and in messages: a module's name, or "vmlinux". */
static inline const char *klp_obj_name(struct klp_object *obj)
{
	return klp_obj_is_module(obj) ? obj->name : "vmlinux";
}

static inline bool klp_object_loaded(struct klp_object *obj)
{
	return !klp_obj_is_module(obj) || obj->mod;
}

/*
 * post_unpatch is owed only to objects whose pre_patch ran and succeeded
 * (or that had none): remember which, so that every unpatch path, whether
 * it follows a completed transition, a cancelled one or a module unload,
 * calls it at most once.
 */
static inline int klp_run_pre_patch(struct klp_object *obj)
{
	int (*cb)(struct klp_object *obj) = obj->callbacks.pre_patch;
	int err = cb ? cb(obj) : 0;

	obj->callbacks.post_unpatch_enabled = (err == 0);
	return err;
}

static inline void klp_run_post_patch(struct klp_object *obj)
{
	if (obj->callbacks.post_patch)
		obj->callbacks.post_patch(obj);
}

static inline void klp_run_pre_unpatch(struct klp_object *obj)
{
	if (obj->callbacks.pre_unpatch)
		obj->callbacks.pre_unpatch(obj);
}

static inline void klp_run_post_unpatch(struct klp_object *obj)
{
	bool owed = obj->callbacks.post_unpatch_enabled;

	obj->callbacks.post_unpatch_enabled = false;
	if (owed && obj->callbacks.post_unpatch)
		obj->callbacks.post_unpatch(obj);
}

#endif /* _LIVEPATCH_CORE_H */
