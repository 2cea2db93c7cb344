// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Exercise the shadow variable API from module init.
 *
 * The parameter "test" picks the test:
 *   basic   get, alloc, get_or_alloc, free and free_all, with and without
 *           constructor and destructor
 *   ctor    constructor data and constructor failure
 *   dup     allocating an existing variable: NULL and a kernel WARNING
 *           (with a stack trace), which is what the core is meant to do
 *   align   the data of every size up to 256 bytes is 16-byte aligned,
 *           as 6.1 gave it (cmpxchg16b, 128-bit fields)
 *   many    "count" variables, enough to make the table grow and shrink
 *   regrow  enough variables, in two steps, to make the table grow twice,
 *           then shrink back to its first size in two steps
 *   stress  "threads" kthreads doing alloc/get/free on overlapping keys for
 *           "seconds" seconds, while another one makes the table grow and
 *           shrink
 *   atomic  the API with GFP_ATOMIC from a timer (softirq), an hrtimer
 *           (hardirq) and a section with a spinlock held and interrupts
 *           off, all three at once
 *
 * Every check logs "ok: <what>" or "FAIL: <what>"; the module loads in any
 * case, so that the selftest sees the whole list.  The variables a test
 * makes are freed before init returns.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/completion.h>
#include <linux/err.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/livepatch.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timer.h>

static char *test = "basic";
module_param(test, charp, 0444);
MODULE_PARM_DESC(test, "basic, ctor, dup, align, many, regrow, stress or atomic");

static uint count = 100000;
module_param(count, uint, 0444);
MODULE_PARM_DESC(count, "Number of variables for test=many");

static uint threads = 4;
module_param(threads, uint, 0444);
MODULE_PARM_DESC(threads, "Number of kthreads for test=stress");

static uint seconds = 3;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "Duration of test=stress");

static unsigned int test_lp_shadow_failures;

static __printf(2, 3) void test_lp_shadow_check(bool ok, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	if (ok) {
		pr_info("ok: %pV\n", &vaf);
	} else {
		pr_err("FAIL: %pV\n", &vaf);
		test_lp_shadow_failures++;
	}
	va_end(args);
}

/* Objects to attach variables to: only their addresses matter. */
static long test_lp_shadow_obj[3];
#define OBJ1	(&test_lp_shadow_obj[0])
#define OBJ2	(&test_lp_shadow_obj[1])
#define OBJ3	(&test_lp_shadow_obj[2])

/* What the constructor and destructor were last called with. */
static struct {
	int calls;
	void *obj;
	void *data;
	void *ctor_data;
	bool zeroed;
} test_lp_shadow_ctor_seen, test_lp_shadow_dtor_seen;

struct test_lp_shadow_var {
	long value;
	char pad[24];
};

/* Copy the long that ctor_data points to into the new variable. */
static int test_lp_shadow_ctor(void *obj, void *shadow_data, void *ctor_data)
{
	struct test_lp_shadow_var *var = shadow_data;

	test_lp_shadow_ctor_seen.calls++;
	test_lp_shadow_ctor_seen.obj = obj;
	test_lp_shadow_ctor_seen.data = shadow_data;
	test_lp_shadow_ctor_seen.ctor_data = ctor_data;
	test_lp_shadow_ctor_seen.zeroed = !memchr_inv(var, 0, sizeof(*var));
	var->value = *(long *)ctor_data;
	return 0;
}

static int test_lp_shadow_failing_ctor(void *obj, void *shadow_data,
				       void *ctor_data)
{
	test_lp_shadow_ctor_seen.calls++;
	return -EIO;
}

static void test_lp_shadow_dtor(void *obj, void *shadow_data)
{
	test_lp_shadow_dtor_seen.calls++;
	test_lp_shadow_dtor_seen.obj = obj;
	test_lp_shadow_dtor_seen.data = shadow_data;
}

static void test_lp_shadow_reset_seen(void)
{
	memset(&test_lp_shadow_ctor_seen, 0, sizeof(test_lp_shadow_ctor_seen));
	memset(&test_lp_shadow_dtor_seen, 0, sizeof(test_lp_shadow_dtor_seen));
}

static void *test_lp_shadow_alloc(void *obj, unsigned long id)
{
	return klp_shadow_alloc(obj, id, sizeof(struct test_lp_shadow_var),
				GFP_KERNEL, NULL, NULL);
}

