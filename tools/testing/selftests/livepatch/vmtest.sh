#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# vmtest.sh - build a kernel carrying this livepatch core and run a command
# in it under QEMU.
#
# The kernel source is Debian's linux-source-6.1 tarball, extracted once into
# BUILD_DIR.  Before every build the livepatch paths of this repository are
# laid over it (upstream's files under them are deleted first), so the
# kernel under test never contains upstream's livepatch core.  With -u the
# pristine upstream files are laid back instead, which gives a reference
# kernel for comparisons.
#
# The guest userspace is an initramfs made of the host's own binaries.  Its
# init runs the requested command on the serial console and powers the
# machine off; this script exits with the command's exit status.

set -o pipefail

usage()
{
	cat <<EOF
Usage: $0 [options] [-- command [args...]]

Build what is stale, boot the kernel under QEMU and run the command in the
guest as root (default: an interactive shell when stdin is a terminal,
otherwise "uname -a; nproc").

Options:
  -c CONFIG   kernel variant: default (PREEMPT_NONE), preempt (Debian's
              preemption model, booted with preempt=full) or debug (preempt
              plus KASAN, lockdep, kmemleak...)
  -u          build the pristine upstream livepatch core instead of ours
  -m DIR      build the out-of-tree module(s) in DIR against the kernel and
              put them in the guest (under /lib/modules/\$(uname -r)/extra);
              may be given several times
  -b          only build, do not boot
  -s          interactive shell on the serial console (Ctrl-A X quits)
  -h          this help

Environment:
  BUILD_DIR        where the tree, builds and logs go (default: ./build)
  VMTEST_TIMEOUT   hard limit for the guest in seconds (default: 1800,
                   4200 for the debug kernel)
  VMTEST_CPUS      vCPUs (default: 2)    VMTEST_MEM  memory (default: 1G)
  VMTEST_KVM=1     use KVM instead of TCG (guests hang under KVM on some hosts)
  VMTEST_TCG_THREAD=single  one host thread for all vCPUs (default: multi, one
                   per vCPU); multi-threaded TCG mishandles code that one vCPU
                   rewrites while another runs through it: tests that
                   rewrite code under load run with single
  VMTEST_ICOUNT=N  the guest's clocks count executed instructions, 2^N ns
                   each, instead of following the host's (QEMU -icount,
                   single-threaded TCG): timings become instruction counts,
                   the same on every run; one vCPU unless VMTEST_CPUS says
                   otherwise (with two, QEMU 7.2 here did not get through
                   bringing up the second)
  VMTEST_CPU       QEMU's -cpu (default: max,-hypervisor: without the
                   hypervisor bit, the guest's spinlocks are queued and
                   fair, as on bare metal and on KVM with paravirtual
                   spinlocks; with it, and no paravirtual spinlocks, they
                   are test-and-set locks, under which a lock break hands
                   the lock to no one, and tests never see what
                   production's locks allow)
  VMTEST_APPEND    extra kernel command line
  VMTEST_NO_INSTALL=1  never call apt-get; fail on missing tools instead
