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
#include <linux/wait.h>

struct test_lp_trans_gate {
	wait_queue_head_t wq;	/* woken when @hold changes */
	bool hold;		/* tasks wait at the gate while set */
	atomic_t inside;	/* tasks at the gate now */
	int version;		/* version of the code last entered */
};

#define TEST_LP_TRANS_GATE_INIT(name) {				\
	.wq = __WAIT_QUEUE_HEAD_INITIALIZER((name).wq),		\
	.inside = ATOMIC_INIT(0),				\
}

/*
 * Wait, interruptibly, while the gate holds.  Returns @version, the
 * version of the calling code, or -ERESTARTSYS when a signal (a real one or
 * the fake signal of the livepatch core) interrupted the wait.
 */
static __always_inline int test_lp_trans_gate_pass(struct test_lp_trans_gate *gate,
						   int version)
{
	int ret;

	WRITE_ONCE(gate->version, version);
	atomic_inc(&gate->inside);
	ret = wait_event_interruptible(gate->wq, !READ_ONCE(gate->hold));
	atomic_dec(&gate->inside);

	return ret ? ret : version;
}

#endif /* _TEST_LP_TRANS_H */
