#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# faults.sh - fault injection and kmemleak helpers, for test-faults.sh,
# soak.sh and the guest's /init; sourced after functions.sh

_saved_fault_attrs=()

# set_fault_attr FILE VALUE - set a fault-injection attribute in debugfs,
# remembering its value for restore_fault_attrs
set_fault_attr()
{
	_saved_fault_attrs+=("$1=$(value_of "$1")")
	echo "$2" >"$1"
}

# Newest first: the task filter goes off only once the probability is back
# to what it was, so that no other task sees a fault meanwhile.
restore_fault_attrs()
{
	local a i

	for ((i = ${#_saved_fault_attrs[@]} - 1; i >= 0; i--)); do
		a=${_saved_fault_attrs[i]}
		echo "${a#*=}" >"${a%%=*}"
	done
	_saved_fault_attrs=()
}

# fail_every_allocation VERBOSE - let failslab and fail_page_alloc fail any
# slab or page allocation, not only those that cannot sleep; VERBOSE is
# their "verbose" (2: log each fault with a stack trace)
fail_every_allocation()
{
	local d=/sys/kernel/debug a

	for a in failslab fail_page_alloc; do
		set_fault_attr $d/$a/ignore-gfp-wait N &&
			set_fault_attr $d/$a/verbose "$1" || return 1
	done
	set_fault_attr $d/fail_page_alloc/ignore-gfp-highmem N &&
		set_fault_attr $d/fail_page_alloc/min-order 0
}

# kmemleak_report - what a kmemleak scan finds (nothing without kmemleak);
# fails if kmemleak refuses to scan (it turned itself off).  Two scans: an
# object is reported once it stayed unreferenced across one.
kmemleak_report()
{
	local k=/sys/kernel/debug/kmemleak

	[[ -e $k ]] || return 0
	echo scan 2>/dev/null >$k || return 1
	sleep 5
	echo scan 2>/dev/null >$k || return 1
	cat $k
}
