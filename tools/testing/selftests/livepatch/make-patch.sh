#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make-patch.sh OUTPUT - write this project's livepatch paths as one unified
# diff against the pristine Linux 6.1 tree of Debian's linux-source-6.1, to
# apply with "patch -p1" or "git apply" in a 6.1 tree.

set -eo pipefail

out=${1:?usage: make-patch.sh OUTPUT}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)
tarball=${VMTEST_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
paths=(
	kernel/livepatch
	include/linux/livepatch.h
	Documentation/livepatch
	Documentation/ABI/testing/sysfs-kernel-livepatch
	samples/livepatch
	tools/testing/selftests/livepatch
)

[[ -f $tarball ]] || { echo "make-patch: $tarball is missing (apt-get install linux-source-6.1)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

top=$(tar -tf "$tarball" 2>/dev/null | head -n 1 | cut -d/ -f1 || true)
mkdir -p "$work/a" "$work/b"
tar -xf "$tarball" -C "$work/a" --strip-components=1 --wildcards \
	"${paths[@]/#/$top/}" 2>/dev/null || true
for p in "${paths[@]}"; do
	[[ -e $repo/$p ]] || continue
	mkdir -p "$work/b/$(dirname "$p")"
	cp -r "$repo/$p" "$work/b/$p"
done

rc=0
(cd "$work" && LC_ALL=C diff -ruN a b) >"$out" || rc=$?
[[ $rc -le 1 ]] || { echo "make-patch: diff failed" >&2; exit 1; }
echo "make-patch: wrote $out ($(grep -c '^diff ' "$out") files)" >&2
