/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_lp_preempt.h - shared by the modules of test-preempt.sh: the target
 * test_lp_preempt_target and the livepatches test_lp_preempt_a (version 1,
 * not cumulative), test_lp_preempt_nop (version 2 of f1 only, so that f3
 * gets a nop) and test_lp_preempt_both (version 2 of both).
 *
 * A task that calls a patched function can be preempted inside the
 * livepatch handler or the ftrace trampoline, after the handler has chosen
 * where the call goes.  The test holds such a task off the CPU while an
 * atomic replace takes over from version 1, and checks that the task is
 * not counted as switched while it still heads into version 1: every run
 * of version 1 reports the caller's patch state, and one seen by a task
 * that the replace has switched already is a mix of versions.
 */

#ifndef _TEST_LP_PREEMPT_H
#define _TEST_LP_PREEMPT_H

#include <linux/livepatch.h>

int test_lp_preempt_f1(void);
int test_lp_preempt_f3(void);

/* Version 1 reports every run of its code here. */
void test_lp_preempt_ran_v1(void);
void test_lp_preempt_replace_starts(void);
void test_lp_preempt_unpatch_starts(void);

/* pre_patch callback of the replaces: the target's "replacing" goes to 1. */
static inline int test_lp_preempt_pre_patch(struct klp_object *obj)
{
	test_lp_preempt_replace_starts();
	return 0;
}

/* pre_unpatch callback of version 1: the target's "unpatching" goes to 1. */
static inline void test_lp_preempt_pre_unpatch(struct klp_object *obj)
{
	test_lp_preempt_unpatch_starts();
}

#endif /* _TEST_LP_PREEMPT_H */
