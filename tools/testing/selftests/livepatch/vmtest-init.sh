#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# /init of the vmtest.sh guest: mount the usual file systems, run the
# command that vmtest.sh stored in /vmtest-cmd.sh and power off.  The
# command's output is framed by VMTEST-BEGIN / VMTEST-END status=N lines,
# which is how the host finds it and its exit status on the console.

export PATH=/usr/sbin:/usr/bin
export HOME=/root TERM=${TERM:-linux}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /dev/pts /dev/shm
# devtmpfs has no /dev/fd and friends; bash and the kselftest runner use them.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t devpts devpts /dev/pts
hostname vmtest 2>/dev/null || echo vmtest >/proc/sys/kernel/hostname

power_off()
{
	sync
	echo o >/proc/sysrq-trigger
	sleep 10
	# Still here: reboot, which the host's qemu -no-reboot turns into exit.
	echo b >/proc/sysrq-trigger
}

# The kernel configuration vmtest.sh built: default, preempt or debug.
VMTEST_CONFIG=$(cat /vmtest-config 2>/dev/null)
export VMTEST_CONFIG

# kmemleak reports early-boot allocations (ACPI caches...) as leaks: forget
# them before the command runs and judge only what a scan finds afterwards.
KMEMLEAK=/sys/kernel/debug/kmemleak
[[ $VMTEST_CONFIG == debug && -w $KMEMLEAK ]] && echo clear >"$KMEMLEAK"

if [[ -e /vmtest-shell ]]; then
	echo "vmtest: $(nproc) CPUs; livepatch selftests in /selftests; poweroff with 'exit'"
	cd /root || exit
	setsid -c bash -l </dev/ttyS0 >/dev/ttyS0 2>&1
	power_off
fi

# Tests may shorten their loops on the (much slower) debug kernel.
[[ $VMTEST_CONFIG == debug ]] && export VMTEST_DEBUG=1

cd /root || exit
echo; echo VMTEST-BEGIN
# The consistency model must be tested across CPUs: a kernel that came up
# with fewer CPUs than QEMU gave it is a broken set-up, not a pass.
want_cpus=$(cat /vmtest-cpus 2>/dev/null)
if [[ -n $want_cpus && $(nproc) -ne $want_cpus ]]; then
	echo "vmtest: error: the guest has $(nproc) CPUs, QEMU gave it $want_cpus"
	status=1
else
	bash /vmtest-cmd.sh </dev/null 2>&1
	status=$?
fi

# The console only shows errors (loglevel=4): look for warnings, lockdep
# reports and the like in the kernel log.  run-suites.sh does after each
# test; this covers the whole run, what happened between tests included.
# shellcheck source=functions.sh
. /selftests/livepatch/functions.sh
# shellcheck source=faults.sh
. /selftests/livepatch/faults.sh
problems=$(dmesg | kernel_problems)
if [[ -n $problems ]]; then
	echo "vmtest: the kernel log reports problems:"
	echo "$problems" | head -n 40
	[[ $status -eq 0 ]] && status=1
fi

if [[ $VMTEST_CONFIG == debug ]]; then
	# kmemleak turns itself off when it runs out of memory: then no
	# leak would be seen, and that is no pass.
	if ! leaks=$(kmemleak_report) || [[ ! -w $KMEMLEAK ]]; then
		echo "vmtest: kmemleak is off: leaks cannot be checked"
		[[ $status -eq 0 ]] && status=1
	elif [[ -n $leaks ]]; then
		echo "vmtest: kmemleak: unreferenced objects after the command:"
		echo "$leaks" | head -n 80
		[[ $status -eq 0 ]] && status=1
	fi
fi
echo "VMTEST-END status=$status"
power_off
