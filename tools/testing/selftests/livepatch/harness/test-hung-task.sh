#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Harness self-test: a hung task must fail the test.  A shorter threshold
# than the configured 30 s, for time.

hung=/proc/sys/kernel/hung_task_timeout_secs
old=$(cat $hung)
echo 3 >$hung
modprobe test_lp_harness provoke=hang seconds=12
rmmod test_lp_harness
echo "$old" >$hung
