// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A patch that counts the calls of
 * test_lp_target_a_show() in a shadow variable; see test_lp_shadow_patch.h.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#define TEST_LP_SHADOW_REPLACE	false
#include "test_lp_shadow_patch.h"

MODULE_DESCRIPTION("Livepatch selftest: a shadow variable, made by a patch");
