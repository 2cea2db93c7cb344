// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * patch.c - redirect patched functions through ftrace
 *
 * Every patched function has a struct klp_ops, which holds the klp_funcs
 * that redirect it.  The ftrace_ops that hooks it is shared: all the
 * functions that start being redirected in one step (an object of a patch
 * being enabled, or a module coming) go into one ftrace_ops, registered
 * once.  Its trampoline (settle.c) finds the function's hook by the
 * location it is called from and hands the hook's slot to the handler;
 * when another ftrace user shares the function, or the group has no
 * trampoline, ftrace calls the handler with the location instead, and the
 * handler finds the hook by it.
 * Either handler makes the call return into the replacement.
 *
 * Why share: registering and unregistering an ftrace_ops each rewrite code
 * and, for unregistering, wait for an RCU-tasks grace period.  With one
 * ftrace_ops per function (as 6.1 has), disabling a patch of a thousand
 * functions waits for a thousand grace periods; with a group, the functions
 * of one step come and go together, in one update of the code and one
 * wait.  The price, when ftrace calls the handler by location: a scan of
 * a few slots for small groups, a hash lookup for the others.
 *
 * A registered group's filter is never edited.  When some of its functions
 * stop being redirected (an atomic replace drops them) while others stay,
 * their hooks go dormant: unpublished, so that the handler leaves the
 * call alone, but still in the filter until the whole group goes.  Editing
 * the filter instead would have ftrace free the old filter hash after a
 * plain RCU grace period, while ftrace_ops_list_func() may be reading it
 * where RCU is not watching; it would also change IPMODIFY ownership
 * behind the back of a BPF trampoline on the function, which ftrace tells
 * only at register and unregister.  A patch that redirects a function
 * with a dormant hook again wakes that hook up.  The cost, until then: the
 * function's calls still pass through the handler, and another IPMODIFY
 * user (a kprobe with a post handler) cannot attach to it.
 *
 * Locking: the tables of klp_ops, every func_stack and the groups are
 * changed only with klp_mutex held.  The handler runs in any context,
 * lock-free: it reads its hook (a slot's ops, or the ip table) and
 * func_stack under the preemption-disabled section that the ftrace
 * recursion guard gives it.
 * Writers therefore use the _rcu list primitives and, before freeing or
 * relying on a change, klp_wait_handlers(), which waits for every CPU to
 * schedule.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/bug.h>
#include <linux/printk.h>
#include <linux/workqueue.h>
#include "core.h"
#include "patch.h"
#include "transition.h"

#define KLP_HOOK_BITS	10

static void klp_sync_cpu(struct work_struct *work)
{
}

/**
 * klp_wait_handlers() - wait for the handlers already running
 *
 * Returns once every CPU has scheduled, so that no handler (nor
 * klp_update_patch_state(), also run with preemption disabled) that
 * started before the call is still running.  Handlers may run where RCU is
 * not watching (the idle entry path, for one): a plain RCU grace period
 * would not do.
 *
 * This is the guarantee of synchronize_rcu_tasks_rude(), without the pause
 * of HZ/10 that its kthread takes after each grace period: unregistering
 * an ftrace_ops has just waited for one when the transition code calls
 * this, and a second wait in a row would pay the pause in full.
 */
void klp_wait_handlers(void)
{
	/* It needs a per-CPU allocation; without it, take the slow way. */
	if (schedule_on_each_cpu(klp_sync_cpu))
		synchronize_rcu_tasks_rude();
}

/**
 * klp_wait_redirections() - wait until no task can be on its way into
 * code that a handler chose before now
 *
 * Between the handler's choice and the trampoline's return, a task may be
 * preempted (on a preemptible kernel), and it then holds nothing but the
 * address it will jump to.  klp_wait_handlers() does not wait for it; a
 * voluntary context switch or a return to user space of every task, which
 * an RCU-tasks grace period waits for, proves that it has arrived.  Used
 * before a patch module may go.  The transition never switches a task in
 * that position (transition.c), so this is the second line of defence,
 * taken where the wait costs no one: in the release work.
 */
void klp_wait_redirections(void)
{
	if (IS_ENABLED(CONFIG_PREEMPTION))
		synchronize_rcu_tasks();
}

/* Groups of up to this many hooks are looked up in the group itself. */
#define KLP_GROUP_DIRECT	4

/**
 * struct klp_hook_group - one ftrace_ops for the functions hooked together
 * @fops:	the ftrace_ops, filtered on their ftrace locations
 * @tramp:	the trampoline that ftrace calls for its functions when no
 *		other ftrace user shares them (settle.c), or NULL
 * @slots:	one per hook it started with, in the order they were given;
 *		the only memory that the trampoline, and the handler it
 *		calls, read of the group
 * @nr_hooks:	how many of its hooks are published; it is unregistered
 *		when none is left
 * @dormant:	its unpublished hooks, still in the filter
 * @nr_direct:	for a small group, how many hooks it started with, whose
 *		@slots the handler scans by location; 0 for a group whose
 *		hooks are found by hashing
 */
struct klp_hook_group {
	struct ftrace_ops fops;
	void *tramp;
	struct klp_hook_slot *slots;
	unsigned int nr_hooks;
	struct list_head dormant;
	unsigned int nr_direct;
};

/*
 * Published hooks by function address (for the core) and by ftrace
 * location (for the handler); dormant hooks by ftrace location.
 */
static DEFINE_HASHTABLE(klp_ops_table, KLP_HOOK_BITS);
static DEFINE_HASHTABLE(klp_ops_ip_table, KLP_HOOK_BITS);
static DEFINE_HASHTABLE(klp_dormant_table, KLP_HOOK_BITS);

/*
 * What a slot holds when its hook is not published: a hook with nothing
 * to choose, so that the trampoline's handler has no NULL to test for.
 */
static struct klp_ops klp_unpublished = {
	.func_stack = LIST_HEAD_INIT(klp_unpublished.func_stack),
};

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

static struct klp_ops *klp_dormant_lookup(unsigned long ip)
{
	struct klp_ops *ops;

	hash_for_each_possible(klp_dormant_table, ops, hnode, ip)
		if (ops->ip == ip)
			return ops;
	return NULL;
}

static __always_inline struct klp_ops *notrace
klp_ops_by_ip(unsigned long ip)
{
	struct klp_ops *ops;

	hash_for_each_possible_rcu_notrace(klp_ops_ip_table, ops, ip_node, ip)
		if (ops->ip == ip)
			return ops;
	return &klp_unpublished;
}

/*
 * The hook for @ip, or klp_unpublished once it is unpublished.  Most
 * patches change a few functions per object: scanning their group's own
 * entries is cheaper than hashing.
 */
static __always_inline struct klp_ops *notrace
klp_group_ops(struct klp_hook_group *group, unsigned long ip)
{
	unsigned int i;

	if (!group->nr_direct)
		return klp_ops_by_ip(ip);
	for (i = 0; i < group->nr_direct; i++)
		if (group->slots[i].ip == ip)
			return READ_ONCE(group->slots[i].ops);
	return &klp_unpublished;
}

/*
 * Where a call hooked by @ops must go: the newest entry's code, unless the
 * function is in transition and this task has not switched yet: then the
 * code it ran before the transition, which is the next entry's, or the
 * original code when there is none.  @orig stands for the original code,
 * which a nop also selects, and so does klp_unpublished (the hook is going
 * away).
 *
 * Called under the recursion guard, which also disables preemption: our
 * RCU read side (see top of file); the answer is an address, so that a
 * task preempted after the guard holds nothing else.  Inlined into both
 * handlers: a call and its return are two more jumps between pages on
 * every call through a handler, which an emulator pays as two lookups.
 */
static __always_inline unsigned long notrace
klp_choose(struct klp_ops *ops, unsigned long orig)
{
	struct list_head *first = READ_ONCE(ops->func_stack.next);
	struct klp_func *func;

	/* Only the stand-in for an unpublished hook has an empty stack. */
	if (unlikely(first == &ops->func_stack)) {
		WARN_ON_ONCE(ops != &klp_unpublished);
		return orig;
	}
	func = list_entry(first, struct klp_func, stack_node);

	/*
	 * Read func->transition only after finding func on the stack.  When
	 * patching, klp_prepare_transition() sets the flag before the entry
	 * is published, and the release that publishes it is the pair
	 * (list_add_rcu() onto a published hook, or klp_publish_ops() of the
	 * hook): whoever finds the new entry sees the flag.  When
	 * unpatching, the entry is already there and both values of the flag
	 * select the patched code until tasks switch; the clear in
	 * klp_finish_transition() waits for handlers first.
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
				return orig;
		}
	}

	return func->nop ? orig : (unsigned long)func->new_func;
}

static void notrace klp_redirect_handler(unsigned long ip,
					 unsigned long parent_ip,
					 struct ftrace_ops *fops,
					 struct ftrace_regs *fregs)
{
	struct klp_hook_group *group =
		container_of(fops, struct klp_hook_group, fops);
	unsigned long to;
	int bit;

	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (WARN_ON_ONCE(bit < 0))
		return;
	to = klp_choose(klp_group_ops(group, ip), 0);
	if (to)
		ftrace_instruction_pointer_set(fregs, to);
	ftrace_test_recursion_unlock(bit);
}

/**
 * klp_trampoline_handler() - the handler, called from a group's trampoline
 * @fentry_ret: where the function's fentry call returns to, on the stack:
 *	rewritten with where the call must go (itself, for the original code)
 * @parent_ip: the address that the function returns to
 * @slot: the slot of the function's hook, which the trampoline found by
 *	*@fentry_ret: no lookup is left to do here
 */
void notrace klp_trampoline_handler(unsigned long *fentry_ret,
				    unsigned long parent_ip,
				    struct klp_hook_slot *slot)
{
	int bit;

	bit = ftrace_test_recursion_trylock(*fentry_ret - MCOUNT_INSN_SIZE,
					    parent_ip);
	if (WARN_ON_ONCE(bit < 0))
		return;
	*fentry_ret = klp_choose(READ_ONCE(slot->ops), *fentry_ret);
	ftrace_test_recursion_unlock(bit);
}

static void klp_free_group(struct klp_hook_group *group)
{
	if (group)
		kfree(group->slots);
	kfree(group);
}

static struct klp_hook_group *klp_alloc_group(unsigned int nr)
{
	struct klp_hook_group *group = kzalloc(sizeof(*group), GFP_KERNEL);
	unsigned int i;

	if (!group)
		return NULL;
	group->slots = kcalloc(nr, sizeof(*group->slots), GFP_KERNEL);
	if (!group->slots) {
		kfree(group);
		return NULL;
	}
	for (i = 0; i < nr; i++)
		group->slots[i].ops = &klp_unpublished;
	INIT_LIST_HEAD(&group->dormant);
	group->fops.func = klp_redirect_handler;
	/*
	 * IPMODIFY: we change where the call returns; PERMANENT: refuse
	 * "ftrace_enabled=0" while we rely on the hook.  x86 passes the
	 * argument registers (ftrace_regs) without SAVE_REGS.
	 */
	group->fops.flags = FTRACE_OPS_FL_DYNAMIC | FTRACE_OPS_FL_IPMODIFY |
			    FTRACE_OPS_FL_PERMANENT;
#ifndef CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS
	group->fops.flags |= FTRACE_OPS_FL_SAVE_REGS;
#endif
	return group;
}

static struct klp_func *klp_ops_first(struct klp_ops *ops)
{
	return list_first_entry(&ops->func_stack, struct klp_func, stack_node);
}

/* A hook for @func at @ip, not published yet. */
static struct klp_ops *klp_new_ops(struct klp_func *func, unsigned long ip)
{
	struct klp_ops *ops;

	ops = kzalloc(sizeof(*ops), GFP_KERNEL);
	if (!ops)
		return ERR_PTR(-ENOMEM);
	ops->ip = ip;
	INIT_LIST_HEAD(&ops->func_stack);
	list_add(&func->stack_node, &ops->func_stack);
	return ops;
}

static void klp_free_new_ops(struct klp_ops **new, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		list_del(&klp_ops_first(new[i])->stack_node);
		kfree(new[i]);
	}
}

/*
 * Let the core find @ops by function, and the handlers by location or by
 * slot.  Its func_stack is complete: the release orders it (and
 * func->transition) before the handlers' reads, even on a registered
 * group.
 */
static void klp_publish_ops(struct klp_ops *ops)
{
	hash_add(klp_ops_table, &ops->hnode,
		 (unsigned long)klp_ops_first(ops)->old_func);
	if (!ops->group->nr_direct)
		hash_add_rcu(klp_ops_ip_table, &ops->ip_node, ops->ip);
	/* Pairs with the READ_ONCE() of either handler. */
	smp_store_release(&ops->slot->ops, ops);
}

static void klp_unpublish_ops(struct klp_ops *ops)
{
	hash_del(&ops->hnode);
	if (!ops->group->nr_direct)
		hash_del_rcu(&ops->ip_node);
	WRITE_ONCE(ops->slot->ops, &klp_unpublished);
}

/* ---- settled hooks ------------------------------------------------------ */

/*
 * Off: every call goes through the handler, as in 6.1 (boot with
 * livepatch.settle=0, or write 0 to /sys/module/livepatch/parameters/settle).
 */
static bool klp_settle_on = IS_ENABLED(CONFIG_LIVEPATCH_SETTLED_CALLS);

/*
 * Where the trampoline sends the calls of @slot's function: to @target, or
 * to the handler for 0.  The trampoline reads @slot's entry in its table;
 * @target is what klp_func_settled() reads.
 */
static void klp_set_target(struct klp_hook_slot *slot, unsigned long target)
{
	WRITE_ONCE(slot->target, target);
	if (slot->entry)
		WRITE_ONCE(*slot->entry, target ?: slot->to_handler);
}

/*
 * Take a hook back to the handler before its func_stack or anything the
 * handler reads for it changes.  Outside a transition, the callers either
 * settle again before releasing klp_mutex or free the hook (module going):
 * nothing else would settle it later.  A call that read the old target still
 * goes there; it does so from the trampoline, where the transition cannot
 * switch its task (settle.c), so it runs the code of the state it is in.
 */
static void klp_unsettle(struct klp_ops *ops)
{
	klp_set_target(ops->slot, 0);
}

/*
 * Where every call goes, when no transition runs: the top entry's code
 * (the original code past the fentry call for a nop, or for a dormant
 * hook).
 */
static unsigned long klp_settled_target(struct klp_ops *ops)
{
	struct klp_func *top = klp_ops_first(ops);

	if (WARN_ON_ONCE(top->transition))
		return 0;
	if (top->nop)
		return ops->ip + MCOUNT_INSN_SIZE;
	return (unsigned long)top->new_func;
}

/* Every hook to its settled target (@settle), or back to the handler. */
static void klp_write_targets(bool settle)
{
	struct klp_ops *ops;
	unsigned int bkt;

	hash_for_each(klp_ops_table, bkt, ops, hnode)
		klp_set_target(ops->slot, settle ? klp_settled_target(ops) : 0);
	hash_for_each(klp_dormant_table, bkt, ops, hnode)
		klp_set_target(ops->slot,
			       settle ? ops->ip + MCOUNT_INSN_SIZE : 0);
}

/**
 * klp_settle_all() - let calls skip the handler where it has no choice left
 *
 * Called with klp_mutex held, when a transition has completed, or a module
 * that a patch applies to came outside of one: every task runs the code of
 * the top entries then, which is what the handler would choose too.
 * Outside a transition, every hook is settled whenever klp_mutex is
 * released (klp_unsettle() says why).
 */
void klp_settle_all(void)
{
	if (klp_settle_on && !klp_transition_patch)
		klp_write_targets(true);
}

/**
 * klp_unsettle_patch() - take the hooks a transition of @patch changes back
 * to the handler
 * @patch: the patch; for an atomic replace, its funcs and nops name every
 *	function whose stack the transition changes
 *
 * Called with klp_mutex held, before the transition starts.
 */
void klp_unsettle_patch(struct klp_patch *patch)
{
	struct klp_object *obj;
	struct klp_func *func;
	struct klp_ops *ops;

	klp_for_each_object(patch, obj) {
		klp_for_each_func(obj, func) {
			ops = func->old_func ? klp_ops_lookup(func->old_func) :
					       NULL;
			if (ops)
				klp_unsettle(ops);
		}
	}
}

/**
 * klp_func_settled() - do calls of @func's function go straight to it?
 * @func: the func, with klp_mutex held
 *
 * True when they do whenever no other ftrace user shares the function.
 */
bool klp_func_settled(struct klp_func *func)
{
	struct klp_ops *ops;

	if (!func->patched || func->nop)
		return false;
	ops = klp_ops_lookup(func->old_func);
	return ops && ops->group->tramp &&
	       READ_ONCE(ops->slot->target) == (unsigned long)func->new_func;
}

#ifdef CONFIG_LIVEPATCH_SETTLED_CALLS
static int klp_settle_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int err;

	err = kstrtobool(val, &on);
	if (err)
		return err;
	/* Not while holding the parameter lock until a patch is enabled. */
	err = klp_mutex_lock_or_restart();
	if (err)
		return err;
	klp_settle_on = on;
	if (on)
		klp_settle_all();
	else
		klp_write_targets(false);
	mutex_unlock(&klp_mutex);
	return 0;
}

