// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_fault.c - a patch whose klp_enable_patch() and shadow variable
 * calls run with their fault-injection points failed one at a time, for
 * test-faults.sh.
 *
 * It patches a vmlinux function, cmdline_proc_show() (/proc/cmdline then
 * reads "test_lp_fault"), and test_lp_target's test_lp_target_a_show() and
 * test_lp_target_b_show() (its parameters "a" and "b" read "test_lp_fault").
 *
 * Parameters:
 *   fail_nth=N   call klp_enable_patch() with its Nth fault-injection point
 *                (failslab, fail_page_alloc) failed, then with the N+1th...
 *                until it succeeds: the counter is the task's fail_nth, the
 *                one /proc/thread-self/fail-nth sets, armed around the call
 *                only.  Each attempt gets a fresh copy of the patch; a
 *                failed attempt must leave nothing behind, or the next one
 *                trips over it (a sysfs name taken, a function already
 *                patched).
 *   fail_step=S  go from the Nth point to the N+Sth, not the N+1th: a
 *                sample of the points (default 1: all of them)
 *   replace=1    the patch is an atomic replace
 *   shadow_nth=N once the patch is enabled, the same with
 *                klp_shadow_alloc() and klp_shadow_get_or_alloc()
 *
 * Each armed call logs "<call>: fault N injected, returned R" or
 * "<call>: fault N not reached, returned R"; the shadow checks log
 * "ok: ..." or "FAIL: ...".
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include "test_lp_target.h"

static unsigned int fail_nth;
module_param(fail_nth, uint, 0444);
MODULE_PARM_DESC(fail_nth, "Fail the Nth fault-injection point of klp_enable_patch()");

static bool replace;
module_param(replace, bool, 0444);
MODULE_PARM_DESC(replace, "Make the patch an atomic replace");

static unsigned int fail_step = 1;
module_param(fail_step, uint, 0444);
MODULE_PARM_DESC(fail_step, "Step from one failed point to the next (default 1)");

static unsigned int shadow_nth;
module_param(shadow_nth, uint, 0444);
MODULE_PARM_DESC(shadow_nth, "Fail the Nth fault-injection point of the shadow allocations");

#define TEST_LP_FAULT_SHADOW_ID	0x5ad0

static int test_lp_fault_cmdline(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", THIS_MODULE->name);
	return 0;
}

static int test_lp_fault_show(struct test_lp_target_data *data, char *buf)
{
	return scnprintf(buf, TEST_LP_TARGET_BUF, "%s\n", THIS_MODULE->name);
}

/* A patch and its arrays, made afresh for each attempt. */
struct test_lp_fault_patch {
	struct klp_patch patch;
	struct klp_object objs[3];
	struct klp_func vmlinux_funcs[2];
	struct klp_func target_funcs[3];
};

static struct test_lp_fault_patch *test_lp_fault_enabled;

static struct test_lp_fault_patch *test_lp_fault_make_patch(void)
{
	struct test_lp_fault_patch *p = kzalloc(sizeof(*p), GFP_KERNEL);

	if (!p)
		return NULL;
	p->vmlinux_funcs[0].old_name = "cmdline_proc_show";
	p->vmlinux_funcs[0].new_func = test_lp_fault_cmdline;
	p->target_funcs[0].old_name = "test_lp_target_a_show";
	p->target_funcs[0].new_func = test_lp_fault_show;
	p->target_funcs[1].old_name = "test_lp_target_b_show";
	p->target_funcs[1].new_func = test_lp_fault_show;
	p->objs[0].funcs = p->vmlinux_funcs;
	p->objs[1].name = "test_lp_target";
	p->objs[1].funcs = p->target_funcs;
	p->patch.mod = THIS_MODULE;
	p->patch.objs = p->objs;
	p->patch.replace = replace;
	return p;
}

#ifdef CONFIG_FAULT_INJECTION
/*
 * current->fail_nth is what /proc/thread-self/fail-nth sets: should_fail()
 * counts it down and fails the call that takes it to zero.
 */
