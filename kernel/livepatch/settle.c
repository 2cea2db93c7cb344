// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * settle.c - the trampoline of a hook group (x86_64)
 *
 * A hook group's ftrace_ops comes with a trampoline of our own: ftrace
 * calls it from the fentry site of every function of the group that no
 * other ftrace user shares (when one does, ftrace goes through its own
 * caller and our handler instead, as it always did).  The trampoline finds
 * the calling function by the return address that fentry pushed, and
 * reads one word for it, which says where the call goes: the replacement,
 * or the original function past the fentry call (the settled state,
 * patch.c), or the handler (a transition is in progress, or the function
 * is about to take part in one), which it calls with the hook's slot so
 * that the handler has no lookup to do.
 *
 * The trampoline's head finds the word of its table that the return
 * address selects, and returns to what it holds in place of that
 * address: the target, or the address of the function's stub, which goes
 * to the handler's path with the function's return address in its place
 * again.  The address selects the word by one of its low four bytes, when
 * that byte differs between all the group's locations (a table of 256
 * words), or by a window of its bits chosen for the smallest table that
 * tells them apart (up to 64 KiB), which the head pops and masks first.
 * A group of one function has one word.  A settled call costs,
 * beyond an unpatched one and the replacement's own fentry nop: a push
 * and a return that drops the return address (`ret $8`), and for more
 * than one function a load of the byte.  The head that pops costs a pop,
 * an and (more than one function), a push and a return; it is the one
 * used where the kernel wants the head's return to go through its return
 * thunk, which cannot drop a word (retbleed's and SRSO's thunks want every
 * return; ITS's only those in the first half of a cache line, and the
 * head lies in the second).  Only r10, r11 and the flags are clobbered,
 * which are dead at a function's entry.
 *
 * When no byte and no such window tells the locations apart (a large
 * group of functions scattered across vmlinux, most likely), the head is
 * a binary search of the sorted locations, a compare and a branch a
 * level, whose leaves are heads of one word each (a table in the order of
 * the locations): two instructions a level more than a group of one.
 * The leaves lie wherever the search puts them, so each pops or not by
 * its own address (ITS).  Like the table's index, the search checks
 * nothing: ftrace calls the trampoline from the group's locations only.
 *
 * Either way, a call goes on by returning to its target rather than jumping
 * to it, which keeps the processor's prediction of returns in step with
 * the stack and needs no retpoline; the handler's path saves the argument
 * registers and lets klp_trampoline_handler() rewrite the return address.
 *
 * The trampoline is neither kernel text nor covered by ORC data: a task
 * interrupted in it, or in the handler it calls, has no reliable stack,
 * so the transition never switches it (transition.c).  That is what makes
 * a settled hook safe to take back: a task that read the old target just
 * before it was cleared still goes there, in the state it has not left.
 * Registering the trampoline with kallsyms, or giving it a size in the
 * ftrace_ops, would break this.
 *
 * Locking: built before its group's ftrace_ops is registered, its code
 * never changed, freed after the ftrace_ops is unregistered (which waits
 * until no task can be in it).  It reads nothing but its table, which
 * lives as long as it does, and whose words klp_set_target() (patch.c)
 * writes with klp_mutex held.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/ftrace.h>
#include <linux/moduleloader.h>
#include <linux/set_memory.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <asm/alternative.h>
#include <asm/nospec-branch.h>
#include <asm/text-patching.h>
#include <asm/unaligned.h>
#include "patch.h"

#define KLP_CMP_SIZE		8	/* cmpq $imm32, (%rsp) */
#define KLP_JCC_SIZE		6	/* jcc rel32 */
#define KLP_RET_SIZE		5	/* ret; int3 ..., or jmp to the thunk */

struct klp_emitter {
	u8 *pos;
	bool fits;
};

static void klp_emit(struct klp_emitter *e, const u8 *bytes, unsigned int len)
{
	memcpy(e->pos, bytes, len);
	e->pos += len;
}

