// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Hand klp_enable_patch() a broken patch.
 *
 * The parameter "case" picks what is wrong with the patch; every case but
 * "valid", "mod_no_symbol" and "mod_notrace" must make klp_enable_patch(), and so the
 * module's load, fail:
 *
 *   valid           nothing: patches test_lp_target_a_show() of test_lp_target
 *   null_objs       the patch has no object array
 *   null_funcs      an object has no function array
 *   null_mod        the patch has no module
 *   null_old_name   a function has no old_name
 *   empty_old_name  a function's old_name is ""
 *   empty_obj_name  an object's name is "" (vmlinux has a NULL name)
 *   null_new_func   a function has no new_func
 *   func_twice      one function listed twice in an object
 *   func_twice_pos  one function listed twice, as sympos 0 and as sympos 1
 *   obj_twice       one object listed twice
 *   obj_vmlinux     an object named "vmlinux" (vmlinux has a NULL name)
 *   obj_name_long   an object name longer than a module name can be
 *   func_name_long  a function name longer than a symbol name can be
 *   no_symbol       a vmlinux function that does not exist
 *   mod_no_symbol   a test_lp_target function that does not exist: the
 *                   patch loads, test_lp_target is refused when it loads
 *   mod_notrace     a test_lp_target function without an ftrace call site:
 *                   likewise, refused where the patch is applied to it
 *   sympos          vmlinux function "sym" at position "sympos"
 *   state_twice     two states with the same id
 *   state_no_id     a state with a version but no id, before the end
 *   enable_twice    a valid patch, given to klp_enable_patch() a second
 *                   time once enabled: the second call must fail and leave
 *                   the patch as it is (the module loads)
 *
 * "sympos" also covers the ambiguous case: a name found several times in
 * vmlinux with sympos=0.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "test_lp_target.h"

static char *test_case = "valid";
module_param_named(case, test_case, charp, 0444);
MODULE_PARM_DESC(case, "What is wrong with the patch (see the source)");

static char *sym = "test_lp_malformed_no_such_function";
module_param(sym, charp, 0444);
MODULE_PARM_DESC(sym, "Function name for case=sympos");

static ulong sympos;
module_param(sympos, ulong, 0444);
MODULE_PARM_DESC(sympos, "old_sympos for case=sympos");

static int test_lp_malformed_show(struct test_lp_target_data *data, char *buf)
{
	return scnprintf(buf, TEST_LP_TARGET_BUF, "%s\n", THIS_MODULE->name);
}

/* Two functions, the second one may be changed, and a terminator. */
static struct klp_func test_lp_malformed_funcs[3] = {
	{
		.old_name = "test_lp_target_a_show",
		.new_func = test_lp_malformed_show,
	},
};

/* Two objects, the second one may be changed, and a terminator. */
static struct klp_object test_lp_malformed_objs[3] = {
	{
		.name = "test_lp_target",
		.funcs = test_lp_malformed_funcs,
	},
};

static struct klp_func test_lp_malformed_other_funcs[] = {
	{
		.old_name = "test_lp_target_b_show",
		.new_func = test_lp_malformed_show,
	},
	{ }
};

/* Two states and a terminator, for the state cases. */
static struct klp_state test_lp_malformed_states[3] = {
	{ .id = 1, .version = 1 },
	{ .id = 2, .version = 1 },
};

static struct klp_patch test_lp_malformed_patch = {
	.mod = THIS_MODULE,
	.objs = test_lp_malformed_objs,
};

static char *test_lp_malformed_long_name;

static int test_lp_malformed_setup(void)
{
	struct klp_object *obj = &test_lp_malformed_objs[0];
	struct klp_func *func = &test_lp_malformed_funcs[0];

	if (!strcmp(test_case, "valid"))
		return 0;

	if (!strcmp(test_case, "null_objs")) {
		test_lp_malformed_patch.objs = NULL;
	} else if (!strcmp(test_case, "null_funcs")) {
		obj->funcs = NULL;
	} else if (!strcmp(test_case, "null_mod")) {
		test_lp_malformed_patch.mod = NULL;
	} else if (!strcmp(test_case, "empty_old_name")) {
		func->old_name = "";
	} else if (!strcmp(test_case, "empty_obj_name")) {
		obj->name = "";
	} else if (!strcmp(test_case, "state_twice")) {
		test_lp_malformed_states[1].id = 1;
		test_lp_malformed_patch.states = test_lp_malformed_states;
	} else if (!strcmp(test_case, "state_no_id")) {
		test_lp_malformed_states[0].id = 0;
		test_lp_malformed_patch.states = test_lp_malformed_states;
	} else if (!strcmp(test_case, "null_old_name")) {
		func[1].new_func = test_lp_malformed_show;
	} else if (!strcmp(test_case, "null_new_func")) {
		func[1].old_name = "test_lp_target_b_show";
	} else if (!strcmp(test_case, "func_twice")) {
		func[1] = func[0];
	} else if (!strcmp(test_case, "func_twice_pos")) {
		func[1] = func[0];
		func[1].old_sympos = 1;
	} else if (!strcmp(test_case, "obj_twice")) {
		obj[1].name = obj[0].name;
		obj[1].funcs = test_lp_malformed_other_funcs;
	} else if (!strcmp(test_case, "obj_vmlinux")) {
		obj->name = "vmlinux";
	} else if (!strcmp(test_case, "obj_name_long")) {
		obj->name = "test_lp_malformed_an_object_name_longer_than_a_module_name";
	} else if (!strcmp(test_case, "func_name_long")) {
		test_lp_malformed_long_name = kmalloc(KSYM_NAME_LEN + 1,
						      GFP_KERNEL);
		if (!test_lp_malformed_long_name)
			return -ENOMEM;
		memset(test_lp_malformed_long_name, 'x', KSYM_NAME_LEN);
		test_lp_malformed_long_name[KSYM_NAME_LEN] = '\0';
		func->old_name = test_lp_malformed_long_name;
	} else if (!strcmp(test_case, "no_symbol")) {
		obj->name = NULL;
		func->old_name = "test_lp_malformed_no_such_function";
	} else if (!strcmp(test_case, "mod_no_symbol")) {
		func->old_name = "test_lp_target_no_such_function";
	} else if (!strcmp(test_case, "mod_notrace")) {
		func->old_name = "test_lp_target_untraced";
	} else if (!strcmp(test_case, "enable_twice")) {
		/* test_lp_malformed_init() does it. */
	} else if (!strcmp(test_case, "sympos")) {
		obj->name = NULL;
		func->old_name = sym;
		func->old_sympos = sympos;
	} else {
		pr_err("unknown case '%s'\n", test_case);
		return -EDOM;
	}
	return 0;
}

static int __init test_lp_malformed_init(void)
{
	int err;

	err = test_lp_malformed_setup();
	if (!err)
		err = klp_enable_patch(&test_lp_malformed_patch);
	if (!err && !strcmp(test_case, "enable_twice"))
		pr_info("enabling the patch again: %d\n",
			klp_enable_patch(&test_lp_malformed_patch));
	if (err)
		kfree(test_lp_malformed_long_name);
	return err;
}

static void __exit test_lp_malformed_exit(void)
{
	kfree(test_lp_malformed_long_name);
}

module_init(test_lp_malformed_init);
module_exit(test_lp_malformed_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: malformed patches");
MODULE_INFO(livepatch, "Y");
