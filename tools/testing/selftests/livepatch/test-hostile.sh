#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Hostile use of the sysfs interface: garbage written to "enabled" and
# "force", writes by a user who is not root, no kernel addresses where a
# user can read them, and concurrent writers toggling and forcing patches
# while other tasks load and unload them.
#
# "enabled" and "force" parse what they get with kstrtobool(), as in 6.1:
# only the first character counts ("1", "y", "t", "on"... or "0", "n", "f",
# "off"...), so "0x1" means 0.  Anything else is refused with EINVAL and
# changes nothing.  sysfs hands the parser the first page of a longer write.
#
# The concurrent part uses test_lp_hostile_p1..p3 and no other test does:
# a forced disable or replace pins the module of the patch whose code
# tasks may still run, until reboot.

# shellcheck disable=SC2317 # the loop bodies run through count_loop
. "$(dirname "$0")"/functions.sh

PATCH=test_lp_mod_a
TARGET=test_lp_target
CTARGET=test_lp_conflict_target
HOSTILE=(test_lp_hostile_p1 test_lp_hostile_p2 test_lp_hostile_p3)
# How long the concurrent writers run, in seconds ("make soak" runs this
# script for longer), and how many random writes each file gets.
DURATION=${DURATION:-2}
[[ -n ${VMTEST_DEBUG:-} ]] && DURATION=${DURATION_DEBUG:-3}
RANDOM_WRITES=${RANDOM_WRITES:-5}

WORK=$(mktemp -d --tmpdir lp-hostile.XXXXXX)
mkdir "$WORK/ran"
WRITE_ERROR=$(mktemp --tmpdir lp-hostile-error.XXXXXX)

# write_result FILE - write stdin to FILE with one write(2) of up to 1 MiB;
# prints "ok" or the error
write_result()
{
	local out

	if out=$(dd of="$1" bs=1M count=1 iflag=fullblock conv=notrunc status=none 2>&1); then
		echo ok
	else
		echo "${out##*: }"
	fi
}