static void klp_emit_u32(struct klp_emitter *e, u32 value)
{
	put_unaligned_le32(value, e->pos);
	e->pos += 4;
}

static void klp_emit_u64(struct klp_emitter *e, u64 value)
{
	put_unaligned_le64(value, e->pos);
	e->pos += 8;
}

/* @len opcode bytes, then the displacement of @dest from the next insn. */
static void klp_emit_rel32(struct klp_emitter *e, const u8 *op,
			   unsigned int len, const void *dest)
{
	long rel = (long)dest - (long)(e->pos + len + 4);

	if (rel != (s32)rel)
		e->fits = false;
	klp_emit(e, op, len);
	klp_emit_u32(e, (u32)rel);
}

static void klp_emit_ret(struct klp_emitter *e)
{
	static const u8 ret[KLP_RET_SIZE] = { 0xc3, 0xcc, 0xcc, 0xcc, 0xcc };
	static const u8 jmp = 0xe9;

	/* Mitigations want each return through the thunk, as ftrace does. */
	if (cpu_wants_rethunk_at(e->pos))
		klp_emit_rel32(e, &jmp, 1, x86_return_thunk);
	else
		klp_emit(e, ret, sizeof(ret));
}

/* cmpq $key, (%rsp), with @key sign-extended from 32 bits. */
static void klp_emit_cmp(struct klp_emitter *e, unsigned long key)
{
	static const u8 cmp[] = { 0x48, 0x81, 0x3c, 0x24 };

	if ((long)key != (s32)key)
		e->fits = false;
	klp_emit(e, cmp, sizeof(cmp));
	klp_emit_u32(e, (u32)key);
}

#define KLP_CC_BELOW	0x2

static void klp_emit_jcc(struct klp_emitter *e, u8 cc, const void *dest)
{
	const u8 op[] = { 0x0f, 0x80 | cc };

	klp_emit_rel32(e, op, sizeof(op), dest);
}

#define KLP_HANDLER_SIZE	64

/*
 * Save what the function may receive in registers (what ftrace's own
 * caller saves), ask klp_trampoline_handler(where fentry returns to,
 * parent's return, slot in %r11), which rewrites the first when the call
 * must go elsewhere, and return.  The frame pointer lets an oops or a
 * backtrace taken in the handler see past the trampoline; it does not
 * make the stack reliable (no ORC data).
 */
static void klp_emit_handler(struct klp_emitter *e)
{
	static const u8 save[] = {
		0x55, 0x48, 0x89, 0xe5,		/* push rbp; mov %rsp, %rbp */
		0x57, 0x56, 0x52, 0x51,		/* push rdi, rsi, rdx, rcx */
		0x41, 0x50, 0x41, 0x51,		/* push r8, r9 */
		0x50,				/* push rax (vararg count) */
		0x48, 0x8d, 0x7c, 0x24, 0x40,	/* lea 0x40(%rsp), %rdi */
		0x48, 0x8b, 0x74, 0x24, 0x48,	/* mov 0x48(%rsp), %rsi */
		0x4c, 0x89, 0xda,		/* mov %r11, %rdx */
	};
	static const u8 restore[] = {
		0x58, 0x41, 0x59, 0x41, 0x58,	/* pop rax, r9, r8 */
		0x59, 0x5a, 0x5e, 0x5f,		/* pop rcx, rdx, rsi, rdi */
		0x5d,				/* pop rbp */
	};
	static const u8 call = 0xe8;
	u8 *end = e->pos + KLP_HANDLER_SIZE;

	klp_emit(e, save, sizeof(save));
	klp_emit_rel32(e, &call, 1, klp_trampoline_handler);
	klp_emit(e, restore, sizeof(restore));
	klp_emit_ret(e);
	if (WARN_ON_ONCE(e->pos > end))
		e->fits = false;
}

static int klp_cmp_ops_ip(const void *a, const void *b)
{
	unsigned long x = (*(struct klp_ops **)a)->ip;
	unsigned long y = (*(struct klp_ops **)b)->ip;

	return x < y ? -1 : x > y;
}

