// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * core.c - livepatch core: patches, objects and functions from the moment a
 * module hands them over until they are freed
 *
 * Life of a patch: klp_enable_patch() validates it, refuses it if it
 * conflicts with an active patch, resolves and relocates what is loaded,
 * builds its sysfs tree, redirects its functions and starts the transition
 * (transition.c).  Disabling runs the transition backwards; when it ends
 * the patch leaves the list and its kobjects are released from a work
 * item, after which the patch module may be removed.  Modules that a patch
 * targets are patched when they load (klp_module_coming()) and unpatched
 * when they go (klp_module_going()).
 *
 * No stacking: at most one active patch redirects a given function.  A
 * patch that is not an atomic replace is refused when one of its functions
 * is already patched (by name, and by address once resolved, which also
 * catches aliases).  Patches can therefore be disabled in any order.
 * Only an atomic-replace patch may redirect a function someone else
 * redirects, and only until its transition completes.  Patches belong to
 * replace sets (patch->replace_set, 0 by default): an atomic replace takes
 * over from the active patches of its own set only, and a function that a
 * patch of another set changes is refused to every patch, replace or not.
 *
 * Locking: klp_mutex protects the patch list, every patch, object and func
 * field marked internal, the ftrace hooks (patch.c) and the transition
 * state (transition.c).  It is taken by klp_enable_patch(), the sysfs
 * writers, the module notifier hooks and the transition work.  Kobjects
 * are released without it: a patch's sysfs directory must disappear
 * outside klp_mutex, since removing it waits for its sysfs writers, which
 * take klp_mutex.  That is what free_work and the "finish" completion are
 * for.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/elf.h>
#include <linux/kallsyms.h>
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/memory.h>
#include <linux/module.h>
#include <linux/moduleloader.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/stringify.h>
#include <linux/sysfs.h>
#include <asm/cacheflush.h>
#ifdef CONFIG_X86_64
#include <asm/text-patching.h>
#endif
#include "core.h"
#include "patch.h"
#include "state.h"
#include "transition.h"

/* The one lock of the livepatch core: see the top of this file. */
DEFINE_MUTEX(klp_mutex);

/**
 * klp_mutex_lock_or_restart() - take klp_mutex for a sysfs or parameter
 *	handler, without waiting for it
 *
 * Such a handler must not wait for klp_mutex: its holder may be removing
 * the very file (and wait for the handler to leave), or be enabling a
 * patch, which may take a while.  When it is busy, sleep a little, so that
 * the holder goes on rather than the caller spinning, and have the system
 * call restarted.
 *
 * Return: 0 with klp_mutex held, or the error to return from the handler.
 */
int klp_mutex_lock_or_restart(void)
{
	if (mutex_trylock(&klp_mutex))
		return 0;
	usleep_range(5000, 10000);
	return restart_syscall();
}

/*
 * Active patches (enabled, or in transition), in the order enabled.  The
 * name is 6.1's, as is klp_transition_patch's: crash and drgn scripts walk
 * them by name.
 */
LIST_HEAD(klp_patches);

static struct kobject *klp_sysfs_root;

/* Position a function is known by: 0 ("unique") counts as 1. */
static unsigned long klp_sympos(const struct klp_func *func)
{
	return func->old_sympos ? func->old_sympos : 1;
}

/* ---- symbols ------------------------------------------------------------ */

struct klp_sym_search {
	const char *objname;
	const char *name;
	unsigned long sympos;
	unsigned long addr;
	unsigned long seen;
};

/* Record one more occurrence; stop when the answer is known. */
static int klp_sym_seen(struct klp_sym_search *s, unsigned long addr)
{
	s->seen++;
	s->addr = addr;
	if (s->sympos)
		return s->seen == s->sympos;
	return s->seen > 1;	/* unique wanted: a second one is enough */
}

static int klp_vmlinux_sym_cb(void *data, unsigned long addr)
{
	return klp_sym_seen(data, addr);
}

/* For walks over every symbol: vmlinux's have no module. */
static int klp_sym_cb(void *data, const char *name, struct module *mod,
		      unsigned long addr)
{
	struct klp_sym_search *s = data;

	if (strcmp(name, s->name))
		return 0;
	if (s->objname ? !mod || strcmp(mod->name, s->objname) : !!mod)
		return 0;
	return klp_sym_seen(s, addr);
}

/*
 * Find symbol @name of object @objname (NULL: vmlinux).  @sympos selects
 * the n-th symbol of that name in address order; 0 requires it unique.
 */
static int klp_lookup_symbol(const char *objname, const char *name,
			     unsigned long sympos, unsigned long *addr)
{
	struct klp_sym_search s = {
		.objname = objname,
		.name = name,
		.sympos = sympos,
	};
	const char *shown = objname ? objname : "vmlinux";

	/*
	 * The indexed lookup of vmlinux names also matches "name.llvm.<hash>"
	 * under Clang LTO; like 6.1, match the exact name there.
	 */
	if (objname)
		module_kallsyms_on_each_symbol(klp_sym_cb, &s);
	else if (IS_ENABLED(CONFIG_LTO_CLANG))
		kallsyms_on_each_symbol(klp_sym_cb, &s);
	else
		kallsyms_on_each_match_symbol(klp_vmlinux_sym_cb, name, &s);

	*addr = 0;
	if (!s.seen) {
		pr_err("symbol '%s' not found in symbol table\n", name);
	} else if (!sympos && s.seen > 1) {
		pr_err("unresolvable ambiguity for symbol '%s' in object '%s'\n",
		       name, shown);
	} else if (sympos && s.seen != sympos) {
		pr_err("symbol position %lu for symbol '%s' in object '%s' not found\n",
		       sympos, name, shown);
	} else {
		*addr = s.addr;
		return 0;
	}
	return -EINVAL;
}

/* ---- relocations -------------------------------------------------------- */

/*
 * A patch module refers to symbols that are not exported through
 * SHN_LIVEPATCH symbols named .klp.sym.<object>.<symbol>,<sympos>, used by
 * relocation sections named .klp.rela.<object>.<section>.  The sections for
 * vmlinux are applied when the patch module loads; those for a module each
 * time that module loads.  See Documentation/livepatch/module-elf-format.rst.
 */