static const struct kernel_param_ops klp_settle_ops = {
	.set = klp_settle_set,
	.get = param_get_bool,
};
module_param_cb(settle, &klp_settle_ops, &klp_settle_on, 0644);
MODULE_PARM_DESC(settle, "Patched calls skip the handler once no transition needs it (default: y)");
#endif

/*
 * Hook the functions of @new with one ftrace_ops.  The handler can only be
 * called for their locations once it is registered, so the tables may
 * show them before: it then finds them complete.
 */
static int klp_hook_group(struct klp_ops **new, unsigned int nr)
{
	struct klp_hook_group *group;
	unsigned long *ips;
	unsigned int i;
	int err = -ENOMEM;

	group = klp_alloc_group(nr);
	ips = kmalloc_array(nr, sizeof(*ips), GFP_KERNEL);
	if (!group || !ips)
		goto free;
	for (i = 0; i < nr; i++) {
		ips[i] = new[i]->ip;
		group->slots[i].ip = new[i]->ip;
		new[i]->slot = &group->slots[i];
	}

	err = ftrace_set_filter_ips(&group->fops, ips, nr, 0, 1);
	if (err) {
		if (nr == 1)
			pr_err("failed to set ftrace filter for function '%s' (%d)\n",
			       klp_ops_first(new[0])->old_name, err);
		goto free_filter;
	}

	/* Born unsettled (every target 0): the handler decides. */
	group->tramp = klp_build_trampoline(new, nr);
	if (group->tramp)
		group->fops.trampoline = (unsigned long)group->tramp;

	group->nr_hooks = nr;
	if (nr <= KLP_GROUP_DIRECT)
		group->nr_direct = nr;
	for (i = 0; i < nr; i++) {
		new[i]->group = group;
		klp_publish_ops(new[i]);
	}

	err = register_ftrace_function(&group->fops);
	if (err) {
		if (nr == 1)
			pr_err("failed to register ftrace handler for function '%s' (%d)\n",
			       klp_ops_first(new[0])->old_name, err);
		for (i = 0; i < nr; i++)
			klp_unpublish_ops(new[i]);
		/*
		 * The caller frees the hooks, and free_filter the slots: no
		 * handler may still use them.  Handlers of other groups walk
		 * the shared ip table, and after ftrace_bug() call sites may
		 * lead to this group's trampoline or handler.
		 */
		klp_wait_handlers();
		/*
		 * ftrace gave up on itself (ftrace_bug()) after pointing
		 * call sites at the trampoline: keep what it may still use.
		 */
		if (err == -ENODEV && group->tramp) {
			kfree(ips);
			return err;
		}
		goto free_filter;
	}
	kfree(ips);
	return 0;

free_filter:
	/* Not registered, or waited for above: no handler runs on it. */
	ftrace_free_filter(&group->fops);
	klp_free_trampoline(group->tramp);
free:
	kfree(ips);
	klp_free_group(group);
	return err;
}

