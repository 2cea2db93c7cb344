// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * shadow.c - shadow variables: data that a patch attaches to existing
 * objects without changing their layout
 *
 * A shadow variable is found by the pair <obj, id>: the address of the
 * object it belongs to and a number chosen by the patch.
 *
 * The variables live in one hash table that grows and shrinks with their
 * number, so that a lookup stays a short bucket walk from a handful of
 * variables to millions.  Resizing cannot happen in the caller's context
 * (allocations may be atomic, and a large bucket array needs vmalloc), so
 * it runs from a work item: the new table is filled while the old one
 * stays in service, then published, and the old one is freed after an RCU
 * grace period.  Each variable has two list nodes, one per table, so that
 * it can sit in both during the switch.
 *
 * Locking: klp_shadow_lock (irq-safe, because variables may be allocated
 * and freed in any context) serialises every change to the tables and
 * makes "look up, construct, insert" atomic.  Lookups take no lock: they
 * walk the published table under rcu_read_lock(), and freed variables are
 * released after a grace period.  klp_shadow_resize_mutex serialises the
 * resize work with itself.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/irq_work.h>
#include <linux/livepatch.h>
#include <linux/mm.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#define KLP_SHADOW_MIN_BITS	8
#define KLP_SHADOW_MAX_BITS	24
/* Buckets migrated per lock hold while resizing. */
#define KLP_SHADOW_RESIZE_BATCH	256

struct klp_shadow_table {
	unsigned int bits;
	unsigned int slot;	/* which klp_shadow::node links this table */
	/* A count outside these asks for another size. */
	unsigned long grow_above;
	unsigned long shrink_below;
	struct rcu_head rcu;
	struct hlist_head buckets[];
};

/**
 * struct klp_shadow - a shadow variable
 * @node:	links in the current table and, during a resize, the next one
 * @gen:	resize generation in which the variable was put in the next
 *		table (so that the migration does not add it twice); read and
 *		written with klp_shadow_lock held, while the variable is linked
 * @rcu:	delays freeing until lock-free lookups are done with it; used
 *		only once the variable is unlinked, so it can share @gen's room
 * @obj:	the object the variable belongs to
 * @id:		the patch's identifier for this kind of variable
 * @data:	the variable itself, 16-byte aligned as 6.1 had it, for the
 *		users of cmpxchg16b and 128-bit fields
 */
struct klp_shadow {
	struct hlist_node node[2];
	union {
		unsigned long gen;
		struct rcu_head rcu;
	};
	void *obj;
	unsigned long id;
	char data[] __aligned(16);
};

static DEFINE_SPINLOCK(klp_shadow_lock);
static DEFINE_MUTEX(klp_shadow_resize_mutex);

static struct klp_shadow_table __rcu *klp_shadow_cur;
/* Being filled by the resize work; klp_shadow_lock. */
static struct klp_shadow_table *klp_shadow_next;
static unsigned long klp_shadow_gen;
static unsigned long klp_shadow_count;
/* A resize was asked for and the work has not looked yet; klp_shadow_lock. */
static bool klp_shadow_resize_asked;

static void klp_shadow_resize_fn(struct work_struct *work);
static DECLARE_WORK(klp_shadow_resize_work, klp_shadow_resize_fn);

/*
 * The callers may hold any lock, the scheduler's included, and
 * queue_work() may wake a worker: ask for the resize through an irq_work,
 * which runs once interrupts are enabled again.  The work is unbound so
 * that a caller adding variables in a loop that never sleeps does not keep
 * it off its CPU.
 */
static void klp_shadow_resize_kick(struct irq_work *work)
{
	queue_work(system_unbound_wq, &klp_shadow_resize_work);
}

static DEFINE_IRQ_WORK(klp_shadow_resize_irq_work, klp_shadow_resize_kick);

static __always_inline unsigned long
klp_shadow_hash(void *obj, unsigned long id, unsigned int bits)
{
	/*
	 * One multiplication, the costly part, for the object; the id is
	 * mixed in after it, so that the variables of one object with small
	 * ids land in neighbouring buckets rather than all in one.
	 */
	return (hash_long((unsigned long)obj, bits) ^ id) & ((1UL << bits) - 1);
}

static __always_inline struct hlist_head *
klp_shadow_bucket(struct klp_shadow_table *t, void *obj, unsigned long id)
{
	return &t->buckets[klp_shadow_hash(obj, id, t->bits)];
}