#define KLP_OBJNAME_MAX		55	/* MODULE_NAME_LEN - 1 */
#define KLP_SYMNAME_MAX		511	/* KSYM_NAME_LEN - 1 */

static int klp_resolve_reloc_symbol(Elf_Sym *sym, const char *strtab,
				    bool sec_vmlinux)
{
	char objname[KLP_OBJNAME_MAX + 1], name[KLP_SYMNAME_MAX + 1];
	const char *full = strtab + sym->st_name;
	unsigned long sympos, addr;
	bool sym_vmlinux;
	int err;

	if (sym->st_shndx != SHN_LIVEPATCH) {
		pr_err("symbol %s is not marked as a livepatch symbol\n", full);
		return -EINVAL;
	}

	if (sscanf(full, ".klp.sym.%" __stringify(KLP_OBJNAME_MAX) "[^.].%"
		   __stringify(KLP_SYMNAME_MAX) "[^,],%lu",
		   objname, name, &sympos) != 3) {
		pr_err("symbol %s has an incorrectly formatted name\n", full);
		return -EINVAL;
	}

	/* A module's section is applied again on reload: no vmlinux refs. */
	sym_vmlinux = !strcmp(objname, "vmlinux");
	if (sym_vmlinux && !sec_vmlinux) {
		pr_err("invalid access to vmlinux symbol '%s' from module-specific livepatch relocation section\n",
		       name);
		return -EINVAL;
	}

	err = klp_lookup_symbol(sym_vmlinux ? NULL : objname, name,
				sympos, &addr);
	if (err)
		return err;
	sym->st_value = addr;
	return 0;
}

static int klp_resolve_rela_symbols(Elf_Shdr *sechdrs, const char *strtab,
				    unsigned int symndx, Elf_Shdr *relasec,
				    const char *sec_objname)
{
	Elf_Rela *relas = (Elf_Rela *)relasec->sh_addr;
	Elf_Sym *symtab = (Elf_Sym *)sechdrs[symndx].sh_addr;
	bool sec_vmlinux = !strcmp(sec_objname, "vmlinux");
	unsigned int i, nr = relasec->sh_size / sizeof(Elf_Rela);
	int err;

	for (i = 0; i < nr; i++) {
		err = klp_resolve_reloc_symbol(symtab + ELF_R_SYM(relas[i].r_info),
					       strtab, sec_vmlinux);
		if (err)
			return err;
	}
	return 0;
}

/* The object of a .klp.rela.<object>.<section> name, in @objname. */
static bool klp_section_objname(const char *secname,
				char objname[KLP_OBJNAME_MAX + 1])
{
	return sscanf(secname, ".klp.rela.%" __stringify(KLP_OBJNAME_MAX) "[^.]",
		      objname) == 1;
}

/**
 * klp_apply_section_relocs() - apply one livepatch relocation section
 * @pmod: the livepatch module
 * @sechdrs: its section headers
 * @shstrtab: its section name table
 * @strtab: its symbol name table
 * @symindex: index of its symbol table section
 * @secindex: index of the .klp.rela.<object>.<section> section
 * @objname: the object being relocated for; NULL for vmlinux
 *
 * Sections meant for another object are skipped.  Called by the module
 * loader for vmlinux and by the core when a target module is patched.
 *
 * Return: 0, or a negative errno when a symbol cannot be resolved or the
 * section is malformed.
 */
int klp_apply_section_relocs(struct module *pmod, Elf_Shdr *sechdrs,
			     const char *shstrtab, const char *strtab,
			     unsigned int symindex, unsigned int secindex,
			     const char *objname)
{
	char sec_objname[KLP_OBJNAME_MAX + 1];
	Elf_Shdr *sec = sechdrs + secindex;
	const char *secname = shstrtab + sec->sh_name;
	int err;

	/*
	 * What the parsing needs: a name that fits the buffers fits the
	 * kernel's.  A longer module name (32-bit kernels allow 59
	 * characters) cannot be named in a section, as in 6.1.
	 */
	BUILD_BUG_ON(KLP_OBJNAME_MAX + 1 > MODULE_NAME_LEN);
	BUILD_BUG_ON(KLP_SYMNAME_MAX + 1 > KSYM_NAME_LEN);

	if (!klp_section_objname(secname, sec_objname)) {
		pr_err("section %s has an incorrectly formatted name\n",
		       secname);
		return -EINVAL;
	}

	if (strcmp(objname ? objname : "vmlinux", sec_objname))
		return 0;

	err = klp_resolve_rela_symbols(sechdrs, strtab, symindex, sec, sec_objname);
	if (err)
		return err;

	return apply_relocate_add(sechdrs, strtab, symindex, secindex, pmod);
}

static int klp_relocate_object(struct klp_patch *patch,
			       struct klp_object *obj)
{
	struct klp_modinfo *info = patch->mod->klp_info;
	unsigned int i;
	int err;

	for (i = 1; i < info->hdr.e_shnum; i++) {
		if (!(info->sechdrs[i].sh_flags & SHF_RELA_LIVEPATCH))
			continue;
		err = klp_apply_section_relocs(patch->mod, info->sechdrs,
					       info->secstrings,
					       patch->mod->core_kallsyms.strtab,
					       info->symndx, i, obj->name);
		if (err)
			return err;
	}
	return 0;
}

#ifdef CONFIG_X86_64
/* The bytes that an x86-64 relocation of this type writes. */
static size_t klp_reloc_size(unsigned int type)
{
	switch (type) {
	case R_X86_64_64:
	case R_X86_64_PC64:
		return 8;
	case R_X86_64_32:
	case R_X86_64_32S:
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
		return 4;
	default:
		return 0;
	}
}

static void klp_clear_section_relocs(Elf_Shdr *sechdrs, Elf_Shdr *sec)
{
	static const u8 zeros[8];
	Elf_Rela *relas = (Elf_Rela *)sec->sh_addr;
	void *base = (void *)sechdrs[sec->sh_info].sh_addr;
	unsigned int i, nr = sec->sh_size / sizeof(*relas);
	size_t size;

	for (i = 0; i < nr; i++) {
		size = klp_reloc_size(ELF64_R_TYPE(relas[i].r_info));
		if (size)
			text_poke(base + relas[i].r_offset, zeros, size);
	}
}

