// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * patch.c - redirect patched functions through ftrace
 *
 * Every patched function gets one struct klp_ops: an ftrace_ops filtered
 * on the function's ftrace location, whose handler rewrites the saved
 * instruction pointer so that the call returns into the replacement.
 *
 * Locking: the table of klp_ops and every func_stack are changed only with
 * klp_mutex held.  The handler runs in any context, lock-free: it reads
 * func_stack under the preemption-disabled section that the ftrace
 * recursion guard gives it, which is an RCU-sched (and, for code where RCU
 * is not watching, an RCU-tasks-rude) read side.  Writers therefore use the
 * _rcu list primitives and wait for those grace periods before freeing.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/kernel.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/bug.h>
#include <linux/printk.h>
#include "core.h"
#include "patch.h"
#include "transition.h"

/* Hooks by function address: lookups stay O(1) with thousands of them. */
static DEFINE_HASHTABLE(klp_ops_table, 10);

struct klp_ops *klp_ops_lookup(void *old_func)
{
	struct klp_ops *ops;
	struct klp_func *first;

	hash_for_each_possible(klp_ops_table, ops, hnode, (unsigned long)old_func) {
		first = list_first_entry(&ops->func_stack, struct klp_func,
					 stack_node);
		if (first->old_func == old_func)
			return ops;
	}
	return NULL;
}

/*
 * Pick the code a task must run.  The newest entry wins, unless the
 * function is in transition and this task has not switched yet: then the
 * task keeps the code it ran before the transition, which is the next
 * entry, or the original function when there is none.
 */
static struct klp_func *klp_select_func(struct klp_ops *ops)
{
	struct klp_func *func;

	func = list_first_or_null_rcu(&ops->func_stack, struct klp_func,
				      stack_node);
	if (WARN_ON_ONCE(!func))
		return NULL;

	/*
	 * Read func->transition only after finding func on the stack.  When
	 * patching, klp_prepare_transition() sets the flag before the entry
	 * is published, and the release in list_add_rcu() (klp_hook_func(),
	 * klp_redirect_func()) is the pair: whoever finds the new entry sees
	 * the flag.  When unpatching, the entry is already there and both values
	 * of the flag select the patched code until tasks switch; the clear
	 * in klp_finish_transition() waits for handlers first.
	 */
	smp_rmb();
	if (unlikely(func->transition)) {
		int state;

		/*
		 * Read the task's state only after seeing the flag: pairs
		 * with the smp_wmb() in klp_prepare_transition() that orders
		 * the task->patch_state initialisation before the flag.
		 */
		smp_rmb();
		state = current->patch_state;
		WARN_ON_ONCE(state == KLP_UNDEFINED);
		if (state == KLP_UNPATCHED) {
			func = list_entry_rcu(func->stack_node.next,
					      struct klp_func, stack_node);
			if (&func->stack_node == &ops->func_stack)
				return NULL;
		}
	}

	/* A nop stands for the original code. */
	return func->nop ? NULL : func;
}

static void notrace klp_redirect_handler(unsigned long ip,
					 unsigned long parent_ip,
					 struct ftrace_ops *fops,
					 struct ftrace_regs *fregs)
{
	struct klp_ops *ops = container_of(fops, struct klp_ops, fops);
	struct klp_func *func;
	int bit;

	/* Also disables preemption: our RCU read side (see top of file). */
	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (WARN_ON_ONCE(bit < 0))
		return;

	func = klp_select_func(ops);
	if (func)
		ftrace_instruction_pointer_set(fregs,
					       (unsigned long)func->new_func);

	ftrace_test_recursion_unlock(bit);
}

static unsigned long klp_ftrace_location(struct klp_func *func)
{
	return ftrace_location((unsigned long)func->old_func);
}

static struct klp_ops *klp_alloc_ops(void)
{
	struct klp_ops *ops = kzalloc(sizeof(*ops), GFP_KERNEL);

	if (!ops)
		return NULL;
	INIT_LIST_HEAD(&ops->func_stack);
	ops->fops.func = klp_redirect_handler;
	/*
	 * IPMODIFY: we change where the call returns; PERMANENT: refuse
	 * "ftrace_enabled=0" while we rely on the hook.  x86 passes the
	 * argument registers (ftrace_regs) without SAVE_REGS.
	 */
	ops->fops.flags = FTRACE_OPS_FL_DYNAMIC | FTRACE_OPS_FL_IPMODIFY |
			  FTRACE_OPS_FL_PERMANENT;
#ifndef CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS
	ops->fops.flags |= FTRACE_OPS_FL_SAVE_REGS;
#endif
	return ops;
}

