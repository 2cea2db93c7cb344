#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench.sh - "make bench": run the livepatch benchmarks on our core and on
# upstream 6.1's core, built from the same tree with the same config and
# booted with the same QEMU settings, and print one table side by side.
#
# Usage: bench.sh [-b]      -b: only generate and build the modules (CI)
#
# Environment: BUILD_DIR (default ./build); BENCH_REPEAT, BENCH_ONLY and
# BENCH_MAX_FUNCS are passed to bench-guest.sh; BENCH_CORES (default
# "ours upstream"); BENCH_ROUNDS (default 1) boots of each core, taken in
# turn (ours, upstream, ours...), whose samples are pooled: the emulation
# speed swings from boot to boot, so that ratios of calls need several
# (BENCH_ONLY=call BENCH_ROUNDS=4, say).  Results go to BUILD_DIR/bench.
# With VMTEST_ICOUNT=0 (vmtest.sh), the guests' clocks count instructions,
# one per ns, on one vCPU: every row then reads as instructions, the same
# from boot to boot, which settles which core runs more of them where the
# emulation's noise hides a few percent (the shadow rows, say); memory
# costs nothing there, so time is still what the plain run measures.
# BENCH_CONFIG (default "default") is vmtest.sh's -c: "preempt" measures
# the kernel with retpolines and ITS's return thunk (config.mitigations).

set -o pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/../../../../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO_DIR/build}
mkdir -p "$BUILD_DIR"
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
export BUILD_DIR
VMTEST=$SCRIPT_DIR/../vmtest.sh
MODULES=$BUILD_DIR/bench-modules
OUT=$BUILD_DIR/bench

msg() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

python3 "$SCRIPT_DIR/gen-modules.py" "$MODULES" ||
	die "cannot generate the benchmark modules"

if [[ ${1:-} == -b ]]; then
	# Build them against the default kernel, as the benchmark would.
	"$VMTEST" -b -m "$MODULES" || die "building the benchmark modules failed"
	msg "benchmark modules built: $(find "$BUILD_DIR/user-modules-default/$(basename "$MODULES")" -name '*.ko' | wc -l)"
	exit 0
fi

# Charts need matplotlib for the system's python3.
PYTHON=/usr/bin/python3
if ! "$PYTHON" -c 'import matplotlib' 2>/dev/null; then
	if [[ $(id -u) -eq 0 && -z ${VMTEST_NO_INSTALL:-} ]]; then
		msg "installing python3-matplotlib for the charts"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends python3-matplotlib >/dev/null 2>&1 ||
			msg "could not install python3-matplotlib: no charts"
	fi
fi

mkdir -p "$OUT"
guest_env=(env BENCH_REPEAT="${BENCH_REPEAT:-3}")
[[ -n ${BENCH_MAX_FUNCS:-} ]] && guest_env+=(BENCH_MAX_FUNCS="$BENCH_MAX_FUNCS")

# The busy-task benchmark rewrites a call site while threads run through
# it: single-threaded TCG, where QEMU emulates that correctly (check.sh).
# The others run under the default multi-threaded TCG.
only=${BENCH_ONLY:-call sizes independent tasks shadow}
multi_only=$(tr ' ' '\n' <<<"$only" | grep -vx tasks | tr '\n' ' ')
single_only=$(tr ' ' '\n' <<<"$only" | grep -x tasks)

# run_boot CORE THREAD ONLY - one guest; appends to the core's raw log
run_boot()
{
	local core=$1 thread=$2 flags=() rc done_before

	done_before=$(grep -c '^BENCH-DONE' "$OUT/raw-$core.txt")
	flags=(-c "${BENCH_CONFIG:-default}")
	[[ $core == upstream ]] && flags+=(-u)
	VMTEST_TCG_THREAD=$thread VMTEST_TIMEOUT=${VMTEST_TIMEOUT:-7200} \
		"$VMTEST" "${flags[@]}" -m "$MODULES" -- "${guest_env[@]}" \
		BENCH_ONLY="$3" /selftests/livepatch/bench/bench-guest.sh |
		tee -a "$OUT/raw-$core.txt" | grep --line-buffered -v '^BENCH ' >&2
	rc=${PIPESTATUS[0]}
	[[ $(grep -c '^BENCH-DONE' "$OUT/raw-$core.txt") -gt $done_before ]] ||
		die "the benchmarks did not finish on the $core core (thread=$thread, exit $rc)"
}

rounds=${BENCH_ROUNDS:-1}
for core in ${BENCH_CORES:-ours upstream}; do
	: >"$OUT/raw-$core.txt"
done
for ((round = 1; round <= rounds; round++)); do
	for core in ${BENCH_CORES:-ours upstream}; do
		msg "round $round/$rounds on the $core core (log: $OUT/raw-$core.txt)"
		start=$(date +%s)
		[[ -n ${multi_only// /} ]] && run_boot "$core" multi "$multi_only"
		[[ -n $single_only ]] && run_boot "$core" single "$single_only"
		msg "$core core: $(( $(date +%s) - start )) s"
	done
done

{
	[[ -n ${VMTEST_ICOUNT:-} ]] &&
		echo "VMTEST_ICOUNT=$VMTEST_ICOUNT: the guests counted instructions, $((1 << VMTEST_ICOUNT)) ns each"
	"$PYTHON" "$SCRIPT_DIR/report.py" "$OUT"
} | tee "$OUT/table.txt"
