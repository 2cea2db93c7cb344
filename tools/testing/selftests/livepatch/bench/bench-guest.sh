#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench-guest.sh - the livepatch benchmarks, run inside the vmtest.sh guest
# with the modules of gen-modules.py installed.  Prints one line per sample:
#
#	BENCH <metric> <value>
#
# which bench.sh collects from both kernels (ours and upstream 6.1's core)
# and reduces to medians.  Times are taken with bash's $EPOCHREALTIME and
# sysfs is polled without forking, so that the shell's own cost stays far
# below what is measured.
#
# Environment: BENCH_REPEAT (default 3) repetitions of each measurement,
# BENCH_ONLY a space-separated list of the benchmarks to run (call sizes
# independent tasks shadow), BENCH_MAX_FUNCS the largest patch size.

KLP=/sys/kernel/livepatch
REPEAT=${BENCH_REPEAT:-3}
ONLY=${BENCH_ONLY:-call sizes independent tasks shadow}
MAX_FUNCS=${BENCH_MAX_FUNCS:-1000}

# nap and file_is
# shellcheck source=../functions.sh
. "$(dirname "$0")"/../functions.sh

die()
{
	echo "bench: error: $*" >&2
	exit 1
}

# Microseconds since the epoch, into the variable named $1.
now_us()
{
	printf -v "$1" '%s' "${EPOCHREALTIME/./}"
}

# wait_value FILE VALUE [TIMEOUT_S] - until FILE reads VALUE.
wait_value()
{
	local end=$((SECONDS + ${3:-600}))

	while ((SECONDS < end)); do
		file_is "$1" "$2" && return 0
		nap 0.001
	done
	die "$1 did not become $2"
}

wait_gone()
{
	local end=$((SECONDS + ${2:-600}))

	while ((SECONDS < end)); do
		[[ -e $1 ]] || return 0
		nap 0.001
	done
	die "$1 did not go away"
}

result()
{
	echo "BENCH $1 $2"
}

# Seconds, with microseconds, between two now_us readings.
elapsed()
{
	local us=$(($2 - $1))

	printf '%d.%06d' $((us / 1000000)) $((us % 1000000))
}

load()
{
	modprobe "$@" || die "modprobe $* failed"
}

# enable_timed PATCH [PARAMS...] - load a patch; TIMED is set to the
# seconds from the modprobe to the end of its transition.
TIMED=
enable_timed()
{
	local t0 t1

	now_us t0
	load "$@"
	wait_value "$KLP/$1/transition" 0
	now_us t1
	TIMED=$(elapsed "$t0" "$t1")
}

# disable_timed PATCH - TIMED is set to the seconds from "echo 0 > enabled"
# to its sysfs directory going away; then the module is unloaded.
disable_timed()
{
	local t0 t1

	now_us t0
	echo 0 >"$KLP/$1/enabled" || die "cannot disable $1"
	wait_gone "$KLP/$1"
	now_us t1
	rmmod "$1" || die "rmmod $1 failed"
	TIMED=$(elapsed "$t0" "$t1")
}

# log_span PATCH VERB - LOGGED is set to the seconds between the last
# "'PATCH': starting VERB transition" line of the kernel log and the
# "'PATCH': VERB complete" after it: the transition alone, without the
# module load or the sysfs teardown around it.  Both cores log these lines.
# Fails, with a note, when the log has no such pair with timestamps.
LOGGED=
log_span()
{
	local re="^\[ *([0-9]+)\.([0-9]{6})\](\[[^]]*\])? livepatch: '$1': (.*)$"
	local line t start='' end=''

	while IFS= read -r line; do
		[[ $line =~ $re ]] || continue
		t=$((10#${BASH_REMATCH[1]} * 1000000 + 10#${BASH_REMATCH[2]}))
		case ${BASH_REMATCH[4]} in
		"starting $2 transition") start=$t end='' ;;
		"$2 complete") end=$t ;;
		esac
	done < <(dmesg)
	if [[ -z $start || -z $end ]]; then
		echo "bench: no timed $2 transition of $1 in the kernel log" >&2
		return 1
	fi
	LOGGED=$(elapsed "$start" "$end")
}

slab_kb()
{
	awk '$1 == "Slab:" { print $2 }' /proc/meminfo
}

# 1. The cost of a call: unpatched, through one hop out and back (the
# floor of any redirection), patched (in a patch of two functions, and of
# one), and while in transition.
bench_call()
{
	local p=/sys/module/bench_call/parameters i ns

	load bench_call
	for ((i = 0; i < REPEAT; i++)); do
		read -r ns _ <"$p/ns_per_call"
		result call_unpatched_ns "$ns"
		read -r ns _ <"$p/ns_per_hop_call"
		result call_hop_ns "$ns"
		# A kthread asleep in bench_call_hold() keeps the transition open.
		echo 1 >"$p/hold"
		nap 0.2
		load bench_call_patch
		wait_value "$KLP/bench_call_patch/transition" 1
		read -r ns _ <"$p/ns_per_call"
		[[ $(<"$KLP/bench_call_patch/transition") == 1 ]] &&
			result call_transition_ns "$ns"
		echo 0 >"$p/hold"
		wait_value "$KLP/bench_call_patch/transition" 0
		read -r ns _ <"$p/ns_per_call"
		result call_patched_ns "$ns"
		# Ours settles the patched call; this is its handler, as during
		# a transition but without looking at task states.
		if settle_calls 0; then
			read -r ns _ <"$p/ns_per_call"
			result call_handler_ns "$ns"
			settle_calls 1
		fi
		# The function tracer on the patched function too.
		trace_functions bench_call_fn
		read -r ns _ <"$p/ns_per_call"
		result call_traced_ns "$ns"
		trace_off
		disable_timed bench_call_patch
		# The patch of bench_call_fn() alone: a hook group of one.
		load bench_call_patch alone=1
		wait_value "$KLP/bench_call_patch/transition" 0
		read -r ns _ <"$p/ns_per_call"
		result call_alone_ns "$ns"
		disable_timed bench_call_patch
	done
	rmmod bench_call
}

