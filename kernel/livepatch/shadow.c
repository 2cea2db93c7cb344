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
 * grace period.  Each variable has two chain links, one per table, so that
 * it can sit in both during the switch.  The chains are singly linked: a
 * removal finds the link that points to the variable by walking its
 * bucket, which is short, and a variable then takes no more room than
 * 6.1's with its single doubly linked node.
 *
 * The published table is one word (klp_shadows.cur): the address of the
 * bucket array, whose low bits are free, with the table's size and link
 * slot in them.  The first table is a static array, as 6.1's is, and a
 * lookup starts there without reading the word: while another table is
 * current, each of the array's buckets holds a mark that sends lookups to
 * the word (KLP_SHADOW_ELSEWHERE).
 *
 * Locking: klp_shadows.lock (irq-safe, because variables may be allocated
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
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

/* 6.1's fixed size: up to 16384 variables, the same table as there. */
#define KLP_SHADOW_MIN_BITS	12
#define KLP_SHADOW_MAX_BITS	24
/* Buckets plus variables visited per lock hold, when migrating or emptying. */
#define KLP_SHADOW_BATCH	256
/* After a failed allocation, the resize is tried again after 1 s, 2 s... */
#define KLP_SHADOW_RETRY_MIN	HZ
#define KLP_SHADOW_RETRY_MAX	(64 * HZ)

/*
 * klp_shadows.cur: bits 0-5 the hash's shift (BITS_PER_LONG minus the size
 * in bits), bit 6 the link slot.
 */
#define KLP_SHADOW_SHIFT_MASK	0x3fUL
#define KLP_SHADOW_SLOT_FLAG	0x40UL
#define KLP_SHADOW_TAG_MASK	0x7fUL

/**
 * struct klp_shadow - a shadow variable
 * @next:	the next variable in the bucket of the current table and,
 *		during a resize, of the next one
 * @gen:	resize generation in which the variable was put in the next
 *		table (so that the migration does not add it twice); read and
 *		written with klp_shadows.lock held, while the variable is linked
 * @rcu:	delays freeing until lock-free lookups are done with it; used
 *		only once the variable is unlinked, so it can share @gen's room
 * @obj:	the object the variable belongs to
 * @id:		the patch's identifier for this kind of variable
 * @data:	the variable itself, 16-byte aligned as 6.1 had it, for the
 *		users of cmpxchg16b and 128-bit fields
 */
struct klp_shadow {
	struct klp_shadow __rcu *next[2];
	union {
		unsigned long gen;
		struct rcu_head rcu;
	};
	void *obj;
	unsigned long id;
	char data[] __aligned(16);
};

/* A table, unpacked from its word. */
struct klp_shadow_table {
	struct klp_shadow __rcu **buckets;
	unsigned int bits;
	unsigned int slot;
};

/* Where the table starts, so that no lookup ever finds no table. */
static struct klp_shadow __rcu *klp_shadow_boot_buckets[1 << KLP_SHADOW_MIN_BITS]
	__aligned(KLP_SHADOW_TAG_MASK + 1);

/*
 * The first table's word: the static array, its size, link slot 0.  It
 * always takes slot 0, so that a lookup knows the link to follow.
 */
#define KLP_SHADOW_BOOT_WORD \
	((unsigned long)klp_shadow_boot_buckets + BITS_PER_LONG - KLP_SHADOW_MIN_BITS)

/*
 * The same table unpacked, a constant: the walks of a function that uses
 * it compile to 6.1's, with the bucket's address computed, not loaded.
 */
#define KLP_SHADOW_BOOT_TABLE \
	((struct klp_shadow_table){ .buckets = klp_shadow_boot_buckets,	\
				    .bits = KLP_SHADOW_MIN_BITS, .slot = 0 })

/* The word has room for the shift, and the smallest array's low bits. */
static_assert(BITS_PER_LONG - KLP_SHADOW_MIN_BITS <= KLP_SHADOW_SHIFT_MASK);
static_assert(sizeof(void *) << KLP_SHADOW_MIN_BITS > KLP_SHADOW_TAG_MASK);

/*
 * Held by every bucket of the static array while another table is
 * current, and at the end of its chains while it is filled again, until
 * they are ended with NULL: "not here, look in the current table".
 */
#define KLP_SHADOW_ELSEWHERE	((struct klp_shadow *)1UL)

/* Not the end of a chain: neither NULL nor the mark. */
static __always_inline bool klp_shadow_is_var(const struct klp_shadow *p)
{
	return (unsigned long)p > (unsigned long)KLP_SHADOW_ELSEWHERE;
}

/*
 * What an insertion or a removal reads and writes, together: one page
 * rather than three, which is one TLB entry rather than three for each
 * of them.  The first cache line holds what changes about once per
 * resize, because lookups read @cur without the lock once the static
 * array is left behind; the second, the lock and what changes with every
 * insertion or removal.  (With lock debugging, the lock alone fills a
 * line, and the structure takes three.)
 *
 * Every field is written under @lock; @cur is also read without it.
 *
 * @cur:	the current table's word, published with smp_store_release()
 * @grow_above:	a count above this asks for a larger table; 0 while a
 *		resize fills @next, so that every insertion sees it
 * @shrink_below: a count below this asks for a smaller one; ULONG_MAX
 *		while a resize fills @next, for every removal
 * @resize_asked: a resize was asked for, or a retry after a failed
 *		allocation is due, and the work has not looked yet:
 *		insertions and removals ask no more, so that memory pressure
 *		does not make each of them retry
 * @lock:	serialises every change
 * @table:	the current table, unpacked from @cur, for the writers
 * @count:	the number of variables
 * @next:	the word of the table being filled by the resize work, or 0
 * @gen:	the generation of that resize
 * @published:	tables published so far: how klp_shadow_free_all()
 *		notices a resize
 */
static struct {
	unsigned long cur;
	unsigned long grow_above;
	unsigned long shrink_below;
	bool resize_asked;
	spinlock_t lock ____cacheline_aligned;
	struct klp_shadow_table table;
	unsigned long count;
	unsigned long next;
	unsigned long gen;
	unsigned long published;
} klp_shadows __aligned(2 * SMP_CACHE_BYTES) = {
	.cur = KLP_SHADOW_BOOT_WORD,
	.grow_above = 4UL << KLP_SHADOW_MIN_BITS,
	.lock = __SPIN_LOCK_UNLOCKED(klp_shadows.lock),
	.table = { .buckets = klp_shadow_boot_buckets,
		   .bits = KLP_SHADOW_MIN_BITS },
};

static DEFINE_MUTEX(klp_shadow_resize_mutex);

/* klp_shadow_resize_mutex: */
static unsigned long klp_shadow_retry_delay = KLP_SHADOW_RETRY_MIN;
/* The static array is neither published nor still read. */
static bool klp_shadow_boot_idle;

static void klp_shadow_resize_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(klp_shadow_resize_work, klp_shadow_resize_fn);

/*
 * The callers may hold any lock, the scheduler's included, and
 * queue_work() may wake a worker: ask for the resize through an irq_work,
 * which runs once interrupts are enabled again.  The work is unbound so
 * that a caller adding variables in a loop that never sleeps does not keep
 * it off its CPU.
 */
static void klp_shadow_resize_kick(struct irq_work *work)
{
	queue_delayed_work(system_unbound_wq, &klp_shadow_resize_work, 0);
}

static DEFINE_IRQ_WORK(klp_shadow_resize_irq_work, klp_shadow_resize_kick);

static __always_inline struct klp_shadow_table klp_shadow_unpack(unsigned long word)
{
	return (struct klp_shadow_table) {
		.buckets = (struct klp_shadow __rcu **)(word & ~KLP_SHADOW_TAG_MASK),
		.bits = BITS_PER_LONG - (word & KLP_SHADOW_SHIFT_MASK),
		.slot = !!(word & KLP_SHADOW_SLOT_FLAG),
	};
}

static unsigned long klp_shadow_pack(struct klp_shadow_table t)
{
	return (unsigned long)t.buckets | (BITS_PER_LONG - t.bits) |
	       (t.slot ? KLP_SHADOW_SLOT_FLAG : 0);
}

/*
 * In the first table (up to 16384 variables), the bucket is 6.1's: the
 * hash of @obj alone, so that a lookup costs what 6.1's does.  In the
 * larger ones the key is the sum of @obj and @id, so that the identifiers
 * of one object spread too, and a row of objects of one size (a slab's)
 * stays a row of keys, which a multiplicative hash spreads most evenly
 * (for 100,000 objects 64 bytes apart, 1.01 variables visited per lookup,
 * against 1.04 with an exclusive or).
 *
 * In those tables, the keys of one 4 KiB page of objects share 4 KiB of
 * buckets, chosen by the hash of the page, and the hash of the key picks
 * the bucket among them: variables of objects that sit together, and tend
 * to be used together (a burst of allocations, a list walk), take a few
 * pages of a large array rather than a page each.
 * Random keys make chains as long as one hash of the key does; a page
 * with more keys than buckets (many identifiers on each object) makes
 * them longer.
 */
#define KLP_SHADOW_GROUP_SHIFT	12
#define KLP_SHADOW_GROUP_BITS	(KLP_SHADOW_GROUP_SHIFT - ilog2(sizeof(void *)))
static_assert(KLP_SHADOW_GROUP_BITS < KLP_SHADOW_MIN_BITS);

static __always_inline struct klp_shadow __rcu **
klp_shadow_bucket(struct klp_shadow_table t, void *obj, unsigned long id)
{
	unsigned long key = (unsigned long)obj + id;

	if (t.bits <= KLP_SHADOW_MIN_BITS)
		return &t.buckets[hash_long((unsigned long)obj, t.bits)];
	return &t.buckets[hash_long(key >> KLP_SHADOW_GROUP_SHIFT,
				    t.bits - KLP_SHADOW_GROUP_BITS) << KLP_SHADOW_GROUP_BITS |
			  hash_long(key, KLP_SHADOW_GROUP_BITS)];
}

static __always_inline struct klp_shadow_table klp_shadow_table_locked(void)
{
	lockdep_assert_held(&klp_shadows.lock);
	return klp_shadows.table;
}

/* The same, when it is the static array: a constant. */
static __always_inline struct klp_shadow_table klp_shadow_boot_table_locked(void)
{
	lockdep_assert_held(&klp_shadows.lock);
	return KLP_SHADOW_BOOT_TABLE;
}

static __always_inline struct klp_shadow *
klp_shadow_deref_locked(struct klp_shadow __rcu *p)
{
	return rcu_dereference_protected(p, lockdep_is_held(&klp_shadows.lock));
}

/*
 * Walk the chain that starts at *@link and goes through @slot to <obj,
 * id>: returns the variable, with *@link set to the link that points to
 * it, or what ended the chain (no variable).  With the lock held, for the
 * writers, who need the link to unlink.
 */
static __always_inline struct klp_shadow *
klp_shadow_find_in(struct klp_shadow __rcu ***link, unsigned int slot,
		   void *obj, unsigned long id)
{
	struct klp_shadow *shadow;

	while (klp_shadow_is_var(shadow = klp_shadow_deref_locked(**link))) {
		if (shadow->obj == obj && shadow->id == id)
			break;
		*link = &shadow->next[slot];
	}
	return shadow;
}

/* The same in table @t, from the bucket of <obj, id>. */
static __always_inline struct klp_shadow *
klp_shadow_find_link(struct klp_shadow_table t, void *obj, unsigned long id,
		     struct klp_shadow __rcu ***link)
{
	*link = klp_shadow_bucket(t, obj, id);
	return klp_shadow_find_in(link, t.slot, obj, id);
}

/*
 * Walk the bucket of <obj, id> in table @t, under rcu_read_lock(): the
 * variable, or where the chain ended (NULL, or KLP_SHADOW_ELSEWHERE).
 */
static __always_inline struct klp_shadow *
klp_shadow_lookup(struct klp_shadow_table t, void *obj, unsigned long id)
{
	struct klp_shadow *shadow;

	shadow = rcu_dereference(*klp_shadow_bucket(t, obj, id));
	for (; klp_shadow_is_var(shadow); shadow = rcu_dereference(shadow->next[t.slot])) {
		if (shadow->obj == obj && shadow->id == id)
			return shadow;
	}
	return shadow;
}

/*
 * @fn(table, ...) on the current table, with the lock held.  Until a
 * system has 16384 variables, that is the static array, and @fn is
 * inlined on a constant: its bucket's address is computed, not loaded.
 */
#define klp_shadow_on_current(fn, ...)					\
	(klp_shadows.cur == KLP_SHADOW_BOOT_WORD ?			\
	 fn(klp_shadow_boot_table_locked(), __VA_ARGS__) :		\
	 fn(klp_shadow_table_locked(), __VA_ARGS__))

/* klp_shadow_get() in the current table, which is not the static array. */
static noinline void *klp_shadow_get_elsewhere(void *obj, unsigned long id)
{
	struct klp_shadow *shadow;

	smp_rmb();	/* The mark was set after the table it sends to was published. */
	shadow = klp_shadow_lookup(klp_shadow_unpack(smp_load_acquire(&klp_shadows.cur)),
				   obj, id);
	return klp_shadow_is_var(shadow) ? shadow->data : NULL;
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
	struct klp_shadow *shadow;
	void *data = NULL;

	rcu_read_lock();
	/*
	 * Start at the static array, a constant: while it is current this is
	 * 6.1's lookup; while it is not, its marks send the lookup on.
	 */
	shadow = klp_shadow_lookup(KLP_SHADOW_BOOT_TABLE, obj, id);
	if (klp_shadow_is_var(shadow)) {
		/* Its own exit: the compiler would share one, with a jump. */
		rcu_read_unlock();
		return shadow->data;
	}
	if (unlikely(shadow == KLP_SHADOW_ELSEWHERE))
		data = klp_shadow_get_elsewhere(obj, id);
	rcu_read_unlock();
	return data;
}
EXPORT_SYMBOL_GPL(klp_shadow_get);

/* A table two to four times as large as @count. */
static unsigned int klp_shadow_bits_for(unsigned long count)
{
	return clamp_t(unsigned int, fls_long(count) + 1, KLP_SHADOW_MIN_BITS,
		       KLP_SHADOW_MAX_BITS);
}

/*
 * Grow past four variables per bucket, shrink below one per 64 buckets:
 * a resize moves every variable and holds writers back meanwhile, so it
 * should be rare, and the steps large (8 times at least when growing).
 */
static void klp_shadow_set_bounds(unsigned int bits)
{
	klp_shadows.grow_above = bits < KLP_SHADOW_MAX_BITS ?
				4UL << bits : ULONG_MAX;
	klp_shadows.shrink_below = bits > KLP_SHADOW_MIN_BITS ?
				  1UL << (bits - 6) : 0;
}

/*
 * Ask once: until the work has run, every insertion or removal would
 * otherwise raise another irq_work, and that costs an interrupt each.
 */
static void klp_shadow_ask_resize(void)
{
	if (klp_shadows.resize_asked || klp_shadows.next)
		return;
	klp_shadows.resize_asked = true;
	irq_work_queue(&klp_shadow_resize_irq_work);
}

/* Does the table need another size for the count?  klp_shadows.lock. */
static __always_inline bool klp_shadow_count_out_of_bounds(void)
{
	return klp_shadows.count > klp_shadows.grow_above ||
	       klp_shadows.count < klp_shadows.shrink_below;
}

/*
 * Only an insertion takes the count above the bounds, and only a removal
 * below them: each checks its own side, and that one check also tells it
 * that a resize is filling the next table (the bounds say so), which it
 * must then update too.  The bounds move when the resize work publishes a
 * table, under the lock; the work then checks the count against both,
 * and goes on until it is within them.
 */
static void klp_shadow_fill_next(unsigned long word)
{
	klp_shadows.next = word;
	klp_shadows.grow_above = 0;
	klp_shadows.shrink_below = ULONG_MAX;
}

/* What free_all() checks once, when it is done. */
static __always_inline void klp_shadow_check_shrink(void)
{
	if (unlikely(klp_shadows.count < klp_shadows.shrink_below))
		klp_shadow_ask_resize();
}

static __always_inline void klp_shadow_link_at(struct klp_shadow __rcu **bucket,
					       unsigned int slot,
					       struct klp_shadow *shadow)
{
	RCU_INIT_POINTER(shadow->next[slot], klp_shadow_deref_locked(*bucket));
	rcu_assign_pointer(*bucket, shadow);
}

static __always_inline void klp_shadow_link_head(struct klp_shadow_table t,
						 struct klp_shadow *shadow)
{
	klp_shadow_link_at(klp_shadow_bucket(t, shadow->obj, shadow->id),
			   t.slot, shadow);
}

/*
 * An insertion took the count above the bound: link @shadow into the
 * next table too if a resize is filling one, or ask for a larger table.
 */
static noinline void klp_shadow_added_beyond(struct klp_shadow *shadow)
{
	lockdep_assert_held(&klp_shadows.lock);
	if (!klp_shadows.next) {
		klp_shadow_ask_resize();
		return;
	}
	klp_shadow_link_head(klp_shadow_unpack(klp_shadows.next), shadow);
	shadow->gen = klp_shadows.gen;
}

/*
 * klp_shadow_add()'s steps under the lock, in table @t, the current one,
 * with one computation of the bucket for the walk and the insertion: the
 * data of the variable <@shadow->obj, @shadow->id> that exists, or else
 * of @shadow, constructed and inserted; NULL when @ctor failed (@err).
 */
static __always_inline void *
klp_shadow_add_locked(struct klp_shadow_table t, struct klp_shadow *shadow,
		      klp_shadow_ctor_t ctor, void *ctor_data, int *err)
{
	void *obj = shadow->obj;
	unsigned long id = shadow->id;
	struct klp_shadow __rcu **bucket = klp_shadow_bucket(t, obj, id);
	struct klp_shadow __rcu **link = bucket;
	struct klp_shadow *found;

	found = klp_shadow_find_in(&link, t.slot, obj, id);
	if (klp_shadow_is_var(found))
		return found->data;
	if (ctor) {
		*err = ctor(obj, shadow->data, ctor_data);
		if (*err)
			return NULL;
	}
	klp_shadow_link_at(bucket, t.slot, shadow);
	if (unlikely(++klp_shadows.count > klp_shadows.grow_above))
		klp_shadow_added_beyond(shadow);
	return shadow->data;
}

/*
 * Unlink the variable that @link points to, in chains of @slot; lookups
 * that are on it go on to the next variable, whose link it keeps.
 */
static void klp_shadow_unlink(struct klp_shadow __rcu **link,
			      unsigned int slot)
{
	struct klp_shadow *shadow = klp_shadow_deref_locked(*link);

	RCU_INIT_POINTER(*link, klp_shadow_deref_locked(shadow->next[slot]));
}

/*
 * Unlink @shadow from the table that a resize is filling, if the resize
 * has put it there already.
 */
static noinline void klp_shadow_unlink_next(struct klp_shadow *shadow)
{
	struct klp_shadow_table next;
	struct klp_shadow __rcu **link;

	lockdep_assert_held(&klp_shadows.lock);
	if (shadow->gen != klp_shadows.gen)
		return;
	next = klp_shadow_unpack(klp_shadows.next);
	/* <obj, id> is unique, in the next table as in the current one. */
	klp_shadow_find_link(next, shadow->obj, shadow->id, &link);
	klp_shadow_unlink(link, next.slot);
}

/*
 * A removal took the count below the bound: unlink @shadow from the next
 * table too if a resize has put it there already, or ask for a smaller
 * table.
 */
static noinline void klp_shadow_removed_below(struct klp_shadow *shadow)
{
	lockdep_assert_held(&klp_shadows.lock);
	if (!klp_shadows.next)
		klp_shadow_ask_resize();
	else
		klp_shadow_unlink_next(shadow);
}

/* Free an unlinked variable after a grace period; the destructor first. */
static __always_inline void klp_shadow_destroy(struct klp_shadow *shadow,
					       klp_shadow_dtor_t dtor)
{
	if (dtor)
		dtor(shadow->obj, shadow->data);
	kfree_rcu(shadow, rcu);
}

/* Put the variables of bucket @i of @old in @next; returns their number. */
static unsigned long klp_shadow_migrate_bucket(struct klp_shadow_table old,
					       unsigned long i,
					       struct klp_shadow_table next)
{
	struct klp_shadow *shadow = klp_shadow_deref_locked(old.buckets[i]);
	unsigned long nr = 0;

	for (; klp_shadow_is_var(shadow);
	     shadow = klp_shadow_deref_locked(shadow->next[old.slot])) {
		nr++;
		if (shadow->gen == klp_shadows.gen)
			continue;
		klp_shadow_link_head(next, shadow);
		shadow->gen = klp_shadows.gen;
	}
	return nr;
}

/* Let the others take the lock for a moment; rare, so out of line. */
static noinline void klp_shadow_let_in(unsigned long *flags, bool may_sleep)
	__must_hold(&klp_shadows.lock)
{
	spin_unlock_irqrestore(&klp_shadows.lock, *flags);
	if (may_sleep)
		cond_resched();
	spin_lock_irqsave(&klp_shadows.lock, *flags);
}

/*
 * In a long walk of the resize work, after @work steps under the lock:
 * once there have been enough, let writers, interrupts and other tasks
 * in.  Returns the steps to count on from, 0 after a pause.  Inline: the
 * walks call it for every bucket.
 */
static __always_inline unsigned long
klp_shadow_pause(unsigned long work, unsigned long *flags)
	__must_hold(&klp_shadows.lock)
{
	if (likely(work < KLP_SHADOW_BATCH))
		return work;
	klp_shadow_let_in(flags, true);
	return 0;
}

/*
 * The static array has just been left for the table published under the
 * same hold of the lock, so no variable has changed since: send new
 * lookups there.  Lookups already on the array's chains find what it held.
 */
static void klp_shadow_mark_boot_elsewhere(void)
{
	unsigned long i;

	lockdep_assert_held(&klp_shadows.lock);
	/* A lookup that reads a mark then reads the new word: smp_rmb(). */
	smp_wmb();
	for (i = 0; i < ARRAY_SIZE(klp_shadow_boot_buckets); i++)
		RCU_INIT_POINTER(klp_shadow_boot_buckets[i], KLP_SHADOW_ELSEWHERE);
}

/*
 * The static array has been current again for a grace period, and its
 * chains still end in the marks they were built on: end them with NULL,
 * so that a lookup of a variable that does not exist stops there rather
 * than going through the word.  Not before: a lookup that read a bucket
 * before the migration linked variables at its head finds them only by
 * following the mark back to the (by then current) array.
 */
static void klp_shadow_end_boot_chains(void)
{
	struct klp_shadow __rcu **link;
	struct klp_shadow *shadow;
	unsigned long i, work = 0, flags;

	spin_lock_irqsave(&klp_shadows.lock, flags);
	for (i = 0; i < ARRAY_SIZE(klp_shadow_boot_buckets); i++) {
		work = klp_shadow_pause(work, &flags) + 1;
		link = &klp_shadow_boot_buckets[i];
		while (klp_shadow_is_var(shadow = klp_shadow_deref_locked(*link))) {
			link = &shadow->next[0];
			work++;
		}
		if (shadow)
			RCU_INIT_POINTER(*link, NULL);
	}
	spin_unlock_irqrestore(&klp_shadows.lock, flags);
}

/* Put every variable of @old in @next, then publish @next. */
static void klp_shadow_migrate(struct klp_shadow_table old,
			       struct klp_shadow_table next)
{
	unsigned long i, work = 0, nr = 1UL << old.bits;
	unsigned long flags;

	spin_lock_irqsave(&klp_shadows.lock, flags);
	for (i = 0; i < nr; i++) {
		work = klp_shadow_pause(work, &flags);
		work += 1 + klp_shadow_migrate_bucket(old, i, next);
	}
	klp_shadow_set_bounds(next.bits);
	klp_shadows.next = 0;
	/* Everything linked above is visible before the table is. */
	smp_store_release(&klp_shadows.cur, klp_shadow_pack(next));
	klp_shadows.table = next;
	klp_shadows.published++;
	if (old.buckets == klp_shadow_boot_buckets)
		klp_shadow_mark_boot_elsewhere();
	spin_unlock_irqrestore(&klp_shadows.lock, flags);
}

/*
 * With klp_shadow_resize_mutex held.  The smallest table that links
 * through slot 0 is the static array, which cannot fail.  Its buckets are
 * not cleared: they hold the mark, and the chains are built on it, so that
 * a lookup that gets to the end of a chain before the array is published
 * goes on to the current table.
 */
static struct klp_shadow __rcu **
klp_shadow_alloc_buckets(struct klp_shadow_table t)
{
	struct klp_shadow __rcu **buckets;

	if (t.bits == KLP_SHADOW_MIN_BITS && !t.slot && klp_shadow_boot_idle) {
		klp_shadow_boot_idle = false;
		return klp_shadow_boot_buckets;
	}
	/* Without __GFP_NOWARN: a table that cannot grow is worth a report. */
	buckets = kvcalloc(1UL << t.bits, sizeof(*buckets), GFP_KERNEL);
	/* Naturally aligned (kmalloc of a power of two, or vmalloc). */
	if (buckets && WARN_ON_ONCE((unsigned long)buckets & KLP_SHADOW_TAG_MASK)) {
		kvfree(buckets);
		return NULL;
	}
	return buckets;
}

static void klp_shadow_free_buckets(struct klp_shadow __rcu **buckets)
{
	if (buckets == klp_shadow_boot_buckets)
		klp_shadow_boot_idle = true;
	else
		kvfree(buckets);
}

/*
 * Move to a table of @bits, or return false if it cannot be allocated:
 * then the old one keeps working, with longer chains.
 */
static bool klp_shadow_resize_to(struct klp_shadow_table old,
				 unsigned int bits)
{
	struct klp_shadow_table next = { .bits = bits, .slot = !old.slot };
	unsigned long flags;

	next.buckets = klp_shadow_alloc_buckets(next);
	if (!next.buckets)
		return false;

	spin_lock_irqsave(&klp_shadows.lock, flags);
	klp_shadows.gen++;
	klp_shadow_fill_next(klp_shadow_pack(next));
	spin_unlock_irqrestore(&klp_shadows.lock, flags);

	klp_shadow_migrate(old, next);

	/* Lookups may still walk the old table until a grace period ends. */
	synchronize_rcu();
	klp_shadow_free_buckets(old.buckets);
	if (next.buckets == klp_shadow_boot_buckets)
		klp_shadow_end_boot_chains();
	return true;
}

/*
 * Try @bits, and for a growth by more than one doubling, one doubling as
 * a fallback.  If neither fits in memory, try again later, waiting twice
 * as long each time, and ask nothing meanwhile.
 */
static bool klp_shadow_try_resize(struct klp_shadow_table old,
				  unsigned int bits)
{
	unsigned long flags;

	if (klp_shadow_resize_to(old, bits) ||
	    (bits > old.bits + 1 && klp_shadow_resize_to(old, old.bits + 1))) {
		klp_shadow_retry_delay = KLP_SHADOW_RETRY_MIN;
		return true;
	}
	spin_lock_irqsave(&klp_shadows.lock, flags);
	klp_shadows.resize_asked = true;
	spin_unlock_irqrestore(&klp_shadows.lock, flags);
	queue_delayed_work(system_unbound_wq, &klp_shadow_resize_work,
			   klp_shadow_retry_delay);
	klp_shadow_retry_delay = min(klp_shadow_retry_delay * 2,
				     KLP_SHADOW_RETRY_MAX);
	return false;
}

/*
 * The size the count asks of table @t, or 0 to keep it.  A table of the
 * smallest size other than the static array is a step on the way there:
 * one linking through slot 0 cannot hand its variables to the array,
 * which links through slot 0 too.
 */
static unsigned int klp_shadow_wanted_bits(struct klp_shadow_table t)
{
	unsigned int bits = t.bits;

	lockdep_assert_held(&klp_shadows.lock);
	if (klp_shadow_count_out_of_bounds())
		bits = klp_shadow_bits_for(klp_shadows.count);
	if (bits == t.bits && (bits != KLP_SHADOW_MIN_BITS ||
			       t.buckets == klp_shadow_boot_buckets))
		return 0;
	return bits;
}

static void klp_shadow_resize_fn(struct work_struct *work)
{
	struct klp_shadow_table old;
	unsigned int bits;
	unsigned long flags;

	mutex_lock(&klp_shadow_resize_mutex);
	/*
	 * The count may move on while a resize runs: go on until it is
	 * within the bounds.  The size is chosen from the count when the
	 * work runs, so a table filled in a burst grows in large steps.
	 */
	for (;;) {
		spin_lock_irqsave(&klp_shadows.lock, flags);
		klp_shadows.resize_asked = false;
		old = klp_shadow_table_locked();
		bits = klp_shadow_wanted_bits(old);
		spin_unlock_irqrestore(&klp_shadows.lock, flags);
		if (!bits || !klp_shadow_try_resize(old, bits))
			break;
	}
	mutex_unlock(&klp_shadow_resize_mutex);
}

/*
 * Allocate outside the lock with the caller's flags, then look up,
 * construct and insert atomically.  With @return_existing, an existing
 * variable is a success, and a lookup first spares the allocation;
 * without it, a bug of the caller, which the lookup under the lock finds
 * as well: klp_shadow_alloc() does not look twice.
 */
static void *klp_shadow_add(void *obj, unsigned long id, size_t size,
			    gfp_t gfp_flags, klp_shadow_ctor_t ctor,
			    void *ctor_data, bool return_existing)
{
	struct klp_shadow *shadow;
	unsigned long flags;
	void *data;
	int err = 0;

	if (return_existing) {
		data = klp_shadow_get(obj, id);
		if (data)
			return data;
	}

	shadow = kzalloc(struct_size(shadow, data, size), gfp_flags);
	if (!shadow)
		return NULL;
	shadow->obj = obj;
	shadow->id = id;

	spin_lock_irqsave(&klp_shadows.lock, flags);
	data = klp_shadow_on_current(klp_shadow_add_locked, shadow, ctor,
				     ctor_data, &err);
	spin_unlock_irqrestore(&klp_shadows.lock, flags);
	/* An address only: @shadow is published, and may be freed already. */
	if (data == shadow->data)
		return data;

	kfree(shadow);
	if (!data) {
		pr_err("Failed to construct shadow variable <%p, %lx> (%d)\n",
		       obj, id, err);
		return NULL;
	}
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

/* klp_shadow_free() in table @t, the current one. */
static __always_inline void klp_shadow_free_in(struct klp_shadow_table t,
					       void *obj, unsigned long id,
					       klp_shadow_dtor_t dtor)
{
	struct klp_shadow __rcu **link;
	struct klp_shadow *shadow;

	shadow = klp_shadow_find_link(t, obj, id, &link);
	if (!klp_shadow_is_var(shadow))
		return;
	klp_shadow_unlink(link, t.slot);
	if (unlikely(--klp_shadows.count < klp_shadows.shrink_below))
		klp_shadow_removed_below(shadow);
	klp_shadow_destroy(shadow, dtor);
}

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
	unsigned long flags;

	spin_lock_irqsave(&klp_shadows.lock, flags);
	klp_shadow_on_current(klp_shadow_free_in, obj, id, dtor);
	spin_unlock_irqrestore(&klp_shadows.lock, flags);
}
EXPORT_SYMBOL_GPL(klp_shadow_free);

/*
 * Remove the variables with @id from @bucket, whose chains link through
 * @slot, and from the next table when @resizing; returns the number of
 * variables looked at.  The count is checked once, at the end of the
 * walk: the table shrinks then, not under it.
 */
static __always_inline unsigned long
klp_shadow_empty_bucket(struct klp_shadow __rcu **bucket, unsigned int slot,
			unsigned long id, klp_shadow_dtor_t dtor, bool resizing)
{
	struct klp_shadow __rcu **link = bucket;
	struct klp_shadow *shadow;
	unsigned long nr = 0;

	while (klp_shadow_is_var(shadow = klp_shadow_deref_locked(*link))) {
		nr++;
		if (shadow->id != id) {
			link = &shadow->next[slot];
			continue;
		}
		klp_shadow_unlink(link, slot);
		if (resizing)
			klp_shadow_unlink_next(shadow);
		klp_shadows.count--;
		klp_shadow_destroy(shadow, dtor);
	}
	return nr;
}

/*
 * Walk from @bucket, emptying each bucket of the variables with @id, for
 * @left steps (at least one), a bucket or a variable visited each;
 * returns where the walk ended.  A batch is one count, so that an empty
 * bucket costs what it does in 6.1's walk of its table: a load and a test
 * of the bucket, a step and a test of the count.
 */
static __always_inline struct klp_shadow __rcu **
klp_shadow_empty_batch(struct klp_shadow __rcu **bucket, long left,
		       unsigned int slot, unsigned long id,
		       klp_shadow_dtor_t dtor, bool resizing)
{
	do {
		if (klp_shadow_is_var(klp_shadow_deref_locked(*bucket)))
			left -= klp_shadow_empty_bucket(bucket, slot, id, dtor,
							resizing);
		bucket++;
	} while (--left > 0);
	return bucket;
}

/*
 * Remove the variables with @id from table @t, letting interrupts in
 * after each batch of buckets and variables (the callers may be atomic:
 * no sleeping).  Returns false, unfinished, when a resize has published
 * another table meanwhile.
 */
static __always_inline bool
klp_shadow_empty_table(struct klp_shadow_table t, unsigned long id,
		       klp_shadow_dtor_t dtor, unsigned long *flags)
	__must_hold(&klp_shadows.lock)
{
	struct klp_shadow __rcu **bucket = t.buckets;
	struct klp_shadow __rcu **end = t.buckets + (1UL << t.bits);
	unsigned long published = klp_shadows.published;
	long left;

	for (;;) {
		left = min_t(long, end - bucket, KLP_SHADOW_BATCH);
		/*
		 * Only a lock break lets a resize start or end: a copy of
		 * the batch for each case, so that neither tests it.
		 */
		if (unlikely(klp_shadows.next))
			bucket = klp_shadow_empty_batch(bucket, left, t.slot,
							id, dtor, true);
		else
			bucket = klp_shadow_empty_batch(bucket, left, t.slot,
							id, dtor, false);
		if (bucket == end)
			return true;
		klp_shadow_let_in(flags, false);
		if (published != klp_shadows.published)
			return false;
	}
}

/**
 * klp_shadow_free_all() - free every shadow variable with an identifier
 * @id: the identifier
 * @dtor: optional destructor, run for each variable as in klp_shadow_free()
 */
void klp_shadow_free_all(unsigned long id, klp_shadow_dtor_t dtor)
{
	unsigned long flags;

	/*
	 * When a resize publishes another table during the walk, start over
	 * on it: what was freed is gone from it too.  The table shrinks once,
	 * at the end, rather than under the walk.
	 */
	spin_lock_irqsave(&klp_shadows.lock, flags);
	while (!klp_shadow_empty_table(klp_shadow_table_locked(), id, dtor,
				       &flags))
		;
	klp_shadow_check_shrink();
	spin_unlock_irqrestore(&klp_shadows.lock, flags);
}
EXPORT_SYMBOL_GPL(klp_shadow_free_all);
