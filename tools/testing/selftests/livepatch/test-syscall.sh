#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A system call patched while one process per CPU calls it in a loop: the
# processes spend their time entering and leaving the kernel through the
# patched function, and each must still go through the transition, which
# must complete.  test_lp_getpid patches getpid(2) and tells which of the
# watched processes have run its version.
#
# ftrace rewrites the call site of getpid() while the other vCPU runs
# through it: QEMU emulates that correctly only with one thread for all
# vCPUs (check.sh).  With one thread per vCPU the debug guest froze here
# twice, in full runs, without a word from the kernel's detectors, as the
# stress tests did before.
# vmtest: single-threaded TCG
# vmtest: timeout 60

. "$(dirname "$0")"/functions.sh

MOD=test_lp_getpid
LOOP=$(dirname "$(realpath "$0")")/getpid_loop

setup_config
trap 'exit_cleanup $MOD' EXIT INT TERM HUP

[[ -x $LOOP ]] || die "$LOOP is not built"

start_test "getpid() patched while one process per CPU calls it"
for ((i = 0; i < $(nproc); i++)); do
	"$LOOP" &
	BG_PIDS+=("$!")
done
pids=${BG_PIDS[*]}
load_lp $MOD "pids=${pids// /,}"
wait_for "file_is /sys/module/$MOD/parameters/pending 0" ||
	fail_case "$(value_of /sys/module/$MOD/parameters/pending) processes never ran the patched getpid()"
for pid in "${BG_PIDS[@]}"; do
	kill -0 "$pid" 2>/dev/null || fail_case "process $pid is gone"
done
stop_background || fail_case "a caller did not stop"
disable_lp $MOD
unload_lp $MOD
check_result "$(lp_load_log $MOD "pids=${pids// /,}")
$(unpatching_log $MOD)
% rmmod $MOD"

exit 0
