#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Harness self-test: a test still running after its limit must fail,
# and the run must go on.
# vmtest: timeout 5

sleep 1000
