// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_reloc_nopos.c - a relocation to the third static
 * test_lp_twin_file of test_lp_twins_target, which has two
 * (test_lp_reloc_twin.h).
 */

#define TEST_LP_TWIN_REF "klp_sym$test_lp_twins_target$test_lp_twin_file$3"
#include "test_lp_reloc_twin.h"

MODULE_DESCRIPTION("Livepatch selftest: relocation to a missing sympos");
