// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench_shadow.c - what shadow variable operations cost with many live
 * variables.
 *
 *	echo 1000000 > /sys/module/bench_shadow/parameters/live
 *	cat /sys/module/bench_shadow/parameters/ns_per_op
 *
 * "live" sets how many variables exist (objects BENCH_SHADOW_OBJ(0) to
 * BENCH_SHADOW_OBJ(live - 1), one id); reading "ns_per_op" prints the mean
 * cost in nanoseconds of klp_shadow_get() on live variables picked at
 * random, then of klp_shadow_alloc() and of klp_shadow_free() of variables
 * that did not exist (the live count does not change), and last of a
 * "chase": reading the data of a random live variable through an array of
 * pointers to them.  The chase is two dependent loads from random places
 * in as much memory as the variables take, the least a lookup in a chained
 * hash table can do (bucket, then variable), whatever the core: it shows
 * what memory costs at each size.
 *
 *	echo 100000 > /sys/module/bench_shadow/parameters/fill
 *	echo 1 > /sys/module/bench_shadow/parameters/free_all
 *	cat /sys/module/bench_shadow/parameters/fill /sys/.../free_all
 *
 * "fill" makes that many variables in a row, from none (the table grows
 * as it goes), and "free_all" frees them all with one
 * klp_shadow_free_all(); reading either prints the last one's mean cost
 * per variable in nanoseconds.  A fill of fewer than BENCH_SHADOW_FILL_MIN
 * variables is repeated until that many have been made, each round freed
 * with klp_shadow_free_all() before the next (the last round by
 * "free_all"), and both print means over all the rounds: a thousand
 * variables take under a millisecond, which one timer tick disturbs.
 */

#include <linux/ktime.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/slab.h>

#define BENCH_SHADOW_ID		0x62656e63UL
/* Keys only: never dereferenced. */
#define BENCH_SHADOW_OBJ(i)	((void *)(0x100000UL + (unsigned long)(i) * 64))
#define BENCH_SHADOW_GETS	100000U
#define BENCH_SHADOW_ALLOCS	10000U
#define BENCH_SHADOW_FILL_MIN	100000UL

static unsigned long bench_shadow_live;
/* The data of the live variables, for the chase; bench_shadow_mutex. */
static unsigned long **bench_shadow_data;
static unsigned long bench_shadow_room;
/* Picoseconds per variable of the last fill and free_all. */
static u64 bench_shadow_fill_ps, bench_shadow_free_all_ps;
/* What klp_shadow_free_all() freed since the last fill, and in how long. */
static unsigned long bench_shadow_freed;
static u64 bench_shadow_freed_ns;
static DEFINE_MUTEX(bench_shadow_mutex);

static int bench_shadow_make_room(unsigned long want)
{
	unsigned long **data;

	if (want <= bench_shadow_room)
		return 0;
	data = kvmalloc_array(want, sizeof(*data), GFP_KERNEL | __GFP_NOWARN);
	if (!data)
		return -ENOMEM;
	if (bench_shadow_live)
		memcpy(data, bench_shadow_data,
		       bench_shadow_live * sizeof(*data));
	kvfree(bench_shadow_data);
	bench_shadow_data = data;
	bench_shadow_room = want;
	return 0;
}

static int bench_shadow_resize(unsigned long want)
{
	unsigned long *data;
	int err;

	err = bench_shadow_make_room(want);
	if (err)
		return err;
	while (bench_shadow_live < want) {
		data = klp_shadow_alloc(BENCH_SHADOW_OBJ(bench_shadow_live),
					BENCH_SHADOW_ID, sizeof(long),
					GFP_KERNEL, NULL, NULL);
		if (!data)
			return -ENOMEM;
		*data = bench_shadow_live + 1;
		bench_shadow_data[bench_shadow_live++] = data;
		cond_resched();
	}
	while (bench_shadow_live > want) {
		bench_shadow_live--;
		klp_shadow_free(BENCH_SHADOW_OBJ(bench_shadow_live),
				BENCH_SHADOW_ID, NULL);
		cond_resched();
	}
	return 0;
}