/*
 * Unregister @group, whose last published hooks are going, and free it.
 * Returns false, keeping the group, when ftrace may still call its
 * handler or its trampoline: the caller must then wait for handlers.
 */
static bool klp_unregister_group(struct klp_hook_group *group)
{
	struct klp_ops *ops, *tmp;
	bool unregistered;

	/*
	 * Returns once no handler can still run on it, nor its trampoline,
	 * unless it fails or ftrace dies on the way (below).
	 */
	unregistered = !WARN_ON(unregister_ftrace_function(&group->fops));
	list_for_each_entry_safe(ops, tmp, &group->dormant, batch_node) {
		hash_del(&ops->hnode);
		kfree(ops);
	}
	/*
	 * Still called, it finds no hook: keep what it reads.  So too when
	 * ftrace died during the update, which it does not report: call
	 * sites may still lead to the trampoline (as on registering).
	 */
	if (!unregistered || ftrace_is_dead())
		return false;
	ftrace_free_filter(&group->fops);
	klp_free_trampoline(group->tramp);
	klp_free_group(group);
	return true;
}

/*
 * Hooks on @resting, unpublished, whose groups stay: once no handler can
 * still be looking at them (@waited: unregistering a group has made sure
 * of that), they lose their last klp_func and go dormant.
 */
