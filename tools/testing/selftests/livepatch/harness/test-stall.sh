#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Harness self-test: an RCU stall and a soft lockup must fail the test.
# Shorter thresholds than the defaults (21 s and 20 s), for time.

stall=/sys/module/rcupdate/parameters/rcu_cpu_stall_timeout
old_stall=$(cat $stall) old_thresh=$(cat /proc/sys/kernel/watchdog_thresh)
echo 3 >$stall
echo 2 >/proc/sys/kernel/watchdog_thresh
modprobe test_lp_harness provoke=spin seconds=12
rmmod test_lp_harness
echo "$old_stall" >$stall
echo "$old_thresh" >/proc/sys/kernel/watchdog_thresh
