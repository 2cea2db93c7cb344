// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_harness.c - a kernel problem on demand, for the self-tests of
 * the test harness (harness/): the runner must fail the test that loads
 * this module.  The parameter "provoke" picks the problem:
 *   warn   a WARN at init
 *   spin   spin for "seconds" with preemption off, which the RCU stall
 *          and soft lockup detectors report; it starts a grace period
 *          first, since an idle guest may not need one before the spin
 *          ends, and without one in progress there is no stall to see
 *   hang   sleep uninterruptibly for "seconds", which the hung task
 *          detector reports
 * In every case the module loads once the problem is over, so that the
 * test can unload it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/processor.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/string.h>

static char *provoke = "warn";
module_param(provoke, charp, 0444);
MODULE_PARM_DESC(provoke, "warn, spin or hang");

static uint seconds = 10;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "how long spin and hang last");

static void test_lp_harness_spin(void)
{
	unsigned long end = jiffies + seconds * HZ;

	preempt_disable();
	start_poll_synchronize_rcu();
	while (time_before(jiffies, end))
		cpu_relax();
	preempt_enable();
}

static int __init test_lp_harness_init(void)
{
	pr_info("provoking: %s\n", provoke);
	if (!strcmp(provoke, "warn"))
		WARN(1, "a warning on purpose\n");
	else if (!strcmp(provoke, "spin"))
		test_lp_harness_spin();
	else if (!strcmp(provoke, "hang"))
		schedule_timeout_uninterruptible(seconds * HZ);
	else
		return -EINVAL;
	return 0;
}

static void __exit test_lp_harness_exit(void)
{
}

module_init(test_lp_harness_init);
module_exit(test_lp_harness_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftests: kernel problems on demand, for the harness self-tests");
