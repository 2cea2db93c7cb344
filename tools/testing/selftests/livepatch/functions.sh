#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# functions.sh - shared helpers of this project's livepatch selftests
#
# A test script sources this file, calls setup_config once, then runs
# cases:
#
#	start_test "what the case checks"
#	load_lp test_lp_basic
#	...
#	check_result "expected kernel log lines"	# or other checks
#
# Every case prints "TEST: ... ok (SECONDS s)" or fails the script through
# die().  The kernel log lines compared by check_result are those of the
# livepatch core ("livepatch: ...") and of our test modules ("test_lp_..."),
# as logged since start_test, read from /dev/kmsg.

# The directory of this file, without a process: on the debug kernel each
# one costs a tenth of a second, and every script sources this file.
_lp_dir=${BASH_SOURCE[0]%/*}
[[ $_lp_dir == "${BASH_SOURCE[0]}" ]] && _lp_dir=.
# shellcheck source=kernel-problems.sh
. "$_lp_dir"/kernel-problems.sh

KLP_SYSFS=/sys/kernel/livepatch
# How long a wait may take before it fails, in seconds: the debug kernel
# is several times slower.
WAIT_LIMIT=60
[[ -n ${VMTEST_DEBUG:-} ]] && WAIT_LIMIT=180
ksft_skip=4

log()
{
	echo "$1" >/dev/kmsg
}

# log_command COMMAND [ARGS...] - log "% COMMAND ARGS", as a transcript
# shows it (without trailing blanks)
log_command()
{
	local line="% $*"

	log "${line%"${line##*[! ]}"}"
}

skip()
{
	log "SKIP: $1"
	echo "SKIP: $1" >&2
	exit $ksft_skip
}

die()
{
	log "ERROR: $1"
	echo "ERROR: $1" >&2
	exit 1
}

require_root()
{
	[[ $EUID -eq 0 ]] || skip "these tests must run as root"
}

# wait_for COMMAND... - run COMMAND until it succeeds (see poll); fail
# after WAIT_LIMIT seconds
wait_for()
{
	poll "$*" "$WAIT_LIMIT"
}

# A file descriptor that never becomes readable: "read -t" on it sleeps
# for a fraction of a second without starting a process.
exec {NAP_FD}<> <(:)

nap()
{
	read -r -t "$1" -u "$NAP_FD"
	return 0
}

# file_is FILE VALUE - FILE's first line is VALUE
# shellcheck disable=SC2317  # called through eval
file_is()
{
	local v

	{ read -r v <"$1"; } 2>/dev/null && [[ $v == "$2" ]]
}

# read_lines_into VAR FILE - what FILE holds, in VAR, read by the shell:
# starting a process takes about 25 ms in the guest, 150 ms on the debug
# kernel, and a command substitution (a fork) a third of that; the tests
# read thousands of files.  Fails when nothing could be read: an empty
# file, or one that could not be opened or read.
read_lines_into()
{
	local -n _lines=$1
	local line any=

	_lines=
	{
		while IFS= read -r line || [[ -n $line ]]; do
			_lines+=${any:+$'\n'}$line
			any=1
		done <"$2"
	} 2>/dev/null
	[[ -n $any ]]
}

# read_into VAR FILE - read_lines_into, or else the error (or nothing) that
# cat gives: read cannot tell an error from the end of the file
read_into()
{
	read_lines_into "$1" "$2" && return 0
	local -n _value=$1
	_value=$(cat "$2" 2>&1)
}

# value_of FILE - what FILE holds, as cat prints it, but read by the shell
value_of()
{
	local v

	if read_lines_into v "$1"; then
		printf '%s\n' "$v"
	else
		cat "$1"
	fi
}

# poll COMMAND SECONDS - run COMMAND until it succeeds; fail after SECONDS
# (a decimal, down to microseconds).  The first retry comes after a
# millisecond, and each pause doubles up to 64 ms: what is quick is seen
# at once, and a long wait does not keep a vCPU busy polling.
poll()
{
	local start now int=${2%.*} frac=000000 limit pause=1 delay

	[[ $2 == *.* ]] && frac=${2#*.}000000
	limit=$((10#${int:-0} * 1000000 + 10#${frac:0:6}))
	start=${EPOCHREALTIME//[!0-9]/}
	until eval "$1"; do
		now=${EPOCHREALTIME//[!0-9]/}
		((now - start > limit)) && return 1
		printf -v delay '0.%03d' "$pause"
		nap "$delay"
		((pause < 64)) && pause=$((pause * 2))
	done
	return 0
}

# expect_kernel_problem ERE - a case is about to provoke a kernel problem
# (a WARNING, say) on purpose: the next problem line that matches ERE is
# not one.  The runner fails the test if no line matches.
expect_kernel_problem()
{
	log "$KERNEL_PROBLEM_MARK$1"
}

# --- the kernel log, record by record ------------------------------------------

KMSG=()
KMSG_FD=

# The directory of this file, and of the static helpers built beside it.
LP_SELFTESTS=${BASH_SOURCE[0]%/*}
[[ $LP_SELFTESTS == "${BASH_SOURCE[0]}" ]] && LP_SELFTESTS=.
[[ $LP_SELFTESTS == /* ]] || LP_SELFTESTS=$PWD/$LP_SELFTESTS
# kmsg_records.c: the shell's read builtin cannot read /dev/kmsg.
KMSG_RECORDS=$LP_SELFTESTS/kmsg_records

# Per descriptor of /dev/kmsg that a kmsg_records server reads: the
# descriptors of its requests, of its replies and of the (deleted) file
# that it writes the records into (kmsg_serve).
declare -A KMSG_REQUESTS=() KMSG_REPLIES=() KMSG_FILES=()

# kmsg_serve FD [LOGVAR] - let one kmsg_records process serve the reads
# of FD, so that read_kmsg and kmsg_skip start none.  The server ends when
# its requests do: once the calling shell, and what it started, have
# exited.  With LOGVAR, also open an empty deleted file for the caller,
# whose descriptor goes into LOGVAR: the same rm removes its name, where a
# file of its own would cost a mktemp and an rm, each a program started
# (0.2 s on the debug kernel).
kmsg_serve()
{
	local base=${TMPDIR:-/tmp}/lp-kmsg.$BASHPID.$1 req reply file opened=

	mkfifo -m 600 "$base.req" "$base.reply" || return 1
	if exec {file}<>"$base.records"; then
		opened=1
		if [[ -n ${2:-} ]]; then
			local -n _serve_log_fd=$2
			exec {_serve_log_fd}<>"$base.log" || opened=
		fi
	fi
	if [[ -n $opened ]]; then
		"$KMSG_RECORDS" --serve 3<&"$1" 4<&"$file" <"$base.req" >"$base.reply" &
		# Not a job that a plain "wait" would wait for.
		disown
		exec {req}>"$base.req" {reply}<"$base.reply"
	fi
	# Whether or not all went well, none of the names is needed any more.
	rm -f "$base.req" "$base.reply" "$base.records" "$base.log"
	[[ -n $opened ]] || return 1
	KMSG_REQUESTS[$1]=$req KMSG_REPLIES[$1]=$reply KMSG_FILES[$1]=$file
}

KMSG_TAG=0

# kmsg_request FD r|s - ask FD's server to read (into its file) or to
# skip; fails if it could not.  The tag tells our reply from one that a
# reader killed while waiting left behind.  One reader at a time.
kmsg_request()
{
	local tag=$BASHPID.$((++KMSG_TAG)) reply

	echo "$2 $tag" >&"${KMSG_REQUESTS[$1]}" || return 1
	while IFS= read -r -u "${KMSG_REPLIES[$1]}" reply; do
		case $reply in
		"-end $tag") return 0 ;;
		"-error $tag") return 1 ;;
		esac
	done
	return 1
}

# kmsg_open [VAR [LOGVAR]] - start reading /dev/kmsg from now on, through
# a descriptor of its own whose number goes into VAR (KMSG_FD by default);
# fails if it cannot.  LOGVAR: see kmsg_serve.
kmsg_open()
{
	local -n kmsg_fd=${1:-KMSG_FD}

	[[ -x $KMSG_RECORDS ]] || { echo "$KMSG_RECORDS is not built" >&2; return 1; }
	exec {kmsg_fd}</dev/kmsg || return 1
	kmsg_serve "$kmsg_fd" "${2:-}" || return 1
	kmsg_skip "$kmsg_fd"
}

# read_kmsg [FD] - the texts of the records logged since the last call, in
# KMSG, with /dev/kmsg's \xNN escapes decoded.  FD is an open /dev/kmsg,
# KMSG_FD by default.  KMSG_LOST is 1 if records were lost (the log buffer
# wrapped since the last call).  Fails if the log could not be read.
# shellcheck disable=SC2034 # KMSG_LOST is for the callers
read_kmsg()
{
	local fd=${1:-$KMSG_FD} recs rec txt

	KMSG=() KMSG_LOST=0
	if [[ -n ${KMSG_REQUESTS[$fd]:-} ]]; then
		if ! kmsg_request "$fd" r; then
			echo "read_kmsg: cannot read the kernel log" >&2
			return 1
		fi
		# A new open of the file, through /proc (bash takes /dev/fd/N
		# for a dup, whose offset the server moved), reads it all.
		mapfile -t recs <"/proc/self/fd/${KMSG_FILES[$fd]}"
	else
		mapfile -t recs < <("$KMSG_RECORDS" <&"$fd")
	fi
	for rec in "${recs[@]}"; do
		if [[ $rec == -lost ]]; then
			KMSG_LOST=1
			continue
		fi
		# Every literal backslash comes as \x5c: %b is exact.
		printf -v txt '%b' "${rec#*;}"
		KMSG+=("$txt")
	done
	return 0
}

# read_kmsg_or_die [FD] - read_kmsg, in a test, where an unreadable log
# ends the script
read_kmsg_or_die()
{
	read_kmsg "$@" || die "cannot read the kernel log"
}

# kmsg_skip FD - move past the records logged so far
kmsg_skip()
{
	if [[ -n ${KMSG_REQUESTS[$1]:-} ]]; then
		kmsg_request "$1" s
	else
		"$KMSG_RECORDS" --skip <&"$1"
	fi
}

# kmsg_problems - the records in KMSG that mean a bug (kernel_problems,
# which KP_UNMET=1 also makes report the expectations that nothing
# matched), in PROBLEMS.  A short log in which neither the pattern nor a
# mark occurs skips the filter: one match over the whole log costs far
# less than a program started.  (The shell's match may go quadratic on a
# long log, and fails with status 2 on a pattern that it cannot take:
# both go through the filter.)
# shellcheck disable=SC2034 # PROBLEMS is for the callers
kmsg_problems()
{
	local IFS=$'\n' all rc

	PROBLEMS=
	((${#KMSG[@]})) || return 0
	if ((${#KMSG[@]} <= 500)); then
		all="${KMSG[*]}"
		[[ $all =~ $KERNEL_PROBLEMS ]]
		rc=$?
		((rc == 1)) && [[ $all != *"$KERNEL_PROBLEM_MARK"* ]] && return 0
	fi
	PROBLEMS=$(printf '%s\n' "${KMSG[@]}" | kernel_problems)
}

# --- teardown ------------------------------------------------------------------

# Background jobs of a test: processes that stop on SIGTERM, and shell loops
# ("while keep_looping; do ...; done") that stop at their next turn, so that
# no signal cuts an operation of theirs in half.
BG_PIDS=()
BG_LOOPS=()
BG_STOP=${TMPDIR:-/tmp}/lp-stop.$$
# A script killed while its loops were stopping left the file behind.
[[ -e $BG_STOP ]] && rm -f "$BG_STOP"

# keep_looping - false once stop_background has asked the loops to stop
keep_looping()
{
	[[ ! -e $BG_STOP ]]
}

# progress_made FILE - a background loop notes that it did real work once
progress_made()
{
	[[ -e $1 ]] || : >"$1"
}

# _all_exist FILE... - every FILE exists
# shellcheck disable=SC2317  # called through eval
_all_exist()
{
	local f

	for f in "$@"; do
		[[ -e $f ]] || return 1
	done
}

# let_loops_run SECONDS FILE... - the background loops run for SECONDS,
# then on until each of them has made its FILE (progress_made), for at most
# WAIT_LIMIT seconds more: a slow machine makes the run longer rather than
# emptier.  Fails, saying which FILE is missing, if one is.
let_loops_run()
{
	local seconds=$1 f

	shift
	sleep "$seconds"
	wait_for "_all_exist $*" && return
	for f in "$@"; do
		[[ -e $f ]] || echo "# no progress in $WAIT_LIMIT s more: ${f##*/}"
	done
	return 1
}