/*
 * Undo the relocations that point into a module that goes away.  x86's
 * apply_relocate_add() refuses to write over a non-zero value, so without
 * this the module could not be loaded again while the patch is active (a
 * limitation of 6.1's core).  Writing zeros where a relocation was never
 * applied is harmless: such places hold zeros already.
 */
static void klp_clear_object_relocs(struct klp_patch *patch,
				    struct klp_object *obj)
{
	struct klp_modinfo *info = patch->mod->klp_info;
	char sec_objname[KLP_OBJNAME_MAX + 1];
	Elf_Shdr *sec;
	unsigned int i;

	mutex_lock(&text_mutex);
	for (i = 1; i < info->hdr.e_shnum; i++) {
		sec = info->sechdrs + i;
		if (!(sec->sh_flags & SHF_RELA_LIVEPATCH) ||
		    !klp_section_objname(info->secstrings + sec->sh_name,
					 sec_objname) ||
		    strcmp(sec_objname, obj->name))
			continue;
		klp_clear_section_relocs(info->sechdrs, sec);
	}
	text_poke_sync();
	mutex_unlock(&text_mutex);
}
#else
static void klp_clear_object_relocs(struct klp_patch *patch,
				    struct klp_object *obj)
{
}
#endif

/* ---- sysfs -------------------------------------------------------------- */

/*
 * /sys/kernel/livepatch/<patch>/{enabled,transition,force,replace,replace_set,
 *				  stack_order}
 * /sys/kernel/livepatch/<patch>/<object>/patched
 * /sys/kernel/livepatch/<patch>/<object>/<function,sympos>/settled
 */

static struct klp_patch *klp_kobj_patch(struct kobject *kobj)
{
	return container_of(kobj, struct klp_patch, kobj);
}

static int klp_start_disable(struct klp_patch *patch);

static ssize_t enabled_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	struct klp_patch *patch = klp_kobj_patch(kobj);
	bool enabled;
	int err;

	err = kstrtobool(buf, &enabled);
	if (err)
		return err;

	mutex_lock(&klp_mutex);
	if (patch->enabled == enabled)
		err = -EINVAL;		/* nothing to do is a mistake */
	else if (patch == klp_transition_patch)
		klp_flip_transition();
	else if (!enabled)
		err = klp_start_disable(patch);
	else
		err = -EINVAL;		/* a disabled patch is on its way out */
	mutex_unlock(&klp_mutex);

	return err ? err : count;
}

static ssize_t enabled_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n", klp_kobj_patch(kobj)->enabled);
}

static ssize_t transition_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  klp_kobj_patch(kobj) == klp_transition_patch);
}

static ssize_t force_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	struct klp_patch *patch = klp_kobj_patch(kobj);
	bool force;
	int err;

	err = kstrtobool(buf, &force);
	if (err)
		return err;
	if (!force)
		return count;

	mutex_lock(&klp_mutex);
	if (patch == klp_transition_patch)
		klp_force_all_tasks();
	else
		err = -EINVAL;
	mutex_unlock(&klp_mutex);

	return err ? err : count;
}

static ssize_t replace_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n", klp_kobj_patch(kobj)->replace);
}

static ssize_t replace_set_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", klp_kobj_patch(kobj)->replace_set);
}

static ssize_t stack_order_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	struct klp_patch *patch = klp_kobj_patch(kobj), *p;
	int order = 0, pos = 0;

	mutex_lock(&klp_mutex);
	klp_for_each_active_patch(p) {
		pos++;
		if (p == patch) {
			order = pos;
			break;
		}
	}
	mutex_unlock(&klp_mutex);

	return sysfs_emit(buf, "%d\n", order);
}

static ssize_t patched_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	struct klp_object *obj = container_of(kobj, struct klp_object, kobj);

	return sysfs_emit(buf, "%d\n", obj->patched);
}

static ssize_t settled_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	struct klp_func *func = container_of(kobj, struct klp_func, kobj);
	bool settled;
	int err;

	/*
	 * Func kobjects are released with klp_mutex held, which waits for
	 * this reader to leave: never wait for klp_mutex here.
	 */
	err = klp_mutex_lock_or_restart();
	if (err)
		return err;
	settled = klp_func_settled(func);
	mutex_unlock(&klp_mutex);
	return sysfs_emit(buf, "%d\n", settled);
}

/* Only root may write; everyone may read what is readable. */
static struct kobj_attribute klp_attr_enabled =
	__ATTR(enabled, 0644, enabled_show, enabled_store);
static struct kobj_attribute klp_attr_transition =
	__ATTR(transition, 0444, transition_show, NULL);
static struct kobj_attribute klp_attr_force =
	__ATTR(force, 0200, NULL, force_store);
static struct kobj_attribute klp_attr_replace =
	__ATTR(replace, 0444, replace_show, NULL);
static struct kobj_attribute klp_attr_replace_set =
	__ATTR(replace_set, 0444, replace_set_show, NULL);
static struct kobj_attribute klp_attr_stack_order =
	__ATTR(stack_order, 0444, stack_order_show, NULL);
static struct kobj_attribute klp_attr_patched =
	__ATTR(patched, 0444, patched_show, NULL);
static struct kobj_attribute klp_attr_settled =
	__ATTR(settled, 0444, settled_show, NULL);

static struct attribute *klp_patch_attrs[] = {
	&klp_attr_enabled.attr, &klp_attr_transition.attr,
	&klp_attr_force.attr, &klp_attr_replace.attr,
	&klp_attr_replace_set.attr, &klp_attr_stack_order.attr, NULL
};
ATTRIBUTE_GROUPS(klp_patch);

static struct attribute *klp_object_attrs[] = { &klp_attr_patched.attr, NULL };
ATTRIBUTE_GROUPS(klp_object);

static struct attribute *klp_func_attrs[] = { &klp_attr_settled.attr, NULL };
ATTRIBUTE_GROUPS(klp_func);

static void klp_release_patch(struct kobject *kobj)
{
	complete(&klp_kobj_patch(kobj)->finish);
}

