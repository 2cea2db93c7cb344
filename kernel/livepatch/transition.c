// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * transition.c - the per-task consistency model
 *
 * A transition moves every task from one patch state to the other (from
 * KLP_UNPATCHED to KLP_PATCHED when a patch is enabled, back when it is
 * disabled).  While it runs, the ftrace handler picks the code by the state
 * of the calling task, so a task never mixes old and new versions of the
 * functions being changed.  A task switches when it is safe:
 *
 *  - by itself, on the way out to user space and in the idle loop, through
 *    klp_update_patch_state(), when it holds TIF_PATCH_PENDING;
 *  - by the transition work, when the task is not running and a reliable
 *    stack trace shows none of the functions being changed.
 *
 * Tasks left behind are retried from a delayed work, soon at first and then
 * less and less often (KLP_RETRY_MIN_DELAY doubling up to one second), so
 * that a transition on a quiet system ends in a few milliseconds without
 * busy polling on a loaded one.  Stragglers get a fake signal (user tasks)
 * or a wake-up (kthreads) every signal_period seconds (15 by default, as in
 * 6.1).
 *
 * Locking: klp_mutex serialises every step that changes the transition
 * state.  The exceptions are klp_update_patch_state() and
 * klp_copy_process(), which run in the task's own context without locks;
 * the barriers that make that safe are described where they are used.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/moduleparam.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/idle.h>
#include <linux/stacktrace.h>
#include <linux/workqueue.h>
#include "core.h"
#include "patch.h"
#include "transition.h"

#define KLP_MAX_STACK_ENTRIES	100
#define KLP_RETRY_MIN_DELAY	1		/* jiffies */
#define KLP_RETRY_MAX_DELAY	HZ
#define KLP_SIGNAL_PERIOD_MAX	3600		/* seconds */

struct klp_patch *klp_transition_patch;

static int klp_target_state = KLP_UNDEFINED;

/* Retry policy of the transition in progress; klp_mutex. */
static unsigned long klp_retry_delay;
/* When the transition started, or last nudged its stragglers. */
static unsigned long klp_last_nudge;
/* The stragglers were nudged at least once in this transition; klp_mutex. */
static bool klp_nudged;

/*
 * Seconds between the start of a transition and the first nudge of its
 * stragglers, and between two nudges.  Checked at every retry, so that a
 * new value applies at once.
 */
static unsigned int klp_signal_period = 15;

static int klp_signal_period_set(const char *val,
				 const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, KLP_SIGNAL_PERIOD_MAX);
}

static const struct kernel_param_ops klp_signal_period_ops = {
	.set = klp_signal_period_set,
	.get = param_get_uint,
};
module_param_cb(signal_period, &klp_signal_period_ops, &klp_signal_period,
		0644);
MODULE_PARM_DESC(signal_period,
		 "Seconds before a transition nudges the tasks that hold it up (fake signal, or kthread wake-up), and between nudges (1-3600, default: 15)");

static unsigned long klp_signal_delay(void)
{
	return READ_ONCE(klp_signal_period) * HZ;
}

/* Stack traces are taken one at a time, under klp_mutex. */
static unsigned long klp_stack_entries[KLP_MAX_STACK_ENTRIES];

static void klp_retry_work_fn(struct work_struct *work)
{
	mutex_lock(&klp_mutex);
	if (klp_transition_patch)
		klp_advance_transition();
	mutex_unlock(&klp_mutex);
}

static DECLARE_DELAYED_WORK(klp_retry_work, klp_retry_work_fn);

static const char *klp_state_verb(int state)
{
	return state == KLP_PATCHED ? "patching" : "unpatching";
}

/* Run fn for every task, idle tasks included, with tasklist_lock held. */
static void klp_apply_to_all_tasks(void (*fn)(struct task_struct *task))
{
	struct task_struct *g, *task;
	unsigned int cpu;

	read_lock(&tasklist_lock);
	for_each_process_thread(g, task)
		fn(task);
	read_unlock(&tasklist_lock);

	for_each_possible_cpu(cpu)
		fn(idle_task(cpu));
}

