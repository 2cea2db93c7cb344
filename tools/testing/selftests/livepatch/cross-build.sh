#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# cross-build.sh [-q] - build kernel/livepatch for 32-bit powerpc with W=1:
# PPC32 selects HAVE_LIVEPATCH in 6.1, and there MODULE_NAME_LEN is 60, not
# 56, and longs and pointers have 32 bits.  Fails on any error and on any
# warning in kernel/livepatch or include/linux/livepatch.h.  Installs
# Debian's gcc-powerpc-linux-gnu when missing.  Needs the kernel tree of
# vmtest.sh (run "make build" first); builds in BUILD_DIR/kbuild-ppc32.
# -q prints only the problems, one a line, and nothing on success (lint.sh).

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$repo/build}
src=$BUILD_DIR/linux
kbuild=$BUILD_DIR/kbuild-ppc32
log=$kbuild/build.log
cross=powerpc-linux-gnu-
defconfig=pmac32_defconfig
# What the core needs on top of the defconfig (DYNAMIC_FTRACE_WITH_REGS
# follows from PPC32 and DYNAMIC_FTRACE).  Warnings are for us to report,
# not for -Werror to turn into errors elsewhere.
enable=(FTRACE FUNCTION_TRACER DYNAMIC_FTRACE DYNAMIC_FTRACE_WITH_REGS
	MODULES SYSFS KALLSYMS KALLSYMS_ALL LIVEPATCH PPC_DISABLE_WERROR)
disable=(TRIM_UNUSED_KSYMS WERROR)
jobs=$(nproc)
quiet=0
[[ ${1:-} == -q ]] && quiet=1

msg()
{
	[[ $quiet -eq 1 ]] || printf 'cross-build: %s\n' "$*"
}

die()
{
	printf 'cross-build: %s\n' "$*"
	exit 1
}

kmake()
{
	make -C "$src" ARCH=powerpc CROSS_COMPILE="$cross" O="$kbuild" "$@"
}

# Configure again only when the defconfig or the options change.
configure()
{
	local stamp=$kbuild/.config-stamp want opt args=() bad=()
	local clog=$kbuild/config.log

	want=$({ echo "$defconfig: ${enable[*]}; not ${disable[*]}"
		 cat "$src/arch/powerpc/configs/$defconfig"; } | sha256sum | cut -d' ' -f1)
	if [[ -f $kbuild/.config && -f $stamp && $(cat "$stamp") == "$want" ]]; then
		return 0
	fi
	msg "configuring $kbuild ($defconfig + livepatch)"
	mkdir -p "$kbuild"
	rm -f "$stamp"
	for opt in "${enable[@]}"; do args+=(--enable "$opt"); done
	for opt in "${disable[@]}"; do args+=(--disable "$opt"); done
	{ kmake "$defconfig" &&
	  "$src/scripts/config" --file "$kbuild/.config" "${args[@]}" &&
	  kmake olddefconfig; } >"$clog" 2>&1 ||
		die "configuration failed; log: $clog"

	# olddefconfig drops what lacks a dependency: say so, loudly.
	for opt in "${enable[@]}"; do
		grep -qx "CONFIG_$opt=y" "$kbuild/.config" || bad+=("CONFIG_$opt=y")
	done
	for opt in "${disable[@]}"; do
		grep -q "^CONFIG_$opt=" "$kbuild/.config" && bad+=("CONFIG_$opt=n")
	done
	[[ ${#bad[@]} -eq 0 ]] ||
		die "options dropped by olddefconfig (missing dependency?): ${bad[*]}"
	echo "$want" >"$stamp"
}

[[ -f $src/Makefile && -f $src/arch/powerpc/configs/$defconfig ]] ||
	die "no kernel tree in $BUILD_DIR: run 'make build' first"

if ! command -v "${cross}gcc" >/dev/null; then
	msg "installing gcc-powerpc-linux-gnu"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		gcc-powerpc-linux-gnu >/dev/null 2>&1
	command -v "${cross}gcc" >/dev/null ||
		die "cannot install gcc-powerpc-linux-gnu with apt-get: no 32-bit powerpc build"
fi

# Build what is in the repository, not what the last build laid over.
rsync -r --checksum --delete "$repo/kernel/livepatch/" "$src/kernel/livepatch/"
rsync --checksum "$repo/include/linux/livepatch.h" "$src/include/linux/livepatch.h"

configure
# A Kconfig change in the tree could still drop it when kbuild syncs .config.
grep -qx CONFIG_LIVEPATCH=y "$kbuild/.config" ||
	die "CONFIG_LIVEPATCH=y is not in $kbuild/.config"

msg "building kernel/livepatch/ for powerpc (32-bit), W=1 (log: $log)"
kmake -j"$jobs" W=1 kernel/livepatch/ >"$log" 2>&1
rc=$?

# Every error, and the warnings in our files (not those of code we do not own).
mapfile -t found < <(grep -E '(error|warning):' "$log" |
	grep -E 'error:|kernel/livepatch/|include/linux/livepatch\.h' | grep -v '^make')
[[ ${#found[@]} -eq 0 ]] || printf '%s\n' "${found[@]}"
[[ $rc -eq 0 ]] || die "make failed (exit $rc); log: $log"
[[ ${#found[@]} -eq 0 ]] || die "${#found[@]} errors or warnings; log: $log"
# Built in, the objects of livepatch.o go to built-in.a one by one.
read -ra objs < <(sed -n 's/^livepatch-objs[[:space:]]*:=//p' "$src/kernel/livepatch/Makefile")
for obj in built-in.a "${objs[@]}"; do
	[[ -f $kbuild/kernel/livepatch/$obj ]] ||
		die "kernel/livepatch/$obj was not built; log: $log"
done
msg "powerpc (32-bit): kernel/livepatch/ builds without warnings"