static struct klp_shadow_table *klp_shadow_table_alloc(unsigned int bits,
						       unsigned int slot)
{
	struct klp_shadow_table *t;

	t = kvzalloc(struct_size(t, buckets, 1UL << bits), GFP_KERNEL);
	if (!t)
		return NULL;
	t->bits = bits;
	t->slot = slot;
	t->grow_above = bits < KLP_SHADOW_MAX_BITS ? 1UL << bits : ULONG_MAX;
	/* Far below the growth point, so that churn does not resize. */
	t->shrink_below = bits > KLP_SHADOW_MIN_BITS ? 1UL << (bits - 6) : 0;
	return t;
}

static __always_inline struct klp_shadow *
klp_shadow_walk(struct hlist_head *bucket, const unsigned int slot,
		void *obj, unsigned long id)
{
	struct klp_shadow *shadow;

	hlist_for_each_entry_rcu(shadow, bucket, node[slot],
				 lockdep_is_held(&klp_shadow_lock)) {
		if (shadow->obj == obj && shadow->id == id)
			return shadow;
	}
	return NULL;
}

/*
 * Inlined, and with one walk per slot so that each links through a fixed
 * offset: a lookup is then as short as in a table with a single node.
 */
static __always_inline struct klp_shadow *
klp_shadow_find(struct klp_shadow_table *t, void *obj, unsigned long id)
{
	struct hlist_head *bucket = klp_shadow_bucket(t, obj, id);

	if (t->slot)
		return klp_shadow_walk(bucket, 1, obj, id);
	return klp_shadow_walk(bucket, 0, obj, id);
}

/**
 * klp_shadow_get() - find a shadow variable
 * @obj: the object the variable belongs to
 * @id: the variable's identifier
 *
 * Takes no lock and may be called in any context.
 *
 * Return: the variable's data, or NULL if there is none.
 */
void *klp_shadow_get(void *obj, unsigned long id)
{
	struct klp_shadow_table *t;
	struct klp_shadow *shadow;
	void *data = NULL;

	rcu_read_lock();
	t = rcu_dereference(klp_shadow_cur);
	if (t) {
		shadow = klp_shadow_find(t, obj, id);
		if (shadow)
			data = shadow->data;
	}
	rcu_read_unlock();
	return data;
}
EXPORT_SYMBOL_GPL(klp_shadow_get);

static struct klp_shadow_table *klp_shadow_table_locked(void)
{
	return rcu_dereference_protected(klp_shadow_cur,
					 lockdep_is_held(&klp_shadow_lock));
}

/*
 * Does the table need another size?  Returns the new bits, or 0.  Inlined:
 * on every insertion and removal, the common case is two comparisons.
 */
static __always_inline unsigned int
klp_shadow_wanted_bits(struct klp_shadow_table *t)
{
	if (klp_shadow_count > t->grow_above)
		return min(t->bits + 2, KLP_SHADOW_MAX_BITS);
	if (klp_shadow_count < t->shrink_below)
		return max(t->bits - 2, KLP_SHADOW_MIN_BITS);
	return 0;
}

/*
 * Ask once: until the work has run, every insertion or removal would
 * otherwise raise another irq_work, and that costs an interrupt each.
 */
static void klp_shadow_ask_resize(void)
{
	if (klp_shadow_resize_asked || klp_shadow_next)
		return;
	klp_shadow_resize_asked = true;
	irq_work_queue(&klp_shadow_resize_irq_work);
}

static __always_inline void klp_shadow_maybe_resize(struct klp_shadow_table *t)
{
	if (unlikely(klp_shadow_wanted_bits(t)))
		klp_shadow_ask_resize();
}

static void klp_shadow_insert(struct klp_shadow *shadow)
{
	struct klp_shadow_table *t = klp_shadow_table_locked();
	struct klp_shadow_table *next = klp_shadow_next;

	hlist_add_head_rcu(&shadow->node[t->slot],
			   klp_shadow_bucket(t, shadow->obj, shadow->id));
	if (next) {
		hlist_add_head_rcu(&shadow->node[next->slot],
				   klp_shadow_bucket(next, shadow->obj,
						     shadow->id));
		shadow->gen = klp_shadow_gen;
	}
	klp_shadow_count++;
	klp_shadow_maybe_resize(t);
}

/* Unlink and free after a grace period; the destructor runs first. */
static __always_inline void
klp_shadow_remove(struct klp_shadow *shadow, klp_shadow_dtor_t dtor)
{
	struct klp_shadow_table *t = klp_shadow_table_locked();
	struct klp_shadow_table *next = klp_shadow_next;

	hlist_del_rcu(&shadow->node[t->slot]);
	if (next && shadow->gen == klp_shadow_gen)
		hlist_del_rcu(&shadow->node[next->slot]);
	klp_shadow_count--;
	klp_shadow_maybe_resize(t);

	if (dtor)
		dtor(shadow->obj, shadow->data);
	kfree_rcu(shadow, rcu);
}