static int bench_shadow_set_live(const char *val, const struct kernel_param *kp)
{
	unsigned long want;
	int err;

	err = kstrtoul(val, 0, &want);
	if (err)
		return err;
	mutex_lock(&bench_shadow_mutex);
	err = bench_shadow_resize(want);
	mutex_unlock(&bench_shadow_mutex);
	return err;
}

static int bench_shadow_get_live(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%lu\n", READ_ONCE(bench_shadow_live));
}

static const struct kernel_param_ops bench_shadow_live_ops = {
	.set = bench_shadow_set_live,
	.get = bench_shadow_get_live,
};

module_param_cb(live, &bench_shadow_live_ops, NULL, 0644);
MODULE_PARM_DESC(live, "number of live shadow variables");

/* Mean nanoseconds per step, in picoseconds. */
static u64 bench_shadow_ps(u64 start, unsigned long steps)
{
	return div64_ul((ktime_get_ns() - start) * 1000, steps);
}

static int bench_shadow_emit_ns(char *buf, u64 ps)
{
	return sysfs_emit(buf, "%llu.%03llu\n", div_u64(ps, 1000), ps % 1000);
}

static void bench_shadow_timed_free_all(void)
{
	u64 start = ktime_get_ns();

	klp_shadow_free_all(BENCH_SHADOW_ID, NULL);
	bench_shadow_freed_ns += ktime_get_ns() - start;
	bench_shadow_freed += bench_shadow_live;
	bench_shadow_live = 0;
}

/* With none live, make @want variables in as many rounds as it takes. */
static int bench_shadow_fill(unsigned long want)
{
	unsigned long rounds = DIV_ROUND_UP(BENCH_SHADOW_FILL_MIN, want), i;
	u64 start, fill_ns = 0;
	int err;

	/* Room first: only the variables are timed. */
	err = bench_shadow_make_room(want);
	bench_shadow_freed = 0;
	bench_shadow_freed_ns = 0;
	for (i = 0; !err && i < rounds; i++) {
		if (i)
			bench_shadow_timed_free_all();
		start = ktime_get_ns();
		err = bench_shadow_resize(want);
		fill_ns += ktime_get_ns() - start;
	}
	if (err)
		return err;
	bench_shadow_fill_ps = div64_ul(fill_ns * 1000, rounds * want);
	return 0;
}

static int bench_shadow_set_fill(const char *val, const struct kernel_param *kp)
{
	unsigned long want;
	int err;

	err = kstrtoul(val, 0, &want);
	if (err)
		return err;
	if (!want)
		return -EINVAL;
	mutex_lock(&bench_shadow_mutex);
	err = bench_shadow_live ? -EBUSY : bench_shadow_fill(want);
	mutex_unlock(&bench_shadow_mutex);
	return err;
}

static int bench_shadow_get_fill(char *buf, const struct kernel_param *kp)
{
	return bench_shadow_emit_ns(buf, READ_ONCE(bench_shadow_fill_ps));
}

static const struct kernel_param_ops bench_shadow_fill_ops = {
	.set = bench_shadow_set_fill,
	.get = bench_shadow_get_fill,
};

module_param_cb(fill, &bench_shadow_fill_ops, NULL, 0644);
MODULE_PARM_DESC(fill, "make this many variables from none, timed");

static int bench_shadow_set_free_all(const char *val,
				     const struct kernel_param *kp)
{
	int err = -ENODATA;

	mutex_lock(&bench_shadow_mutex);
	if (bench_shadow_live) {
		bench_shadow_timed_free_all();
		bench_shadow_free_all_ps = div64_ul(bench_shadow_freed_ns * 1000,
						    bench_shadow_freed);
		bench_shadow_freed = 0;
		bench_shadow_freed_ns = 0;
		err = 0;
	}
	mutex_unlock(&bench_shadow_mutex);
	return err;
}

