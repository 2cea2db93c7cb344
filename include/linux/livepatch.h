/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * livepatch.h - interface between livepatch modules and the kernel's
 * live patching core.
 *
 * A livepatch module describes its changes with static arrays of
 * struct klp_object and struct klp_func hanging off one struct klp_patch,
 * and hands the patch to klp_enable_patch() from its module_init.  Fields
 * marked "internal" belong to the core: a patch module leaves them zero.
 */

#ifndef _LINUX_LIVEPATCH_H_
#define _LINUX_LIVEPATCH_H_

#include <linux/module.h>
#include <linux/ftrace.h>
#include <linux/completion.h>
#include <linux/list.h>

#if IS_ENABLED(CONFIG_LIVEPATCH)

/* Values of task_struct::patch_state. */
#define KLP_UNDEFINED	-1
#define KLP_UNPATCHED	 0
#define KLP_PATCHED	 1

/**
 * struct klp_func - one function replaced by a patch
 * @old_name:	name of the function to replace
 * @new_func:	the replacement; it must have the same prototype
 * @old_sympos:	which of several same-named symbols of the object is meant,
 *		counting from 1 in kallsyms order; 0 means "the name is
 *		unique in the object" (and is then equivalent to 1)
 * @old_func:	internal: address of the replaced function
 * @kobj:	internal: sysfs directory <object>/<old_name>,<sympos>
 * @node:	internal: entry in klp_object::func_list
 * @stack_node:	internal: entry in the list of functions redirecting
 *		@old_func (see kernel/livepatch/patch.c)
 * @old_size:	internal: size of @old_func
 * @new_size:	internal: size of @new_func
 * @nop:	internal: added by an atomic-replace patch to bring back the
 *		original code of a function it does not change itself
 * @patched:	internal: the ftrace handler is redirecting @old_func
 * @transition:	internal: the function takes part in the transition in
 *		progress, so the handler must look at each task's state
 *
 * The consistency model switches a task only when none of the functions
 * being changed is on its stack.  A replacement therefore never runs beside
 * the code it replaces in one task, but it must still accept the data
 * layout and locking of the original code, since other tasks may run the
 * original meanwhile.
 */
struct klp_func {
	/* set by the patch module */
	const char *old_name;
	void *new_func;
	unsigned long old_sympos;

	/* the core's own: zero in the patch module */
	void *old_func;
	struct kobject kobj;
	struct list_head node;
	struct list_head stack_node;
	unsigned long old_size, new_size;
	bool nop;
	bool patched;
	bool transition;
};

struct klp_object;

/**
 * struct klp_callbacks - hooks run around (un)patching an object
 * @pre_patch:		before the object's functions are redirected; an
 *			error stops the patch (or the loading module)
 * @post_patch:		after every task runs the patched code
 * @pre_unpatch:	before the object starts going back to the original
 * @post_unpatch:	after every task runs the original code again
 * @post_unpatch_enabled: internal: @pre_patch succeeded, so @post_unpatch
 *			is owed
 *
 * All of them run with klp_mutex held and only while the object is loaded.
 */
struct klp_callbacks {
	int (*pre_patch)(struct klp_object *obj);
	void (*post_patch)(struct klp_object *obj);
	void (*pre_unpatch)(struct klp_object *obj);
	void (*post_unpatch)(struct klp_object *obj);
	bool post_unpatch_enabled;
};

/**
 * struct klp_object - the part of a patch aimed at one binary
 * @name:	module name, or NULL for vmlinux
 * @funcs:	array of functions to replace, ended by a zeroed entry
 * @callbacks:	optional hooks, see struct klp_callbacks
 * @kobj:	internal: sysfs directory <patch>/<name or vmlinux>
 * @func_list:	internal: every klp_func of the object, static or dynamic
 * @node:	internal: entry in klp_patch::obj_list
 * @mod:	internal: the module while it is loaded, NULL otherwise
 * @dynamic:	internal: allocated by the core for atomic replace
 * @patched:	internal: the object's functions are redirected
 */
struct klp_object {
	/* set by the patch module */
	const char *name;
	struct klp_func *funcs;
	struct klp_callbacks callbacks;

	/* the core's own: zero in the patch module */
	struct kobject kobj;
	struct list_head func_list;
	struct list_head node;
	struct module *mod;
	bool dynamic;
	bool patched;
};

/**
 * struct klp_state - a change of system state that a patch makes or keeps
 * @id:		identifier shared by every patch that handles the change
 * @version:	version of the change; a patch taking over a state must
 *		offer the same version or a newer one
 * @data:	for the patch's own use
 */
struct klp_state {
	unsigned long id;
	unsigned int version;
	void *data;
};