static void klp_put_to_rest(struct list_head *resting, bool waited)
{
	struct klp_ops *ops, *tmp;

	if (!waited)
		klp_wait_handlers();
	list_for_each_entry_safe(ops, tmp, resting, batch_node) {
		list_del(&klp_ops_first(ops)->stack_node);
		list_move_tail(&ops->batch_node, &ops->group->dormant);
		hash_add(klp_dormant_table, &ops->hnode, ops->ip);
	}
}

/*
 * Take the hooks on @hooks, unpublished already, out of use: a group left
 * without published hooks is unregistered, and the hooks of the groups
 * that stay go dormant.  Returns once no handler can still be looking at
 * them.  The hooks of unregistered groups stay on the list, for the
 * caller to free.
 *
 * Return: true when every group was unregistered.  Unregistering a
 * dynamic ftrace_ops waits (6.1's ftrace_shutdown()) until no task at all
 * is in the middle of a redirection (see klp_wait_redirections()), which
 * covers whatever the caller unpublished or unstacked before; an empty
 * list returns true too, which the callers only use when nothing else
 * was taken off (klp_restore_patch_funcs()).
 */
static bool klp_release_groups(struct list_head *hooks)
{
	struct klp_hook_group *group;
	struct klp_ops *ops, *tmp;
	bool unregistered = true, waited = false;
	LIST_HEAD(resting);
	LIST_HEAD(done);
	unsigned int nr;

	while (!list_empty(hooks)) {
		LIST_HEAD(mine);

		group = list_first_entry(hooks, struct klp_ops, batch_node)->group;
		nr = 0;
		list_for_each_entry_safe(ops, tmp, hooks, batch_node) {
			if (ops->group == group) {
				list_move_tail(&ops->batch_node, &mine);
				nr++;
			}
		}

		group->nr_hooks -= nr;
		if (group->nr_hooks) {
			list_splice_tail(&mine, &resting);
			continue;
		}
		/* ftrace_shutdown() waits for every CPU to schedule. */
		if (klp_unregister_group(group))
			waited = true;
		else
			unregistered = false;
		list_splice_tail(&mine, &done);
	}
	list_splice(&done, hooks);

	/*
	 * A group that ftrace would not let go may still call its handler,
	 * which may be reading a hook that the caller is about to free.
	 */
	if (!unregistered && !waited) {
		klp_wait_handlers();
		waited = true;
	}
	if (list_empty(&resting))
		return unregistered;
	klp_put_to_rest(&resting, waited);
	return false;
}

