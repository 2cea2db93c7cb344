#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The function tracer and livepatches on the same function: tracing a
# patched function, and patching a traced one.  The tracer must see the
# calls (of the patched function, and of its replacement in the patch
# module) and the calls must run the patch's code.

. "$(dirname "$0")"/functions.sh

MOD=test_lp_basic
NEW_FUNC=test_lp_basic_cmdline

setup_config
trap 'exit_cleanup $MOD; trace_off' EXIT INT TERM HUP

orig=$(value_of /proc/cmdline)

# traced FUNC... - each FUNC is in the trace buffer
traced()
{
	local func line

	for func in "$@"; do
		while IFS= read -r line; do
			[[ $line == *" $func <-"* ]] && continue 2
		done <"$TRACING/trace"
		fail_case "no call of $func in the trace:"$'\n'"$(value_of "$TRACING/trace")"
	done
}

start_test "tracing a livepatched function and its replacement"
load_lp $MOD
trace_functions cmdline_proc_show $NEW_FUNC
assert_eq "/proc/cmdline" "$MOD: patched" "$(value_of /proc/cmdline)"
traced cmdline_proc_show $NEW_FUNC
trace_off
assert_eq "/proc/cmdline, not traced" "$MOD: patched" "$(value_of /proc/cmdline)"
disable_lp $MOD
unload_lp $MOD
check_result "$(lp_load_log $MOD)
$(unpatching_log $MOD)
% rmmod $MOD"

start_test "livepatching a traced function"
trace_functions cmdline_proc_show
load_lp $MOD
echo >"$TRACING/trace"
assert_eq "/proc/cmdline" "$MOD: patched" "$(value_of /proc/cmdline)"
traced cmdline_proc_show
disable_lp $MOD
echo >"$TRACING/trace"
assert_eq "/proc/cmdline, unpatched" "$orig" "$(value_of /proc/cmdline)"
traced cmdline_proc_show
trace_off
unload_lp $MOD
check_result "$(lp_load_log $MOD)
$(unpatching_log $MOD)
% rmmod $MOD"

exit 0