#define KLP_TABLE_MAX_BITS	16	/* a table of at most 64 KiB */
#define KLP_BYTE_TABLE_BITS	11	/* a word for each value of a byte */
#define KLP_HEAD_OFFSET		32	/* the trap, then the head */
#define KLP_HEAD_SIZE		32
#define KLP_STUB_SIZE		32
#define KLP_LEAF_SIZE		16	/* a search's head of one word */
#define KLP_ONE_RET_LAST	9	/* its push, then ret $8's last byte */

/*
 * The head lies in the second half of a 64-byte cache line: module memory
 * is page aligned.  ITS's mitigation sends only the returns of the first
 * halves through its thunk, so there the head's return needs none.
 */
static_assert(KLP_HEAD_OFFSET % 64 >= 32 &&
	      KLP_HEAD_OFFSET % 64 + KLP_HEAD_SIZE <= 64);

/**
 * struct klp_index - how the head of a table trampoline finds a call's entry
 * @byte:	0 to 3: the entry is the one of this byte of the return
 *		address; -1: @mask selects it
 * @mask:	the bits of the return address that are the entry's offset
 *		in the table; 0 for a group of one function
 * @search:	neither: the head searches the sorted return addresses, and
 *		the entries are in their order
 * @bits:	the table is 1 << @bits bytes
 * @drop:	the head leaves the return address on the stack, and drops
 *		it with the return (`ret $8`) rather than popping it first
 *		(a search's leaves each decide by their own address)
 */
struct klp_index {
	int byte;
	u32 mask;
	bool search;
	unsigned int bits;
	bool drop;
};

/* Whether bits @lo .. @hi - 1 differ between any two of @keys. */
static bool klp_bits_separate(const unsigned long *keys, unsigned int nr,
			      unsigned int lo, unsigned int hi,
			      unsigned long *seen)
{
	unsigned long values = 1UL << (hi - lo);
	unsigned int i;

	bitmap_zero(seen, values);
	for (i = 0; i < nr; i++)
		if (__test_and_set_bit((keys[i] >> lo) & (values - 1), seen))
			return false;
	return true;
}

/*
 * The head that drops the return address as it returns: a group of one
 * function has one entry; a larger one needs a byte among the low four of
 * the return addresses that differs between all of them, whose value is
 * the index of the entry in a table of 256.
 */
static bool klp_find_byte(const unsigned long *keys, unsigned int nr,
			  unsigned long *seen, struct klp_index *idx)
{
	int byte;

	if (nr == 1) {
		idx->bits = 3;
		return true;
	}
	for (byte = 0; byte < 4; byte++) {
		if (klp_bits_separate(keys, nr, 8 * byte, 8 * byte + 8, seen)) {
			idx->byte = byte;
			idx->bits = KLP_BYTE_TABLE_BITS;
			return true;
		}
	}
	return false;
}

/*
 * The head that pops the return address: the bits of it that tell the
 * group's functions apart with the smallest table, bits lo .. hi - 1, for
 * a table of 1 << hi bytes.  Bits 0 to 2 stay out: entries are aligned
 * words.
 */
static bool klp_find_mask(const unsigned long *keys, unsigned int nr,
			  unsigned long *seen, struct klp_index *idx)
{
	unsigned int lo, hi;

	for (hi = 3; hi <= KLP_TABLE_MAX_BITS; hi++) {
		for (lo = 3; lo <= hi && (1UL << (hi - lo)) >= nr; lo++) {
			if (klp_bits_separate(keys, nr, lo, hi, seen)) {
				idx->mask = hi > lo ? GENMASK(hi - 1, lo) : 0;
				idx->bits = hi;
				return true;
			}
		}
	}
	return false;
}

/*
 * Whether the head's return must go through the return thunk.  Where
 * that depends on the address (ITS: the return's last byte), the head's
 * offset in its page is the address that counts, the whole head lying in
 * one half of a line; klp_emit_head() checks the real one.
 */