static void klp_set_initial_state(struct task_struct *task)
{
	WARN_ON_ONCE(task->patch_state != KLP_UNDEFINED);
	task->patch_state = !klp_target_state;
}

static void klp_reset_state(struct task_struct *task)
{
	WARN_ON_ONCE(test_tsk_thread_flag(task, TIF_PATCH_PENDING));
	task->patch_state = KLP_UNDEFINED;
}

static void klp_mark_pending(struct task_struct *task)
{
	if (task->patch_state != klp_target_state)
		set_tsk_thread_flag(task, TIF_PATCH_PENDING);
}

static void klp_clear_pending(struct task_struct *task)
{
	clear_tsk_thread_flag(task, TIF_PATCH_PENDING);
}

static void klp_set_funcs_transition(struct klp_patch *patch, bool value)
{
	struct klp_object *obj;
	struct klp_func *func;

	klp_for_each_object(patch, obj)
		klp_for_each_func(obj, func)
			func->transition = value;
}

static void klp_run_post_callbacks(struct klp_patch *patch, int state)
{
	struct klp_object *obj;

	klp_for_each_object(patch, obj) {
		if (!klp_object_loaded(obj))
			continue;
		if (state == KLP_PATCHED)
			klp_run_post_patch(obj);
		else
			klp_run_post_unpatch(obj);
	}
}

/*
 * Every task runs the target state's code: make the result permanent and
 * forget the per-task states.  Returns true when the patch was unpatched
 * in a way that leaves no task on its way into its code (see
 * klp_restore_patch()).
 */
static bool klp_finish_transition(void)
{
	struct klp_patch *patch = klp_transition_patch;
	int state = klp_target_state;
	bool unreachable = false;

	pr_debug("'%s': completing %s transition\n", patch->mod->name,
		 klp_state_verb(state));

	if (state == KLP_PATCHED && patch->replace) {
		klp_retire_replaced_patches(patch);
		klp_drop_nops(patch);
	}

	if (state == KLP_UNPATCHED) {
		unreachable = klp_restore_patch(patch);
		/*
		 * A handler that found one of the removed funcs must be
		 * gone before func->transition drops, or it could take the
		 * removed func for the active one.
		 */
		klp_wait_handlers();
	}

	klp_set_funcs_transition(patch, false);

	/*
	 * A handler that saw func->transition set must be gone before task
	 * states become KLP_UNDEFINED.
	 */
	if (state == KLP_PATCHED)
		klp_wait_handlers();

	klp_apply_to_all_tasks(klp_reset_state);

	klp_run_post_callbacks(patch, state);

	pr_notice("'%s': %s complete\n", patch->mod->name,
		  klp_state_verb(state));

	klp_target_state = KLP_UNDEFINED;
	klp_transition_patch = NULL;
	klp_settle_all();
	return unreachable;
}

/**
 * klp_abort_transition() - give up a patching transition before it starts
 *
 * Used when enabling fails after klp_prepare_transition(): no task has been
 * marked pending yet, so going back is a completed unpatching transition.
 */
void klp_abort_transition(void)
{
	if (WARN_ON_ONCE(klp_target_state != KLP_PATCHED))
		return;

	pr_debug("'%s': canceling patching transition, going to unpatch\n",
		 klp_transition_patch->mod->name);

	klp_target_state = KLP_UNPATCHED;
	klp_finish_transition();
}

/**
 * klp_update_patch_state() - switch a task that asked for it
 * @task: the task, current except when a transition is forced
 *
 * Called from the exit-to-user and idle paths, where the task is known to
 * run none of the functions being changed.
 */
void klp_update_patch_state(struct task_struct *task)
{
	/*
	 * Both calls must stay notrace: they run in a window where the
	 * handler would otherwise see a half-updated task.
	 */
	preempt_disable_notrace();

	/*
	 * test_and_clear_tsk_thread_flag() is a full barrier.  It pairs with
	 * the smp_wmb() in klp_launch_transition() (and klp_wait_handlers()
	 * in klp_flip_transition()): a task that sees the flag
	 * also sees klp_target_state and every func->transition set before
	 * it, so the handler picks the right code from the next call on.
	 */
	if (test_and_clear_tsk_thread_flag(task, TIF_PATCH_PENDING))
		task->patch_state = READ_ONCE(klp_target_state);

	preempt_enable_notrace();
}

