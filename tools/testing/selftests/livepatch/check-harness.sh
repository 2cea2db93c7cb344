#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-harness.sh [CONFIG] - "make check-harness": the test harness fails
# what it must.  Runs the harness suite (harness/: each test breaks one
# rule of run-suites.sh on purpose) through check.sh, exactly as "make
# check" runs the real suites, and checks that the run fails, and that
# each test was failed for its own reason (or, for the control, passed).
# A second boot asks for a test that does not exist: a plan without tests
# must fail too.  CONFIG defaults to debug, the kernel that has kmemleak.
#
# Prints "ok"/"not ok" per expectation, then "N passed, N failed".

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CONFIG=${1:-debug}
passed=0
failed=0
missed=()

ok()
{
	echo "ok: $1"
	passed=$((passed + 1))
}

not_ok()
{
	echo "not ok: $1"
	failed=$((failed + 1))
	missed+=("$1")
}

# expect OUT ERE WHAT - a line of OUT matches ERE
expect()
{
	if grep -qE -- "$2" "$1"; then ok "$3"; else not_ok "$3"; fi
}

# failed_for OUT TEST ERE - the TAP result of harness/TEST is a failure
# whose reason matches ERE
failed_for()
{
	expect "$1" "^not ok [0-9]+ harness/$2 # .*$3" "$2 fails: $3"
}

out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "# ===== the harness suite (CONFIG=$CONFIG) ====="
"$SCRIPT_DIR/check.sh" "$CONFIG" harness 2>&1 | tee "$out"
if [[ ${PIPESTATUS[0]} -ne 0 ]]; then
	ok "the run fails"
else
	not_ok "the run fails"
fi

failed_for "$out" test-unlisted-skip.sh "skipped, but not listed in known-skips"
failed_for "$out" test-hangs.sh "TIMEOUT after [0-9]+ s"
failed_for "$out" test-warn.sh "kernel problems"
expect "$out" "^ok [0-9]+ harness/test-warn-announced.sh$" \
	"test-warn-announced.sh passes: its WARNING was announced"
failed_for "$out" test-warn-unannounced.sh "kernel problems"
expect "$out" "^#   expected kernel problem did not occur: " \
	"an announced problem that did not occur is reported"
failed_for "$out" test-warn-bad-announce.sh "kernel problems"
expect "$out" "^#   kernel-problems: the log filter failed" \
	"a broken announcement makes the filter fail closed"
failed_for "$out" test-leaves-process.sh "left processes running: [0-9]+"
failed_for "$out" test-stall.sh "kernel problems"
expect "$out" "^#   .*rcu: INFO: rcu_.*detected stall" "the RCU stall is reported"
expect "$out" "^#   .*BUG: soft lockup" "the soft lockup is reported"
failed_for "$out" test-hung-task.sh "kernel problems"
expect "$out" "^#   .*INFO: task modprobe:[0-9]+ blocked for more than" \
	"the hung task is reported"
failed_for "$out" test-leaves-module.sh "left things behind"
expect "$out" "^#   module test_lp_target$" "the module left loaded is named"
failed_for "$out" test-leaves-livepatch.sh "left things behind"
expect "$out" "^#   livepatch test_lp_basic$" "the livepatch left enabled is named"
failed_for "$out" test-leaves-ftrace-hook.sh "left things behind"
expect "$out" "^#   ftrace hook: version_proc_show" "the ftrace hook left behind is named"
if [[ $CONFIG == debug ]]; then
	failed_for "$out" test-kmemleak-off.sh "kernel problems"
	expect "$out" "^vmtest: kmemleak is off" "kmemleak switched off fails the run"
fi
for t in test-y-kills-runner.sh test-z-after-runner.sh; do
	expect "$out" "^FAIL  harness/$t: reported 0 times, planned once" \
		"$t, never reported, fails"
done

echo "# ===== a plan without tests (CONFIG=$CONFIG) ====="
"$SCRIPT_DIR/check.sh" "$CONFIG" ours:test-no-such-test.sh 2>&1 | tee "$out"
if [[ ${PIPESTATUS[0]} -ne 0 ]]; then
	ok "a run without tests fails"
else
	not_ok "a run without tests fails"
fi
expect "$out" "^Bail out! no test of 'ours:test-no-such-test.sh' can run" \
	"the runner says why"

# Repeated last: CI logs may keep only their tail.
for m in "${missed[@]}"; do
	echo "not ok: $m"
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
