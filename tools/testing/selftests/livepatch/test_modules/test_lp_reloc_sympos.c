// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_reloc_sympos.c - a relocation to the second of two same-named
 * static variables of test_lp_twins_target (sympos 2)
 * (test_lp_reloc_twin.h).
 */

#define TEST_LP_TWIN_REF "klp_sym$test_lp_twins_target$test_lp_twin_file$2"
#include "test_lp_reloc_twin.h"

MODULE_DESCRIPTION("Livepatch selftest: relocation to sympos 2");
