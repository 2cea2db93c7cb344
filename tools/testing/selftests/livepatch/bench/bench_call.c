// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench_call.c - what a call of a patched function costs.
 *
 *	cat /sys/module/bench_call/parameters/ns_per_call
 *
 * calls bench_call_fn(), a function of one add instruction, "loops" times
 * in a loop and prints the mean time per call in nanoseconds.  Read before
 * bench_call_patch is loaded, after its transition, and during it (hold=1
 * keeps a kthread asleep in bench_call_hold(), which the patch also changes,
 * so the transition stays open until hold=0).
 *
 *	cat /sys/module/bench_call/parameters/ns_per_hop_call
 *
 * runs the same loop through bench_call_hop(), which does what any
 * redirection at a function's fentry call must do at the least: call out
 * to a stub on another page, which drops the return address and jumps to
 * the replacement on a third page.  That is the floor of a patched call.
 */

#include <linux/kthread.h>
#include <linux/linkage.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/objtool.h>
#include <linux/moduleparam.h>
#include <linux/wait.h>
#include "bench_call.h"

static unsigned int loops = 1000000;
module_param(loops, uint, 0644);
MODULE_PARM_DESC(loops, "calls per measurement");

static bool hold;
static DECLARE_WAIT_QUEUE_HEAD(bench_call_wq);
static struct task_struct *bench_call_thread;

__noipa int bench_call_fn(int x)
{
	return x + 1;
}

/*
 * bench_call_hop(x) returns x + 1 the way a settled patched call would at
 * best: its first instruction calls a stub (the fentry call), the stub
 * drops that return address and jumps to bench_call_far(), and that
 * returns to bench_call_hop()'s caller.  The stub and its target each
 * have a page of their own, as a trampoline and a patch module would.
 */
asm(".pushsection .text, \"ax\"\n"
	".globl bench_call_hop\n"
	".type bench_call_hop, @function\n"
	"bench_call_hop:\n\t"
	"call bench_call_stub\n\t"
	ASM_RET		/* never reached: the stub does not come back */
	".size bench_call_hop, . - bench_call_hop\n"
	".popsection\n"
	".pushsection .text.bench_call_stub, \"ax\"\n"
	".balign 4096\n"
	".type bench_call_stub, @function\n"
	"bench_call_stub:\n\t"
	"lea 8(%rsp), %rsp\n\t"
	"jmp bench_call_far\n"
	".size bench_call_stub, . - bench_call_stub\n"
	".popsection\n"
	".pushsection .text.bench_call_far, \"ax\"\n"
	".balign 4096\n"
	".type bench_call_far, @function\n"
	"bench_call_far:\n\t"
	"lea 1(%rdi), %eax\n\t"
	ASM_RET
	".size bench_call_far, . - bench_call_far\n"
	".popsection\n");
STACK_FRAME_NON_STANDARD(bench_call_stub);

/* The kthread waits here while hold is set. */
__noipa void bench_call_hold(void)
{
	wait_event_interruptible(bench_call_wq,
				 !READ_ONCE(hold) || kthread_should_stop());
}

static int bench_call_kthread(void *data)
{
	while (!kthread_should_stop()) {
		wait_event_interruptible(bench_call_wq,
					 READ_ONCE(hold) || kthread_should_stop());
		if (READ_ONCE(hold))
			bench_call_hold();
	}
	return 0;
}

static int bench_call_set_hold(const char *val, const struct kernel_param *kp)
{
	int err = param_set_bool(val, kp);

	wake_up_interruptible(&bench_call_wq);
	return err;
}

static const struct kernel_param_ops bench_call_hold_ops = {
	.set = bench_call_set_hold,
	.get = param_get_bool,
};

module_param_cb(hold, &bench_call_hold_ops, &hold, 0644);
MODULE_PARM_DESC(hold, "1: keep a kthread in bench_call_hold()");

/* Mean ns per call since @start, and the sum (n unless a patch changed it). */
static int bench_call_report(char *buf, u64 start, unsigned int n, int sum)
{
	u64 ps = div_u64((ktime_get_ns() - start) * 1000, n);

	return sysfs_emit(buf, "%llu.%03llu %d\n", div_u64(ps, 1000),
			  ps % 1000, sum);
}

/*
 * Inlined with a constant @fn, so that the loop calls it directly, as a
 * kernel caller would.
 */
static __always_inline int bench_call_loop(char *buf, int (*fn)(int))
{
	unsigned int i, n = max(READ_ONCE(loops), 1U);
	u64 start = ktime_get_ns();
	int sum = 0;

	for (i = 0; i < n; i++)
		sum = fn(sum);
	return bench_call_report(buf, start, n, sum);
}

static int bench_call_measure(char *buf, const struct kernel_param *kp)
{
	return bench_call_loop(buf, bench_call_fn);
}

static int bench_call_measure_hop(char *buf, const struct kernel_param *kp)
{
	return bench_call_loop(buf, bench_call_hop);
}

static const struct kernel_param_ops bench_call_ns_ops = {
	.get = bench_call_measure,
};

static const struct kernel_param_ops bench_call_hop_ops = {
	.get = bench_call_measure_hop,
};

module_param_cb(ns_per_call, &bench_call_ns_ops, NULL, 0444);
MODULE_PARM_DESC(ns_per_call, "run the loop: ns per call, and the sum");
module_param_cb(ns_per_hop_call, &bench_call_hop_ops, NULL, 0444);
MODULE_PARM_DESC(ns_per_hop_call, "the same through bench_call_hop()");

static int __init bench_call_init(void)
{
	bench_call_thread = kthread_run(bench_call_kthread, NULL, "bench_call");
	return PTR_ERR_OR_ZERO(bench_call_thread);
}

static void __exit bench_call_exit(void)
{
	kthread_stop(bench_call_thread);
}

module_init(bench_call_init);
module_exit(bench_call_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("livepatch benchmark: cost of a patched call");
