#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Harness self-test: an ftrace hook left behind must fail the test (the
# function tracer's, as a stand-in for a hook that a livepatch leaked).

. "$(dirname "$0")"/../functions.sh

trace_functions version_proc_show