static void test_lp_shadow_basic(void)
{
	struct test_lp_shadow_var *a, *b, *c, *d, *e;
	long forty_two = 42;
	size_t size = sizeof(*a);

	test_lp_shadow_reset_seen();
	test_lp_shadow_check(!klp_shadow_get(OBJ1, 1),
			     "get <obj1, 1> before any alloc: NULL");

	a = test_lp_shadow_alloc(OBJ1, 1);
	test_lp_shadow_check(a && !memchr_inv(a, 0, size),
			     "alloc <obj1, 1> without ctor: zeroed data");
	test_lp_shadow_check(klp_shadow_get(OBJ1, 1) == a,
			     "get <obj1, 1>: the data alloc returned");
	b = test_lp_shadow_alloc(OBJ1, 2);
	test_lp_shadow_check(b && b != a,
			     "alloc <obj1, 2>: same object, other id, other variable");
	c = test_lp_shadow_alloc(OBJ2, 1);
	test_lp_shadow_check(c && c != a && c != b,
			     "alloc <obj2, 1>: other object, same id, other variable");
	test_lp_shadow_check(klp_shadow_get(OBJ1, 1) == a &&
			     klp_shadow_get(OBJ1, 2) == b &&
			     klp_shadow_get(OBJ2, 1) == c &&
			     !klp_shadow_get(OBJ2, 2),
			     "get finds each <obj, id> and nothing else");
	a->value = 1;

	d = klp_shadow_get_or_alloc(OBJ1, 1, size, GFP_KERNEL,
				    test_lp_shadow_ctor, &forty_two);
	test_lp_shadow_check(d == a && a->value == 1 &&
			     !test_lp_shadow_ctor_seen.calls,
			     "get_or_alloc <obj1, 1>: the existing data, untouched, no ctor call");

	e = klp_shadow_get_or_alloc(OBJ2, 2, size, GFP_KERNEL,
				    test_lp_shadow_ctor, &forty_two);
	test_lp_shadow_check(e && test_lp_shadow_ctor_seen.calls == 1,
			     "get_or_alloc <obj2, 2>: new variable, ctor called once");
	test_lp_shadow_check(test_lp_shadow_ctor_seen.obj == OBJ2 &&
			     test_lp_shadow_ctor_seen.data == e &&
			     test_lp_shadow_ctor_seen.ctor_data == &forty_two,
			     "ctor got the object, the new data and ctor_data");
	test_lp_shadow_check(test_lp_shadow_ctor_seen.zeroed,
			     "ctor got zeroed data");
	test_lp_shadow_check(e && e->value == 42 &&
			     klp_shadow_get(OBJ2, 2) == e,
			     "get <obj2, 2>: what the ctor wrote");

	klp_shadow_free(OBJ1, 1, test_lp_shadow_dtor);
	test_lp_shadow_check(test_lp_shadow_dtor_seen.calls == 1 &&
			     test_lp_shadow_dtor_seen.obj == OBJ1 &&
			     test_lp_shadow_dtor_seen.data == a,
			     "free <obj1, 1>: dtor called once with the object and its data");
	test_lp_shadow_check(!klp_shadow_get(OBJ1, 1),
			     "get <obj1, 1> after free: NULL");
	test_lp_shadow_check(klp_shadow_get(OBJ1, 2) == b &&
			     klp_shadow_get(OBJ2, 1) == c &&
			     klp_shadow_get(OBJ2, 2) == e,
			     "free <obj1, 1> left the other variables alone");
	klp_shadow_free(OBJ1, 1, test_lp_shadow_dtor);
	klp_shadow_free(OBJ3, 7, test_lp_shadow_dtor);
	test_lp_shadow_check(test_lp_shadow_dtor_seen.calls == 1,
			     "free of variables that do not exist: no dtor call");

	a = test_lp_shadow_alloc(OBJ1, 1);
	test_lp_shadow_check(a && klp_shadow_get(OBJ1, 1) == a,
			     "alloc <obj1, 1> again after free");
	test_lp_shadow_check(!!test_lp_shadow_alloc(OBJ3, 1),
			     "alloc <obj3, 1>");

	test_lp_shadow_reset_seen();
	klp_shadow_free_all(1, test_lp_shadow_dtor);
	test_lp_shadow_check(test_lp_shadow_dtor_seen.calls == 3,
			     "free_all id 1: dtor called for each of its 3 variables");
	test_lp_shadow_check(!klp_shadow_get(OBJ1, 1) &&
			     !klp_shadow_get(OBJ2, 1) &&
			     !klp_shadow_get(OBJ3, 1),
			     "no variable with id 1 is left");
	test_lp_shadow_check(klp_shadow_get(OBJ1, 2) == b &&
			     klp_shadow_get(OBJ2, 2) == e,
			     "the variables with id 2 are still there");
	klp_shadow_free_all(2, NULL);
	test_lp_shadow_check(!klp_shadow_get(OBJ1, 2) &&
			     !klp_shadow_get(OBJ2, 2),
			     "free_all id 2 without dtor: none left");
	klp_shadow_free_all(2, test_lp_shadow_dtor);
	test_lp_shadow_check(test_lp_shadow_dtor_seen.calls == 3,
			     "free_all of an id without variables: no dtor call");
}

static void test_lp_shadow_ctor_test(void)
{
	struct test_lp_shadow_var *v;
	long seven = 7;
	size_t size = sizeof(*v);

	test_lp_shadow_reset_seen();
	v = klp_shadow_alloc(OBJ1, 3, size, GFP_KERNEL, test_lp_shadow_ctor,
			     &seven);
	test_lp_shadow_check(v && v->value == 7 &&
			     test_lp_shadow_ctor_seen.calls == 1 &&
			     test_lp_shadow_ctor_seen.obj == OBJ1 &&
			     test_lp_shadow_ctor_seen.data == v &&
			     test_lp_shadow_ctor_seen.ctor_data == &seven,
			     "alloc <obj1, 3> with ctor: ctor called once with <obj, data, ctor_data>, data filled");
	test_lp_shadow_check(klp_shadow_get(OBJ1, 3) == v,
			     "get <obj1, 3>: the constructed data");

	test_lp_shadow_reset_seen();
	v = klp_shadow_alloc(OBJ2, 3, size, GFP_KERNEL,
			     test_lp_shadow_failing_ctor, NULL);
	test_lp_shadow_check(!v && test_lp_shadow_ctor_seen.calls == 1,
			     "alloc <obj2, 3> with a failing ctor: NULL");
	test_lp_shadow_check(!klp_shadow_get(OBJ2, 3),
			     "get <obj2, 3> after the failed ctor: NULL");
	v = klp_shadow_get_or_alloc(OBJ2, 3, size, GFP_KERNEL,
				    test_lp_shadow_failing_ctor, NULL);
	test_lp_shadow_check(!v && test_lp_shadow_ctor_seen.calls == 2 &&
			     !klp_shadow_get(OBJ2, 3),
			     "get_or_alloc <obj2, 3> with a failing ctor: NULL, nothing left");
	v = klp_shadow_get_or_alloc(OBJ2, 3, size, GFP_KERNEL,
				    test_lp_shadow_ctor, &seven);
	test_lp_shadow_check(v && v->value == 7 &&
			     klp_shadow_get(OBJ2, 3) == v,
			     "get_or_alloc <obj2, 3> with a working ctor then succeeds");

	test_lp_shadow_reset_seen();
	klp_shadow_free_all(3, test_lp_shadow_dtor);
	test_lp_shadow_check(test_lp_shadow_dtor_seen.calls == 2 &&
			     !klp_shadow_get(OBJ1, 3) && !klp_shadow_get(OBJ2, 3),
			     "free_all id 3: both variables destroyed");
}