/*
 * Publish again the dormant hooks on @revived, which have their new
 * klp_func on their func_stack already.
 */
static void klp_revive(struct list_head *revived)
{
	struct klp_ops *ops, *tmp;

	list_for_each_entry_safe(ops, tmp, revived, batch_node) {
		list_del_init(&ops->batch_node);
		hash_del(&ops->hnode);
		ops->group->nr_hooks++;
		klp_publish_ops(ops);
	}
}

/* Undo what klp_redirect_object() did to dormant hooks before an error. */
static void klp_keep_dormant(struct list_head *revived)
{
	struct klp_ops *ops, *tmp;

	list_for_each_entry_safe(ops, tmp, revived, batch_node) {
		list_del(&klp_ops_first(ops)->stack_node);
		list_move_tail(&ops->batch_node, &ops->group->dormant);
	}
}

/*
 * Hook @new together or, if ftrace refuses that (another IPMODIFY user on
 * one of them, say), one by one, so that the log names the function at
 * fault as 6.1 does.  All or nothing: on error @new is as it was.
 */
static int klp_hook(struct klp_ops **new, unsigned int nr)
{
	LIST_HEAD(hooked);
	struct klp_ops *ops;
	unsigned int i;
	int err;

	err = klp_hook_group(new, nr);
	if (!err || nr == 1)
		return err;

	for (i = 0; i < nr; i++) {
		err = klp_hook_group(&new[i], 1);
		if (err)
			break;
		list_add_tail(&new[i]->batch_node, &hooked);
	}
	if (err) {
		list_for_each_entry(ops, &hooked, batch_node)
			klp_unpublish_ops(ops);
		klp_release_groups(&hooked);
	}
	return err;
}