# write_text_into VAR FILE FORMAT - printf FORMAT to FILE, a single
# write(2) for what fits in the shell's buffer, without starting a
# process; VAR is "ok" or the error
write_text_into()
{
	local -n _result=$1
	local err

	# shellcheck disable=SC2059 # the format is the point
	if { printf -- "$3" >"$2"; } 2>"$WRITE_ERROR"; then
		_result=ok
	else
		read -r err <"$WRITE_ERROR"
		_result=${err##*: }
	fi
}

# refused FILE DESCRIPTION EXPECTED_ERROR [FORMAT] - writing what FORMAT
# gives, or else the bytes on stdin, is refused with EXPECTED_ERROR
refused()
{
	local file=$1 what=$2 want=$3 got

	if (($# > 3)); then
		write_text_into got "$file" "$4"
	else
		got=$(write_result "$file")
	fi
	[[ $got == "$want" ]] ||
		fail_case "writing $what to $file: expected '$want', got '$got'"
}

# written FILE FORMAT - writing what FORMAT gives to FILE succeeds
written()
{
	local got

	write_text_into got "$1" "$2"
	assert_eq "writing '$2' to $1" ok "$got"
}

patch_intact()
{
	assert_sysfs "$PATCH/enabled" 1
	assert_sysfs "$PATCH/transition" 0
	assert_target a $PATCH
}

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup()
{
	stop_background
	[[ -e /sys/module/$CTARGET ]] && echo 0 >"/sys/module/$CTARGET/parameters/block"
	teardown_mods "$PATCH" test_lp_mod_b "${HOSTILE[@]}" "$TARGET" "$CTARGET"
	rm -rf "$WORK" "$WRITE_ERROR"
	restore_config
}

setup_config
trap cleanup EXIT INT TERM HUP

# --- garbage ----------------------------------------------------------------------

start_test "garbage written to enabled and force: EINVAL, nothing changes"
load_mod $TARGET
load_lp $PATCH
E=$KLP_SYSFS/$PATCH/enabled
F=$KLP_SYSFS/$PATCH/force
for f in "$E" "$F"; do
	refused "$f" "'2'" "Invalid argument" '2'
	refused "$f" "'-1'" "Invalid argument" '-1'
	refused "$f" "' 1'" "Invalid argument" ' 1'
	refused "$f" "'\\t0'" "Invalid argument" '\t0'
	refused "$f" "a newline" "Invalid argument" '\n'
	refused "$f" "a NUL byte" "Invalid argument" '\0'
	refused "$f" "'o'" "Invalid argument" 'o'
	refused "$f" "'ox'" "Invalid argument" 'ox'
	refused "$f" "'garbage'" "Invalid argument" 'garbage'
	# sysfs passes the first page of a longer write to the parser.
	head -c 4096 /dev/zero | tr '\0' x | refused "$f" "4096 x" "Invalid argument"
	head -c 1048576 /dev/zero | tr '\0' x | refused "$f" "1 MiB of x" "Invalid argument"
	# Random bytes behind a first character that kstrtobool() refuses.
	for ((i = 0; i < RANDOM_WRITES; i++)); do
		{ printf 'x'; head -c $((RANDOM % 300 + 1)) /dev/urandom; } |
			refused "$f" "random bytes #$i" "Invalid argument"
	done
done
# Valid spellings of "1" for an enabled patch: EINVAL, already enabled.
for v in 1 y Y t T on ON 1x yes true; do
	refused "$E" "'$v'" "Invalid argument" "$v"
done
# No transition to force: any "1" is EINVAL; "0" does nothing.
refused "$F" "'on'" "Invalid argument" on
for v in 0 n off; do
	written "$F" "$v"
done
patch_intact
# "0x1" is "0" for kstrtobool(): it disables the patch, as in 6.1.
written "$E" 0x1
wait_for "[[ ! -e $KLP_SYSFS/$PATCH ]]" || fail_case "'0x1' did not disable $PATCH"
assert_target a original
unload_lp $PATCH
pass_case

# --- who may write ------------------------------------------------------------------

start_test "only root may write; anyone may read"
load_lp $PATCH
assert_mode "$PATCH/enabled" -rw-r--r-- \
	"$PATCH/transition" -r--r--r-- \
	"$PATCH/force" --w-------
as_nobody()
{
	setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
}

for f in enabled force; do
	out=$(as_nobody sh -c "echo 0 > $KLP_SYSFS/$PATCH/$f" 2>&1) &&
		fail_case "nobody could write $f"
	[[ $out == *"Permission denied"* ]] ||
		fail_case "nobody writing $f: expected 'Permission denied', got '$out'"
done
out=$(as_nobody cat "$KLP_SYSFS/$PATCH/enabled" "$KLP_SYSFS/$PATCH/transition" 2>&1)
assert_eq "what nobody reads" "1 0" "$(echo "$out" | tr '\n' ' ' | sed 's/ $//')"
patch_intact
pass_case

start_test "no kernel addresses in sysfs or in the core's log lines"
load_lp test_lp_mod_b
addr='(0x)?ffff[0-9a-f]{12}'
leaks=$(find $KLP_SYSFS -type f -perm -0004 -exec grep -EH "$addr" {} + 2>/dev/null)
[[ -z $leaks ]] || fail_case "kernel addresses in sysfs: $leaks"
leaks=$(dmesg | grep 'livepatch:' | grep -E "$addr")
[[ -z $leaks ]] || fail_case "kernel addresses in the log: $leaks"
disable_lp test_lp_mod_b
unload_lp test_lp_mod_b
disable_lp $PATCH
unload_lp $PATCH
unload_mod $TARGET
pass_case

# --- concurrent writers ---------------------------------------------------------------

# Each loop counts what it tried in $WORK/<name>: "attempts successes", and
# makes $WORK/ran/<name> at its first success.
count_loop()
{
	local name=$1 attempts=0 ok=0

	shift
	while keep_looping; do
		attempts=$((attempts + 1))
		"$@" && ok=$((ok + 1)) && progress_made "$WORK/ran/$name"
		nap 0.01
	done
	echo "$attempts $ok" >"$WORK/$name"
}

params_of()
{
	case $1 in
	test_lp_hostile_p1) echo "funcs=version_proc_show,test_lp_conflict_target_a" ;;
	test_lp_hostile_p2) echo "funcs=test_lp_conflict_target_busy" ;;
	test_lp_hostile_p3) echo "funcs=loadavg_proc_show,test_lp_conflict_target_b replace=1" ;;
	esac
}