static void test_lp_shadow_dup(void)
{
	struct test_lp_shadow_var *v, *w;
	long seven = 7;

	test_lp_shadow_reset_seen();
	v = test_lp_shadow_alloc(OBJ1, 4);
	if (v)
		v->value = 1234;
	test_lp_shadow_check(v, "alloc <obj1, 4>");
	pr_info("allocating <obj1, 4> again: a WARNING follows\n");
	w = klp_shadow_alloc(OBJ1, 4, sizeof(*w), GFP_KERNEL,
			     test_lp_shadow_ctor, &seven);
	test_lp_shadow_check(!w && !test_lp_shadow_ctor_seen.calls,
			     "second alloc <obj1, 4>: NULL, ctor not called");
	test_lp_shadow_check(v && klp_shadow_get(OBJ1, 4) == v &&
			     v->value == 1234,
			     "the first <obj1, 4> is still there, unchanged");
	w = klp_shadow_get_or_alloc(OBJ1, 4, sizeof(*w), GFP_KERNEL,
				    test_lp_shadow_ctor, &seven);
	test_lp_shadow_check(w == v && !test_lp_shadow_ctor_seen.calls,
			     "get_or_alloc <obj1, 4>: the existing data, no WARNING");
	klp_shadow_free_all(4, NULL);
}

#define TEST_LP_SHADOW_ALIGN_MAX	256

/* Every size from 1 byte, through alloc and through get_or_alloc. */
static void test_lp_shadow_align(void)
{
	size_t size, bad = 0;
	void *data;

	for (size = 1; size <= TEST_LP_SHADOW_ALIGN_MAX && !bad; size++) {
		data = klp_shadow_alloc(OBJ1, size, size, GFP_KERNEL,
					NULL, NULL);
		if (!data || !IS_ALIGNED((unsigned long)data, 16))
			bad = size;
		data = klp_shadow_get_or_alloc(OBJ2, size, size, GFP_KERNEL,
					       NULL, NULL);
		if (!data || !IS_ALIGNED((unsigned long)data, 16))
			bad = size;
	}
	test_lp_shadow_check(!bad, "data of 1 to %d bytes is 16-byte aligned%s",
			     TEST_LP_SHADOW_ALIGN_MAX,
			     bad ? " (not at some size)" : "");
	if (bad)
		pr_err("first size that failed: %zu\n", bad);
	for (size = 1; size <= TEST_LP_SHADOW_ALIGN_MAX; size++)
		klp_shadow_free_all(size, NULL);
}

static void test_lp_shadow_count_dtor(void *obj, void *shadow_data)
{
	test_lp_shadow_dtor_seen.calls++;
}

/* Make <&keys[i], id> for i in [first, end), holding i; how many. */
static unsigned int test_lp_shadow_fill(long *keys, unsigned long id,
					unsigned int first, unsigned int end)
{
	unsigned int i, made = 0;
	long *v;

	for (i = first; i < end; i++) {
		v = klp_shadow_alloc(&keys[i], id, sizeof(*v), GFP_KERNEL,
				     NULL, NULL);
		if (v) {
			*v = i;
			made++;
		}
		if (i % 1024 == 0)
			cond_resched();
	}
	return made;
}

/* How many of <&keys[i], id>, i in [first, end) by step, are not found. */
static unsigned int test_lp_shadow_not_found(long *keys, unsigned long id,
					     unsigned int first,
					     unsigned int end,
					     unsigned int step)
{
	unsigned int i, bad = 0;
	long *v;

	for (i = first; i < end; i += step) {
		v = klp_shadow_get(&keys[i], id);
		if (!v || *v != i)
			bad++;
		if (i % 1024 == 0)
			cond_resched();
	}
	return bad;
}

/* Look up every variable [0, count) step 1 or 2 from "first". */
static unsigned int test_lp_shadow_many_get(long *keys, unsigned int first,
					    unsigned int step)
{
	return test_lp_shadow_not_found(keys, 5, first, count, step);
}

static void test_lp_shadow_many(void)
{
	unsigned int i, missing = 0;
	long *keys;

	keys = kvcalloc(count, sizeof(*keys), GFP_KERNEL);
	if (!keys) {
		test_lp_shadow_check(false, "memory for %u keys", count);
		return;
	}

	test_lp_shadow_check(test_lp_shadow_fill(keys, 5, 0, count) == count,
			     "alloc of %u variables", count);
	/* Right away, while the table may still be resized... */
	test_lp_shadow_check(!test_lp_shadow_many_get(keys, 0, 1),
			     "get finds every variable with its data");
	/* ...and again once the resize work is surely done. */
	msleep(500);
	test_lp_shadow_check(!test_lp_shadow_many_get(keys, 0, 1),
			     "get finds every variable with its data, later");

	test_lp_shadow_reset_seen();
	for (i = 1; i < count; i += 2) {
		klp_shadow_free(&keys[i], 5, test_lp_shadow_count_dtor);
		if (i % 1024 == 1)
			cond_resched();
	}
	test_lp_shadow_check(test_lp_shadow_dtor_seen.calls == count / 2,
			     "free of every second variable: %u dtor calls",
			     count / 2);
	for (i = 1; i < count; i += 2)
		if (klp_shadow_get(&keys[i], 5))
			missing++;
	test_lp_shadow_check(!missing && !test_lp_shadow_many_get(keys, 0, 2),
			     "the freed variables are gone, the others are there");

	test_lp_shadow_reset_seen();
	klp_shadow_free_all(5, test_lp_shadow_count_dtor);
	test_lp_shadow_check(test_lp_shadow_dtor_seen.calls == count - count / 2,
			     "free_all: %u dtor calls", count - count / 2);
	msleep(500);
	test_lp_shadow_check(test_lp_shadow_many_get(keys, 0, 1) == count,
			     "no variable is left");
	kvfree(keys);
}