/* Restore the functions that klp_redirect_object() stacked so far. */
static void klp_unstack(struct klp_func **stacked, unsigned int nr)
{
	if (!nr)
		return;
	while (nr--)
		list_del_rcu(&stacked[nr]->stack_node);
	/* The handler may have picked one of them. */
	klp_wait_handlers();
}

static unsigned int klp_object_nr_funcs(struct klp_object *obj)
{
	struct klp_func *func;
	unsigned int nr = 0;

	klp_for_each_func(obj, func)
		nr++;
	return nr;
}

/**
 * klp_redirect_object() - redirect every function of a loaded object
 * @obj: the object; its functions are resolved already
 *
 * Functions that are hooked already (an atomic replace taking over) get
 * the new klp_func on top of their stack, dormant hooks wake up, and the
 * other functions are hooked together, with one ftrace_ops.  All or
 * nothing: on error nothing is redirected.
 *
 * Return: 0 or a negative errno.
 */
int klp_redirect_object(struct klp_object *obj)
{
	unsigned int nr = klp_object_nr_funcs(obj), nr_new = 0, nr_stacked = 0;
	struct klp_func *func, **stacked;
	struct klp_ops *ops, **new;
	LIST_HEAD(revived);
	unsigned long ip;
	int err = 0;

	if (WARN_ON(obj->patched))
		return -EINVAL;
	if (!nr) {
		obj->patched = true;
		return 0;
	}

	new = kmalloc_array(nr, sizeof(*new), GFP_KERNEL);
	stacked = kmalloc_array(nr, sizeof(*stacked), GFP_KERNEL);
	if (!new || !stacked) {
		err = -ENOMEM;
		goto out;
	}

	klp_for_each_func(obj, func) {
		if (WARN_ON(!func->old_func) || WARN_ON(func->patched)) {
			err = -EINVAL;
			break;
		}
		ops = klp_ops_lookup(func->old_func);
		if (ops) {
			/* Only a replace of the owner's set stacks (core.c). */
			klp_unsettle(ops);
			list_add_rcu(&func->stack_node, &ops->func_stack);
			stacked[nr_stacked++] = func;
			continue;
		}
		ip = ftrace_location((unsigned long)func->old_func);
		if (!ip) {
			pr_err("failed to find location for function '%s'\n",
			       func->old_name);
			err = -EINVAL;
			break;
		}
		ops = klp_dormant_lookup(ip);
		if (ops) {
			/* Unpublished: the handler does not see it yet. */
			klp_unsettle(ops);
			list_add(&func->stack_node, &ops->func_stack);
			list_move_tail(&ops->batch_node, &revived);
			continue;
		}
		ops = klp_new_ops(func, ip);
		if (IS_ERR(ops)) {
			err = PTR_ERR(ops);
			break;
		}
		new[nr_new++] = ops;
	}

	if (!err && nr_new)
		err = klp_hook(new, nr_new);
	if (err) {
		klp_free_new_ops(new, nr_new);
		klp_keep_dormant(&revived);
		klp_unstack(stacked, nr_stacked);
		goto out;
	}
	klp_revive(&revived);

	klp_for_each_func(obj, func)
		func->patched = true;
	obj->patched = true;
out:
	kfree(stacked);
	kfree(new);
	return err;
}

