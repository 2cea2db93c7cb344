#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Harness self-test: a skip that known-skips does not list must fail.

exit 4