/*
 * Past 4 * 4096 variables the table grows from the static array, whose
 * chains use a variable's first link, to one whose chains use the second;
 * past 4 * 65536 it grows to one using the first link again, which cannot
 * hand its variables straight back to the array.  The pauses let the
 * resize work run.
 */
#define REGROW_FIRST	20000
#define REGROW_ALL	270000
#define REGROW_AFTER	1000
#define REGROW_ID	6
#define REGROW_ROUND	20
#define REGROW_ROUND_ID	7
#define REGROW_STEP	100

/*
 * A few variables of another id, made and freed with free_all(), between
 * steps of the first fill and for a second after it: some of them while
 * the resize work makes and fills the larger table.  Those made during
 * the resize are in both tables, and free_all must take them out of both:
 * a variable left in the next table would be found once it is published,
 * and make the next allocation of its key a duplicate.  Returns 1 if the
 * round went wrong.
 */
static unsigned int test_lp_shadow_free_all_round(long *keys)
{
	unsigned int bad = 0;

	if (test_lp_shadow_fill(keys, REGROW_ROUND_ID, 0, REGROW_ROUND) != REGROW_ROUND ||
	    test_lp_shadow_not_found(keys, REGROW_ROUND_ID, 0, REGROW_ROUND, 1))
		bad = 1;
	klp_shadow_free_all(REGROW_ROUND_ID, NULL);
	if (test_lp_shadow_not_found(keys, REGROW_ROUND_ID, 0, REGROW_ROUND, 1) !=
	    REGROW_ROUND)
		bad = 1;
	return bad;
}

static void test_lp_shadow_regrow(void)
{
	const unsigned int all = REGROW_ALL, after = REGROW_AFTER;
	unsigned int made, bad, i;
	long *keys, *round_keys;
	unsigned long end;

	keys = kvcalloc(all + 2 * after, sizeof(*keys), GFP_KERNEL);
	round_keys = kcalloc(REGROW_ROUND, sizeof(*round_keys), GFP_KERNEL);
	if (!keys || !round_keys) {
		test_lp_shadow_check(false, "memory for %u keys", all + 2 * after);
		kfree(round_keys);
		kvfree(keys);
		return;
	}

	made = 0;
	bad = 0;
	for (i = 0; i < REGROW_FIRST; i += REGROW_STEP) {
		made += test_lp_shadow_fill(keys, REGROW_ID, i, i + REGROW_STEP);
		bad += test_lp_shadow_free_all_round(round_keys);
	}
	for (end = jiffies + HZ; time_before(jiffies, end); cond_resched())
		bad += test_lp_shadow_free_all_round(round_keys);
	msleep(1000);
	test_lp_shadow_check(!bad &&
			     test_lp_shadow_not_found(round_keys, REGROW_ROUND_ID, 0,
						      REGROW_ROUND, 1) == REGROW_ROUND &&
			     test_lp_shadow_fill(round_keys, REGROW_ROUND_ID, 0,
						 REGROW_ROUND) == REGROW_ROUND,
			     "while the table grows, rounds of %u variables freed with free_all: none is left in the new table",
			     REGROW_ROUND);
	klp_shadow_free_all(REGROW_ROUND_ID, NULL);
	kfree(round_keys);
	made += test_lp_shadow_fill(keys, REGROW_ID, REGROW_FIRST, all);
	test_lp_shadow_check(made == all,
			     "alloc of %u variables, a pause, then %u more",
			     REGROW_FIRST, all - REGROW_FIRST);
	msleep(1000);
	test_lp_shadow_check(!test_lp_shadow_not_found(keys, REGROW_ID, 0, all, 1),
			     "get finds every variable with its data");

	klp_shadow_free_all(REGROW_ID, NULL);
	test_lp_shadow_check(test_lp_shadow_not_found(keys, REGROW_ID, 0, all, 1) == all,
			     "free_all: no variable is left");

	/* The table shrinks back meanwhile. */
	made = test_lp_shadow_fill(keys, REGROW_ID, all, all + after);
	test_lp_shadow_check(made == after &&
			     !test_lp_shadow_not_found(keys, REGROW_ID, all, all + after, 1),
			     "alloc of %u variables while the table shrinks: get finds them",
			     after);
	msleep(1000);
	made = test_lp_shadow_fill(keys, REGROW_ID, all + after, all + 2 * after);
	test_lp_shadow_check(made == after &&
			     !test_lp_shadow_not_found(keys, REGROW_ID, all, all + 2 * after, 1) &&
			     test_lp_shadow_not_found(keys, REGROW_ID, 0, all, 1) == all,
			     "after the shrink: %u more, get finds all of them and none of the freed ones",
			     after);

	klp_shadow_free_all(REGROW_ID, NULL);
	test_lp_shadow_check(test_lp_shadow_not_found(keys, REGROW_ID, all, all + 2 * after, 1) ==
			     2 * after, "free_all: no variable is left");
	kvfree(keys);
}

/* --- stress -------------------------------------------------------------- */