pick()
{
	echo "${HOSTILE[RANDOM % ${#HOSTILE[@]}]}"
}

# Load a patch that is not loaded, or unload one that is disabled.
load_or_unload()
{
	local m

	m=$(pick)
	if [[ ! -e /sys/module/$m ]]; then
		# shellcheck disable=SC2046 # the parameters are separate words
		fast_modprobe -q "$m" $(params_of "$m") 2>/dev/null
	elif [[ ! -e $KLP_SYSFS/$m ]]; then
		fast_rmmod "$m" 2>/dev/null
	else
		return 1
	fi
}

toggle()
{
	local m

	m=$(pick)
	echo $((RANDOM % 2)) 2>/dev/null >"$KLP_SYSFS/$m/enabled"
}

force()
{
	local m

	nap 1
	m=$(pick)
	echo 1 2>/dev/null >"$KLP_SYSFS/$m/force"
}

read_all()
{
	cat "$KLP_SYSFS"/*/* "$KLP_SYSFS"/*/*/* >/dev/null 2>&1
	return 0
}

start_test "concurrent loads, unloads, toggles and forced transitions for $DURATION s"
for m in "${HOSTILE[@]}"; do
	require_mod "$m"
	[[ -e /sys/module/$m ]] && skip "$m is loaded already: run this test after a reboot"
done
load_mod $CTARGET
# A work item sleeps in test_lp_conflict_target_busy(), which p2 patches:
# p2's transitions, and those that replace p2, wait for "force".
log "% echo 1 > /sys/module/$CTARGET/parameters/block"
echo 1 >/sys/module/$CTARGET/parameters/block
count_loop loader1 load_or_unload & BG_LOOPS+=($!)
count_loop loader2 load_or_unload & BG_LOOPS+=($!)
count_loop toggler1 toggle & BG_LOOPS+=($!)
count_loop toggler2 toggle & BG_LOOPS+=($!)
count_loop forcer force & BG_LOOPS+=($!)
count_loop reader read_all & BG_LOOPS+=($!)
# Forcing works only when a transition waits: the forcer may never succeed.
let_loops_run "$DURATION" "$WORK"/ran/{loader1,loader2,toggler1,toggler2,reader}
stop_background || fail_case "a loop did not stop"
echo 0 >/sys/module/$CTARGET/parameters/block
summary=
for name in loader1 loader2 toggler1 toggler2 forcer reader; do
	read -r attempts ok <"$WORK/$name" || fail_case "$name left no counts"
	summary+="$name $attempts tries, $ok done; "
	# A loop whose every operation failed would hide a core that
	# refuses everything.  Forcing works only when a transition waits.
	[[ $name == forcer ]] && ok=$attempts
	((ok > 0)) || fail_case "$name: none of its $attempts tries worked"
done

# Whatever happened, everything must wind down to a clean state.
wait_for "! grep -qx 1 $KLP_SYSFS/*/transition 2>/dev/null" ||
	fail_case "a transition did not complete"
for m in "${HOSTILE[@]}"; do
	settle_lp "$m"
done
pinned=0
for m in "${HOSTILE[@]}"; do
	[[ -e /sys/module/$m ]] || continue
	if fast_rmmod "$m" 2>/dev/null; then
		continue
	fi
	# Only a patch whose forced transition may have left tasks in its
	# code keeps its module (forcing a patch on does not pin it).
	assert_eq "refcnt of the disabled patch $m" 1 "$(value_of /sys/module/"$m"/refcnt)"
	module_pinned "$m"
	pinned=$((pinned + 1))
done
assert_eq "patches left in $KLP_SYSFS" "" "$(ls $KLP_SYSFS)"
[[ $(value_of /proc/version) == "Linux version "* ]] || fail_case "/proc/version is still patched"
[[ $(value_of /proc/loadavg) =~ ^[0-9.]+\  ]] || fail_case "/proc/loadavg is still patched"
for f in a b; do
	assert_eq "$CTARGET's $f" original "$(value_of /sys/module/$CTARGET/parameters/$f)"
done
unload_mod $CTARGET
pass_case
echo "  ${summary}forced modules pinned: $pinned"

exit 0
