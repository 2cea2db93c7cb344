/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_lp_trans_stress.h - shared by test_lp_trans_stress, the target of
 * test-stress.sh, and its livepatch test_lp_trans_stress_patch.
 *
 * The livepatch changes a dependent pair of functions together:
 * test_lp_trans_stress_a() and test_lp_trans_stress_b() both return the
 * version of their code (1 original, 2 patched), and so does their caller
 * test_lp_trans_stress_pair(), which the livepatch replaces too.  The
 * caller returns the three versions packed by TEST_LP_TRANS_STRESS_PACK();
 * the consistency model promises that they are always equal: a task keeps
 * one patch state while the caller is on its stack, so it runs either all
 * old or all new code.
 */

#ifndef _TEST_LP_TRANS_STRESS_H
#define _TEST_LP_TRANS_STRESS_H

#include <linux/delay.h>
#include <linux/sched.h>
#include <linux/types.h>

#define TEST_LP_TRANS_STRESS_PACK(caller, a, b)	\
	(((caller) & 0xff) << 16 | ((a) & 0xff) << 8 | ((b) & 0xff))
#define TEST_LP_TRANS_STRESS_CALLER(v)	(((v) >> 16) & 0xff)
#define TEST_LP_TRANS_STRESS_A(v)	(((v) >> 8) & 0xff)
#define TEST_LP_TRANS_STRESS_B(v)	((v) & 0xff)

/* What the caller does between the two calls. */
enum test_lp_trans_stress_nap {
	TEST_LP_TRANS_STRESS_YIELD,	/* cond_resched() */
	TEST_LP_TRANS_STRESS_SLEEP,	/* sleep for some microseconds */
	TEST_LP_TRANS_STRESS_HOLD,	/* sleep while the target's "hold" is set */
};

int test_lp_trans_stress_a(void);
int test_lp_trans_stress_b(void);
void test_lp_trans_stress_hold_wait(void);

/*
 * Between the two calls: a task asleep or preempted there must not switch,
 * since the caller is on its stack.
 */
static __always_inline void test_lp_trans_stress_nap(enum test_lp_trans_stress_nap nap)
{
	switch (nap) {
	case TEST_LP_TRANS_STRESS_SLEEP:
		usleep_range(20, 50);
		break;
	case TEST_LP_TRANS_STRESS_HOLD:
		test_lp_trans_stress_hold_wait();
		break;
	default:
		cond_resched();
		break;
	}
}

#endif /* _TEST_LP_TRANS_STRESS_H */
