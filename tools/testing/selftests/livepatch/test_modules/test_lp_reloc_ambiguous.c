// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_reloc_ambiguous.c - a relocation to a static variable of
 * test_lp_twins_target by name alone (sympos 0), which two variables have
 * (test_lp_reloc_twin.h).
 */

#define TEST_LP_TWIN_REF "klp_sym$test_lp_twins_target$test_lp_twin_file$0"
#include "test_lp_reloc_twin.h"

MODULE_DESCRIPTION("Livepatch selftest: ambiguous relocation");
