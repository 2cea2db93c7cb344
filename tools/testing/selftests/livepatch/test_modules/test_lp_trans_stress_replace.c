// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lp_trans_stress_replace.c - atomic replace of
 * test_lp_trans_stress_patch: the same three functions, as version 3.
 */

#define TEST_LP_TRANS_STRESS_REPLACE
#include "test_lp_trans_stress_patch.c"