#define STRESS_KEYS	16
#define STRESS_ID	100	/* and STRESS_ID + 1 */
#define STRESS_OWN_ID	200	/* variables of one thread only */
#define STRESS_CHURN_ID	300	/* the churn thread's variables */
#define STRESS_CHURN	20000	/* how many it makes at a time: > 4 * 4096 */
#define STRESS_MAGIC	0x5eed5eedUL
#define STRESS_ROUND_ID	500	/* the free_all rounds' variables */
#define STRESS_ROUND	64	/* how many they make at a time */
/*
 * Their objects a page apart: the larger tables keep the variables of a
 * page's objects in one group of buckets, and these should be spread out,
 * so that a walk that a resize interrupts has some of them still ahead.
 */
#define STRESS_ROUND_STRIDE	(PAGE_SIZE / sizeof(long))

struct test_lp_shadow_stress_var {
	void *obj;
	unsigned long id;
	unsigned long magic;
};

static long test_lp_shadow_stress_obj[STRESS_KEYS];
static long *test_lp_shadow_stress_own;
/*
 * What went wrong: get_or_alloc failed, a lookup or a destructor saw a
 * wrong variable, a thread's own variable was not as it left it.
 */
static atomic_t test_lp_shadow_stress_nomem;
static atomic_t test_lp_shadow_stress_bad_get;
static atomic_t test_lp_shadow_stress_bad_dtor;
static atomic_t test_lp_shadow_stress_bad_own;
static atomic_t test_lp_shadow_stress_bad_rounds;
static atomic_t test_lp_shadow_stress_ctors;
static atomic_t test_lp_shadow_stress_dtors;
static atomic_long_t test_lp_shadow_stress_ops;

static int test_lp_shadow_stress_ctor(void *obj, void *shadow_data,
				      void *ctor_data)
{
	struct test_lp_shadow_stress_var *var = shadow_data;

	var->obj = obj;
	var->id = (unsigned long)ctor_data;
	var->magic = STRESS_MAGIC;
	atomic_inc(&test_lp_shadow_stress_ctors);
	return 0;
}

static bool test_lp_shadow_stress_valid(struct test_lp_shadow_stress_var *var,
					void *obj, unsigned long id)
{
	return var->obj == obj && var->id == id && var->magic == STRESS_MAGIC;
}

static void test_lp_shadow_stress_dtor(void *obj, void *shadow_data)
{
	struct test_lp_shadow_stress_var *var = shadow_data;

	/*
	 * No poisoning: lookups that found the variable before it went may
	 * still read it until their RCU read side ends.
	 */
	if (var->obj != obj || var->magic != STRESS_MAGIC)
		atomic_inc(&test_lp_shadow_stress_bad_dtor);
	atomic_inc(&test_lp_shadow_stress_dtors);
}

static struct test_lp_shadow_stress_var *
test_lp_shadow_stress_get_or_alloc(void *obj, unsigned long id)
{
	return klp_shadow_get_or_alloc(obj, id,
				       sizeof(struct test_lp_shadow_stress_var),
				       GFP_KERNEL, test_lp_shadow_stress_ctor,
				       (void *)id);
}

/* A lookup; the data stays valid until the RCU read side ends. */
static void test_lp_shadow_stress_lookup(void *obj, unsigned long id)
{
	struct test_lp_shadow_stress_var *var;

	rcu_read_lock();
	var = klp_shadow_get(obj, id);
	if (var && !test_lp_shadow_stress_valid(var, obj, id))
		atomic_inc(&test_lp_shadow_stress_bad_get);
	rcu_read_unlock();
}

/*
 * Make and free STRESS_CHURN variables over and over, so that the table
 * grows and shrinks while the other threads use it.  Every other round,
 * the first included, frees them with klp_shadow_free_all(), whose walk
 * may then meet a resize publishing another table; the others free them
 * one by one.  Returns the number of rounds done.
 */
static int test_lp_shadow_churn_fn(void *arg)
{
	long *keys = arg;
	struct test_lp_shadow_stress_var *var;
	unsigned long id = STRESS_CHURN_ID;
	int i, rounds = 0;

	while (!kthread_should_stop()) {
		for (i = 0; i < STRESS_CHURN; i++) {
			var = klp_shadow_alloc(&keys[i], id, sizeof(*var),
					       GFP_KERNEL,
					       test_lp_shadow_stress_ctor,
					       (void *)id);
			if (!var)
				atomic_inc(&test_lp_shadow_stress_bad_own);
			if (i % 64 == 0)
				cond_resched();
		}
		for (i = 0; i < STRESS_CHURN; i++) {
			var = klp_shadow_get(&keys[i], id);
			if (!var ||
			    !test_lp_shadow_stress_valid(var, &keys[i], id))
				atomic_inc(&test_lp_shadow_stress_bad_own);
		}
		if (!(rounds & 1))
			klp_shadow_free_all(id, test_lp_shadow_stress_dtor);
		for (i = 0; i < STRESS_CHURN; i++) {
			if (rounds & 1)
				klp_shadow_free(&keys[i], id,
						test_lp_shadow_stress_dtor);
			if (klp_shadow_get(&keys[i], id))
				atomic_inc(&test_lp_shadow_stress_bad_own);
			if (i % 64 == 0)
				cond_resched();
		}
		rounds++;
	}
	return rounds;
}

static void *test_lp_shadow_round_obj(long *keys, unsigned int i)
{
	return &keys[i * STRESS_ROUND_STRIDE];
}

/*
 * Make STRESS_ROUND variables and free them with klp_shadow_free_all(),
 * over and over: while the churn makes the table grow and shrink, some
 * walks are under way when the resize work publishes another table, and
 * must start over on it (the variables ahead of the walk are in both).
 * Each round checks that every variable was made and none is left.
 * Returns the number of rounds done.
 */