static bool klp_head_wants_rethunk(void)
{
	return cpu_wants_rethunk_at((void *)KLP_HEAD_OFFSET);
}

/*
 * Choose how the head finds the entry of a call, the fewer instructions
 * the better.  A return that drops a word cannot go through a return
 * thunk: where the head's return needs one, the head pops.  When no table
 * of up to 1 << KLP_TABLE_MAX_BITS bytes tells the group's functions
 * apart, or there is no memory to find out, the head searches.
 */
static void klp_choose_index(const unsigned long *keys, unsigned int nr,
			     struct klp_index *idx)
{
	unsigned long *seen;

	*idx = (struct klp_index){ .byte = -1, .search = true };
	seen = bitmap_alloc(1U << (KLP_TABLE_MAX_BITS - 3), GFP_KERNEL);
	if (seen) {
		idx->drop = !klp_head_wants_rethunk() &&
			    klp_find_byte(keys, nr, seen, idx);
		idx->search = !idx->drop &&
			      !klp_find_mask(keys, nr, seen, idx);
		bitmap_free(seen);
	}
	if (idx->search)
		idx->bits = order_base_2(nr) + 3;
}

/*
 * Go where the table entry of the call says, in place of the return
 * address that fentry pushed: the target, as if the function had been
 * called there, or the function's stub.  Returning, rather than jumping
 * through the entry, keeps the return stack predictor in step with the
 * stack, and needs no retpoline: the return from the fentry call is the
 * one prediction missed, and every return after it is predicted as
 * without the patch.
 */
static void klp_emit_head(struct klp_emitter *e, const struct klp_index *idx,
			  const unsigned long *table, unsigned int size)
{
	static const u8 pop_r10[] = { 0x41, 0x5a };
	static const u8 and_r10d[] = { 0x41, 0x81, 0xe2 };	/* $imm32 */
	static const u8 push_r10[] = { 0x41, 0xff, 0xb2 };	/* disp32(%r10) */
	static const u8 push_abs[] = { 0xff, 0x34, 0x25 };	/* disp32 */
	/* movzbl disp8(%rsp), %r10d */
	static const u8 load_byte[] = { 0x44, 0x0f, 0xb6, 0x54, 0x24 };
	/* push disp32(, %r10, 8) */
	static const u8 push_index[] = { 0x42, 0xff, 0x34, 0xd5 };
	static const u8 ret_drop[] = { 0xc2, 0x08, 0x00, INT3_INSN_OPCODE };
	u8 *end = e->pos + size;

	if ((long)table != (s32)(long)table)
		e->fits = false;
	if (!idx->drop)
		klp_emit(e, pop_r10, sizeof(pop_r10));
	if (idx->byte >= 0) {
		klp_emit(e, load_byte, sizeof(load_byte));
		*e->pos++ = idx->byte;
		klp_emit(e, push_index, sizeof(push_index));
	} else if (idx->mask) {
		klp_emit(e, and_r10d, sizeof(and_r10d));
		klp_emit_u32(e, idx->mask);
		klp_emit(e, push_r10, sizeof(push_r10));
	} else {
		klp_emit(e, push_abs, sizeof(push_abs));
	}
	klp_emit_u32(e, (u32)(unsigned long)table);
	if (!idx->drop)
		klp_emit_ret(e);
	else if (WARN_ON_ONCE(cpu_wants_rethunk_at(e->pos + 2)))
		e->fits = false;
	else
		klp_emit(e, ret_drop, sizeof(ret_drop));
	if (WARN_ON_ONCE(e->pos > end))
		e->fits = false;
	e->pos = end;
}

/* Bytes of the search head among n keys: n leaves and n - 1 compares. */
static unsigned long klp_search_size(unsigned int n)
{
	return n * KLP_LEAF_SIZE + (n - 1) * (KLP_CMP_SIZE + KLP_JCC_SIZE);
}

/*
 * The search head among the sorted @keys[first .. first + n): below the
 * middle key the left half, else the right half, down to one key, whose
 * leaf is the head of a group of one with the key's entry.  The right half
 * comes first, so that the left is a branch away.  A leaf drops the return
 * address where its return needs no thunk at the place it lands.
 */
