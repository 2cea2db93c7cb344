#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Harness self-test: an announcement whose regular expression is broken
# must not make the log filter fail open: the WARNING still fails the test.

. "$(dirname "$0")"/../functions.sh

expect_kernel_problem 'WARNING: (test_lp_harness'
modprobe test_lp_harness provoke=warn
rmmod test_lp_harness