static void klp_release_object(struct kobject *kobj)
{
	struct klp_object *obj = container_of(kobj, struct klp_object, kobj);

	if (obj->dynamic) {
		kfree(obj->name);
		kfree(obj);
	}
}

static void klp_release_func(struct kobject *kobj)
{
	struct klp_func *func = container_of(kobj, struct klp_func, kobj);

	if (func->nop) {
		kfree(func->old_name);
		kfree(func);
	}
}

static struct kobj_type klp_ktype_patch = {
	.release = klp_release_patch,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = klp_patch_groups,
};

static struct kobj_type klp_ktype_object = {
	.release = klp_release_object,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = klp_object_groups,
};

static struct kobj_type klp_ktype_func = {
	.release = klp_release_func,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = klp_func_groups,
};

/* ---- validation and conflicts ------------------------------------------- */

static bool klp_same_object(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool klp_same_func(const struct klp_func *a, const struct klp_func *b)
{
	return klp_sympos(a) == klp_sympos(b) && !strcmp(a->old_name, b->old_name);
}

static int klp_check_object_shape(struct klp_patch *patch,
				  struct klp_object *obj)
{
	const char *name = klp_obj_name(obj);
	struct klp_object *other;
	struct klp_func *func, *prev;

	if (!obj->funcs) {
		pr_err("patch '%s': object '%s' has no function array\n",
		       patch->mod->name, name);
		return -EINVAL;
	}
	if (obj->name && !*obj->name) {
		pr_err("patch '%s': an object has an empty name; use a NULL name for vmlinux\n",
		       patch->mod->name);
		return -EINVAL;
	}
	if (obj->name && strlen(obj->name) >= MODULE_NAME_LEN) {
		pr_err("patch '%s': object name '%s' is too long\n",
		       patch->mod->name, name);
		return -EINVAL;
	}
	if (obj->name && !strcmp(obj->name, "vmlinux")) {
		pr_err("patch '%s': object name 'vmlinux' is reserved; use a NULL name for vmlinux\n",
		       patch->mod->name);
		return -EINVAL;
	}
	for (other = patch->objs; other != obj; other++) {
		if (klp_same_object(other->name, obj->name)) {
			pr_err("patch '%s': object '%s' is listed twice\n",
			       patch->mod->name, name);
			return -EINVAL;
		}
	}

	klp_for_each_func_static(obj, func) {
		if (!func->old_name || !func->new_func) {
			pr_err("patch '%s': a function of object '%s' has no %s\n",
			       patch->mod->name, name,
			       func->old_name ? "new_func" : "old_name");
			return -EINVAL;
		}
		if (!*func->old_name) {
			pr_err("patch '%s': a function of object '%s' has an empty old_name\n",
			       patch->mod->name, name);
			return -EINVAL;
		}
		if (strlen(func->old_name) >= KSYM_NAME_LEN) {
			pr_err("patch '%s': function name '%.32s...' is too long\n",
			       patch->mod->name, func->old_name);
			return -EINVAL;
		}
		for (prev = obj->funcs; prev != func; prev++) {
			if (klp_same_func(prev, func)) {
				pr_err("patch '%s': function '%s,%lu' is listed twice in object '%s'\n",
				       patch->mod->name, func->old_name,
				       klp_sympos(func), name);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static bool klp_patch_is_active(struct klp_patch *patch)
{
	struct klp_patch *p;

	klp_for_each_active_patch(p)
		if (p == patch)
			return true;
	return false;
}

/* Everything that can be checked before touching anything. */
static int klp_check_patch_shape(struct klp_patch *patch)
{
	struct klp_object *obj;
	int err;

	if (!patch || !patch->mod) {
		pr_err("invalid patch: %s is NULL\n", patch ? "mod" : "patch");
		return -EINVAL;
	}
	if (!patch->objs) {
		pr_err("patch '%s' has no object array\n", patch->mod->name);
		return -EINVAL;
	}
	if (!is_livepatch_module(patch->mod)) {
		pr_err("module %s is not marked as a livepatch module\n",
		       patch->mod->name);
		return -EINVAL;
	}
	klp_for_each_object_static(patch, obj) {
		err = klp_check_object_shape(patch, obj);
		if (err)
			return err;
	}
	return klp_check_states(patch);
}

/*
 * May @patch change a function that @owner changes?  Only as an atomic
 * replace of the same set, which takes over from @owner.
 */
static bool klp_may_take_over(struct klp_patch *patch,
			      struct klp_patch *owner)
{
	return patch->replace && klp_same_set(patch, owner);
}

static void klp_report_conflict(struct klp_patch *patch, const char *old_name,
				unsigned long sympos, const char *objname,
				struct klp_patch *owner)
{
	pr_err("Function '%s,%lu' in object '%s' has already been livepatched.\n",
	       old_name, sympos, objname);
	pr_err("Use cumulative livepatches for dependent changes.\n");
	if (!klp_same_set(owner, patch))
		pr_err("Function '%s,%lu' in object '%s' is patched by '%s' of replace set %u: only a patch of that set may change it.\n",
		       old_name, sympos, objname, owner->mod->name,
		       owner->replace_set);
	else
		pr_err("Function '%s,%lu' in object '%s' is patched by '%s': replace it with a cumulative patch or disable it first.\n",
		       old_name, sympos, objname, owner->mod->name);
}

/* The active patch that patches the function @obj/@func names, if any. */
static struct klp_patch *klp_owner_by_name(struct klp_object *obj,
					   struct klp_func *func)
{
	struct klp_object *o;
	struct klp_func *f;
	struct klp_patch *p;

	klp_for_each_active_patch(p) {
		klp_for_each_object(p, o) {
			if (!klp_same_object(o->name, obj->name))
				continue;
			klp_for_each_func(o, f)
				if (!f->nop && klp_same_func(f, func))
					return p;
		}
	}
	return NULL;
}

/* The active patch that redirects the code at @addr, if any. */
static struct klp_patch *klp_owner_by_addr(void *addr)
{
	struct klp_object *o;
	struct klp_func *f;
	struct klp_patch *p;

	klp_for_each_active_patch(p)
		klp_for_each_object(p, o)
			klp_for_each_func(o, f)
				if (f->patched && !f->nop && f->old_func == addr)
					return p;
	return NULL;
}

/*
 * A patch may not touch a function that an active patch changes, unless
 * it is an atomic replace of the same set.  By name here, so that objects
 * not loaded yet are covered; by address in klp_check_object_addrs() once
 * they are.
 */
static int klp_check_conflicts(struct klp_patch *patch)
{
	struct klp_object *obj;
	struct klp_func *func;
	struct klp_patch *owner;

	klp_for_each_object_static(patch, obj) {
		klp_for_each_func_static(obj, func) {
			owner = klp_owner_by_name(obj, func);
			if (owner && !klp_may_take_over(patch, owner)) {
				klp_report_conflict(patch, func->old_name,
						    klp_sympos(func),
						    klp_obj_name(obj), owner);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int klp_cmp_func_addr(const void *a, const void *b)
{
	const struct klp_func *fa = *(const struct klp_func **)a;
	const struct klp_func *fb = *(const struct klp_func **)b;

	if (fa->old_func == fb->old_func)
		return 0;
	return fa->old_func < fb->old_func ? -1 : 1;
}

/*
 * A nop that resolves to the code of another entry of its patch: an atomic
 * replace that changes an alias of a function an older patch changes.  The
 * other entry already takes that code over, so the nop has nothing to do.
 */
static void klp_drop_redundant_nop(struct klp_func *nop)
{
	list_del(&nop->node);
	kobject_put(&nop->kobj);
}

/*
 * Two entries of one object resolving to the same code (aliases)?  Only
 * nops may share their code with another entry: they are dropped.
 */
static int klp_check_object_aliases(struct klp_patch *patch,
				    struct klp_object *obj)
{
	struct klp_func *func, **funcs;
	unsigned int i, nr = 0;
	int err = 0;

	klp_for_each_func(obj, func)
		nr++;
	if (nr < 2)
		return 0;

	funcs = kmalloc_array(nr, sizeof(*funcs), GFP_KERNEL);
	if (!funcs)
		return -ENOMEM;
	i = 0;
	klp_for_each_func(obj, func)
		funcs[i++] = func;
	sort(funcs, nr, sizeof(*funcs), klp_cmp_func_addr, NULL);

	for (i = 1; i < nr; i++) {
		if (funcs[i]->old_func != funcs[i - 1]->old_func)
			continue;
		if (funcs[i]->nop) {
			klp_drop_redundant_nop(funcs[i]);
			funcs[i] = funcs[i - 1];
			continue;
		}
		if (funcs[i - 1]->nop) {
			klp_drop_redundant_nop(funcs[i - 1]);
			continue;
		}
		pr_err("patch '%s': functions '%s,%lu' and '%s,%lu' in object '%s' are the same code\n",
		       patch->mod->name, funcs[i - 1]->old_name,
		       klp_sympos(funcs[i - 1]), funcs[i]->old_name,
		       klp_sympos(funcs[i]), klp_obj_name(obj));
		err = -EINVAL;
		break;
	}
	kfree(funcs);
	return err;
}

/*
 * Resolved functions must not be redirected by anyone else already, unless
 * @patch is an atomic replace taking over from the owner, of its own set.
 */
static int klp_check_object_addrs(struct klp_patch *patch,
				  struct klp_object *obj)
{
	struct klp_func *func, *tmp;
	struct klp_patch *owner;
	int err;

	err = klp_check_object_aliases(patch, obj);
	if (err)
		return err;

	klp_for_each_func_safe(obj, func, tmp) {
		if (!klp_ops_lookup(func->old_func))
			continue;
		owner = klp_owner_by_addr(func->old_func);
		if (WARN_ON_ONCE(!owner))
			return -EINVAL;
		if (klp_may_take_over(patch, owner))
			continue;
		/*
		 * A nop for code that another set's patch redirects: the
		 * patch of our set that named it never got that code (an
		 * alias, see klp_apply_to_coming_module()), so there is
		 * nothing to undo.
		 */
		if (func->nop) {
			klp_drop_redundant_nop(func);
			continue;
		}
		klp_report_conflict(patch, func->old_name, klp_sympos(func),
				    klp_obj_name(obj), owner);
		/* Told apart from other errors by klp_module_coming(). */
		return -EEXIST;
	}
	return 0;
}

/* ---- building and freeing the hierarchy --------------------------------- */

/* Link a func into its object; its kobject is ready for kobject_put(). */
static void klp_func_setup(struct klp_object *obj, struct klp_func *func)
{
	list_add_tail(&func->node, &obj->func_list);
	kobject_init(&func->kobj, &klp_ktype_func);
}

static void klp_object_setup(struct klp_patch *patch,
			     struct klp_object *obj)
{
	list_add_tail(&obj->node, &patch->obj_list);
	kobject_init(&obj->kobj, &klp_ktype_object);
	INIT_LIST_HEAD(&obj->func_list);
}

static void klp_patch_setup(struct klp_patch *patch)
{
	struct klp_object *obj;
	struct klp_func *func;

	patch->enabled = false;
	patch->forced = false;
	init_completion(&patch->finish);
	INIT_LIST_HEAD(&patch->obj_list);
	INIT_LIST_HEAD(&patch->list);
	kobject_init(&patch->kobj, &klp_ktype_patch);

	klp_for_each_object_static(patch, obj) {
		klp_object_setup(patch, obj);
		klp_for_each_func_static(obj, func)
			klp_func_setup(obj, func);
	}
}

static struct klp_object *klp_patch_find_object(struct klp_patch *patch,
						struct klp_object *old_obj)
{
	struct klp_object *obj;

	klp_for_each_object(patch, obj)
		if (klp_same_object(obj->name, old_obj->name))
			return obj;
	return NULL;
}

static bool klp_object_has_func(struct klp_object *obj,
				struct klp_func *old_func)
{
	struct klp_func *func;

	klp_for_each_func(obj, func)
		if (klp_same_func(func, old_func))
			return true;
	return false;
}

static struct klp_object *klp_new_dynamic_object(struct klp_patch *patch,
						 const char *name)
{
	struct klp_object *obj = kzalloc(sizeof(*obj), GFP_KERNEL);
	const char *copy = name ? kstrdup(name, GFP_KERNEL) : NULL;

	if (!obj || (name && !copy)) {
		kfree(copy);
		kfree(obj);
		return NULL;
	}
	obj->name = copy;
	obj->dynamic = true;
	klp_object_setup(patch, obj);
	return obj;
}

/* A nop brings back the original code; its addresses come at load time. */
static struct klp_func *klp_new_nop(struct klp_object *obj,
				    struct klp_func *old_func)
{
	struct klp_func *func = kzalloc(sizeof(*func), GFP_KERNEL);
	const char *name = kstrdup(old_func->old_name, GFP_KERNEL);

	if (!func || !name) {
		kfree(name);
		kfree(func);
		return NULL;
	}
	func->old_name = name;
	func->old_sympos = old_func->old_sympos;
	func->nop = true;
	klp_func_setup(obj, func);
	return func;
}

/*
 * An atomic-replace patch gets a nop for every function that an active
 * patch of its set changes and it does not, so that its transition undoes
 * them.
 */
static int klp_add_nop_funcs(struct klp_patch *patch)
{
	struct klp_object *old_obj, *obj;
	struct klp_func *old_func;
	struct klp_patch *old;

	klp_for_each_active_patch(old) {
		if (!klp_same_set(old, patch))
			continue;
		klp_for_each_object(old, old_obj) {
			obj = klp_patch_find_object(patch, old_obj);
			if (!obj)
				obj = klp_new_dynamic_object(patch,
							     old_obj->name);
			if (!obj)
				return -ENOMEM;

			klp_for_each_func(old_obj, old_func) {
				if (old_func->nop ||
				    klp_object_has_func(obj, old_func))
					continue;
				if (!klp_new_nop(obj, old_func))
					return -ENOMEM;
			}
		}
	}
	return 0;
}

static void klp_release_funcs(struct klp_object *obj, bool nops_only)
{
	struct klp_func *func, *tmp;

	klp_for_each_func_safe(obj, func, tmp) {
		if (!nops_only || func->nop) {
			list_del(&func->node);
			/* The release function frees nops. */
			kobject_put(&func->kobj);
		}
	}
}

static void klp_release_objects(struct klp_patch *patch, bool dynamic_only)
{
	struct klp_object *obj, *tmp;

	klp_for_each_object_safe(patch, obj, tmp) {
		klp_release_funcs(obj, dynamic_only);
		if (!dynamic_only || obj->dynamic) {
			list_del(&obj->node);
			kobject_put(&obj->kobj);
		}
	}
}

/* First half of freeing, under klp_mutex: off the list, children gone. */
static void klp_detach_patch(struct klp_patch *patch)
{
	list_del_init(&patch->list);
	klp_release_objects(patch, false);
}

/*
 * Second half, without klp_mutex: drop the patch's own kobject and wait
 * until sysfs lets go of it; then the module may be removed, unless a
 * forced transition may have left tasks in its code.  When a task may
 * still be on its way into that code (@was_live), wait for it first, so
 * that, as in 6.1, the module can be removed as soon as the patch's
 * directory is gone.
 */
static void klp_put_patch(struct klp_patch *patch, bool was_live)
{
	bool keep_module = patch->forced;

	if (was_live && !keep_module)
		klp_wait_redirections();
	kobject_put(&patch->kobj);
	wait_for_completion(&patch->finish);
	if (!keep_module)
		module_put(patch->mod);
}

static void klp_put_patch_work(struct work_struct *work)
{
	klp_put_patch(container_of(work, struct klp_patch, free_work), false);
}

static void klp_put_live_patch_work(struct work_struct *work)
{
	klp_put_patch(container_of(work, struct klp_patch, free_work), true);
}

/**
 * klp_release_patch_async() - free a patch that no longer redirects
 * @patch: the patch, out of its transition
 * @was_live: a task may still be on its way into the patch's code; its
 *	module waits for it before it may go (klp_put_patch())
 */
void klp_release_patch_async(struct klp_patch *patch, bool was_live)
{
	klp_detach_patch(patch);
	/* Initialised here only: which work runs depends on @was_live. */
	INIT_WORK(&patch->free_work, was_live ? klp_put_live_patch_work :
						klp_put_patch_work);
	schedule_work(&patch->free_work);
}

/*
 * Free the patches an atomic replace took over from (those of its set
 * before it).  Their entries left the hooks that the replace keeps
 * without any wait.
 */
void klp_release_replaced_patches(struct klp_patch *new_patch)
{
	struct klp_patch *old, *tmp;

	klp_for_each_active_patch_safe(old, tmp) {
		if (old == new_patch)
			return;
		if (klp_same_set(old, new_patch))
			klp_release_patch_async(old, true);
	}
}

/* The patches @new_patch replaces stop redirecting: it has it all. */
void klp_retire_replaced_patches(struct klp_patch *new_patch)
{
	struct klp_patch *old;

	klp_for_each_active_patch(old) {
		if (old == new_patch)
			return;
		if (!klp_same_set(old, new_patch))
			continue;
		old->enabled = false;
		klp_restore_patch(old);
	}
}

/* The nops of a completed atomic replace: unhook and free them. */
void klp_drop_nops(struct klp_patch *new_patch)
{
	klp_restore_nops(new_patch);
	klp_release_objects(new_patch, true);
}

/* Resolve the object's functions; the object is loaded. */
static int klp_bind_object(struct klp_patch *patch,
			   struct klp_object *obj)
{
	struct klp_func *func;
	int err;

	/*
	 * The patch module is live by now, so the arch code writes the
	 * relocations with text_poke() under text_mutex: do not hold it here.
	 */
	if (klp_obj_is_module(obj)) {
		err = klp_relocate_object(patch, obj);
		if (err)
			return err;
	}

	klp_for_each_func(obj, func) {
		err = klp_lookup_symbol(obj->name, func->old_name,
					func->old_sympos,
					(unsigned long *)&func->old_func);
		if (err)
			return err;

		if (!kallsyms_lookup_size_offset((unsigned long)func->old_func,
						 &func->old_size, NULL)) {
			pr_err("kallsyms size lookup failed for '%s'\n",
			       func->old_name);
			return -ENOENT;
		}
		if (func->nop)	/* "replaced" by the original code */
			func->new_func = func->old_func;
		if (!kallsyms_lookup_size_offset((unsigned long)func->new_func,
						 &func->new_size, NULL)) {
			pr_err("kallsyms size lookup failed for '%s' replacement\n",
			       func->old_name);
			return -ENOENT;
		}
	}

	return klp_check_object_addrs(patch, obj);
}

/* Forget what belonged to a module that went away. */
static void klp_unbind_object(struct klp_patch *patch,
			      struct klp_object *obj)
{
	struct klp_func *func;

	klp_clear_object_relocs(patch, obj);

	klp_for_each_func(obj, func) {
		/* A nop's new_func was the old address too. */
		if (func->nop)
			func->new_func = NULL;
		func->old_func = NULL;
	}
	obj->mod = NULL;
}

/* Take the module if it is loaded and not on its way out. */
static void klp_lookup_object_module(struct klp_object *obj)
{
	struct module *mod;

	if (!klp_obj_is_module(obj))
		return;

	rcu_read_lock_sched();
	mod = find_module(obj->name);
	/*
	 * klp_alive is set in klp_module_coming() and cleared in
	 * klp_module_going(), both under klp_mutex: outside that window
	 * the module hooks own the object.
	 */
	if (mod && mod->klp_alive)
		obj->mod = mod;
	rcu_read_unlock_sched();
}

static int klp_func_add_kobj(struct klp_object *obj, struct klp_func *func)
{
	func->transition = false;
	func->patched = false;
	INIT_LIST_HEAD(&func->stack_node);

	/* "name,sympos": sympos keeps same-named functions apart. */
	return kobject_add(&func->kobj, &obj->kobj, "%s,%lu",
			   func->old_name, klp_sympos(func));
}

static int klp_object_init(struct klp_patch *patch, struct klp_object *obj)
{
	struct klp_func *func;
	int err;

	obj->patched = false;
	obj->mod = NULL;
	klp_lookup_object_module(obj);

	err = kobject_add(&obj->kobj, &patch->kobj, "%s", klp_obj_name(obj));
	if (err)
		return err;

	klp_for_each_func(obj, func) {
		err = klp_func_add_kobj(obj, func);
		if (err)
			return err;
	}

	if (klp_object_loaded(obj))
		err = klp_bind_object(patch, obj);
	/* A conflict refuses the patch, as a conflict by name does. */
	return err == -EEXIST ? -EINVAL : err;
}

static int klp_patch_init(struct klp_patch *patch)
{
	struct klp_object *obj;
	int err;

	err = kobject_add(&patch->kobj, klp_sysfs_root, "%s", patch->mod->name);
	if (err)
		return err;

	if (patch->replace) {
		err = klp_add_nop_funcs(patch);
		if (err)
			return err;
	}

	klp_for_each_object(patch, obj) {
		err = klp_object_init(patch, obj);
		if (err)
			return err;
	}

	list_add_tail(&patch->list, &klp_patches);
	return 0;
}

/* ---- enabling and disabling --------------------------------------------- */

static int klp_start_disable(struct klp_patch *patch)
{
	struct klp_object *obj;

	if (WARN_ON(!patch->enabled))
		return -EINVAL;
	if (klp_transition_patch)
		return -EBUSY;
	/* No stacking, so no order to respect: any patch may go. */

	klp_prepare_transition(patch, KLP_UNPATCHED);

	klp_for_each_object(patch, obj)
		if (obj->patched)
			klp_run_pre_unpatch(obj);

	klp_launch_transition();
	patch->enabled = false;
	klp_advance_transition();
	return 0;
}

static int klp_start_enable(struct klp_patch *patch)
{
	struct klp_object *obj;
	int err;

	if (klp_transition_patch)
		return -EBUSY;
	if (WARN_ON(patch->enabled))
		return -EINVAL;

	pr_notice("enabling patch '%s'\n", patch->mod->name);

	klp_prepare_transition(patch, KLP_PATCHED);

	klp_for_each_object(patch, obj) {
		if (!klp_object_loaded(obj))
			continue;

		err = klp_run_pre_patch(obj);
		if (err) {
			pr_warn("pre-patch callback failed for object '%s'\n",
				klp_obj_name(obj));
			goto err;
		}

		err = klp_redirect_object(obj);
		if (err) {
			pr_warn("failed to patch object '%s'\n",
				klp_obj_name(obj));
			goto err;
		}
	}

	klp_launch_transition();
	patch->enabled = true;
	klp_advance_transition();
	return 0;

err:
	pr_warn("failed to enable patch '%s'\n", patch->mod->name);
	klp_abort_transition();
	return err;
}

/**
 * klp_enable_patch() - enable a livepatch
 * @patch: the patch, owned by the calling livepatch module
 *
 * Call it from the livepatch module's init function.  The patch is checked,
 * its sysfs directory /sys/kernel/livepatch/<module> is created, the
 * functions of every loaded object are redirected and the transition to
 * the patched state starts; it completes in the background.  Objects that
 * are modules not loaded yet are patched when they load.
 *
 * A patch that changes a function already changed by an active patch is
 * refused, unless it is an atomic replace (@patch->replace) of the same
 * replace set (@patch->replace_set): dependent changes go into one
 * cumulative patch, and each set upgrades its own.
 *
 * Return: 0 on success; otherwise a negative errno and nothing of the
 * patch remains: -EINVAL for a malformed, conflicting or incompatible
 * patch, -EBUSY while another transition runs, -ENODEV when the core is not
 * set up, or the error of a failed step (-ENOMEM, a pre-patch callback's
 * error, an ftrace error...).
 */
int klp_enable_patch(struct klp_patch *patch)
{
	int err;

	err = klp_check_patch_shape(patch);
	if (err)
		return err;

	if (!klp_sysfs_root)
		return -ENODEV;

	if (!klp_have_reliable_stack()) {
		pr_warn("This architecture doesn't have support for the livepatch consistency model.\n");
		pr_warn("The livepatch transition may never complete.\n");
	}

	mutex_lock(&klp_mutex);

	if (klp_patch_is_active(patch)) {
		pr_err("patch '%s' is already enabled\n", patch->mod->name);
		err = -EINVAL;
		goto unlock;
	}

	if (!klp_states_compatible(patch)) {
		pr_err("Livepatch patch (%s) is not compatible with the already installed livepatches.\n",
		       patch->mod->name);
		err = -EINVAL;
		goto unlock;
	}

	/*
	 * Busy before conflicting: 6.1 refuses any patch during a transition
	 * with -EBUSY, and retrying later may well succeed.
	 */
	if (klp_transition_patch) {
		err = -EBUSY;
		goto unlock;
	}

	err = klp_check_conflicts(patch);
	if (err)
		goto unlock;

	if (!try_module_get(patch->mod)) {
		err = -ENODEV;
		goto unlock;
	}

	klp_patch_setup(patch);

	err = klp_patch_init(patch);
	if (err)
		goto err_free;

	err = klp_start_enable(patch);
	if (err)
		goto err_free;

	mutex_unlock(&klp_mutex);
	return 0;

err_free:
	klp_detach_patch(patch);
	mutex_unlock(&klp_mutex);
	/* Its transition never started: no task was sent into its code. */
	klp_put_patch(patch, false);
	return err;

unlock:
	mutex_unlock(&klp_mutex);
	return err;
}
EXPORT_SYMBOL_GPL(klp_enable_patch);

/* ---- modules coming and going ------------------------------------------- */

static struct klp_object *klp_patch_module_object(struct klp_patch *patch,
						  struct module *mod)
{
	struct klp_object *obj;

	klp_for_each_object(patch, obj)
		if (klp_obj_is_module(obj) && !strcmp(obj->name, mod->name))
			return obj;
	return NULL;
}

/* Unpatch @mod for the patches before @limit (all of them if NULL). */
static void klp_unpatch_module_before(struct module *mod,
				      struct klp_patch *limit)
{
	struct klp_object *obj;
	struct klp_patch *patch;

	klp_for_each_active_patch(patch) {
		if (patch == limit)
			break;
		obj = klp_patch_module_object(patch, mod);
		if (!obj || !obj->mod)
			continue;

		if (patch != klp_transition_patch)
			klp_run_pre_unpatch(obj);

		pr_notice("reverting patch '%s' on unloading module '%s'\n",
			  patch->mod->name, obj->name);
		klp_restore_object(obj);
		klp_run_post_unpatch(obj);
		klp_unbind_object(patch, obj);
	}
}

static int klp_apply_to_coming_module(struct klp_patch *patch,
				      struct klp_object *obj,
				      struct module *mod)
{
	int err;

	obj->mod = mod;
	err = klp_bind_object(patch, obj);
	if (err == -EEXIST) {
		/*
		 * Two patches accepted by name can name aliases of one
		 * function of a module that was not loaded.  The patch that
		 * came first keeps it; the module must not become
		 * unloadable because of the other one, whose object stays
		 * unpatched ("patched" reads 0 in its sysfs directory).
		 */
		klp_unbind_object(patch, obj);
		pr_warn("module '%s' loads without patch '%s', whose object for it stays unpatched\n",
			mod->name, patch->mod->name);
		return 0;
	}
	if (err) {
		pr_warn("failed to initialize patch '%s' for module '%s' (%d)\n",
			patch->mod->name, mod->name, err);
		return err;
	}

	pr_notice("applying patch '%s' to loading module '%s'\n",
		  patch->mod->name, mod->name);

	err = klp_run_pre_patch(obj);
	if (err) {
		pr_warn("pre-patch callback failed for object '%s'\n",
			obj->name);
		return err;
	}

	err = klp_redirect_object(obj);
	if (err) {
		pr_warn("failed to apply patch '%s' to module '%s' (%d)\n",
			patch->mod->name, mod->name, err);
		klp_run_post_unpatch(obj);
		return err;
	}

	/* In transition, the transition runs post_patch when it completes. */
	if (patch != klp_transition_patch)
		klp_run_post_patch(obj);
	return 0;
}

/**
 * klp_module_coming() - patch a module that is loading
 * @mod: the module, in MODULE_STATE_COMING, not yet running
 *
 * Called by the module loader.  Every active patch with an object for @mod
 * is applied to it.
 *
 * Return: 0, or a negative errno when a patch cannot be applied; the
 * loader then refuses the module.
 */
int klp_module_coming(struct module *mod)
{
	struct klp_object *obj;
	struct klp_patch *patch;
	bool applied = false;
	int err = 0;

	if (WARN_ON(mod->state != MODULE_STATE_COMING))
		return -EINVAL;

	if (!strcmp(mod->name, "vmlinux")) {
		pr_err("vmlinux.ko: invalid module name\n");
		return -EINVAL;
	}

	mutex_lock(&klp_mutex);
	mod->klp_alive = true;

	klp_for_each_active_patch(patch) {
		obj = klp_patch_module_object(patch, mod);
		if (!obj)
			continue;
		err = klp_apply_to_coming_module(patch, obj, mod);
		if (err)
			goto err;
		applied = true;
	}

	if (applied)
		klp_settle_all();
	mutex_unlock(&klp_mutex);
	return 0;

err:
	pr_warn("patch '%s' failed for module '%s', refusing to load module '%s'\n",
		patch->mod->name, mod->name, mod->name);
	klp_unbind_object(patch, obj);
	klp_unpatch_module_before(mod, patch);
	mod->klp_alive = false;
	mutex_unlock(&klp_mutex);
	return err;
}

/**
 * klp_module_going() - unpatch a module that goes away
 * @mod: the module, in MODULE_STATE_GOING (or COMING if its load failed)
 *
 * Called by the module loader after the module's exit function.
 */
void klp_module_going(struct module *mod)
{
	if (WARN_ON(mod->state != MODULE_STATE_GOING &&
		    mod->state != MODULE_STATE_COMING))
		return;

	mutex_lock(&klp_mutex);
	/* From now on, new patches leave this module alone. */
	mod->klp_alive = false;
	klp_unpatch_module_before(mod, NULL);
	mutex_unlock(&klp_mutex);
}

static int __init klp_init(void)
{
	klp_sysfs_root = kobject_create_and_add("livepatch", kernel_kobj);
	return klp_sysfs_root ? 0 : -ENOMEM;
}
module_init(klp_init);
