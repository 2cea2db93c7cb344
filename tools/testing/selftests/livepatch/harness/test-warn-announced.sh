#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Harness self-test, the control: a WARNING that the test announces is
# not a problem; this test must pass.

. "$(dirname "$0")"/../functions.sh

expect_kernel_problem 'WARNING: .* test_lp_harness_init'
modprobe test_lp_harness provoke=warn
rmmod test_lp_harness
