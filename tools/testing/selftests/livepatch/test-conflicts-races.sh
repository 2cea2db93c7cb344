#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Conflicts meeting transitions and each other.  Only one transition runs at
# a time: a patch that overlaps a patch in transition is refused as busy
# before any conflict check, as in 6.1.  Two conflicting patches loaded at
# once: exactly one wins, the other is refused as a conflict or as busy.

. "$(dirname "$0")"/functions.sh
# shellcheck source=conflicts.sh
. "$(dirname "$0")"/conflicts.sh

# Rounds of the concurrent loads; fewer on the much slower debug kernel.
# "make soak" runs this script with many more.
if [[ -n ${VMTEST_DEBUG:-} ]]; then
	RACE_ROUNDS=${RACE_ROUNDS:-4}
else
	RACE_ROUNDS=${RACE_ROUNDS:-6}
fi

conflicts_setup

# A work item sleeping in test_lp_conflict_target_busy() holds the
# transition of a patch that changes it.  Only one transition runs at a
# time, so a patch that overlaps it is refused as busy, as in 6.1, before
# any conflict check: trying again later may succeed.
start_test "a patch in transition: busy before a conflict"
load_mod $TARGET
log "% echo 1 > $TPARAM/block"
echo 1 >"$TPARAM/block" || fail_case "cannot block in $FUNC_BUSY"
load_lp_nowait $P1 funcs=$FUNC_BUSY,$FUNC_A
let_retries_run
assert_sysfs "$P1/transition" 1
refused_load $P2 $P1 funcs=$FUNC_A
refused_load $P2 $P1 funcs=$FUNC_BUSY
# No overlap, but only one transition at a time.
refused_load $P3 "" funcs=version_proc_show
assert_sysfs "$P1/transition" 1
log "% echo 0 > $TPARAM/block"
echo 0 >"$TPARAM/block" || fail_case "cannot unblock $FUNC_BUSY"
wait_transition $P1
assert_reads "$TPARAM/a" $P1
disable_lp $P1
unload_lp $P1
unload_mod $TARGET
check_result_except "signaling remaining tasks" "% modprobe $TARGET
% echo 1 > $TPARAM/block
% modprobe $P1 funcs=$FUNC_BUSY,$FUNC_A
$(patching_started_log $P1)
% modprobe $P2 funcs=$FUNC_A
$(modprobe_error $P2 'Device or resource busy')
% modprobe $P2 funcs=$FUNC_BUSY
$(modprobe_error $P2 'Device or resource busy')
% modprobe $P3 funcs=version_proc_show
$(modprobe_error $P3 'Device or resource busy')
% echo 0 > $TPARAM/block
$(transition_done_log $P1 patching)
$(unpatching_log $P1)
% rmmod $P1
% rmmod $TARGET"

# Only one transition at a time: during an atomic replace, a patch that
# overlaps the replaced patch or the replace is busy, not a conflict; once
# the replaced patch is gone, its functions are free.
start_test "during an atomic replace's transition: busy; then the replaced patch's functions are free"
load_mod $TARGET
load_lp $P1 funcs=loadavg_proc_show
log "% echo 1 > $TPARAM/block"
echo 1 >"$TPARAM/block" || fail_case "cannot block in $FUNC_BUSY"
load_lp_nowait $P3 replace=1 funcs=$FUNC_BUSY
let_retries_run
assert_sysfs "$P3/transition" 1
assert_sysfs "$P1/enabled" 1
refused_load $P2 $P1 funcs=loadavg_proc_show
refused_load $P2 $P3 funcs=$FUNC_BUSY
log "% echo 0 > $TPARAM/block"
echo 0 >"$TPARAM/block" || fail_case "cannot unblock $FUNC_BUSY"
wait_transition $P3
wait_for "[[ ! -e $KLP_SYSFS/$P1 ]]" || fail_case "$P1 was not replaced"
unload_lp $P1
load_lp $P2 funcs=loadavg_proc_show
assert_reads /proc/loadavg $P2
disable_lp $P2
disable_lp $P3
unload_lp $P2
unload_lp $P3
unload_mod $TARGET
check_result_except "signaling remaining tasks" "% modprobe $TARGET
% modprobe $P1 funcs=loadavg_proc_show
$(patching_log $P1)
% echo 1 > $TPARAM/block
% modprobe $P3 replace=1 funcs=$FUNC_BUSY
$(patching_started_log $P3)
% modprobe $P2 funcs=loadavg_proc_show
$(modprobe_error $P2 'Device or resource busy')
% modprobe $P2 funcs=$FUNC_BUSY
$(modprobe_error $P2 'Device or resource busy')
% echo 0 > $TPARAM/block
$(transition_done_log $P3 patching)
% rmmod $P1
% modprobe $P2 funcs=loadavg_proc_show
$(patching_log $P2)
$(unpatching_log $P2)
$(unpatching_log $P3)
% rmmod $P2
% rmmod $P3
% rmmod $TARGET"


