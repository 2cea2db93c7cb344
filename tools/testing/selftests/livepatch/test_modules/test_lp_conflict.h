/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_lp_conflict.h - the code of the livepatch modules test_lp_conflict_p1,
 * test_lp_conflict_p2 and test_lp_conflict_p3.  They are the same module
 * three times, so that the conflict tests can have up to three patches
 * active at once; parameters say what each instance patches:
 *
 *   funcs=NAME[@SYMPOS][,NAME[@SYMPOS]...]
 *	the functions to patch, in this order, each one of the names in
 *	test_lp_conflict_known[] below; SYMPOS is klp_func.old_sympos
 *	(default 0).  Repeating a name is allowed: the core must refuse it.
 *   replace=1
 *	make the patch an atomic replace (klp_patch.replace).
 *   replace_set=N
 *	put the patch in replace set N (klp_patch.replace_set, default 0).
 *
 * What the replacements do:
 *   version_proc_show(), loadavg_proc_show(): /proc/version and
 *	/proc/loadavg read "<patch module name>";
 *   __x64_sys_sync() and __do_sys_sync(), two names of one function (the
 *	x86 SYSCALL_DEFINE0() wrapper is an alias): sync(2) only logs
 *	"<patch module name>: sync() replaced";
 *   the functions of test_lp_conflict_target, and the two static
 *	test_lp_twin() of test_lp_twins_target (sympos 1 and 2), return
 *	"<patch module name>" instead of "original", which the modules'
 *	parameters show.
 *
 * The including file defines pr_fmt and registers test_lp_conflict_init()
 * and test_lp_conflict_exit().
 */

#ifndef _TEST_LP_CONFLICT_H
#define _TEST_LP_CONFLICT_H

#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/ptrace.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#define TEST_LP_CONFLICT_TARGET		"test_lp_conflict_target"
#define TEST_LP_TWINS_TARGET		"test_lp_twins_target"
#define TEST_LP_CONFLICT_MAX_FUNCS	8

static int test_lp_conflict_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", THIS_MODULE->name);
	return 0;
}

static long test_lp_conflict_sys_sync(const struct pt_regs *regs)
{
	pr_info("sync() replaced\n");
	return 0;
}

static const char *test_lp_conflict_target_func(void)
{
	return THIS_MODULE->name;
}

struct test_lp_conflict_known {
	const char *objname;		/* NULL for vmlinux */
	const char *old_name;
	void *new_func;
};

static const struct test_lp_conflict_known test_lp_conflict_known[] = {
	{ NULL, "version_proc_show", test_lp_conflict_proc_show },
	{ NULL, "loadavg_proc_show", test_lp_conflict_proc_show },
	{ NULL, "__x64_sys_sync", test_lp_conflict_sys_sync },
	{ NULL, "__do_sys_sync", test_lp_conflict_sys_sync },
	{ TEST_LP_CONFLICT_TARGET, "test_lp_conflict_target_a",
	  test_lp_conflict_target_func },
	{ TEST_LP_CONFLICT_TARGET, "test_lp_conflict_target_b",
	  test_lp_conflict_target_func },
	{ TEST_LP_CONFLICT_TARGET, "test_lp_conflict_target_b_alias",
	  test_lp_conflict_target_func },
	{ TEST_LP_CONFLICT_TARGET, "test_lp_conflict_target_busy",
	  test_lp_conflict_target_func },
	{ TEST_LP_TWINS_TARGET, "test_lp_twin", test_lp_conflict_target_func },
};

static char *funcs;
module_param(funcs, charp, 0444);
MODULE_PARM_DESC(funcs, "functions to patch: NAME[@SYMPOS],...");

static bool replace;
module_param(replace, bool, 0444);
MODULE_PARM_DESC(replace, "atomic replace patch (default: false)");

static unsigned int replace_set;
module_param(replace_set, uint, 0444);
MODULE_PARM_DESC(replace_set, "replace set of the patch (default: 0)");

/*
 * The objects a patch may have, vmlinux first; each function array is
 * zero-terminated, hence one more entry than can be used.
 */