static int test_lp_shadow_rounds_fn(void *arg)
{
	long *keys = arg;
	unsigned long id = STRESS_ROUND_ID;
	struct test_lp_shadow_stress_var *var;
	int i, bad, rounds = 0;
	void *obj;

	while (!kthread_should_stop()) {
		bad = 0;
		for (i = 0; i < STRESS_ROUND; i++) {
			obj = test_lp_shadow_round_obj(keys, i);
			var = test_lp_shadow_stress_get_or_alloc(obj, id);
			if (!var || !test_lp_shadow_stress_valid(var, obj, id))
				bad++;
		}
		klp_shadow_free_all(id, test_lp_shadow_stress_dtor);
		for (i = 0; i < STRESS_ROUND; i++) {
			obj = test_lp_shadow_round_obj(keys, i);
			if (klp_shadow_get(obj, id))
				bad++;
		}
		if (bad)
			atomic_inc(&test_lp_shadow_stress_bad_rounds);
		rounds++;
		cond_resched();
	}
	return rounds;
}

static int test_lp_shadow_stress_fn(void *arg)
{
	void *own = arg;
	struct test_lp_shadow_stress_var *var, *mine = NULL;
	unsigned long id, ops = 0;
	void *obj;
	u32 r;

	while (!kthread_should_stop()) {
		r = get_random_u32();
		obj = &test_lp_shadow_stress_obj[r % STRESS_KEYS];
		id = STRESS_ID + ((r >> 8) & 1);

		switch ((r >> 12) % 5) {
		case 0:
		case 1:
			if (!test_lp_shadow_stress_get_or_alloc(obj, id))
				atomic_inc(&test_lp_shadow_stress_nomem);
			test_lp_shadow_stress_lookup(obj, id);
			break;
		case 2:
			klp_shadow_free(obj, id, test_lp_shadow_stress_dtor);
			break;
		case 3:
			test_lp_shadow_stress_lookup(obj, id);
			break;
		case 4:
			/* A variable only this thread allocates and frees. */
			var = klp_shadow_get(own, STRESS_OWN_ID);
			if (var != mine)
				atomic_inc(&test_lp_shadow_stress_bad_own);
			if (mine) {
				klp_shadow_free(own, STRESS_OWN_ID,
						test_lp_shadow_stress_dtor);
				mine = NULL;
			} else {
				mine = klp_shadow_alloc(own, STRESS_OWN_ID,
							sizeof(*mine), GFP_KERNEL,
							test_lp_shadow_stress_ctor,
							(void *)STRESS_OWN_ID);
				if (!mine ||
				    !test_lp_shadow_stress_valid(mine, own,
								 STRESS_OWN_ID))
					atomic_inc(&test_lp_shadow_stress_bad_own);
			}
			break;
		}
		ops++;
		if (ops % 64 == 0)
			cond_resched();
	}
	atomic_long_add(ops, &test_lp_shadow_stress_ops);
	return ops ? 0 : -EAGAIN;
}

static void test_lp_shadow_stress(void)
{
	struct task_struct **tasks, *churn, *rounder;
	unsigned int i, started = 0, idle = 0, left = 0;
	int err, rounds, free_all_rounds, nomem, bad_get, bad_dtor, bad_own;
	int bad_rounds;
	long *churn_keys, *round_keys;

	tasks = kcalloc(threads, sizeof(*tasks), GFP_KERNEL);
	test_lp_shadow_stress_own = kcalloc(threads, sizeof(long), GFP_KERNEL);
	churn_keys = kcalloc(STRESS_CHURN, sizeof(long), GFP_KERNEL);
	round_keys = kvcalloc(STRESS_ROUND * STRESS_ROUND_STRIDE, sizeof(long),
			      GFP_KERNEL);
	if (!tasks || !test_lp_shadow_stress_own || !churn_keys || !round_keys) {
		test_lp_shadow_check(false, "memory for %u threads", threads);
		goto out;
	}

	churn = kthread_run(test_lp_shadow_churn_fn, churn_keys,
			    "test_lp_shadow/churn");
	test_lp_shadow_check(!IS_ERR(churn), "churn thread started");
	if (IS_ERR(churn))
		goto out;
	rounder = kthread_run(test_lp_shadow_rounds_fn, round_keys,
			      "test_lp_shadow/rounds");
	test_lp_shadow_check(!IS_ERR(rounder), "free_all rounds thread started");
	if (IS_ERR(rounder)) {
		kthread_stop(churn);
		klp_shadow_free_all(STRESS_CHURN_ID, test_lp_shadow_stress_dtor);
		goto out;
	}

	for (i = 0; i < threads; i++) {
		tasks[i] = kthread_run(test_lp_shadow_stress_fn,
				       &test_lp_shadow_stress_own[i],
				       "test_lp_shadow/%u", i);
		if (IS_ERR(tasks[i]))
			break;
		started++;
	}
	test_lp_shadow_check(started == threads, "%u threads started",
			     threads);

	msleep(seconds * 1000);
	for (i = 0; i < started; i++) {
		err = kthread_stop(tasks[i]);
		if (err)
			idle++;
	}
	test_lp_shadow_check(!idle, "each thread did some operations");
	rounds = kthread_stop(churn);
	test_lp_shadow_check(rounds > 0,
			     "the churn thread made and freed %d variables at least once",
			     STRESS_CHURN);
	free_all_rounds = kthread_stop(rounder);
	bad_rounds = atomic_read(&test_lp_shadow_stress_bad_rounds);
	if (bad_rounds)
		pr_err("stress: %d of %d free_all rounds went wrong\n",
		       bad_rounds, free_all_rounds);
	test_lp_shadow_check(free_all_rounds > 0 && !bad_rounds,
			     "rounds of %d variables freed with free_all while the table grows and shrinks: each was made, none is left",
			     STRESS_ROUND);

	klp_shadow_free_all(STRESS_ID, test_lp_shadow_stress_dtor);
	klp_shadow_free_all(STRESS_ID + 1, test_lp_shadow_stress_dtor);
	klp_shadow_free_all(STRESS_OWN_ID, test_lp_shadow_stress_dtor);
	klp_shadow_free_all(STRESS_CHURN_ID, test_lp_shadow_stress_dtor);
	klp_shadow_free_all(STRESS_ROUND_ID, test_lp_shadow_stress_dtor);

	nomem = atomic_read(&test_lp_shadow_stress_nomem);
	bad_get = atomic_read(&test_lp_shadow_stress_bad_get);
	bad_dtor = atomic_read(&test_lp_shadow_stress_bad_dtor);
	bad_own = atomic_read(&test_lp_shadow_stress_bad_own);
	if (nomem || bad_get || bad_dtor || bad_own)
		pr_err("stress: get_or_alloc failed %d times, wrong variable seen by %d lookups, %d dtor calls, %d checks of a thread's own\n",
		       nomem, bad_get, bad_dtor, bad_own);
	test_lp_shadow_check(!nomem && !bad_get && !bad_dtor && !bad_own,
			     "no lookup, alloc or free saw a wrong variable");
	test_lp_shadow_check(atomic_read(&test_lp_shadow_stress_ctors) ==
			     atomic_read(&test_lp_shadow_stress_dtors),
			     "every constructed variable was destroyed once");
	for (i = 0; i < STRESS_KEYS; i++)
		if (klp_shadow_get(&test_lp_shadow_stress_obj[i], STRESS_ID) ||
		    klp_shadow_get(&test_lp_shadow_stress_obj[i], STRESS_ID + 1))
			left++;
	for (i = 0; i < started; i++)
		if (klp_shadow_get(&test_lp_shadow_stress_own[i], STRESS_OWN_ID))
			left++;
	for (i = 0; i < STRESS_CHURN; i++)
		if (klp_shadow_get(&churn_keys[i], STRESS_CHURN_ID))
			left++;
	for (i = 0; i < STRESS_ROUND; i++)
		if (klp_shadow_get(test_lp_shadow_round_obj(round_keys, i),
				   STRESS_ROUND_ID))
			left++;
	test_lp_shadow_check(!left, "no variable is left after free_all");
	pr_debug("stress: %ld operations, %d churn rounds, %d variables constructed\n",
		 atomic_long_read(&test_lp_shadow_stress_ops), rounds,
		 atomic_read(&test_lp_shadow_stress_ctors));
out:
	kvfree(round_keys);
	kfree(churn_keys);
	kfree(test_lp_shadow_stress_own);
	kfree(tasks);
}

