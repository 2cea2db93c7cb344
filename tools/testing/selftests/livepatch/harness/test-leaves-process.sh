#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Harness self-test: a process the test leaves running must fail it (it
# would act during the next tests).

sleep 1000 >/dev/null 2>&1 &
exit 0
