#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Harness self-test: the runner is killed (by the OOM killer, say).  This
# test and the next never report: the host must fail both.

kill -KILL "$VMTEST_RUNNER_PID"