/* --- atomic context -------------------------------------------------------- */

/*
 * Each context runs ATOMIC_ROUNDS rounds on its own objects and id.  An
 * even round allocates a variable per object with GFP_ATOMIC (the
 * constructor stores the round), finds each with get and get_or_alloc; an
 * odd round frees half of them one by one and the rest with free_all, the
 * destructor counting.  The hardirq context has fewer objects: an hrtimer
 * callback should not run for long.
 */
#define ATOMIC_ROUNDS		8
#define ATOMIC_OBJS		1024
#define ATOMIC_HARDIRQ_OBJS	128
#define ATOMIC_ID		400	/* + the context's index */

struct test_lp_shadow_atomic {
	const char *where;
	unsigned long id;
	unsigned int nr_objs;
	unsigned int round;
	unsigned int nomem;	/* GFP_ATOMIC found no memory: not an error */
	unsigned int tries;	/* allocations over all rounds */
	unsigned int failures;	/* ... that found no memory */
	unsigned int bad;	/* wrong data, missing or extra variables */
	unsigned int dtors;
	bool wrong_context;
	long objs[ATOMIC_OBJS];
	struct completion done;
};

static int test_lp_shadow_atomic_ctor(void *obj, void *shadow_data,
				      void *ctor_data)
{
	*(unsigned int *)shadow_data = *(unsigned int *)ctor_data;
	return 0;
}

static void test_lp_shadow_atomic_dtor(void *obj, void *shadow_data)
{
	struct test_lp_shadow_atomic *a = *(void **)obj;

	a->dtors++;
}

static void test_lp_shadow_atomic_fill(struct test_lp_shadow_atomic *a)
{
	unsigned int i, *v;

	for (i = 0; i < a->nr_objs; i++) {
		v = klp_shadow_alloc(&a->objs[i], a->id, sizeof(*v),
				     GFP_ATOMIC, test_lp_shadow_atomic_ctor,
				     &a->round);
		a->tries++;
		if (!v) {
			a->nomem++;
			a->failures++;
			continue;
		}
		if (klp_shadow_get(&a->objs[i], a->id) != v || *v != a->round)
			a->bad++;
		if (klp_shadow_get_or_alloc(&a->objs[i], a->id, sizeof(*v),
					    GFP_ATOMIC, NULL, NULL) != v)
			a->bad++;
	}
}

static void test_lp_shadow_atomic_empty(struct test_lp_shadow_atomic *a)
{
	unsigned int i, made = 0;

	for (i = 0; i < a->nr_objs; i++)
		if (klp_shadow_get(&a->objs[i], a->id))
			made++;
	if (made + a->nomem != a->nr_objs)
		a->bad++;

	a->dtors = 0;
	for (i = 0; i < a->nr_objs; i += 2)
		klp_shadow_free(&a->objs[i], a->id, test_lp_shadow_atomic_dtor);
	klp_shadow_free_all(a->id, test_lp_shadow_atomic_dtor);
	if (a->dtors != made)
		a->bad++;
	for (i = 0; i < a->nr_objs; i++)
		if (klp_shadow_get(&a->objs[i], a->id))
			a->bad++;
	a->nomem = 0;
}