static void klp_shadow_migrate(struct klp_shadow_table *old,
			       struct klp_shadow_table *next)
{
	unsigned long i, nr = 1UL << old->bits;
	struct klp_shadow *shadow;
	unsigned long flags;

	spin_lock_irqsave(&klp_shadow_lock, flags);
	for (i = 0; i < nr; i++) {
		if (i && i % KLP_SHADOW_RESIZE_BATCH == 0) {
			spin_unlock_irqrestore(&klp_shadow_lock, flags);
			cond_resched();
			spin_lock_irqsave(&klp_shadow_lock, flags);
		}
		hlist_for_each_entry(shadow, &old->buckets[i], node[old->slot]) {
			if (shadow->gen == klp_shadow_gen)
				continue;
			hlist_add_head_rcu(&shadow->node[next->slot],
					   klp_shadow_bucket(next, shadow->obj,
							     shadow->id));
			shadow->gen = klp_shadow_gen;
		}
	}
	rcu_assign_pointer(klp_shadow_cur, next);
	klp_shadow_next = NULL;
	spin_unlock_irqrestore(&klp_shadow_lock, flags);
}

/* Move to a table of @bits; false if it cannot be allocated. */
static bool klp_shadow_resize_to(struct klp_shadow_table *old,
				 unsigned int bits)
{
	struct klp_shadow_table *next;
	unsigned long flags;

	next = klp_shadow_table_alloc(bits, !old->slot);
	if (!next)
		return false;

	spin_lock_irqsave(&klp_shadow_lock, flags);
	klp_shadow_gen++;
	klp_shadow_next = next;
	spin_unlock_irqrestore(&klp_shadow_lock, flags);

	klp_shadow_migrate(old, next);

	/* Lookups may still walk the old table until a grace period ends. */
	synchronize_rcu();
	kvfree(old);
	return true;
}

static void klp_shadow_resize_fn(struct work_struct *work)
{
	struct klp_shadow_table *old;
	unsigned int bits;
	unsigned long flags;

	mutex_lock(&klp_shadow_resize_mutex);
	/*
	 * The count may move on while a resize runs: go on until the size
	 * fits.  On allocation failure the table keeps working, only with
	 * longer chains, and the next change of the count asks again.
	 */
	do {
		spin_lock_irqsave(&klp_shadow_lock, flags);
		klp_shadow_resize_asked = false;
		old = klp_shadow_table_locked();
		bits = klp_shadow_wanted_bits(old);
		spin_unlock_irqrestore(&klp_shadow_lock, flags);
	} while (bits && klp_shadow_resize_to(old, bits));
	mutex_unlock(&klp_shadow_resize_mutex);
}

/*
 * Allocate outside the lock with the caller's flags, then look up,
 * construct and insert atomically.  With @return_existing, an existing
 * variable is a success; without it, a bug of the caller.
 */
static void *klp_shadow_add(void *obj, unsigned long id, size_t size,
			    gfp_t gfp_flags, klp_shadow_ctor_t ctor,
			    void *ctor_data, bool return_existing)
{
	struct klp_shadow *shadow, *found;
	unsigned long flags;
	void *data;
	int err;

	data = klp_shadow_get(obj, id);
	if (data)
		goto exists;

	shadow = kzalloc(struct_size(shadow, data, size), gfp_flags);
	if (!shadow)
		return NULL;
	shadow->obj = obj;
	shadow->id = id;

	spin_lock_irqsave(&klp_shadow_lock, flags);
	if (unlikely(!klp_shadow_table_locked())) {
		/* The table could not be set up at boot. */
		spin_unlock_irqrestore(&klp_shadow_lock, flags);
		kfree(shadow);
		return NULL;
	}
	found = klp_shadow_find(klp_shadow_table_locked(), obj, id);
	if (found) {
		spin_unlock_irqrestore(&klp_shadow_lock, flags);
		kfree(shadow);
		data = found->data;
		goto exists;
	}

	if (ctor) {
		err = ctor(obj, shadow->data, ctor_data);
		if (err) {
			spin_unlock_irqrestore(&klp_shadow_lock, flags);
			kfree(shadow);
			pr_err("Failed to construct shadow variable <%p, %lx> (%d)\n",
			       obj, id, err);
			return NULL;
		}
	}
	klp_shadow_insert(shadow);
	spin_unlock_irqrestore(&klp_shadow_lock, flags);
	return shadow->data;

exists:
	if (return_existing)
		return data;
	WARN(1, "Duplicate shadow variable <%p, %lx>\n", obj, id);
	return NULL;
}

