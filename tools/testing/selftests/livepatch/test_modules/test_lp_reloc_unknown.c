// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_reloc_unknown.c - a relocation to a symbol that
 * test_lp_twins_target does not have
 * (test_lp_reloc_twin.h).
 */

#define TEST_LP_TWIN_REF "klp_sym$test_lp_twins_target$test_lp_twin_none$0"
#include "test_lp_reloc_twin.h"

MODULE_DESCRIPTION("Livepatch selftest: relocation to a missing symbol");
