/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_lp_trans.h - shared by the modules of the transition selftests
 * (test-transition.sh): the target test_lp_trans_target and the livepatches
 * test_lp_trans_patch and test_lp_trans_forced.
 *
 * A "gate" is a place where tasks can be made to sleep inside the function
 * that the livepatches replace, test_lp_trans_target_gate().  The original
 * and every replacement pass the gate with test_lp_trans_gate_pass(), which
 * is always inlined: a task waiting at the gate has the (old or new)
 * function itself on its stack, which is what keeps a transition open.
 * The gate's state lives in the target module and reaches the
 * replacements as the function's argument, so the livepatches need no
 * symbol of the target.
 */

#ifndef _TEST_LP_TRANS_H
#define _TEST_LP_TRANS_H

#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/sched.h>
#include <linux/wait.h>

struct test_lp_trans_gate {
	wait_queue_head_t wq;	/* woken when @hold changes */
	bool hold;		/* tasks wait at the gate while set */
	bool wake_leaves;	/* any wake-up ends the wait */
	atomic_t inside;	/* tasks at the gate now */
	int version;		/* version of the code last entered */
};

#define TEST_LP_TRANS_GATE_INIT(name) {				\
	.wq = __WAIT_QUEUE_HEAD_INITIALIZER((name).wq),		\
	.inside = ATOMIC_INIT(0),				\
}

/*
 * One sleep at most: a wake-up that is no signal, such as the livepatch
 * core's nudge of a kthread, ends it too, where wait_event would go back
 * to sleep.
 */
static __always_inline void test_lp_trans_gate_sleep_once(struct test_lp_trans_gate *gate)
{
	DEFINE_WAIT(wait);

	prepare_to_wait(&gate->wq, &wait, TASK_INTERRUPTIBLE);
	if (READ_ONCE(gate->hold))
		schedule();
	finish_wait(&gate->wq, &wait);
}

/*
 * Wait, interruptibly, while the gate holds (or until any wake-up, if
 * @gate->wake_leaves).  Returns @version, the version of the calling code,
 * or -ERESTARTSYS when a signal (a real one or the fake signal of the
 * livepatch core) interrupted the wait.
 */
static __always_inline int test_lp_trans_gate_pass(struct test_lp_trans_gate *gate,
						   int version)
{
	int ret = 0;

	WRITE_ONCE(gate->version, version);
	atomic_inc(&gate->inside);
	if (READ_ONCE(gate->wake_leaves))
		test_lp_trans_gate_sleep_once(gate);
	else
		ret = wait_event_interruptible(gate->wq, !READ_ONCE(gate->hold));
	atomic_dec(&gate->inside);

	return ret ? ret : version;
}

#endif /* _TEST_LP_TRANS_H */