static void klp_emit_search(struct klp_emitter *e, const unsigned long *keys,
			    unsigned int first, unsigned int n,
			    const unsigned long *table)
{
	unsigned int left = n / 2;

	if (n == 1) {
		struct klp_index one = {
			.byte = -1,
			.drop = !cpu_wants_rethunk_at(e->pos + KLP_ONE_RET_LAST),
		};

		klp_emit_head(e, &one, &table[first], KLP_LEAF_SIZE);
		return;
	}
	klp_emit_cmp(e, keys[first + left]);
	klp_emit_jcc(e, KLP_CC_BELOW,
		     e->pos + KLP_JCC_SIZE + klp_search_size(n - left));
	klp_emit_search(e, keys, first + left, n - left, table);
	klp_emit_search(e, keys, first, left, table);
}

/*
 * Where the head returns to while a function's calls need the handler: go
 * to the handler's path with the slot in %r11 and, in place of the return
 * address that the head took, the function's.  The handler's path ends in
 * a return: the stub gets there by a call whose return address it
 * overwrites, so that this return, too, consumes the prediction of a call
 * (the stub's) and the predictions after it stay in step with the stack.
 */
static void klp_emit_stub(struct klp_emitter *e, unsigned long key,
			  struct klp_hook_slot *slot, u8 *handler)
{
	static const u8 movabs_r11[] = { 0x49, 0xbb };
	static const u8 call_over_int3[] = { 0xe8, 0x01, 0x00, 0x00, 0x00,
					     INT3_INSN_OPCODE };
	static const u8 store_imm[] = { 0x48, 0xc7, 0x04, 0x24 }; /* to (%rsp) */
	static const u8 jmp = 0xe9;
	u8 *end = e->pos + KLP_STUB_SIZE;

	if ((long)key != (s32)key)
		e->fits = false;
	klp_emit(e, movabs_r11, sizeof(movabs_r11));
	klp_emit_u64(e, (unsigned long)slot);
	klp_emit(e, call_over_int3, sizeof(call_over_int3));
	klp_emit(e, store_imm, sizeof(store_imm));
	klp_emit_u32(e, (u32)key);
	klp_emit_rel32(e, &jmp, 1, handler);
	if (WARN_ON_ONCE(e->pos > end))
		e->fits = false;
	e->pos = end;
}

/* Module memory for @code bytes of code, then @data bytes of data. */
static u8 *klp_alloc_tramp(unsigned long code, unsigned long data)
{
	u8 *tramp = module_alloc(PAGE_ALIGN(code) + data);

	if (tramp)
		memset(tramp, INT3_INSN_OPCODE, PAGE_ALIGN(code));
	return tramp;
}

/* Make the code of @tramp read-only and executable; free it on failure. */
static bool klp_seal_tramp(u8 *tramp, unsigned long code, bool fits)
{
	unsigned int pages = PAGE_ALIGN(code) >> PAGE_SHIFT;

	if (!fits)
		pr_warn_once("a trampoline is out of reach: patched calls keep the handler\n");
	if (fits && !set_memory_ro((unsigned long)tramp, pages) &&
	    !set_memory_x((unsigned long)tramp, pages))
		return true;
	module_memfree(tramp);
	return false;
}

/* The entry of the table that the head selects for @keys[@i]. */
static unsigned long *klp_table_entry(unsigned long *table,
				      const unsigned long *keys, unsigned int i,
				      const struct klp_index *idx)
{
	unsigned long key = keys[i];

	if (idx->search)
		return &table[i];
	if (idx->byte >= 0)
		return &table[(key >> (8 * idx->byte)) & 0xff];
	return &table[(key & idx->mask) / sizeof(*table)];
}

/*
 * A trap, the head, one stub per function, the handler's path, and after
 * the code the writable table, whose entries are the slots' targets or
 * their stubs.  ftrace calls the head, only from the group's locations
 * (anything else would go where the location it resembles goes); the
 * entries that no location selects hold the trap.  Returns the head.
 */