/**
 * struct klp_patch - a livepatch, handed over by its module
 * @mod:	the livepatch module (THIS_MODULE)
 * @objs:	array of objects to patch, ended by a zeroed entry
 * @states:	optional array of system states, ended by a zeroed entry
 * @replace:	atomic replace: take over from every active patch of the
 *		same @replace_set
 * @replace_set: the set of cumulative patches the patch belongs to (0 by
 *		default), fixed once the patch is handed over.  An atomic
 *		replace takes over from its own set only; no patch may change
 *		a function or hold a state that a patch of another set has.
 * @list:	internal: entry in the list of active patches
 * @kobj:	internal: sysfs directory /sys/kernel/livepatch/<module>
 * @obj_list:	internal: every klp_object of the patch, static or dynamic
 * @enabled:	internal: enabled, or being enabled
 * @forced:	internal: a forced transition may have left tasks in the
 *		module's code, so the module must never be freed
 * @free_work:	internal: releases the sysfs entries outside sysfs locks
 * @finish:	internal: completed when the last kobject is released
 */
struct klp_patch {
	/* set by the patch module */
	struct module *mod;
	struct klp_object *objs;
	struct klp_state *states;
	bool replace;
	unsigned int replace_set;

	/* the core's own: zero in the patch module */
	struct list_head list;
	struct kobject kobj;
	struct list_head obj_list;
	bool enabled;
	bool forced;
	struct work_struct free_work;
	struct completion finish;
};

/*
 * Iterators.  The _static ones walk the arrays a patch module provides
 * (ended by a zeroed entry); the others walk the lists the core builds,
 * which also hold the entries it allocates for atomic replace.
 */
#define klp_for_each_object_static(patch, obj) \
	for (obj = (patch)->objs; obj->funcs || obj->name; obj++)

#define klp_for_each_object_safe(patch, obj, tmp_obj) \
	list_for_each_entry_safe(obj, tmp_obj, &(patch)->obj_list, node)

#define klp_for_each_object(patch, obj) \
	list_for_each_entry(obj, &(patch)->obj_list, node)

#define klp_for_each_func_static(obj, func) \
	for (func = (obj)->funcs; \
	     func->old_name || func->new_func || func->old_sympos; \
	     func++)

#define klp_for_each_func_safe(obj, func, tmp_func) \
	list_for_each_entry_safe(func, tmp_func, &(obj)->func_list, node)

#define klp_for_each_func(obj, func) \
	list_for_each_entry(func, &(obj)->func_list, node)

int klp_enable_patch(struct klp_patch *patch);

/* Hooks for the module loader (kernel/module/main.c). */
int klp_module_coming(struct module *mod);
void klp_module_going(struct module *mod);

/* Hooks for fork, the entry code and the idle loop. */
void klp_copy_process(struct task_struct *child);
void klp_update_patch_state(struct task_struct *task);

static inline bool klp_patch_pending(struct task_struct *task)
{
	return test_tsk_thread_flag(task, TIF_PATCH_PENDING);
}

static inline bool klp_have_reliable_stack(void)
{
	return IS_ENABLED(CONFIG_STACKTRACE) &&
	       IS_ENABLED(CONFIG_HAVE_RELIABLE_STACKTRACE);
}

typedef int (*klp_shadow_ctor_t)(void *obj,
				 void *shadow_data,
				 void *ctor_data);
typedef void (*klp_shadow_dtor_t)(void *obj, void *shadow_data);

void *klp_shadow_get(void *obj, unsigned long id);
void *klp_shadow_alloc(void *obj, unsigned long id,
		       size_t size, gfp_t gfp_flags,
		       klp_shadow_ctor_t ctor, void *ctor_data);
void *klp_shadow_get_or_alloc(void *obj, unsigned long id,
			      size_t size, gfp_t gfp_flags,
			      klp_shadow_ctor_t ctor, void *ctor_data);
void klp_shadow_free(void *obj, unsigned long id, klp_shadow_dtor_t dtor);
void klp_shadow_free_all(unsigned long id, klp_shadow_dtor_t dtor);

struct klp_state *klp_get_state(struct klp_patch *patch, unsigned long id);
struct klp_state *klp_get_prev_state(unsigned long id);

int klp_apply_section_relocs(struct module *pmod, Elf_Shdr *sechdrs,
			     const char *shstrtab, const char *strtab,
			     unsigned int symindex, unsigned int secindex,
			     const char *objname);

#else /* !CONFIG_LIVEPATCH */

static inline int klp_module_coming(struct module *mod) { return 0; }
static inline void klp_module_going(struct module *mod) {}
static inline bool klp_patch_pending(struct task_struct *task) { return false; }
static inline void klp_update_patch_state(struct task_struct *task) {}
static inline void klp_copy_process(struct task_struct *child) {}

static inline
int klp_apply_section_relocs(struct module *pmod, Elf_Shdr *sechdrs,
			     const char *shstrtab, const char *strtab,
			     unsigned int symindex, unsigned int secindex,
			     const char *objname)
{
	return 0;
}

#endif /* CONFIG_LIVEPATCH */

#endif /* _LINUX_LIVEPATCH_H_ */