EOF
}

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/../../../.." && pwd)
TARBALL=${VMTEST_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
BUILD_DIR=${BUILD_DIR:-$REPO_DIR/build}
VARIANT=default
[[ -n ${VMTEST_ICOUNT:-} ]] && : "${VMTEST_CPUS:=1}"
UPSTREAM=0
BUILD_ONLY=0
SHELL_MODE=0
USER_MODULE_DIRS=()

# The kernel-tree paths this project owns.  Keep in sync with make-patch.sh.
OVERLAY_PATHS=(
	kernel/livepatch
	include/linux/livepatch.h
	Documentation/livepatch
	Documentation/ABI/testing/sysfs-kernel-livepatch
	samples/livepatch
	tools/testing/selftests/livepatch
)

msg()  { printf 'vmtest: %s\n' "$*" >&2; }
die()  { printf 'vmtest: error: %s\n' "$*" >&2; exit 1; }

# Show the end of a log after a failure, so the reason is on the screen.
die_with_log()
{
	local log=$1; shift

	printf 'vmtest: error: %s\n' "$*" >&2
	if [[ -f $log ]]; then
		printf 'vmtest: last lines of %s:\n' "$log" >&2
		tail -n 40 "$log" | sed 's/^/  | /' >&2
	fi
	exit 1
}

# --- host set-up ------------------------------------------------------------

# command -> Debian package that provides it
declare -A PKG_OF=(
	[gcc]=gcc [make]=make [flex]=flex [bison]=bison [bc]=bc
	[cpio]=cpio [depmod]=kmod [modprobe]=kmod [sysctl]=procps
	[qemu-system-x86_64]=qemu-system-x86 [rsync]=rsync [xz]=xz-utils
	[perl]=perl [bash]=bash [awk]=gawk [dmesg]=util-linux
	[diff]=diffutils [stat]=coreutils [pahole]=dwarves
	[python3]=python3
)

ensure_host_tools()
{
	local missing=() cmd

	for cmd in "${!PKG_OF[@]}"; do
		command -v "$cmd" >/dev/null 2>&1 || missing+=("${PKG_OF[$cmd]}")
	done
	[[ -f $TARBALL ]] || missing+=(linux-source-6.1)
	[[ -f /usr/include/libelf.h ]] || missing+=(libelf-dev)
	[[ -f /usr/include/openssl/ssl.h ]] || missing+=(libssl-dev)
	[[ ${#missing[@]} -eq 0 ]] && return 0

	mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
	if [[ -n ${VMTEST_NO_INSTALL:-} ]]; then
		die "missing packages: ${missing[*]} (VMTEST_NO_INSTALL is set)"
	fi
	[[ $(id -u) -eq 0 ]] ||
		die "missing packages: ${missing[*]}; install them as root"
	msg "installing ${missing[*]}"
	local log=$BUILD_DIR/apt.log
	mkdir -p "$BUILD_DIR"
	{ apt-get update &&
	  DEBIAN_FRONTEND=noninteractive apt-get install -y \
		--no-install-recommends "${missing[@]}"; } >"$log" 2>&1 ||
		die_with_log "$log" "apt-get could not install: ${missing[*]}"
	[[ -f $TARBALL ]] || die "$TARBALL is still missing after installing linux-source-6.1"
}

# --- kernel tree ------------------------------------------------------------

SRC_DIR=$BUILD_DIR/linux
PRISTINE_DIR=$BUILD_DIR/upstream

# Extract the tarball into SRC_DIR, again only when the tarball changed.
# The upstream versions of our paths are kept aside in PRISTINE_DIR: they are
# the reference core (-u) and the compatibility test suite.
prepare_tree()
{
	local stamp want

	want=$(stat -c '%s %Y' "$TARBALL")
	stamp=$BUILD_DIR/.tarball-stamp
	if [[ -f $SRC_DIR/Makefile && -f $stamp && $(cat "$stamp") == "$want" ]]; then
		return 0
	fi
	msg "extracting $TARBALL into $SRC_DIR"
	rm -rf "$SRC_DIR" "$PRISTINE_DIR" "$BUILD_DIR"/kbuild-*
	mkdir -p "$SRC_DIR" "$PRISTINE_DIR"
	tar -xf "$TARBALL" -C "$SRC_DIR" --strip-components=1 ||
		die "cannot extract $TARBALL"
	local p
	for p in "${OVERLAY_PATHS[@]}"; do
		mkdir -p "$PRISTINE_DIR/$(dirname "$p")"
		cp -a "$SRC_DIR/$p" "$PRISTINE_DIR/$p"
	done
	echo "$want" >"$stamp"
}

# sync_path SRC DST [all] - make DST hold exactly what SRC holds.  Files
# whose content is unchanged keep their time stamps, so make rebuilds only
# what really changed; copied files get the current time, never an older
# one.  Build products in DST are kept, unless "all" is given.
sync_path()
{
	local src=$1 dst=$2

	if [[ -d $src ]]; then
		[[ -d $dst ]] || rm -f "$dst"
		mkdir -p "$dst"
		rsync -r --checksum --delete ${3:+--delete-excluded} \
			--exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
			--exclude='*.mod*' "$src/" "$dst/"
	elif [[ -f $src ]]; then
		[[ -d $dst ]] && rm -rf "$dst"
		cmp -s "$src" "$dst" || cp "$src" "$dst"
	else
		rm -rf "$dst"
	fi
}

overlay_tree()
{
	local from=$REPO_DIR p

	[[ $UPSTREAM -eq 1 ]] && from=$PRISTINE_DIR
	for p in "${OVERLAY_PATHS[@]}"; do
		# Nothing is built in the tree (O=): no object file to keep.
		sync_path "$from/$p" "$SRC_DIR/$p" all
	done
}

# --- kernel build -----------------------------------------------------------

config_fragments()
{
	printf '%s\n' "$SCRIPT_DIR/config.vm" "$SCRIPT_DIR/config"
	[[ $VARIANT != default ]] && printf '%s\n' "$SCRIPT_DIR/config.preempt"
	[[ $VARIANT == debug ]] && printf '%s\n' "$SCRIPT_DIR/config.debug"
	[[ $VARIANT == preempt ]] && printf '%s\n' "$SCRIPT_DIR/config.mitigations"
}

# tinyconfig + our fragments; redone only when a fragment changes.  Every
# option a fragment sets must survive olddefconfig, or the build would test
# something other than what the fragments promise.
configure_kernel()
{
	local stamp=$KBUILD_DIR/.fragments-stamp want frag
	mapfile -t frags < <(config_fragments)
	want=$(cat "${frags[@]}" | sha256sum | cut -d' ' -f1)
	if [[ -f $KBUILD_DIR/.config && -f $stamp && $(cat "$stamp") == "$want" ]]; then
		return 0
	fi
	msg "configuring $KBUILD_DIR (tinyconfig + ${frags[*]##*/})"
	mkdir -p "$KBUILD_DIR"
	local log=$KBUILD_DIR/config.log
	{ make -C "$SRC_DIR" O="$KBUILD_DIR" tinyconfig &&
	  "$SRC_DIR"/scripts/kconfig/merge_config.sh -m -O "$KBUILD_DIR" \
		"$KBUILD_DIR/.config" "${frags[@]}" &&
	  make -C "$SRC_DIR" O="$KBUILD_DIR" olddefconfig; } >"$log" 2>&1 ||
		die_with_log "$log" "kernel configuration failed"

	local line bad=()
	for frag in "${frags[@]}"; do
		while read -r line; do
			case $line in
			CONFIG_*=n)
				grep -q "^${line%=n}=" "$KBUILD_DIR/.config" && bad+=("$line")
				;;
			CONFIG_*=*)
				grep -qx -- "$line" "$KBUILD_DIR/.config" || bad+=("$line")
				;;
			esac
		done <"$frag"
	done
	[[ ${#bad[@]} -eq 0 ]] ||
		die "options dropped by olddefconfig (missing dependency?): ${bad[*]}"
	echo "$want" >"$stamp"
}

build_kernel()
{
	local log=$KBUILD_DIR/build.log jobs

	jobs=$(( $(nproc) + 1 ))
	msg "building kernel in $KBUILD_DIR (log: $log)"
	make -C "$SRC_DIR" O="$KBUILD_DIR" -j"$jobs" bzImage modules >"$log" 2>&1 ||
		die_with_log "$log" "kernel build failed"
	grep -E '(warning|error):' "$log" | grep -E 'livepatch' >&2
	rm -rf "$MODINST_DIR"
	make -C "$SRC_DIR" O="$KBUILD_DIR" INSTALL_MOD_PATH="$MODINST_DIR" \
		modules_install >>"$log" 2>&1 ||
		die_with_log "$log" "modules_install failed"
	KREL=$(cat "$KBUILD_DIR/include/config/kernel.release")
}

# Build an external module directory against the kernel and install it
# under /lib/modules/<release>/<subdir> (default: extra).
build_external()
{
	local dir=$1 subdir=${2:-extra} log=$KBUILD_DIR/external.log

	make -C "$KBUILD_DIR" M="$dir" modules >>"$log" 2>&1 ||
		die_with_log "$log" "building the modules in $dir failed"
	# Placeholders for symbols reached through livepatch relocations.
	find "$dir" -maxdepth 1 -name '*.ko' -exec python3 \
		"$SCRIPT_DIR/klp-convert.py" {} + >>"$log" 2>&1 ||
		die_with_log "$log" "klp-convert.py failed on the modules in $dir"
	make -C "$KBUILD_DIR" M="$dir" INSTALL_MOD_PATH="$MODINST_DIR" \
		INSTALL_MOD_DIR="$subdir" modules_install >>"$log" 2>&1 ||
		die_with_log "$log" "installing the modules of $dir failed"
}

# Our selftest modules (not for a "-u" kernel: they use what our core
# adds, replace_set for one); upstream's samples, unmodified, as external
# modules (the compatibility tests insmod them by path, since our samples
# have the same names); and the user's modules (-m).
build_test_modules()
{
	local d copy

	: >"$KBUILD_DIR/external.log"
	# Built from copies, one per kernel, since kbuild does not rebuild
	# objects of another kernel's configuration when that configuration
	# is older than they are.
	if [[ $UPSTREAM -eq 0 ]]; then
		copy=$BUILD_DIR/test-modules-$VARIANT_NAME
		sync_path "$SCRIPT_DIR/test_modules" "$copy"
		build_external "$copy"
	fi
	copy=$BUILD_DIR/upstream-samples-$VARIANT_NAME
	sync_path "$PRISTINE_DIR/samples/livepatch" "$copy"
	build_external "$copy" extra/upstream-samples
	for d in "${USER_MODULE_DIRS[@]}"; do
		copy=$BUILD_DIR/user-modules-$VARIANT_NAME/$(basename "$d")
		sync_path "$d" "$copy"
		build_external "$copy"
	done
	# Same-named modules: the kernel's own (kernel/) win over extra/.
	echo "search built-in updates extra" >"$KBUILD_DIR/depmod.conf"
	depmod -a -C "$KBUILD_DIR/depmod.conf" -b "$MODINST_DIR" "$KREL" ||
		die "depmod failed for $MODINST_DIR"
}

# --- guest userspace --------------------------------------------------------

GUEST_TOOLS=(
	bash sh cat ls cp mv rm mkdir rmdir ln chmod chown touch stat mktemp mkfifo
	head tail cut tr sort uniq wc comm diff cmp tee sleep timeout date
	env id whoami basename dirname readlink realpath seq yes true false
	test expr printf echo kill nproc uname tac od dd sync nohup
	grep egrep sed awk gawk mawk find xargs
	modprobe insmod rmmod lsmod modinfo depmod kmod
	ps pgrep pkill sysctl free top watch
	dmesg mount umount setsid su runuser setpriv taskset flock nsenter
	sha256sum md5sum base64 stdbuf getconf less
)

# The tools that the suites run hundreds of times, as busybox's applets:
# on the debug kernel a dynamically linked program takes 200 to 500 ms to
# start under TCG (gawk 526, GNU sed 382, grep 280, cat 216), the static
# busybox 85 to 90 ms.  Their output never reaches a transcript but as
# the text they select.
GUEST_BUSYBOX_TOOLS=(
	cat grep egrep fgrep sed awk rm mktemp dirname basename sleep head
	tail tr wc id uname sync mkfifo sort uniq mkdir touch
)

copy_with_libs()
{
	local root=$1 bin=$2 lib

	[[ -e $root$bin ]] && return 0
	mkdir -p "$root$(dirname "$bin")"
	cp -L "$bin" "$root$bin"
	while read -r lib; do
		[[ -e $root$lib ]] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done < <(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*')
}

make_initramfs()
{
	local root=$BUILD_DIR/initramfs-$VARIANT_NAME tool path
	INITRAMFS=$BUILD_DIR/initramfs-$VARIANT_NAME.cpio

	rm -rf "$root"
	mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib,usr/lib64,proc,sys,dev,tmp,run,root,etc,mnt}
	ln -s usr/bin "$root/bin"
	ln -s usr/sbin "$root/sbin"
	ln -s usr/lib "$root/lib"
	ln -s usr/lib64 "$root/lib64"
	for tool in "${GUEST_TOOLS[@]}"; do
		path=$(type -P "$tool") || continue
		path=$(readlink -f "$path")
		copy_with_libs "$root" "$path"
		# Keep the usual names (/bin/sh, /usr/bin/awk...) pointing at it.
		local name=/usr/bin/$tool
		[[ $path == */sbin/* ]] && name=/usr/sbin/$tool
		[[ -e $root$name ]] || ln -s "$path" "$root$name"
	done
	# Busybox for poweroff, and for the selftests' module loads and
	# removals whose output no transcript shows (functions.sh).
	if [[ -x /bin/busybox ]]; then
		cp /bin/busybox "$root/usr/bin/busybox"
		for tool in "${GUEST_BUSYBOX_TOOLS[@]}"; do
			rm -f "$root/usr/bin/$tool"
			ln -s busybox "$root/usr/bin/$tool"
		done
	fi
	printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/bin/bash\n' >"$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
	echo vmtest >"$root/etc/hostname"

	mkdir -p "$root/lib/modules"
	cp -a "$MODINST_DIR/lib/modules/$KREL" "$root/lib/modules/"
	rm -f "$root/lib/modules/$KREL"/{build,source}

	# Selftests: ours, upstream's (the compatibility suite) and the runner.
	local st=$root/selftests
	mkdir -p "$st/kselftest"
	cp "$SRC_DIR"/tools/testing/selftests/kselftest/runner.sh "$st/kselftest/"
	cp -r "$REPO_DIR/tools/testing/selftests/livepatch" "$st/livepatch"
	find "$st/livepatch" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' \
		-o -name '.*.cmd' -o -name Module.symvers -o -name modules.order \) -delete
	cp -r "$PRISTINE_DIR/tools/testing/selftests/livepatch" "$st/upstream-livepatch"
	# The selftests' helper programs, static: the guest has no libc of
	# its own beyond what the tools above brought, and a static program
	# starts three times as fast on the debug kernel.
	local helper
	for helper in fail_nth kmsg_records getpid_loop; do
		cc -O2 -Wall -static -o "$st/livepatch/$helper" "$SCRIPT_DIR/$helper.c" ||
			die "cannot build $helper"
	done

	cp "$SCRIPT_DIR/vmtest-init.sh" "$root/init"
	chmod +x "$root/init"
	{
		echo '#!/bin/bash'
		printf '%q ' "${GUEST_CMD[@]}"
		echo
	} >"$root/vmtest-cmd.sh"
	echo "${VMTEST_CPUS:-2}" >"$root/vmtest-cpus"
	echo "$VARIANT" >"$root/vmtest-config"
	[[ $SHELL_MODE -eq 1 ]] && touch "$root/vmtest-shell"

	(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) >"$INITRAMFS" ||
		die "cannot write $INITRAMFS"
}

# --- boot ---------------------------------------------------------------------

# What counts as a kernel problem: the guest checks its log with the same
# pattern; here the console's kernel lines are checked once more, which
# also covers a guest that died before its own check.
# shellcheck source=kernel-problems.sh
. "$SCRIPT_DIR/kernel-problems.sh"

boot_guest()
{
	local log=$BUILD_DIR/console-$VARIANT_NAME.log
	local accel=tcg,thread=${VMTEST_TCG_THREAD:-multi}
	local mem=${VMTEST_MEM:-1G} timeout=${VMTEST_TIMEOUT:-1800} rc
	local params=

	# PREEMPT_DYNAMIC kernels come up voluntary; users who want a fully
	# preemptible kernel boot it so, and so do we.
	[[ $VARIANT != default ]] && params=preempt=full
	# config.mitigations: retpolines whatever the emulated CPU reports;
	# and on the default CPU, which no return thunk mitigation concerns,
	# returns through ITS's thunk (those in the first half of a cache
	# line).  A VMTEST_CPU that has its own (an EPYC's untrained return
	# thunk) keeps it: ITS's would replace it.
	[[ $VARIANT == preempt ]] && params+=" spectre_v2=retpoline"
	[[ $VARIANT == preempt && -z ${VMTEST_CPU:-} ]] &&
		params+=" indirect_target_selection=force"

	# 1G suits the debug kernel too: a kmemleak scan reads every struct
	# page, and took 24 s with 3G against 10 s with 1G.
	# The debug kernel runs about ten times slower under TCG; its main
	# boot took 43 minutes once, with the cores shared.
	[[ $VARIANT == debug && -z ${VMTEST_TIMEOUT:-} ]] && timeout=4200
	[[ -n ${VMTEST_KVM:-} ]] && accel=kvm
	local icount=()
	if [[ -n ${VMTEST_ICOUNT:-} ]]; then
		accel=tcg,thread=single
		icount=(-icount "shift=$VMTEST_ICOUNT,sleep=off")
	fi
	local qemu=(qemu-system-x86_64 -machine q35 -accel "$accel" "${icount[@]}" -cpu "${VMTEST_CPU:-max,-hypervisor}"
		-smp "${VMTEST_CPUS:-2}" -m "$mem" -nographic -no-reboot
		-nic none -kernel "$KBUILD_DIR/arch/x86/boot/bzImage"
		-initrd "$INITRAMFS"
		-append "console=ttyS0 quiet loglevel=4 log_buf_len=32M panic=-1 oops=panic panic_on_warn=0 tsc=unstable $params ${VMTEST_APPEND:-}")

	if [[ $SHELL_MODE -eq 1 ]]; then
		msg "booting an interactive guest; quit with Ctrl-A X"
		"${qemu[@]}" -serial mon:stdio -monitor none 2>&1 | tee "$log"
		return 0
	fi

	msg "booting ($accel${icount[1]:+, icount ${icount[1]}}, ${VMTEST_CPUS:-2} vCPUs, $mem, timeout ${timeout}s); console log: $log"
	# No stdin: the guest must not read our terminal; timeout: never hang.
	timeout --kill-after=10 "$timeout" "${qemu[@]}" </dev/null 2>&1 |
		sed -u 's/\r$//' | tee "$log" | sed -u -n '/VMTEST-BEGIN$/,/^VMTEST-END/{//!p}'
	rc=${PIPESTATUS[0]}
	if [[ $rc -eq 124 || $rc -eq 137 ]]; then
		die_with_log "$log" "guest timed out after ${timeout}s"
	fi
	local status
	status=$(sed -n 's/^VMTEST-END status=\([0-9]*\)$/\1/p' "$log" | tail -n 1)
	[[ -n $status ]] || die_with_log "$log" "guest died before the command finished (qemu exit $rc)"
	local problems
	problems=$(grep -E '^\[ *[0-9]+\.[0-9]+\] ' "$log" | kernel_problems)
	if [[ -n $problems ]]; then
		msg "the kernel reported problems on the console:"
		head -n 40 <<<"$problems" | sed 's/^/  | /' >&2
		[[ $status -eq 0 ]] && status=1
	fi
	return "$status"
}

# --- main ---------------------------------------------------------------------

while getopts "c:um:bsh" opt; do
	case $opt in
	c) VARIANT=$OPTARG ;;
	u) UPSTREAM=1 ;;
	m) [[ -d $OPTARG ]] || die "-m $OPTARG: no such directory"
	   USER_MODULE_DIRS+=("$(cd "$OPTARG" && pwd)") ;;
	b) BUILD_ONLY=1 ;;
	s) SHELL_MODE=1 ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[[ ${1:-} == -- ]] && shift
case $VARIANT in
default|preempt|debug) ;;
*) die "unknown kernel variant '$VARIANT' (default, preempt or debug)" ;;
esac

GUEST_CMD=("$@")
if [[ ${#GUEST_CMD[@]} -eq 0 ]]; then
	if [[ -t 0 && $BUILD_ONLY -eq 0 ]]; then
		SHELL_MODE=1
	else
		GUEST_CMD=(sh -c 'uname -a; nproc')
	fi
fi

VARIANT_NAME=$VARIANT
[[ $UPSTREAM -eq 1 ]] && VARIANT_NAME=$VARIANT-upstream
mkdir -p "$BUILD_DIR"
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
SRC_DIR=$BUILD_DIR/linux
PRISTINE_DIR=$BUILD_DIR/upstream
KBUILD_DIR=$BUILD_DIR/kbuild-$VARIANT_NAME
MODINST_DIR=$KBUILD_DIR/modinst

ensure_host_tools
prepare_tree
overlay_tree
configure_kernel
build_kernel
build_test_modules
[[ $BUILD_ONLY -eq 1 ]] && exit 0
make_initramfs
boot_guest