static void fault_arm(unsigned int n)
{
	WRITE_ONCE(current->fail_nth, n);
}

/* Disarm; true when the armed fault was injected. */
static bool fault_disarm(void)
{
	unsigned int left = READ_ONCE(current->fail_nth);

	WRITE_ONCE(current->fail_nth, 0);
	return !left;
}
#else
static void fault_arm(unsigned int n)
{
}

static bool fault_disarm(void)
{
	return false;
}
#endif

static void report(const char *call, unsigned int n, bool injected, long ret)
{
	pr_info("%s: fault %u %s, returned %ld\n", call, n,
		injected ? "injected" : "not reached", ret);
}

static int test_lp_fault_ctor(void *obj, void *shadow_data, void *ctor_data)
{
	*(int *)shadow_data = *(int *)ctor_data;
	return 0;
}

/*
 * Armed shadow allocations, from the Nth point on, until one succeeds:
 * a failed one must leave nothing to find, the one that succeeds must
 * hold what the constructor wrote.
 */
static bool shadow_alloc_checked(const char *call, bool get_or_alloc)
{
	static int obj;
	int value = 42, *data;
	bool injected, ok = true;
	unsigned int n;

	for (n = shadow_nth; ; n += fail_step) {
		fault_arm(n);
		if (get_or_alloc)
			data = klp_shadow_get_or_alloc(&obj, TEST_LP_FAULT_SHADOW_ID,
						       sizeof(*data), GFP_KERNEL,
						       test_lp_fault_ctor, &value);
		else
			data = klp_shadow_alloc(&obj, TEST_LP_FAULT_SHADOW_ID,
						sizeof(*data), GFP_KERNEL,
						test_lp_fault_ctor, &value);
		injected = fault_disarm();
		report(call, n, injected, data ? 0 : -ENOMEM);
		if (data)
			break;
		if (!injected ||
		    klp_shadow_get(&obj, TEST_LP_FAULT_SHADOW_ID)) {
			ok = false;
			break;
		}
	}

	if (data && (*data != value ||
		     klp_shadow_get(&obj, TEST_LP_FAULT_SHADOW_ID) != data))
		ok = false;
	klp_shadow_free(&obj, TEST_LP_FAULT_SHADOW_ID, NULL);
	if (klp_shadow_get(&obj, TEST_LP_FAULT_SHADOW_ID))
		ok = false;
	pr_info("%s: %s\n", ok ? "ok" : "FAIL", call);
	return ok;
}

static int __init test_lp_fault_init(void)
{
	struct test_lp_fault_patch *p;
	unsigned int n = fail_nth;
	bool injected;
	int ret;

	if ((fail_nth || shadow_nth) && !IS_ENABLED(CONFIG_FAULT_INJECTION)) {
		pr_err("fault injection needs CONFIG_FAULT_INJECTION\n");
		return -EOPNOTSUPP;
	}
	if (!fail_step)
		return -EINVAL;

	for (;;) {
		p = test_lp_fault_make_patch();
		if (!p)
			return -ENOMEM;
		fault_arm(n);
		ret = klp_enable_patch(&p->patch);
		injected = fault_disarm();
		if (n)
			report("klp_enable_patch()", n, injected, ret);
		if (!ret)
			break;
		/* klp_enable_patch() is done with a patch it refused. */
		kfree(p);
		if (!n || !injected)
			return ret;
		n += fail_step;
	}
	test_lp_fault_enabled = p;

	if (shadow_nth) {
		shadow_alloc_checked("klp_shadow_alloc()", false);
		shadow_alloc_checked("klp_shadow_get_or_alloc()", true);
	}
	return 0;
}

/* The core let go of the patch before the module could go. */
static void __exit test_lp_fault_exit(void)
{
	kfree(test_lp_fault_enabled);
}

module_init(test_lp_fault_init);
module_exit(test_lp_fault_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: fault injection inside klp_enable_patch() and shadow allocations");
MODULE_INFO(livepatch, "Y");