/* One round; true when it was the last one. */
static bool test_lp_shadow_atomic_round(struct test_lp_shadow_atomic *a)
{
	if (a->round % 2)
		test_lp_shadow_atomic_empty(a);
	else
		test_lp_shadow_atomic_fill(a);
	return ++a->round == ATOMIC_ROUNDS;
}

static struct test_lp_shadow_atomic *test_lp_shadow_atomic_ctx[3];
static struct timer_list test_lp_shadow_timer;
static struct hrtimer test_lp_shadow_hrtimer;

static void test_lp_shadow_timer_fn(struct timer_list *timer)
{
	struct test_lp_shadow_atomic *a = test_lp_shadow_atomic_ctx[0];

	if (!in_serving_softirq())
		a->wrong_context = true;
	if (test_lp_shadow_atomic_round(a))
		complete(&a->done);
	else
		mod_timer(timer, jiffies + 1);
}

static enum hrtimer_restart test_lp_shadow_hrtimer_fn(struct hrtimer *timer)
{
	struct test_lp_shadow_atomic *a = test_lp_shadow_atomic_ctx[1];

	if (!in_hardirq())
		a->wrong_context = true;
	if (test_lp_shadow_atomic_round(a)) {
		complete(&a->done);
		return HRTIMER_NORESTART;
	}
	hrtimer_forward_now(timer, ms_to_ktime(1));
	return HRTIMER_RESTART;
}

static DEFINE_SPINLOCK(test_lp_shadow_atomic_lock);

static void test_lp_shadow_atomic(void)
{
	static const char * const where[] = {
		"timer (softirq)", "hrtimer (hardirq)", "spinlock, irqs off",
	};
	struct test_lp_shadow_atomic *a;
	unsigned long flags;
	unsigned int j;
	bool last;
	int i;

	for (i = 0; i < ARRAY_SIZE(where); i++) {
		a = kzalloc(sizeof(*a), GFP_KERNEL);
		if (!a) {
			test_lp_shadow_check(false, "memory for the atomic test");
			goto out;
		}
		a->where = where[i];
		a->id = ATOMIC_ID + i;
		a->nr_objs = i == 1 ? ATOMIC_HARDIRQ_OBJS : ATOMIC_OBJS;
		/* The destructor finds the context through the object. */
		for (j = 0; j < ATOMIC_OBJS; j++)
			a->objs[j] = (long)a;
		init_completion(&a->done);
		test_lp_shadow_atomic_ctx[i] = a;
	}

	timer_setup(&test_lp_shadow_timer, test_lp_shadow_timer_fn, 0);
	mod_timer(&test_lp_shadow_timer, jiffies + 1);
	hrtimer_init(&test_lp_shadow_hrtimer, CLOCK_MONOTONIC,
		     HRTIMER_MODE_REL_HARD);
	test_lp_shadow_hrtimer.function = test_lp_shadow_hrtimer_fn;
	hrtimer_start(&test_lp_shadow_hrtimer, ms_to_ktime(1),
		      HRTIMER_MODE_REL_HARD);

	a = test_lp_shadow_atomic_ctx[2];
	do {
		spin_lock_irqsave(&test_lp_shadow_atomic_lock, flags);
		if (!irqs_disabled())
			a->wrong_context = true;
		last = test_lp_shadow_atomic_round(a);
		spin_unlock_irqrestore(&test_lp_shadow_atomic_lock, flags);
		cond_resched();
	} while (!last);
	complete(&a->done);

	for (i = 0; i < ARRAY_SIZE(where); i++) {
		a = test_lp_shadow_atomic_ctx[i];
		wait_for_completion(&a->done);
		/*
		 * An atomic allocation may fail, but not often in an idle
		 * test machine: a core that failed them all must not pass.
		 */
		if (a->failures > a->tries / 10)
			pr_err("%s: %u of %u allocations failed\n", a->where,
			       a->failures, a->tries);
		test_lp_shadow_check(!a->bad && !a->wrong_context &&
				     a->failures <= a->tries / 10,
				     "%s: %d rounds of alloc, get, get_or_alloc, free and free_all with GFP_ATOMIC",
				     a->where, ATOMIC_ROUNDS);
	}
	del_timer_sync(&test_lp_shadow_timer);
	hrtimer_cancel(&test_lp_shadow_hrtimer);
out:
	for (i = 0; i < ARRAY_SIZE(where); i++) {
		kfree(test_lp_shadow_atomic_ctx[i]);
		test_lp_shadow_atomic_ctx[i] = NULL;
	}
}

static int __init test_lp_shadow_init(void)
{
	pr_info("test %s\n", test);
	if (!strcmp(test, "basic"))
		test_lp_shadow_basic();
	else if (!strcmp(test, "ctor"))
		test_lp_shadow_ctor_test();
	else if (!strcmp(test, "dup"))
		test_lp_shadow_dup();
	else if (!strcmp(test, "align"))
		test_lp_shadow_align();
	else if (!strcmp(test, "many"))
		test_lp_shadow_many();
	else if (!strcmp(test, "regrow"))
		test_lp_shadow_regrow();
	else if (!strcmp(test, "stress"))
		test_lp_shadow_stress();
	else if (!strcmp(test, "atomic"))
		test_lp_shadow_atomic();
	else
		return -EINVAL;
	pr_info("test %s: %s\n", test,
		test_lp_shadow_failures ? "FAILED" : "passed");
	return 0;
}

static void __exit test_lp_shadow_exit(void)
{
}

module_init(test_lp_shadow_init);
module_exit(test_lp_shadow_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: the shadow variable API");
