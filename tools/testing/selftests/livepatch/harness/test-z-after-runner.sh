#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Harness self-test: planned after the runner dies, so never run.

exit 0
