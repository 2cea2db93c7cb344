#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# lint.sh - static checks of this project's files:
#   the shellcheck linter on every shell script,
#   checkpatch.pl --strict on every C file and header,
#   kernel-doc -none on the core and the public header,
#   a W=1, sparse (C=2) build of kernel/livepatch,
#   a W=1 build of kernel/livepatch for 32-bit powerpc (cross-build.sh).
# Needs the kernel tree and build of vmtest.sh (run "make build" first).
# Prints each finding and "lint: N problems"; exits non-zero if N > 0.

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$repo/build}
src=$BUILD_DIR/linux
kbuild=$BUILD_DIR/kbuild-default
problems=0

note()
{
	printf 'lint: %s\n' "$*"
}

# Count the output lines of a check as problems and show them.
count()
{
	local what=$1 out n line; shift

	out=$("$@" 2>&1)
	n=$(grep -c . <<<"$out")
	if [[ $n -gt 0 ]]; then
		note "$what:"
		while IFS= read -r line; do
			echo "  $line"
		done <<<"$out"
		problems=$((problems + n))
	else
		note "$what: clean"
	fi
}

[[ -x $src/scripts/checkpatch.pl && -f $kbuild/.config ]] ||
	{ note "no kernel tree in $BUILD_DIR: run 'make build' first"; exit 1; }
command -v shellcheck >/dev/null || apt-get install -y -qq shellcheck >/dev/null 2>&1
command -v sparse >/dev/null || apt-get install -y -qq sparse >/dev/null 2>&1

cd "$repo" || exit 1
mapfile -t scripts < <(find tools/testing/selftests/livepatch .ci -name '*.sh' -o -path .ci/run | sort)
mapfile -t cfiles < <(find kernel/livepatch samples/livepatch tools/testing/selftests/livepatch \
	include/linux/livepatch.h -name '*.[ch]' | sort)

count "shellcheck" shellcheck -x -P SCRIPTDIR -s bash -f gcc "${scripts[@]}"

# Two checks are off: CAMELCASE flags the kernel's own ELF typedefs
# (Elf_Shdr...), and MACRO_ARG_REUSE the loop variable of every iterator
# macro, whose names and shape are the 6.1 interface.
run_checkpatch()
{
	"$src/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
		--ignore CAMELCASE,MACRO_ARG_REUSE --quiet -f "$@" |
		grep -E "(ERROR|WARNING|CHECK):"
}

run_w1_sparse()
{
	# Check what is in the repository, not what the last build laid over.
	rsync -r --checksum --delete "$repo/kernel/livepatch/" "$src/kernel/livepatch/"
	rsync --checksum "$repo/include/linux/livepatch.h" "$src/include/linux/livepatch.h"
	make -C "$src" O="$kbuild" W=1 C=2 kernel/livepatch/ 2>&1 |
		grep -E "warning|error" | grep -v "^make"
}

count "checkpatch --strict" run_checkpatch "${cfiles[@]}"

count "kernel-doc" "$src/scripts/kernel-doc" -none kernel/livepatch/*.c include/linux/livepatch.h

# W=1 and sparse on the core, in the kernel build.
count "W=1 C=2 build of kernel/livepatch" run_w1_sparse

# The 32-bit sizes (MODULE_NAME_LEN, long, pointers) on an arch with
# HAVE_LIVEPATCH; a missing cross compiler is a problem, not a pass.
count "W=1 powerpc (32-bit) cross build of kernel/livepatch" \
	"$repo/tools/testing/selftests/livepatch/cross-build.sh" -q

note "$problems problems"
[[ $problems -eq 0 ]]
