/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the livepatch selftest modules share about
 * test_lp_target, the module whose functions they patch.
 *
 * test_lp_target shows the result of test_lp_target_a_show() and
 * test_lp_target_b_show() in its read-only parameters "a" and "b", so
 *
 *	cat /sys/module/test_lp_target/parameters/a
 *
 * tells which version of the function runs: "original", or the name of the
 * patch module whose replacement runs.  A kthread of the module waits in
 * test_lp_target_sleep() while the parameter "hold" is 1, which keeps open
 * any transition that changes that function; "sleeping" tells when it is
 * there.
 *
 * A replacement must have the prototype of the function it replaces, so the
 * patch modules take the prototypes and the data layout from here.  They
 * never call into test_lp_target: a patch module must load while the
 * target is absent.
 */

#ifndef _TEST_LP_TARGET_H
#define _TEST_LP_TARGET_H

#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/wait.h>

/* Size of the buffers the show functions write to. */
#define TEST_LP_TARGET_BUF	64

struct test_lp_target_data {
	wait_queue_head_t wq;	/* the kthread waits here */
	bool hold;		/* make the kthread wait in test_lp_target_sleep() */
	bool sleeping;		/* it is in there */
};

/*
 * The functions the selftests patch, defined __noipa: the callers must
 * reach the very symbol that ftrace hooks.
 */
int test_lp_target_a_show(struct test_lp_target_data *data, char *buf);
int test_lp_target_b_show(struct test_lp_target_data *data, char *buf);
void test_lp_target_sleep(struct test_lp_target_data *data);

/*
 * The body of test_lp_target_sleep(), for the original and for the
 * replacements: wait until "hold" goes back to 0 (or the module goes).
 * Spurious wake-ups, such as the livepatch core's nudges of kthreads that
 * block a transition, just lead to another wait.
 */
static inline void test_lp_target_wait(struct test_lp_target_data *data)
{
	WRITE_ONCE(data->sleeping, true);
	wait_event_interruptible(data->wq,
				 !READ_ONCE(data->hold) || kthread_should_stop());
	WRITE_ONCE(data->sleeping, false);
}

#endif /* _TEST_LP_TARGET_H */