/*
 * What a task must not be in the middle of for @func to switch: the code it
 * leaves (@start, @size), and a redirection of the function.  A task in the
 * ftrace handler or trampoline has the return address of the function's
 * ftrace call (@fentry_ret) on its stack, and from the moment the handler
 * has chosen until the trampoline returns, the task is on its way to the
 * code chosen for its old state.  Only on preemptible kernels can it be
 * seen there, but then it must not switch: it would run the old code in
 * the new state, or code that is about to be freed.  When the call must
 * go elsewhere, the chosen address (the start of the old code, inside
 * @start..@size) is written in place of @fentry_ret, by our trampoline's
 * handler or by ftrace's caller after our ftrace handler; otherwise
 * @fentry_ret stays until the return.  This relies on the return address
 * being on the stack, as on x86; elsewhere @fentry_ret may never match,
 * and the trampoline itself must then make the trace unreliable.
 */
struct klp_busy {
	unsigned long start;
	unsigned long size;
	unsigned long fentry_ret;
};

static void klp_func_busy(struct klp_func *func, struct klp_busy *busy)
{
	struct klp_ops *ops = klp_ops_lookup(func->old_func);
	struct klp_func *prev;

	busy->fentry_ret = ops ? ops->ip + MCOUNT_INSN_SIZE : 0;

	if (klp_target_state == KLP_UNPATCHED) {
		/* Leaving func's new code. */
		busy->start = (unsigned long)func->new_func;
		busy->size = func->new_size;
		return;
	}

	/* Entering func's code: leaving whatever ran before it. */
	if (WARN_ON_ONCE(!ops) || list_is_singular(&ops->func_stack)) {
		busy->start = (unsigned long)func->old_func;
		busy->size = func->old_size;
		return;
	}
	prev = list_next_entry(func, stack_node);
	busy->start = (unsigned long)prev->new_func;
	busy->size = prev->new_size;
}

static bool klp_stack_hits_func(struct klp_func *func, unsigned int nr)
{
	struct klp_busy busy;
	unsigned long addr;
	unsigned int i;

	klp_func_busy(func, &busy);
	for (i = 0; i < nr; i++) {
		addr = klp_stack_entries[i];
		if (addr - busy.start < busy.size || addr == busy.fentry_ret)
			return true;
	}
	return false;
}

/*
 * Is any function of the transition on the saved stack?  Returns 0, or
 * -EADDRINUSE with *busy_name set to the function found.
 */
static int klp_scan_stack(struct task_struct *task, const char **busy_name)
{
	struct klp_object *obj;
	struct klp_func *func;
	int nr;

	nr = stack_trace_save_tsk_reliable(task, klp_stack_entries,
					   ARRAY_SIZE(klp_stack_entries));
	if (nr < 0)
		return -EINVAL;

	klp_for_each_object(klp_transition_patch, obj) {
		if (!obj->patched)
			continue;
		klp_for_each_func(obj, func) {
			if (klp_stack_hits_func(func, nr)) {
				*busy_name = func->old_name;
				return -EADDRINUSE;
			}
		}
	}
	return 0;
}

/* Called by task_call_func(): the task cannot start running meanwhile. */
static int klp_switch_if_safe(struct task_struct *task, void *arg)
{
	int err;

	if (task_curr(task) && task != current)
		return -EBUSY;

	err = klp_scan_stack(task, arg);
	if (err)
		return err;

	clear_tsk_thread_flag(task, TIF_PATCH_PENDING);
	task->patch_state = klp_target_state;
	return 0;
}