static void *klp_build_table(struct klp_ops **hooks, const unsigned long *keys,
			     unsigned int nr, const struct klp_index *idx)
{
	static const u8 ud2[] = { 0x0f, 0x0b };
	unsigned long code, head_size, *table, i;
	struct klp_emitter e;
	u8 *tramp, *trap, *head, *stubs, *handler;

	head_size = idx->search ? ALIGN(klp_search_size(nr), 16) :
				  KLP_HEAD_SIZE;
	code = KLP_HEAD_OFFSET + head_size + nr * KLP_STUB_SIZE +
	       KLP_HANDLER_SIZE;
	tramp = klp_alloc_tramp(code, 1UL << idx->bits);
	if (!tramp)
		return NULL;
	table = (unsigned long *)(tramp + PAGE_ALIGN(code));
	trap = tramp;
	head = tramp + KLP_HEAD_OFFSET;
	stubs = head + head_size;
	handler = stubs + nr * KLP_STUB_SIZE;

	e = (struct klp_emitter){ .pos = trap, .fits = true };
	klp_emit(&e, ud2, sizeof(ud2));
	e.pos = head;
	if (idx->search) {
		klp_emit_search(&e, keys, 0, nr, table);
		if (WARN_ON_ONCE(e.pos != head + klp_search_size(nr)))
			e.fits = false;
	} else {
		klp_emit_head(&e, idx, table, KLP_HEAD_SIZE);
	}
	e.pos = stubs;
	for (i = 0; i < nr; i++)
		klp_emit_stub(&e, keys[i], hooks[i]->slot, handler);
	klp_emit_handler(&e);

	/* Born unsettled: every function's entry leads to the handler. */
	for (i = 0; i < (1UL << idx->bits) / sizeof(*table); i++)
		table[i] = (unsigned long)trap;
	for (i = 0; i < nr; i++)
		*klp_table_entry(table, keys, i, idx) =
			(unsigned long)(stubs + i * KLP_STUB_SIZE);
	if (!klp_seal_tramp(tramp, code, e.fits))
		return NULL;

	/* Sealed: the slots may lead to the table now. */
	for (i = 0; i < nr; i++) {
		hooks[i]->slot->entry = klp_table_entry(table, keys, i, idx);
		hooks[i]->slot->to_handler = *hooks[i]->slot->entry;
	}
	return head;
}

/**
 * klp_build_trampoline() - make the trampoline of a hook group
 * @hooks: the group's hooks, with their slots; reordered by location.  The
 *	group's ftrace_ops is not registered yet
 * @nr: how many
 *
 * Return: the trampoline, where ftrace is to call it (in the first page
 * of its memory), or NULL when there is none (no memory, an address out
 * of the reach of the code, or code that does not fit): the group then
 * lives without it, always through the handler.
 */
void *klp_build_trampoline(struct klp_ops **hooks, unsigned int nr)
{
	struct klp_index idx;
	unsigned long *keys;
	unsigned int i;
	void *tramp;

	if (WARN_ON_ONCE(!nr))
		return NULL;
	keys = kmalloc_array(nr, sizeof(*keys), GFP_KERNEL);
	if (!keys)
		return NULL;
	sort(hooks, nr, sizeof(*hooks), klp_cmp_ops_ip, NULL);
	for (i = 0; i < nr; i++)
		keys[i] = hooks[i]->ip + MCOUNT_INSN_SIZE;

	klp_choose_index(keys, nr, &idx);
	tramp = klp_build_table(hooks, keys, nr, &idx);
	kfree(keys);
	return tramp;
}

/**
 * klp_free_trampoline() - free a trampoline that no task can be in
 * @tramp: what klp_build_trampoline() returned, or NULL
 */
void klp_free_trampoline(void *tramp)
{
	/* The allocation resets the permissions when it is freed. */
	if (tramp)
		module_memfree(PTR_ALIGN_DOWN(tramp, PAGE_SIZE));
}