# 1b. The same for a patch whose functions no table of a trampoline tells
# apart (ours: the search head): 64 functions, called in turn.  The sum
# shows which version ran: 1 per call unpatched, 2 patched.
bench_scatter()
{
	local p=/sys/module/bench_scatter/parameters i ns sum calls

	load bench_scatter
	file_is "$p/layout" ok || die "bench_scatter's layout: $(<"$p/layout")"
	calls=$(($(<"$p/loops") * 64))
	for ((i = 0; i < REPEAT; i++)); do
		read -r ns sum <"$p/ns_per_call"
		((sum == calls)) || die "bench_scatter: sum $sum unpatched"
		result call_scatter_unpatched_ns "$ns"
		load bench_scatter_patch
		wait_value "$KLP/bench_scatter_patch/transition" 0
		read -r ns sum <"$p/ns_per_call"
		((sum == 2 * calls)) || die "bench_scatter: sum $sum patched"
		result call_scatter_patched_ns "$ns"
		disable_timed bench_scatter_patch
	done
	rmmod bench_scatter
}

# 2. Enabling and disabling patches of 1 to 1000 functions, and the slab
# memory each patched function takes.
bench_sizes()
{
	local n i s0 s1

	load bench_funcs
	for n in 1 10 100 1000; do
		((n <= MAX_FUNCS)) || continue
		for ((i = 0; i < REPEAT; i++)); do
			s0=$(slab_kb)
			enable_timed "bench_size_$n"
			result "enable_${n}_s" "$TIMED"
			s1=$(slab_kb)
			((n == 1000)) &&
				result slab_per_func_b $(((s1 - s0) * 1024 / n))
			disable_timed "bench_size_$n"
			result "disable_${n}_s" "$TIMED"
		done
	done
	rmmod bench_funcs
}

# 3. Enabling one more patch of 20 functions when K independent ones are
# enabled already.
bench_independent()
{
	local k i

	load bench_funcs
	for ((i = 0; i < REPEAT; i++)); do
		for ((k = 0; k <= 50; k++)); do
			enable_timed "bench_ind_$k"
			result "enable_with_${k}_s" "$TIMED"
		done
		for ((k = 50; k >= 0; k--)); do
			disable_timed "bench_ind_$k"
		done
	done
	rmmod bench_funcs
}

# 4. Transitions while many tasks call the patched function: T kthreads
# and T/10 user tasks.
bench_tasks()
{
	local t i u pids

	for t in 100 1000; do
		load bench_tasks threads=$t
		pids=()
		for ((u = 0; u < t / 10; u++)); do
			bash -c 'while :; do read -r _ </sys/module/bench_tasks/parameters/poke; done' &
			pids+=($!)
		done
		nap 2
		for ((i = 0; i < REPEAT; i++)); do
			enable_timed bench_tasks_patch
			result "transition_${t}_tasks_s" "$TIMED"
			log_span bench_tasks_patch patching &&
				result "patching_${t}_tasks_s" "$LOGGED"
			disable_timed bench_tasks_patch
			result "untransition_${t}_tasks_s" "$TIMED"
			log_span bench_tasks_patch unpatching &&
				result "unpatching_${t}_tasks_s" "$LOGGED"
		done
		kill "${pids[@]}"
		wait "${pids[@]}" 2>/dev/null
		rmmod bench_tasks
	done
}

# 5. Shadow variables: filling a table from none and freeing it all with
# klp_shadow_free_all(); in between, get, alloc and free with the table
# full (1e3 to 1e6 live variables).
bench_shadow()
{
	local p=/sys/module/bench_shadow/parameters live i ns get alloc free chase

	load bench_shadow
	for live in 1000 100000 1000000; do
		for ((i = 0; i < REPEAT; i++)); do
			echo "$live" >"$p/fill" ||
				die "cannot make $live shadow variables"
			read -r ns <"$p/fill"
			result "shadow_fill_${live}_ns" "$ns"
			# Measure the steady state: let deferred work that the
			# fill left behind (a table resize, RCU freeing) finish
			# first.
			nap 1
			read -r get alloc free chase <"$p/ns_per_op" ||
				die "shadow measurement failed"
			result "shadow_get_${live}_ns" "$get"
			result "shadow_alloc_${live}_ns" "$alloc"
			result "shadow_free_${live}_ns" "$free"
			result "shadow_chase_${live}_ns" "$chase"
			nap 1
			echo 1 >"$p/free_all" || die "free_all failed"
			read -r ns <"$p/free_all"
			result "shadow_free_all_${live}_ns" "$ns"
			nap 1
		done
	done
	rmmod bench_shadow
}

[[ -d $KLP ]] || die "no $KLP"
echo "BENCH-KERNEL $(uname -r) $(nproc) CPUs"
for b in $ONLY; do
	case $b in
	call) bench_call && bench_scatter ;;
	sizes) bench_sizes ;;
	independent) bench_independent ;;
	tasks) bench_tasks ;;
	shadow) bench_shadow ;;
	*) die "unknown benchmark '$b'" ;;
	esac
done
echo "BENCH-DONE"
