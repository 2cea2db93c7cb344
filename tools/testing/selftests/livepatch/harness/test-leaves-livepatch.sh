#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Harness self-test: a livepatch left enabled must fail the test.

modprobe test_lp_basic