/* Try to switch a task that has not switched yet; true when it has. */
static bool klp_try_switch_task(struct task_struct *task)
{
	const char *busy_name = NULL;
	int err;

	if (task->patch_state == klp_target_state)
		return true;

	/* Without reliable stacks only the tasks themselves can switch. */
	if (!klp_have_reliable_stack())
		return false;

	err = task_call_func(task, klp_switch_if_safe, &busy_name);
	switch (err) {
	case 0:
		break;
	case -EBUSY:
		pr_debug("%s: %s:%d is running\n",
			 __func__, task->comm, task->pid);
		break;
	case -EINVAL:
		pr_debug("%s: %s:%d has an unreliable stack\n",
			 __func__, task->comm, task->pid);
		break;
	case -EADDRINUSE:
		pr_debug("%s: %s:%d is sleeping on function %s\n",
			 __func__, task->comm, task->pid, busy_name);
		break;
	default:
		pr_debug("%s: Unknown error code (%d) when trying to switch %s:%d\n",
			 __func__, err, task->comm, task->pid);
		break;
	}
	return !err;
}

static bool klp_try_switch_all_tasks(void)
{
	struct task_struct *g, *task;
	bool complete = true;
	unsigned int cpu;

	read_lock(&tasklist_lock);
	for_each_process_thread(g, task)
		if (!klp_try_switch_task(task))
			complete = false;
	read_unlock(&tasklist_lock);

	/* Idle tasks switch in the idle loop; an offline CPU has none. */
	cpus_read_lock();
	for_each_possible_cpu(cpu) {
		task = idle_task(cpu);
		if (!cpu_online(cpu)) {
			klp_clear_pending(task);
			task->patch_state = klp_target_state;
		} else if (!klp_try_switch_task(task)) {
			complete = false;
			wake_up_if_idle(cpu);
		}
	}
	cpus_read_unlock();

	return complete;
}

/* Nudge the tasks that still wait to switch. */
static void klp_nudge_stragglers(void)
{
	struct task_struct *g, *task;

	/* Said once per transition, as 6.1 does; the nudges go on. */
	if (!klp_nudged)
		pr_notice("signaling remaining tasks\n");
	klp_nudged = true;

	read_lock(&tasklist_lock);
	for_each_process_thread(g, task) {
		if (!klp_patch_pending(task))
			continue;
		/*
		 * The task may switch on its own meanwhile; a needless
		 * wake-up or signal is harmless.
		 */
		if (task->flags & PF_KTHREAD)
			wake_up_state(task, TASK_INTERRUPTIBLE);
		else
			set_notify_signal(task);
	}
	read_unlock(&tasklist_lock);
}

static void klp_schedule_retry(void)
{
	if (time_after_eq(jiffies, klp_last_nudge + klp_signal_delay())) {
		klp_nudge_stragglers();
		klp_last_nudge = jiffies;
	}
	mod_delayed_work(system_wq, &klp_retry_work, klp_retry_delay);
	klp_retry_delay = min_t(unsigned long, klp_retry_delay * 2,
				KLP_RETRY_MAX_DELAY);
}

/**
 * klp_advance_transition() - switch what can be switched, and finish
 *
 * Tries every task that has not switched yet.  When all have, completes
 * the transition and frees what it made unused (a disabled patch, or the
 * patches an atomic replace took over from); otherwise schedules a retry.
 * Called with klp_mutex held.
 */
void klp_advance_transition(void)
{
	struct klp_patch *patch;
	bool unreachable;

	WARN_ON_ONCE(klp_target_state == KLP_UNDEFINED);

	if (!klp_try_switch_all_tasks()) {
		klp_schedule_retry();
		return;
	}

	patch = klp_transition_patch;
	unreachable = klp_finish_transition();

	if (!patch->enabled)
		klp_release_patch_async(patch, !unreachable);
	else if (patch->replace)
		klp_release_replaced_patches(patch);
}

/**
 * klp_launch_transition() - ask every task to switch to the target state
 *
 * klp_prepare_transition() has run, and for a patching transition the new
 * functions are in place.
 */
void klp_launch_transition(void)
{
	WARN_ON_ONCE(klp_target_state == KLP_UNDEFINED);

	pr_notice("'%s': starting %s transition\n",
		  klp_transition_patch->mod->name,
		  klp_state_verb(klp_target_state));

	/*
	 * Publish klp_target_state and the func->transition flags before
	 * any TIF_PATCH_PENDING: pairs with the full barrier in
	 * klp_update_patch_state().
	 */
	smp_wmb();
	klp_apply_to_all_tasks(klp_mark_pending);

	klp_retry_delay = KLP_RETRY_MIN_DELAY;
	klp_last_nudge = jiffies;
	klp_nudged = false;
}

