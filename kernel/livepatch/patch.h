/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef _LIVEPATCH_PATCH_H
#define _LIVEPATCH_PATCH_H

#include <linux/livepatch.h>
#include <linux/list.h>
#include <linux/ftrace.h>

/**
 * struct klp_ops - the ftrace hook on one patched function
 * @hnode:	entry in the table of hooks, keyed by the function's address
 * @func_stack:	the klp_funcs redirecting the function, newest first
 * @fops:	the ftrace_ops registered for the function
 *
 * Since non-replace patches may not overlap, @func_stack holds one entry,
 * except while an atomic-replace patch takes over: then the new patch's
 * entry sits in front of the entry of the patch it replaces, and tasks not
 * yet switched keep using the second one.
 */
struct klp_ops {
	struct hlist_node hnode;
	struct list_head func_stack;
	struct ftrace_ops fops;
};

struct klp_ops *klp_ops_lookup(void *old_func);

int klp_redirect_object(struct klp_object *obj);
void klp_restore_object(struct klp_object *obj);
void klp_restore_patch(struct klp_patch *patch);
void klp_restore_nops(struct klp_patch *patch);

#endif /* _LIVEPATCH_PATCH_H */