# --- concurrent loads ----------------------------------------------------------------

# loser_refused LOSER OUTPUT WINNER - the loser's modprobe failed as a
# conflict (the winner's transition was over) or as busy (it was not).
loser_refused()
{
	if grep -qF "$(modprobe_error "$1" 'Invalid argument')" "$2"; then
		RACE_CONFLICTS[$3]=$((${RACE_CONFLICTS[$3]:-0} + 1))
	elif ! grep -qF "$(modprobe_error "$1" 'Device or resource busy')" "$2"; then
		fail_case "$1 failed otherwise: $(value_of "$2")"
	fi
}

# race_round FUNCS_OF_P1 FUNCS_OF_P2 - load both at once: exactly one wins.
race_round()
{
	local out1 out2 rc1 rc2 pid1 pid2 winner loser

	out1=$(mktemp) out2=$(mktemp)
	log "% modprobe $P1 funcs=$1 & modprobe $P2 funcs=$2 &"
	modprobe $P1 funcs="$1" >"$out1" 2>&1 &
	pid1=$!
	modprobe $P2 funcs="$2" >"$out2" 2>&1 &
	pid2=$!
	wait $pid1
	rc1=$?
	wait $pid2
	rc2=$?
	if [[ $rc1 -eq 0 && $rc2 -ne 0 ]]; then
		winner=$P1 loser=$P2
		loser_refused $P2 "$out2" $P1
	elif [[ $rc1 -ne 0 && $rc2 -eq 0 ]]; then
		winner=$P2 loser=$P1
		loser_refused $P1 "$out1" $P2
	else
		fail_case "exit codes $rc1 and $rc2: $(cat "$out1" "$out2")"
	fi
	rm -f "$out1" "$out2"
	log "winner: $winner"

	assert_gone $loser
	[[ -d $KLP_SYSFS/$winner ]] || fail_case "$winner has no sysfs directory"
	wait_transition $winner
	assert_sysfs "$winner/enabled" 1
	assert_sysfs "$winner/stack_order" 1
	assert_eq "refcnt of $winner" 1 "$(refcnt $winner)"
	if [[ $1 == version_proc_show ]]; then
		assert_reads /proc/version $winner
	else
		assert_reads "$TPARAM/b" $winner
	fi
	disable_lp $winner
	unload_lp $winner
	RACE_WINS[$winner]=$((${RACE_WINS[$winner]:-0} + 1))
}

start_test "concurrent loads of conflicting patches: exactly one wins"
declare -A RACE_WINS=() RACE_CONFLICTS=()
load_mod $TARGET
for ((round = 0; round < RACE_ROUNDS; round++)); do
	# Same name in vmlinux, and aliases in a module (checked by address).
	if ((round % 2 == 0)); then
		race_round version_proc_show version_proc_show
	else
		race_round $FUNC_B $FUNC_B_ALIAS
	fi
done
unload_mod $TARGET
conflicts=$((${RACE_CONFLICTS[$P1]:-0} + ${RACE_CONFLICTS[$P2]:-0}))
echo -n "($P1 won ${RACE_WINS[$P1]:-0}, $P2 won ${RACE_WINS[$P2]:-0}, $conflicts conflicts) "
assert_eq "conflict refusals" "$conflicts" \
	"$(count_log_lines 'has already been livepatched.')"
assert_eq "refusals naming $P1" "${RACE_CONFLICTS[$P1]:-0}" \
	"$(count_log_lines "is patched by '$P1'")"
assert_eq "refusals naming $P2" "${RACE_CONFLICTS[$P2]:-0}" \
	"$(count_log_lines "is patched by '$P2'")"
assert_eq "patches enabled" "$RACE_ROUNDS" \
	"$(count_log_lines 'livepatch: enabling patch')"
pass_case

exit 0