/*
 * Stop redirecting the functions of @obj (only its nops if @nops_only).
 * A function whose stack keeps other entries just loses its own (and
 * *@unstacked is set); the hooks left without any are put on @dying,
 * unpublished, for klp_unhook_dying().  The caller waits for handlers
 * before freeing a klp_func taken off a stack.
 */
static void klp_restore_funcs(struct klp_object *obj, bool nops_only,
			      struct list_head *dying, bool *unstacked)
{
	struct klp_func *func;
	struct klp_ops *ops;

	klp_for_each_func(obj, func) {
		if ((nops_only && !func->nop) || !func->patched)
			continue;
		func->patched = false;
		ops = klp_ops_lookup(func->old_func);
		if (WARN_ON(!ops))
			continue;
		klp_unsettle(ops);
		if (list_is_singular(&ops->func_stack)) {
			klp_unpublish_ops(ops);
			list_add_tail(&ops->batch_node, dying);
		} else {
			list_del_rcu(&func->stack_node);
			*unstacked = true;
		}
	}
	if (!nops_only || obj->dynamic)
		obj->patched = false;
}

/* Returns what klp_release_groups() returns. */
static bool klp_unhook_dying(struct list_head *dying)
{
	struct klp_ops *ops, *tmp;
	bool unregistered;

	unregistered = klp_release_groups(dying);
	list_for_each_entry_safe(ops, tmp, dying, batch_node) {
		list_del(&klp_ops_first(ops)->stack_node);
		list_del(&ops->batch_node);
		kfree(ops);
	}
	return unregistered;
}