/* Install the first redirection of a function: a new hook. */
static int klp_hook_func(struct klp_func *func)
{
	unsigned long loc = klp_ftrace_location(func);
	struct klp_ops *ops;
	int err;

	if (!loc) {
		pr_err("failed to find location for function '%s'\n",
		       func->old_name);
		return -EINVAL;
	}

	ops = klp_alloc_ops();
	if (!ops)
		return -ENOMEM;

	list_add_rcu(&func->stack_node, &ops->func_stack);

	err = ftrace_set_filter_ip(&ops->fops, loc, 0, 0);
	if (err) {
		pr_err("failed to set ftrace filter for function '%s' (%d)\n",
		       func->old_name, err);
		goto free_ops;
	}

	err = register_ftrace_function(&ops->fops);
	if (err) {
		pr_err("failed to register ftrace handler for function '%s' (%d)\n",
		       func->old_name, err);
		goto free_ops;
	}

	hash_add(klp_ops_table, &ops->hnode, (unsigned long)func->old_func);
	return 0;

free_ops:
	/* Never registered: no handler can be running on it. */
	ftrace_free_filter(&ops->fops);
	list_del(&func->stack_node);
	kfree(ops);
	return err;
}

/* Remove the last redirection of a function, and its hook. */
static void klp_unhook_func(struct klp_ops *ops, struct klp_func *func)
{
	/* Returns only once no handler can still see ops. */
	WARN_ON(unregister_ftrace_function(&ops->fops));
	ftrace_free_filter(&ops->fops);
	hash_del(&ops->hnode);
	list_del_rcu(&func->stack_node);
	kfree(ops);
}

static int klp_redirect_func(struct klp_func *func)
{
	struct klp_ops *ops;
	int err;

	if (WARN_ON(!func->old_func) || WARN_ON(func->patched))
		return -EINVAL;

	ops = klp_ops_lookup(func->old_func);
	if (ops) {
		/* Only an atomic-replace patch may stack (see core.c). */
		list_add_rcu(&func->stack_node, &ops->func_stack);
	} else {
		err = klp_hook_func(func);
		if (err)
			return err;
	}
	func->patched = true;
	return 0;
}

static void klp_restore_func(struct klp_func *func)
{
	struct klp_ops *ops;

	if (WARN_ON(!func->patched) || WARN_ON(!func->old_func))
		return;
	ops = klp_ops_lookup(func->old_func);
	if (WARN_ON(!ops))
		return;

	if (list_is_singular(&ops->func_stack))
		klp_unhook_func(ops, func);
	else
		/* The caller waits for handlers before freeing func. */
		list_del_rcu(&func->stack_node);
	func->patched = false;
}

static void klp_unpatch_object_funcs(struct klp_object *obj, bool nops_only)
{
	struct klp_func *func;

	klp_for_each_func(obj, func) {
		if (nops_only && !func->nop)
			continue;
		if (func->patched)
			klp_restore_func(func);
	}
	if (!nops_only || obj->dynamic)
		obj->patched = false;
}

void klp_restore_object(struct klp_object *obj)
{
	klp_unpatch_object_funcs(obj, false);
}

/**
 * klp_redirect_object() - redirect every function of a loaded object
 * @obj: the object; its functions are resolved already
 *
 * All or nothing: on error the functions redirected so far are restored.
 *
 * Return: 0 or a negative errno.
 */
int klp_redirect_object(struct klp_object *obj)
{
	struct klp_func *func;
	int err;

	if (WARN_ON(obj->patched))
		return -EINVAL;

	klp_for_each_func(obj, func) {
		err = klp_redirect_func(func);
		if (err) {
			klp_restore_object(obj);
			return err;
		}
	}
	obj->patched = true;
	return 0;
}

static void klp_unpatch_patch_objects(struct klp_patch *patch, bool nops_only)
{
	struct klp_object *obj;

	klp_for_each_object(patch, obj)
		if (obj->patched)
			klp_unpatch_object_funcs(obj, nops_only);
}

void klp_restore_patch(struct klp_patch *patch)
{
	klp_unpatch_patch_objects(patch, false);
}

/* Drop the nops of a completed atomic replace: they have done their job. */
void klp_restore_nops(struct klp_patch *patch)
{
	klp_unpatch_patch_objects(patch, true);
}
