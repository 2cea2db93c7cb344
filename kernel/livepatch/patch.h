/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef _LIVEPATCH_PATCH_H
#define _LIVEPATCH_PATCH_H

#include <linux/livepatch.h>
#include <linux/list.h>
#include <linux/ftrace.h>

struct klp_hook_group;

/*
 * kernel/trace's own: whether ftrace gave up on itself (ftrace_bug()),
 * after which an update it returned success for may have changed no call
 * site.  Declared in kernel/trace/trace.h, which is not for outside use.
 */
int ftrace_is_dead(void);

/**
 * struct klp_hook_slot - what a hook group keeps of one of its hooks
 * @target:	where the group's trampoline sends every call when settled
 *		(the replacement, or the original code past the fentry
 *		call); 0 while the handler must choose (settle.c)
 * @ops:	the hook while it is published, a stand-in with an empty
 *		func_stack otherwise (patch.c)
 * @ip:		the function's ftrace location
 * @entry:	the word of the trampoline's table that it reads for the
 *		hook (settle.c), or NULL when the group has no trampoline
 * @to_handler:	what *@entry holds while @target is 0: the address of the
 *		hook's way into the handler
 */
struct klp_hook_slot {
	unsigned long target;
	struct klp_ops *ops;
	unsigned long ip;
	unsigned long *entry;
	unsigned long to_handler;
};

/**
 * struct klp_ops - the hook on one patched function
 * @hnode:	entry in the table of hooks by function address or, for a
 *		dormant hook, in the table of dormant hooks by location
 * @ip_node:	entry in the table of hooks by ftrace location, which is
 *		what ftrace calls the handler with when it does not call
 *		the group's trampoline; only for hooks of groups too large
 *		to scan (patch.c)
 * @ip:		the function's ftrace location
 * @func_stack:	the klp_funcs redirecting the function, newest first
 * @group:	the ftrace_ops that hooks the function, shared with the
 *		other functions hooked at the same time
 * @batch_node:	entry in a list of hooks being added or removed together,
 *		or in its group's list of dormant hooks
 * @slot:	its slot in its group
 *
 * Since non-replace patches may not overlap, @func_stack holds one entry,
 * except while an atomic-replace patch takes over: then the new patch's
 * entry sits in front of the entry of the patch of its replace set that it
 * replaces, and tasks not yet switched keep using the second one.  Entries
 * of two replace sets never share a function.
 */
struct klp_ops {
	struct hlist_node hnode;
	struct hlist_node ip_node;
	unsigned long ip;
	struct list_head func_stack;
	struct klp_hook_group *group;
	struct list_head batch_node;
	struct klp_hook_slot *slot;
};

struct klp_ops *klp_ops_lookup(void *old_func);
void klp_wait_handlers(void);
void klp_wait_redirections(void);

int klp_redirect_object(struct klp_object *obj);
void klp_restore_object(struct klp_object *obj);
bool klp_restore_patch(struct klp_patch *patch);
void klp_restore_nops(struct klp_patch *patch);

void klp_settle_all(void);
void klp_unsettle_patch(struct klp_patch *patch);
bool klp_func_settled(struct klp_func *func);
void klp_trampoline_handler(unsigned long *fentry_ret, unsigned long parent_ip,
			    struct klp_hook_slot *slot);

#ifdef CONFIG_LIVEPATCH_SETTLED_CALLS
void *klp_build_trampoline(struct klp_ops **hooks, unsigned int nr);
void klp_free_trampoline(void *tramp);
#else
static inline void *klp_build_trampoline(struct klp_ops **hooks,
					 unsigned int nr)
{
	return NULL;
}

static inline void klp_free_trampoline(void *tramp)
{
}
#endif

#endif /* _LIVEPATCH_PATCH_H */
