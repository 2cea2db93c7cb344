#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Harness self-test: a kernel WARNING while a test runs must fail it.

modprobe test_lp_harness provoke=warn
rmmod test_lp_harness