# describe_task PID - one line with PID's name and state, then its kernel
# stack
describe_task()
{
	local comm state

	{ read -r comm <"/proc/$1/comm"; } 2>/dev/null || return 0
	state=$(grep '^State:' "/proc/$1/status" 2>/dev/null)
	echo "#   $1 $comm ${state#State:}"
	sed 's/^/#     /' "/proc/$1/stack" 2>/dev/null
}

# _descendants PID - PID and all its descendants, one a line
_descendants()
{
	local child

	echo "$1"
	for child in $(pgrep -P "$1"); do
		_descendants "$child"
	done
}

# _exited PID... - each child PID of this shell has exited: it is a zombie,
# or gone (the shell reaps its children by itself, and then the number may
# be another process's)
# shellcheck disable=SC2317  # called through eval
_exited()
{
	local pid stat fields

	for pid in "$@"; do
		{ read -r stat <"/proc/$pid/stat"; } 2>/dev/null || continue
		# After the name, which may hold spaces: state, parent.
		read -r -a fields <<<"${stat##*) }"
		[[ ${fields[0]} == Z || ${fields[1]} != "$BASHPID" ]] || return 1
	done
}

# stop_background - stop the background jobs (BG_PIDS, BG_LOOPS) and reap
# them.  A job still there after WAIT_LIMIT seconds (and a margin, for the
# wait_for a loop may be in) is stuck: it is shown with its descendants and
# their kernel stacks and killed, and the function fails; one that even a
# SIGKILL does not end is left to the runner's check for leftovers.
stop_background()
{
	local jobs=("${BG_PIDS[@]}" "${BG_LOOPS[@]}") pid p gone=() stuck=()
	local tree=()

	((${#jobs[@]})) || return 0
	: >"$BG_STOP"
	for pid in "${BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	# Emptied now: a trap that calls this again has nothing to do.
	BG_PIDS=()
	BG_LOOPS=()
	if ! poll "_exited ${jobs[*]}" $((WAIT_LIMIT + 10)); then
		for pid in "${jobs[@]}"; do
			_exited "$pid" || stuck+=("$pid")
		done
		echo "# background jobs did not stop within $((WAIT_LIMIT + 10)) s: ${stuck[*]}"
		for pid in "${stuck[@]}"; do
			mapfile -t tree < <(_descendants "$pid")
			for p in "${tree[@]}"; do
				describe_task "$p"
			done
			kill -KILL "${tree[@]}" 2>/dev/null
		done
		poll "_exited ${stuck[*]}" 5
	fi
	for pid in "${jobs[@]}"; do
		_exited "$pid" && gone+=("$pid")
	done
	((${#gone[@]})) && wait "${gone[@]}" 2>/dev/null
	# A loop that outlived SIGKILL must still find the file if it wakes.
	((${#gone[@]} == ${#jobs[@]})) && rm -f "$BG_STOP"
	((${#stuck[@]} == 0))
}

# teardown_mods MOD... - best effort, for an exit trap: disable those of
# MODs that are enabled livepatches, wait until they are gone, then unload
# every MOD that is loaded, in the order given
teardown_mods()
{
	local m

	# Another patch's transition would refuse the writes.
	wait_for "! grep -qx 1 $KLP_SYSFS/*/transition 2>/dev/null"
	for m in "$@"; do
		[[ -e $KLP_SYSFS/$m ]] && echo 0 2>/dev/null >"$KLP_SYSFS/$m/enabled"
	done
	for m in "$@"; do
		wait_for "[[ ! -e $KLP_SYSFS/$m ]]"
	done
	for m in "$@"; do
		[[ -e /sys/module/$m ]] && fast_rmmod "$m" 2>/dev/null
	done
	return 0
}

# module_pinned MOD - a forced transition keeps MOD loaded until reboot:
# the runner's check for modules left behind lets it stay
module_pinned()
{
	echo "$1" >>/run/vmtest-pinned-modules
}

# exit_cleanup MOD... - the exit trap of a script whose cases clean up
# after themselves: stop its background jobs; if the script failed, let
# test_lp_target's kthread go and tear MODs down (patches first), so that
# the next script starts clean; in any case restore the configuration.
exit_cleanup()
{
	local rc=$?

	stop_background

	if ((rc)); then
		[[ -e /sys/module/test_lp_target ]] &&
			echo 0 >/sys/module/test_lp_target/parameters/hold
		teardown_mods "$@"
	fi
	restore_config
}

# --- ftrace ---------------------------------------------------------------------

TRACING=/sys/kernel/debug/tracing

# trace_functions GLOB... - the function tracer on, for matching functions
trace_functions()
{
	local glob

	echo >"$TRACING/set_ftrace_filter"
	for glob in "$@"; do
		echo "$glob" >>"$TRACING/set_ftrace_filter" ||
			die "cannot trace '$glob'"
	done
	echo function >"$TRACING/current_tracer" || die "no function tracer"
}

# trace_off - the tracer back to nop, with no filter and an empty buffer
trace_off()
{
	echo nop >"$TRACING/current_tracer"
	echo >"$TRACING/set_ftrace_filter"
	echo >"$TRACING/trace"
}

# settle_calls Y|N - whether calls of patched functions skip the handler
# once no transition needs it (patch.c); restored by restore_config.
# Returns 1 on a kernel that always takes the handler.
settle_calls()
{
	[[ -e $SETTLE_PARAM ]] || return 1
	echo "$1" >$SETTLE_PARAM || die "cannot write $1 to $SETTLE_PARAM"
}

# signal_period SECONDS|default - how long a transition waits before it
# signals (user tasks) or wakes (kthreads) the tasks that hold it up;
# "default" puts back the value the script started with, as
# restore_config does.  Returns 1 on a kernel where it is fixed at 15 s.
signal_period()
{
	local period=$1

	[[ -e $SIGNAL_PARAM ]] || return 1
	[[ $period == default ]] && period=$_saved_signal_period
	echo "$period" >$SIGNAL_PARAM ||
		die "cannot write $period to $SIGNAL_PARAM"
}

# ftrace_hook_of FUNC - FUNC's line of enabled_functions, with its
# trampoline ("tramp: ADDR (HANDLER)") when ftrace calls one for it alone
ftrace_hook_of()
{
	local line

	while IFS= read -r line; do
		[[ $line == "$1 "* ]] && echo "$line" && return
	done <"$TRACING/enabled_functions"
}

# ipmodify_hooks - the functions that an ftrace user which changes where
# calls go (a livepatch, in our tests) hooks, one per line
ipmodify_hooks()
{
	grep -E '\([0-9]+\)( R|  ) I' "$TRACING/enabled_functions" |
		cut -d' ' -f1
}

# --- configuration saved and restored around a script -------------------------

_saved_ftrace_enabled=
_saved_dyndbg=
_saved_settle=
_saved_signal_period=

FTRACE_ENABLED=/proc/sys/kernel/ftrace_enabled
DYNDBG_CONTROL=/sys/kernel/debug/dynamic_debug/control
# Missing on a kernel without CONFIG_LIVEPATCH_SETTLED_CALLS.
SETTLE_PARAM=/sys/module/livepatch/parameters/settle
# Missing on 6.1's core.
SIGNAL_PARAM=/sys/module/livepatch/parameters/signal_period

# The core's dynamic debug sites are saved as the commands that restore
# them: "file F line N =FLAGS" for each "F:N [module]function =FLAGS ...".
# The control file is read by mapfile in one pass: a "while read" loop
# took 1.9 s of every script, because after each line read seeks back to
# the line's end, and each seek makes the kernel list the sites again up
# to that offset.
save_config()
{
	local sites site

	read_into _saved_ftrace_enabled $FTRACE_ENABLED
	_saved_settle=
	[[ -e $SETTLE_PARAM ]] && read_into _saved_settle $SETTLE_PARAM
	_saved_signal_period=
	[[ -e $SIGNAL_PARAM ]] &&
		read_into _saved_signal_period $SIGNAL_PARAM
	_saved_dyndbg=
	mapfile -t sites <$DYNDBG_CONTROL
	for site in "${sites[@]}"; do
		[[ $site == kernel/livepatch/* ]] || continue
		[[ $site =~ ^([^:]*):([0-9]+)\ [^\ ]+\ ([^\ ]+) ]] || continue
		_saved_dyndbg+="file ${BASH_REMATCH[1]} line ${BASH_REMATCH[2]}"
		_saved_dyndbg+=" ${BASH_REMATCH[3]}"$'\n'
	done
}

restore_config()
{
	[[ -n $_saved_dyndbg ]] && printf %s "$_saved_dyndbg" >$DYNDBG_CONTROL
	[[ -n $_saved_ftrace_enabled ]] &&
		printf '%s\n' "$_saved_ftrace_enabled" >$FTRACE_ENABLED
	[[ -n $_saved_settle ]] && printf '%s\n' "$_saved_settle" >$SETTLE_PARAM
	[[ -n $_saved_signal_period ]] &&
		printf '%s\n' "$_saved_signal_period" >$SIGNAL_PARAM
}

# Verbose core messages, except the per-task chatter of the retries.
enable_core_debug()
{
	echo 'file kernel/livepatch/* +p' >$DYNDBG_CONTROL
	echo 'func klp_try_switch_task -p' >$DYNDBG_CONTROL
}

setup_config()
{
	require_root
	[[ -d $KLP_SYSFS ]] || skip "no $KLP_SYSFS: kernel without CONFIG_LIVEPATCH"
	save_config
	enable_core_debug
	{ echo 1 >$FTRACE_ENABLED; } 2>/dev/null ||
		skip "cannot set kernel.ftrace_enabled"
	trap restore_config EXIT INT TERM HUP
}

# --- modules -------------------------------------------------------------------

# Loads and removals that must succeed, or whose errors no transcript
# shows, go through busybox's modprobe and rmmod where the system has
# busybox: statically linked, they take 0.1 s a run on the debug kernel
# under TCG against 0.3 s for kmod's, which spend it loading their shared
# libraries.  The kernel sees the same finit_module(2) and delete_module(2)
# calls.  Failures that a transcript shows keep kmod's modprobe and rmmod,
# whose wording admins see and 6.1's suite checks.
if type -P busybox >/dev/null; then
	fast_modprobe() { busybox modprobe "$@"; }
	fast_rmmod() { busybox rmmod "$@"; }
else
	fast_modprobe() { modprobe "$@"; }
	fast_rmmod() { rmmod "$@"; }
fi

# The modules modprobe can load, by name ("-" read as "_", as modprobe
# does), from modules.dep: read once, without starting modprobe for each.
declare -A _installed_mods=() _mod_is_livepatch=()
# 0 once modules.dep is read, 1 if there is none (modprobe is asked)
_installed_mods_status=

_read_installed_mods()
{
	local release dep _deps name

	read_into release /proc/sys/kernel/osrelease
	dep=/lib/modules/$release/modules.dep
	[[ -r $dep ]] || return 1
	while IFS=: read -r name _deps; do
		name=${name##*/}
		name=${name%%.ko*}
		_installed_mods[${name//-/_}]=1
	done <"$dep"
}

module_exists()
{
	if [[ -z $_installed_mods_status ]]; then
		_read_installed_mods
		_installed_mods_status=$?
	fi
	if ((_installed_mods_status)); then
		modprobe --dry-run "$1" >/dev/null 2>&1
		return
	fi
	[[ -n ${_installed_mods[${1//-/_}]:-} ]]
}

# is_livepatch MOD - whether modinfo says MOD is a livepatch module
is_livepatch()
{
	if [[ -z ${_mod_is_livepatch[$1]:-} ]]; then
		[[ $(modinfo -F livepatch "$1" 2>/dev/null) == Y ]]
		_mod_is_livepatch[$1]=$?
	fi
	return "${_mod_is_livepatch[$1]}"
}

require_mod()
{
	module_exists "$1" ||
		skip "module $1 is not installed (build the selftest modules)"
}

_modprobe_logged()
{
	local mod=$1 out; shift

	log_command modprobe "$mod" "$@"
	out=$(fast_modprobe "$mod" "$@" 2>&1)
	[[ -z $out ]] || die "$out"
	wait_for "[[ -e /sys/module/$mod ]]" || die "module $mod did not appear"
}

# load_mod MOD [PARAMS...] - load a module that is not a livepatch
load_mod()
{
	require_mod "$1"
	_modprobe_logged "$@"
	[[ -e $KLP_SYSFS/$1 ]] && die "$1 is a livepatch: use load_lp"
}

# load_lp_nowait MOD [PARAMS...] - load a livepatch, do not wait for the
# transition.  klp_enable_patch() creates the patch's sysfs directory
# before the module's init returns, so it is there when modprobe is done,
# unless MOD is not a livepatch.
load_lp_nowait()
{
	require_mod "$1"
	_modprobe_logged "$@"
	[[ -e $KLP_SYSFS/$1 ]] || die "$1 left no $KLP_SYSFS/$1: use load_mod"
}

# let_retries_run - give a transition that a task holds up a few retries
# of its work (after 4, 8, 16, 32, 64 and 128 ms on a 250 Hz kernel: the
# delay doubles from one jiffy): one that is held must still be held
# afterwards
let_retries_run()
{
	nap 0.3
}

# load_lp MOD [PARAMS...] - load a livepatch and wait for its transition
load_lp()
{
	load_lp_nowait "$@"
	wait_transition "$1"
}

wait_transition()
{
	wait_for "file_is $KLP_SYSFS/$1/transition 0" ||
		die "transition of $1 did not complete"
}

# load_failing_mod MOD [PARAMS...] - loading must fail; logs modprobe's error
load_failing_mod()
{
	local mod=$1 out; shift

	require_mod "$mod"
	log_command modprobe "$mod" "$@"
	out=$(modprobe "$mod" "$@" 2>&1) && die "$mod loaded, but it should fail"
	log "$out"
}

unload_mod()
{
	local mod=$1 out

	wait_for "file_is /sys/module/$mod/refcnt 0" ||
		die "module $mod is still in use"
	log "% rmmod $mod"
	out=$(fast_rmmod "$mod" 2>&1)
	[[ -z $out ]] || die "$out"
	wait_for "[[ ! -e /sys/module/$mod ]]" || die "module $mod did not go"
}

unload_lp()
{
	unload_mod "$1"
}

# settle_lp MOD - whatever happened to livepatch MOD, it ends up gone:
# disabled if it is still enabled, and waited for if it is already on its
# way out
settle_lp()
{
	file_is "$KLP_SYSFS/$1/enabled" 1 && disable_lp "$1"
	wait_for "[[ ! -e $KLP_SYSFS/$1 ]]" || fail_case "$1 did not go"
}

# disable_lp MOD - disable a livepatch and wait until it is gone
disable_lp()
{
	disable_lp_nowait "$1"
	wait_for "[[ ! -e $KLP_SYSFS/$1 ]]" || die "livepatch $1 was not removed"
}

disable_lp_nowait()
{
	log "% echo 0 > $KLP_SYSFS/$1/enabled"
	echo 0 >"$KLP_SYSFS/$1/enabled" || die "cannot disable $1"
}

# --- checking results ------------------------------------------------------------

# target_says F - what test_lp_target's function F returns, as its
# parameter F shows it (the script sets TARGET)
target_says()
{
	value_of "/sys/module/$TARGET/parameters/$1" 2>&1
}

# target_says_into VAR F - target_says F, in VAR
target_says_into()
{
	read_into "$1" "/sys/module/$TARGET/parameters/$2"
}

# param NAME - the value of parameter NAME of the script's target module,
# whose parameter directory the script sets in PARAMS
param()
{
	local v

	# shellcheck disable=SC2153 # the script sets PARAMS
	read -r v <"$PARAMS/$1" || die "cannot read parameter $1"
	echo "$v"
}

# wait_param_grows NAME BY - until parameter NAME (in $PARAMS) has grown by
# more than BY from now; 1 if it does not in time
wait_param_grows()
{
	local n

	n=$(param "$1")
	wait_for "[[ \$(param $1) -gt $((n + $2)) ]]"
}

# assert_target F EXPECTED - F runs EXPECTED's code ("original": none)
assert_target()
{
	local says

	target_says_into says "$1"
	assert_eq "$TARGET's function $1" "$2" "$says"
}

# set_target_hold 1|0 - hold test_lp_target's kthread asleep in
# test_lp_target_sleep(), whichever version of it runs, and wait until it
# is there; or let it go.  The write is logged, as a transcript shows it.
set_target_hold()
{
	local params=/sys/module/test_lp_target/parameters

	log "% echo $1 > $params/hold"
	echo "$1" >"$params/hold" || die "cannot write $1 to $params/hold"
	[[ $1 == 1 ]] || return 0
	wait_for "file_is $params/sleeping Y" ||
		fail_case "the kthread of test_lp_target did not go to sleep"
}

# wait_replaced MOD - the sysfs directory of a replaced patch goes away
wait_replaced()
{
	wait_for "[[ ! -e $KLP_SYSFS/$1 ]]" || fail_case "$1 was not replaced"
}

# lp_load_log MOD [PARAMS...] - the transcript of load_lp MOD PARAMS
lp_load_log()
{
	echo "% modprobe $*"
	patching_log "$1"
}

# patching_started_log PATCH - the kernel log of enabling PATCH, up to the
# start of its transition
patching_started_log()
{
	echo "livepatch: enabling patch '$1'
livepatch: '$1': initializing patching transition
livepatch: '$1': starting patching transition"
}

# unpatching_started_log PATCH - what disable_lp logs for PATCH, and the
# kernel log up to the start of its transition
unpatching_started_log()
{
	echo "% echo 0 > $KLP_SYSFS/$1/enabled
livepatch: '$1': initializing unpatching transition
livepatch: '$1': starting unpatching transition"
}

# transition_done_log PATCH patching|unpatching - the kernel log of the end
# of PATCH's transition
transition_done_log()
{
	echo "livepatch: '$1': completing $2 transition
livepatch: '$1': $2 complete"
}

# patching_log PATCH - the kernel log of enabling PATCH, transition included
patching_log()
{
	patching_started_log "$1"
	transition_done_log "$1" patching
}

# unpatching_log PATCH - what disable_lp logs for PATCH, and the kernel log
# of its transition
unpatching_log()
{
	unpatching_started_log "$1"
	transition_done_log "$1" unpatching
}

TEST_NAME=
CASE_START=
# The kernel log of the current case, kept in a file: case_log runs in
# command substitutions, which share the position in /dev/kmsg but not
# variables with the script.  The case log reads /dev/kmsg through a file
# descriptor of its own: a script may read it through KMSG_FD too.
# The records of the case, in a deleted file (kmsg_serve): written and
# read through /proc/self/fd, which a subshell inherits.
CASE_LOG=
CASE_KMSG_FD=

start_test()
{
	local case_log_fd

	TEST_NAME=$1
	if [[ -z $CASE_KMSG_FD ]]; then
		kmsg_open CASE_KMSG_FD case_log_fd || die "cannot read /dev/kmsg"
		CASE_LOG=/proc/self/fd/$case_log_fd
	fi
	empty_case_log
	CASE_START=$EPOCHREALTIME
	echo -n "TEST: $TEST_NAME ... "
	log "===== TEST: $TEST_NAME ====="
}

# empty_case_log - the case log starts afresh, at the end of the kernel log
empty_case_log()
{
	kmsg_skip "$CASE_KMSG_FD" || die "cannot read the kernel log"
	: >"$CASE_LOG"
}

# restart_case WHY - the case did not get where it meant to (a race went
# the other way): it starts again with an empty log, saying why
restart_case()
{
	echo -n "($1: again) "
	empty_case_log
}

# update_case_log - add the records logged since the last read to the
# case log.  Records lost to a wrapped log buffer are the runner's to
# report.
update_case_log()
{
	# shellcheck disable=SC2034 # read_kmsg sets both
	local KMSG KMSG_LOST

	read_kmsg_or_die "$CASE_KMSG_FD"
	((${#KMSG[@]})) && printf '%s\n' "${KMSG[@]}" >>"$CASE_LOG"
	return 0
}

# case_log - the kernel log records written since start_test, texts only
case_log()
{
	update_case_log
	value_of "$CASE_LOG"
}

# case_log_has TEXT - a kernel log record written since start_test contains
# TEXT
case_log_has()
{
	local line

	update_case_log
	while IFS= read -r line; do
		[[ $line == *"$1"* ]] && return 0
	done <"$CASE_LOG"
	return 1
}

# new_log_lines_into VAR - the kernel log lines written since start_test,
# from the core and our modules, in VAR
new_log_lines_into()
{
	local -n _new=$1
	local line

	update_case_log
	_new=
	while IFS= read -r line; do
		[[ $line == *livepatch:* || $line == *test_lp* ]] || continue
		[[ $line == *"tainting kernel"* || $line == *"taints kernel"* ]] &&
			continue
		_new+=${_new:+$'\n'}$line
	done <"$CASE_LOG"
}

# new_log_lines - print them
new_log_lines()
{
	local lines

	new_log_lines_into lines
	[[ -z $lines ]] || printf '%s\n' "$lines"
}

fail_case()
{
	local line

	echo "not ok"
	while IFS= read -r line; do
		echo "# $line"
	done <<<"$1"
	die "case failed: $TEST_NAME"
}

# pass_case - the case passed; says how long it took
pass_case()
{
	local us=$((${EPOCHREALTIME/./} - ${CASE_START/./}))

	printf 'ok (%d.%02d s)\n' $((us / 1000000)) $((us % 1000000 / 10000))
}

# compare_log EXPECTED GOT - the case passes if the log lines GOT are
# EXPECTED, and fails with their difference otherwise
compare_log()
{
	[[ $2 == "$1" ]] ||
		fail_case "$(diff -u --label expected --label got \
			<(echo "$1") <(echo "$2"))"
	pass_case
}

# check_result EXPECTED - the new log lines must be exactly EXPECTED
check_result()
{
	local expected=$1 got

	new_log_lines_into got
	compare_log "$expected" "$got"
}

# check_result_unordered EXPECTED - check_result for a case whose log lines
# may come in another order, where the kernel's work races the script:
# the same lines, each as often, in any order
check_result_unordered()
{
	local expected got

	expected=$(sort <<<"$1")
	got=$(new_log_lines | sort)
	compare_log "$expected" "$got"
}

# check_log_contains LINE... - each LINE must be among the new log lines
check_log_contains()
{
	local got line

	got=$(new_log_lines)
	for line in "$@"; do
		grep -qxF -- "$line" <<<"$got" ||
			fail_case "missing log line: $line"$'\n'"log was:"$'\n'"$got"
	done
	pass_case
}

# assert_eq WHAT EXPECTED ACTUAL - compare two values within a case
assert_eq()
{
	[[ $2 == "$3" ]] || fail_case "$1: expected '$2', got '$3'"
}

# assert_sysfs REL_PATH EXPECTED - value of $KLP_SYSFS/REL_PATH
assert_sysfs()
{
	local v

	read_into v "$KLP_SYSFS/$1"
	assert_eq "$KLP_SYSFS/$1" "$2" "$v"
}

# assert_settled LP OBJ FUNC 0|1 - whether LP's FUNC in OBJ is settled
# (calls skip the handler), on a kernel with settled calls
assert_settled()
{
	[[ -e $SETTLE_PARAM ]] || return 0
	assert_sysfs "$1/$2/$3,1/settled" "$4"
}

# assert_mode FILE MODE [FILE MODE]... - each FILE, under KLP_SYSFS, has
# MODE as "ls -l" shows it; one stat for them all (0.3 s each on the debug
# kernel)
assert_mode()
{
	local files=() modes=() stat_lines=() line i
	local -A mode_of=()

	(($# % 2)) && die "assert_mode takes FILE MODE pairs: $*"
	while (($# >= 2)); do
		files+=("$KLP_SYSFS/$1")
		modes+=("$2")
		shift 2
	done
	mapfile -t stat_lines < <(stat -c '%A %n' "${files[@]}" 2>/dev/null)
	for line in "${stat_lines[@]}"; do
		mode_of[${line#* }]=${line%% *}
	done
	for i in "${!files[@]}"; do
		assert_eq "mode of ${files[i]}" "${modes[i]}" \
			"${mode_of[${files[i]}]:-(stat failed)}"
	done
}

assert_absent()
{
	[[ ! -e $1 ]] || fail_case "$1 should not exist"
}
