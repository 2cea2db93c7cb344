// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_trans_target.c - target of the transition selftests.  Tasks pass
 * through test_lp_trans_target_gate(), the function the livepatches
 * test_lp_trans_patch and test_lp_trans_forced replace, and can be held
 * asleep inside it to keep a transition from completing:
 *
 *  - a kthread, "test_lp_trans_kt", enters the gate whenever the
 *    parameter kthread_hold is set and leaves it when it is cleared, or,
 *    with kthread_wake_leaves set, when anything wakes it: it then clears
 *    kthread_hold itself and waits outside the gate;
 *  - a read() of /proc/test_lp_trans_target passes the gate, waiting while
 *    the parameter read_hold is set, then returns "version N": N is the
 *    version of the code that let it through (1 here, the livepatches
 *    have their own).  A signal interrupts the wait and restarts the call.
 *
 * Read-only parameters: kthread_pid; kthread_inside and read_inside, the
 * number of tasks at each gate now; kthread_version and read_version, the
 * version of the code each gate was last entered through (0: never).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include "test_lp_trans.h"

#define TEST_LP_TRANS_TARGET_VERSION	1

static struct test_lp_trans_gate kt_gate = TEST_LP_TRANS_GATE_INIT(kt_gate);
static struct test_lp_trans_gate read_gate = TEST_LP_TRANS_GATE_INIT(read_gate);

static struct task_struct *test_lp_trans_kthread;
static struct proc_dir_entry *test_lp_trans_proc;
static int kthread_pid;
module_param(kthread_pid, int, 0444);
MODULE_PARM_DESC(kthread_pid, "pid of the kthread test_lp_trans_kt");

/* The function the livepatches replace.  Keep it a real, traced call. */
static noinline __noipa int test_lp_trans_target_gate(struct test_lp_trans_gate *gate)
{
	return test_lp_trans_gate_pass(gate, TEST_LP_TRANS_TARGET_VERSION);
}

/* --- parameters that look at and steer the gates ------------------------- */

static int test_lp_trans_hold_set(const char *val, const struct kernel_param *kp)
{
	struct test_lp_trans_gate *gate = kp->arg;
	bool hold;
	int err;

	err = kstrtobool(val, &hold);
	if (err)
		return err;
	WRITE_ONCE(gate->hold, hold);
	wake_up_all(&gate->wq);
	return 0;
}

static int test_lp_trans_hold_get(char *buf, const struct kernel_param *kp)
{
	const struct test_lp_trans_gate *gate = kp->arg;

	return scnprintf(buf, PAGE_SIZE, "%d\n", READ_ONCE(gate->hold));
}

static const struct kernel_param_ops test_lp_trans_hold_ops = {
	.set = test_lp_trans_hold_set,
	.get = test_lp_trans_hold_get,
};

static int test_lp_trans_ro_set(const char *val, const struct kernel_param *kp)
{
	return -EPERM;
}

static int test_lp_trans_inside_get(char *buf, const struct kernel_param *kp)
{
	const struct test_lp_trans_gate *gate = kp->arg;

	return scnprintf(buf, PAGE_SIZE, "%d\n", atomic_read(&gate->inside));
}

static const struct kernel_param_ops test_lp_trans_inside_ops = {
	.set = test_lp_trans_ro_set,
	.get = test_lp_trans_inside_get,
};

static int test_lp_trans_version_get(char *buf, const struct kernel_param *kp)
{
	const struct test_lp_trans_gate *gate = kp->arg;

	return scnprintf(buf, PAGE_SIZE, "%d\n", READ_ONCE(gate->version));
}

static const struct kernel_param_ops test_lp_trans_version_ops = {
	.set = test_lp_trans_ro_set,
	.get = test_lp_trans_version_get,
};

module_param_cb(kthread_hold, &test_lp_trans_hold_ops, &kt_gate, 0644);
MODULE_PARM_DESC(kthread_hold, "hold the kthread in the gate while set");
module_param_cb(kthread_inside, &test_lp_trans_inside_ops, &kt_gate, 0444);
MODULE_PARM_DESC(kthread_inside, "1 while the kthread is in the gate");
module_param_named(kthread_wake_leaves, kt_gate.wake_leaves, bool, 0644);
MODULE_PARM_DESC(kthread_wake_leaves, "any wake-up makes the kthread leave the gate");
module_param_cb(kthread_version, &test_lp_trans_version_ops, &kt_gate, 0444);
MODULE_PARM_DESC(kthread_version, "version of the gate the kthread last entered");

module_param_cb(read_hold, &test_lp_trans_hold_ops, &read_gate, 0644);
MODULE_PARM_DESC(read_hold, "hold readers in the gate while set");
module_param_cb(read_inside, &test_lp_trans_inside_ops, &read_gate, 0444);
MODULE_PARM_DESC(read_inside, "number of readers in the gate");
module_param_cb(read_version, &test_lp_trans_version_ops, &read_gate, 0444);
MODULE_PARM_DESC(read_version, "version of the gate a reader last entered");

/* --- the kthread ----------------------------------------------------------- */

static int test_lp_trans_kthread_fn(void *data)
{
	while (!kthread_should_stop()) {
		/* Asleep here, outside the gate, the kthread can switch. */
		wait_event_interruptible(kt_gate.wq, READ_ONCE(kt_gate.hold) ||
					 kthread_should_stop());
		if (READ_ONCE(kt_gate.hold) && !kthread_should_stop())
			test_lp_trans_target_gate(&kt_gate);
		/* Woken up in the gate while it holds: stop holding. */
		if (READ_ONCE(kt_gate.wake_leaves))
			WRITE_ONCE(kt_gate.hold, false);
	}
	return 0;
}

/* --- /proc/test_lp_trans_target ---------------------------------------------- */

static ssize_t test_lp_trans_proc_read(struct file *file, char __user *ubuf,
				       size_t count, loff_t *ppos)
{
	char buf[32];
	int ret, len;

	if (*ppos)
		return 0;
	ret = test_lp_trans_target_gate(&read_gate);
	if (ret < 0)
		return ret;
	len = scnprintf(buf, sizeof(buf), "version %d\n", ret);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct proc_ops test_lp_trans_proc_ops = {
	.proc_read = test_lp_trans_proc_read,
	.proc_lseek = default_llseek,
};

/* --- module ---------------------------------------------------------------- */

static void test_lp_trans_release_gates(void)
{
	WRITE_ONCE(kt_gate.hold, false);
	wake_up_all(&kt_gate.wq);
	WRITE_ONCE(read_gate.hold, false);
	wake_up_all(&read_gate.wq);
}

static int __init test_lp_trans_target_init(void)
{
	test_lp_trans_proc = proc_create(KBUILD_MODNAME, 0444, NULL,
					 &test_lp_trans_proc_ops);
	if (!test_lp_trans_proc)
		return -ENOMEM;

	test_lp_trans_kthread = kthread_run(test_lp_trans_kthread_fn, NULL,
					    "test_lp_trans_kt");
	if (IS_ERR(test_lp_trans_kthread)) {
		proc_remove(test_lp_trans_proc);
		return PTR_ERR(test_lp_trans_kthread);
	}
	kthread_pid = task_pid_nr(test_lp_trans_kthread);
	return 0;
}

static void __exit test_lp_trans_target_exit(void)
{
	/* Readers at the gate must be gone before the file can go. */
	test_lp_trans_release_gates();
	proc_remove(test_lp_trans_proc);
	kthread_stop(test_lp_trans_kthread);
}

module_init(test_lp_trans_target_init);
module_exit(test_lp_trans_target_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch selftest: target whose tasks sleep in a patched function");
