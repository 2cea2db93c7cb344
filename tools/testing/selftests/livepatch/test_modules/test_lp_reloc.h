/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_lp_reloc.h - the symbols that test_lp_reloc reaches through
 * livepatch relocations.
 *
 * Each is a weak undefined placeholder named klp_sym$<object>$<symbol>$<pos>
 * (weak, so that modpost lets it be); klp-convert.py renames it
 * .klp.sym.<object>.<symbol>,<pos> and moves its relocations into
 * .klp.rela.<object>.<section> sections.
 */

#ifndef _TEST_LP_RELOC_H
#define _TEST_LP_RELOC_H

#include <linux/compiler.h>

/* static int test_lp_reloc_target_secret in test_lp_reloc_target */
extern int test_lp_reloc_secret
	__asm__("klp_sym$test_lp_reloc_target$test_lp_reloc_target_secret$0") __weak;

/* vmlinux's linux_banner, which is not exported */
extern const char test_lp_reloc_banner[]
	__asm__("klp_sym$vmlinux$linux_banner$0") __weak;

#endif /* _TEST_LP_RELOC_H */