static int bench_shadow_get_free_all(char *buf, const struct kernel_param *kp)
{
	return bench_shadow_emit_ns(buf, READ_ONCE(bench_shadow_free_all_ps));
}

static const struct kernel_param_ops bench_shadow_free_all_ops = {
	.set = bench_shadow_set_free_all,
	.get = bench_shadow_get_free_all,
};

module_param_cb(free_all, &bench_shadow_free_all_ops, NULL, 0644);
MODULE_PARM_DESC(free_all, "free every variable with klp_shadow_free_all(), timed");

/* A random live index; an LCG is enough, and both loops replay it. */
static unsigned long bench_shadow_pick(u32 *rnd, unsigned long live)
{
	*rnd = *rnd * 1664525 + 1013904223;
	return *rnd % live;
}

static int bench_shadow_measure(char *buf)
{
	unsigned long live = bench_shadow_live, i;
	u64 start, get_ps, alloc_ps, free_ps, chase_ps;
	unsigned long sum = 0;
	u32 rnd = 1;

	if (!live)
		return -ENODATA;

	start = ktime_get_ns();
	for (i = 0; i < BENCH_SHADOW_GETS; i++) {
		if (!klp_shadow_get(BENCH_SHADOW_OBJ(bench_shadow_pick(&rnd, live)),
				    BENCH_SHADOW_ID))
			return -ENOENT;
	}
	get_ps = bench_shadow_ps(start, BENCH_SHADOW_GETS);

	start = ktime_get_ns();
	for (i = 0; i < BENCH_SHADOW_ALLOCS; i++)
		if (!klp_shadow_alloc(BENCH_SHADOW_OBJ(live + i),
				      BENCH_SHADOW_ID, sizeof(long),
				      GFP_KERNEL, NULL, NULL))
			break;
	alloc_ps = bench_shadow_ps(start, BENCH_SHADOW_ALLOCS);

	start = ktime_get_ns();
	for (i = 0; i < BENCH_SHADOW_ALLOCS; i++)
		klp_shadow_free(BENCH_SHADOW_OBJ(live + i), BENCH_SHADOW_ID,
				NULL);
	free_ps = bench_shadow_ps(start, BENCH_SHADOW_ALLOCS);

	rnd = 1;
	start = ktime_get_ns();
	for (i = 0; i < BENCH_SHADOW_GETS; i++)
		sum += READ_ONCE(*bench_shadow_data[bench_shadow_pick(&rnd, live)]);
	chase_ps = bench_shadow_ps(start, BENCH_SHADOW_GETS);
	/* Each variable holds its index plus one: the reads happened. */
	if (!sum)
		return -EIO;

	return sysfs_emit(buf, "%llu.%03llu %llu.%03llu %llu.%03llu %llu.%03llu\n",
			  div_u64(get_ps, 1000), get_ps % 1000,
			  div_u64(alloc_ps, 1000), alloc_ps % 1000,
			  div_u64(free_ps, 1000), free_ps % 1000,
			  div_u64(chase_ps, 1000), chase_ps % 1000);
}

static int bench_shadow_get_ns(char *buf, const struct kernel_param *kp)
{
	int ret;

	mutex_lock(&bench_shadow_mutex);
	ret = bench_shadow_measure(buf);
	mutex_unlock(&bench_shadow_mutex);
	return ret;
}

static const struct kernel_param_ops bench_shadow_ns_ops = {
	.get = bench_shadow_get_ns,
};

module_param_cb(ns_per_op, &bench_shadow_ns_ops, NULL, 0444);
MODULE_PARM_DESC(ns_per_op, "measure: ns per get, alloc, free and chase");

static void __exit bench_shadow_exit(void)
{
	klp_shadow_free_all(BENCH_SHADOW_ID, NULL);
	kvfree(bench_shadow_data);
}

module_exit(bench_shadow_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("livepatch benchmark: shadow variables");