/**
 * klp_prepare_transition() - prepare a transition of @patch to @state
 * @patch: the patch to enable or disable
 * @state: KLP_PATCHED or KLP_UNPATCHED
 *
 * Every task starts in the opposite state; then the patch's functions are
 * flagged as in transition, which makes the handler look at task states.
 */
void klp_prepare_transition(struct klp_patch *patch, int state)
{
	WARN_ON_ONCE(klp_target_state != KLP_UNDEFINED);

	/* Before anything the handler reads changes. */
	klp_unsettle_patch(patch);

	klp_transition_patch = patch;
	klp_target_state = state;

	pr_debug("'%s': initializing %s transition\n", patch->mod->name,
		 klp_state_verb(state));

	klp_apply_to_all_tasks(klp_set_initial_state);

	/*
	 * A handler that sees func->transition must also see the task
	 * states set above: pairs with the second smp_rmb() in
	 * klp_choose().  When patching, the funcs are not on any
	 * func_stack yet; klp_redirect_object() publishes them later, after
	 * the flags (first smp_rmb() there).
	 */
	smp_wmb();

	klp_set_funcs_transition(patch, true);
}

/**
 * klp_flip_transition() - turn the transition in progress around
 *
 * Tasks that had switched must switch back, and tasks that had not are
 * done already.  Called with klp_mutex held, when the admin writes the
 * opposite value to "enabled" during a transition.
 */
void klp_flip_transition(void)
{
	struct klp_patch *patch = klp_transition_patch;

	pr_debug("'%s': reversing transition from %s\n", patch->mod->name,
		 klp_target_state == KLP_PATCHED ?
		 "patching to unpatching" : "unpatching to patching");

	/*
	 * Stop self-switching first, and wait until no task is inside
	 * klp_update_patch_state(): one that read the old target after its
	 * flag was re-set by klp_launch_transition() would end in the wrong
	 * state.
	 */
	klp_apply_to_all_tasks(klp_clear_pending);
	klp_wait_handlers();

	patch->enabled = !patch->enabled;
	klp_target_state = !klp_target_state;

	klp_launch_transition();
	/* A fresh start deserves the fast retries again. */
	klp_advance_transition();
}

/**
 * klp_copy_process() - give a new task its parent's patch state
 * @child: the new task, not yet running
 *
 * Called by fork with tasklist_lock held for writing, so no transition
 * step that walks the task list can run concurrently.
 */
void klp_copy_process(struct task_struct *child)
{
	/*
	 * The flag copied with the thread_info may be stale: the parent may
	 * have switched since.  Copy the current truth.
	 */
	if (test_tsk_thread_flag(current, TIF_PATCH_PENDING))
		set_tsk_thread_flag(child, TIF_PATCH_PENDING);
	else
		clear_tsk_thread_flag(child, TIF_PATCH_PENDING);

	child->patch_state = current->patch_state;
}

static void klp_force_switch(struct task_struct *task)
{
	klp_update_patch_state(task);
}

/**
 * klp_force_all_tasks() - switch every task now, safe or not
 *
 * The admin's last resort for a transition that cannot finish.  Tasks may
 * still run code of a patch module that is gone from the stack of patches,
 * so such modules (the disabled patch, or those of its set that an atomic
 * replace took over from) are marked forced and are never released.
 */
void klp_force_all_tasks(void)
{
	struct klp_patch *patch;

	pr_warn("forcing remaining tasks to the patched state\n");

	klp_apply_to_all_tasks(klp_force_switch);

	if (klp_target_state == KLP_UNPATCHED) {
		klp_transition_patch->forced = true;
	} else if (klp_transition_patch->replace) {
		klp_for_each_active_patch(patch)
			if (patch != klp_transition_patch &&
			    klp_same_set(patch, klp_transition_patch))
				patch->forced = true;
	}

	/* Everybody switched: finish now rather than at the next retry. */
	klp_advance_transition();
}