void klp_restore_object(struct klp_object *obj)
{
	bool unstacked = false;
	LIST_HEAD(dying);

	klp_restore_funcs(obj, false, &dying, &unstacked);
	klp_unhook_dying(&dying);
}

static bool klp_restore_patch_funcs(struct klp_patch *patch, bool nops_only)
{
	bool unstacked = false, unregistered;
	struct klp_object *obj;
	LIST_HEAD(dying);

	klp_for_each_object(patch, obj)
		if (obj->patched)
			klp_restore_funcs(obj, nops_only, &dying, &unstacked);
	unregistered = klp_unhook_dying(&dying);
	return unregistered && !unstacked;
}

/**
 * klp_restore_patch() - stop redirecting the functions of a patch
 * @patch: the patch
 *
 * Return: true when no task can be in the middle of a redirection into
 * the patch's code any more: every function left by unregistering its
 * dynamic ftrace_ops, which waited for that (or the patch redirected
 * nothing).  Otherwise the patch's module must wait with
 * klp_wait_redirections() before it may go.
 */
bool klp_restore_patch(struct klp_patch *patch)
{
	return klp_restore_patch_funcs(patch, false);
}

/* Drop the nops of a completed atomic replace: they have done their job. */
void klp_restore_nops(struct klp_patch *patch)
{
	klp_restore_patch_funcs(patch, true);
}
