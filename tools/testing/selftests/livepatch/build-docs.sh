#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-docs.sh - build Documentation/livepatch with the kernel's Sphinx
# setup ("make SPHINXDIRS=livepatch htmldocs") in the vmtest.sh tree, and
# fail on any warning.  Installs Debian's Sphinx packages when missing.

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$repo/build}
src=$BUILD_DIR/linux
out=$BUILD_DIR/docs

[[ -f $src/Makefile ]] ||
	{ echo "build-docs: no kernel tree in $BUILD_DIR: run 'make build' first" >&2; exit 1; }

if ! command -v sphinx-build >/dev/null || ! command -v dot >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		python3-sphinx python3-sphinx-rtd-theme graphviz >/dev/null 2>&1 ||
		{ echo "build-docs: cannot install python3-sphinx" >&2; exit 1; }
fi

# The tree must hold our pages, not whatever the last build left, and the
# sources their kernel-doc directives read: after a benchmark, the tree
# holds upstream's (vmtest.sh -u).  Unchanged files keep their time stamps.
rsync -r --checksum --delete "$repo/Documentation/livepatch/" "$src/Documentation/livepatch/"
rsync -r --checksum --delete "$repo/kernel/livepatch/" "$src/kernel/livepatch/"
for f in Documentation/ABI/testing/sysfs-kernel-livepatch include/linux/livepatch.h; do
	cmp -s "$repo/$f" "$src/$f" || cp "$repo/$f" "$src/$f"
done

rm -rf "$out"
log=$(mktemp)
make -C "$src" O="$out" SPHINXDIRS=livepatch htmldocs >"$log" 2>&1
rc=$?
if [[ $rc -ne 0 ]] || grep -qiE 'warning|error' "$log"; then
	grep -iE 'warning|error' "$log" | head -n 40
	echo "build-docs: failed (exit $rc); log: $log" >&2
	exit 1
fi
rm -f "$log"
echo "build-docs: $out/Documentation/output/livepatch/index.html, no warnings"