static const char *const test_lp_conflict_objnames[] = {
	NULL, TEST_LP_CONFLICT_TARGET, TEST_LP_TWINS_TARGET,
};

#define TEST_LP_CONFLICT_NR_OBJS	ARRAY_SIZE(test_lp_conflict_objnames)
static struct klp_func test_lp_conflict_funcs[TEST_LP_CONFLICT_NR_OBJS]
					     [TEST_LP_CONFLICT_MAX_FUNCS + 1];
static struct klp_object test_lp_conflict_objs[TEST_LP_CONFLICT_NR_OBJS + 1];

static struct klp_patch test_lp_conflict_patch = {
	.mod = THIS_MODULE,
	.objs = test_lp_conflict_objs,
};

/* The index of object @objname (NULL: vmlinux) in the arrays above. */
static unsigned int test_lp_conflict_obj_index(const char *objname)
{
	unsigned int i;

	for (i = 1; objname && i < TEST_LP_CONFLICT_NR_OBJS; i++)
		if (!strcmp(test_lp_conflict_objnames[i], objname))
			return i;
	return 0;
}

/* Append the function @spec ("NAME[@SYMPOS]") to its object's array. */
static int test_lp_conflict_add(char *spec, unsigned int *nr_funcs)
{
	const struct test_lp_conflict_known *known = NULL;
	unsigned long sympos = 0;
	struct klp_func *func;
	unsigned int i, obj;
	char *at;

	at = strchr(spec, '@');
	if (at) {
		*at = '\0';
		if (kstrtoul(at + 1, 10, &sympos)) {
			pr_err("bad symbol position in '%s@%s'\n", spec, at + 1);
			return -EINVAL;
		}
	}

	for (i = 0; i < ARRAY_SIZE(test_lp_conflict_known); i++) {
		if (!strcmp(test_lp_conflict_known[i].old_name, spec)) {
			known = &test_lp_conflict_known[i];
			break;
		}
	}
	if (!known) {
		pr_err("no replacement for function '%s'\n", spec);
		return -EINVAL;
	}

	obj = test_lp_conflict_obj_index(known->objname);
	if (nr_funcs[obj] >= TEST_LP_CONFLICT_MAX_FUNCS) {
		pr_err("more than %d functions for one object\n",
		       TEST_LP_CONFLICT_MAX_FUNCS);
		return -EINVAL;
	}
	func = &test_lp_conflict_funcs[obj][nr_funcs[obj]++];

	/* The name is the table's: it outlives the parameter string. */
	func->old_name = known->old_name;
	func->old_sympos = sympos;
	func->new_func = known->new_func;
	return 0;
}

/* Fill the patch from the module parameters. */
static int test_lp_conflict_build(void)
{
	unsigned int nr_funcs[TEST_LP_CONFLICT_NR_OBJS] = { 0 };
	unsigned int i, nr_objs = 0;
	char *list, *cur, *spec;
	int err = 0;

	if (!funcs || !*funcs) {
		pr_err("no function to patch: give funcs=NAME[@SYMPOS],...\n");
		return -EINVAL;
	}

	list = kstrdup(funcs, GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	cur = list;
	while (!err && (spec = strsep(&cur, ",")))
		err = test_lp_conflict_add(spec, nr_funcs);
	kfree(list);
	if (err)
		return err;

	for (i = 0; i < TEST_LP_CONFLICT_NR_OBJS; i++) {
		if (!nr_funcs[i])
			continue;
		test_lp_conflict_objs[nr_objs].name =
			test_lp_conflict_objnames[i];
		test_lp_conflict_objs[nr_objs++].funcs =
			test_lp_conflict_funcs[i];
	}
	test_lp_conflict_patch.replace = replace;
	test_lp_conflict_patch.replace_set = replace_set;
	return 0;
}

static int __init test_lp_conflict_init(void)
{
	int err;

	err = test_lp_conflict_build();
	if (err)
		return err;
	return klp_enable_patch(&test_lp_conflict_patch);
}

static void __exit test_lp_conflict_exit(void)
{
}

#endif /* _TEST_LP_CONFLICT_H */