/**
 * klp_shadow_alloc() - attach a new shadow variable to an object
 * @obj: the object the variable belongs to
 * @id: the variable's identifier
 * @size: size of the variable's data
 * @gfp_flags: how to allocate it
 * @ctor: optional constructor, run before the variable becomes visible,
 *	  under a spinlock (it must not sleep); a non-zero return cancels
 *	  the allocation
 * @ctor_data: passed to @ctor
 *
 * The data is zeroed unless @ctor fills it.  A variable <@obj, @id> that
 * already exists is a caller bug: warns and returns NULL.
 *
 * Return: the new variable's data, or NULL.
 */
void *klp_shadow_alloc(void *obj, unsigned long id,
		       size_t size, gfp_t gfp_flags,
		       klp_shadow_ctor_t ctor, void *ctor_data)
{
	return klp_shadow_add(obj, id, size, gfp_flags, ctor, ctor_data, false);
}
EXPORT_SYMBOL_GPL(klp_shadow_alloc);

/**
 * klp_shadow_get_or_alloc() - find a shadow variable, or attach a new one
 * @obj: the object the variable belongs to
 * @id: the variable's identifier
 * @size: size of the variable's data
 * @gfp_flags: how to allocate it
 * @ctor: optional constructor, as for klp_shadow_alloc(); not run when the
 *	  variable exists already
 * @ctor_data: passed to @ctor
 *
 * Return: the existing or new variable's data, or NULL on failure.
 */
void *klp_shadow_get_or_alloc(void *obj, unsigned long id,
			      size_t size, gfp_t gfp_flags,
			      klp_shadow_ctor_t ctor, void *ctor_data)
{
	return klp_shadow_add(obj, id, size, gfp_flags, ctor, ctor_data, true);
}
EXPORT_SYMBOL_GPL(klp_shadow_get_or_alloc);

/**
 * klp_shadow_free() - detach and free one shadow variable
 * @obj: the object the variable belongs to
 * @id: the variable's identifier
 * @dtor: optional destructor, run under a spinlock before the variable is
 *	  freed
 *
 * Nothing happens when the variable does not exist.
 */
void klp_shadow_free(void *obj, unsigned long id, klp_shadow_dtor_t dtor)
{
	struct klp_shadow_table *t;
	struct klp_shadow *shadow;
	unsigned long flags;

	spin_lock_irqsave(&klp_shadow_lock, flags);
	t = klp_shadow_table_locked();
	shadow = t ? klp_shadow_find(t, obj, id) : NULL;
	if (shadow)
		klp_shadow_remove(shadow, dtor);
	spin_unlock_irqrestore(&klp_shadow_lock, flags);
}
EXPORT_SYMBOL_GPL(klp_shadow_free);

/**
 * klp_shadow_free_all() - free every shadow variable with an identifier
 * @id: the identifier
 * @dtor: optional destructor, run for each variable as in klp_shadow_free()
 */
void klp_shadow_free_all(unsigned long id, klp_shadow_dtor_t dtor)
{
	struct klp_shadow_table *t;
	struct klp_shadow *shadow;
	struct hlist_node *tmp;
	unsigned long flags, i = 0;

	/*
	 * Bucket by bucket, letting interrupts in between batches.  A resize
	 * may publish another table meanwhile: then start over on it (what
	 * was freed is gone from it too).  The RCU read side keeps the old
	 * table from being freed, so a new one cannot reuse its address.
	 */
	rcu_read_lock();
	spin_lock_irqsave(&klp_shadow_lock, flags);
	t = klp_shadow_table_locked();
	while (t && i < (1UL << t->bits)) {
		hlist_for_each_entry_safe(shadow, tmp, &t->buckets[i],
					  node[t->slot])
			if (shadow->id == id)
				klp_shadow_remove(shadow, dtor);
		if (++i % KLP_SHADOW_RESIZE_BATCH)
			continue;
		spin_unlock_irqrestore(&klp_shadow_lock, flags);
		spin_lock_irqsave(&klp_shadow_lock, flags);
		if (t != klp_shadow_table_locked()) {
			t = klp_shadow_table_locked();
			i = 0;
		}
	}
	spin_unlock_irqrestore(&klp_shadow_lock, flags);
	rcu_read_unlock();
}
EXPORT_SYMBOL_GPL(klp_shadow_free_all);

static int __init klp_shadow_init(void)
{
	struct klp_shadow_table *t;

	t = klp_shadow_table_alloc(KLP_SHADOW_MIN_BITS, 0);
	if (!t)
		return -ENOMEM;
	rcu_assign_pointer(klp_shadow_cur, t);
	return 0;
}
core_initcall(klp_shadow_init);
