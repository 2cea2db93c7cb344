#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Harness self-test: an announced problem that does not occur must fail
# the test, as must a second one beyond the one announced.

. "$(dirname "$0")"/../functions.sh

expect_kernel_problem 'WARNING: .* no_such_function'
modprobe test_lp_harness provoke=warn
rmmod test_lp_harness
